/* test-refresh.c: fetch, parse and store, end to end over loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real SQLite file, a real libsoup client and a loopback server that
 * misbehaves on purpose: every fault ends in the right stored state while the
 * healthy feeds of the same refresh still update.
 */

#include <glib/gstdio.h>

#include "tidings-refresh.h"
#include "tidings-test-server.h"

#define RSS_HEAD "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>" \
                 "<link>http://example.org/</link>"
#define RSS_ITEM "<item><guid>%s</guid><title>%s</title><description>%s</description></item>"
#define RSS_TAIL "</channel></rss>"

typedef struct
{
  TidingsTestServer  *server;
  char               *dir;
  char               *db_path;
  TidingsStoreWorker *worker;
  TidingsFetcher     *fetcher;
  guint               timeout;      /* the fetcher's, in seconds */
  GHashTable         *outcomes;     /* subscription id -> TidingsRefreshOutcome */
  guint               progress_calls;
  guint               last_done;
  guint               last_total;
} Fixture;

/* A little RSS document with @n items whose guids are PREFIX-0 … */
static char *
make_rss (const char *title,
          const char *prefix,
          guint       first,
          guint       n,
          const char *text)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, RSS_HEAD, title);
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *guid = g_strdup_printf ("%s-%u", prefix, i);
      g_autofree char *item_title = g_strdup_printf ("%s article %u", title, i);

      g_string_append_printf (out, RSS_ITEM, guid, item_title, text);
    }
  g_string_append (out, RSS_TAIL);
  return g_string_free (out, FALSE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  TidingsFetcherOptions options;
  g_autoptr(GError) error = NULL;

  (void) data;

  fixture->server = tidings_test_server_new ();
  /* A folder per test rather than G_TEST_OPTION_ISOLATE_DIRS: isolating the
   * XDG folders would hide the system's GSettings schemas from GIO's proxy
   * resolver. */
  fixture->dir = g_dir_make_tmp ("tidings-refresh-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db_path = g_build_filename (fixture->dir, "tidings.db", NULL);
  fixture->worker = tidings_store_worker_new (fixture->db_path, &error);
  g_assert_no_error (error);

  /* Short limits keep the hanging and oversized cases quick. Under valgrind
   * (build-aux/valgrind sets RUNNING_ON_VALGRIND) everything runs some twenty
   * times slower, and a healthy feed among the seventeen of the faults test
   * once missed two seconds: there, the same limits ten times longer. */
  fixture->timeout = g_getenv ("RUNNING_ON_VALGRIND") != NULL ? 20 : 2;
  tidings_fetcher_options_init (&options);
  options.timeout = fixture->timeout;
  options.connect_timeout = fixture->timeout;
  options.max_body = 256 * 1024;
  fixture->fetcher = tidings_fetcher_new (&options);
  fixture->outcomes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                             (GDestroyNotify) tidings_refresh_outcome_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  (void) data;

  g_hash_table_unref (fixture->outcomes);
  g_assert_finalize_object (fixture->fetcher);
  g_assert_finalize_object (fixture->worker);
  tidings_test_server_free (fixture->server);

  for (guint i = 0; i < 3; i++)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (fixture->db_path, suffixes[i], NULL);

      g_remove (file);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->db_path);
  g_free (fixture->dir);
}

static TidingsStore *
open_reader (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  TidingsStore *store = tidings_store_open (fixture->db_path, &error);

  g_assert_no_error (error);
  return store;
}

/* Subscribes to @path on the test server (or @url when @path is NULL). */
static gint64
subscribe (Fixture    *fixture,
           const char *path,
           const char *url)
{
  g_autoptr(TidingsStore) store = open_reader (fixture);
  g_autofree char *full = path != NULL ? tidings_test_server_url (fixture->server, path)
                                       : g_strdup (url);
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = tidings_store_add_subscription (store, full, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* The same server reached as "localhost": another host as far as back-off
 * and the per-host cap go, so a fault that backs a host off does not hold
 * up the healthy feeds on 127.0.0.1. */
static char *
localhost_url (Fixture    *fixture,
               const char *path)
{
  const char *base = tidings_test_server_get_base (fixture->server);
  const char *port = strrchr (base, ':');

  return g_strdup_printf ("http://localhost%s%s", port, path);
}

static void
on_feed_done (TidingsRefresh        *refresh,
              TidingsRefreshOutcome *outcome,
              Fixture               *fixture)
{
  TidingsRefreshOutcome *copy = g_new0 (TidingsRefreshOutcome, 1);

  (void) refresh;
  if (outcome->status == TIDINGS_REFRESH_FAILED)
    g_test_message ("failed: %s: %s", outcome->url, outcome->error);
  *copy = *outcome;
  copy->url = g_strdup (outcome->url);
  copy->new_url = g_strdup (outcome->new_url);
  copy->title = g_strdup (outcome->title);
  copy->error = g_strdup (outcome->error);
  g_assert_false (g_hash_table_contains (fixture->outcomes, &copy->subscription_id));
  g_hash_table_insert (fixture->outcomes, &copy->subscription_id, copy);
}

static void
on_progress (TidingsRefresh *refresh,
             guint           done,
             guint           total,
             Fixture        *fixture)
{
  (void) refresh;
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, fixture->last_done);
  fixture->progress_calls++;
  fixture->last_done = done;
  fixture->last_total = total;
}

typedef struct
{
  gboolean               done;
  gboolean               ok;
  TidingsRefreshSummary  summary;
  GError                *error;
} Wait;

static void
refresh_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = tidings_refresh_run_finish (TIDINGS_REFRESH (source), result, &wait->summary,
                                         &wait->error);
  wait->done = TRUE;
}

/* Refreshes every subscription and returns the summary. */
static TidingsRefreshSummary
run_refresh (Fixture *fixture)
{
  g_autoptr(TidingsRefresh) refresh = tidings_refresh_new (fixture->worker, fixture->fetcher);
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  {
    g_autoptr(TidingsStore) store = open_reader (fixture);

    subscriptions = tidings_store_list_subscriptions (store, &error);
    g_assert_no_error (error);
  }

  g_hash_table_remove_all (fixture->outcomes);
  fixture->progress_calls = 0;
  fixture->last_done = 0;
  fixture->last_total = 0;
  g_signal_connect (refresh, "feed-done", G_CALLBACK (on_feed_done), fixture);
  g_signal_connect (refresh, "progress", G_CALLBACK (on_progress), fixture);

  tidings_refresh_run_async (refresh, subscriptions, NULL, refresh_done, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);

  g_assert_cmpuint (wait.summary.feeds, ==, g_hash_table_size (fixture->outcomes));
  g_assert_cmpuint (fixture->last_done, ==, fixture->last_total);
  g_assert_cmpuint (fixture->progress_calls, ==, wait.summary.feeds + 1);
  return wait.summary;
}

static TidingsRefreshOutcome *
outcome_of (Fixture *fixture,
            gint64   id)
{
  TidingsRefreshOutcome *outcome = g_hash_table_lookup (fixture->outcomes, &id);

  g_assert_nonnull (outcome);
  return outcome;
}

static TidingsSubscription *
subscription_of (Fixture *fixture,
                 gint64   id)
{
  g_autoptr(TidingsStore) store = open_reader (fixture);
  g_autoptr(GError) error = NULL;
  TidingsSubscription *subscription = tidings_store_get_subscription (store, id, &error);

  g_assert_no_error (error);
  return subscription;
}

static guint
count_articles (Fixture *fixture,
                gint64   id)
{
  g_autoptr(TidingsStore) store = open_reader (fixture);
  g_autoptr(GError) error = NULL;
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_SUBSCRIPTION, .id = id };
  guint count = 0;

  tidings_store_count_articles (store, &query, &count, &error);
  g_assert_no_error (error);
  return count;
}

static void
assert_failed_with (Fixture    *fixture,
                    gint64      id,
                    const char *fragment)
{
  TidingsRefreshOutcome *outcome = outcome_of (fixture, id);
  g_autoptr(TidingsSubscription) subscription = subscription_of (fixture, id);

  g_assert_cmpint (outcome->status, ==, TIDINGS_REFRESH_FAILED);
  g_assert_nonnull (outcome->error);
  if (strstr (outcome->error, fragment) == NULL)
    g_error ("expected “%s” in “%s”", fragment, outcome->error);
  /* The sentence is stored on the feed for the window to show. */
  g_assert_cmpstr (subscription->last_error, ==, outcome->error);
  g_assert_cmpint (subscription->last_error_time, >, 0);
}

static void
test_faults_and_healthy_together (Fixture       *fixture,
                                  gconstpointer  data)
{
  TidingsTestServer *server = fixture->server;
  g_autofree char *rss = make_rss ("Harbour", "h", 0, 5, "<p>Boats</p>");
  g_autofree char *big = NULL;
  g_autofree char *busy_url = localhost_url (fixture, "/busy.xml");
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GHashTable) backoffs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsSubscription) moved = NULL;
  g_autoptr(TidingsSubscription) gone = NULL;
  GString *padding = g_string_new (NULL);
  gint64 healthy, atom, json, e500, e404, e410, html, invalid, hang, reset, loop, moved_id;
  gint64 too_big, bomb, busy, refused, charset;
  TidingsRefreshSummary summary;

  (void) data;

  tidings_test_server_set_body (server, "/healthy.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_body (server, "/atom.xml", "application/atom+xml",
                                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atomic</title>"
                                "<id>urn:a</id><updated>2024-01-01T00:00:00Z</updated>"
                                "<entry><id>urn:a:1</id><title>One</title>"
                                "<updated>2024-01-01T00:00:00Z</updated></entry>"
                                "<entry><id>urn:a:2</id><title>Two</title>"
                                "<updated>2024-01-02T00:00:00Z</updated></entry></feed>", -1);
  tidings_test_server_set_body (server, "/feed.json", "application/feed+json",
                                "{\"version\":\"https://jsonfeed.org/version/1.1\","
                                "\"title\":\"Jason\",\"items\":[{\"id\":\"1\","
                                "\"content_text\":\"hello\"},{\"id\":\"2\","
                                "\"content_text\":\"again\"},{\"id\":\"3\","
                                "\"content_text\":\"and again\"}]}", -1);
  tidings_test_server_set_body (server, "/500.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_fault (server, "/500.xml", TIDINGS_TEST_FAULT_STATUS, 500, NULL);
  tidings_test_server_set_fault (server, "/404.xml", TIDINGS_TEST_FAULT_STATUS, 404, NULL);
  tidings_test_server_set_fault (server, "/410.xml", TIDINGS_TEST_FAULT_STATUS, 410, NULL);
  tidings_test_server_set_body (server, "/page.html", "text/html",
                                "<!DOCTYPE html><html><head><title>A blog</title>"
                                "<link rel=\"alternate\" type=\"application/rss+xml\" "
                                "href=\"/healthy.xml\"></head><body><p>Hi</p></body></html>", -1);
  tidings_test_server_set_body (server, "/invalid.json", "application/json",
                                "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [",
                                -1);
  tidings_test_server_set_body (server, "/hang.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_fault (server, "/hang.xml", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  tidings_test_server_set_body (server, "/reset.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_fault (server, "/reset.xml", TIDINGS_TEST_FAULT_RESET, 0, NULL);
  tidings_test_server_set_fault (server, "/loop.xml", TIDINGS_TEST_FAULT_REDIRECT, 302,
                                 "/loop.xml");
  tidings_test_server_set_fault (server, "/old.xml", TIDINGS_TEST_FAULT_REDIRECT, 301,
                                 "/older.xml");
  tidings_test_server_set_fault (server, "/older.xml", TIDINGS_TEST_FAULT_REDIRECT, 308,
                                 "/new.xml");
  tidings_test_server_set_body (server, "/new.xml", "application/rss+xml", rss, -1);

  /* Larger than the 256 KiB cap of this fetcher. */
  for (guint i = 0; padding->len < 300 * 1024; i++)
    g_string_append (padding, "All work and no play makes a dull feed. ");
  big = make_rss ("Big", "b", 0, 1, padding->str);
  g_string_free (padding, TRUE);
  tidings_test_server_set_body (server, "/big.xml", "application/rss+xml", big, -1);
  tidings_test_server_set_body (server, "/bomb.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_fault (server, "/bomb.xml", TIDINGS_TEST_FAULT_GZIP_BOMB, 64, NULL);
  tidings_test_server_set_body (server, "/busy.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_fault (server, "/busy.xml", TIDINGS_TEST_FAULT_RETRY_AFTER, 3600,
                                 NULL);
  /* Latin-1 bytes served as UTF-8: read anyway, with the text repaired. */
  tidings_test_server_set_body (server, "/charset.xml", "application/rss+xml",
                                "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
                                "<rss version=\"2.0\"><channel><title>Caf\xe9</title>"
                                "<item><guid>c1</guid><title>Cr\xe8me</title></item>"
                                "</channel></rss>", -1);
  tidings_test_server_set_fault (server, "/charset.xml", TIDINGS_TEST_FAULT_CHARSET, 0,
                                 "utf-8");

  healthy = subscribe (fixture, "/healthy.xml", NULL);
  atom = subscribe (fixture, "/atom.xml", NULL);
  json = subscribe (fixture, "/feed.json", NULL);
  e500 = subscribe (fixture, "/500.xml", NULL);
  e404 = subscribe (fixture, "/404.xml", NULL);
  e410 = subscribe (fixture, "/410.xml", NULL);
  html = subscribe (fixture, "/page.html", NULL);
  invalid = subscribe (fixture, "/invalid.json", NULL);
  hang = subscribe (fixture, "/hang.xml", NULL);
  reset = subscribe (fixture, "/reset.xml", NULL);
  loop = subscribe (fixture, "/loop.xml", NULL);
  moved_id = subscribe (fixture, "/old.xml", NULL);
  too_big = subscribe (fixture, "/big.xml", NULL);
  bomb = subscribe (fixture, "/bomb.xml", NULL);
  busy = subscribe (fixture, NULL, busy_url);
  refused = subscribe (fixture, NULL, "http://127.0.0.1:1/feed.xml");
  charset = subscribe (fixture, "/charset.xml", NULL);

  summary = run_refresh (fixture);
  g_assert_cmpuint (summary.feeds, ==, 17);

  /* The healthy ones updated despite everything around them. */
  g_assert_cmpint (outcome_of (fixture, healthy)->status, ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpuint (outcome_of (fixture, healthy)->stats.added, ==, 5);
  g_assert_cmpuint (count_articles (fixture, healthy), ==, 5);
  g_assert_cmpuint (count_articles (fixture, atom), ==, 2);
  g_assert_cmpuint (count_articles (fixture, json), ==, 3);
  g_assert_cmpuint (count_articles (fixture, charset), ==, 1);
  g_assert_cmpint (outcome_of (fixture, moved_id)->status, ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpuint (count_articles (fixture, moved_id), ==, 5);

  assert_failed_with (fixture, e500, "500");
  assert_failed_with (fixture, e404, "404");
  assert_failed_with (fixture, e410, "gone");
  assert_failed_with (fixture, html, "Not a feed: the address returns an HTML page");
  assert_failed_with (fixture, invalid, "Not a feed");
  {
    g_autofree char *limit = g_strdup_printf ("%u s", fixture->timeout);

    assert_failed_with (fixture, hang, limit);
  }
  assert_failed_with (fixture, too_big, "larger");
  assert_failed_with (fixture, bomb, "larger");
  assert_failed_with (fixture, refused, "refused");
  g_assert_cmpint (outcome_of (fixture, reset)->status, ==, TIDINGS_REFRESH_FAILED);
  g_assert_cmpint (outcome_of (fixture, loop)->status, ==, TIDINGS_REFRESH_FAILED);
  g_assert_cmpint (outcome_of (fixture, busy)->status, ==, TIDINGS_REFRESH_FAILED);
  g_assert_cmpuint (summary.failed, ==, 12);
  g_assert_cmpuint (summary.new_articles, ==, 5 + 2 + 3 + 5 + 1);

  /* 410 stops the feed; 301 then 308 moves it; 429 backs the host off. */
  gone = subscription_of (fixture, e410);
  g_assert_true (gone->gone);
  moved = subscription_of (fixture, moved_id);
  g_assert_true (g_str_has_suffix (moved->url, "/new.xml"));
  g_assert_true (g_str_has_suffix (outcome_of (fixture, moved_id)->new_url, "/new.xml"));

  store = open_reader (fixture);
  backoffs = tidings_store_get_host_backoffs (store, g_get_real_time (), &error);
  g_assert_no_error (error);
  g_assert_true (g_hash_table_contains (backoffs, "localhost"));
  g_assert_false (g_hash_table_contains (backoffs, "127.0.0.1"));
}

static void
test_second_refresh (Fixture       *fixture,
                     gconstpointer  data)
{
  TidingsTestServer *server = fixture->server;
  g_autofree char *rss = make_rss ("Harbour", "h", 0, 5, "<p>Boats</p>");
  g_autofree char *busy_url = localhost_url (fixture, "/busy.xml");
  TidingsRefreshSummary summary;
  gint64 healthy, plain, gone, busy;
  guint busy_hits;

  (void) data;

  tidings_test_server_set_body (server, "/healthy.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_body (server, "/plain.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_fault (server, "/plain.xml", TIDINGS_TEST_FAULT_NO_VALIDATORS, 0,
                                 NULL);
  tidings_test_server_set_fault (server, "/gone.xml", TIDINGS_TEST_FAULT_STATUS, 410, NULL);
  tidings_test_server_set_body (server, "/busy.xml", "application/rss+xml", rss, -1);
  tidings_test_server_set_fault (server, "/busy.xml", TIDINGS_TEST_FAULT_RETRY_AFTER, 3600,
                                 NULL);

  healthy = subscribe (fixture, "/healthy.xml", NULL);
  plain = subscribe (fixture, "/plain.xml", NULL);
  gone = subscribe (fixture, "/gone.xml", NULL);
  busy = subscribe (fixture, NULL, busy_url);

  summary = run_refresh (fixture);
  g_assert_cmpuint (summary.feeds, ==, 4);
  g_assert_cmpuint (summary.new_articles, ==, 10);
  g_assert_cmpuint (tidings_test_server_get_304s (server, "/healthy.xml"), ==, 0);
  busy_hits = tidings_test_server_get_hits (server, "/busy.xml");
  g_assert_cmpuint (busy_hits, ==, 1);

  summary = run_refresh (fixture);
  /* The gone feed is not asked again. */
  g_assert_cmpuint (summary.feeds, ==, 3);
  g_assert_false (g_hash_table_contains (fixture->outcomes, &gone));
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/gone.xml"), ==, 1);
  /* A conditional request answered 304; the same body without validators
   * recognised by its hash. */
  g_assert_cmpuint (tidings_test_server_get_304s (server, "/healthy.xml"), ==, 1);
  g_assert_cmpint (outcome_of (fixture, healthy)->status, ==, TIDINGS_REFRESH_UNCHANGED);
  g_assert_cmpint (outcome_of (fixture, plain)->status, ==, TIDINGS_REFRESH_UNCHANGED);
  g_assert_cmpuint (summary.not_modified, ==, 2);
  g_assert_cmpuint (summary.new_articles, ==, 0);
  /* The host that asked to wait was not asked again. */
  g_assert_cmpint (outcome_of (fixture, busy)->status, ==, TIDINGS_REFRESH_FAILED);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/busy.xml"), ==, busy_hits);
}

static void
test_state_survives_updates (Fixture       *fixture,
                             gconstpointer  data)
{
  TidingsTestServer *server = fixture->server;
  g_autofree char *first = make_rss ("Harbour", "h", 0, 3, "<p>Boats</p>");
  g_autofree char *second = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL };
  TidingsRefreshSummary summary;
  gint64 id, read_id = 0, starred_id = 0;

  (void) data;

  tidings_test_server_set_body (server, "/feed.xml", "application/rss+xml", first, -1);
  id = subscribe (fixture, "/feed.xml", NULL);
  summary = run_refresh (fixture);
  g_assert_cmpuint (summary.new_articles, ==, 3);

  {
    g_autoptr(TidingsStore) store = open_reader (fixture);

    rows = tidings_store_query_articles (store, &query, 0, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 3);
    for (guint i = 0; i < rows->len; i++)
      {
        TidingsArticleRow *row = g_ptr_array_index (rows, i);

        if (g_str_equal (row->guid, "h-0"))
          read_id = row->id;
        if (g_str_equal (row->guid, "h-1"))
          starred_id = row->id;
      }
    g_assert_cmpint (read_id, >, 0);
    g_assert_cmpint (starred_id, >, 0);
    tidings_store_set_read (store, read_id, TRUE, &error);
    g_assert_no_error (error);
    tidings_store_set_starred (store, starred_id, TRUE, &error);
    g_assert_no_error (error);
  }

  /* h-0 changes its text, h-2 is dropped by the publisher, h-3 is new. */
  second = make_rss ("Harbour", "h", 0, 2, "<p>Boats, now with sails</p>");
  {
    g_autofree char *tail = make_rss ("x", "h", 3, 1, "<p>New</p>");
    g_autofree char *merged = NULL;
    const char *item = strstr (tail, "<item>");
    char *end = strstr (second, RSS_TAIL);

    *end = '\0';
    merged = g_strconcat (second, item, NULL);
    g_free (second);
    second = g_steal_pointer (&merged);
  }
  tidings_test_server_set_body (server, "/feed.xml", "application/rss+xml", second, -1);

  summary = run_refresh (fixture);
  g_assert_cmpint (outcome_of (fixture, id)->status, ==, TIDINGS_REFRESH_NEW);
  g_assert_cmpuint (outcome_of (fixture, id)->stats.added, ==, 1);
  g_assert_cmpuint (outcome_of (fixture, id)->stats.updated, ==, 2);
  /* The dropped article stays until retention takes it. */
  g_assert_cmpuint (count_articles (fixture, id), ==, 4);

  {
    g_autoptr(TidingsStore) store = open_reader (fixture);
    g_autoptr(TidingsArticle) read = tidings_store_get_article (store, read_id, &error);
    g_autoptr(TidingsArticle) starred = NULL;

    g_assert_no_error (error);
    g_assert_true (read->read);
    g_assert_nonnull (strstr (read->item->content_html, "sails"));
    starred = tidings_store_get_article (store, starred_id, &error);
    g_assert_no_error (error);
    g_assert_true (starred->starred);
    g_assert_false (starred->read);
  }
}

static void
test_parse_error_is_not_cached (Fixture       *fixture,
                                gconstpointer  data)
{
  TidingsTestServer *server = fixture->server;
  g_autofree char *good = make_rss ("Harbour", "h", 0, 2, "<p>Boats</p>");
  g_autoptr(TidingsSubscription) after = NULL;
  gint64 id;

  (void) data;

  tidings_test_server_set_body (server, "/feed.xml", "application/rss+xml", good, -1);
  id = subscribe (fixture, "/feed.xml", NULL);
  run_refresh (fixture);
  g_assert_cmpuint (count_articles (fixture, id), ==, 2);

  /* The publisher breaks the feed: the error shows, the articles stay. */
  tidings_test_server_set_body (server, "/feed.xml", "text/html",
                                "<!DOCTYPE html><html><body>Maintenance</body></html>", -1);
  run_refresh (fixture);
  assert_failed_with (fixture, id, "HTML page");
  g_assert_cmpuint (count_articles (fixture, id), ==, 2);

  /* The same broken body again is still an error, not "not modified". */
  run_refresh (fixture);
  assert_failed_with (fixture, id, "HTML page");

  /* Fixed: the error goes away. */
  tidings_test_server_set_body (server, "/feed.xml", "application/rss+xml", good, -1);
  run_refresh (fixture);
  g_assert_cmpint (outcome_of (fixture, id)->status, ==, TIDINGS_REFRESH_UNCHANGED);
  after = subscription_of (fixture, id);
  g_assert_null (after->last_error);
}

static void
test_many_feeds_one_host (Fixture       *fixture,
                          gconstpointer  data)
{
  TidingsTestServer *server = fixture->server;
  TidingsRefreshSummary summary;
  guint total = 0;

  (void) data;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *path = g_strdup_printf ("/f/%u.xml", i);
      g_autofree char *title = g_strdup_printf ("Feed %u", i);
      g_autofree char *prefix = g_strdup_printf ("f%u", i);
      g_autofree char *body = make_rss (title, prefix, 0, 10, "<p>Text</p>");

      tidings_test_server_set_body (server, path, "application/rss+xml", body, -1);
      subscribe (fixture, path, NULL);
    }

  summary = run_refresh (fixture);
  g_assert_cmpuint (summary.feeds, ==, 60);
  g_assert_cmpuint (summary.failed, ==, 0);
  g_assert_cmpuint (summary.new_articles, ==, 600);

  {
    g_autoptr(TidingsStore) store = open_reader (fixture);
    g_autoptr(GError) error = NULL;
    TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_UNREAD };

    tidings_store_count_articles (store, &query, &total, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (total, ==, 600);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/refresh/faults-and-healthy-together", test_faults_and_healthy_together);
  ADD ("/refresh/second-refresh", test_second_refresh);
  ADD ("/refresh/state-survives-updates", test_state_survives_updates);
  ADD ("/refresh/parse-error-is-not-cached", test_parse_error_is_not_cached);
  ADD ("/refresh/many-feeds-one-host", test_many_feeds_one_host);
#undef ADD

  return g_test_run ();
}
