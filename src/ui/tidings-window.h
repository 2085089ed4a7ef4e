/* tidings-window.h: the reading window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tidings-application.h"
#include "tidings-icon-cache.h"
#include "tidings-sidebar-model.h"

G_BEGIN_DECLS

#define TIDINGS_TYPE_WINDOW (tidings_window_get_type ())

G_DECLARE_FINAL_TYPE (TidingsWindow, tidings_window, TIDINGS, WINDOW, AdwApplicationWindow)

/* The window takes the library and the settings from @app. */
TidingsWindow *tidings_window_new          (TidingsApplication *app);

void           tidings_window_add_toast    (TidingsWindow      *self,
                                            AdwToast           *toast);
/* Opens the Add dialog, with @url filled in when not NULL. */
void           tidings_window_add_feed     (TidingsWindow      *self,
                                            const char         *url);

/* For TidingsSidebarRow: the context menu of @item (the menu's actions then
 * apply to @item). NULL when the item has none. */
GMenuModel    *_tidings_window_get_item_menu (TidingsWindow      *self,
                                              TidingsSidebarItem *item);

/* For the rows: the feeds' icons, shared by the sidebar and the article
 * list. */
TidingsIconCache    *_tidings_window_get_icon_cache      (TidingsWindow *self);

/* For tests. */
TidingsSidebarModel *_tidings_window_get_sidebar_model   (TidingsWindow *self);
GtkSelectionModel   *_tidings_window_get_sidebar_selection (TidingsWindow *self);
GtkSelectionModel   *_tidings_window_get_article_selection (TidingsWindow *self);
GtkWidget           *_tidings_window_get_article_view    (TidingsWindow *self);
GtkWidget           *_tidings_window_get_sidebar_view    (TidingsWindow *self);
GtkWidget           *_tidings_window_get_article_list_view (TidingsWindow *self);
/* "reader" or "welcome". */
const char          *_tidings_window_get_page            (TidingsWindow *self);
/* Selects the sidebar row of @kind/@id (expanding its section); FALSE when
 * there is none (yet). */
gboolean             _tidings_window_select_item         (TidingsWindow      *self,
                                                          TidingsSidebarKind  kind,
                                                          gint64              id);

G_END_DECLS
