/* tidings-jsonfeed.c: JSON Feed 1.0 and 1.1, read with json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The document is decoded to UTF-8, checked by a quick scan of our own and
 * then handed to json-glib in one piece; the tree is walked once and every
 * field is copied out exactly as the publisher wrote it. Resolving URLs and
 * sanitising HTML is the caller's business.
 */

#define G_LOG_DOMAIN "tidings-jsonfeed"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "tidings-date.h"
#include "tidings-jsonfeed.h"
#include "tidings-parser.h"

/* json-glib parses recursively with no limit of its own, so a few megabytes
 * of "[" would overflow the stack. Real feeds nest about five levels. */
#define MAX_DEPTH 512

/* Stands in for lone UTF-16 surrogate escapes, which json-glib would turn
 * into invalid UTF-8; exactly as long as what it replaces. */
#define REPLACEMENT_ESCAPE "\\ufffd"

/* Decoding */

typedef enum
{
  ENCODING_UTF8,
  ENCODING_UTF16LE,
  ENCODING_UTF16BE,
  ENCODING_UTF32LE,
  ENCODING_UTF32BE,
} Encoding;

static const struct
{
  const char *charset;
  guint       unit;
} encodings[] = {
  [ENCODING_UTF8] = { "UTF-8", 1 },
  [ENCODING_UTF16LE] = { "UTF-16LE", 2 },
  [ENCODING_UTF16BE] = { "UTF-16BE", 2 },
  [ENCODING_UTF32LE] = { "UTF-32LE", 4 },
  [ENCODING_UTF32BE] = { "UTF-32BE", 4 },
};

static const struct
{
  const char *bytes;
  gsize       len;
  Encoding    encoding;
} boms[] = {
  /* UTF-32LE before UTF-16LE, whose mark it starts with. */
  { "\xFF\xFE\0\0", 4, ENCODING_UTF32LE },
  { "\0\0\xFE\xFF", 4, ENCODING_UTF32BE },
  { "\xEF\xBB\xBF", 3, ENCODING_UTF8 },
  { "\xFF\xFE", 2, ENCODING_UTF16LE },
  { "\xFE\xFF", 2, ENCODING_UTF16BE },
};

/* A byte order mark settles it; without one, JSON text starts with two ASCII
 * characters, so the pattern of NUL bytes among the first four tells the
 * encoding apart (RFC 4627, section 3). */
static Encoding
detect_encoding (const guchar *d,
                 gsize         len,
                 gsize        *bom_len)
{
  for (guint i = 0; i < G_N_ELEMENTS (boms); i++)
    if (len >= boms[i].len && memcmp (d, boms[i].bytes, boms[i].len) == 0)
      {
        *bom_len = boms[i].len;
        return boms[i].encoding;
      }

  *bom_len = 0;
  if (len >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] != 0)
    return ENCODING_UTF32BE;
  if (len >= 4 && d[0] != 0 && d[1] == 0 && d[2] == 0 && d[3] == 0)
    return ENCODING_UTF32LE;
  if (len >= 2 && d[0] == 0 && d[1] != 0)
    return ENCODING_UTF16BE;
  if (len >= 2 && d[0] != 0 && d[1] == 0)
    return ENCODING_UTF16LE;
  return ENCODING_UTF8;
}

/* g_convert() gives up at the first bad code unit; a feed should not be lost
 * for one broken character, so convert around it and leave U+FFFD in its
 * place. Works in slices so that each call allocates little. */
static char *
convert_to_utf8 (const char *data,
                 gsize       len,
                 Encoding    encoding,
                 gsize      *out_len,
                 gboolean   *lossy)
{
  const gsize slice = 256 * 1024;
  guint unit = encodings[encoding].unit;
  GString *out;
  GIConv cd;
  gsize pos = 0;

  *lossy = FALSE;
  cd = g_iconv_open ("UTF-8", encodings[encoding].charset);
  if (cd == (GIConv) -1)
    return NULL;

  out = g_string_sized_new (len / unit + 16);
  while (pos < len)
    {
      gsize chunk_len = MIN (len - pos, slice);
      gsize n_read = 0;
      gsize n_written = 0;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *converted = NULL;

      g_iconv (cd, NULL, NULL, NULL, NULL);
      converted = g_convert_with_iconv (data + pos, chunk_len, cd,
                                        &n_read, &n_written, &local_error);
      if (converted != NULL)
        {
          g_string_append_len (out, converted, n_written);
          pos += n_read;
          if (n_read == 0 || (n_read < chunk_len && pos + unit > len))
            {
              /* A code unit or surrogate pair cut short at the very end:
               * dropped, as a replacement character there would only make
               * the JSON unreadable. */
              *lossy = TRUE;
              break;
            }
          continue;
        }

      /* n_read is where the bad sequence starts: keep what came before it. */
      if (n_read > 0)
        {
          g_autofree char *prefix = NULL;

          g_iconv (cd, NULL, NULL, NULL, NULL);
          prefix = g_convert_with_iconv (data + pos, n_read, cd, NULL, &n_written, NULL);
          if (prefix != NULL)
            g_string_append_len (out, prefix, n_written);
        }
      g_string_append (out, "\xEF\xBF\xBD");
      *lossy = TRUE;
      pos += n_read + unit;
    }
  g_iconv_close (cd);

  *out_len = out->len;
  return g_string_free (out, FALSE);
}

/* The pre-scan
 *
 * One pass over the text that tokenises it the way json-glib does for
 * standard JSON, to measure how deep it nests and to find the two things
 * json-glib gets wrong: integers beyond 64 bits (it wraps them silently) and
 * lone surrogate escapes (it emits invalid UTF-8 for them). Anything outside
 * standard JSON (comments, single quotes, bad escapes) stops the scan there,
 * since past that point its tokens and json-glib's may no longer line up. */

typedef enum
{
  EDIT_INSERT_QUOTE,       /* turns a huge integer into a string, keeping its digits */
  EDIT_REPLACE_SURROGATE,  /* \uD800 -> \ufffd */
} EditKind;

typedef struct
{
  gsize    offset;
  EditKind kind;
} Edit;

typedef struct
{
  guint       max_depth;
  guint       depth;           /* at stop_offset */
  gboolean    too_deep;
  gsize       stop_offset;     /* where standard JSON ended; the length if it didn't */
  const char *stop_reason;     /* N_(): translated where it reaches an error */
  GArray     *edits;           /* Edit, in document order */
} Scan;

static inline gboolean
is_token_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '+' || c == '.' || c == '_' || c == '$';
}

static inline int
hex4 (const char *s)
{
  int value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (s[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

static void
add_edit (Scan     *scan,
          gsize     offset,
          EditKind  kind)
{
  Edit edit = { offset, kind };

  if (scan->edits == NULL)
    scan->edits = g_array_new (FALSE, FALSE, sizeof (Edit));
  g_array_append_val (scan->edits, edit);
}

/* A bare integer whose magnitude does not fit in gint64. Numbers with a
 * leading zero are left alone: json-glib reads those as octal anyway. */
static gboolean
is_huge_integer (const char *token,
                 gsize       len)
{
  static const char max_magnitude[] = "9223372036854775807";
  gsize n_digits;

  if (len > 0 && token[0] == '-')
    token++, len--;
  if (len < 19 || token[0] < '1' || token[0] > '9')
    return FALSE;
  for (n_digits = 0; n_digits < len; n_digits++)
    if (!g_ascii_isdigit (token[n_digits]))
      return FALSE;
  return n_digits > 19 || memcmp (token, max_magnitude, 19) > 0;
}

/* Returns the offset just past the closing quote, or 0 when the string is
 * not standard JSON (then scan->stop_reason says why). */
static gsize
scan_string (const char *s,
             gsize       len,
             gsize       start,
             Scan       *scan)
{
  gsize i = start + 1;

  for (;;)
    {
      int cp;

      while (i < len && s[i] != '"' && s[i] != '\\')
        i++;
      if (i >= len)
        {
          scan->stop_reason = N_("unterminated string");
          return 0;
        }
      if (s[i] == '"')
        return i + 1;

      /* A backslash. */
      if (i + 1 >= len)
        {
          scan->stop_reason = N_("unterminated string");
          return 0;
        }
      switch (s[i + 1])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          i += 2;
          continue;
        case 'u':
          break;
        default:
          scan->stop_reason = N_("invalid escape in a string");
          return 0;
        }

      cp = i + 6 <= len ? hex4 (s + i + 2) : -1;
      if (cp < 0)
        {
          scan->stop_reason = N_("invalid \\u escape in a string");
          return 0;
        }
      if (cp >= 0xD800 && cp <= 0xDBFF)
        {
          int low = -1;

          if (i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u')
            low = hex4 (s + i + 8);
          if (low >= 0xDC00 && low <= 0xDFFF)
            {
              i += 12;
              continue;
            }
          add_edit (scan, i, EDIT_REPLACE_SURROGATE);
        }
      else if (cp >= 0xDC00 && cp <= 0xDFFF)
        {
          add_edit (scan, i, EDIT_REPLACE_SURROGATE);
        }
      i += 6;
    }
}

static void
scan_json (const char *s,
           gsize       len,
           Scan       *scan)
{
  gsize i = 0;

  memset (scan, 0, sizeof *scan);
  scan->stop_offset = len;

  while (i < len)
    {
      guchar c = s[i];

      switch (c)
        {
        case ' ': case '\t': case '\n': case '\r': case ',': case ':':
          i++;
          break;

        case '[': case '{':
          if (++scan->depth > scan->max_depth)
            scan->max_depth = scan->depth;
          if (scan->depth > MAX_DEPTH)
            {
              scan->too_deep = TRUE;
              scan->stop_offset = i;
              scan->stop_reason = N_("nested too deeply");
              return;
            }
          i++;
          break;

        case ']': case '}':
          if (scan->depth == 0)
            {
              scan->stop_offset = i;
              scan->stop_reason = N_("unbalanced bracket");
              return;
            }
          scan->depth--;
          i++;
          break;

        case '"':
          {
            gsize end = scan_string (s, len, i, scan);

            if (end == 0)
              {
                scan->stop_offset = i;
                return;
              }
            i = end;
          }
          break;

        default:
          if (is_token_char (c))
            {
              gsize start = i;

              while (i < len && is_token_char (s[i]))
                i++;
              if (is_huge_integer (s + start, i - start))
                {
                  add_edit (scan, start, EDIT_INSERT_QUOTE);
                  add_edit (scan, i, EDIT_INSERT_QUOTE);
                }
            }
          else
            {
              scan->stop_offset = i;
              scan->stop_reason = N_("unexpected character");
              return;
            }
          break;
        }
    }
}

static char *
apply_edits (const char *s,
             gsize       len,
             GArray     *edits,
             gsize      *out_len)
{
  GString *out = g_string_sized_new (len + edits->len + 1);
  gsize pos = 0;

  for (guint i = 0; i < edits->len; i++)
    {
      const Edit *edit = &g_array_index (edits, Edit, i);

      g_string_append_len (out, s + pos, edit->offset - pos);
      pos = edit->offset;
      switch (edit->kind)
        {
        case EDIT_INSERT_QUOTE:
          g_string_append_c (out, '"');
          break;
        case EDIT_REPLACE_SURROGATE:
          g_string_append (out, REPLACEMENT_ESCAPE);
          pos += strlen (REPLACEMENT_ESCAPE);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_string_append_len (out, s + pos, len - pos);

  *out_len = out->len;
  return g_string_free (out, FALSE);
}

/* Line and column (both from 1, columns in characters) of @offset. */
static void
locate (const char *s,
        gsize       offset,
        guint      *line,
        guint      *column)
{
  *line = 1;
  *column = 1;
  for (gsize i = 0; i < offset; i++)
    {
      if (s[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar) s[i] & 0xC0) != 0x80)
        {
          (*column)++;
        }
    }
}

/* Field extraction */

static const char *
describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        default:
          return "a number";
        }
    }
}

static void
warn_type (TidingsFeed *feed,
           const char  *where,
           const char  *member,
           JsonNode    *node,
           const char  *expected)
{
  tidings_feed_add_warning (feed, "JSON Feed: “%s” of %s is %s, not %s; ignored",
                            member, where, describe_node (node), expected);
}

static inline gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* The member @name of @object when it is a string; NULL when it is absent or
 * null, and also (with a warning) when it has some other type. */
static const char *
get_string (TidingsFeed *feed,
            JsonObject  *object,
            const char  *where,
            const char  *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!node_is_string (node))
    {
      warn_type (feed, where, name, node, "a string");
      return NULL;
    }
  return json_node_get_string (node);
}

/* A copy of @text, NULL for an empty one. Strings from json-glib are valid
 * UTF-8 unless the lenient path let odd escapes through. */
static char *
copy_text (TidingsFeed *feed,
           const char  *text,
           gsize        len)
{
  if (text == NULL || len == 0)
    return NULL;
  if (G_UNLIKELY (!g_utf8_validate_len (text, len, NULL)))
    {
      tidings_feed_add_warning (feed, "JSON Feed: a string held invalid UTF-8; it was repaired");
      return g_utf8_make_valid (text, len);
    }
  return g_strndup (text, len);
}

static char *
dup_text (TidingsFeed *feed,
          JsonObject  *object,
          const char  *where,
          const char  *name)
{
  const char *text = get_string (feed, object, where, name);

  return text != NULL ? copy_text (feed, text, strlen (text)) : NULL;
}

/* URLs and other tokens lose surrounding white space, which publishers add
 * by accident and which is never part of the value. */
static char *
dup_trimmed (TidingsFeed *feed,
             JsonObject  *object,
             const char  *where,
             const char  *name)
{
  const char *text = get_string (feed, object, where, name);
  const char *end;

  if (text == NULL)
    return NULL;
  while (g_ascii_isspace (*text))
    text++;
  end = text + strlen (text);
  while (end > text && g_ascii_isspace (end[-1]))
    end--;
  return copy_text (feed, text, end - text);
}

static gint64
parse_date (TidingsFeed *feed,
            JsonObject  *object,
            const char  *where,
            const char  *name)
{
  const char *text = get_string (feed, object, where, name);
  gint64 usec;

  if (text == NULL || *text == '\0')
    return TIDINGS_DATE_UNSET;
  if (!tidings_date_parse (text, &usec))
    {
      tidings_feed_add_warning (feed, "JSON Feed: “%s” of %s is not a date that can be read",
                                name, where);
      return TIDINGS_DATE_UNSET;
    }
  return usec;
}

/* A whole number written as digits, with an optional fraction and exponent,
 * nothing else: strtod() would also take hex, "inf" and "nan". */
static gboolean
parse_count_string (const char *text,
                    gint64     *out)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *p = copy;
  gboolean digits = FALSE;
  guint64 whole;
  double value;

  if (*p == '+')
    p++;
  if (g_ascii_string_to_unsigned (p, 10, 0, G_MAXINT64, &whole, NULL))
    {
      *out = (gint64) whole;
      return TRUE;
    }

  for (const char *q = p; *q != '\0'; q++)
    {
      if (g_ascii_isdigit (*q))
        digits = TRUE;
      else if (*q != '.' && *q != 'e' && *q != 'E' && *q != '-' && *q != '+')
        return FALSE;
    }
  if (!digits)
    return FALSE;

  {
    char *end = NULL;

    value = g_ascii_strtod (p, &end);
    if (end == p || *end != '\0')
      return FALSE;
  }
  if (!isfinite (value) || value < 0 || value >= 9223372036854775807.0)
    return FALSE;
  *out = (gint64) floor (value + 0.5);
  return TRUE;
}

/* A non-negative whole number (a size or a duration); -1 when absent or
 * unusable. Publishers write these as integers, fractions or strings. */
static gint64
get_count (TidingsFeed *feed,
           JsonObject  *object,
           const char  *where,
           const char  *name)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value = -1;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return -1;
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      warn_type (feed, where, name, node, "a number");
      return -1;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      value = json_node_get_int (node);
      break;

    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        /* Checked before the cast, which is undefined out of range. */
        if (isfinite (d) && d >= 0 && d < 9223372036854775807.0)
          value = (gint64) floor (d + 0.5);
      }
      break;

    case G_TYPE_STRING:
      if (!parse_count_string (json_node_get_string (node), &value))
        value = -1;
      break;

    default:
      warn_type (feed, where, name, node, "a number");
      return -1;
    }

  if (value < 0)
    {
      tidings_feed_add_warning (feed, "JSON Feed: “%s” of %s is not a usable number; ignored",
                                name, where);
      return -1;
    }
  return value;
}

/* Item ids are strings in 1.1; 1.0 let publishers write numbers. */
static char *
get_id (TidingsFeed *feed,
        JsonObject  *object)
{
  JsonNode *node = json_object_get_member (object, "id");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          {
            const char *text = json_node_get_string (node);

            return copy_text (feed, text, strlen (text));
          }

        case G_TYPE_INT64:
          return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

        case G_TYPE_DOUBLE:
          {
            double d = json_node_get_double (node);
            char buffer[G_ASCII_DTOSTR_BUF_SIZE];

            if (!isfinite (d))
              break;
            if (d == floor (d) && fabs (d) < 9007199254740992.0)
              return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) d);
            return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, d));
          }

        default:
          break;
        }
    }
  warn_type (feed, "an item", "id", node, "a string");
  return NULL;
}

static TidingsAuthor *
read_author (TidingsFeed *feed,
             JsonNode    *node,
             const char  *where)
{
  JsonObject *object;
  TidingsAuthor *author;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      warn_type (feed, where, "author", node, "an object");
      return NULL;
    }
  object = json_node_get_object (node);
  author = tidings_author_new ();
  author->name = dup_text (feed, object, "an author", "name");
  author->url = dup_trimmed (feed, object, "an author", "url");
  author->avatar = dup_trimmed (feed, object, "an author", "avatar");
  if (author->name == NULL && author->url == NULL && author->avatar == NULL)
    g_clear_pointer (&author, tidings_author_free);
  return author;
}

/* 1.1 has an "authors" array, 1.0 a single "author"; feeds written for both
 * carry both, and then the array wins. */
static void
read_authors (TidingsFeed *feed,
              JsonObject  *object,
              const char  *where,
              GPtrArray   *authors)
{
  JsonNode *node = json_object_get_member (object, "authors");

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          TidingsAuthor *author = read_author (feed, json_array_get_element (array, i), where);

          if (author != NULL)
            g_ptr_array_add (authors, author);
        }
    }
  else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      warn_type (feed, where, "authors", node, "an array");
    }

  if (authors->len > 0)
    return;

  node = json_object_get_member (object, "author");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      TidingsAuthor *author = read_author (feed, node, where);

      if (author != NULL)
        g_ptr_array_add (authors, author);
    }
}

static void
read_tags (TidingsFeed *feed,
           JsonObject  *object,
           TidingsItem *item)
{
  JsonNode *node = json_object_get_member (object, "tags");
  g_autoptr(GHashTable) seen = NULL;
  JsonArray *array;
  guint n;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      warn_type (feed, "an item", "tags", node, "an array");
      return;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  /* tidings_item_add_tag() checks for duplicates one by one, which is fine
   * for a handful of tags but not for a hostile list of thousands. */
  if (n > 32)
    seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *text;
      char *tag;

      if (!node_is_string (element))
        {
          warn_type (feed, "an item", "tags[]", element, "a string");
          continue;
        }
      text = json_node_get_string (element);
      tag = copy_text (feed, text, strlen (text));
      if (tag == NULL)
        continue;
      if (seen == NULL)
        {
          tidings_item_add_tag (item, tag);
          g_free (tag);
        }
      else if (g_hash_table_add (seen, tag))
        {
          g_ptr_array_add (item->tags, tag);
        }
      else
        {
          g_free (tag);
        }
    }
}

static void
read_attachments (TidingsFeed *feed,
                  JsonObject  *object,
                  TidingsItem *item)
{
  JsonNode *node = json_object_get_member (object, "attachments");
  JsonArray *array;
  guint n;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      warn_type (feed, "an item", "attachments", node, "an array");
      return;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *fields;
      TidingsAttachment *attachment;
      char *url;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          warn_type (feed, "an item", "attachments[]", element, "an object");
          continue;
        }
      fields = json_node_get_object (element);
      url = dup_trimmed (feed, fields, "an attachment", "url");
      if (url == NULL)
        {
          tidings_feed_add_warning (feed, "JSON Feed: an attachment without a “url” was skipped");
          continue;
        }

      attachment = tidings_attachment_new ();
      attachment->url = url;
      attachment->mime_type = dup_trimmed (feed, fields, "an attachment", "mime_type");
      attachment->title = dup_text (feed, fields, "an attachment", "title");
      attachment->size_in_bytes = get_count (feed, fields, "an attachment", "size_in_bytes");
      attachment->duration_in_seconds =
        get_count (feed, fields, "an attachment", "duration_in_seconds");
      g_ptr_array_add (item->attachments, attachment);
    }
}

static TidingsItem *
read_item (TidingsFeed *feed,
           JsonObject  *object)
{
  const char *where = "an item";
  TidingsItem *item = tidings_item_new ();

  item->id = get_id (feed, object);
  item->url = dup_trimmed (feed, object, where, "url");
  item->external_url = dup_trimmed (feed, object, where, "external_url");
  item->title = dup_text (feed, object, where, "title");
  item->content_html = dup_text (feed, object, where, "content_html");
  item->content_text = dup_text (feed, object, where, "content_text");
  item->summary = dup_text (feed, object, where, "summary");
  item->summary_is_html = FALSE;
  item->image = dup_trimmed (feed, object, where, "image");
  item->language = dup_trimmed (feed, object, where, "language");
  item->date_published = parse_date (feed, object, where, "date_published");
  item->date_modified = parse_date (feed, object, where, "date_modified");
  read_authors (feed, object, where, item->authors);
  read_tags (feed, object, item);
  read_attachments (feed, object, item);
  return item;
}

/* The version URL, which the spec asks readers to match by prefix. Returns
 * FALSE when it is not a JSON Feed version at all. */
static gboolean
read_version (const char        *version,
              TidingsFeedFormat *format,
              gboolean          *known)
{
  const char *p = version;

  while (g_ascii_isspace (*p))
    p++;
  if (g_ascii_strncasecmp (p, "https://", 8) == 0)
    p += 8;
  else if (g_ascii_strncasecmp (p, "http://", 7) == 0)
    p += 7;
  else
    return FALSE;
  if (g_ascii_strncasecmp (p, "www.", 4) == 0)
    p += 4;
  if (g_ascii_strncasecmp (p, "jsonfeed.org/version/", 21) != 0)
    return FALSE;
  p += 21;

  /* Anything newer is most likely a superset of 1.1. */
  *format = TIDINGS_FEED_FORMAT_JSON11;
  *known = FALSE;
  if (g_str_has_prefix (p, "1.1") && (p[3] == '\0' || p[3] == '/' || g_ascii_isspace (p[3])))
    *known = TRUE;
  else if (p[0] == '1' && (p[1] == '\0' || p[1] == '/' || g_ascii_isspace (p[1])))
    {
      *format = TIDINGS_FEED_FORMAT_JSON10;
      *known = TRUE;
    }
  return TRUE;
}

static gboolean
read_feed (JsonNode         *root,
           TidingsFeed      *feed,
           TidingsItemFunc   item_func,
           gpointer          user_data,
           GError          **error)
{
  const char *where = "the feed";
  JsonObject *object;
  JsonNode *version_node;
  JsonNode *items_node;
  const char *version = NULL;
  TidingsFeedFormat format = TIDINGS_FEED_FORMAT_JSON11;
  gboolean known = FALSE;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                           _("JSON, but not a JSON Feed"));
      return FALSE;
    }

  object = json_node_get_object (root);
  version_node = json_object_get_member (object, "version");
  items_node = json_object_get_member (object, "items");
  if (version_node != NULL && node_is_string (version_node))
    version = json_node_get_string (version_node);

  if (version != NULL && read_version (version, &format, &known))
    {
      if (!known && g_utf8_validate (version, -1, NULL))
        tidings_feed_add_warning (feed, "JSON Feed: unknown version “%s”, read as 1.1", version);
      else if (!known)
        tidings_feed_add_warning (feed, "JSON Feed: unknown version, read as 1.1");
    }
  else if (items_node != NULL && JSON_NODE_HOLDS_ARRAY (items_node))
    {
      /* Hand-written feeds forget the version; an items array is telling. */
      format = TIDINGS_FEED_FORMAT_JSON11;
      tidings_feed_add_warning (feed, "JSON Feed: no JSON Feed version; read as 1.1");
    }
  else
    {
      g_set_error_literal (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                           _("JSON, but not a JSON Feed"));
      return FALSE;
    }

  feed->format = format;
  g_clear_pointer (&feed->title, g_free);
  feed->title = dup_text (feed, object, where, "title");
  g_clear_pointer (&feed->home_page_url, g_free);
  feed->home_page_url = dup_trimmed (feed, object, where, "home_page_url");
  g_clear_pointer (&feed->feed_url, g_free);
  feed->feed_url = dup_trimmed (feed, object, where, "feed_url");
  g_clear_pointer (&feed->description, g_free);
  feed->description = dup_text (feed, object, where, "description");
  g_clear_pointer (&feed->icon, g_free);
  feed->icon = dup_trimmed (feed, object, where, "icon");
  g_clear_pointer (&feed->favicon, g_free);
  feed->favicon = dup_trimmed (feed, object, where, "favicon");
  g_clear_pointer (&feed->language, g_free);
  feed->language = dup_trimmed (feed, object, where, "language");
  read_authors (feed, object, where, feed->authors);

  if (items_node == NULL || JSON_NODE_HOLDS_NULL (items_node))
    {
      tidings_feed_add_warning (feed, "JSON Feed: the feed has no “items”");
    }
  else if (!JSON_NODE_HOLDS_ARRAY (items_node))
    {
      warn_type (feed, where, "items", items_node, "an array");
    }
  else
    {
      JsonArray *items = json_node_get_array (items_node);
      guint n = json_array_get_length (items);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (items, i);
          TidingsItem *item;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            {
              tidings_feed_add_warning (feed, "JSON Feed: an item is %s, not an object; skipped",
                                        describe_node (element));
              continue;
            }
          item = read_item (feed, json_node_get_object (element));
          if (item_func != NULL)
            item_func (item, user_data);
          else
            tidings_item_free (item);
        }
    }

  return TRUE;
}

/* json-glib words its errors for a programmer ("<data>:1:84: Parse error:
 * scanner: unterminated string constant"): keep the position and the
 * reason, in the words of our own messages. */
static char *
describe_json_glib_error (const char *message)
{
  const char *p = message;
  const char *reason;
  guint64 line;
  guint64 column;
  char *end;

  if (g_str_has_prefix (p, "<data>:"))
    p += strlen ("<data>:");
  reason = strstr (p, "Parse error: ");
  if (reason == NULL)
    return g_strdup (p);
  reason += strlen ("Parse error: ");
  if (g_str_has_prefix (reason, "scanner: "))
    reason += strlen ("scanner: ");

  line = g_ascii_strtoull (p, &end, 10);
  if (end > p && *end == ':')
    {
      const char *q = end + 1;

      column = g_ascii_strtoull (q, &end, 10);
      if (end > q && *end == ':')
        /* Translators: where in a document a problem is; the last %s is the
         * problem. */
        return g_strdup_printf (_("line %u, column %u: %s"), (guint) MIN (line, G_MAXUINT),
                                (guint) MIN (column, G_MAXUINT), reason);
    }
  return g_strdup (reason);
}

gboolean
_tidings_jsonfeed_parse (const char       *data,
                         gsize             len,
                         TidingsFeed      *feed,
                         TidingsItemFunc   item_func,
                         gpointer          user_data,
                         GError          **error)
{
  g_autofree char *converted = NULL;
  g_autofree char *repaired = NULL;
  g_autofree char *edited = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  const char *text;
  gsize text_len;
  gsize bom_len;
  gsize first;
  Encoding encoding;
  Scan scan;
  gboolean lenient = FALSE;
  guint stop_line = 0;
  guint stop_column = 0;
  gboolean looks_like_json;
  gboolean ret;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (feed != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len == 0)
    {
      g_set_error_literal (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_EMPTY,
                           _("The document is empty"));
      return FALSE;
    }

  /* Decode to UTF-8, copying only when the input is not UTF-8 already. */
  encoding = detect_encoding ((const guchar *) data, len, &bom_len);
  text = data + bom_len;
  text_len = len - bom_len;
  if (encoding != ENCODING_UTF8)
    {
      gboolean lossy = FALSE;

      converted = convert_to_utf8 (text, text_len, encoding, &text_len, &lossy);
      if (converted == NULL)
        {
          g_set_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_MALFORMED,
                       _("Cannot convert the document from %s"), encodings[encoding].charset);
          return FALSE;
        }
      if (lossy)
        {
          tidings_feed_add_warning (feed, "The document is not valid %s; "
                                    "the broken characters were replaced",
                                    encodings[encoding].charset);
          feed->recovered = TRUE;
        }
      text = converted;
      if (text_len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
        {
          /* The byte order mark was written twice. */
          text += 3;
          text_len -= 3;
        }
    }
  /* NUL counts as invalid here, which suits: json-glib would stop at one. */
  if (!g_utf8_validate_len (text, text_len, NULL))
    {
      repaired = g_utf8_make_valid (text, text_len);
      text = repaired;
      text_len = strlen (repaired);
      tidings_feed_add_warning (feed, "The document is not valid UTF-8; "
                                "the broken characters were replaced");
      feed->recovered = TRUE;
    }

  for (first = 0; first < text_len && g_ascii_isspace (text[first]); first++)
    ;
  if (first == text_len)
    {
      g_set_error_literal (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_EMPTY,
                           _("The document is empty"));
      return FALSE;
    }
  if (text[first] == '<')
    {
      g_set_error_literal (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                           _("Not JSON: the document looks like XML or HTML"));
      return FALSE;
    }
  looks_like_json = text[first] == '{' || text[first] == '[';

  scan_json (text, text_len, &scan);
  if (scan.stop_offset < text_len)
    {
      /* Past the stop json-glib may tokenise differently (it takes comments
       * and single quotes), so bound its depth by every bracket that is left.
       * If that is safe, let it try: its message is better than ours, and
       * it may read the document. */
      gsize opens = scan.depth;
      guint line, column;

      if (!scan.too_deep)
        for (gsize i = scan.stop_offset; i < text_len && opens <= MAX_DEPTH; i++)
          if (text[i] == '[' || text[i] == '{')
            opens++;

      if (scan.too_deep || opens > MAX_DEPTH)
        {
          locate (text, scan.stop_offset, &line, &column);
          g_set_error (error, TIDINGS_PARSE_ERROR,
                       looks_like_json ? TIDINGS_PARSE_ERROR_MALFORMED
                                       : TIDINGS_PARSE_ERROR_NOT_A_FEED,
                       /* Translators: the last %s says what is wrong there. */
                       _("Not valid JSON: line %u, column %u: %s"), line, column,
                       _(scan.stop_reason));
          g_clear_pointer (&scan.edits, g_array_unref);
          return FALSE;
        }
      lenient = TRUE;
      locate (text, scan.stop_offset, &stop_line, &stop_column);
    }

  if (scan.edits != NULL)
    {
      edited = apply_edits (text, text_len, scan.edits, &text_len);
      text = edited;
      g_clear_pointer (&scan.edits, g_array_unref);
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, text_len, &json_error))
    {
      g_autofree char *reason = describe_json_glib_error (json_error->message);

      if (looks_like_json)
        g_set_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_MALFORMED,
                     _("Not valid JSON: %s"), reason);
      else
        g_set_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                     _("Not JSON: %s"), reason);
      return FALSE;
    }

  ret = read_feed (json_parser_get_root (parser), feed, item_func, user_data, error);
  if (ret && lenient)
    {
      tidings_feed_add_warning (feed, "The document is not strict JSON (%u:%u: %s); "
                                "read leniently", stop_line, stop_column, scan.stop_reason);
      feed->recovered = TRUE;
    }
  return ret;
}
