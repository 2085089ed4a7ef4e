/* tidings-web.h: the article view, loaded when the window is on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The article view (tidings-article-view.c) and WebKitGTK live in a module
 * of their own, libtidings-web.so. Loading WebKit and the libraries it
 * brings costs more than the rest of the user interface together, and the
 * window needs none of it for its first frame: it loads the module on a
 * worker thread once it is on screen, or at once when an article is opened
 * before that. Programs that link the article view in (the tests) use it
 * directly.
 */

#pragma once

#include <gtk/gtk.h>

#include "tidings-store.h"

G_BEGIN_DECLS

/* The article view's calls the window makes (see tidings-article-view.h). */
typedef struct
{
  GtkWidget *(*view_new)        (void);
  void       (*show)            (GtkWidget            *view,
                                 const TidingsArticle *article,
                                 const char           *feed_title);
  void       (*scroll_async)    (GtkWidget            *view,
                                 double                pages,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
  gboolean   (*scroll_finish)   (GtkWidget            *view,
                                 GAsyncResult         *result,
                                 GError              **error);
  void       (*open_in_browser) (GtkWidget            *view);
  void       (*set_highlight)   (GtkWidget            *view,
                                 const char           *search);
  void       (*set_zoom)        (GtkWidget            *view,
                                 double                zoom);
  void       (*set_load_images) (GtkWidget            *view,
                                 gboolean              load_images);
} TidingsWebFuncs;

/* The table, loading the module now if it is not yet; NULL with @error
 * when it cannot be loaded. Main thread. */
const TidingsWebFuncs *tidings_web_get         (GError             **error);
/* Loads the module on a worker thread. */
void                   tidings_web_load_async  (GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
const TidingsWebFuncs *tidings_web_load_finish (GAsyncResult        *result,
                                                GError             **error);

/* Defined by the module (tidings-web-module.c). */
const TidingsWebFuncs *tidings_web_module_get_funcs (void);

G_END_DECLS
