/* tidings-sidebar-row.h: one row of the sidebar (smart section, section or feed)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tidings-sidebar-model.h"

G_BEGIN_DECLS

#define TIDINGS_TYPE_SIDEBAR_ROW (tidings_sidebar_row_get_type ())
G_DECLARE_FINAL_TYPE (TidingsSidebarRow, tidings_sidebar_row, TIDINGS, SIDEBAR_ROW, GtkWidget)

/* Property: list-row (GtkTreeListRow whose item is a TidingsSidebarItem).
 *
 * The row asks its window for a context menu on a right click or a long
 * press (win.item-menu is not an action: the window answers
 * _tidings_window_get_item_menu()). Dragging rows is tidings-sidebar-dnd.c's. */
GtkWidget          *tidings_sidebar_row_new          (void);
GtkTreeListRow     *tidings_sidebar_row_get_list_row (TidingsSidebarRow *self);
void                tidings_sidebar_row_set_list_row (TidingsSidebarRow *self,
                                                      GtkTreeListRow    *list_row);
TidingsSidebarItem *tidings_sidebar_row_get_item     (TidingsSidebarRow *self);

/* Pops the row's context menu up (Shift+F10, the Menu key). */
void                tidings_sidebar_row_popup_menu   (TidingsSidebarRow *self);

G_END_DECLS
