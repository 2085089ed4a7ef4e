/* tidings-web-module.c: the article view's table, for tidings-web.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-web"

#include "config.h"

#include "tidings-article-view.h"
#include "tidings-web.h"

static GtkWidget *
view_new (void)
{
  return tidings_article_view_new ();
}

static void
show (GtkWidget            *view,
      const TidingsArticle *article,
      const char           *feed_title)
{
  tidings_article_view_show (TIDINGS_ARTICLE_VIEW (view), article, feed_title);
}

static void
scroll_async (GtkWidget           *view,
              double               pages,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  tidings_article_view_scroll_async (TIDINGS_ARTICLE_VIEW (view), pages, cancellable, callback,
                                     user_data);
}

static gboolean
scroll_finish (GtkWidget     *view,
               GAsyncResult  *result,
               GError       **error)
{
  return tidings_article_view_scroll_finish (TIDINGS_ARTICLE_VIEW (view), result, error);
}

static void
open_in_browser (GtkWidget *view)
{
  tidings_article_view_open_in_browser (TIDINGS_ARTICLE_VIEW (view));
}

static void
set_highlight (GtkWidget  *view,
               const char *search)
{
  tidings_article_view_set_highlight (TIDINGS_ARTICLE_VIEW (view), search);
}

static void
set_zoom (GtkWidget *view,
          double     zoom)
{
  tidings_article_view_set_zoom (TIDINGS_ARTICLE_VIEW (view), zoom);
}

static void
set_load_images (GtkWidget *view,
                 gboolean   load_images)
{
  tidings_article_view_set_load_images (TIDINGS_ARTICLE_VIEW (view), load_images);
}

static const TidingsWebFuncs funcs = {
  view_new,
  show,
  scroll_async,
  scroll_finish,
  open_in_browser,
  set_highlight,
  set_zoom,
  set_load_images,
};

const TidingsWebFuncs *
tidings_web_module_get_funcs (void)
{
  return &funcs;
}
