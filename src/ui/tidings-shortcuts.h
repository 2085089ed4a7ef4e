/* tidings-shortcuts.h: the one table of keyboard bindings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every key binding of the window comes from this table, for the keyboard
 * map the user chose (Tidings, Vim or Liferea); the shortcuts window is
 * generated from the same table. Single-letter bindings (with or without
 * Shift) never fire while a text field has focus. Two-key sequences ("g a")
 * are supported.
 *
 * The actions the table names (all installed by TidingsWindow with
 * gtk_widget_class_install_action unless marked app.):
 *   win.next-article, win.previous-article        j / k, ↓ / ↑
 *   win.next-unread, win.previous-unread          n / p
 *   win.scroll-down, win.scroll-up                Space / Shift+Space
 *   win.half-page-down, win.half-page-up          (Vim: Ctrl+d / Ctrl+u)
 *   win.first-article, win.last-article           (Vim: g g / G)
 *   win.focus-left, win.focus-right               (Vim: h / l) between panes
 *   win.open-article                              Enter
 *   win.open-in-browser                           o
 *   win.toggle-star                               s
 *   win.toggle-read                               m
 *   win.mark-all-read                             Shift+A
 *   win.next-feed, win.previous-feed              Shift+J / Shift+K
 *   win.go-all, win.go-unread, win.go-starred,
 *   win.go-today                                  g a, g u, g s, g t
 *   win.history-back, win.history-forward         Alt+← / Alt+→
 *   win.refresh-selected                          r
 *   win.refresh-all                               Ctrl+R, F5
 *   win.search                                    / , Ctrl+F
 *   win.add-feed                                  Ctrl+N
 *   win.zoom-in, win.zoom-out, win.zoom-reset     Ctrl+plus / Ctrl+minus / Ctrl+0
 *   win.toggle-sidebar                            F9
 *   app.shortcuts                                 Ctrl+?
 *   app.preferences                               Ctrl+,
 *   app.quit                                      Ctrl+Q
 *   window.close                                  Ctrl+W
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  TIDINGS_KEYMAP_TIDINGS,
  TIDINGS_KEYMAP_VIM,
  TIDINGS_KEYMAP_LIFEREA,
} TidingsKeymap;

/* How the keys are delivered (tidings-shortcuts.c):
 * - title and section are marked with N_(): translate them with _() to
 *   show them;
 * - keys with Control or Alt, and F-keys, fire wherever the focus is, the
 *   article view and text fields included;
 * - the other keys (letters, Shift+letter, "/", Space, Enter) and the "g"
 *   sequences fire unless a text field or a popover has the focus; Space
 *   and Enter also leave a focused button alone; "g" waits 1 s for its
 *   second key;
 * - arrow, page and Home/End keys are listed for the shortcuts window only:
 *   they stay with the focused widget, so ↓ in the article list moves its
 *   selection (the window opens the selected article) and ↓ in the sidebar
 *   or the article keeps its own meaning;
 * - an action the window does not have (or has disabled) lets its key go
 *   on to the focused widget. */
typedef struct
{
  const char *action;       /* "win.next-article" */
  const char *keys;         /* space-separated GTK accelerators; a "g+a" item is a
                               two-key sequence, e.g. "j Down" or "g+a" */
  const char *title;        /* for the shortcuts window, translatable */
  const char *section;      /* its group there: "Articles", "Navigation", ... */
} TidingsBinding;

/* The bindings of @keymap, ending with an entry whose action is NULL. */
const TidingsBinding *tidings_shortcuts_get_bindings (TidingsKeymap keymap);

/* Parses a GSettings value ("tidings", "vim", "liferea"); unknown values
 * give TIDINGS_KEYMAP_TIDINGS. */
TidingsKeymap         tidings_keymap_from_string     (const char   *name);
const char           *tidings_keymap_to_string       (TidingsKeymap keymap);

/* Installs @keymap's bindings on @window (replacing those a previous call
 * installed): a GtkShortcutController in the capture phase for keys with
 * modifiers, and a key controller that lets single letters through only
 * when no text field (GtkEditable, GtkText, GtkTextView) has focus, and
 * handles two-key sequences. Also sets the application's accelerators for
 * the app. actions so that menus show them. */
void                  tidings_shortcuts_install      (GtkWindow     *window,
                                                      TidingsKeymap  keymap);

/* A GtkShortcutsWindow generated from @keymap's table (GtkBuilder XML made
 * at run time, as GTK 4.8 has no API to fill one). */
GtkWindow            *tidings_shortcuts_window_new   (TidingsKeymap  keymap);

G_END_DECLS
