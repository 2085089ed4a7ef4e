/* test-rdf.c: RSS 1.0 (RDF) with its modules, and RSS 0.90
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tidings-test-utils.h"

static void
test_rss10 (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("rdf.xml", NULL, &items);
  TidingsItem *bees;
  TidingsItem *frost;

  g_assert_cmpint (feed->format, ==, TIDINGS_FEED_FORMAT_RDF);
  g_assert_cmpstr (tidings_feed_format_to_string (feed->format), ==, "rdf");
  g_assert_false (feed->recovered);
  g_assert_cmpstr (feed->title, ==, "Meadow Notes");
  g_assert_cmpstr (feed->home_page_url, ==, "http://meadow.example/");
  g_assert_cmpstr (feed->language, ==, "de");
  g_assert_cmpstr (((TidingsAuthor *) feed->authors->pdata[0])->name, ==, "Ida Lind");
  /* sy:updatePeriod hourly, sy:updateFrequency 2: every 30 minutes. */
  g_assert_cmpuint (feed->ttl_minutes, ==, 30);

  /* Items sit beside the channel, not inside it. */
  g_assert_cmpuint (items->len, ==, 2);
  bees = item_at (items, 0);
  g_assert_cmpstr (bees->url, ==, "http://meadow.example/bees");
  g_assert_cmpstr (bees->id, ==, "http://meadow.example/bees");
  g_assert_cmpstr (bees->content_html, ==, "<p>The <em>hives</em> are busy.</p>");
  g_assert_cmpstr (bees->summary, ==, "The hives are busy.");
  assert_date (bees->date_published, "2004-05-02T06:30:00Z");
  g_assert_cmpstr (bees->tags->pdata[0], ==, "Insects");

  frost = item_at (items, 1);
  g_assert_cmpstr (frost->title, ==, "Late frost");
  /* A W3C-DTF date of reduced precision. */
  assert_date (frost->date_published, "2004-05-03T00:00:00Z");
}

static void
test_rss090 (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("rss090.xml", NULL, &items);

  g_assert_cmpint (feed->format, ==, TIDINGS_FEED_FORMAT_RSS090);
  g_assert_cmpstr (tidings_feed_format_to_string (feed->format), ==, "rss0.90");
  g_assert_cmpstr (feed->title, ==, "Mozilla Dot Org");
  g_assert_cmpstr (feed->icon, ==, "http://www.mozilla.org/images/moz.gif");
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (item_at (items, 0)->title, ==, "New Status Updates");
  g_assert_cmpstr (item_at (items, 1)->url, ==, "http://www.mozilla.org/bugs/");
}

static void
test_dublin_core_only (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
                  "xmlns=\"http://purl.org/rss/1.0/\" "
                  "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                  "xmlns:dcterms=\"http://purl.org/dc/terms/\">"
                  "<channel><dc:title>DC title</dc:title></channel>"
                  "<item><dc:title>Only DC</dc:title><dc:identifier>urn:x:1</dc:identifier>"
                  "<dc:description>Said &lt;i&gt;so&lt;/i&gt;</dc:description>"
                  "<dcterms:modified>2010-02-03T04:05:06Z</dcterms:modified>"
                  "<dc:subject>A</dc:subject><dc:subject>B</dc:subject></item></rdf:RDF>",
                  -1, NULL, &items);
  TidingsItem *item = item_at (items, 0);

  g_assert_cmpstr (feed->title, ==, "DC title");
  g_assert_cmpstr (item->title, ==, "Only DC");
  g_assert_cmpstr (item->id, ==, "urn:x:1");
  /* Not a web address: no link. */
  g_assert_null (item->url);
  g_assert_cmpstr (item->content_html, ==, "Said <i>so</i>");
  assert_date (item->date_modified, "2010-02-03T04:05:06Z");
  g_assert_cmpuint (item->tags->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rdf/rss1.0", test_rss10);
  g_test_add_func ("/rdf/rss0.90", test_rss090);
  g_test_add_func ("/rdf/dublin-core", test_dublin_core_only);

  return g_test_run ();
}
