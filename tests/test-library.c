/* test-library.c: the asynchronous library the window talks to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real database file in a folder per test, the real fetcher against the
 * loopback server, and the main context iterated until what should happen
 * has happened. (A folder per test rather than G_TEST_OPTION_ISOLATE_DIRS:
 * isolating the XDG folders would hide the system's GSettings schemas from
 * GIO's proxy resolver, which the fetcher uses.)
 */

#include "config.h"

#include "tidings-library-test-utils.h"
#include "tidings-opml.h"
#include "tidings-test-server.h"

#define MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

#define RSS_HEAD "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>%s</title>" \
                 "<link>http://example.org/</link>"
#define RSS_ITEM "<item><guid>%s-%u</guid><title>%s article %u</title>" \
                 "<description>Text of %s %u</description></item>"
#define RSS_TAIL "</channel></rss>"

typedef struct
{
  TidingsTestServer *server;
  char              *dir;
  char              *path;
  TidingsLibrary    *library;

  GArray            *changes;          /* guint, each "changed" */
  guint              feeds_refreshed;
  guint              refreshes_finished;
  TidingsRefreshSummary last_summary;
  GArray            *done_values;      /* guint, each notify::refresh-done */
  guint              refreshing_on;    /* notify::refreshing to TRUE */
  guint              refreshing_off;
} Fixture;

static char *
make_rss (const char *title,
          guint       n)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, RSS_HEAD, title);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, RSS_ITEM, title, i, title, i, title, i);
  g_string_append (out, RSS_TAIL);
  return g_string_free (out, FALSE);
}

static void
serve_feed (Fixture    *fixture,
            const char *path,
            const char *title,
            guint       n)
{
  g_autofree char *rss = make_rss (title, n);

  tidings_test_server_set_body (fixture->server, path, "application/rss+xml", rss, -1);
}

static void
on_changed (TidingsLibrary *library,
            guint           changes,
            Fixture        *fixture)
{
  (void) library;
  g_assert_cmpuint (changes, !=, 0);
  g_array_append_val (fixture->changes, changes);
}

static void
on_feed_refreshed (TidingsLibrary        *library,
                   TidingsRefreshOutcome *outcome,
                   Fixture               *fixture)
{
  (void) library;
  g_assert_nonnull (outcome);
  if (outcome->status == TIDINGS_REFRESH_FAILED)
    g_test_message ("failed: %s: %s", outcome->url, outcome->error);
  fixture->feeds_refreshed++;
}

static void
on_refresh_finished (TidingsLibrary        *library,
                     TidingsRefreshSummary *summary,
                     Fixture               *fixture)
{
  (void) library;
  fixture->refreshes_finished++;
  fixture->last_summary = *summary;
}

static void
on_notify (TidingsLibrary *library,
           GParamSpec     *pspec,
           Fixture        *fixture)
{
  if (g_str_equal (pspec->name, "refresh-done"))
    {
      guint done = tidings_library_get_refresh_done (library);

      g_array_append_val (fixture->done_values, done);
    }
  else if (g_str_equal (pspec->name, "refreshing"))
    {
      if (tidings_library_get_refreshing (library))
        fixture->refreshing_on++;
      else
        fixture->refreshing_off++;
    }
}

/* Changes announced so far, or-ed. */
static guint
all_changes (Fixture *fixture)
{
  guint all = 0;

  for (guint i = 0; i < fixture->changes->len; i++)
    all |= g_array_index (fixture->changes, guint, i);
  return all;
}

static void
fixture_open_library (Fixture *fixture)
{
  fixture->library = open_library (fixture->path);
  g_signal_connect (fixture->library, "changed", G_CALLBACK (on_changed), fixture);
  g_signal_connect (fixture->library, "feed-refreshed", G_CALLBACK (on_feed_refreshed), fixture);
  g_signal_connect (fixture->library, "refresh-finished", G_CALLBACK (on_refresh_finished),
                    fixture);
  g_signal_connect (fixture->library, "notify", G_CALLBACK (on_notify), fixture);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  (void) data;

  fixture->server = tidings_test_server_new ();
  fixture->dir = make_test_dir ();
  fixture->path = g_build_filename (fixture->dir, "tidings.db", NULL);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (guint));
  fixture->done_values = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  (void) data;

  if (fixture->library != NULL)
    library_close (g_steal_pointer (&fixture->library));
  tidings_test_server_free (fixture->server);
  remove_test_dir (fixture->dir);
  g_array_unref (fixture->changes);
  g_array_unref (fixture->done_values);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Subscribes to @path on the test server before the library opens. */
static gint64
subscribe_directly (Fixture    *fixture,
                    const char *path,
                    gint64      section_id)
{
  g_autoptr(TidingsStore) store = open_store (fixture->path);
  g_autofree char *url = tidings_test_server_url (fixture->server, path);

  return store_add_subscription (store, url, NULL, section_id);
}

static gpointer
get_subscription_func (TidingsStore  *store,
                       gpointer       data,
                       GError       **error)
{
  return tidings_store_get_subscription (store, *(gint64 *) data, error);
}

static TidingsSubscription *
read_subscription (Fixture *fixture,
                   gint64   id)
{
  return library_read (fixture->library, get_subscription_func, &id, NULL);
}

/* ---- Opening ---- */

static void
test_open (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *bad = g_build_filename (fixture->dir, "not-a-library.db", NULL);
  g_autoptr(GError) error = NULL;
  TidingsLibrary *broken;

  (void) data;
  fixture_open_library (fixture);
  g_assert_cmpstr (tidings_library_get_path (fixture->library), ==, fixture->path);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (TIDINGS_IS_FETCHER (tidings_library_get_fetcher (fixture->library)));
  g_assert_false (tidings_library_get_refreshing (fixture->library));
  g_assert_cmpuint (tidings_library_get_refresh_done (fixture->library), ==, 0);
  g_assert_cmpuint (tidings_library_get_refresh_total (fixture->library), ==, 0);

  /* A file that is not a database is refused, and left as it was. */
  g_assert_true (g_file_set_contents (bad, "this is not a database, only words", -1, NULL));
  broken = tidings_library_new (bad, &error);
  g_assert_null (broken);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT);
}

/* ---- Reads and writes ---- */

typedef struct
{
  GString *log;
  gint64   found;
  gboolean read_done;
} Ordering;

static gpointer
add_section_func (TidingsStore  *store,
                  gpointer       data,
                  GError       **error)
{
  gint64 id = tidings_store_add_section (store, data, 0, error);

  return id != 0 ? g_memdup2 (&id, sizeof id) : NULL;
}

static gpointer
find_section_func (TidingsStore  *store,
                   gpointer       data,
                   GError       **error)
{
  gint64 id = tidings_store_find_section (store, data, 0);

  (void) error;
  return g_memdup2 (&id, sizeof id);
}

static void
ordering_changed (TidingsLibrary *library,
                  guint           changes,
                  Ordering       *ordering)
{
  (void) library;
  g_string_append_printf (ordering->log, "changed:%u ", changes);
}

static void
ordering_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Ordering *ordering = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *id = tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  g_string_append (ordering->log, "written ");
}

static void
ordering_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Ordering *ordering = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *id = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &error);

  g_assert_no_error (error);
  ordering->found = *id;
  ordering->read_done = TRUE;
  g_string_append (ordering->log, "read");
}

static void
test_ordering (Fixture       *fixture,
               gconstpointer  data)
{
  Ordering ordering = { g_string_new (NULL), 0, FALSE };

  (void) data;
  fixture_open_library (fixture);
  g_signal_connect (fixture->library, "changed", G_CALLBACK (ordering_changed), &ordering);

  /* A read asked for right after writes, without waiting for them, sees
   * them: the reader runs on a thread of its own and would otherwise race
   * the writer. And "changed" comes before each write's callback. */
  tidings_library_write_async (fixture->library, add_section_func, g_strdup ("Alpha"), g_free,
                               TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, NULL, ordering_written,
                               &ordering);
  tidings_library_write_async (fixture->library, add_section_func, g_strdup ("Beta"), g_free,
                               TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, NULL, ordering_written,
                               &ordering);
  tidings_library_read_async (fixture->library, find_section_func, g_strdup ("Beta"), g_free,
                              NULL, ordering_read, &ordering);
  WAIT_UNTIL (ordering.read_done);

  g_assert_cmpint (ordering.found, >, 0);
  g_assert_cmpstr (ordering.log->str, ==, "changed:1 written changed:1 written read");
  g_signal_handlers_disconnect_by_data (fixture->library, &ordering);
  g_string_free (ordering.log, TRUE);

  /* A failing write reports its error and announces nothing. */
  {
    CallWait wait = { 0 };
    guint before = fixture->changes->len;

    tidings_library_write_async (fixture->library, add_section_func, g_strdup ("Alpha"), g_free,
                                 TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, NULL, write_waited, &wait);
    WAIT_UNTIL (wait.done);
    g_assert_error (wait.error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS);
    g_assert_null (wait.result);
    g_clear_error (&wait.error);
    g_assert_cmpuint (fixture->changes->len, ==, before);
  }
}

/* ---- Read and starred marks ---- */

static gpointer
list_articles_func (TidingsStore  *store,
                    gpointer       data,
                    GError       **error)
{
  return tidings_store_query_articles (store, data, 0, 1000, error);
}

typedef struct
{
  gboolean        done;
  TidingsArticle *article;
} ArticleWait;

static void
article_got (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ArticleWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  wait->article = tidings_library_get_article_finish (TIDINGS_LIBRARY (source), result, &error);
  g_assert_no_error (error);
  wait->done = TRUE;
}

static TidingsArticle *
get_article (Fixture *fixture,
             gint64   id)
{
  ArticleWait wait = { 0 };

  tidings_library_get_article_async (fixture->library, id, NULL, article_got, &wait);
  WAIT_UNTIL (wait.done);
  g_assert_nonnull (wait.article);
  return wait.article;
}

static void
test_marks (Fixture       *fixture,
            gconstpointer  data)
{
  TidingsArticleQuery all = { .kind = TIDINGS_SCOPE_ALL };
  g_autoptr(GPtrArray) rows = NULL;
  gint64 feed, first, second;
  guint seen;

  (void) data;
  {
    g_autoptr(TidingsStore) store = open_store (fixture->path);

    feed = store_add_subscription (store, "https://example.org/feed.xml", "Feed", 0);
    store_add_articles (store, feed, "a", "Article", 0, 3, g_get_real_time (),
                        g_get_real_time ());
  }
  fixture_open_library (fixture);
  rows = library_read (fixture->library, list_articles_func, &all, NULL);
  g_assert_cmpuint (rows->len, ==, 3);
  first = ((TidingsArticleRow *) rows->pdata[0])->id;
  second = ((TidingsArticleRow *) rows->pdata[1])->id;

  seen = fixture->changes->len;
  tidings_library_set_read (fixture->library, first, TRUE);
  WAIT_UNTIL (fixture->changes->len > seen);
  g_assert_cmpuint (g_array_index (fixture->changes, guint, seen), ==,
                    TIDINGS_LIBRARY_CHANGED_STATE);
  {
    g_autoptr(TidingsArticle) article = get_article (fixture, first);

    g_assert_true (article->read);
    g_assert_false (article->starred);
  }

  seen = fixture->changes->len;
  tidings_library_set_starred (fixture->library, second, TRUE);
  WAIT_UNTIL (fixture->changes->len > seen);
  g_assert_cmpuint (g_array_index (fixture->changes, guint, seen), ==,
                    TIDINGS_LIBRARY_CHANGED_STATE);
  {
    g_autoptr(TidingsArticle) article = get_article (fixture, second);

    g_assert_false (article->read);
    g_assert_true (article->starred);
  }

  /* Read back from the file by another connection once the library is
   * gone: the marks were committed. */
  library_close (g_steal_pointer (&fixture->library));
  {
    g_autoptr(TidingsStore) store = open_store (fixture->path);
    g_autoptr(TidingsArticle) read = tidings_store_get_article (store, first, NULL);
    g_autoptr(TidingsArticle) starred = tidings_store_get_article (store, second, NULL);
    g_autoptr(TidingsSubscription) subscription = tidings_store_get_subscription (store, feed,
                                                                                   NULL);

    g_assert_true (read->read);
    g_assert_true (starred->starred);
    g_assert_false (starred->read);
    g_assert_cmpuint (subscription->unread_count, ==, 2);
  }
}

typedef struct
{
  gboolean done;
  gboolean ok;
} BoolWait;

static void
marked_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BoolWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  wait->ok = tidings_library_mark_read_finish (TIDINGS_LIBRARY (source), result, &error);
  g_assert_no_error (error);
  wait->done = TRUE;
}

static void
test_mark_read_section (Fixture       *fixture,
                        gconstpointer  data)
{
  TidingsArticleQuery section = { .kind = TIDINGS_SCOPE_SECTION };
  TidingsArticleQuery unread = { .kind = TIDINGS_SCOPE_UNREAD };
  BoolWait wait = { 0 };
  gint64 now = g_get_real_time ();

  (void) data;
  {
    g_autoptr(TidingsStore) store = open_store (fixture->path);
    gint64 parent = store_add_section (store, "Parent", 0);
    gint64 child = store_add_section (store, "Child", parent);
    gint64 a = store_add_subscription (store, "https://example.org/a.xml", "A", parent);
    gint64 b = store_add_subscription (store, "https://example.org/b.xml", "B", child);
    gint64 c = store_add_subscription (store, "https://example.org/c.xml", "C", 0);

    store_add_articles (store, a, "a", "A", 0, 2, now, now);
    store_add_articles (store, b, "b", "B", 0, 3, now, now);
    store_add_articles (store, c, "c", "C", 0, 4, now, now);
    section.id = parent;
  }
  fixture_open_library (fixture);
  g_assert_cmpuint (library_count (fixture->library, &unread), ==, 9);

  tidings_library_mark_read_async (fixture->library, &section, NULL, marked_read, &wait);
  WAIT_UNTIL (wait.done);
  g_assert_true (wait.ok);
  g_assert_true (all_changes (fixture) & TIDINGS_LIBRARY_CHANGED_STATE);

  /* The section and its child section are read; the feed outside is not. */
  section.unread_only = TRUE;
  g_assert_cmpuint (library_count (fixture->library, &section), ==, 0);
  g_assert_cmpuint (library_count (fixture->library, &unread), ==, 4);
}

/* ---- Subscribing and refreshing over loopback ---- */

typedef struct
{
  gboolean  done;
  gint64    id;
  GError   *error;
} SubscribeWait;

static void
subscribed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SubscribeWait *wait = user_data;

  wait->id = tidings_library_subscribe_finish (TIDINGS_LIBRARY (source), result, &wait->error);
  wait->done = TRUE;
}

static void
test_subscribe (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  SubscribeWait wait = { 0 };
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_SUBSCRIPTION };
  g_autoptr(TidingsSubscription) subscription = NULL;

  (void) data;
  serve_feed (fixture, "/loopback.xml", "Loopback", 3);
  url = tidings_test_server_url (fixture->server, "/loopback.xml");
  fixture_open_library (fixture);

  tidings_library_subscribe_async (fixture->library, url, NULL, 0, NULL, subscribed, &wait);
  WAIT_UNTIL (wait.done);
  g_assert_no_error (wait.error);
  g_assert_cmpint (wait.id, >, 0);

  /* Its articles are in by the time the call completes. */
  query.id = wait.id;
  g_assert_cmpuint (library_count (fixture->library, &query), ==, 3);
  subscription = read_subscription (fixture, wait.id);
  g_assert_cmpstr (subscription->title, ==, "Loopback");
  g_assert_null (subscription->last_error);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/loopback.xml"), ==, 1);
  g_assert_true (all_changes (fixture) & TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  g_assert_true (all_changes (fixture) & TIDINGS_LIBRARY_CHANGED_ARTICLES);
  g_assert_cmpuint (fixture->refreshes_finished, ==, 1);
  g_assert_false (tidings_library_get_refreshing (fixture->library));

  /* Twice is an error that says so. */
  memset (&wait, 0, sizeof wait);
  tidings_library_subscribe_async (fixture->library, url, NULL, 0, NULL, subscribed, &wait);
  WAIT_UNTIL (wait.done);
  g_assert_error (wait.error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS);
  g_assert_cmpint (wait.id, ==, 0);
  g_clear_error (&wait.error);
}

typedef struct
{
  gboolean              done;
  gboolean              ok;
  TidingsRefreshSummary summary;
} RefreshWait;

static void
refreshed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RefreshWait *wait = user_data;
  g_autoptr(GError) error = NULL;

  wait->ok = tidings_library_refresh_finish (TIDINGS_LIBRARY (source), result, &wait->summary,
                                             &error);
  g_assert_no_error (error);
  wait->done = TRUE;
}

static void
test_refresh_progress (Fixture       *fixture,
                       gconstpointer  data)
{
  TidingsArticleQuery search = { .kind = TIDINGS_SCOPE_ALL, .search = "Gamma" };
  RefreshWait wait = { 0 };
  guint last = 0;

  (void) data;
  serve_feed (fixture, "/alpha.xml", "Alpha", 2);
  serve_feed (fixture, "/beta.xml", "Beta", 2);
  serve_feed (fixture, "/gamma.xml", "Gamma", 2);
  subscribe_directly (fixture, "/alpha.xml", 0);
  subscribe_directly (fixture, "/beta.xml", 0);
  subscribe_directly (fixture, "/gamma.xml", 0);
  fixture_open_library (fixture);

  tidings_library_refresh_async (fixture->library, NULL, NULL, refreshed, &wait);
  /* Refreshing from the call on, so that the window shows it at once. */
  g_assert_true (tidings_library_get_refreshing (fixture->library));
  WAIT_UNTIL (wait.done);
  g_assert_true (wait.ok);

  g_assert_cmpuint (wait.summary.feeds, ==, 3);
  g_assert_cmpuint (wait.summary.new_articles, ==, 6);
  g_assert_cmpuint (wait.summary.failed, ==, 0);
  g_assert_cmpuint (fixture->feeds_refreshed, ==, 3);
  g_assert_cmpuint (fixture->refreshes_finished, ==, 1);
  g_assert_cmpuint (fixture->last_summary.new_articles, ==, 6);

  g_assert_cmpuint (fixture->refreshing_on, ==, 1);
  g_assert_cmpuint (fixture->refreshing_off, ==, 1);
  g_assert_false (tidings_library_get_refreshing (fixture->library));
  g_assert_cmpuint (tidings_library_get_refresh_total (fixture->library), ==, 3);
  g_assert_cmpuint (tidings_library_get_refresh_done (fixture->library), ==, 3);
  g_assert_cmpuint (fixture->done_values->len, >=, 1);
  for (guint i = 0; i < fixture->done_values->len; i++)
    {
      guint done = g_array_index (fixture->done_values, guint, i);

      g_assert_cmpuint (done, >=, last);
      g_assert_cmpuint (done, <=, 3);
      last = done;
    }
  g_assert_cmpuint (last, ==, 3);

  /* The articles were announced (in batches, the last at the end), and
   * the search index is up to date afterwards. */
  g_assert_true (all_changes (fixture) & TIDINGS_LIBRARY_CHANGED_ARTICLES);
  g_assert_cmpuint (fixture->changes->len, <=, 3 + 1);
  g_assert_cmpuint (library_count (fixture->library, &search), ==, 2);

  /* A second refresh: nothing new, the server answers 304. */
  memset (&wait, 0, sizeof wait);
  tidings_library_refresh_async (fixture->library, NULL, NULL, refreshed, &wait);
  WAIT_UNTIL (wait.done);
  g_assert_cmpuint (wait.summary.feeds, ==, 3);
  g_assert_cmpuint (wait.summary.new_articles, ==, 0);
  g_assert_cmpuint (wait.summary.not_modified, ==, 3);
  g_assert_cmpuint (tidings_library_get_refresh_done (fixture->library), ==, 3);
  g_assert_cmpuint (fixture->refreshing_on, ==, 2);
}

static void
test_refresh_join (Fixture       *fixture,
                   gconstpointer  data)
{
  RefreshWait first = { 0 }, second = { 0 };
  g_autoptr(GArray) only_a = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) both = g_array_new (FALSE, FALSE, sizeof (gint64));
  TidingsArticleQuery query_b = { .kind = TIDINGS_SCOPE_SUBSCRIPTION };
  gint64 a, b;

  (void) data;
  serve_feed (fixture, "/slow.xml", "Slow", 2);
  tidings_test_server_set_fault (fixture->server, "/slow.xml", TIDINGS_TEST_FAULT_SLOW_BODY,
                                 1500, NULL);
  serve_feed (fixture, "/quick.xml", "Quick", 3);
  a = subscribe_directly (fixture, "/slow.xml", 0);
  b = subscribe_directly (fixture, "/quick.xml", 0);
  g_array_append_val (only_a, a);
  g_array_append_val (both, a);
  g_array_append_val (both, b);
  fixture_open_library (fixture);

  tidings_library_refresh_async (fixture->library, only_a, NULL, refreshed, &first);
  /* Once the slow feed is on its way, ask for both. */
  WAIT_UNTIL (tidings_test_server_get_hits (fixture->server, "/slow.xml") >= 1);
  g_assert_true (tidings_library_get_refreshing (fixture->library));
  tidings_library_refresh_async (fixture->library, both, NULL, refreshed, &second);
  /* The total grows at once by the feed not already in the refresh. */
  WAIT_UNTIL (tidings_library_get_refresh_total (fixture->library) == 2);
  g_assert_false (first.done);

  WAIT_UNTIL (first.done && second.done);
  g_assert_true (first.ok);
  g_assert_true (second.ok);
  /* One refresh: the slow feed fetched once, the other after it. */
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/slow.xml"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/quick.xml"), ==, 1);
  g_assert_cmpuint (fixture->refreshes_finished, ==, 1);
  g_assert_cmpuint (fixture->refreshing_on, ==, 1);
  g_assert_cmpuint (first.summary.feeds, ==, 2);
  g_assert_cmpuint (second.summary.feeds, ==, 2);
  g_assert_cmpuint (second.summary.new_articles, ==, 5);
  g_assert_cmpuint (tidings_library_get_refresh_done (fixture->library), ==, 2);
  query_b.id = b;
  g_assert_cmpuint (library_count (fixture->library, &query_b), ==, 3);
}

static void
refresh_cancelled_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CallWait *wait = user_data;
  TidingsRefreshSummary summary;

  g_assert_false (tidings_library_refresh_finish (TIDINGS_LIBRARY (source), result, &summary,
                                                  &wait->error));
  wait->done = TRUE;
}

/* The one who asked gives up: the call returns "cancelled" at once, and
 * with nobody else waiting the refresh stops. */
static void
test_refresh_cancelled (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CallWait wait = { 0 };

  (void) data;
  serve_feed (fixture, "/hang.xml", "Hang", 1);
  tidings_test_server_set_fault (fixture->server, "/hang.xml", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  subscribe_directly (fixture, "/hang.xml", 0);
  fixture_open_library (fixture);

  tidings_library_refresh_async (fixture->library, NULL, cancellable, refresh_cancelled_cb,
                                 &wait);
  WAIT_UNTIL (tidings_test_server_get_hits (fixture->server, "/hang.xml") >= 1);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (wait.done);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);
  WAIT_UNTIL (fixture->refreshes_finished == 1);
  g_assert_false (tidings_library_get_refreshing (fixture->library));
}

/* ---- The scheduler ---- */

static gpointer
get_setting_func (TidingsStore  *store,
                  gpointer       data,
                  GError       **error)
{
  (void) error;
  return tidings_store_get_setting (store, data);
}

static void
test_auto_refresh (Fixture       *fixture,
                   gconstpointer  data)
{
  RefreshWait wait = { 0 };
  g_autofree char *sql = NULL;
  g_autofree char *interval = NULL;
  g_autoptr(TidingsSubscription) due = NULL;
  gint64 a, b, before;

  (void) data;
  serve_feed (fixture, "/due.xml", "Due", 1);
  serve_feed (fixture, "/later.xml", "Later", 1);
  a = subscribe_directly (fixture, "/due.xml", 0);
  b = subscribe_directly (fixture, "/later.xml", 0);
  fixture_open_library (fixture);

  /* After a first refresh, neither is due for an hour. */
  tidings_library_refresh_async (fixture->library, NULL, NULL, refreshed, &wait);
  WAIT_UNTIL (wait.done);
  g_assert_cmpuint (fixture->refreshes_finished, ==, 1);

  /* Nothing due: the scheduler's check starts nothing. */
  tidings_library_set_auto_refresh (fixture->library, 30);
  _tidings_library_run_scheduler_now (fixture->library);
  library_sync (fixture->library);
  g_assert_false (tidings_library_get_refreshing (fixture->library));

  /* One made due. */
  sql = g_strdup_printf ("UPDATE subscriptions SET next_poll = 0 WHERE id = %" G_GINT64_FORMAT,
                         a);
  library_exec (fixture->library, sql, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  before = g_get_real_time ();
  _tidings_library_run_scheduler_now (fixture->library);
  WAIT_UNTIL (fixture->refreshes_finished == 2);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/due.xml"), ==, 2);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/later.xml"), ==, 1);
  g_assert_cmpuint (fixture->last_summary.feeds, ==, 1);

  /* The interval is stored for everyone, and the refresh used it. */
  interval = library_read (fixture->library, get_setting_func,
                           (gpointer) "refresh-interval-minutes", NULL);
  g_assert_cmpstr (interval, ==, "30");
  due = read_subscription (fixture, a);
  /* 30 minutes and up to a tenth more of jitter, not the built-in hour. */
  g_assert_cmpint (due->next_poll, >=, before + 30 * MINUTE);
  g_assert_cmpint (due->next_poll, <=, g_get_real_time () + 34 * MINUTE);
  (void) b;

  /* Off again: the check still works on demand, but there is no timer. */
  tidings_library_set_auto_refresh (fixture->library, 0);
}

/* ---- OPML ---- */

static const char opml_text[] =
  "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>Mine</title></head><body>"
  "<outline text=\"Space\">"
  "<outline text=\"NASA\" type=\"rss\" xmlUrl=\"https://example.org/nasa.xml\"/>"
  "<outline text=\"Inner\">"
  "<outline text=\"ESA\" type=\"rss\" xmlUrl=\"https://example.org/esa.xml\"/>"
  "</outline></outline>"
  "<outline text=\"Loose\" type=\"rss\" xmlUrl=\"https://example.org/loose.xml\"/>"
  "<outline text=\"Shell\" type=\"rss\" xmlUrl=\"exec:rm -rf ~\"/>"
  "</body></opml>";

typedef struct
{
  gboolean   done;
  guint      added;
  GPtrArray *warnings;
  GError    *error;
} ImportWait;

static void
imported (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ImportWait *wait = user_data;

  wait->added = tidings_library_import_opml_finish (TIDINGS_LIBRARY (source), result,
                                                    &wait->warnings, &wait->error);
  wait->done = TRUE;
}

static void
exported (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = tidings_library_export_opml_finish (TIDINGS_LIBRARY (source), result,
                                                     &wait->error);
  wait->done = TRUE;
}

static const TidingsOpmlFeed *
find_feed (const TidingsOpml *opml,
           const char        *url)
{
  for (guint i = 0; i < opml->feeds->len; i++)
    {
      const TidingsOpmlFeed *feed = opml->feeds->pdata[i];

      if (g_strcmp0 (feed->url, url) == 0)
        return feed;
    }
  return NULL;
}

static void
import_bytes (Fixture    *fixture,
              const char *text,
              ImportWait *wait)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  memset (wait, 0, sizeof *wait);
  tidings_library_import_opml_async (fixture->library, bytes, NULL, imported, wait);
  WAIT_UNTIL (wait->done);
}

static void
test_opml (Fixture       *fixture,
           gconstpointer  data)
{
  ImportWait import;
  CallWait export = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TidingsOpml) opml = NULL;
  g_autoptr(GError) error = NULL;
  const TidingsOpmlFeed *feed;
  const char *text;
  gsize len;

  (void) data;
  fixture_open_library (fixture);

  import_bytes (fixture, opml_text, &import);
  g_assert_no_error (import.error);
  g_assert_cmpuint (import.added, ==, 3);
  g_assert_nonnull (import.warnings);
  g_assert_cmpuint (import.warnings->len, ==, 1);
  g_assert_nonnull (strstr (import.warnings->pdata[0], "Shell"));
  g_clear_pointer (&import.warnings, g_ptr_array_unref);
  g_assert_true (all_changes (fixture) & TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);

  tidings_library_export_opml_async (fixture->library, NULL, exported, &export);
  WAIT_UNTIL (export.done);
  g_assert_no_error (export.error);
  bytes = export.result;
  text = g_bytes_get_data (bytes, &len);
  opml = tidings_opml_parse (text, len, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (opml->feeds->len, ==, 3);
  feed = find_feed (opml, "https://example.org/nasa.xml");
  g_assert_nonnull (feed);
  g_assert_cmpstr (feed->title, ==, "NASA");
  g_assert_cmpstr (feed->section, ==, "Space");
  feed = find_feed (opml, "https://example.org/esa.xml");
  g_assert_nonnull (feed);
  g_assert_cmpstr (feed->section, ==, "Inner");
  g_assert_cmpstr (feed->parent, ==, "Space");
  feed = find_feed (opml, "https://example.org/loose.xml");
  g_assert_nonnull (feed);
  g_assert_null (feed->section);

  /* Importing it again adds nothing; a broken file adds nothing and says
   * why. */
  import_bytes (fixture, text, &import);
  g_assert_no_error (import.error);
  g_assert_cmpuint (import.added, ==, 0);
  g_clear_pointer (&import.warnings, g_ptr_array_unref);

  import_bytes (fixture, "<opml><body><outline", &import);
  g_assert_error (import.error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_cmpuint (import.added, ==, 0);
  g_assert_null (import.warnings);
  g_clear_error (&import.error);
}

/* ---- The backup beside the database ---- */

static gboolean
backup_has (const char *path,
            const char *fragment)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  return strstr (contents, fragment) != NULL;
}

static gpointer
add_subscription_func (TidingsStore  *store,
                       gpointer       data,
                       GError       **error)
{
  gint64 id = tidings_store_add_subscription (store, data, "First title", 0, error);

  return id != 0 ? g_memdup2 (&id, sizeof id) : NULL;
}

static gpointer
rename_func (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  if (!tidings_store_rename_subscription (store, *(gint64 *) data, "Second title", error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
test_backup (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *backup = g_build_filename (fixture->dir, "subscriptions-backup.opml", NULL);
  g_autofree char *computed = tidings_library_get_backup_path (fixture->path);
  g_autofree char *contents = NULL;
  g_autofree gint64 *id = NULL;
  g_autoptr(TidingsOpml) opml = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  (void) data;
  g_assert_cmpstr (computed, ==, backup);
  fixture_open_library (fixture);

  /* An empty library never writes one (it would replace a good one). */
  library_exec (fixture->library, "SELECT 1", TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  run_for (200);
  library_sync (fixture->library);
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));

  id = library_write (fixture->library, add_subscription_func,
                      g_strdup ("https://example.org/backed-up.xml"), g_free,
                      TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  WAIT_UNTIL (g_file_test (backup, G_FILE_TEST_EXISTS));

  g_assert_true (g_file_get_contents (backup, &contents, &len, NULL));
  opml = tidings_opml_parse (contents, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opml->feeds->len, ==, 1);
  g_assert_cmpstr (((TidingsOpmlFeed *) opml->feeds->pdata[0])->url, ==,
                   "https://example.org/backed-up.xml");

  /* Each change of the subscriptions rewrites it. */
  library_write (fixture->library, rename_func, g_memdup2 (id, sizeof *id), g_free,
                 TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  WAIT_UNTIL (backup_has (backup, "Second title"));
  g_assert_false (backup_has (backup, "First title"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/library/open", test_open);
  ADD ("/library/ordering", test_ordering);
  ADD ("/library/marks", test_marks);
  ADD ("/library/mark-read-section", test_mark_read_section);
  ADD ("/library/subscribe", test_subscribe);
  ADD ("/library/refresh/progress", test_refresh_progress);
  ADD ("/library/refresh/join", test_refresh_join);
  ADD ("/library/refresh/cancelled", test_refresh_cancelled);
  ADD ("/library/auto-refresh", test_auto_refresh);
  ADD ("/library/opml", test_opml);
  ADD ("/library/backup", test_backup);

#undef ADD

  return g_test_run ();
}
