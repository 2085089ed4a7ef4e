/* tidings-article-row.h: one row of the article list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tidings-article-list.h"

G_BEGIN_DECLS

#define TIDINGS_TYPE_ARTICLE_LIST_ROW (tidings_article_list_row_get_type ())
G_DECLARE_FINAL_TYPE (TidingsArticleListRow, tidings_article_list_row, TIDINGS, ARTICLE_LIST_ROW, GtkWidget)

/* Property: item (TidingsArticleItem). The star button activates
 * win.set-starred with (article id, starred). */
GtkWidget          *tidings_article_list_row_new      (void);
TidingsArticleItem *tidings_article_list_row_get_item (TidingsArticleListRow  *self);
void                tidings_article_list_row_set_item (TidingsArticleListRow  *self,
                                                  TidingsArticleItem *item);

/* "Just now", "5 min ago", "3 h ago", "Yesterday", "Monday", "12 March",
 * "12 March 2023": @date and @now in µs since the epoch, local time. */
char               *_tidings_format_relative_time (gint64 date,
                                                   gint64 now);

G_END_DECLS
