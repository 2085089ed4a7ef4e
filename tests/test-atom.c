/* test-atom.c: Atom 1.0 and 0.3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tidings-test-utils.h"

static void
test_atom10_feed (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("atom10.xml", NULL, &items);
  TidingsAuthor *keeper;

  g_assert_cmpint (feed->format, ==, TIDINGS_FEED_FORMAT_ATOM10);
  g_assert_false (feed->recovered);
  /* type="html": markup is stripped from the title. */
  g_assert_cmpstr (feed->title, ==, "Lighthouse Log");
  g_assert_cmpstr (feed->description, ==, "Keeping the lamp lit");
  /* xml:base on the root resolves the feed's own links. */
  g_assert_cmpstr (feed->home_page_url, ==, "https://lighthouse.example/blog/");
  g_assert_cmpstr (feed->feed_url, ==, "https://lighthouse.example/feeds/atom.xml");
  g_assert_cmpstr (feed->favicon, ==, "https://lighthouse.example/favicon.ico");
  g_assert_cmpstr (feed->icon, ==, "https://lighthouse.example/logo.png");
  g_assert_cmpstr (feed->language, ==, "en");
  assert_date (feed->date_modified, "2005-07-31T12:29:29Z");

  keeper = feed->authors->pdata[0];
  g_assert_cmpstr (keeper->name, ==, "Keeper Jones");
  g_assert_cmpstr (keeper->url, ==, "https://lighthouse.example/about");
  g_assert_cmpuint (items->len, ==, 3);
}

static void
test_atom10_entry (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("atom10.xml", NULL, &items);
  TidingsItem *lamp = item_at (items, 0);
  TidingsAttachment *tour;

  g_assert_cmpstr (lamp->id, ==, "tag:lighthouse.example,2005:lamp");
  g_assert_cmpstr (lamp->url, ==, "https://lighthouse.example/blog/2005/07/lamp");
  g_assert_cmpstr (lamp->external_url, ==, "https://other.example/lenses");
  g_assert_cmpstr (lamp->title, ==, "Lamp & lens");
  g_assert_cmpstr (lamp->summary, ==, "The lens was cleaned.");
  /* xhtml content: the wrapping div is not content, and the content's own
   * xml:base resolves its links. */
  g_assert_null (strstr (lamp->content_html, "<div"));
  g_assert_nonnull (strstr (lamp->content_html,
                            "<a href=\"https://lighthouse.example/blog/2005/07/lens.html\">"
                            "Fresnel lens</a> was cleaned &amp; polished."));
  g_assert_nonnull (strstr (lamp->content_html,
                            "src=\"https://lighthouse.example/blog/2005/07/lens.jpg\""));
  assert_date (lamp->date_published, "2005-07-30T13:00:00Z");
  assert_date (lamp->date_modified, "2005-07-31T12:29:29.5Z");
  g_assert_cmpstr (((TidingsAuthor *) lamp->authors->pdata[0])->name, ==, "Anna Wick");
  g_assert_cmpuint (lamp->tags->len, ==, 2);
  g_assert_cmpstr (lamp->tags->pdata[0], ==, "optics");
  g_assert_cmpstr (lamp->tags->pdata[1], ==, "maintenance");
  g_assert_cmpstr (lamp->language, ==, "en");

  g_assert_cmpuint (lamp->attachments->len, ==, 1);
  tour = lamp->attachments->pdata[0];
  g_assert_cmpstr (tour->url, ==, "https://lighthouse.example/audio/lamp.ogg");
  g_assert_cmpstr (tour->mime_type, ==, "audio/ogg");
  g_assert_cmpstr (tour->title, ==, "Audio tour");
  g_assert_cmpint (tour->size_in_bytes, ==, 1337);
}

static void
test_atom10_text_constructs (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("atom10.xml", NULL, &items);
  TidingsItem *text = item_at (items, 1);
  TidingsItem *html = item_at (items, 2);

  /* type="text" is literal, angle brackets and all. */
  g_assert_cmpstr (text->title, ==, "Texte <brut>");
  g_assert_cmpstr (text->content_text, ==, "Ligne un\nLigne deux & <trois>");
  g_assert_nonnull (text->content_html);
  g_assert_nonnull (strstr (text->content_html, "&lt;trois&gt;"));
  g_assert_cmpstr (text->language, ==, "fr");
  /* Only updated given: it is the publication date too. */
  assert_date (text->date_published, "2005-08-01T00:00:00Z");

  g_assert_cmpstr (html->title, ==, "Bold move");
  g_assert_null (strstr (html->content_html, "onclick"));
  g_assert_null (strstr (html->content_html, "javascript"));
  g_assert_nonnull (strstr (html->content_html, "Escaped"));
  /* atom:source describes another feed; its title is not the entry's. */
  g_assert_cmpstr (html->id, ==, "tag:lighthouse.example,2005:html");
  g_assert_cmpstr (feed->title, ==, "Lighthouse Log");
}

static void
test_atom03 (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("atom03.xml", NULL, &items);
  TidingsItem *high;

  g_assert_cmpint (feed->format, ==, TIDINGS_FEED_FORMAT_ATOM03);
  g_assert_cmpstr (tidings_feed_format_to_string (feed->format), ==, "atom0.3");
  /* mode="escaped" type="text/html": "&amp;amp;" is an escaped "&amp;". */
  g_assert_cmpstr (feed->title, ==, "Tide & Time");
  g_assert_cmpstr (feed->description, ==, "Tables of the tide");
  g_assert_cmpstr (feed->home_page_url, ==, "http://tide.example/");
  assert_date (feed->date_modified, "2004-01-01T00:00:00Z");
  g_assert_cmpstr (((TidingsAuthor *) feed->authors->pdata[0])->url, ==,
                   "http://tide.example/neap");

  g_assert_cmpuint (items->len, ==, 1);
  high = item_at (items, 0);
  g_assert_cmpstr (high->url, ==, "http://tide.example/high");
  /* mode="base64" */
  g_assert_cmpstr (high->content_html, ==, "<p>High water at <b>3:04</b></p>");
  assert_date (high->date_published, "2004-01-02T02:04:05Z");
  assert_date (high->date_modified, "2004-01-02T05:00:00Z");
}

static void
test_atom_without_namespace (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<feed version=\"0.3\"><title>Bare</title>"
                  "<entry><title>E</title><id>e1</id>"
                  "<link rel=\"alternate\" href=\"http://bare.example/e\"/></entry></feed>",
                  -1, NULL, &items);

  g_assert_cmpint (feed->format, ==, TIDINGS_FEED_FORMAT_ATOM03);
  g_assert_cmpstr (feed->title, ==, "Bare");
  g_assert_cmpstr (item_at (items, 0)->url, ==, "http://bare.example/e");
}

static void
test_link_preference (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>L</title>"
                  "<entry><id>1</id>"
                  "<link rel=\"self\" href=\"http://l.example/self\"/>"
                  "<link rel=\"alternate\" type=\"application/pdf\" href=\"http://l.example/pdf\"/>"
                  "<link rel=\"alternate\" type=\"text/html\" href=\"http://l.example/html\"/>"
                  "<link rel=\"alternate\" type=\"text/html\" href=\"http://l.example/second\"/>"
                  "</entry></feed>", -1, NULL, &items);

  /* The first HTML alternate, never self. */
  g_assert_cmpstr (item_at (items, 0)->url, ==, "http://l.example/html");
}

static void
test_xhtml_content_escaping (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>X</title><entry><id>1</id>"
                  "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
                  "1 &lt; 2 &amp;&amp; <code>&lt;tag&gt;</code>"
                  "<script>alert(1)</script></div></content></entry></feed>",
                  -1, NULL, &items);

  g_assert_cmpstr (item_at (items, 0)->content_html, ==,
                   "1 &lt; 2 &amp;&amp; <code>&lt;tag&gt;</code>");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atom/1.0/feed", test_atom10_feed);
  g_test_add_func ("/atom/1.0/entry", test_atom10_entry);
  g_test_add_func ("/atom/1.0/text-constructs", test_atom10_text_constructs);
  g_test_add_func ("/atom/1.0/link-preference", test_link_preference);
  g_test_add_func ("/atom/1.0/xhtml-escaping", test_xhtml_content_escaping);
  g_test_add_func ("/atom/0.3", test_atom03);
  g_test_add_func ("/atom/0.3/no-namespace", test_atom_without_namespace);

  return g_test_run ();
}
