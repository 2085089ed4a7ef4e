/* test-discover.c: finding a feed from any address, over loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real fetcher against the loopback test server (tidings-test-server.c),
 * never the internet.
 */

#include <string.h>

#include "tidings-discover.h"
#include "tidings-test-discover.h"
#include "tidings-test-server.h"

#define RSS_TYPE "application/rss+xml"
#define ATOM_TYPE "application/atom+xml"
#define HTML_TYPE "text/html"

#define RSS(title) \
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>" title \
  "</title><link>http://example.org/</link><item><guid>one</guid><title>One</title></item>" \
  "</channel></rss>\n"
#define ATOM(title) \
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">" \
  "<title>" title "</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>" \
  "<entry><id>urn:x:1</id><title>One</title><updated>2024-01-01T00:00:00Z</updated></entry>" \
  "</feed>\n"
#define JSON_FEED(title) \
  "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"" title "\", " \
  "\"items\": [{\"id\": \"1\", \"content_text\": \"One\"}]}"
#define EMPTY_PAGE \
  "<!DOCTYPE html><html><head><title>Nothing here</title>" \
  "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><p>Hello.</p></body></html>"

typedef struct
{
  TidingsTestServer *server;
  TidingsFetcher    *fetcher;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->server = tidings_test_server_new ();
  fixture->fetcher = tidings_fetcher_new (NULL);
}

/* Lets the fetcher's own idle work finish, then checks nothing kept it. */
static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->fetcher);
  g_clear_pointer (&fixture->server, tidings_test_server_free);
}

/* Serves @body at @path: the address it has. */
static char *
serve (Fixture    *fixture,
       const char *path,
       const char *content_type,
       const char *body)
{
  tidings_test_server_set_body (fixture->server, path, content_type, body, -1);
  return tidings_test_server_url (fixture->server, path);
}

static gboolean
on_hang (gpointer user_data)
{
  g_error ("Discovery of %s did not finish", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static void
on_discovered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (source);
  g_assert_null (*out);
  *out = g_object_ref (result);
}

static GPtrArray *
discover_full (Fixture       *fixture,
               const char    *url,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  guint guard = g_timeout_add_seconds (90, on_hang, (gpointer) url);

  tidings_discover_async (fixture->fetcher, url, cancellable, on_discovered, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  return tidings_discover_finish (result, error);
}

/* Discovers @url, which must give @n_links feeds. */
static GPtrArray *
discover (Fixture    *fixture,
          const char *url,
          guint       n_links)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *links = discover_full (fixture, url, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (links);
  g_assert_cmpuint (links->len, ==, n_links);
  return links;
}

/* Discovers @url, which must fail: how. */
static GError *
discover_error (Fixture      *fixture,
                const char   *url,
                GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) links = discover_full (fixture, url, cancellable, &error);

  g_assert_null (links);
  g_assert_nonnull (error);
  return error;
}

/* How often each of the common paths was asked for, from @min to @max
 * times. */
static void
assert_common_path_hits (Fixture *fixture,
                         guint    min,
                         guint    max)
{
  for (guint i = 0; tidings_discover_common_paths[i] != NULL; i++)
    {
      guint hits = tidings_test_server_get_hits (fixture->server,
                                                 tidings_discover_common_paths[i]);

      g_assert_cmpuint (hits, >=, min);
      g_assert_cmpuint (hits, <=, max);
    }
}

static void
test_direct_feed (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = serve (fixture, "/feed.xml", RSS_TYPE, RSS ("Loopback News"));
  g_autoptr(GPtrArray) links = discover (fixture, url, 1);

  assert_link (links, 0, url, "Loopback News", RSS_TYPE);
  /* A feed is its own answer: nothing else was asked for. */
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/feed.xml"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/feed"), ==, 0);
}

static void
test_direct_feed_moved (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *new_url = serve (fixture, "/new.json", "application/feed+json",
                                    JSON_FEED ("Moved for good"));
  g_autofree char *old_url = tidings_test_server_url (fixture->server, "/old.json");
  /* Typed as a browser once handed it over: feed:// is plain http. */
  g_autofree char *alias = g_strconcat ("feed:", old_url + strlen ("http:"), NULL);
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_fault (fixture->server, "/old.json", TIDINGS_TEST_FAULT_REDIRECT, 301,
                                 "/new.json");
  links = discover (fixture, alias, 1);
  /* Subscribed at the address it moved to for good. */
  assert_link (links, 0, new_url, "Moved for good", "application/feed+json");
}

static void
test_page_with_links (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url = serve (fixture, "/blog/", HTML_TYPE,
                                "<!DOCTYPE html><html><head><title>Blog</title>"
                                "<link rel=\"alternate\" type=\"application/rss+xml\" "
                                "title=\"Posts\" href=\"feed.rss\">"
                                "<link rel=\"alternate\" type=\"application/atom+xml\" "
                                "title=\"Comments\" href=\"/comments.atom\">"
                                "</head><body>Hello</body></html>");
  g_autofree char *rss = tidings_test_server_url (fixture->server, "/blog/feed.rss");
  g_autofree char *atom = tidings_test_server_url (fixture->server, "/comments.atom");
  /* As the page names them, without fetching them or probing. */
  g_autoptr(GPtrArray) links = discover (fixture, url, 2);

  assert_link (links, 0, rss, "Posts", RSS_TYPE);
  assert_link (links, 1, atom, "Comments", ATOM_TYPE);
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/blog/feed.rss"), ==, 0);
  assert_common_path_hits (fixture, 0, 0);
}

static void
test_common_path (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = serve (fixture, "/about/", HTML_TYPE, EMPTY_PAGE);
  g_autofree char *feed = serve (fixture, "/feed", ATOM_TYPE, ATOM ("The Feed"));
  g_autofree char *index = serve (fixture, "/index.xml", RSS_TYPE, RSS ("The Index"));
  g_autoptr(GPtrArray) links = NULL;

  /* The same feed by another path: named once, by the first. */
  tidings_test_server_set_fault (fixture->server, "/rss", TIDINGS_TEST_FAULT_REDIRECT, 301,
                                 "/feed");
  /* A page where a feed might be: not a feed. */
  tidings_test_server_set_body (fixture->server, "/atom.xml", HTML_TYPE, EMPTY_PAGE, -1);

  /* In the order of the list; a probed feed's type is not claimed. */
  links = discover (fixture, url, 2);
  assert_link (links, 0, feed, "The Feed", NULL);
  assert_link (links, 1, index, "The Index", NULL);
  assert_common_path_hits (fixture, 1, G_MAXUINT);
}

static void
test_no_feed (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *url = serve (fixture, "/plain.html", HTML_TYPE, EMPTY_PAGE);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  /* Answers, but with an error page; and a JSON document that is no feed. */
  tidings_test_server_set_fault (fixture->server, "/rss", TIDINGS_TEST_FAULT_STATUS, 500, NULL);
  tidings_test_server_set_body (fixture->server, "/feed.json", "application/json",
                                "{\"posts\": []}", -1);

  error = discover_error (fixture, url, NULL);
  g_assert_error (error, TIDINGS_DISCOVER_ERROR, TIDINGS_DISCOVER_ERROR_NO_FEED);
  expected = g_strdup_printf ("No feed found at %s: the page links to none and none of /feed, "
                              "/rss, /atom.xml, /feed.json, /index.xml answered with one", url);
  g_assert_cmpstr (error->message, ==, expected);
  /* Each path asked once. */
  assert_common_path_hits (fixture, 1, 1);
}

static void
test_not_a_page (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *url = serve (fixture, "/notes.txt", "text/plain", "Just some notes.\n");
  g_autoptr(GError) error = discover_error (fixture, url, NULL);

  g_assert_error (error, TIDINGS_DISCOVER_ERROR, TIDINGS_DISCOVER_ERROR_NO_FEED);
  g_assert_nonnull (strstr (error->message, "it is neither a feed nor a web page"));
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = tidings_test_server_url (fixture->server, "/missing");
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_body (fixture->server, "/feed", RSS_TYPE, RSS ("Not to be probed"), -1);
  /* The address itself failed: that is the answer, in the fetcher's words;
   * nothing is probed. */
  error = discover_error (fixture, url, NULL);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "404"));
  g_assert_cmpuint (tidings_test_server_get_hits (fixture->server, "/feed"), ==, 0);
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *url = tidings_test_server_url (fixture->server, "/slow");
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_fault (fixture->server, "/slow", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  g_cancellable_cancel (cancellable);
  error = discover_error (fixture, url, cancellable);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED);
}

#define add_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_test ("/discover/direct-feed", test_direct_feed);
  add_test ("/discover/direct-feed-moved", test_direct_feed_moved);
  add_test ("/discover/page-with-links", test_page_with_links);
  add_test ("/discover/common-path", test_common_path);
  add_test ("/discover/no-feed", test_no_feed);
  add_test ("/discover/not-a-page", test_not_a_page);
  add_test ("/discover/not-found", test_not_found);
  add_test ("/discover/cancelled", test_cancelled);

  return g_test_run ();
}
