/* test-feed-writer.c: the JSON Feed 1.1 output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>

#include "tidings-feed-writer.h"
#include "tidings-test-utils.h"

static JsonObject *
write_and_read_back (TidingsFeed  *feed,
                     GPtrArray    *items,
                     JsonParser  **parser_out)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(TidingsFeedWriter) writer = tidings_feed_writer_new (stream);
  g_autoptr(GError) error = NULL;
  JsonParser *parser = json_parser_new ();
  const char *data;
  gsize size;

  for (guint i = 0; i < items->len; i++)
    {
      tidings_feed_writer_add_item (writer, items->pdata[i], &error);
      g_assert_no_error (error);
    }
  tidings_feed_writer_finish (writer, feed, &error);
  g_assert_no_error (error);

  data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream));
  size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream));
  g_assert_true (g_utf8_validate (data, size, NULL));
  json_parser_load_from_data (parser, data, size, &error);
  g_assert_no_error (error);
  *parser_out = parser;
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_full_round_trip (void)
{
  g_autoptr(TidingsFeed) feed = tidings_feed_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
  g_autoptr(JsonParser) parser = NULL;
  TidingsItem *item = tidings_item_new ();
  TidingsAttachment *attachment = tidings_attachment_new ();
  TidingsAuthor *author = tidings_author_new ();
  JsonObject *root;
  JsonObject *out;
  JsonObject *extension;
  JsonArray *array;

  feed->format = TIDINGS_FEED_FORMAT_ATOM10;
  feed->title = g_strdup ("Quote \" backslash \\ tab \t bell \x07 done");
  feed->home_page_url = g_strdup ("https://w.example/");
  feed->language = g_strdup ("en");
  feed->recovered = TRUE;
  tidings_feed_add_warning (feed, "first %d", 1);
  tidings_feed_add_warning (feed, "first %d", 1);
  tidings_feed_add_warning (feed, "second");

  item->id = g_strdup ("i1");
  item->title = g_strdup ("caf\xc3\xa9 \xf0\x9f\x8c\x8a");
  item->content_html = g_strdup ("<p>x</p>\n");
  item->date_published = G_GINT64_CONSTANT (1070874000) * G_USEC_PER_SEC;
  tidings_item_add_tag (item, "a");
  tidings_item_add_tag (item, "a");
  tidings_item_add_tag (item, "b");
  author->name = g_strdup ("Ann");
  g_ptr_array_add (item->authors, author);
  attachment->url = g_strdup ("https://w.example/a.bin");
  attachment->size_in_bytes = 12;
  g_ptr_array_add (item->attachments, attachment);
  g_ptr_array_add (items, item);

  root = write_and_read_back (feed, items, &parser);
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==,
                   "https://jsonfeed.org/version/1.1");
  g_assert_cmpstr (json_object_get_string_member (root, "title"), ==, feed->title);
  g_assert_false (json_object_has_member (root, "description"));

  extension = json_object_get_object_member (root, "_tidings");
  g_assert_cmpstr (json_object_get_string_member (extension, "format"), ==, "atom1.0");
  g_assert_true (json_object_get_boolean_member (extension, "recovered"));
  array = json_object_get_array_member (extension, "warnings");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);

  array = json_object_get_array_member (root, "items");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  out = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (out, "title"), ==, item->title);
  g_assert_cmpstr (json_object_get_string_member (out, "content_html"), ==, "<p>x</p>\n");
  g_assert_cmpstr (json_object_get_string_member (out, "date_published"), ==,
                   "2003-12-08T09:00:00Z");
  g_assert_false (json_object_has_member (out, "date_modified"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (out, "tags")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (out, "authors"), 0),
                     "name"), ==, "Ann");

  out = json_array_get_object_element (json_object_get_array_member (out, "attachments"), 0);
  /* JSON Feed requires a type: unknown is octet-stream. */
  g_assert_cmpstr (json_object_get_string_member (out, "mime_type"), ==,
                   "application/octet-stream");
  g_assert_cmpint (json_object_get_int_member (out, "size_in_bytes"), ==, 12);
  g_assert_false (json_object_has_member (out, "duration_in_seconds"));
}

static void
test_empty_feed (void)
{
  g_autoptr(TidingsFeed) feed = tidings_feed_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root = write_and_read_back (feed, items, &parser);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "items")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "_tidings"),
                                                  "format"), ==, "unknown");
}

static void
test_many_items_stream (void)
{
  g_autoptr(TidingsFeed) feed = tidings_feed_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root;
  JsonArray *array;

  /* More than one flush of the writer's buffer. */
  for (guint i = 0; i < 3000; i++)
    {
      TidingsItem *item = tidings_item_new ();

      item->id = g_strdup_printf ("%u", i);
      item->content_html = g_strdup_printf ("<p>%u %s</p>", i, "some words to fill the buffer up");
      g_ptr_array_add (items, item);
    }
  root = write_and_read_back (feed, items, &parser);
  array = json_object_get_array_member (root, "items");
  g_assert_cmpuint (json_array_get_length (array), ==, 3000);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2999),
                                                  "id"), ==, "2999");
}

static void
test_warnings_capped (void)
{
  g_autoptr(TidingsFeed) feed = tidings_feed_new ();
  g_autofree char *long_text = g_strnfill (5000, 'x');
  const char *message;

  for (int i = 0; i < 1000; i++)
    tidings_feed_add_warning (feed, "warning %d", i);
  g_assert_cmpuint (feed->warnings->len, <=, 50);

  /* libxml2 quotes the document cut anywhere, even inside a character. */
  g_ptr_array_set_size (feed->warnings, 0);
  tidings_feed_add_warning (feed, "cut: %s", "\xe2\x80\x93\xe2\x80");
  tidings_feed_add_warning (feed, "long: %s", long_text);
  message = feed->warnings->pdata[0];
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_true (g_str_has_prefix (message, "cut: \xe2\x80\x93"));
  message = feed->warnings->pdata[1];
  g_assert_cmpuint (g_utf8_strlen (message, -1), <=, 201);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/feed-writer/round-trip", test_full_round_trip);
  g_test_add_func ("/feed-writer/empty", test_empty_feed);
  g_test_add_func ("/feed-writer/stream", test_many_items_stream);
  g_test_add_func ("/feed-writer/warnings-capped", test_warnings_capped);

  return g_test_run ();
}
