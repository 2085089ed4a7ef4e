/* test-jsonfeed.c: the JSON Feed reader on its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tidings-jsonfeed.h"
#include "tidings-parser.h"

#define USEC(seconds) ((gint64) (seconds) * G_USEC_PER_SEC)

typedef struct
{
  TidingsFeed *feed;
  GPtrArray   *items;
  GError      *error;
  gboolean     ok;
} Result;

static void
collect_item (TidingsItem *item,
              gpointer     user_data)
{
  GPtrArray *items = user_data;

  g_assert_nonnull (item);
  g_ptr_array_add (items, item);
}

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->feed, tidings_feed_free);
  g_clear_pointer (&result->items, g_ptr_array_unref);
  g_clear_error (&result->error);
}

static void
parse_bytes (const char *data,
             gsize       len,
             Result     *result)
{
  memset (result, 0, sizeof *result);
  result->feed = tidings_feed_new ();
  result->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
  result->ok = _tidings_jsonfeed_parse (data, len, result->feed, collect_item, result->items,
                                        &result->error);
  /* The boolean and the error always agree. */
  if (result->ok)
    g_assert_no_error (result->error);
  else
    g_assert_nonnull (result->error);
}

static void
parse_string (const char *json,
              Result     *result)
{
  parse_bytes (json, strlen (json), result);
}

static void
parse_fixture (const char *name,
               Result     *result)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "jsonfeed", name, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  parse_bytes (data, len, result);
}

static TidingsItem *
item_at (Result *result,
         guint   index)
{
  g_assert_cmpuint (index, <, result->items->len);
  return result->items->pdata[index];
}

static gboolean
has_warning (TidingsFeed *feed,
             const char  *fragment)
{
  for (guint i = 0; i < feed->warnings->len; i++)
    if (strstr (feed->warnings->pdata[i], fragment) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_author (GPtrArray  *authors,
               guint       index,
               const char *name,
               const char *url,
               const char *avatar)
{
  TidingsAuthor *author;

  g_assert_cmpuint (index, <, authors->len);
  author = authors->pdata[index];
  g_assert_cmpstr (author->name, ==, name);
  g_assert_cmpstr (author->url, ==, url);
  g_assert_cmpstr (author->avatar, ==, avatar);
}

static void
assert_attachment (GPtrArray  *attachments,
                   guint       index,
                   const char *url,
                   const char *mime_type,
                   const char *title,
                   gint64      size,
                   gint64      duration)
{
  TidingsAttachment *attachment;

  g_assert_cmpuint (index, <, attachments->len);
  attachment = attachments->pdata[index];
  g_assert_cmpstr (attachment->url, ==, url);
  g_assert_cmpstr (attachment->mime_type, ==, mime_type);
  g_assert_cmpstr (attachment->title, ==, title);
  g_assert_cmpint (attachment->size_in_bytes, ==, size);
  g_assert_cmpint (attachment->duration_in_seconds, ==, duration);
}

static void
assert_error (Result     *result,
              int         code,
              const char *fragment)
{
  g_assert_false (result->ok);
  g_assert_error (result->error, TIDINGS_PARSE_ERROR, code);
  if (fragment != NULL && strstr (result->error->message, fragment) == NULL)
    g_error ("“%s” not in the error message “%s”", fragment, result->error->message);
  g_assert_cmpuint (result->items->len, ==, 0);
}

/* Versions and feed fields */

static void
test_full_1_0 (void)
{
  Result r;
  TidingsItem *item;

  parse_fixture ("full-1.0.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON10);
  g_assert_cmpstr (r.feed->title, ==, "Full 1.0 Feed");
  g_assert_cmpstr (r.feed->home_page_url, ==, "https://example.org/");
  g_assert_cmpstr (r.feed->feed_url, ==, "https://example.org/feed.json");
  g_assert_cmpstr (r.feed->description, ==, "Every field of JSON Feed 1.0 & a <tag> kept raw");
  g_assert_cmpstr (r.feed->icon, ==, "https://example.org/icon.png");
  g_assert_cmpstr (r.feed->favicon, ==, "https://example.org/favicon.ico");
  g_assert_null (r.feed->language);
  g_assert_cmpuint (r.feed->authors->len, ==, 1);
  assert_author (r.feed->authors, 0, "Ada Lovelace", "https://example.org/ada",
                 "https://example.org/ada.png");
  g_assert_false (r.feed->recovered);
  g_assert_cmpuint (r.feed->warnings->len, ==, 0);

  g_assert_cmpuint (r.items->len, ==, 2);
  item = item_at (&r, 0);
  g_assert_cmpstr (item->id, ==, "https://example.org/1");
  g_assert_cmpstr (item->url, ==, "https://example.org/posts/1");
  g_assert_cmpstr (item->external_url, ==, "https://elsewhere.example.net/story");
  g_assert_cmpstr (item->title, ==, "First post");
  /* Raw: sanitising is the caller's job. */
  g_assert_cmpstr (item->content_html, ==,
                   "<p>Hello, <b>world</b>!</p><script>alert(1)</script>");
  g_assert_cmpstr (item->content_text, ==, "Hello, world!");
  g_assert_cmpstr (item->summary, ==, "A <em>short</em> summary");
  g_assert_false (item->summary_is_html);
  g_assert_cmpstr (item->image, ==, "https://example.org/1.jpg");
  g_assert_cmpint (item->date_published, ==, USEC (1709647620));
  g_assert_cmpint (item->date_modified, ==, USEC (1709708400));
  g_assert_cmpuint (item->authors->len, ==, 1);
  assert_author (item->authors, 0, "Charles Babbage", NULL, NULL);
  g_assert_cmpuint (item->tags->len, ==, 2);
  g_assert_cmpstr (item->tags->pdata[0], ==, "maths");
  g_assert_cmpstr (item->tags->pdata[1], ==, "engines");
  g_assert_cmpuint (item->attachments->len, ==, 1);
  assert_attachment (item->attachments, 0, "https://example.org/1.mp3", "audio/mpeg",
                     "Episode 1", 12345678, 3600);
  g_assert_null (item->base);
  g_assert_null (item->language);

  item = item_at (&r, 1);
  g_assert_cmpstr (item->id, ==, "https://example.org/2");
  g_assert_cmpstr (item->content_text, ==, "Second");
  g_assert_null (item->title);
  g_assert_null (item->content_html);
  g_assert_cmpint (item->date_published, ==, TIDINGS_DATE_UNSET);
  g_assert_cmpint (item->date_modified, ==, TIDINGS_DATE_UNSET);
  g_assert_cmpuint (item->authors->len, ==, 0);
  g_assert_cmpuint (item->tags->len, ==, 0);
  g_assert_cmpuint (item->attachments->len, ==, 0);

  result_clear (&r);
}

static void
test_full_1_1 (void)
{
  Result r;
  TidingsItem *item;

  parse_fixture ("full-1.1.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON11);
  g_assert_cmpstr (r.feed->title, ==, "Full 1.1 Feed");
  g_assert_cmpstr (r.feed->description, ==, "Every field of JSON Feed 1.1");
  g_assert_cmpstr (r.feed->language, ==, "en-GB");
  g_assert_cmpuint (r.feed->authors->len, ==, 2);
  assert_author (r.feed->authors, 0, "Grace Hopper", "https://example.com/grace",
                 "https://example.com/grace.png");
  assert_author (r.feed->authors, 1, "Alan Turing", NULL, NULL);
  g_assert_cmpuint (r.feed->warnings->len, ==, 0);

  g_assert_cmpuint (r.items->len, ==, 1);
  item = item_at (&r, 0);
  g_assert_cmpstr (item->id, ==, "tag:example.com,2024:1");
  g_assert_cmpstr (item->title, ==, "Café ☕ 𝄞");
  g_assert_cmpstr (item->content_html, ==, "<p>Ça va?</p>");
  g_assert_cmpstr (item->summary, ==, "Résumé");
  g_assert_cmpstr (item->language, ==, "fr");
  g_assert_cmpint (item->date_published, ==, USEC (1704164645));
  g_assert_cmpint (item->date_modified, ==, USEC (1704240000));
  g_assert_cmpuint (item->authors->len, ==, 2);
  assert_author (item->authors, 0, "Grace Hopper", NULL, NULL);
  assert_author (item->authors, 1, NULL, "https://example.com/anon", NULL);
  /* Duplicates dropped, order kept. */
  g_assert_cmpuint (item->tags->len, ==, 2);
  g_assert_cmpstr (item->tags->pdata[0], ==, "cobol");
  g_assert_cmpstr (item->tags->pdata[1], ==, "compilers");
  g_assert_cmpuint (item->attachments->len, ==, 2);
  assert_attachment (item->attachments, 0, "https://example.com/a.m4a", "audio/x-m4a", "Talk",
                     89970236, 6629);
  assert_attachment (item->attachments, 1, "https://example.com/a.pdf", "application/pdf", NULL,
                     -1, -1);

  result_clear (&r);
}

static void
test_version_variants (void)
{
  static const struct
  {
    const char        *version;
    TidingsFeedFormat  format;
    gboolean           warns;
  } cases[] = {
    { "https://jsonfeed.org/version/1", TIDINGS_FEED_FORMAT_JSON10, FALSE },
    { "https://jsonfeed.org/version/1.1", TIDINGS_FEED_FORMAT_JSON11, FALSE },
    { "http://jsonfeed.org/version/1", TIDINGS_FEED_FORMAT_JSON10, FALSE },
    { "http://jsonfeed.org/version/1.1", TIDINGS_FEED_FORMAT_JSON11, FALSE },
    { "https://jsonfeed.org/version/1/", TIDINGS_FEED_FORMAT_JSON10, FALSE },
    { "HTTPS://www.JSONFeed.org/version/1.1", TIDINGS_FEED_FORMAT_JSON11, FALSE },
    { "https://jsonfeed.org/version/2", TIDINGS_FEED_FORMAT_JSON11, TRUE },
    { "https://jsonfeed.org/version/1.10", TIDINGS_FEED_FORMAT_JSON11, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"version\": \"%s\", \"items\": []}",
                                               cases[i].version);
      Result r;

      parse_string (json, &r);
      g_assert_true (r.ok);
      g_assert_cmpint (r.feed->format, ==, cases[i].format);
      g_assert_cmpint (has_warning (r.feed, "version"), ==, cases[i].warns);
      result_clear (&r);
    }
}

static void
test_no_version (void)
{
  Result r;

  /* No version but an items array: read, with a warning. */
  parse_fixture ("no-version.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON11);
  g_assert_true (has_warning (r.feed, "version"));
  g_assert_cmpstr (r.feed->title, ==, "Hand-written, forgot the version");
  g_assert_cmpuint (r.items->len, ==, 1);
  g_assert_cmpstr (item_at (&r, 0)->content_text, ==, "hello");
  result_clear (&r);

  /* A version that is not a JSON Feed one, with items: the same. */
  parse_string ("{\"version\": \"1.0\", \"items\": [{\"id\": \"a\"}]}", &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON11);
  g_assert_true (has_warning (r.feed, "version"));
  g_assert_cmpuint (r.items->len, ==, 1);
  result_clear (&r);

  /* A version of the wrong type, with items. */
  parse_string ("{\"version\": 1.1, \"items\": []}", &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON11);
  result_clear (&r);
}

static void
test_missing_items (void)
{
  Result r;

  parse_fixture ("missing-items.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON11);
  g_assert_cmpstr (r.feed->title, ==, "No items at all");
  g_assert_cmpuint (r.items->len, ==, 0);
  g_assert_true (has_warning (r.feed, "items"));
  result_clear (&r);

  parse_string ("{\"version\": \"https://jsonfeed.org/version/1\", \"items\": null}", &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.items->len, ==, 0);
  g_assert_true (has_warning (r.feed, "items"));
  result_clear (&r);

  /* An empty array is a normal, quiet, empty feed. */
  parse_string ("{\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}", &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.items->len, ==, 0);
  g_assert_cmpuint (r.feed->warnings->len, ==, 0);
  result_clear (&r);
}

/* Authors and ids */

static void
test_authors_both (void)
{
  Result r;

  parse_fixture ("authors-both.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.feed->authors->len, ==, 1);
  assert_author (r.feed->authors, 0, "New Style", NULL, NULL);

  g_assert_cmpuint (r.items->len, ==, 5);
  g_assert_cmpuint (item_at (&r, 0)->authors->len, ==, 1);
  assert_author (item_at (&r, 0)->authors, 0, "Only 1.0", NULL, NULL);
  g_assert_cmpuint (item_at (&r, 1)->authors->len, ==, 1);
  assert_author (item_at (&r, 1)->authors, 0, "Wins", NULL, NULL);
  /* An authors array with nothing usable falls back to author. */
  g_assert_cmpuint (item_at (&r, 2)->authors->len, ==, 1);
  assert_author (item_at (&r, 2)->authors, 0, "Fallback", NULL, NULL);
  g_assert_cmpuint (item_at (&r, 3)->authors->len, ==, 1);
  assert_author (item_at (&r, 3)->authors, 0, "Fallback too", NULL, NULL);
  g_assert_cmpuint (item_at (&r, 4)->authors->len, ==, 0);
  result_clear (&r);
}

static void
test_numeric_ids (void)
{
  static const char *expected[] = {
    "42", "-7", "3", "2.5", "12345678901234567890123", "9223372036854775807", "007", NULL, NULL,
  };
  Result r;

  parse_fixture ("numeric-ids.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.items->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (item_at (&r, i)->id, ==, expected[i]);
  /* The boolean is reported, the null is not. */
  g_assert_true (has_warning (r.feed, "“id” of an item is a boolean"));
  g_assert_false (has_warning (r.feed, "null"));
  result_clear (&r);
}

/* Character sets */

static const char sample_feed[] =
  "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Café ☕ 𝄞\",\n"
  " \"items\": [{\"id\": \"1\", \"title\": \"naïve — 日本語 𝄞\"}]}";

typedef struct
{
  const char *charset;
  const char *bom;
  gsize       bom_len;
} EncodingCase;

static const EncodingCase encoding_cases[] = {
  { "UTF-16LE", NULL, 0 },
  { "UTF-16LE", "\xFF\xFE", 2 },
  { "UTF-16BE", NULL, 0 },
  { "UTF-16BE", "\xFE\xFF", 2 },
  { "UTF-32LE", NULL, 0 },
  { "UTF-32LE", "\xFF\xFE\0\0", 4 },
  { "UTF-32BE", NULL, 0 },
  { "UTF-32BE", "\0\0\xFE\xFF", 4 },
};

static GByteArray *
encode (const char     *utf8,
        const char     *charset,
        const char     *bom,
        gsize           bom_len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *converted = NULL;
  GByteArray *bytes = g_byte_array_new ();
  gsize written = 0;

  converted = g_convert (utf8, -1, charset, "UTF-8", NULL, &written, &error);
  g_assert_no_error (error);
  if (bom != NULL)
    g_byte_array_append (bytes, (const guint8 *) bom, bom_len);
  g_byte_array_append (bytes, (const guint8 *) converted, written);
  return bytes;
}

static void
test_encoding (gconstpointer data)
{
  const EncodingCase *c = data;
  g_autoptr(GByteArray) bytes = encode (sample_feed, c->charset, c->bom, c->bom_len);
  Result r;

  /* Sanity: the test really hands over non-UTF-8 bytes. */
  g_assert_false (g_utf8_validate ((const char *) bytes->data, bytes->len, NULL));

  parse_bytes ((const char *) bytes->data, bytes->len, &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON11);
  g_assert_cmpstr (r.feed->title, ==, "Café ☕ 𝄞");
  g_assert_cmpuint (r.items->len, ==, 1);
  g_assert_cmpstr (item_at (&r, 0)->title, ==, "naïve — 日本語 𝄞");
  g_assert_false (r.feed->recovered);
  g_assert_cmpuint (r.feed->warnings->len, ==, 0);
  result_clear (&r);
}

static void
test_utf8_bom (void)
{
  g_autofree char *json = g_strconcat ("\xEF\xBB\xBF", sample_feed, NULL);
  Result r;

  parse_string (json, &r);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.feed->title, ==, "Café ☕ 𝄞");
  g_assert_cmpuint (r.feed->warnings->len, ==, 0);
  result_clear (&r);
}

static void
test_utf16_broken (void)
{
  static const char json[] =
    "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [{\"title\": \"aXb\"}]}";
  g_autoptr(GByteArray) bytes = encode (json, "UTF-16LE", "\xFF\xFE", 2);
  const char *x = strchr (json, 'X');
  gsize x_at = 2 + 2 * (x - json);
  Result r;

  /* A lone high surrogate where the X was. */
  g_assert_cmpint (bytes->data[x_at], ==, 'X');
  bytes->data[x_at] = 0x00;
  bytes->data[x_at + 1] = 0xD8;
  parse_bytes ((const char *) bytes->data, bytes->len, &r);
  g_assert_true (r.ok);
  g_assert_cmpstr (item_at (&r, 0)->title, ==, "a\xEF\xBF\xBD" "b");
  g_assert_true (r.feed->recovered);
  g_assert_true (has_warning (r.feed, "UTF-16LE"));
  result_clear (&r);

  /* An odd trailing byte after valid text. */
  g_byte_array_append (bytes, (const guint8 *) " ", 1);
  parse_bytes ((const char *) bytes->data, bytes->len, &r);
  g_assert_true (r.ok);
  g_assert_true (r.feed->recovered);
  result_clear (&r);
}

static void
test_invalid_utf8 (void)
{
  static const char json[] =
    "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"bad \xFF\xFE byte\",\n"
    " \"items\": [{\"id\": \"1\", \"title\": \"cut \xE2\x82\"}]}";
  Result r;

  parse_string (json, &r);
  g_assert_true (r.ok);
  g_assert_true (g_utf8_validate (r.feed->title, -1, NULL));
  g_assert_cmpstr (r.feed->title, ==, "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
  /* GLib replaces each byte of a cut sequence. */
  g_assert_cmpstr (item_at (&r, 0)->title, ==, "cut \xEF\xBF\xBD\xEF\xBF\xBD");
  g_assert_true (r.feed->recovered);
  g_assert_true (has_warning (r.feed, "UTF-8"));
  result_clear (&r);
}

static void
test_nul_bytes (void)
{
  static const char json[] =
    "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"a\0b\", \"items\": []}";
  Result r;

  /* A raw NUL would end the text for json-glib; it becomes U+FFFD. */
  parse_bytes (json, sizeof json - 1, &r);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.feed->title, ==, "a\xEF\xBF\xBD" "b");
  g_assert_true (r.feed->recovered);
  result_clear (&r);
}

static void
test_surrogate_escapes (void)
{
  Result r;

  parse_string ("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": ["
                "{\"id\": \"pair\", \"title\": \"\\ud834\\udd1e\"},"
                "{\"id\": \"lone high\", \"title\": \"a\\ud834b\"},"
                "{\"id\": \"lone low\", \"title\": \"a\\udd1eb\"},"
                "{\"id\": \"high at end\", \"title\": \"a\\ud834\"},"
                "{\"id\": \"two highs\", \"title\": \"\\ud834\\ud834\\udd1e\"}]}", &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.items->len, ==, 5);
  g_assert_cmpstr (item_at (&r, 0)->title, ==, "𝄞");
  g_assert_cmpstr (item_at (&r, 1)->title, ==, "a\xEF\xBF\xBD" "b");
  g_assert_cmpstr (item_at (&r, 2)->title, ==, "a\xEF\xBF\xBD" "b");
  g_assert_cmpstr (item_at (&r, 3)->title, ==, "a\xEF\xBF\xBD");
  g_assert_cmpstr (item_at (&r, 4)->title, ==, "\xEF\xBF\xBD𝄞");
  result_clear (&r);
}

/* Not feeds, broken feeds */

static void
test_not_a_feed_array (void)
{
  Result r;

  parse_fixture ("not-a-feed-array.json", &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_NOT_A_FEED, "JSON, but not a JSON Feed");
  result_clear (&r);
}

static void
test_not_a_feed_object (void)
{
  static const char *documents[] = {
    "{}",
    "{\"version\": \"https://example.org/version/1\", \"entries\": []}",
    "{\"items\": {}}",
    "{\"items\": \"x\"}",
    "{\"version\": 1, \"items\": null}",
  };
  Result r;

  parse_fixture ("not-a-feed-object.json", &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_NOT_A_FEED, "JSON, but not a JSON Feed");
  result_clear (&r);

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      parse_string (documents[i], &r);
      assert_error (&r, TIDINGS_PARSE_ERROR_NOT_A_FEED, NULL);
      result_clear (&r);
    }
}

static void
test_not_a_feed_rss (void)
{
  Result r;

  parse_fixture ("not-a-feed-rss.xml", &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_NOT_A_FEED, NULL);
  result_clear (&r);

  parse_string ("<!DOCTYPE html><html><body>{}</body></html>", &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_NOT_A_FEED, NULL);
  result_clear (&r);
}

static void
test_not_a_feed_scalar (void)
{
  static const char *documents[] = { "42", "\"a string\"", "true", "null", "hello world" };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      Result r;

      parse_string (documents[i], &r);
      assert_error (&r, TIDINGS_PARSE_ERROR_NOT_A_FEED, NULL);
      result_clear (&r);
    }
}

static void
test_malformed (void)
{
  Result r;

  /* The stray comma is on line 3, column 42. */
  parse_fixture ("malformed.json", &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_MALFORMED, "line 3, column 42:");
  result_clear (&r);

  parse_string ("{\"version\": \"https://jsonfeed.org/version/1.1\",\n\"items\": [}", &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_MALFORMED, "line 2,");
  result_clear (&r);
}

static void
test_truncated (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "jsonfeed",
                                                 "full-1.1.json", NULL);
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  /* Every prefix that ends before the final brace is broken JSON. */
  for (gsize cut = 1; cut < len; cut++)
    {
      gsize end;
      Result r;

      for (end = len; end > 0 && g_ascii_isspace (data[end - 1]); end--)
        ;
      if (cut >= end)
        break;
      parse_bytes (data, cut, &r);
      assert_error (&r, TIDINGS_PARSE_ERROR_MALFORMED, NULL);
      result_clear (&r);
    }
}

static void
test_empty (void)
{
  static const struct
  {
    const char *data;
    gsize       len;
  } cases[] = {
    { "", 0 },
    { " \n\t\r ", 5 },
    { "\xEF\xBB\xBF", 3 },
    { "\xEF\xBB\xBF  \n", 6 },
    { "\xFF\xFE", 2 },
    { "\xFF\xFE \0\n\0", 6 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Result r;

      parse_bytes (cases[i].data, cases[i].len, &r);
      assert_error (&r, TIDINGS_PARSE_ERROR_EMPTY, NULL);
      result_clear (&r);
    }
}

static void
test_deep_nesting (void)
{
  GString *json = g_string_new ("{\"version\": \"https://jsonfeed.org/version/1.1\", \"_x\": ");
  Result r;

  /* Enough to overflow the stack of a recursive parser. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (json, '[');
  parse_bytes (json->str, json->len, &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_MALFORMED, "deep");
  result_clear (&r);

  /* Hidden behind something json-glib reads as a comment. */
  g_string_truncate (json, 0);
  g_string_append (json, "{/* \" */ \"a\": ");
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (json, '[');
  parse_bytes (json->str, json->len, &r);
  assert_error (&r, TIDINGS_PARSE_ERROR_MALFORMED, NULL);
  result_clear (&r);

  /* Reasonable nesting in an extension is fine. */
  g_string_truncate (json, 0);
  g_string_append (json, "{\"version\": \"https://jsonfeed.org/version/1.1\", \"_x\": ");
  for (guint i = 0; i < 100; i++)
    g_string_append (json, "{\"a\": [");
  for (guint i = 0; i < 100; i++)
    g_string_append (json, "]}");
  g_string_append (json, ", \"items\": [{\"id\": \"after\"}]}");
  parse_bytes (json->str, json->len, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.items->len, ==, 1);
  g_assert_cmpstr (item_at (&r, 0)->id, ==, "after");
  result_clear (&r);

  g_string_free (json, TRUE);
}

static void
test_lenient (void)
{
  Result r;

  /* json-glib takes comments and single quotes; so do we, marked recovered. */
  parse_fixture ("lenient.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.feed->title, ==, "single quotes");
  g_assert_cmpuint (r.items->len, ==, 1);
  g_assert_cmpstr (item_at (&r, 0)->content_text, ==, "kept");
  g_assert_true (r.feed->recovered);
  g_assert_true (has_warning (r.feed, "not strict JSON (2:50:"));
  result_clear (&r);
}

/* Wrong types and odd values */

static void
test_wrong_types (void)
{
  Result r;
  TidingsItem *item;

  parse_fixture ("wrong-types.json", &r);
  g_assert_true (r.ok);
  g_assert_null (r.feed->title);
  g_assert_null (r.feed->home_page_url);
  g_assert_null (r.feed->feed_url);
  g_assert_null (r.feed->description);
  g_assert_null (r.feed->icon);
  g_assert_null (r.feed->favicon);
  g_assert_null (r.feed->language);
  g_assert_cmpuint (r.feed->authors->len, ==, 0);
  g_assert_true (has_warning (r.feed, "“title” of the feed is a number, not a string"));
  g_assert_true (has_warning (r.feed, "“authors” of the feed is a string, not an array"));
  g_assert_true (has_warning (r.feed, "an item is a string, not an object; skipped"));
  g_assert_true (has_warning (r.feed, "an item is an array, not an object; skipped"));
  g_assert_true (has_warning (r.feed, "an item is null, not an object; skipped"));

  /* The four non-objects are skipped; both objects are delivered. */
  g_assert_cmpuint (r.items->len, ==, 2);
  item = item_at (&r, 0);
  g_assert_null (item->id);
  g_assert_null (item->url);
  g_assert_null (item->external_url);
  g_assert_null (item->title);
  g_assert_null (item->content_html);
  g_assert_null (item->content_text);
  g_assert_null (item->summary);
  g_assert_null (item->image);
  g_assert_null (item->language);
  g_assert_cmpint (item->date_published, ==, TIDINGS_DATE_UNSET);
  g_assert_cmpint (item->date_modified, ==, TIDINGS_DATE_UNSET);
  g_assert_cmpuint (item->authors->len, ==, 0);
  g_assert_cmpuint (item->tags->len, ==, 0);
  g_assert_cmpuint (item->attachments->len, ==, 0);
  g_assert_true (has_warning (r.feed, "“tags” of an item is a string, not an array"));

  item = item_at (&r, 1);
  g_assert_cmpstr (item->id, ==, "second");
  g_assert_cmpstr (item->title, ==, "Still read");
  g_assert_cmpuint (item->authors->len, ==, 1);
  assert_author (item->authors, 0, NULL, "https://example.org/u", NULL);
  g_assert_cmpuint (item->tags->len, ==, 1);
  g_assert_cmpstr (item->tags->pdata[0], ==, "kept");
  g_assert_cmpuint (item->attachments->len, ==, 1);
  assert_attachment (item->attachments, 0, "https://example.org/ok.mp3", NULL, NULL, -1, -1);
  g_assert_true (has_warning (r.feed, "without a “url”"));

  /* The list of warnings is bounded and never empty here. */
  g_assert_cmpuint (r.feed->warnings->len, >, 10);
  g_assert_cmpuint (r.feed->warnings->len, <=, 50);
  result_clear (&r);
}

static void
test_null_members (void)
{
  Result r;

  /* null is how generators say "absent": no warnings for it. */
  parse_string ("{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": null,"
                " \"authors\": null, \"author\": null, \"icon\": null,"
                " \"items\": [{\"id\": null, \"url\": null, \"title\": null, \"tags\": null,"
                " \"attachments\": null, \"authors\": null, \"date_published\": null,"
                " \"content_html\": \"x\"}]}", &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.feed->warnings->len, ==, 0);
  g_assert_null (r.feed->title);
  g_assert_cmpuint (r.items->len, ==, 1);
  g_assert_null (item_at (&r, 0)->id);
  g_assert_cmpstr (item_at (&r, 0)->content_html, ==, "x");
  result_clear (&r);
}

static void
test_huge_numbers (void)
{
  static const gint64 expected[][2] = {
    { -1, -1 },
    { -1, -1 },
    { G_MAXINT64, -1 },
    { 12, 13 },
    { 1500, 1500 },
    { -1, -1 },
    { -1, -1 },
    { -1, -1 },
    { -1, 0 },
    { -1, 59 },
  };
  Result r;
  GPtrArray *attachments;

  parse_fixture ("huge-numbers.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.items->len, ==, 1);
  attachments = item_at (&r, 0)->attachments;
  g_assert_cmpuint (attachments->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TidingsAttachment *attachment = attachments->pdata[i];
      g_autofree char *url = g_strdup_printf ("https://example.org/%u", i);

      g_assert_cmpstr (attachment->url, ==, url);
      g_assert_cmpint (attachment->size_in_bytes, ==, expected[i][0]);
      g_assert_cmpint (attachment->duration_in_seconds, ==, expected[i][1]);
    }
  g_assert_true (has_warning (r.feed, "not a usable number"));
  result_clear (&r);
}

static void
test_trimmed_urls (void)
{
  Result r;
  TidingsItem *item;

  parse_fixture ("whitespace-urls.json", &r);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.feed->home_page_url, ==, "https://example.org/");
  g_assert_cmpstr (r.feed->feed_url, ==, "https://example.org/feed.json");
  /* Text is not a URL: kept exactly. */
  g_assert_cmpstr (r.feed->title, ==, "  Title keeps its spaces  ");
  item = item_at (&r, 0);
  g_assert_cmpstr (item->id, ==, " id with spaces ");
  g_assert_cmpstr (item->url, ==, "https://example.org/a");
  g_assert_null (item->external_url);
  g_assert_null (item->image);
  g_assert_cmpstr (item->title, ==, "  spaced  ");
  assert_attachment (item->attachments, 0, "https://example.org/a.mp3", "audio/mpeg", NULL,
                     -1, -1);
  result_clear (&r);
}

static void
test_dates (void)
{
  Result r;

  parse_string ("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": ["
                "{\"id\": \"1\", \"date_published\": \"2024-03-05T14:07:00Z\","
                " \"date_modified\": \"not a date\"},"
                "{\"id\": \"2\", \"date_published\": \"\", \"date_modified\": 1709647620}]}",
                &r);
  g_assert_true (r.ok);
  g_assert_cmpint (item_at (&r, 0)->date_published, ==, USEC (1709647620));
  g_assert_cmpint (item_at (&r, 0)->date_modified, ==, TIDINGS_DATE_UNSET);
  g_assert_true (has_warning (r.feed, "“date_modified” of an item is not a date"));
  g_assert_cmpint (item_at (&r, 1)->date_published, ==, TIDINGS_DATE_UNSET);
  g_assert_cmpint (item_at (&r, 1)->date_modified, ==, TIDINGS_DATE_UNSET);
  g_assert_true (has_warning (r.feed, "“date_modified” of an item is a number"));
  result_clear (&r);
}

static void
test_tags (void)
{
  GString *json = g_string_new ("{\"version\": \"https://jsonfeed.org/version/1.1\","
                                " \"items\": [{\"id\": \"1\", \"tags\": [");
  TidingsItem *item;
  Result r;

  /* Long enough to take the hashed path; every tag twice. */
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < 500; i++)
      g_string_append_printf (json, "%s\"tag %u\"", round == 0 && i == 0 ? "" : ", ", i);
  g_string_append (json, ", \"\", \"Tag 1\"]}]}");

  parse_bytes (json->str, json->len, &r);
  g_assert_true (r.ok);
  item = item_at (&r, 0);
  g_assert_cmpuint (item->tags->len, ==, 501);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *tag = g_strdup_printf ("tag %u", i);

      g_assert_cmpstr (item->tags->pdata[i], ==, tag);
    }
  /* Case matters: the caller decides what counts as the same tag. */
  g_assert_cmpstr (item->tags->pdata[500], ==, "Tag 1");
  result_clear (&r);
  g_string_free (json, TRUE);
}

static void
test_order (void)
{
  GString *json = g_string_new ("{\"version\": \"https://jsonfeed.org/version/1\", \"items\": [");
  Result r;

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (json, "%s{\"id\": \"%u\", \"title\": \"Item %u\"}",
                            i == 0 ? "" : ",", (i * 7919) % 2000, i);
  g_string_append (json, "]}");

  parse_bytes (json->str, json->len, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.items->len, ==, 2000);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", (i * 7919) % 2000);
      g_autofree char *title = g_strdup_printf ("Item %u", i);

      g_assert_cmpstr (item_at (&r, i)->id, ==, id);
      g_assert_cmpstr (item_at (&r, i)->title, ==, title);
    }
  result_clear (&r);
  g_string_free (json, TRUE);
}

static void
test_no_item_func (void)
{
  g_autoptr(TidingsFeed) feed = tidings_feed_new ();
  g_autoptr(GError) error = NULL;
  static const char json[] =
    "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"t\","
    " \"items\": [{\"id\": \"1\"}]}";

  /* Without a callback the items are simply dropped. */
  g_assert_true (_tidings_jsonfeed_parse (json, strlen (json), feed, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (feed->title, ==, "t");
}

static void
test_feedparser_example (void)
{
  g_autofree char *path = NULL;
  const char *root = g_getenv ("TIDINGS_SOURCE_ROOT");
  g_autofree char *data = NULL;
  gsize len;
  Result r;

  path = g_build_filename (root != NULL ? root : ".", "..", "shared", "corpora", "feedparser",
                           "tests", "json", "example.json", NULL);
  if (!g_file_get_contents (path, &data, &len, NULL))
    {
      g_test_skip ("the feedparser corpus is not beside the checkout");
      return;
    }

  parse_bytes (data, len, &r);
  g_assert_true (r.ok);
  g_assert_cmpint (r.feed->format, ==, TIDINGS_FEED_FORMAT_JSON10);
  g_assert_cmpstr (r.feed->title, ==, "My Example Feed");
  g_assert_cmpstr (r.feed->icon, ==, "https://example.org/feed.png");
  assert_author (r.feed->authors, 0, "me", NULL, NULL);
  g_assert_cmpuint (r.items->len, ==, 2);
  g_assert_cmpstr (item_at (&r, 0)->id, ==, "2");
  assert_attachment (item_at (&r, 0)->attachments, 0, "https://example.org/second-item-show.mp4",
                     "video/mp4", NULL, 12000000, -1);
  g_assert_cmpuint (item_at (&r, 0)->tags->len, ==, 2);
  g_assert_cmpstr (item_at (&r, 1)->id, ==, "1");
  assert_author (item_at (&r, 1)->authors, 0, "you", "http://example.net/~you", NULL);
  g_assert_nonnull (strstr (item_at (&r, 1)->content_html, "<script>"));
  result_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jsonfeed/feed/full-1.0", test_full_1_0);
  g_test_add_func ("/jsonfeed/feed/full-1.1", test_full_1_1);
  g_test_add_func ("/jsonfeed/feed/version-variants", test_version_variants);
  g_test_add_func ("/jsonfeed/feed/no-version", test_no_version);
  g_test_add_func ("/jsonfeed/feed/missing-items", test_missing_items);
  g_test_add_func ("/jsonfeed/feed/feedparser-example", test_feedparser_example);
  g_test_add_func ("/jsonfeed/feed/no-item-func", test_no_item_func);
  g_test_add_func ("/jsonfeed/item/authors-both", test_authors_both);
  g_test_add_func ("/jsonfeed/item/numeric-ids", test_numeric_ids);
  g_test_add_func ("/jsonfeed/item/order", test_order);
  g_test_add_func ("/jsonfeed/item/tags", test_tags);
  g_test_add_func ("/jsonfeed/item/dates", test_dates);
  g_test_add_func ("/jsonfeed/item/trimmed-urls", test_trimmed_urls);
  g_test_add_func ("/jsonfeed/item/huge-numbers", test_huge_numbers);
  g_test_add_func ("/jsonfeed/item/wrong-types", test_wrong_types);
  g_test_add_func ("/jsonfeed/item/null-members", test_null_members);

  g_test_add_func ("/jsonfeed/charset/utf-8-bom", test_utf8_bom);
  for (guint i = 0; i < G_N_ELEMENTS (encoding_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/jsonfeed/charset/%s%s",
                                               encoding_cases[i].charset,
                                               encoding_cases[i].bom != NULL ? "-bom" : "");

      g_test_add_data_func (path, &encoding_cases[i], test_encoding);
    }
  g_test_add_func ("/jsonfeed/charset/utf-16-broken", test_utf16_broken);
  g_test_add_func ("/jsonfeed/charset/invalid-utf-8", test_invalid_utf8);
  g_test_add_func ("/jsonfeed/charset/nul-bytes", test_nul_bytes);
  g_test_add_func ("/jsonfeed/charset/surrogate-escapes", test_surrogate_escapes);

  g_test_add_func ("/jsonfeed/error/not-a-feed-array", test_not_a_feed_array);
  g_test_add_func ("/jsonfeed/error/not-a-feed-object", test_not_a_feed_object);
  g_test_add_func ("/jsonfeed/error/not-a-feed-rss", test_not_a_feed_rss);
  g_test_add_func ("/jsonfeed/error/not-a-feed-scalar", test_not_a_feed_scalar);
  g_test_add_func ("/jsonfeed/error/malformed", test_malformed);
  g_test_add_func ("/jsonfeed/error/truncated", test_truncated);
  g_test_add_func ("/jsonfeed/error/empty", test_empty);
  g_test_add_func ("/jsonfeed/error/deep-nesting", test_deep_nesting);
  g_test_add_func ("/jsonfeed/error/lenient", test_lenient);

  return g_test_run ();
}
