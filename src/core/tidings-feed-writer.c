/* tidings-feed-writer.c: streaming JSON Feed 1.1 output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-writer"

#include "config.h"

#include <string.h>

#include "tidings-date.h"
#include "tidings-feed-writer.h"

/* Output is gathered in a buffer and written in blocks of about this size. */
#define FLUSH_SIZE (64 * 1024)

/* Strings longer than this are measured before they are escaped. */
#define JSON_MEASURE_LENGTH (64 * 1024)

struct _TidingsFeedWriter
{
  GOutputStream *stream;
  GString       *buffer;
  guint          n_items;
};

TidingsFeedWriter *
tidings_feed_writer_new (GOutputStream *stream)
{
  TidingsFeedWriter *writer;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  writer = g_new0 (TidingsFeedWriter, 1);
  writer->stream = g_object_ref (stream);
  writer->buffer = g_string_sized_new (FLUSH_SIZE + 4096);
  g_string_append (writer->buffer,
                   "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n  \"items\": [");
  return writer;
}

void
tidings_feed_writer_free (TidingsFeedWriter *writer)
{
  if (writer == NULL)
    return;
  g_clear_object (&writer->stream);
  g_string_free (writer->buffer, TRUE);
  g_free (writer);
}

/* Non-zero for the bytes a JSON string must escape, and for the NUL that
 * ends it. */
static const guint8 json_special[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  ['"'] = 1, ['\\'] = 1,
};

void
_tidings_json_append_string (GString    *out,
                             const char *text)
{
  static const char hex[] = "0123456789abcdef";
  gsize len = strlen (text);
  gsize start = out->len;
  const char *p = text;
  gsize room = 6 * len;
  char *q;

  /* A long text is measured first (five bytes more per escape is enough):
   * reserving six times a 100 MB article would ask for 1 GiB. */
  if (len > JSON_MEASURE_LENGTH)
    {
      room = len;
      for (gsize i = 0; i < len; i++)
        room += 5 * json_special[(guchar) text[i]];
    }

  /* Room for the worst case (every byte as \u00XX), written in place:
   * runs of ordinary bytes are copied whole, escapes written by hand. */
  g_string_set_size (out, start + room + 2);
  q = out->str + start;
  *q++ = '"';
  for (;;)
    {
      const char *run = p;
      guchar c;

      while (json_special[(guchar) *p] == 0)
        p++;
      memcpy (q, run, p - run);
      q += p - run;

      c = (guchar) *p++;
      if (c == '\0')
        break;

      *q++ = '\\';
      switch (c)
        {
        case '"': *q++ = '"'; break;
        case '\\': *q++ = '\\'; break;
        case '\n': *q++ = 'n'; break;
        case '\r': *q++ = 'r'; break;
        case '\t': *q++ = 't'; break;
        case '\b': *q++ = 'b'; break;
        case '\f': *q++ = 'f'; break;
        default:
          *q++ = 'u';
          *q++ = '0';
          *q++ = '0';
          *q++ = hex[c >> 4];
          *q++ = hex[c & 0xF];
          break;
        }
    }
  *q++ = '"';
  g_string_truncate (out, q - out->str);
}

static void
append_key (GString    *out,
            const char *indent,
            const char *key,
            gboolean   *first)
{
  g_string_append (out, *first ? "\n" : ",\n");
  *first = FALSE;
  g_string_append (out, indent);
  g_string_append_c (out, '"');
  g_string_append (out, key);
  g_string_append (out, "\": ");
}

static void
append_string_member (GString    *out,
                      const char *indent,
                      const char *key,
                      const char *value,
                      gboolean   *first)
{
  if (value == NULL)
    return;
  append_key (out, indent, key, first);
  _tidings_json_append_string (out, value);
}

static void
append_date_member (GString    *out,
                    const char *indent,
                    const char *key,
                    gint64      value,
                    gboolean   *first)
{
  g_autofree char *text = NULL;

  if (value == TIDINGS_DATE_UNSET)
    return;
  text = tidings_date_format (value);
  append_string_member (out, indent, key, text, first);
}

static void
append_authors (GString    *out,
                const char *indent,
                GPtrArray  *authors,
                gboolean   *first)
{
  if (authors->len == 0)
    return;

  append_key (out, indent, "authors", first);
  g_string_append_c (out, '[');
  for (guint i = 0; i < authors->len; i++)
    {
      const TidingsAuthor *author = authors->pdata[i];
      gboolean first_field = TRUE;

      g_string_append (out, i == 0 ? "{" : ", {");
      /* Compact objects: an author is short. */
      if (author->name != NULL)
        {
          g_string_append (out, "\"name\": ");
          _tidings_json_append_string (out, author->name);
          first_field = FALSE;
        }
      if (author->url != NULL)
        {
          g_string_append (out, first_field ? "\"url\": " : ", \"url\": ");
          _tidings_json_append_string (out, author->url);
          first_field = FALSE;
        }
      if (author->avatar != NULL)
        {
          g_string_append (out, first_field ? "\"avatar\": " : ", \"avatar\": ");
          _tidings_json_append_string (out, author->avatar);
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

static void
append_item (GString           *out,
             const TidingsItem *item)
{
  static const char indent[] = "      ";
  gboolean first = TRUE;

  g_string_append (out, "    {");
  append_string_member (out, indent, "id", item->id, &first);
  append_string_member (out, indent, "url", item->url, &first);
  append_string_member (out, indent, "external_url", item->external_url, &first);
  append_string_member (out, indent, "title", item->title, &first);
  append_string_member (out, indent, "content_html", item->content_html, &first);
  append_string_member (out, indent, "content_text", item->content_text, &first);
  append_string_member (out, indent, "summary", item->summary, &first);
  append_string_member (out, indent, "image", item->image, &first);
  append_date_member (out, indent, "date_published", item->date_published, &first);
  append_date_member (out, indent, "date_modified", item->date_modified, &first);
  append_authors (out, indent, item->authors, &first);

  if (item->tags->len > 0)
    {
      append_key (out, indent, "tags", &first);
      g_string_append_c (out, '[');
      for (guint i = 0; i < item->tags->len; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          _tidings_json_append_string (out, item->tags->pdata[i]);
        }
      g_string_append_c (out, ']');
    }

  append_string_member (out, indent, "language", item->language, &first);

  if (item->attachments->len > 0)
    {
      append_key (out, indent, "attachments", &first);
      g_string_append_c (out, '[');
      for (guint i = 0; i < item->attachments->len; i++)
        {
          const TidingsAttachment *attachment = item->attachments->pdata[i];

          g_string_append (out, i == 0 ? "{\"url\": " : ", {\"url\": ");
          _tidings_json_append_string (out, attachment->url);
          /* JSON Feed requires a mime_type; an unknown one is honestly
           * application/octet-stream. */
          g_string_append (out, ", \"mime_type\": ");
          _tidings_json_append_string (out, attachment->mime_type != NULL
                                              ? attachment->mime_type
                                              : "application/octet-stream");
          if (attachment->title != NULL)
            {
              g_string_append (out, ", \"title\": ");
              _tidings_json_append_string (out, attachment->title);
            }
          if (attachment->size_in_bytes >= 0)
            g_string_append_printf (out, ", \"size_in_bytes\": %" G_GINT64_FORMAT,
                                    attachment->size_in_bytes);
          if (attachment->duration_in_seconds >= 0)
            g_string_append_printf (out, ", \"duration_in_seconds\": %" G_GINT64_FORMAT,
                                    attachment->duration_in_seconds);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
    }

  g_string_append (out, "\n    }");
}

static gboolean
flush (TidingsFeedWriter  *writer,
       GError            **error)
{
  gboolean ok;

  ok = g_output_stream_write_all (writer->stream, writer->buffer->str, writer->buffer->len,
                                  NULL, NULL, error);
  g_string_truncate (writer->buffer, 0);
  return ok;
}

gboolean
tidings_feed_writer_add_item (TidingsFeedWriter  *writer,
                              const TidingsItem  *item,
                              GError            **error)
{
  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  g_string_append (writer->buffer, writer->n_items == 0 ? "\n" : ",\n");
  append_item (writer->buffer, item);
  writer->n_items++;

  if (writer->buffer->len >= FLUSH_SIZE)
    return flush (writer, error);
  return TRUE;
}

gboolean
tidings_feed_writer_finish (TidingsFeedWriter  *writer,
                            const TidingsFeed  *feed,
                            GError            **error)
{
  static const char indent[] = "  ";
  GString *out;
  gboolean first = FALSE;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (feed != NULL, FALSE);

  out = writer->buffer;
  g_string_append (out, writer->n_items == 0 ? "]" : "\n  ]");
  append_string_member (out, indent, "title", feed->title, &first);
  append_string_member (out, indent, "home_page_url", feed->home_page_url, &first);
  append_string_member (out, indent, "feed_url", feed->feed_url, &first);
  append_string_member (out, indent, "description", feed->description, &first);
  append_string_member (out, indent, "icon", feed->icon, &first);
  append_string_member (out, indent, "favicon", feed->favicon, &first);
  append_string_member (out, indent, "language", feed->language, &first);
  append_authors (out, indent, feed->authors, &first);

  append_key (out, indent, "_tidings", &first);
  g_string_append (out, "{\n    \"format\": ");
  _tidings_json_append_string (out, tidings_feed_format_to_string (feed->format));
  g_string_append_printf (out, ",\n    \"recovered\": %s", feed->recovered ? "true" : "false");
  append_date_member (out, "    ", "date_modified", feed->date_modified, &first);
  if (feed->ttl_minutes > 0)
    g_string_append_printf (out, ",\n    \"ttl_minutes\": %u", feed->ttl_minutes);
  g_string_append (out, ",\n    \"warnings\": [");
  for (guint i = 0; i < feed->warnings->len; i++)
    {
      g_string_append (out, i == 0 ? "\n      " : ",\n      ");
      _tidings_json_append_string (out, feed->warnings->pdata[i]);
    }
  g_string_append (out, feed->warnings->len > 0 ? "\n    ]\n  }\n}\n" : "]\n  }\n}\n");

  if (!flush (writer, error))
    return FALSE;
  return g_output_stream_flush (writer->stream, NULL, error);
}
