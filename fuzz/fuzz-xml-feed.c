/* fuzz-xml-feed.c: the feed parser and writer on arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Detection, the input stage, the SAX2 feed parser (or JSON Feed), item
 * normalisation with the sanitiser, and the JSON Feed writer, single-threaded
 * with a web address as base (a refresh's view; fuzz-parse.c takes the
 * command line's, threads and a file's base). The input is
 * pushed in two pieces cut where its first byte says, so that chunk
 * boundaries are explored too. The output must be valid UTF-8.
 */

#include <stdint.h>
#include <stdlib.h>

#include <gio/gio.h>

#include "tidings-feed-writer.h"
#include "tidings-parser.h"
#include "tidings-fuzz.h"

static void
write_item (TidingsItem *item,
            gpointer     user_data)
{
  tidings_feed_writer_add_item (user_data, item, NULL);
  tidings_item_free (item);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GOutputStream *stream;
  TidingsFeedWriter *writer;
  TidingsParser *parser;
  TidingsFeed *feed;
  gsize cut;

  /* Keep each run short: libFuzzer finds the same paths in small inputs. */
  if (size > 256 * 1024)
    return 0;

  stream = g_memory_output_stream_new_resizable ();
  writer = tidings_feed_writer_new (stream);
  parser = tidings_parser_new ("https://fuzz.example/feed", write_item, writer);

  cut = size > 0 ? (data[0] * size) / 256 : 0;
  if (tidings_parser_push (parser, (const char *) data, cut, NULL) &&
      tidings_parser_push (parser, (const char *) data + cut, size - cut, NULL))
    {
      feed = tidings_parser_finish (parser, NULL);
      if (feed != NULL)
        {
          const char *out;
          gsize out_size;

          tidings_feed_writer_finish (writer, feed, NULL);
          out = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream));
          out_size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream));
          if (!g_utf8_validate (out, out_size, NULL))
            abort ();
          tidings_feed_free (feed);
        }
    }

  tidings_parser_free (parser);
  tidings_feed_writer_free (writer);
  g_object_unref (stream);
  return 0;
}
