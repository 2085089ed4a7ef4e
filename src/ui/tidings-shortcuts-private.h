/* tidings-shortcuts-private.h: what the tests reach inside the bindings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tidings-shortcuts.h"

G_BEGIN_DECLS

/* The controllers tidings_shortcuts_install() added to a window, or NULL. */
GtkEventController *_tidings_shortcuts_get_key_controller      (GtkWindow *window);
GtkEventController *_tidings_shortcuts_get_shortcut_controller (GtkWindow *window);

/* How long "g" waits for its second key; 1000 ms unless a test shortens it. */
void                _tidings_shortcuts_set_sequence_timeout    (guint      msec);

/* The GtkBuilder XML of tidings_shortcuts_window_new(); the window's id in
 * it is "shortcuts-window". */
char               *_tidings_shortcuts_window_xml              (TidingsKeymap keymap);

G_END_DECLS
