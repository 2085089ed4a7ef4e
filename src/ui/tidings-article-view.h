/* tidings-article-view.h: one article, rendered by WebKitGTK and locked down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A widget that shows a status page until the first article, then one
 * WebKitWebView, created on first use and reused for every article. The page
 * is built from Tidings' own HTML template and stylesheet around the
 * (already sanitised) content. The page's own scripts never run; navigation
 * away from the article is cancelled and http(s)/mailto links go to the
 * default browser; everything else is dropped.
 */

#pragma once

#include <gtk/gtk.h>

#include "tidings-store.h"

G_BEGIN_DECLS

#define TIDINGS_TYPE_ARTICLE_VIEW (tidings_article_view_get_type ())
G_DECLARE_FINAL_TYPE (TidingsArticleView, tidings_article_view, TIDINGS, ARTICLE_VIEW, GtkWidget)

/* Properties:
 *   zoom (double, 0.5–3.0, default 1.0): applied to the page.
 *   load-images (gboolean, default TRUE): when FALSE, remote images are
 *     blocked by a content filter and the page offers a "Load images" button.
 *   article-id (gint64, read-only): the article shown, 0 for none.
 *   font-size (int, 0–100 px, default 0): the size of the article text; 0
 *     keeps the stylesheet's own size. Applied to the page shown in place.
 * Signals:
 *   open-uri (const char *uri): a link the user followed, already vetted
 *     (http, https or mailto) — the view has launched it; for tests. */
GtkWidget *tidings_article_view_new          (void);

/* Shows @article (from the store) of the feed titled @feed_title. */
void       tidings_article_view_show         (TidingsArticleView *self,
                                              const TidingsArticle *article,
                                              const char           *feed_title);
/* Back to the empty status page. */
void       tidings_article_view_clear        (TidingsArticleView *self);

/* Scrolls by about a page (@pages = 1 or -1) or half a page (0.5, -0.5).
 * Completes with TRUE when the view was already at the end (forwards) or
 * start (backwards) and did not move: Space then goes to the next unread. */
void       tidings_article_view_scroll_async (TidingsArticleView  *self,
                                              double               pages,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean   tidings_article_view_scroll_finish (TidingsArticleView *self,
                                               GAsyncResult       *result,
                                               GError            **error);

/* Opens the article's own link in the default browser (only http/https). */
void       tidings_article_view_open_in_browser (TidingsArticleView *self);

/* Highlights the words of @search in the page (NULL clears). */
void       tidings_article_view_set_highlight (TidingsArticleView *self,
                                               const char         *search);

double     tidings_article_view_get_zoom     (TidingsArticleView *self);
void       tidings_article_view_set_zoom     (TidingsArticleView *self,
                                              double              zoom);
gboolean   tidings_article_view_get_load_images (TidingsArticleView *self);
void       tidings_article_view_set_load_images (TidingsArticleView *self,
                                                 gboolean            load_images);
gint64     tidings_article_view_get_article_id (TidingsArticleView *self);
int        tidings_article_view_get_font_size (TidingsArticleView *self);
void       tidings_article_view_set_font_size (TidingsArticleView *self,
                                               int                 font_size);

/* The WebKitWebView, once created (NULL before the first article); for
 * tests. Returned as GtkWidget so that this header needs no WebKit. */
GtkWidget *_tidings_article_view_get_web_view (TidingsArticleView *self);

/* Tests: followed links are still vetted and "open-uri" still emitted, but
 * nothing is handed to a browser or mail client. */
void       _tidings_article_view_set_launch_disabled (TidingsArticleView *self,
                                                      gboolean            disabled);

G_END_DECLS
