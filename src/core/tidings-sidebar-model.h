/* tidings-sidebar-model.h: sections and feeds with their unread counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel of TidingsSidebarItem: the smart sections All, Unread, Starred
 * and Today, then the user's sections and the feeds in no section, in their
 * order. A section's item has a children model (its child sections, then its
 * feeds) for a GtkTreeListModel. Loaded and reloaded on the library's reader
 * thread; items keep their identity across reloads (the same object for the
 * same section or feed), and only what changed is notified, so selection and
 * expansion survive a refresh.
 */

#pragma once

#include <gio/gio.h>

#include "tidings-library.h"

G_BEGIN_DECLS

typedef enum
{
  TIDINGS_SIDEBAR_ALL,
  TIDINGS_SIDEBAR_UNREAD,
  TIDINGS_SIDEBAR_STARRED,
  TIDINGS_SIDEBAR_TODAY,
  TIDINGS_SIDEBAR_SECTION,
  TIDINGS_SIDEBAR_SUBSCRIPTION,
} TidingsSidebarKind;

#define TIDINGS_TYPE_SIDEBAR_ITEM (tidings_sidebar_item_get_type ())
G_DECLARE_FINAL_TYPE (TidingsSidebarItem, tidings_sidebar_item, TIDINGS, SIDEBAR_ITEM, GObject)

/* Properties (read-only, notify on change): kind (int), id (gint64), title
 * (string), icon-name (string: a symbolic icon for smart sections and
 * sections), icon-url (string, feeds), url (string, feeds), unread-count
 * (guint), error (string: the feed's last error sentence, NULL when fine),
 * children (GListModel, sections only, else NULL), parent-id (gint64). */
TidingsSidebarKind tidings_sidebar_item_get_kind         (TidingsSidebarItem *self);
gint64             tidings_sidebar_item_get_id           (TidingsSidebarItem *self);
const char        *tidings_sidebar_item_get_title        (TidingsSidebarItem *self);
const char        *tidings_sidebar_item_get_icon_name    (TidingsSidebarItem *self);
const char        *tidings_sidebar_item_get_icon_url     (TidingsSidebarItem *self);
const char        *tidings_sidebar_item_get_url          (TidingsSidebarItem *self);
guint              tidings_sidebar_item_get_unread_count (TidingsSidebarItem *self);
const char        *tidings_sidebar_item_get_error        (TidingsSidebarItem *self);
GListModel        *tidings_sidebar_item_get_children     (TidingsSidebarItem *self);
gint64             tidings_sidebar_item_get_parent_id    (TidingsSidebarItem *self);
/* The articles this item shows. */
void               tidings_sidebar_item_get_query        (TidingsSidebarItem  *self,
                                                          TidingsArticleQuery *query);

#define TIDINGS_TYPE_SIDEBAR_MODEL (tidings_sidebar_model_get_type ())
G_DECLARE_FINAL_TYPE (TidingsSidebarModel, tidings_sidebar_model, TIDINGS, SIDEBAR_MODEL, GObject)

/* Property: loaded (gboolean, notify): the first load has finished. The four
 * smart items are there from the start. */
TidingsSidebarModel *tidings_sidebar_model_new        (TidingsLibrary      *library);
gboolean             tidings_sidebar_model_get_loaded (TidingsSidebarModel *self);
/* The item of a section or subscription (or smart kind, id 0), or NULL. */
TidingsSidebarItem  *tidings_sidebar_model_find       (TidingsSidebarModel *self,
                                                       TidingsSidebarKind   kind,
                                                       gint64               id);

/* Additions. */

/* For tests: a load is running or queued. */
gboolean             _tidings_sidebar_model_is_busy  (TidingsSidebarModel *self);

G_END_DECLS
