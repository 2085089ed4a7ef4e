/* test-parser.c: format detection, errors, streaming and threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tidings-feed-writer.h"
#include "tidings-test-utils.h"

static void
assert_parse_error (const char *document,
                    gssize      len,
                    int         code,
                    const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = NULL;

  if (len < 0)
    len = strlen (document);
  feed = tidings_parse_data (document, len, NULL, &items, &error);
  g_assert_null (feed);
  g_assert_error (error, TIDINGS_PARSE_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, fragment);
}

static void
test_detect_format_from_content (void)
{
  static const struct
  {
    const char        *document;
    TidingsFeedFormat  format;
  } cases[] = {
    { "<rss version=\"2.0\"><channel/></rss>", TIDINGS_FEED_FORMAT_RSS20 },
    { "<rss version=\"2.0.1\"><channel/></rss>", TIDINGS_FEED_FORMAT_RSS20 },
    { "<rss><channel/></rss>", TIDINGS_FEED_FORMAT_RSS },
    { "<rss version=\"0.91\"><channel/></rss>", TIDINGS_FEED_FORMAT_RSS091 },
    { "  \n<channel><title>bare</title></channel>", TIDINGS_FEED_FORMAT_RSS },
    { "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", TIDINGS_FEED_FORMAT_ATOM10 },
    { "<feed xmlns=\"http://purl.org/atom/ns#\"/>", TIDINGS_FEED_FORMAT_ATOM03 },
    { "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
      "xmlns=\"http://purl.org/rss/1.0/\"><channel/></rdf:RDF>", TIDINGS_FEED_FORMAT_RDF },
    { "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}",
      TIDINGS_FEED_FORMAT_JSON11 },
    { "\xef\xbb\xbf {\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}",
      TIDINGS_FEED_FORMAT_JSON10 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) items = NULL;
      g_autoptr(TidingsFeed) feed = parse_string (cases[i].document, -1, NULL, &items);

      g_assert_cmpint (feed->format, ==, cases[i].format);
    }
}

static void
test_errors (void)
{
  assert_parse_error ("", 0, TIDINGS_PARSE_ERROR_EMPTY, "empty");
  assert_parse_error (" \n\t\r\n ", -1, TIDINGS_PARSE_ERROR_EMPTY, "empty");
  assert_parse_error ("<!DOCTYPE html><html><head><title>Shop</title></head><body/></html>", -1,
                      TIDINGS_PARSE_ERROR_NOT_A_FEED, "HTML page");
  assert_parse_error ("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", -1,
                      TIDINGS_PARSE_ERROR_NOT_A_FEED, "<svg>");
  assert_parse_error ("{\"hello\": \"world\"}", -1, TIDINGS_PARSE_ERROR_NOT_A_FEED, NULL);
  assert_parse_error ("{\"version\": ", -1, TIDINGS_PARSE_ERROR_MALFORMED, NULL);
  assert_parse_error ("hello, world", -1, TIDINGS_PARSE_ERROR_NOT_A_FEED, "neither XML nor JSON");
  assert_parse_error ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, TIDINGS_PARSE_ERROR_NOT_A_FEED, NULL);
  /* Markup, but no element at all: what libxml2 found wrong, and where. */
  assert_parse_error ("<<<<>>>>", -1, TIDINGS_PARSE_ERROR_MALFORMED, "line 1, column");
}

typedef struct
{
  GString *json;
  guint    n_items;
} Collected;

static void
write_item (TidingsItem *item,
            gpointer     user_data)
{
  Collected *collected = user_data;
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(TidingsFeedWriter) writer = tidings_feed_writer_new (stream);
  g_autoptr(TidingsFeed) empty = tidings_feed_new ();

  /* Serialise each item on its own, to compare whole runs byte for byte. */
  tidings_feed_writer_add_item (writer, item, NULL);
  tidings_feed_writer_finish (writer, empty, NULL);
  g_string_append_len (collected->json,
                       g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  collected->n_items++;
  tidings_item_free (item);
}

static char *
parse_in_chunks (const char *document,
                 gsize       len,
                 gsize       chunk,
                 guint       n_threads,
                 guint      *n_items)
{
  Collected collected = { g_string_new (NULL), 0 };
  g_autoptr(TidingsParser) parser = tidings_parser_new ("https://feeds.example/x", write_item,
                                                        &collected);
  g_autoptr(TidingsFeed) feed = NULL;
  g_autoptr(GError) error = NULL;

  tidings_parser_set_threads (parser, n_threads);
  for (gsize offset = 0; offset < len; offset += chunk)
    {
      gboolean ok = tidings_parser_push (parser, document + offset, MIN (chunk, len - offset),
                                         &error);

      g_assert_no_error (error);
      g_assert_true (ok);
    }
  feed = tidings_parser_finish (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (feed);
  g_string_append_printf (collected.json, "title=%s recovered=%d", feed->title, feed->recovered);
  *n_items = collected.n_items;
  return g_string_free (collected.json, FALSE);
}

static GString *
make_big_feed (guint n_items)
{
  GString *doc = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                               "<rss version=\"2.0\"><channel><title>Many</title>"
                               "<link>https://many.example/</link>");

  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (doc,
                            "<item><title>Item %u &amp; caf\xc3\xa9</title>"
                            "<link>/items/%u</link><guid>id-%u</guid>"
                            "<pubDate>Mon, %02u Jan 2024 10:%02u:00 GMT</pubDate>"
                            "<description>&lt;p&gt;Body %u &lt;a href=\"/x/%u\"&gt;l&lt;/a&gt;"
                            "&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;</description></item>\n",
                            i, i, i, i % 28 + 1, i % 60, i, i);
  g_string_append (doc, "</channel></rss>\n");
  return doc;
}

static void
test_chunks_and_threads_agree (void)
{
  g_autoptr(GString) doc = make_big_feed (500);
  guint n_items = 0;
  g_autofree char *reference = parse_in_chunks (doc->str, doc->len, doc->len, 1, &n_items);

  g_assert_cmpuint (n_items, ==, 500);
  g_assert_nonnull (strstr (reference, "\"id\": \"id-0\""));
  g_assert_nonnull (strstr (reference, "\"id\": \"id-499\""));
  g_assert_null (strstr (reference, "script"));
  g_assert_nonnull (strstr (reference, "title=Many recovered=0"));
  /* Document order whatever the threads do. */
  g_assert_true (strstr (reference, "\"id-17\"") < strstr (reference, "\"id-18\""));

  for (guint threads = 1; threads <= 4; threads++)
    {
      static const gsize chunks[] = { 1, 7, 4096, 65536 };

      for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
        {
          g_autofree char *other = NULL;

          /* Byte by byte is slow; one small feed is enough for it. */
          if (chunks[c] == 1 && threads > 1)
            continue;
          other = parse_in_chunks (doc->str, doc->len, chunks[c], threads, &n_items);
          g_assert_cmpuint (n_items, ==, 500);
          g_assert_cmpstr (other, ==, reference);
        }
    }
}

static void
test_json_chunks (void)
{
  const char *doc = "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J\", "
                    "\"items\": [{\"id\": \"1\", \"content_html\": \"<p onclick=x>hi</p>\"},"
                    "{\"id\": \"2\", \"url\": \"/two\", \"content_text\": \"a < b\"}]}";
  guint n_items = 0;
  g_autofree char *whole = parse_in_chunks (doc, strlen (doc), strlen (doc), 1, &n_items);
  g_autofree char *pieces = parse_in_chunks (doc, strlen (doc), 3, 2, &n_items);

  g_assert_cmpuint (n_items, ==, 2);
  g_assert_cmpstr (whole, ==, pieces);
  /* Normalised like every other format: sanitised, resolved. */
  g_assert_null (strstr (whole, "onclick"));
  g_assert_nonnull (strstr (whole, "\"url\": \"https://feeds.example/two\""));
  g_assert_nonnull (strstr (whole, "\"content_text\": \"a < b\""));
  g_assert_nonnull (strstr (whole, "a &lt; b"));
}

static void
test_error_after_items (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = NULL;
  g_autoptr(GString) doc = g_string_new ("<rss version=\"2.0\"><channel><title>D</title>");

  /* Deeper than libxml2 allows without XML_PARSE_HUGE: refused, not a crash. */
  for (int i = 0; i < 5000; i++)
    g_string_append (doc, "<x>");
  feed = tidings_parse_data (doc->str, doc->len, NULL, &items, &error);
  if (feed != NULL)
    g_assert_true (feed->recovered);
  else
    g_assert_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_MALFORMED);
}

static void
test_recovered_flag (void)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) good = parse_string ("<rss version=\"2.0\"><channel><title>ok</title>"
                                              "</channel></rss>", -1, NULL, &items);
  g_autoptr(TidingsFeed) bad = parse_string ("<rss version=\"2.0\"><channel><title>ok</channel>"
                                             "</rss>", -1, NULL, NULL);

  g_assert_false (good->recovered);
  g_assert_cmpuint (good->warnings->len, ==, 0);
  g_assert_true (bad->recovered);
  g_assert_true (has_warning (bad, "Line 1"));
}

/* A JSON Feed read from a file or stdin has no web address to resolve
 * against but its own feed_url: what it names resolves there, and the base
 * outlives the normalising that replaces feed_url (a use after free that
 * fuzz-parse found). */
static void
test_json_own_base (void)
{
  static const char document[] =
    "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J\","
    " \"feed_url\": \"https://example.com/blog/feed.json\", \"icon\": \"icon.png\","
    " \"authors\": [{\"name\": \"A\", \"url\": \"/about\"}],"
    " \"items\": [{\"id\": \"1\", \"url\": \"post.html\", \"content_text\": \"x\"}]}";
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(TidingsFeed) feed = NULL;

  feed = parse_string (document, -1, "file:///tmp/feed.json", &items);
  g_assert_cmpstr (feed->feed_url, ==, "https://example.com/blog/feed.json");
  g_assert_cmpstr (feed->icon, ==, "https://example.com/blog/icon.png");
  g_assert_cmpuint (feed->authors->len, ==, 1);
  g_assert_cmpstr (((TidingsAuthor *) feed->authors->pdata[0])->url, ==,
                   "https://example.com/about");
  g_assert_cmpstr (item_at (items, 0)->url, ==, "https://example.com/blog/post.html");
}

/* Inputs that once crashed, leaked or hung (most found by the fuzzers):
 * each must now parse or fail cleanly, with a web address as base (a
 * refresh) and with a file's (`tidings --parse FILE`, where a JSON Feed's
 * own addresses become the base). Leaks show under the sanitizer build and
 * valgrind. */
static void
test_regressions (gconstpointer base)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fixtures", "regressions", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GPtrArray) items = NULL;
      g_autoptr(TidingsFeed) feed = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      feed = tidings_parse_data (contents, len, base, &items, &error);
      g_assert_true ((feed != NULL) != (error != NULL));
      /* Whatever comes out is valid UTF-8. */
      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          TidingsItem *item = items->pdata[i];

          for (guint j = 0; j < item->authors->len; j++)
            g_assert_true (g_utf8_validate (((TidingsAuthor *) item->authors->pdata[j])->name
                                              ? ((TidingsAuthor *) item->authors->pdata[j])->name
                                              : "", -1, NULL));
          g_assert_true (item->title == NULL || g_utf8_validate (item->title, -1, NULL));
          g_assert_true (item->content_html == NULL ||
                         g_utf8_validate (item->content_html, -1, NULL));
          g_assert_true (item->summary == NULL || g_utf8_validate (item->summary, -1, NULL));
        }
      n_files++;
    }
  g_assert_cmpuint (n_files, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parser/detect", test_detect_format_from_content);
  g_test_add_func ("/parser/errors", test_errors);
  g_test_add_func ("/parser/chunks-and-threads", test_chunks_and_threads_agree);
  g_test_add_func ("/parser/json-chunks", test_json_chunks);
  g_test_add_func ("/parser/too-deep", test_error_after_items);
  g_test_add_func ("/parser/recovered", test_recovered_flag);
  g_test_add_func ("/parser/json-own-base", test_json_own_base);
  g_test_add_data_func ("/parser/regressions", "https://regression.example/",
                        test_regressions);
  g_test_add_data_func ("/parser/regressions-file-base", "file:///regression/feed",
                        test_regressions);

  return g_test_run ();
}
