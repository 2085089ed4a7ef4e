/* test-rss.c: RSS 0.9x and 2.0, and the repairs broken RSS needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tidings-test-utils.h"

static void
test_rss20_channel (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("rss20.xml", NULL, &items);
  TidingsAuthor *editor;

  g_assert_cmpint (feed->format, ==, TIDINGS_FEED_FORMAT_RSS20);
  g_assert_cmpstr (tidings_feed_format_to_string (feed->format), ==, "rss2.0");
  g_assert_false (feed->recovered);
  g_assert_cmpstr (feed->title, ==, "Harbour Gazette");
  g_assert_cmpstr (feed->home_page_url, ==, "https://harbour.example/");
  g_assert_cmpstr (feed->feed_url, ==, "https://harbour.example/feed.xml");
  /* Markup in a channel description is stripped: descriptions are text. */
  g_assert_cmpstr (feed->description, ==, "News from the harbour & the bay");
  g_assert_cmpstr (feed->language, ==, "en-gb");
  g_assert_cmpstr (feed->icon, ==, "https://harbour.example/logo.png");
  g_assert_cmpuint (feed->ttl_minutes, ==, 90);
  assert_date (feed->date_modified, "2003-06-10T04:00:00Z");

  g_assert_cmpuint (feed->authors->len, ==, 1);
  editor = feed->authors->pdata[0];
  g_assert_cmpstr (editor->name, ==, "Mary Quay");
  g_assert_cmpstr (editor->url, ==, "mailto:editor@harbour.example");

  g_assert_cmpuint (items->len, ==, 4);
}

static void
test_rss20_items (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("rss20.xml", NULL, &items);
  TidingsItem *ships = item_at (items, 0);
  TidingsItem *fog = item_at (items, 1);
  TidingsItem *permalink = item_at (items, 2);
  TidingsAttachment *audio;
  TidingsAuthor *author;

  g_assert_cmpstr (ships->id, ==, "https://harbour.example/2003/06/ships");
  g_assert_cmpstr (ships->url, ==, "https://harbour.example/2003/06/ships");
  g_assert_cmpstr (ships->title, ==, "Tall ship & tug arrive");
  /* content:encoded is the body, sanitised, its links made absolute
   * against the home page; the description becomes the summary. */
  g_assert_nonnull (strstr (ships->content_html, "href=\"https://harbour.example/berths/4\""));
  g_assert_nonnull (strstr (ships->content_html, "src=\"https://harbour.example/img/ship.jpg\""));
  g_assert_null (strstr (ships->content_html, "script"));
  g_assert_null (strstr (ships->content_html, "track()"));
  g_assert_null (strstr (ships->content_html, "onerror"));
  g_assert_cmpstr (ships->summary, ==, "Two vessels berthed today.");
  g_assert_null (ships->content_text);
  assert_date (ships->date_published, "2003-06-03T09:39:21Z");
  g_assert_cmpuint (ships->authors->len, ==, 1);
  author = ships->authors->pdata[0];
  g_assert_cmpstr (author->name, ==, "Sam Pilot");

  /* Repeated categories are one tag. */
  g_assert_cmpuint (ships->tags->len, ==, 2);
  g_assert_cmpstr (ships->tags->pdata[0], ==, "Shipping");
  g_assert_cmpstr (ships->tags->pdata[1], ==, "Port");

  g_assert_cmpuint (ships->attachments->len, ==, 1);
  audio = ships->attachments->pdata[0];
  g_assert_cmpstr (audio->url, ==, "https://harbour.example/audio/ships.mp3");
  g_assert_cmpstr (audio->mime_type, ==, "audio/mpeg");
  g_assert_cmpint (audio->size_in_bytes, ==, 24986239);
  g_assert_cmpint (audio->duration_in_seconds, ==, -1);

  /* isPermaLink="false": an id, not a link. */
  g_assert_cmpstr (fog->id, ==, "fog-2003-06-04");
  g_assert_null (fog->url);
  g_assert_cmpstr (fog->content_html, ==, "Visibility below 100 m <i>all</i> morning.");
  g_assert_null (fog->summary);
  assert_date (fog->date_published, "2003-06-04T04:00:00Z");
  author = fog->authors->pdata[0];
  g_assert_cmpstr (author->name, ==, "Coastguard");
  g_assert_cmpstr (author->url, ==, "mailto:coast@harbour.example");

  /* A guid that is a permalink serves as the link. */
  g_assert_cmpstr (permalink->url, ==, "https://harbour.example/2003/06/permalink");
  g_assert_cmpstr (permalink->id, ==, "https://harbour.example/2003/06/permalink");
}

static void
test_derived_ids_are_stable (void)
{
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) other = NULL;
  g_autoptr(TidingsFeed) feed1 = parse_fixture ("rss20.xml", NULL, &first);
  g_autoptr(TidingsFeed) feed2 = parse_fixture ("rss20.xml", "https://mirror.example/feed", &second);
  g_autoptr(TidingsFeed) feed3 = NULL;
  const char *id = item_at (first, 3)->id;

  g_assert_true (g_str_has_prefix (id, "tidings:"));
  g_assert_cmpstr (id, ==, item_at (second, 3)->id);

  feed3 = parse_string ("<rss version='2.0'><channel><title>t</title>"
                        "<item><description>No title, no link, no guid: an id is changed."
                        "</description><pubDate>Thu, 05 Jun 2003 12:00:00 GMT</pubDate></item>"
                        "</channel></rss>", -1, NULL, &other);
  g_assert_true (g_str_has_prefix (item_at (other, 0)->id, "tidings:"));
  g_assert_cmpstr (item_at (other, 0)->id, !=, id);
}

static void
test_rss091_html_entities (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("rss091.xml", NULL, &items);

  g_assert_cmpint (feed->format, ==, TIDINGS_FEED_FORMAT_RSS091);
  g_assert_cmpstr (feed->description, ==, "Grain prices & gossip");
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (item_at (items, 0)->title, ==, "Flour up 3\xc3\xa9");
  g_assert_cmpstr (item_at (items, 0)->content_html, ==, "Prices rose\xc2\xa0" "again.");
  /* HTML entities are not XML: the document was repaired to be read. */
  g_assert_true (feed->recovered);
  g_assert_true (has_warning (feed, "HTML entities"));
}

static void
test_rss09x_latin1 (void)
{
  static const struct
  {
    const char        *file;
    TidingsFeedFormat  format;
  } cases[] = {
    { "rss092-latin1.xml", TIDINGS_FEED_FORMAT_RSS092 },
    { "rss093-latin1.xml", TIDINGS_FEED_FORMAT_RSS093 },
    { "rss094-latin1.xml", TIDINGS_FEED_FORMAT_RSS094 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) items = NULL;
      g_autoptr(TidingsFeed) feed = parse_fixture (cases[i].file, NULL, &items);
      TidingsAttachment *pdf;

      g_assert_cmpint (feed->format, ==, cases[i].format);
      g_assert_false (feed->recovered);
      g_assert_cmpstr (feed->title, ==, "Caf\xc3\xa9 Lumi\xc3\xa8re");
      g_assert_cmpstr (item_at (items, 0)->title, ==, "Cr\xc3\xaapes");
      g_assert_cmpstr (item_at (items, 0)->content_html, ==, "Sweet &amp; savoury");
      pdf = item_at (items, 0)->attachments->pdata[0];
      g_assert_cmpstr (pdf->mime_type, ==, "application/pdf");
      g_assert_cmpint (pdf->size_in_bytes, ==, 5000);
    }
}

static void
test_podcast (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = parse_fixture ("podcast.xml", NULL, &items);
  TidingsItem *one = item_at (items, 0);
  TidingsItem *two = item_at (items, 1);
  TidingsAttachment *attachment;

  g_assert_cmpstr (feed->icon, ==, "https://deepwater.example/cover.jpg");
  g_assert_cmpstr (((TidingsAuthor *) feed->authors->pdata[0])->name, ==, "Deep Water Crew");

  g_assert_cmpstr (one->summary, ==, "Where the currents go.");
  g_assert_cmpstr (one->image, ==, "https://deepwater.example/ep1.jpg");
  /* EST is five hours behind UTC. */
  assert_date (one->date_published, "2024-01-01T15:00:00Z");
  attachment = one->attachments->pdata[0];
  g_assert_cmpint (attachment->duration_in_seconds, ==, 3723);
  g_assert_cmpint (attachment->size_in_bytes, ==, 61000000);

  /* Media RSS: the video is an attachment, the picture the image. */
  g_assert_cmpuint (two->attachments->len, ==, 1);
  attachment = two->attachments->pdata[0];
  g_assert_cmpstr (attachment->url, ==, "https://deepwater.example/ep2.webm");
  g_assert_cmpstr (attachment->mime_type, ==, "video/webm");
  g_assert_cmpint (attachment->size_in_bytes, ==, 9000);
  g_assert_cmpint (attachment->duration_in_seconds, ==, 125);
  g_assert_cmpstr (two->image, ==, "https://deepwater.example/ep2.jpg");
  g_assert_cmpstr (two->summary, ==, "Coral and colour.");
}

static void
test_podcast_durations (void)
{
  static const struct
  {
    const char *text;
    gint64      seconds;
  } cases[] = {
    { "75", 75 }, { "1:15", 75 }, { "01:01:15", 3675 }, { " 2:00 ", 120 },
    { "1:75", -1 }, { "a:b", -1 }, { "1:2:3:4", -1 }, { "-5", -1 }, { "", -1 },
    /* Found by the fuzzer: would overflow when multiplied out. */
    { "9999999999999999999:00", -1 }, { "99999999999:59:59", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *doc = g_strdup_printf (
        "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">"
        "<channel><item><guid>g</guid><itunes:duration>%s</itunes:duration>"
        "<enclosure url=\"http://p.example/a.mp3\" type=\"audio/mpeg\"/></item></channel></rss>",
        cases[i].text);
      g_autoptr(GPtrArray) items = NULL;
      g_autoptr(TidingsFeed) feed = parse_string (doc, -1, NULL, &items);
      TidingsAttachment *attachment = item_at (items, 0)->attachments->pdata[0];

      g_assert_cmpint (attachment->duration_in_seconds, ==, cases[i].seconds);
    }
}

static void
test_bare_ampersands (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>AT&T & friends</title>"
                  "<item><title>Q&A</title><link>http://x.example/?a=1&b=2</link>"
                  "<description><![CDATA[<p>Fish &amp; chips & peas</p>]]></description>"
                  "</item></channel></rss>", -1, NULL, &items);

  g_assert_true (feed->recovered);
  g_assert_cmpstr (feed->title, ==, "AT&T & friends");
  g_assert_cmpstr (item_at (items, 0)->title, ==, "Q&A");
  g_assert_cmpstr (item_at (items, 0)->url, ==, "http://x.example/?a=1&b=2");
  /* Inside CDATA an ampersand is text already and must not be doubled. */
  g_assert_cmpstr (item_at (items, 0)->content_html, ==, "<p>Fish &amp; chips &amp; peas</p>");
}

static void
test_control_characters (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>Bell\x07 and\x0b tab\tok</title>"
                  "<item><title>A\x01" "B</title></item></channel></rss>", -1, NULL, &items);

  g_assert_true (feed->recovered);
  g_assert_cmpstr (feed->title, ==, "Bell and tab ok");
  g_assert_cmpstr (item_at (items, 0)->title, ==, "AB");
}

static void
test_truncated (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>Cut</title>"
                  "<item><title>Whole</title><guid>a</guid></item>"
                  "<item><title>Half</title><guid>b</guid><description>Begun but"
                  , -1, NULL, &items);

  g_assert_true (feed->recovered);
  g_assert_cmpstr (feed->title, ==, "Cut");
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (item_at (items, 0)->title, ==, "Whole");
  g_assert_cmpstr (item_at (items, 1)->title, ==, "Half");
  g_assert_cmpstr (item_at (items, 1)->id, ==, "b");
  g_assert_cmpstr (item_at (items, 1)->content_html, ==, "Begun but");
}

static void
test_undeclared_8bit (void)
{
  g_autoptr(GPtrArray) items = NULL;
  /* No declaration, Latin-1 bytes and windows-1252 curly quotes. */
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>Caf\xe9 \x93quoted\x94</title>"
                  "<item><title>na\xefve</title></item></channel></rss>", -1, NULL, &items);

  g_assert_true (feed->recovered);
  g_assert_cmpstr (feed->title, ==, "Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d");
  g_assert_cmpstr (item_at (items, 0)->title, ==, "na\xc3\xafve");
}

static void
test_declared_latin1_but_utf8 (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
                  "<rss version=\"2.0\"><channel><title>Caf\xc3\xa9</title>"
                  "</channel></rss>", -1, NULL, &items);

  /* The declaration is wrong: the bytes are UTF-8, and read as such. */
  g_assert_cmpstr (feed->title, ==, "Caf\xc3\xa9");
  g_assert_true (has_warning (feed, "UTF-8"));
}

static void
test_declared_other_charset (void)
{
  g_autoptr(GPtrArray) items = NULL;
  /* KOI8-R "Привет" */
  g_autoptr(TidingsFeed) feed =
    parse_string ("<?xml version=\"1.0\" encoding=\"KOI8-R\"?>"
                  "<rss version=\"2.0\"><channel><title>\xf0\xd2\xc9\xd7\xc5\xd4</title>"
                  "</channel></rss>", -1, NULL, &items);

  g_assert_cmpstr (feed->title, ==, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
  g_assert_false (feed->recovered);
}

static void
test_undeclared_prefix (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>t</title><item><title>i</title>"
                  "<dc:creator>Forgot Namespace</dc:creator>"
                  "<content:encoded>&lt;p&gt;Body&lt;/p&gt;</content:encoded>"
                  "</item></channel></rss>", -1, NULL, &items);
  TidingsItem *item = item_at (items, 0);

  g_assert_cmpstr (((TidingsAuthor *) item->authors->pdata[0])->name, ==, "Forgot Namespace");
  g_assert_cmpstr (item->content_html, ==, "<p>Body</p>");
}

static void
test_html_entity_in_attribute (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>t</title><item>"
                  "<description>see <a href=\"http://x.example/\" title=\"Caf&eacute; &Pi;\">it"
                  "</a></description></item></channel></rss>", -1, NULL, &items);

  /* A multi-byte character from an HTML entity, whole, in an attribute. */
  g_assert_cmpstr (item_at (items, 0)->content_html, ==,
                   "see <a href=\"http://x.example/\" title=\"Caf\xc3\xa9 \xce\xa0\">it</a>");
}

static void
test_unescaped_markup_in_description (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>t</title><item>"
                  "<description>Raw <b>bold</b> &amp; <a href=\"http://a.example/\">link</a>"
                  "<br/>end</description></item></channel></rss>", -1, NULL, &items);

  g_assert_cmpstr (item_at (items, 0)->content_html, ==,
                   "Raw <b>bold</b> &amp; <a href=\"http://a.example/\">link</a><br>end");
}

static void
test_external_entities_refused (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFeed) feed = NULL;
  const char *document =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">"
    "<!ENTITY remote SYSTEM \"http://127.0.0.1:9/canary\">"
    "<!ENTITY % dtd SYSTEM \"http://127.0.0.1:9/dtd\"> %dtd;]>"
    "<rss version=\"2.0\"><channel><title>a&xxe;b&remote;c</title></channel></rss>";

  feed = tidings_parse_data (document, strlen (document), NULL, &items, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (feed->title, ==, "abc");
  g_assert_true (feed->recovered);
}

static void
test_entity_expansion_refused (void)
{
  g_autoptr(GString) document = g_string_new ("<?xml version=\"1.0\"?><!DOCTYPE rss [");
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = NULL;

  /* A billion laughs: lol9 would be 3 GB if expanded. */
  g_string_append (document, "<!ENTITY lol0 \"lol\">");
  for (int i = 1; i < 10; i++)
    g_string_append_printf (document,
                            "<!ENTITY lol%d \"&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;"
                            "&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;\">",
                            i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                            i - 1);
  g_string_append (document, "]><rss version=\"2.0\"><channel><title>x&lol9;y</title>"
                             "<item><title>&lol9;</title><guid>g</guid></item></channel></rss>");

  feed = parse_string (document->str, document->len, NULL, &items);
  g_assert_cmpstr (feed->title, ==, "xy");
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_null (item_at (items, 0)->title);
}

static void
test_xml_base_in_rss (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\" xml:base=\"http://base.example/dir/\"><channel>"
                  "<title>t</title><link>home/</link>"
                  "<item xml:base=\"http://other.example/x/\"><title>i</title><link>page</link>"
                  "<description>&lt;a href=\"rel\"&gt;r&lt;/a&gt;</description></item>"
                  "</channel></rss>", -1, "http://fetched.example/feed.xml", &items);

  g_assert_cmpstr (feed->home_page_url, ==, "http://base.example/dir/home/");
  g_assert_cmpstr (item_at (items, 0)->url, ==, "http://other.example/x/page");
  g_assert_cmpstr (item_at (items, 0)->content_html, ==,
                   "<a href=\"http://other.example/x/rel\">r</a>");
}

static void
test_relative_links_without_base (void)
{
  g_autoptr(GPtrArray) items = NULL;
  /* Fetched from the web: the feed's URL is the base. */
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>t</title><link>http://home.example/</link>"
                  "<item><link>/a</link></item></channel></rss>", -1,
                  "https://cdn.example/feeds/rss", &items);
  g_autoptr(GPtrArray) local_items = NULL;
  g_autoptr(TidingsFeed) local = NULL;

  g_assert_cmpstr (item_at (items, 0)->url, ==, "https://cdn.example/a");

  /* A local file is no base for the web: the home page is used instead. */
  local = parse_string ("<rss version=\"2.0\"><channel><title>t</title>"
                        "<link>http://home.example/</link>"
                        "<item><link>/a</link></item></channel></rss>", -1,
                        "file:///tmp/feed.xml", &local_items);
  g_assert_cmpstr (item_at (local_items, 0)->url, ==, "http://home.example/a");
}

static void
test_unsafe_links_dropped (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>t</title><item><title>i</title>"
                  "<link>javascript:alert(1)</link>"
                  "<enclosure url=\"file:///etc/passwd\" type=\"text/plain\" length=\"1\"/>"
                  "<enclosure url=\"http://ok.example/a.mp3\" type=\"audio/mpeg\" length=\"1\"/>"
                  "</item></channel></rss>", -1, NULL, &items);
  TidingsItem *item = item_at (items, 0);

  g_assert_null (item->url);
  g_assert_cmpuint (item->attachments->len, ==, 1);
  g_assert_cmpstr (((TidingsAttachment *) item->attachments->pdata[0])->url, ==,
                   "http://ok.example/a.mp3");
}

static void
test_bad_date_warns (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed =
    parse_string ("<rss version=\"2.0\"><channel><title>t</title><item><title>i</title>"
                  "<pubDate>the day after tomorrow</pubDate></item></channel></rss>", -1, NULL,
                  &items);

  /* Never invented. */
  g_assert_cmpint (item_at (items, 0)->date_published, ==, TIDINGS_DATE_UNSET);
  g_assert_true (has_warning (feed, "the day after tomorrow"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rss/2.0/channel", test_rss20_channel);
  g_test_add_func ("/rss/2.0/items", test_rss20_items);
  g_test_add_func ("/rss/derived-ids", test_derived_ids_are_stable);
  g_test_add_func ("/rss/0.91/html-entities", test_rss091_html_entities);
  g_test_add_func ("/rss/0.9x/latin1", test_rss09x_latin1);
  g_test_add_func ("/rss/podcast", test_podcast);
  g_test_add_func ("/rss/podcast-durations", test_podcast_durations);
  g_test_add_func ("/rss/recover/bare-ampersands", test_bare_ampersands);
  g_test_add_func ("/rss/recover/control-characters", test_control_characters);
  g_test_add_func ("/rss/recover/truncated", test_truncated);
  g_test_add_func ("/rss/recover/undeclared-8bit", test_undeclared_8bit);
  g_test_add_func ("/rss/recover/declared-latin1-but-utf8", test_declared_latin1_but_utf8);
  g_test_add_func ("/rss/charset/koi8-r", test_declared_other_charset);
  g_test_add_func ("/rss/recover/undeclared-prefix", test_undeclared_prefix);
  g_test_add_func ("/rss/unescaped-markup", test_unescaped_markup_in_description);
  g_test_add_func ("/rss/html-entity-in-attribute", test_html_entity_in_attribute);
  g_test_add_func ("/rss/safety/external-entities", test_external_entities_refused);
  g_test_add_func ("/rss/safety/entity-expansion", test_entity_expansion_refused);
  g_test_add_func ("/rss/safety/unsafe-links", test_unsafe_links_dropped);
  g_test_add_func ("/rss/xml-base", test_xml_base_in_rss);
  g_test_add_func ("/rss/relative-links", test_relative_links_without_base);
  g_test_add_func ("/rss/bad-date", test_bad_date_warns);

  return g_test_run ();
}
