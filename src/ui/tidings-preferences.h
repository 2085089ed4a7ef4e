/* tidings-preferences.h: the preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every row is bound to the application's GSettings with g_settings_bind, so
 * a change is stored at once and whoever listens to the setting (the window,
 * for the keyboard map, the refresh interval and the article view) follows
 * it at once; the window itself keeps no copy.
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TIDINGS_TYPE_PREFERENCES (tidings_preferences_get_type ())
G_DECLARE_FINAL_TYPE (TidingsPreferences, tidings_preferences, TIDINGS, PREFERENCES,
                      AdwPreferencesWindow)

/* A preferences window transient for @parent (may be NULL) over @settings
 * (the io.github.tidings.Tidings schema). Present it with
 * gtk_window_present(). */
TidingsPreferences *tidings_preferences_new          (GtkWindow          *parent,
                                                      GSettings          *settings);

/* The sections offered for notifications ("notify-sections"): a GListModel
 * of TidingsSidebarItem, of which the items of kind SECTION are listed (and
 * their child sections). NULL or no section hides the choice. */
void                tidings_preferences_set_sections (TidingsPreferences *self,
                                                      GListModel         *sections);

G_END_DECLS
