/* test-discover-html.c: finding the feeds a web page links to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "tidings-discover.h"
#include "tidings-test-discover.h"

static GPtrArray *
scan_fixture (const char *name,
              const char *page_url)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "discover", name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *links;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  links = tidings_discover_scan_html (contents, len, page_url);
  g_assert_nonnull (links);
  return links;
}

static void
test_wordpress (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("wordpress.html", "https://harbour.example/");

  /* The posts and comments feeds in document order; the REST API's JSON
   * alternate and the oEmbed ones are not feeds. */
  g_assert_cmpuint (links->len, ==, 3);
  assert_link (links, 0, "https://harbour.example/feed/", "Harbour Notes » Feed",
               "application/rss+xml");
  assert_link (links, 1, "https://harbour.example/comments/feed/",
               "Harbour Notes » Comments Feed", "application/rss+xml");
  assert_link (links, 2, "https://harbour.example/feed/atom/", "Harbour Notes » Atom",
               "application/atom+xml");
}

static void
test_blogger (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("blogger.html",
                                             "https://lighthouse.blogspot.example/");

  /* rel="service.post" is for posting, not reading. */
  g_assert_cmpuint (links->len, ==, 2);
  assert_link (links, 0, "https://lighthouse.blogspot.example/feeds/posts/default",
               "Lighthouse Log - Atom", "application/atom+xml");
  assert_link (links, 1, "https://lighthouse.blogspot.example/feeds/posts/default?alt=rss",
               "Lighthouse Log - RSS", "application/rss+xml");
}

static void
test_jekyll (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("jekyll.html", "https://tides.example/2024/01/");

  /* application/json counts when it says it is a feed; a search index
   * does not. */
  g_assert_cmpuint (links->len, ==, 2);
  assert_link (links, 0, "https://tides.example/feed.xml", "Tide Tables", "application/atom+xml");
  assert_link (links, 1, "https://tides.example/feed.json", "Tide Tables JSON Feed",
               "application/feed+json");
}

static void
test_base_href (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("base-href.html", "https://origin.example/page/");

  /* The first <base> applies to every link, also one written before it. */
  g_assert_cmpuint (links->len, ==, 3);
  assert_link (links, 0, "https://cdn.example/blog/before-base.xml", "Before the base",
               "application/rss+xml");
  assert_link (links, 1, "https://cdn.example/blog/atom.xml", "After the base",
               "application/atom+xml");
  assert_link (links, 2, "https://cdn.example/rooted.xml", "Rooted", "application/rss+xml");
}

static void
test_base_relative_and_hostile (void)
{
  const char *relative_base =
    "<html><head><base href=\"/sub/\">"
    "<link rel=alternate type=application/rss+xml href=feed.rss></head></html>";
  const char *script_base =
    "<html><head><base href=\"javascript:alert(1)//\">"
    "<link rel=alternate type=application/rss+xml href=feed.rss></head></html>";
  g_autoptr(GPtrArray) relative = NULL;
  g_autoptr(GPtrArray) script = NULL;

  /* A relative base resolves against the page. */
  relative = tidings_discover_scan_html (relative_base, strlen (relative_base),
                                         "http://site.example/a/b");
  g_assert_cmpuint (relative->len, ==, 1);
  assert_link (relative, 0, "http://site.example/sub/feed.rss", NULL, "application/rss+xml");

  /* A base that is not on the web is no base: the page's address serves. */
  script = tidings_discover_scan_html (script_base, strlen (script_base),
                                       "http://site.example/a/b");
  g_assert_cmpuint (script->len, ==, 1);
  assert_link (script, 0, "http://site.example/a/feed.rss", NULL, "application/rss+xml");
}

static void
test_relative (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("relative.html", "http://blog.example/posts/today/");

  /* The duplicate of /rss and the empty href are dropped; protocol-relative
   * takes the page's scheme. */
  g_assert_cmpuint (links->len, ==, 5);
  assert_link (links, 0, "http://blog.example/posts/feed", "Up one", "application/rss+xml");
  assert_link (links, 1, "http://blog.example/rss", "Rooted", "application/rss+xml");
  assert_link (links, 2, "http://feeds.example/atom", "Protocol-relative", "application/atom+xml");
  assert_link (links, 3, "http://blog.example/posts/today/index.rdf", "Beside",
               "application/rdf+xml");
  assert_link (links, 4, "http://blog.example/posts/today/feed.json", "Spaced",
               "application/feed+json");
}

static void
test_no_page_url (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("relative.html", NULL);

  /* Without an address for the page only what is absolute can be kept; a
   * protocol-relative address is taken to be https. */
  g_assert_cmpuint (links->len, ==, 1);
  assert_link (links, 0, "https://feeds.example/atom", "Protocol-relative", "application/atom+xml");
}

static void
test_rel_tokens (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("rel-tokens.html", "https://rel.example/");

  g_assert_cmpuint (links->len, ==, 4);
  assert_link (links, 0, "https://rel.example/both.atom", "Both", "application/atom+xml");
  /* rel="feed" needs no type; its format is not known until fetched. */
  assert_link (links, 1, "https://rel.example/untyped", "Untyped feed", NULL);
  assert_link (links, 2, "https://rel.example/capital.rss", "Capital A", "application/rss+xml");
  assert_link (links, 3, "https://rel.example/spread.rss", "Spread out", "application/rss+xml");
}

static void
test_uppercase (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("uppercase.html", "http://old.example/index.html");

  /* text/xml and application/xml count only when they say they are feeds. */
  g_assert_cmpuint (links->len, ==, 4);
  assert_link (links, 0, "http://old.example/NEWS.RSS", "SHOUTING", "application/rss+xml");
  assert_link (links, 1, "http://old.example/news.atom", "Parameters", "application/atom+xml");
  assert_link (links, 2, "http://old.example/backend.php", "RSS", NULL);
  assert_link (links, 3, "http://old.example/atom-old.xml", NULL, NULL);
}

static void
test_malformed (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("malformed.html", "https://mess.example/x/");
  gboolean after_mess = FALSE;

  /* Unquoted attributes are read; what follows the mess is still found. */
  g_assert_cmpuint (links->len, >=, 3);
  assert_link (links, 0, "https://mess.example/unquoted.rss", "Unquoted", "application/rss+xml");
  for (guint i = 1; i < links->len; i++)
    {
      TidingsFeedLink *link = links->pdata[i];

      if (g_strcmp0 (link->url, "https://mess.example/after-mess.rss") == 0)
        after_mess = TRUE;
    }
  g_assert_true (after_mess);
  assert_link (links, links->len - 1, "https://mess.example/amp.rss?a=1&b=2&c=3",
               "Fish & Chips é", "application/rss+xml");
}

static void
test_javascript_dropped (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("javascript.html", "https://hostile.example/");

  g_assert_cmpuint (links->len, ==, 1);
  assert_link (links, 0, "https://safe.example/feed", "Safe", "application/rss+xml");
}

static void
test_link_in_body (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("link-in-body.html", "https://shanty.example/");

  /* Found in the footer; not in a comment, not in a script's text. */
  g_assert_cmpuint (links->len, ==, 1);
  assert_link (links, 0, "https://shanty.example/shanties.rss", "Shanties", "application/rss+xml");
}

static void
test_no_feeds (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("no-feeds.html", "https://nofeed.example/");

  g_assert_cmpuint (links->len, ==, 0);
}

static void
test_charset (void)
{
  g_autoptr(GPtrArray) links = scan_fixture ("windows-1252.html", "https://cafe.example/");
  TidingsFeedLink *link;

  g_assert_cmpuint (links->len, ==, 1);
  link = links->pdata[0];
  g_assert_cmpstr (link->title, ==, "Le Café “quoted”");
  g_assert_true (g_utf8_validate (link->url, -1, NULL));
  g_assert_true (g_str_has_prefix (link->url, "https://cafe.example/caf"));
  g_assert_true (g_str_has_suffix (link->url, ".rss"));
}

static void
test_empty_and_binary (void)
{
  static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\x00<link";
  g_autoptr(GPtrArray) empty = tidings_discover_scan_html ("", 0, "https://e.example/");
  g_autoptr(GPtrArray) png = tidings_discover_scan_html (binary, sizeof binary - 1,
                                                         "https://e.example/");

  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_cmpuint (png->len, ==, 0);
}

static void
test_attribute_flood (void)
{
  g_autoptr(GString) page = g_string_new ("<html><head><meta");
  g_autoptr(GPtrArray) links = NULL;

  /* libxml2 compares each attribute with all before it; a tag with a
   * hundred thousand of them must not stall the scan. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (page, " a%u=\"%u\"", i, i);
  g_string_append (page, "><link rel=alternate type=application/rss+xml href=/flood.rss>"
                   "</head></html>");

  links = tidings_discover_scan_html (page->str, page->len, "https://flood.example/");
  g_assert_cmpuint (links->len, ==, 1);
  assert_link (links, 0, "https://flood.example/flood.rss", NULL, "application/rss+xml");
}

static void
test_end_tag_flood (void)
{
  g_autoptr(GString) page = g_string_new ("<html><head>"
                                          "<link rel=alternate type=application/rss+xml "
                                          "href=/early.rss></head><body>");
  g_autoptr(GPtrArray) links = NULL;

  /* libxml2 looks for each end tag through every open element: fifty
   * thousand unclosed ones and as many stray end tags would take it many
   * seconds. The page is given up on, keeping what was found. */
  for (guint i = 0; i < 50000; i++)
    g_string_append (page, "<b>");
  for (guint i = 0; i < 50000; i++)
    g_string_append (page, "</p>");
  g_string_append (page, "</body></html>");

  links = tidings_discover_scan_html (page->str, page->len, "https://flood.example/");
  g_assert_cmpuint (links->len, ==, 1);
  assert_link (links, 0, "https://flood.example/early.rss", NULL, "application/rss+xml");
}

static void
test_looks_like_html (void)
{
  static const struct
  {
    const char *data;
    const char *content_type;
    gboolean    html;
  } cases[] = {
    { "<!DOCTYPE html><html><head>", NULL, TRUE },
    { "\xEF\xBB\xBF\n  <!doctype HTML>\n<title>x</title>", NULL, TRUE },
    { "<html lang=\"en\"><body>hi", NULL, TRUE },
    { "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\">", NULL, TRUE },
    { "<!-- generated --><HEAD><TITLE>x</TITLE>", NULL, TRUE },
    { "<meta charset=utf-8><title>Tag omission</title>", NULL, TRUE },
    { "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>", NULL, FALSE },
    { "<?xml version=\"1.0\"?>\n<!-- <html> in a comment -->\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\">", NULL, FALSE },
    { "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">", NULL, FALSE },
    { "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\">\n"
      "<rss version=\"0.91\">", NULL, FALSE },
    { "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}", NULL, FALSE },
    /* A server that calls its feed text/html: the content decides. */
    { "<?xml version=\"1.0\"?><rss version=\"2.0\">", "text/html", FALSE },
    { "{\"version\": \"https://jsonfeed.org/version/1\"}", "text/html", FALSE },
    /* Nothing to tell by but the type. */
    { "Just words, no markup.", "text/html", TRUE },
    { "Just words, no markup.", "text/plain", FALSE },
    { "<unknown-root/>", NULL, FALSE },
    { "<unknown-root/>", "application/xhtml+xml", TRUE },
    { "", "text/html", TRUE },
    { "", NULL, FALSE },
    { "<!DOCTYPE htmlx><htmlx>", NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean html = tidings_discover_looks_like_html (cases[i].data, strlen (cases[i].data),
                                                         cases[i].content_type);

      if (html != cases[i].html)
        g_error ("Case %u (%s, %s): expected %s", i, cases[i].data,
                 cases[i].content_type ? cases[i].content_type : "no type",
                 cases[i].html ? "HTML" : "not HTML");
    }
}

static void
test_common_paths (void)
{
  const char * const expected[] = {
    "/feed", "/rss", "/atom.xml", "/feed.json", "/index.xml", NULL
  };

  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (tidings_discover_common_paths[i], ==, expected[i]);
  g_assert_null (tidings_discover_common_paths[G_N_ELEMENTS (expected) - 1]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/discover-html/wordpress", test_wordpress);
  g_test_add_func ("/discover-html/blogger", test_blogger);
  g_test_add_func ("/discover-html/jekyll", test_jekyll);
  g_test_add_func ("/discover-html/base-href", test_base_href);
  g_test_add_func ("/discover-html/base-relative-and-hostile", test_base_relative_and_hostile);
  g_test_add_func ("/discover-html/relative", test_relative);
  g_test_add_func ("/discover-html/no-page-url", test_no_page_url);
  g_test_add_func ("/discover-html/rel-tokens", test_rel_tokens);
  g_test_add_func ("/discover-html/uppercase", test_uppercase);
  g_test_add_func ("/discover-html/malformed", test_malformed);
  g_test_add_func ("/discover-html/javascript-dropped", test_javascript_dropped);
  g_test_add_func ("/discover-html/link-in-body", test_link_in_body);
  g_test_add_func ("/discover-html/no-feeds", test_no_feeds);
  g_test_add_func ("/discover-html/charset", test_charset);
  g_test_add_func ("/discover-html/empty-and-binary", test_empty_and_binary);
  g_test_add_func ("/discover-html/attribute-flood", test_attribute_flood);
  g_test_add_func ("/discover-html/end-tag-flood", test_end_tag_flood);
  g_test_add_func ("/discover-html/looks-like-html", test_looks_like_html);
  g_test_add_func ("/discover-html/common-paths", test_common_paths);

  return g_test_run ();
}
