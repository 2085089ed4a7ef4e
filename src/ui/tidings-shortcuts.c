/* tidings-shortcuts.c: the one table of keyboard bindings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three tables, one per keyboard map, are the only place a key is bound.
 * tidings_shortcuts_install() splits a table in two:
 *
 * - keys with Control, Alt or Super, and the function keys, go to a
 *   GtkShortcutController in the capture phase: they work wherever the focus
 *   is, the article view included (WebKit would otherwise take Ctrl+plus);
 * - keys without such a modifier (letters, Shift+letter, "/", Space, Enter)
 *   and the "g a" sequences go to a key controller, also in the capture
 *   phase so that a list does not take Space or Enter first, which steps
 *   aside whenever a text field has the focus.
 *
 * Arrow, page and Home/End keys are listed in the tables for the shortcuts
 * window but left to the focused widget: ↓ in the article list moves its
 * selection, which opens the article, while ↓ in the sidebar or in the
 * article must keep meaning what it means there.
 */

#define G_LOG_DOMAIN "tidings-shortcuts"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tidings-shortcuts.h"
#include "tidings-shortcuts-private.h"

#define KEY_CONTROLLER_DATA      "tidings-shortcuts-key-controller"
#define SHORTCUT_CONTROLLER_DATA "tidings-shortcuts-shortcut-controller"

static guint sequence_timeout_msec = 1000;

/* Groups of the shortcuts window, in the order they appear there. */
#define SECTION_ARTICLES N_("Articles")
#define SECTION_READING  N_("Reading")
#define SECTION_MOVING   N_("Moving Around")
#define SECTION_LIBRARY  N_("Subscriptions")
#define SECTION_GENERAL  N_("General")

/* The bindings every map shares, by group; each map lists its own first. */
#define BINDINGS_ARTICLES_COMMON \
  { "win.open-article", "Return", N_("Open the article and move into it"), SECTION_ARTICLES }, \
  { "win.mark-all-read", "<Shift>a", N_("Mark the whole section read"), SECTION_ARTICLES }, \
  { "win.history-back", "<Alt>Left", N_("Back to the article read before"), SECTION_ARTICLES }, \
  { "win.history-forward", "<Alt>Right", N_("Forward again"), SECTION_ARTICLES }

#define BINDINGS_READING_COMMON \
  { "win.scroll-down", "space", N_("Scroll down; at the end, next unread article"), \
    SECTION_READING }, \
  { "win.scroll-up", "<Shift>space", N_("Scroll up"), SECTION_READING }, \
  { "win.zoom-in", "<Control>plus <Control>equal", N_("Zoom in"), SECTION_READING }, \
  { "win.zoom-out", "<Control>minus", N_("Zoom out"), SECTION_READING }, \
  { "win.zoom-reset", "<Control>0", N_("Normal size"), SECTION_READING }, \
  { "win.toggle-sidebar", "F9", N_("Show or hide the sidebar"), SECTION_READING }

#define BINDINGS_MOVING_COMMON \
  { "win.next-feed", "<Shift>j", N_("Next feed or section"), SECTION_MOVING }, \
  { "win.previous-feed", "<Shift>k", N_("Previous feed or section"), SECTION_MOVING }, \
  { "win.go-all", "g+a", N_("Go to all articles"), SECTION_MOVING }, \
  { "win.go-unread", "g+u", N_("Go to unread articles"), SECTION_MOVING }, \
  { "win.go-starred", "g+s", N_("Go to starred articles"), SECTION_MOVING }, \
  { "win.go-today", "g+t", N_("Go to today’s articles"), SECTION_MOVING }, \
  { "win.search", "slash <Control>f", N_("Search"), SECTION_MOVING }

#define BINDINGS_GENERAL_COMMON \
  { "app.shortcuts", "<Control>question", N_("Keyboard shortcuts"), SECTION_GENERAL }, \
  { "app.preferences", "<Control>comma", N_("Preferences"), SECTION_GENERAL }, \
  { "window.close", "<Control>w", N_("Close the window"), SECTION_GENERAL }, \
  { "app.quit", "<Control>q", N_("Quit"), SECTION_GENERAL }

static const TidingsBinding tidings_bindings[] = {
  { "win.next-article", "j Down", N_("Next article"), SECTION_ARTICLES },
  { "win.previous-article", "k Up", N_("Previous article"), SECTION_ARTICLES },
  { "win.next-unread", "n", N_("Next unread article"), SECTION_ARTICLES },
  { "win.previous-unread", "p", N_("Previous unread article"), SECTION_ARTICLES },
  { "win.open-in-browser", "o", N_("Open in the browser"), SECTION_ARTICLES },
  { "win.toggle-star", "s", N_("Star or unstar"), SECTION_ARTICLES },
  { "win.toggle-read", "m", N_("Mark read or unread"), SECTION_ARTICLES },
  BINDINGS_ARTICLES_COMMON,
  BINDINGS_READING_COMMON,
  BINDINGS_MOVING_COMMON,
  { "win.refresh-selected", "r", N_("Refresh the selected feed or section"), SECTION_LIBRARY },
  { "win.refresh-all", "<Control>r F5", N_("Refresh every feed"), SECTION_LIBRARY },
  { "win.add-feed", "<Control>n", N_("Add a feed"), SECTION_LIBRARY },
  BINDINGS_GENERAL_COMMON,
  { NULL }
};

/* Tidings' map plus Vim's motions; nothing of the above is taken away. */
static const TidingsBinding vim_bindings[] = {
  { "win.next-article", "j Down", N_("Next article"), SECTION_ARTICLES },
  { "win.previous-article", "k Up", N_("Previous article"), SECTION_ARTICLES },
  { "win.first-article", "g+g", N_("First article"), SECTION_ARTICLES },
  { "win.last-article", "<Shift>g", N_("Last article"), SECTION_ARTICLES },
  { "win.next-unread", "n", N_("Next unread article"), SECTION_ARTICLES },
  { "win.previous-unread", "p", N_("Previous unread article"), SECTION_ARTICLES },
  { "win.open-in-browser", "o", N_("Open in the browser"), SECTION_ARTICLES },
  { "win.toggle-star", "s", N_("Star or unstar"), SECTION_ARTICLES },
  { "win.toggle-read", "m", N_("Mark read or unread"), SECTION_ARTICLES },
  BINDINGS_ARTICLES_COMMON,
  { "win.half-page-down", "<Control>d", N_("Half a page down"), SECTION_READING },
  { "win.half-page-up", "<Control>u", N_("Half a page up"), SECTION_READING },
  BINDINGS_READING_COMMON,
  { "win.focus-left", "h", N_("Move to the pane on the left"), SECTION_MOVING },
  { "win.focus-right", "l", N_("Move to the pane on the right"), SECTION_MOVING },
  BINDINGS_MOVING_COMMON,
  { "win.refresh-selected", "r", N_("Refresh the selected feed or section"), SECTION_LIBRARY },
  { "win.refresh-all", "<Control>r F5", N_("Refresh every feed"), SECTION_LIBRARY },
  { "win.add-feed", "<Control>n", N_("Add a feed"), SECTION_LIBRARY },
  BINDINGS_GENERAL_COMMON,
  { NULL }
};

/* Liferea's keys for what Liferea has keys for; the shared bindings for the
 * rest. Its Ctrl+N is the next unread article, so adding a feed moves to
 * Ctrl+Shift+N. */
static const TidingsBinding liferea_bindings[] = {
  { "win.next-article", "f Down", N_("Next article"), SECTION_ARTICLES },
  { "win.previous-article", "b Up", N_("Previous article"), SECTION_ARTICLES },
  { "win.next-unread", "<Control>n", N_("Next unread article"), SECTION_ARTICLES },
  { "win.previous-unread", "p", N_("Previous unread article"), SECTION_ARTICLES },
  { "win.open-in-browser", "<Control>d", N_("Open in the browser"), SECTION_ARTICLES },
  { "win.toggle-star", "<Control>t", N_("Star or unstar"), SECTION_ARTICLES },
  { "win.toggle-read", "<Control>m", N_("Mark read or unread"), SECTION_ARTICLES },
  BINDINGS_ARTICLES_COMMON,
  BINDINGS_READING_COMMON,
  BINDINGS_MOVING_COMMON,
  { "win.refresh-selected", "r", N_("Refresh the selected feed or section"), SECTION_LIBRARY },
  { "win.refresh-all", "<Control>u F5", N_("Refresh every feed"), SECTION_LIBRARY },
  { "win.add-feed", "<Control><Shift>n", N_("Add a feed"), SECTION_LIBRARY },
  BINDINGS_GENERAL_COMMON,
  { NULL }
};

const TidingsBinding *
tidings_shortcuts_get_bindings (TidingsKeymap keymap)
{
  switch (keymap)
    {
    case TIDINGS_KEYMAP_VIM:
      return vim_bindings;
    case TIDINGS_KEYMAP_LIFEREA:
      return liferea_bindings;
    case TIDINGS_KEYMAP_TIDINGS:
    default:
      return tidings_bindings;
    }
}

TidingsKeymap
tidings_keymap_from_string (const char *name)
{
  if (g_strcmp0 (name, "vim") == 0)
    return TIDINGS_KEYMAP_VIM;
  if (g_strcmp0 (name, "liferea") == 0)
    return TIDINGS_KEYMAP_LIFEREA;
  return TIDINGS_KEYMAP_TIDINGS;
}

const char *
tidings_keymap_to_string (TidingsKeymap keymap)
{
  switch (keymap)
    {
    case TIDINGS_KEYMAP_VIM:
      return "vim";
    case TIDINGS_KEYMAP_LIFEREA:
      return "liferea";
    case TIDINGS_KEYMAP_TIDINGS:
    default:
      return "tidings";
    }
}

/* Keys as the key controller compares them: lower-case keyval, and whether
 * Shift is part of the binding. */
typedef struct
{
  guint    keyval;
  gboolean shift;
} Key;

typedef struct
{
  Key         first;
  Key         second;   /* keyval 0 for a single key */
  const char *action;
} KeyBinding;

typedef struct
{
  GArray *bindings;     /* KeyBinding */
  Key     pending;      /* the first key of a sequence, keyval 0 when none */
  guint   timeout_id;
} KeyDispatch;

#define EXTRA_MODIFIERS \
  (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_HYPER_MASK | GDK_META_MASK)

static gboolean
is_modifier_keyval (guint keyval)
{
  return (keyval >= GDK_KEY_Shift_L && keyval <= GDK_KEY_Hyper_R) ||
         (keyval >= GDK_KEY_ISO_Lock && keyval <= GDK_KEY_ISO_Level5_Lock) ||
         keyval == GDK_KEY_Mode_switch || keyval == GDK_KEY_Num_Lock;
}

/* Keys the focused widget moves with; see the top of the file. */
static gboolean
is_navigation_keyval (guint keyval)
{
  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_Down: case GDK_KEY_Left: case GDK_KEY_Right:
    case GDK_KEY_KP_Up: case GDK_KEY_KP_Down: case GDK_KEY_KP_Left: case GDK_KEY_KP_Right:
    case GDK_KEY_Page_Up: case GDK_KEY_Page_Down: case GDK_KEY_Home: case GDK_KEY_End:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_function_keyval (guint keyval)
{
  return keyval >= GDK_KEY_F1 && keyval <= GDK_KEY_F35;
}

/* Space and Enter press a focused button; they only read on elsewhere. */
static gboolean
is_activation_keyval (guint keyval)
{
  return keyval == GDK_KEY_space || keyval == GDK_KEY_KP_Space ||
         keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter;
}

static Key
normalize_key (guint           keyval,
               GdkModifierType state)
{
  Key key;
  guint lower = gdk_keyval_to_lower (keyval);
  gunichar ch;

  key.keyval = lower;
  if (lower != gdk_keyval_to_upper (keyval))
    {
      /* A letter: its case says whether Shift (or Caps Lock) was down. */
      key.shift = lower != keyval || (state & GDK_SHIFT_MASK) != 0;
      return key;
    }

  /* A symbol such as "/" takes Shift on some layouts to be typed at all, so
   * Shift does not tell it apart; for Space or Enter it does. */
  ch = gdk_keyval_to_unicode (keyval);
  if (ch != 0 && g_unichar_isgraph (ch))
    key.shift = FALSE;
  else
    key.shift = (state & GDK_SHIFT_MASK) != 0;
  if (keyval == GDK_KEY_KP_Space)
    key.keyval = GDK_KEY_space;
  else if (keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
    key.keyval = GDK_KEY_Return;
  return key;
}

static gboolean
key_equal (Key a,
           Key b)
{
  return a.keyval == b.keyval && a.shift == b.shift;
}

/* One accelerator of a table ("j", "<Shift>a", "<Control>r"). */
static gboolean
parse_accelerator (const char      *accelerator,
                   guint           *keyval,
                   GdkModifierType *mods)
{
  if (!gtk_accelerator_parse (accelerator, keyval, mods) || *keyval == 0)
    {
      g_critical ("Key binding “%s” cannot be parsed", accelerator);
      return FALSE;
    }
  return TRUE;
}

/* Whether the key goes to the shortcut controller, which fires it
 * everywhere, rather than to the key controller. */
static gboolean
is_shortcut_key (guint           keyval,
                 GdkModifierType mods)
{
  return (mods & EXTRA_MODIFIERS) != 0 || is_function_keyval (keyval);
}

static void
key_dispatch_cancel (KeyDispatch *dispatch)
{
  dispatch->pending.keyval = 0;
  g_clear_handle_id (&dispatch->timeout_id, g_source_remove);
}

static void
key_dispatch_free (gpointer data)
{
  KeyDispatch *dispatch = data;

  key_dispatch_cancel (dispatch);
  g_array_unref (dispatch->bindings);
  g_free (dispatch);
}

static gboolean
sequence_timeout_cb (gpointer data)
{
  KeyDispatch *dispatch = data;

  g_debug ("Key sequence expired");
  dispatch->timeout_id = 0;
  dispatch->pending.keyval = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
focus_is_text (GtkWidget *focus)
{
  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    {
      if (GTK_IS_EDITABLE (w) || GTK_IS_TEXT (w) || GTK_IS_TEXT_VIEW (w))
        return TRUE;
      /* A menu or a drop-down's list: its keys are its own. */
      if (GTK_IS_POPOVER (w))
        return TRUE;
    }
  return FALSE;
}

static gboolean
focus_is_button (GtkWidget *focus)
{
  return focus != NULL &&
         (GTK_IS_BUTTON (focus) || GTK_IS_CHECK_BUTTON (focus) || GTK_IS_SWITCH (focus));
}

static gboolean
activate (GtkWidget  *widget,
          const char *action)
{
  g_debug ("Key activates %s", action);
  /* FALSE when the window has no such action: the key then goes on to the
   * focused widget. */
  return gtk_widget_activate_action (widget, action, NULL);
}

static const KeyBinding *
find_binding (KeyDispatch *dispatch,
              Key          first,
              Key          second)
{
  for (guint i = 0; i < dispatch->bindings->len; i++)
    {
      const KeyBinding *binding = &g_array_index (dispatch->bindings, KeyBinding, i);

      if (key_equal (binding->first, first) &&
          (second.keyval == 0 ? binding->second.keyval == 0
                              : key_equal (binding->second, second)))
        return binding;
    }
  return NULL;
}

static gboolean
starts_sequence (KeyDispatch *dispatch,
                 Key          key)
{
  for (guint i = 0; i < dispatch->bindings->len; i++)
    {
      const KeyBinding *binding = &g_array_index (dispatch->bindings, KeyBinding, i);

      if (binding->second.keyval != 0 && key_equal (binding->first, key))
        return TRUE;
    }
  return FALSE;
}

/* On a keyboard that types another script, the letters are found by their
 * place on the keyboard: the key's symbol in the first (Latin) layout. */
static Key
latin_key (GtkWidget       *widget,
           guint            keycode,
           GdkModifierType  state,
           Key              key)
{
  guint keyval = 0;
  gunichar ch = gdk_keyval_to_unicode (key.keyval);

  if (keycode == 0 || ch < 0x80)
    return key;
  if (!gdk_display_translate_key (gtk_widget_get_display (widget), keycode, state, 0,
                                  &keyval, NULL, NULL, NULL) || keyval == 0)
    return key;
  return normalize_key (keyval, state);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                gpointer               user_data)
{
  KeyDispatch *dispatch = user_data;
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  const KeyBinding *binding;
  Key key;

  if (is_modifier_keyval (keyval))
    return GDK_EVENT_PROPAGATE;

  /* Keys typed into a popover (a menu, a drop-down) reach the window too;
   * they are not for us. */
  if (event != NULL && GTK_IS_NATIVE (widget) &&
      gdk_event_get_surface (event) != gtk_native_get_surface (GTK_NATIVE (widget)))
    return GDK_EVENT_PROPAGATE;

  if ((state & EXTRA_MODIFIERS) != 0 || focus_is_text (focus) || is_navigation_keyval (keyval))
    {
      key_dispatch_cancel (dispatch);
      return GDK_EVENT_PROPAGATE;
    }

  key = latin_key (widget, keycode, state, normalize_key (keyval, state));

  if (dispatch->pending.keyval != 0)
    {
      Key first = dispatch->pending;

      key_dispatch_cancel (dispatch);
      binding = find_binding (dispatch, first, key);
      if (binding != NULL)
        {
          activate (widget, binding->action);
          return GDK_EVENT_STOP;
        }
      /* Not a sequence: the key counts on its own. */
    }

  if (starts_sequence (dispatch, key))
    {
      dispatch->pending = key;
      dispatch->timeout_id = g_timeout_add (sequence_timeout_msec, sequence_timeout_cb, dispatch);
      return GDK_EVENT_STOP;
    }

  binding = find_binding (dispatch, key, (Key) { 0, FALSE });
  if (binding == NULL)
    return GDK_EVENT_PROPAGATE;
  if (is_activation_keyval (key.keyval) && focus_is_button (focus))
    return GDK_EVENT_PROPAGATE;

  return activate (widget, binding->action) ? GDK_EVENT_STOP : GDK_EVENT_PROPAGATE;
}

static void
add_key_binding (KeyDispatch *dispatch,
                 const char  *action,
                 const char  *item)
{
  g_auto(GStrv) parts = g_strsplit (item, "+", 2);
  KeyBinding binding = { { 0, FALSE }, { 0, FALSE }, action };

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint keyval;
      GdkModifierType mods;

      if (!parse_accelerator (parts[i], &keyval, &mods))
        return;
      if (i == 0)
        binding.first = normalize_key (keyval, mods);
      else
        binding.second = normalize_key (keyval, mods);
    }
  g_array_append_val (dispatch->bindings, binding);
}

static void
set_app_accels (GtkApplication       *app,
                const TidingsBinding *bindings)
{
  /* Every map's app. actions, so that one the new map leaves out loses the
   * accelerator of the old one. */
  for (TidingsKeymap map = TIDINGS_KEYMAP_TIDINGS; map <= TIDINGS_KEYMAP_LIFEREA; map++)
    {
      const TidingsBinding *all = tidings_shortcuts_get_bindings (map);

      for (guint i = 0; all[i].action != NULL; i++)
        if (g_str_has_prefix (all[i].action, "app."))
          {
            static const char *none[] = { NULL };

            gtk_application_set_accels_for_action (app, all[i].action, none);
          }
    }

  for (guint i = 0; bindings[i].action != NULL; i++)
    {
      g_auto(GStrv) keys = NULL;
      g_autoptr(GStrvBuilder) accels = NULL;
      g_auto(GStrv) strv = NULL;

      if (!g_str_has_prefix (bindings[i].action, "app."))
        continue;
      keys = g_strsplit (bindings[i].keys, " ", -1);
      accels = g_strv_builder_new ();
      for (guint k = 0; keys[k] != NULL; k++)
        if (keys[k][0] != '\0' && strchr (keys[k], '+') == NULL)
          g_strv_builder_add (accels, keys[k]);
      strv = g_strv_builder_end (accels);
      gtk_application_set_accels_for_action (app, bindings[i].action, (const char * const *) strv);
    }
}

void
tidings_shortcuts_install (GtkWindow     *window,
                           TidingsKeymap  keymap)
{
  const TidingsBinding *bindings;
  GtkEventController *old;
  GtkEventController *shortcuts;
  GtkEventController *keys;
  KeyDispatch *dispatch;
  GtkApplication *app;

  g_return_if_fail (GTK_IS_WINDOW (window));

  bindings = tidings_shortcuts_get_bindings (keymap);

  old = g_object_get_data (G_OBJECT (window), SHORTCUT_CONTROLLER_DATA);
  if (old != NULL)
    gtk_widget_remove_controller (GTK_WIDGET (window), old);
  old = g_object_get_data (G_OBJECT (window), KEY_CONTROLLER_DATA);
  if (old != NULL)
    gtk_widget_remove_controller (GTK_WIDGET (window), old);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_name (shortcuts, "tidings-shortcuts");
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  /* The window is the root: every key typed in it passes here. */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                     GTK_SHORTCUT_SCOPE_LOCAL);

  dispatch = g_new0 (KeyDispatch, 1);
  dispatch->bindings = g_array_new (FALSE, FALSE, sizeof (KeyBinding));

  for (guint i = 0; bindings[i].action != NULL; i++)
    {
      g_auto(GStrv) items = g_strsplit (bindings[i].keys, " ", -1);

      for (guint k = 0; items[k] != NULL; k++)
        {
          guint keyval;
          GdkModifierType mods;

          if (items[k][0] == '\0')
            continue;
          if (strchr (items[k], '+') != NULL)
            {
              add_key_binding (dispatch, bindings[i].action, items[k]);
              continue;
            }
          if (!parse_accelerator (items[k], &keyval, &mods))
            continue;
          if (is_shortcut_key (keyval, mods))
            gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                                  gtk_shortcut_new (gtk_keyval_trigger_new (keyval,
                                                                                            mods),
                                                                    gtk_named_action_new (bindings[i].action)));
          else if (!is_navigation_keyval (keyval))
            add_key_binding (dispatch, bindings[i].action, items[k]);
        }
    }

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (keys, "tidings-keys");
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_object_set_data_full (G_OBJECT (keys), "tidings-key-dispatch", dispatch, key_dispatch_free);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), dispatch);

  gtk_widget_add_controller (GTK_WIDGET (window), shortcuts);
  gtk_widget_add_controller (GTK_WIDGET (window), keys);
  /* The window owns them; these pointers only find them again. */
  g_object_set_data (G_OBJECT (window), SHORTCUT_CONTROLLER_DATA, shortcuts);
  g_object_set_data (G_OBJECT (window), KEY_CONTROLLER_DATA, keys);

  app = gtk_window_get_application (window);
  if (app != NULL)
    set_app_accels (app, bindings);

  g_debug ("Installed the %s keyboard map", tidings_keymap_to_string (keymap));
}

GtkEventController *
_tidings_shortcuts_get_key_controller (GtkWindow *window)
{
  return g_object_get_data (G_OBJECT (window), KEY_CONTROLLER_DATA);
}

GtkEventController *
_tidings_shortcuts_get_shortcut_controller (GtkWindow *window)
{
  return g_object_get_data (G_OBJECT (window), SHORTCUT_CONTROLLER_DATA);
}

void
_tidings_shortcuts_set_sequence_timeout (guint msec)
{
  sequence_timeout_msec = msec;
}

/* The shortcuts window shows its groups on two pages (GtkShortcutsSection,
 * picked from the title bar), each small enough for one screen: GTK 4.8
 * splits a longer section into numbered sub-pages, shuffles the order of
 * its groups when it does, and warns about the page buttons it makes. A
 * group the table names that no page lists goes on the last one. */
typedef struct
{
  const char *name;
  const char *title;
  const char *groups[3];
} WindowPage;

static const WindowPage window_pages[] = {
  { "reading", N_("Reading"), { SECTION_ARTICLES, SECTION_READING, NULL } },
  { "feeds", N_("Sections and Feeds"), { SECTION_MOVING, SECTION_LIBRARY, SECTION_GENERAL } },
};

static guint
page_of_group (const char *group)
{
  for (guint p = 0; p < G_N_ELEMENTS (window_pages); p++)
    for (guint g = 0; g < G_N_ELEMENTS (window_pages[p].groups); g++)
      if (g_strcmp0 (window_pages[p].groups[g], group) == 0)
        return p;
  return G_N_ELEMENTS (window_pages) - 1;
}

static void
append_group (GString              *xml,
              const TidingsBinding *bindings,
              const char           *group)
{
  g_autofree char *group_title = g_markup_escape_text (_(group), -1);

  g_string_append_printf (xml,
                          "        <child>\n"
                          "          <object class=\"GtkShortcutsGroup\">\n"
                          "            <property name=\"title\">%s</property>\n",
                          group_title);
  for (guint i = 0; bindings[i].action != NULL; i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *accelerator = NULL;

      if (!g_str_equal (bindings[i].section, group))
        continue;
      title = g_markup_escape_text (_(bindings[i].title), -1);
      /* The table's keys are GtkShortcutsShortcut's syntax already: space
       * between alternatives, "+" between the keys of a sequence. */
      accelerator = g_markup_escape_text (bindings[i].keys, -1);
      g_string_append_printf (xml,
                              "            <child>\n"
                              "              <object class=\"GtkShortcutsShortcut\">\n"
                              "                <property name=\"title\">%s</property>\n"
                              "                <property name=\"accelerator\">%s</property>\n"
                              "              </object>\n"
                              "            </child>\n",
                              title, accelerator);
    }
  g_string_append (xml,
                   "          </object>\n"
                   "        </child>\n");
}

char *
_tidings_shortcuts_window_xml (TidingsKeymap keymap)
{
  const TidingsBinding *bindings = tidings_shortcuts_get_bindings (keymap);
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  GString *xml = g_string_new (NULL);

  /* The groups in the order the table first names them. */
  for (guint i = 0; bindings[i].action != NULL; i++)
    {
      guint found;

      if (!g_ptr_array_find_with_equal_func (groups, bindings[i].section, g_str_equal, &found))
        g_ptr_array_add (groups, (gpointer) bindings[i].section);
    }

  g_string_append (xml,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<interface>\n"
                   "  <object class=\"GtkShortcutsWindow\" id=\"shortcuts-window\">\n"
                   "    <property name=\"modal\">true</property>\n");

  for (guint p = 0; p < G_N_ELEMENTS (window_pages); p++)
    {
      g_autofree char *page_title = g_markup_escape_text (_(window_pages[p].title), -1);

      g_string_append_printf (xml,
                              "    <child>\n"
                              "      <object class=\"GtkShortcutsSection\">\n"
                              "        <property name=\"section-name\">%s</property>\n"
                              "        <property name=\"title\">%s</property>\n"
                              "        <property name=\"max-height\">14</property>\n",
                              window_pages[p].name, page_title);
      for (guint g = 0; g < groups->len; g++)
        if (page_of_group (groups->pdata[g]) == p)
          append_group (xml, bindings, groups->pdata[g]);
      g_string_append (xml,
                       "      </object>\n"
                       "    </child>\n");
    }

  g_string_append (xml,
                   "  </object>\n"
                   "</interface>\n");
  return g_string_free (xml, FALSE);
}

GtkWindow *
tidings_shortcuts_window_new (TidingsKeymap keymap)
{
  g_autofree char *xml = _tidings_shortcuts_window_xml (keymap);
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_string (xml, -1);
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts-window"));

  /* GTK's list of toplevels keeps the window once the builder is gone, as
   * it keeps one from gtk_window_new(); gtk_window_destroy() ends it. */
  return window;
}
