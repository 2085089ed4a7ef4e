/* test-icons.c: feeds' icons, looked for by the refresh over loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real SQLite file, the real fetcher and refresh, and a loopback server
 * serving feeds whose icons are fine, missing, too big, or not images at
 * all: the right bytes end in the store, the wrong ones never do, and no
 * feed's own result depends on its icon.
 */

#include <string.h>

#include <glib/gstdio.h>

#include "tidings-discover.h"
#include "tidings-icons.h"
#include "tidings-refresh.h"
#include "tidings-test-resolver.h"
#include "tidings-test-server.h"

#define DAY (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

/* Only the first bytes matter to the core: the window decodes. */
static const char png_a[] = "\x89PNG\r\n\x1a\n" "icon A";
static const char png_a2[] = "\x89PNG\r\n\x1a\n" "icon A, redrawn";
static const char ico[] = "\0\0\1\0\1\0" "favicon";
static const char png_c[] = "\x89PNG\r\n\x1a\n" "icon C";

typedef struct
{
  TidingsTestServer  *server;
  char               *dir;
  char               *db_path;
  TidingsStoreWorker *worker;
  TidingsFetcher     *fetcher;
  GHashTable         *outcomes;       /* subscription id -> TidingsRefreshStatus */
  guint               icons_changed;  /* "icons-changed" emissions */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  TidingsFetcherOptions options;
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->server = tidings_test_server_new ();
  fixture->dir = g_dir_make_tmp ("tidings-icons-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db_path = g_build_filename (fixture->dir, "tidings.db", NULL);
  fixture->worker = tidings_store_worker_new (fixture->db_path, &error);
  g_assert_no_error (error);
  tidings_fetcher_options_init (&options);
  options.timeout = options.connect_timeout = 10;
  fixture->fetcher = tidings_fetcher_new (&options);
  fixture->outcomes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GDir *dir;
  const char *name;

  (void) data;
  g_hash_table_unref (fixture->outcomes);
  g_assert_finalize_object (fixture->fetcher);
  g_assert_finalize_object (fixture->worker);
  tidings_test_server_free (fixture->server);
  /* The database and whatever SQLite kept beside it. */
  dir = g_dir_open (fixture->dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_dir_close (dir);
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->db_path);
  g_free (fixture->dir);
}

static TidingsStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  TidingsStore *store = tidings_store_open (fixture->db_path, &error);

  g_assert_no_error (error);
  return store;
}

static char *
url (Fixture    *fixture,
     const char *path)
{
  return tidings_test_server_url (fixture->server, path);
}

static gint64
subscribe (Fixture    *fixture,
           const char *path)
{
  g_autoptr(TidingsStore) store = open_store (fixture);
  g_autofree char *address = url (fixture, path);
  g_autoptr(GError) error = NULL;
  gint64 id = tidings_store_add_subscription (store, address, NULL, 0, &error);

  g_assert_no_error (error);
  return id;
}

static void
serve (Fixture    *fixture,
       const char *path,
       const char *type,
       const char *body,
       gssize      len)
{
  tidings_test_server_set_body (fixture->server, path, type, body, len);
}

/* An RSS feed whose site is @site (a path on the server, or NULL) and
 * whose <image> is @image (likewise). */
static void
serve_rss (Fixture    *fixture,
           const char *path,
           const char *site,
           const char *image)
{
  g_autofree char *site_url = site != NULL ? url (fixture, site) : NULL;
  g_autofree char *image_url = image != NULL ? url (fixture, image) : NULL;
  g_autofree char *link = site_url != NULL ? g_strdup_printf ("<link>%s</link>", site_url)
                                           : g_strdup ("");
  g_autofree char *image_element = image_url != NULL
    ? g_strdup_printf ("<image><url>%s</url><title>t</title><link>%s</link></image>",
                       image_url, site_url != NULL ? site_url : image_url)
    : g_strdup ("");
  g_autofree char *body = g_strdup_printf (
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>%s%s"
    "<item><guid>%s-1</guid><title>One</title><description>Text</description></item>"
    "</channel></rss>", path, link, image_element, path);

  serve (fixture, path, "application/rss+xml", body, -1);
}

static void
on_feed_done (TidingsRefresh        *refresh,
              TidingsRefreshOutcome *outcome,
              Fixture               *fixture)
{
  (void) refresh;
  g_hash_table_insert (fixture->outcomes, g_memdup2 (&outcome->subscription_id, sizeof (gint64)),
                       GINT_TO_POINTER (outcome->status));
}

static void
on_icons_changed (TidingsRefresh *refresh,
                  Fixture        *fixture)
{
  (void) refresh;
  fixture->icons_changed++;
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (tidings_refresh_run_finish (TIDINGS_REFRESH (source), result, NULL, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
run_cancelled (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_false (tidings_refresh_run_finish (TIDINGS_REFRESH (source), result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
settled (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (tidings_refresh_settle_icons_finish (TIDINGS_REFRESH (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* Until every icon look of @refresh is stored, or cancelled @grace_ms on. */
static void
settle (TidingsRefresh *refresh,
        guint           grace_ms)
{
  gboolean done = FALSE;

  tidings_refresh_settle_icons_async (refresh, grace_ms, settled, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs a refresh of every subscription, then waits for its icon looks. */
static void
run_refresh (Fixture  *fixture,
             gboolean  fetch_icons)
{
  g_autoptr(TidingsRefresh) refresh = tidings_refresh_new (fixture->worker, fixture->fetcher);
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  {
    g_autoptr(TidingsStore) store = open_store (fixture);

    subscriptions = tidings_store_list_subscriptions (store, &error);
    g_assert_no_error (error);
  }
  tidings_refresh_set_fetch_icons (refresh, fetch_icons);
  g_hash_table_remove_all (fixture->outcomes);
  g_signal_connect (refresh, "feed-done", G_CALLBACK (on_feed_done), fixture);
  g_signal_connect (refresh, "icons-changed", G_CALLBACK (on_icons_changed), fixture);
  tidings_refresh_run_async (refresh, subscriptions, NULL, run_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  settle (refresh, G_MAXUINT);
}

static TidingsRefreshStatus
status_of (Fixture *fixture,
           gint64   id)
{
  gpointer status;

  g_assert_true (g_hash_table_lookup_extended (fixture->outcomes, &id, NULL, &status));
  return GPOINTER_TO_INT (status);
}

static TidingsIcon *
stored_icon (Fixture *fixture,
             gint64   id)
{
  g_autoptr(TidingsStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  TidingsIcon *icon = tidings_store_get_icon (store, id, &error);

  g_assert_no_error (error);
  return icon;
}

static void
assert_icon (Fixture    *fixture,
             gint64      id,
             const char *path,
             const char *bytes,
             gsize       len)
{
  g_autoptr(TidingsIcon) icon = stored_icon (fixture, id);
  g_autofree char *expected_url = url (fixture, path);

  g_assert_nonnull (icon);
  g_assert_cmpstr (icon->url, ==, expected_url);
  g_assert_cmpmem (g_bytes_get_data (icon->data, NULL), g_bytes_get_size (icon->data),
                   bytes, len);
  g_assert_nonnull (icon->content_type);
}

/* Makes every stored look @days older. */
static void
age_icons (Fixture *fixture,
           int      days)
{
  g_autoptr(TidingsStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) icons = tidings_store_list_icons (store, &error);
  GHashTableIter iter;
  gpointer value;

  g_assert_no_error (error);
  g_hash_table_iter_init (&iter, icons);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TidingsIcon *icon = value;

      icon->fetched_at -= days * DAY;
      g_clear_pointer (&icon->etag, g_free);   /* keep the stored validators */
      g_assert_true (tidings_store_set_icon (store, icon, &error));
      g_assert_no_error (error);
    }
}

static void
test_sniff (void)
{
  g_assert_cmpstr (tidings_icon_sniff (png_a, sizeof png_a - 1), ==, "image/png");
  g_assert_cmpstr (tidings_icon_sniff (ico, sizeof ico - 1), ==, "image/vnd.microsoft.icon");
  g_assert_cmpstr (tidings_icon_sniff ("GIF89a\1\0\1\0", 10), ==, "image/gif");
  g_assert_cmpstr (tidings_icon_sniff ("\xff\xd8\xff\xe0", 4), ==, "image/jpeg");
  g_assert_cmpstr (tidings_icon_sniff ("RIFF\0\0\0\0WEBPVP8 ", 16), ==, "image/webp");
  /* Not bitmaps, or not images at all. */
  g_assert_null (tidings_icon_sniff ("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 40));
  g_assert_null (tidings_icon_sniff ("<?xml version=\"1.0\"?><svg/>", 27));
  g_assert_null (tidings_icon_sniff ("<!DOCTYPE html><title>404</title>", 33));
  g_assert_null (tidings_icon_sniff ("", 0));
  g_assert_null (tidings_icon_sniff ("\x89PNG", 4));
  /* A cursor file, and an icon directory with no image. */
  g_assert_null (tidings_icon_sniff ("\0\0\2\0\1\0", 6));
  g_assert_null (tidings_icon_sniff ("\0\0\1\0\0\0", 6));
}

static void
test_due (void)
{
  gint64 now = 100 * DAY;
  TidingsIcon icon = { 1, .url = (char *) "https://example.org/favicon.ico" };

  g_assert_true (tidings_icon_is_due (NULL, now));
  icon.fetched_at = now - DAY;
  g_assert_false (tidings_icon_is_due (&icon, now));
  icon.fetched_at = now - 8 * DAY;
  g_assert_true (tidings_icon_is_due (&icon, now));
  /* A look that found nothing is made again after a day. */
  icon.url = NULL;
  icon.fetched_at = now - DAY / 2;
  g_assert_false (tidings_icon_is_due (&icon, now));
  icon.fetched_at = now - 2 * DAY;
  g_assert_true (tidings_icon_is_due (&icon, now));
  /* A clock set back. */
  icon.fetched_at = now + DAY;
  g_assert_true (tidings_icon_is_due (&icon, now));
}

static void
test_scan_html (void)
{
  const char *page =
    "<!DOCTYPE html><html><head><base href=\"https://example.org/sub/\">"
    "<link rel=\"apple-touch-icon\" href=\"/touch.png\">"
    "<link rel=\"icon\" type=\"image/svg+xml\" href=\"/icon.svg\">"
    "<link rel=\"icon\" href=\"/drawn.SVG?v=2\">"
    "<link rel=\"icon\" href=\"data:image/png;base64,AAAA\">"
    "<link rel=\"mask-icon\" href=\"/mask.png\">"
    "<link rel=\"icon\" sizes=\"192x192\" href=\"/big.png\">"
    "<link rel=\"shortcut icon\" href=\"favicon.ico\">"
    "<link rel=\"icon\" sizes=\"32x32\" href=\"/32.png\">"
    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed\">"
    "<link rel=\"icon\" sizes=\"32x32\" href=\"/32.png\">"
    "</head><body></body></html>";
  g_autoptr(GPtrArray) icons = tidings_discover_scan_icons (page, strlen (page),
                                                            "https://example.org/");

  g_assert_cmpuint (icons->len, ==, 4);
  g_assert_cmpstr (icons->pdata[0], ==, "https://example.org/32.png");
  g_assert_cmpstr (icons->pdata[1], ==, "https://example.org/sub/favicon.ico");
  g_assert_cmpstr (icons->pdata[2], ==, "https://example.org/big.png");
  g_assert_cmpstr (icons->pdata[3], ==, "https://example.org/touch.png");

  g_clear_pointer (&icons, g_ptr_array_unref);
  icons = tidings_discover_scan_icons ("<p>no head", 10, "https://example.org/");
  g_assert_cmpuint (icons->len, ==, 0);
}

/* The end-to-end case of the brief: a named icon, a favicon, an oversized
 * icon and one that is not an image, a 404; then a second refresh. */
static void
test_refresh (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *big = g_malloc0 (TIDINGS_ICON_MAX_BYTES + 1);
  g_autofree char *if_none_match = NULL;
  g_autoptr(TidingsIcon) icon = NULL;
  gint64 a, b, c, d, failing;
  guint favicon_hits;

  (void) data;
  memcpy (big, png_c, sizeof png_c - 1);

  /* a: the feed names its icon. */
  serve_rss (fixture, "/a.xml", NULL, "/a-icon.png");
  serve (fixture, "/a-icon.png", "image/png", png_a, sizeof png_a - 1);
  /* b: no icon in the feed; its site's page names none either. */
  serve_rss (fixture, "/b.xml", "/b/", NULL);
  serve (fixture, "/b/", "text/html", "<!DOCTYPE html><title>B</title><p>Hi", -1);
  serve (fixture, "/favicon.ico", "image/x-icon", ico, sizeof ico - 1);
  /* c: the feed's icon is too big; the page links to a "PNG" that is a
   * page, then to the real one. */
  serve_rss (fixture, "/c.xml", "/c/", "/c-big.png");
  serve (fixture, "/c-big.png", "image/png", big, TIDINGS_ICON_MAX_BYTES + 1);
  serve (fixture, "/c/", "text/html",
         "<!DOCTYPE html><html><head>"
         "<link rel=\"icon\" sizes=\"32x32\" href=\"/c-wrong.png\">"
         "<link rel=\"icon\" sizes=\"64x64\" href=\"/c-icon.png\">"
         "</head></html>", -1);
  serve (fixture, "/c-wrong.png", "image/png", "<!DOCTYPE html><p>Not here</p>", -1);
  serve (fixture, "/c-icon.png", "image/png", png_c, sizeof png_c - 1);
  /* d: the feed's icon is a 404: the favicon stands in. */
  serve_rss (fixture, "/d.xml", NULL, "/d-missing.png");
  tidings_test_server_set_fault (fixture->server, "/d-missing.png", TIDINGS_TEST_FAULT_STATUS,
                                 404, NULL);
  /* A feed that fails is not looked at. */
  tidings_test_server_set_fault (fixture->server, "/failing.xml", TIDINGS_TEST_FAULT_STATUS,
                                 500, NULL);

  a = subscribe (fixture, "/a.xml");
  b = subscribe (fixture, "/b.xml");
  c = subscribe (fixture, "/c.xml");
  d = subscribe (fixture, "/d.xml");
  failing = subscribe (fixture, "/failing.xml");

  run_refresh (fixture, TRUE);

  /* The feeds' own results do not depend on their icons. */
  g_assert_cmpint (status_of (fixture, a), ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpint (status_of (fixture, b), ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpint (status_of (fixture, c), ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpint (status_of (fixture, d), ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpint (status_of (fixture, failing), ==, TIDINGS_REFRESH_FAILED);
  {
    g_autoptr(TidingsStore) store = open_store (fixture);
    g_autoptr(GPtrArray) all = tidings_store_list_subscriptions (store, NULL);

    for (guint i = 0; i < all->len; i++)
      {
        TidingsSubscription *subscription = all->pdata[i];

        if (subscription->id != failing)
          g_assert_null (subscription->last_error);
      }
  }

  assert_icon (fixture, a, "/a-icon.png", png_a, sizeof png_a - 1);
  assert_icon (fixture, b, "/favicon.ico", ico, sizeof ico - 1);
  assert_icon (fixture, c, "/c-icon.png", png_c, sizeof png_c - 1);
  assert_icon (fixture, d, "/favicon.ico", ico, sizeof ico - 1);
  g_assert_null (stored_icon (fixture, failing));
  g_assert_cmpuint (fixture->icons_changed, >=, 1);

  /* The candidates were asked for, in order, and the wrong ones refused. */
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/c-big.png"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/c-wrong.png"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/d-missing.png"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/b/"), ==, 1);
  {
    g_autofree char *accept = tidings_test_server_get_request_header (fixture->server,
                                                                      "/a-icon.png", "Accept");

    g_assert_nonnull (strstr (accept, "image/png"));
  }
  favicon_hits = tidings_test_server_get_hits (fixture->server, "/favicon.ico");
  g_assert_cmpuint (favicon_hits, >=, 2);

  /* At once again: no icon is due, none is asked for. */
  fixture->icons_changed = 0;
  run_refresh (fixture, TRUE);
  g_assert_cmpint (status_of (fixture, a), ==, TIDINGS_REFRESH_UNCHANGED);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/a-icon.png"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/favicon.ico"), ==,
                    favicon_hits);
  g_assert_cmpuint (fixture->icons_changed, ==, 0);

  /* A week on: conditional requests, answered 304, and nothing changes. */
  age_icons (fixture, 8);
  run_refresh (fixture, TRUE);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/a-icon.png"), ==, 2);
  g_assert_cmpuint (tidings_test_server_get_304s (fixture->server, "/a-icon.png"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_304s (fixture->server, "/favicon.ico"), >=, 2);
  if_none_match = tidings_test_server_get_request_header (fixture->server, "/a-icon.png",
                                                          "If-None-Match");
  g_assert_nonnull (if_none_match);
  g_assert_cmpuint (fixture->icons_changed, ==, 0);
  icon = stored_icon (fixture, a);
  g_assert_cmpint (g_get_real_time () - icon->fetched_at, <, DAY);
  g_assert_cmpint (icon->changed_at, <, icon->fetched_at);
  assert_icon (fixture, a, "/a-icon.png", png_a, sizeof png_a - 1);
  g_clear_pointer (&icon, tidings_icon_free);

  /* A new icon: the new bytes replace the old. */
  serve (fixture, "/a-icon.png", "image/png", png_a2, sizeof png_a2 - 1);
  age_icons (fixture, 8);
  run_refresh (fixture, TRUE);
  assert_icon (fixture, a, "/a-icon.png", png_a2, sizeof png_a2 - 1);
  icon = stored_icon (fixture, a);
  g_assert_cmpint (icon->changed_at, ==, icon->fetched_at);
  g_assert_cmpuint (fixture->icons_changed, >=, 1);

  /* Off (the default): nothing is looked for. */
  age_icons (fixture, 8);
  run_refresh (fixture, FALSE);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/a-icon.png"), ==, 3);
}

/* No candidate gives an image: nothing is stored but the time of the
 * look, which is not made again at the next refresh. */
static void
test_refresh_none (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GHashTable) icons = NULL;
  TidingsIcon *row;
  gint64 feed;

  (void) data;
  serve_rss (fixture, "/feed.xml", "/site/", "/gone.png");
  tidings_test_server_set_fault (fixture->server, "/gone.png", TIDINGS_TEST_FAULT_STATUS, 404,
                                 NULL);
  serve (fixture, "/site/", "text/html",
         "<html><head><link rel=icon href=/drawing.svg></head></html>", -1);
  serve (fixture, "/drawing.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
         -1);
  feed = subscribe (fixture, "/feed.xml");

  run_refresh (fixture, TRUE);
  g_assert_cmpint (status_of (fixture, feed), ==, TIDINGS_REFRESH_NEW);
  g_assert_null (stored_icon (fixture, feed));
  g_assert_cmpuint (fixture->icons_changed, ==, 0);
  /* SVG is never asked for; the favicon was, and is missing. */
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/drawing.svg"), ==, 0);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/favicon.ico"), ==, 1);

  store = open_store (fixture);
  icons = tidings_store_list_icons (store, NULL);
  row = g_hash_table_lookup (icons, &feed);
  g_assert_nonnull (row);
  g_assert_null (row->url);
  g_assert_cmpint (row->fetched_at, >, 0);

  run_refresh (fixture, TRUE);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/gone.png"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/favicon.ico"), ==, 1);
}

static GPtrArray *
all_subscriptions (Fixture *fixture)
{
  g_autoptr(TidingsStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  GPtrArray *subscriptions = tidings_store_list_subscriptions (store, &error);

  g_assert_no_error (error);
  return subscriptions;
}

static gboolean
has_icon_row (Fixture *fixture,
              gint64   id)
{
  g_autoptr(TidingsStore) store = open_store (fixture);
  g_autoptr(GHashTable) icons = tidings_store_list_icons (store, NULL);

  return g_hash_table_contains (icons, &id);
}

/* Iterates the default context, without blocking on it, until @path has
 * been asked for @hits times. */
static void
wait_for_hits (Fixture    *fixture,
               const char *path,
               guint       hits)
{
  while (tidings_test_server_get_hits (fixture->server, path) < hits)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Subscribes to /feed.xml, whose icon /hang.png never answers. */
static gint64
subscribe_hanging_icon (Fixture *fixture)
{
  serve_rss (fixture, "/feed.xml", NULL, "/hang.png");
  tidings_test_server_set_fault (fixture->server, "/hang.png", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  return subscribe (fixture, "/feed.xml");
}

/* An icon whose server never answers holds up neither the run, which
 * completes with its feed stored, nor a caller who settles the icons with
 * a grace: the look is cancelled then and not remembered, so the next run
 * makes it again. */
static void
test_refresh_background (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TidingsRefresh) refresh = tidings_refresh_new (fixture->worker, fixture->fetcher);
  g_autoptr(GPtrArray) subscriptions = NULL;
  gboolean done = FALSE;
  gint64 feed;

  (void) data;
  feed = subscribe_hanging_icon (fixture);
  subscriptions = all_subscriptions (fixture);

  tidings_refresh_set_fetch_icons (refresh, TRUE);
  g_signal_connect (refresh, "feed-done", G_CALLBACK (on_feed_done), fixture);
  tidings_refresh_run_async (refresh, subscriptions, NULL, run_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (status_of (fixture, feed), ==, TIDINGS_REFRESH_NEW);

  /* The look goes on after the run: the server sees it, and it hangs
   * there (the fetcher's own time-out is 10 s). */
  wait_for_hits (fixture, "/hang.png", 1);
  settle (refresh, 100);
  g_assert_false (has_icon_row (fixture, feed));

  /* Settling with nothing under way completes at once. */
  settle (refresh, G_MAXUINT);

  /* The server mends: the next run looks again, through the same fetcher. */
  tidings_test_server_set_fault (fixture->server, "/hang.png", TIDINGS_TEST_FAULT_NONE, 0, NULL);
  serve (fixture, "/hang.png", "image/png", png_a, sizeof png_a - 1);
  run_refresh (fixture, TRUE);
  assert_icon (fixture, feed, "/hang.png", png_a, sizeof png_a - 1);
}

/* Cancelling a run cancels the icon looks it queued: one whose server
 * never answers comes back at once, and is not remembered. */
static void
test_refresh_cancel (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(TidingsRefresh) refresh = tidings_refresh_new (fixture->worker, fixture->fetcher);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) subscriptions = NULL;
  gboolean done = FALSE;
  gint64 feed;

  (void) data;
  feed = subscribe_hanging_icon (fixture);
  /* A second feed keeps the run going while the icon hangs. */
  serve_rss (fixture, "/slow.xml", NULL, NULL);
  tidings_test_server_set_fault (fixture->server, "/slow.xml", TIDINGS_TEST_FAULT_SLOW_BODY,
                                 5000, NULL);
  subscribe (fixture, "/slow.xml");
  subscriptions = all_subscriptions (fixture);

  tidings_refresh_set_fetch_icons (refresh, TRUE);
  tidings_refresh_run_async (refresh, subscriptions, cancellable, run_cancelled, &done);
  wait_for_hits (fixture, "/hang.png", 1);
  g_assert_false (done);
  g_cancellable_cancel (cancellable);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  /* No grace: it completes only because the look was cancelled (a look
   * that timed out would be remembered as finding nothing). */
  settle (refresh, G_MAXUINT);
  g_assert_null (stored_icon (fixture, feed));
  g_assert_false (has_icon_row (fixture, feed));
}

#define DEAD_HOST "dead-site.invalid"

static void
fetched (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = user_data;

  g_assert_null (tidings_fetcher_fetch_finish (TIDINGS_FETCHER (source), result, error));
}

/* A site whose name does not resolve is asked for its page and not again
 * for its /favicon.ico, which would fail the same way; the feed is fine
 * and the look that found nothing is remembered. */
static void
test_refresh_dead_host (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GResolver) real = g_resolver_get_default ();
  g_autoptr(TidingsTestResolver) resolver = g_object_new (TIDINGS_TYPE_TEST_RESOLVER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GHashTable) icons = NULL;
  TidingsIcon *row;
  TidingsFetchRequest request = { .url = "http://" DEAD_HOST "/" };
  guint one_fetch;
  gint64 feed;

  (void) data;
  g_resolver_set_default (G_RESOLVER (resolver));

  /* What one request to the dead host costs the resolver. */
  tidings_fetcher_fetch_async (fixture->fetcher, &request, NULL, fetched, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_RESOLVE);
  g_clear_error (&error);
  one_fetch = tidings_test_resolver_get_lookups (resolver);
  g_assert_cmpuint (one_fetch, >=, 1);
  tidings_test_resolver_reset (resolver);

  serve (fixture, "/feed.xml", "application/rss+xml",
         "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Dead site</title>"
         "<link>http://" DEAD_HOST "/blog/</link>"
         "<item><guid>1</guid><title>One</title></item></channel></rss>", -1);
  feed = subscribe (fixture, "/feed.xml");
  run_refresh (fixture, TRUE);
  g_resolver_set_default (real);

  g_assert_cmpint (status_of (fixture, feed), ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpuint (tidings_test_resolver_get_lookups (resolver), ==, one_fetch);
  g_assert_null (stored_icon (fixture, feed));
  store = open_store (fixture);
  icons = tidings_store_list_icons (store, &error);
  g_assert_no_error (error);
  row = g_hash_table_lookup (icons, &feed);
  g_assert_nonnull (row);
  g_assert_null (row->url);
  g_assert_cmpint (row->fetched_at, >, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/icons/sniff", test_sniff);
  g_test_add_func ("/icons/due", test_due);
  g_test_add_func ("/icons/scan-html", test_scan_html);
  g_test_add ("/icons/refresh", Fixture, NULL, fixture_set_up, test_refresh, fixture_tear_down);
  g_test_add ("/icons/refresh-none", Fixture, NULL, fixture_set_up, test_refresh_none,
              fixture_tear_down);
  g_test_add ("/icons/refresh-background", Fixture, NULL, fixture_set_up,
              test_refresh_background, fixture_tear_down);
  g_test_add ("/icons/refresh-cancel", Fixture, NULL, fixture_set_up, test_refresh_cancel,
              fixture_tear_down);
  g_test_add ("/icons/refresh-dead-host", Fixture, NULL, fixture_set_up,
              test_refresh_dead_host, fixture_tear_down);

  return g_test_run ();
}
