/* tidings-article-list.h: a page-loading list of articles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel of TidingsArticleItem over one TidingsArticleQuery that never
 * holds the whole result: its length comes from a count, its rows from pages
 * (of TIDINGS_ARTICLE_LIST_PAGE rows) read on the library's reader thread
 * when a row of the page is first asked for. Until its page arrives, a row is
 * a placeholder item (loaded = FALSE) that fills in place, so a GtkListView
 * over 100,000 articles costs only the pages it shows.
 */

#pragma once

#include <gio/gio.h>

#include "tidings-library.h"

G_BEGIN_DECLS

#define TIDINGS_ARTICLE_LIST_PAGE 200

#define TIDINGS_TYPE_ARTICLE_ITEM (tidings_article_item_get_type ())
G_DECLARE_FINAL_TYPE (TidingsArticleItem, tidings_article_item, TIDINGS, ARTICLE_ITEM, GObject)

/* Properties (read-only, notify): loaded (gboolean), id (gint64),
 * subscription-id (gint64), title, feed-title, author, excerpt, url
 * (strings), date (gint64, µs since the epoch), read (gboolean), starred
 * (gboolean). */
gboolean     tidings_article_item_get_loaded          (TidingsArticleItem *self);
gint64       tidings_article_item_get_id              (TidingsArticleItem *self);
gint64       tidings_article_item_get_subscription_id (TidingsArticleItem *self);
const char  *tidings_article_item_get_title           (TidingsArticleItem *self);
const char  *tidings_article_item_get_feed_title      (TidingsArticleItem *self);
const char  *tidings_article_item_get_author          (TidingsArticleItem *self);
const char  *tidings_article_item_get_excerpt         (TidingsArticleItem *self);
const char  *tidings_article_item_get_url             (TidingsArticleItem *self);
gint64       tidings_article_item_get_date            (TidingsArticleItem *self);
gboolean     tidings_article_item_get_read            (TidingsArticleItem *self);
gboolean     tidings_article_item_get_starred         (TidingsArticleItem *self);

#define TIDINGS_TYPE_ARTICLE_LIST (tidings_article_list_get_type ())
G_DECLARE_FINAL_TYPE (TidingsArticleList, tidings_article_list, TIDINGS, ARTICLE_LIST, GObject)

/* Property: loaded (gboolean, notify): the count (and the first page) are in.
 * @query is copied (its search string too). The list follows the library:
 * new articles appear at their place, read/starred marks change on the items
 * already there (an article read while the list shows "unread only" stays
 * until the query is set again, as readers expect). */
TidingsArticleList *tidings_article_list_new        (TidingsLibrary            *library,
                                                     const TidingsArticleQuery *query);
const TidingsArticleQuery *tidings_article_list_get_query (TidingsArticleList *self);
/* Replaces the query (same object, new rows). */
void                tidings_article_list_set_query  (TidingsArticleList        *self,
                                                     const TidingsArticleQuery *query);
gboolean            tidings_article_list_get_loaded (TidingsArticleList        *self);
/* The position of @article_id among the rows loaded so far, or G_MAXUINT. */
guint               tidings_article_list_find       (TidingsArticleList        *self,
                                                     gint64                     article_id);

/* Additions. */

/* How the list moves (no API, for views):
 * - An item handed out with loaded = FALSE fills in place when its page
 *   arrives ("loaded" is notified last, after the other properties); a fill
 *   never emits items-changed.
 * - Read and starred marks (TIDINGS_LIBRARY_CHANGED_STATE) are notified on
 *   the items; rows never move for them.
 * - New articles: items-changed (0, 0, n) at the top when newest first,
 *   (old length, 0, n) at the end when oldest first. Anything else (an
 *   article dated between others, removals, an "unread only" list whose
 *   count fell because rows were read) replaces every row:
 *   items-changed (0, old length, new length). Select again by id with
 *   tidings_article_list_find().
 * - Every item has its feed's title (feed-title); nothing else to look up.
 */

/* For tests: how many items the list holds now (placeholders included). */
guint               _tidings_article_list_get_n_live_items (TidingsArticleList *self);
/* For tests: a count, a page or marks are being read. */
gboolean            _tidings_article_list_is_busy          (TidingsArticleList *self);

G_END_DECLS
