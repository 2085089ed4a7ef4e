/* test-discover.c: finding a feed from any address, over loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real fetcher against the loopback test server (tidings-test-server.c),
 * never the internet.
 */

#include <string.h>

#include "tidings-discover.h"
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
discover_full (TidingsFetcher  *fetcher,
               const char      *url,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  guint guard = g_timeout_add_seconds (90, on_hang, (gpointer) url);

  tidings_discover_async (fetcher, url, cancellable, on_discovered, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  return tidings_discover_finish (result, error);
}

static GPtrArray *
discover (TidingsFetcher  *fetcher,
          const char      *url,
          GError         **error)
{
  return discover_full (fetcher, url, NULL, error);
}

#define assert_link(links, index, url_, title_, mime_) \
  G_STMT_START { \
    TidingsFeedLink *_link; \
    g_assert_cmpuint (index, <, (links)->len); \
    _link = (links)->pdata[index]; \
    g_assert_cmpstr (_link->url, ==, url_); \
    g_assert_cmpstr (_link->title, ==, title_); \
    g_assert_cmpstr (_link->mime_type, ==, mime_); \
  } G_STMT_END

/* Lets the fetcher's own idle work finish, then checks nothing kept it. */
static void
finish_fetcher (TidingsFetcher *fetcher)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fetcher);
}

static void
test_direct_feed (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/feed.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, RSS ("Loopback News"), -1);
  links = discover (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 1);
  assert_link (links, 0, url, "Loopback News", RSS_TYPE);
  /* A feed is its own answer: nothing else was asked for. */
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed"), ==, 0);

  finish_fetcher (fetcher);
}

static void
test_direct_feed_moved (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autofree char *old_url = tidings_test_server_url (server, "/old.json");
  g_autofree char *new_url = tidings_test_server_url (server, "/new.json");
  g_autofree char *alias = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_body (server, "/new.json", "application/feed+json",
                                JSON_FEED ("Moved for good"), -1);
  tidings_test_server_set_fault (server, "/old.json", TIDINGS_TEST_FAULT_REDIRECT, 301,
                                 "/new.json");

  /* Typed as a browser once handed it over: feed:// is plain http. */
  alias = g_strconcat ("feed:", old_url + strlen ("http:"), NULL);
  links = discover (fetcher, alias, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 1);
  /* Subscribed at the address it moved to for good. */
  assert_link (links, 0, new_url, "Moved for good", "application/feed+json");

  finish_fetcher (fetcher);
}

static void
test_page_with_links (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/blog/");
  g_autofree char *rss = tidings_test_server_url (server, "/blog/feed.rss");
  g_autofree char *atom = tidings_test_server_url (server, "/comments.atom");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_body (server, "/blog/", HTML_TYPE,
                                "<!DOCTYPE html><html><head><title>Blog</title>"
                                "<link rel=\"alternate\" type=\"application/rss+xml\" "
                                "title=\"Posts\" href=\"feed.rss\">"
                                "<link rel=\"alternate\" type=\"application/atom+xml\" "
                                "title=\"Comments\" href=\"/comments.atom\">"
                                "</head><body>Hello</body></html>", -1);
  links = discover (fetcher, url, &error);
  g_assert_no_error (error);
  /* As the page names them, without fetching them or probing. */
  g_assert_cmpuint (links->len, ==, 2);
  assert_link (links, 0, rss, "Posts", RSS_TYPE);
  assert_link (links, 1, atom, "Comments", ATOM_TYPE);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/blog/feed.rss"), ==, 0);
  for (guint i = 0; tidings_discover_common_paths[i] != NULL; i++)
    g_assert_cmpuint (tidings_test_server_get_hits (server, tidings_discover_common_paths[i]),
                      ==, 0);

  finish_fetcher (fetcher);
}

static void
test_common_path (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/about/");
  g_autofree char *feed = tidings_test_server_url (server, "/feed");
  g_autofree char *index = tidings_test_server_url (server, "/index.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_body (server, "/about/", HTML_TYPE, EMPTY_PAGE, -1);
  tidings_test_server_set_body (server, "/feed", ATOM_TYPE, ATOM ("The Feed"), -1);
  /* The same feed by another path: named once, by the first. */
  tidings_test_server_set_fault (server, "/rss", TIDINGS_TEST_FAULT_REDIRECT, 301, "/feed");
  /* A page where a feed might be: not a feed. */
  tidings_test_server_set_body (server, "/atom.xml", HTML_TYPE, EMPTY_PAGE, -1);
  tidings_test_server_set_body (server, "/index.xml", RSS_TYPE, RSS ("The Index"), -1);

  links = discover (fetcher, url, &error);
  g_assert_no_error (error);
  /* In the order of the list; a probed feed's type is not claimed. */
  g_assert_cmpuint (links->len, ==, 2);
  assert_link (links, 0, feed, "The Feed", NULL);
  assert_link (links, 1, index, "The Index", NULL);
  for (guint i = 0; tidings_discover_common_paths[i] != NULL; i++)
    g_assert_cmpuint (tidings_test_server_get_hits (server, tidings_discover_common_paths[i]),
                      >=, 1);

  finish_fetcher (fetcher);
}

static void
test_no_feed (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/plain.html");
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_body (server, "/plain.html", HTML_TYPE, EMPTY_PAGE, -1);
  /* Answers, but with an error page; and a JSON document that is no feed. */
  tidings_test_server_set_fault (server, "/rss", TIDINGS_TEST_FAULT_STATUS, 500, NULL);
  tidings_test_server_set_body (server, "/feed.json", "application/json", "{\"posts\": []}", -1);

  links = discover (fetcher, url, &error);
  g_assert_null (links);
  g_assert_error (error, TIDINGS_DISCOVER_ERROR, TIDINGS_DISCOVER_ERROR_NO_FEED);
  expected = g_strdup_printf ("No feed found at %s: the page links to none and none of /feed, "
                              "/rss, /atom.xml, /feed.json, /index.xml answered with one", url);
  g_assert_cmpstr (error->message, ==, expected);
  /* Each path asked once. */
  for (guint i = 0; tidings_discover_common_paths[i] != NULL; i++)
    g_assert_cmpuint (tidings_test_server_get_hits (server, tidings_discover_common_paths[i]),
                      ==, 1);

  finish_fetcher (fetcher);
}

static void
test_not_a_page (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/notes.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_body (server, "/notes.txt", "text/plain", "Just some notes.\n", -1);
  links = discover (fetcher, url, &error);
  g_assert_null (links);
  g_assert_error (error, TIDINGS_DISCOVER_ERROR, TIDINGS_DISCOVER_ERROR_NO_FEED);
  g_assert_nonnull (strstr (error->message, "it is neither a feed nor a web page"));

  finish_fetcher (fetcher);
}

static void
test_not_found (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/missing");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_body (server, "/feed", RSS_TYPE, RSS ("Not to be probed"), -1);
  links = discover (fetcher, url, &error);
  /* The address itself failed: that is the answer, in the fetcher's words;
   * nothing is probed. */
  g_assert_null (links);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "404"));
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed"), ==, 0);

  finish_fetcher (fetcher);
}

static void
test_cancelled (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  TidingsFetcher *fetcher = tidings_fetcher_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *url = tidings_test_server_url (server, "/slow");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  tidings_test_server_set_fault (server, "/slow", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  g_cancellable_cancel (cancellable);
  links = discover_full (fetcher, url, cancellable, &error);
  g_assert_null (links);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED);

  finish_fetcher (fetcher);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/discover/direct-feed", test_direct_feed);
  g_test_add_func ("/discover/direct-feed-moved", test_direct_feed_moved);
  g_test_add_func ("/discover/page-with-links", test_page_with_links);
  g_test_add_func ("/discover/common-path", test_common_path);
  g_test_add_func ("/discover/no-feed", test_no_feed);
  g_test_add_func ("/discover/not-a-page", test_not_a_page);
  g_test_add_func ("/discover/not-found", test_not_found);
  g_test_add_func ("/discover/cancelled", test_cancelled);

  return g_test_run ();
}
