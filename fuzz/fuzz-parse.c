/* fuzz-parse.c: `tidings --parse FILE` from the file's bytes to its output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same converter the command line uses (src/core/tidings-cli.c): format
 * detection, RSS/Atom/RDF/JSON Feed parsing, the sanitiser and the date
 * parser on the parser's worker threads, and the JSON Feed writer, with the
 * base address a file gets. The command line pushes what read(2) returns, up
 * to 256 KiB at a time; here the input is cut in two where its first byte
 * says, so that a document split across reads is explored too. A feed's
 * output must be valid UTF-8 and valid JSON.
 */

#include <stdint.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tidings-cli.h"
#include "tidings-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(TidingsCliConverter) converter = NULL;
  g_autoptr(GError) error = NULL;
  gboolean output_failed = FALSE;
  gsize cut;

  /* Keep each run short: libFuzzer finds the same paths in small inputs. */
  if (size > 256 * 1024)
    return 0;

  stream = g_memory_output_stream_new_resizable ();
  converter = tidings_cli_converter_new ("file:///fuzz/feed.xml", stream);

  cut = size > 0 ? (data[0] * size) / 256 : 0;
  if (tidings_cli_converter_push (converter, (const char *) data, cut, &error)
      && tidings_cli_converter_push (converter, (const char *) data + cut, size - cut, &error)
      && tidings_cli_converter_finish (converter, &output_failed, &error))
    {
      GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (stream);
      g_autoptr(JsonParser) json = json_parser_new ();
      const char *out = g_memory_output_stream_get_data (memory);
      gsize out_size = g_memory_output_stream_get_data_size (memory);

      if (!g_utf8_validate (out, out_size, NULL))
        abort ();
      if (!json_parser_load_from_data (json, out, out_size, NULL))
        abort ();
    }
  else
    {
      /* Every failure has a sentence, and a memory stream never fails. */
      if (error == NULL || error->message == NULL || output_failed)
        abort ();
    }

  return 0;
}
