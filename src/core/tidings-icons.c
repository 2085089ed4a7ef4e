/* tidings-icons.c: finding and fetching a feed's icon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One look goes through candidates in order until one gives an image: the
 * document's icon, the icons the home page links to (at most
 * MAX_PAGE_ICONS of them, best suited first), then /favicon.ico. A
 * candidate that fails (an error, a 404, a file over the cap, a body that is
 * no bitmap image) only moves the look on to the next. The candidate the
 * stored image came from is asked for conditionally, so that an unchanged
 * icon costs a 304.
 */

#define G_LOG_DOMAIN "tidings-icons"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tidings-discover.h"
#include "tidings-icons.h"
#include "tidings-uri.h"

/* A page that links to more icons than this is asked for these only. */
#define MAX_PAGE_ICONS 2

#define ICON_ACCEPT "image/png, image/x-icon, image/vnd.microsoft.icon, image/gif, " \
                    "image/jpeg, image/webp, image/*;q=0.5"
#define PAGE_ACCEPT "text/html, application/xhtml+xml;q=0.9"

const char *
tidings_icon_sniff (const void *data,
                    gsize       len)
{
  const guchar *p = data;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len >= 8 && memcmp (p, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  /* ICONDIR: reserved 0, type 1 (icon), at least one image. */
  if (len >= 6 && p[0] == 0 && p[1] == 0 && p[2] == 1 && p[3] == 0 && (p[4] | p[5]) != 0)
    return "image/vnd.microsoft.icon";
  if (len >= 6 && (memcmp (p, "GIF87a", 6) == 0 || memcmp (p, "GIF89a", 6) == 0))
    return "image/gif";
  if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
    return "image/jpeg";
  if (len >= 12 && memcmp (p, "RIFF", 4) == 0 && memcmp (p + 8, "WEBP", 4) == 0)
    return "image/webp";
  return NULL;
}

gboolean
tidings_icons_allowed (void)
{
  return g_strcmp0 (g_getenv ("TIDINGS_FEED_ICONS"), "0") != 0;
}

gboolean
tidings_icon_is_due (const TidingsIcon *stored,
                     gint64             now)
{
  gint64 age;

  if (stored == NULL)
    return TRUE;
  age = now - stored->fetched_at;
  /* A clock set back makes every age negative: look again. */
  if (age < 0)
    return TRUE;
  return age >= (stored->url != NULL ? TIDINGS_ICON_MAX_AGE : TIDINGS_ICON_RETRY);
}

/* ---- One look ---- */

typedef struct
{
  TidingsFetcher *fetcher;
  gint64          subscription_id;
  char           *site_url;
  char           *favicon_url;   /* tried last */
  char           *stored_url;    /* the stored image's address and validators */
  char           *stored_etag;
  char           *stored_last_modified;
  char           *current;       /* the candidate being fetched */

  GQueue          candidates;    /* char *, to try in order */
  GHashTable     *tried;         /* char * */
  GHashTable     *unreachable;   /* char *, hosts that could not be reached */
  gboolean        page_read;
  GError         *last_error;
} Look;

static void
look_free (Look *look)
{
  g_object_unref (look->fetcher);
  g_free (look->site_url);
  g_free (look->favicon_url);
  g_free (look->stored_url);
  g_free (look->stored_etag);
  g_free (look->stored_last_modified);
  g_free (look->current);
  g_queue_clear_full (&look->candidates, g_free);
  g_hash_table_unref (look->tried);
  g_hash_table_unref (look->unreachable);
  g_clear_error (&look->last_error);
  g_free (look);
}

static void next_candidate (GTask *task);

static void
set_last_error (Look   *look,
                GError *error)
{
  g_clear_error (&look->last_error);
  look->last_error = error;
}

static gboolean
is_cancelled (GTask        *task,
              const GError *error)
{
  return g_error_matches (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         || g_cancellable_is_cancelled (g_task_get_cancellable (task));
}

/* A host whose name did not resolve, that refused or did not answer the
 * connection, or whose certificate failed is not asked again in this look:
 * its /favicon.ico would fail the same way, after the same wait. */
static void
note_unreachable (Look         *look,
                  const char   *url,
                  const GError *error)
{
  char *host;

  if (error->domain != TIDINGS_FETCH_ERROR
      || (error->code != TIDINGS_FETCH_ERROR_RESOLVE
          && error->code != TIDINGS_FETCH_ERROR_CONNECT
          && error->code != TIDINGS_FETCH_ERROR_CONNECT_TIMEOUT
          && error->code != TIDINGS_FETCH_ERROR_TLS))
    return;
  host = tidings_fetcher_host_of (url);
  if (host != NULL)
    g_hash_table_add (look->unreachable, host);
}

static gboolean
is_unreachable (Look       *look,
                const char *url)
{
  g_autofree char *host = tidings_fetcher_host_of (url);

  return host != NULL && g_hash_table_contains (look->unreachable, host);
}

static void
add_candidate (Look       *look,
               const char *url)
{
  if (url == NULL || g_hash_table_contains (look->tried, url))
    return;
  g_hash_table_add (look->tried, g_strdup (url));
  g_queue_push_tail (&look->candidates, g_strdup (url));
}

static void
icon_fetched (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Look *look = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFetchResult) result = NULL;
  TidingsIcon *icon;
  const char *type;
  const void *data = NULL;
  gsize len = 0;

  result = tidings_fetcher_fetch_finish (TIDINGS_FETCHER (source), res, &error);
  if (result == NULL)
    {
      if (is_cancelled (task, error))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The refresh was cancelled"));
          return;
        }
      g_debug ("No icon at %s: %s", look->current, error->message);
      note_unreachable (look, look->current, error);
      set_last_error (look, g_steal_pointer (&error));
      next_candidate (g_steal_pointer (&task));
      return;
    }

  icon = g_new0 (TidingsIcon, 1);
  icon->subscription_id = look->subscription_id;
  icon->fetched_at = g_get_real_time ();
  icon->etag = g_strdup (result->etag);
  icon->last_modified = g_strdup (result->last_modified);
  if (result->not_modified)
    {
      g_task_return_pointer (task, icon, (GDestroyNotify) tidings_icon_free);
      return;
    }

  if (result->body != NULL)
    data = g_bytes_get_data (result->body, &len);
  type = tidings_icon_sniff (data, len);
  /* The bytes decide; a server that calls them a page or a drawing (an
   * SVG with a PNG signature is no SVG we would draw) is not believed
   * either way, but an HTML error page served with 200 is caught here. */
  if (type == NULL || (result->content_type != NULL
                       && (g_str_has_prefix (result->content_type, "text/")
                           || strstr (result->content_type, "svg") != NULL)))
    {
      g_debug ("No icon at %s: not a bitmap image (%s)", result->final_url,
               result->content_type != NULL ? result->content_type : "no type");
      set_last_error (look, g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_HTTP,
                                         /* Translators: %s is a web address. */
                                         _("%s is not an image"), result->final_url));
      tidings_icon_free (icon);
      next_candidate (g_steal_pointer (&task));
      return;
    }

  icon->url = g_strdup (result->url);
  icon->content_type = g_strdup (type);
  icon->data = g_bytes_ref (result->body);
  g_task_return_pointer (task, icon, (GDestroyNotify) tidings_icon_free);
}

static void
fetch_icon (GTask      *task,
            const char *url)
{
  Look *look = g_task_get_task_data (task);
  TidingsFetchRequest request = { 0 };

  request.url = url;
  request.max_body = TIDINGS_ICON_MAX_BYTES;
  request.accept = ICON_ACCEPT;
  /* Only the address the stored image came from can answer 304 for it. */
  if (look->stored_url != NULL && g_str_equal (url, look->stored_url))
    {
      request.etag = look->stored_etag;
      request.last_modified = look->stored_last_modified;
    }
  g_free (look->current);
  look->current = g_strdup (url);
  tidings_fetcher_fetch_async (look->fetcher, &request, g_task_get_cancellable (task),
                               icon_fetched, task);
}

/* On a worker thread: the page's icons. */
static void
scan_page_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TidingsFetchResult *result = task_data;
  const char *data;
  gsize len;

  data = g_bytes_get_data (result->body, &len);
  if (!tidings_discover_looks_like_html (data, len, result->content_type))
    {
      g_task_return_pointer (task, g_ptr_array_new (), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  g_task_return_pointer (task, tidings_discover_scan_icons (data, len, result->final_url),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
page_scanned (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Look *look = g_task_get_task_data (task);
  g_autoptr(GPtrArray) urls = g_task_propagate_pointer (G_TASK (res), NULL);

  for (guint i = 0; urls != NULL && i < MIN (urls->len, MAX_PAGE_ICONS); i++)
    add_candidate (look, urls->pdata[i]);
  next_candidate (g_steal_pointer (&task));
}

static void
page_fetched (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  TidingsFetchResult *result;
  GTask *scan;

  result = tidings_fetcher_fetch_finish (TIDINGS_FETCHER (source), res, &error);
  if (result == NULL || result->body == NULL)
    {
      if (error != NULL && is_cancelled (task, error))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The refresh was cancelled"));
          g_object_unref (task);
          return;
        }
      if (error != NULL)
        {
          Look *look = g_task_get_task_data (task);

          g_debug ("Could not read %s for its icon: %s", look->site_url, error->message);
          note_unreachable (look, look->site_url, error);
          set_last_error (look, g_steal_pointer (&error));
        }
      g_clear_pointer (&result, tidings_fetch_result_free);
      next_candidate (task);
      return;
    }

  scan = g_task_new (NULL, g_task_get_cancellable (task), page_scanned, task);
  g_task_set_source_tag (scan, page_fetched);
  g_task_set_task_data (scan, result, (GDestroyNotify) tidings_fetch_result_free);
  g_task_run_in_thread (scan, scan_page_in_thread);
  g_object_unref (scan);
}

/* Takes over the caller's reference to @task. */
static void
next_candidate (GTask *task)
{
  Look *look = g_task_get_task_data (task);
  g_autofree char *url = g_queue_pop_head (&look->candidates);

  while (url != NULL && is_unreachable (look, url))
    {
      g_debug ("Not asking %s: its server could not be reached", url);
      g_free (url);
      url = g_queue_pop_head (&look->candidates);
    }
  if (url != NULL)
    {
      fetch_icon (task, url);
      return;
    }

  if (!look->page_read && look->site_url != NULL)
    {
      TidingsFetchRequest request = { 0 };

      look->page_read = TRUE;
      request.url = look->site_url;
      request.max_body = TIDINGS_ICON_MAX_PAGE_BYTES;
      request.accept = PAGE_ACCEPT;
      tidings_fetcher_fetch_async (look->fetcher, &request, g_task_get_cancellable (task),
                                   page_fetched, task);
      return;
    }

  if (look->favicon_url != NULL)
    {
      add_candidate (look, look->favicon_url);
      g_clear_pointer (&look->favicon_url, g_free);
      next_candidate (task);
      return;
    }

  if (look->last_error != NULL)
    g_task_return_error (task, g_steal_pointer (&look->last_error));
  else
    g_task_return_new_error (task, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_INVALID_URL,
                             _("The feed has no web address to look for an icon at"));
  g_object_unref (task);
}

static char *
http_url_or_null (const char *url)
{
  g_autofree char *host = url != NULL ? tidings_fetcher_host_of (url) : NULL;

  return host != NULL ? g_strdup (url) : NULL;
}

void
tidings_icon_fetch_async (TidingsFetcher            *fetcher,
                          const TidingsIconRequest  *request,
                          GCancellable              *cancellable,
                          GAsyncReadyCallback        callback,
                          gpointer                   user_data)
{
  GTask *task;
  Look *look;

  g_return_if_fail (TIDINGS_IS_FETCHER (fetcher));
  g_return_if_fail (request != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_icon_fetch_async);
  look = g_new0 (Look, 1);
  look->fetcher = g_object_ref (fetcher);
  look->subscription_id = request->subscription_id;
  look->tried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  look->unreachable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&look->candidates);
  look->site_url = http_url_or_null (request->site_url);
  look->favicon_url = tidings_uri_resolve (look->site_url != NULL ? look->site_url
                                                                  : request->feed_url,
                                           "/favicon.ico");
  if (request->stored != NULL && request->stored->url != NULL)
    {
      look->stored_url = g_strdup (request->stored->url);
      look->stored_etag = g_strdup (request->stored->etag);
      look->stored_last_modified = g_strdup (request->stored->last_modified);
    }
  g_task_set_task_data (task, look, (GDestroyNotify) look_free);

  add_candidate (look, request->icon_url);
  next_candidate (task);
}

TidingsIcon *
tidings_icon_fetch_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, tidings_icon_fetch_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
