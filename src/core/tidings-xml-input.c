/* tidings-xml-input.c: turning the bytes publishers serve into clean UTF-8 XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-xml"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "tidings-utf8.h"
#include "tidings-xml-input.h"

/* How much of the document is looked at to find its character set. */
#define SNIFF_SIZE 1024

/* Longest entity or character reference we accept as one (`&#x10FFFF;` is
 * 10 bytes; HTML entity names are at most 32). */
#define MAX_REF_LENGTH 40

typedef enum
{
  DECODE_SNIFF,     /* still collecting the first bytes */
  DECODE_UTF8,      /* UTF-8, with invalid bytes read as windows-1252 */
  DECODE_CP1252,    /* ISO-8859-1 and windows-1252, as browsers treat both */
  DECODE_ICONV,     /* anything else GLib's iconv knows */
} DecodeMode;

typedef enum
{
  SCAN_TEXT,        /* content and tags: bare ampersands get escaped */
  SCAN_COMMENT,     /* inside <!-- -->: left alone */
  SCAN_CDATA,       /* inside <![CDATA[ ]]>: left alone */
  SCAN_PI,          /* inside <? ?>: left alone */
} ScanState;

struct _TidingsXmlInput
{
  DecodeMode        mode;
  ScanState         scan;
  GString          *raw;       /* undecided input bytes */
  GString          *decoded;   /* UTF-8 waiting to be scanned */
  GIConv            iconv;
  char             *charset;
  TidingsXmlRepair  repairs;
  gboolean          seen_lt;   /* the first `<` has been passed */
  gboolean          check_utf8; /* a single-byte declaration not yet confirmed */
};

/* windows-1252's 0x80-0x9F; the five holes keep their C1 code point. */
static const gunichar cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

void
_tidings_append_cp1252 (GString *out,
                        guchar   byte)
{
  if (byte < 0x80)
    g_string_append_c (out, (char) byte);
  else if (byte < 0xA0)
    g_string_append_unichar (out, cp1252_high[byte - 0x80]);
  else
    g_string_append_unichar (out, byte);
}

/* What the scanner has to stop at, per state. */
enum
{
  STOP_CONTROL = 1 << 0,  /* C0 controls other than tab, newline, return */
  STOP_AMP     = 1 << 1,
  STOP_LT      = 1 << 2,
  STOP_DASH    = 1 << 3,
  STOP_BRACKET = 1 << 4,
  STOP_QUESTION = 1 << 5,
  STOP_EF      = 1 << 6,  /* the lead byte of U+FFFE and U+FFFF */
};

static guint8 stop_class[256];

static void
init_stop_class (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (int c = 0; c < 0x20; c++)
        if (c != '\t' && c != '\n' && c != '\r')
          stop_class[c] = STOP_CONTROL;
      stop_class['&'] = STOP_AMP;
      stop_class['<'] = STOP_LT;
      stop_class['-'] = STOP_DASH;
      stop_class[']'] = STOP_BRACKET;
      stop_class['?'] = STOP_QUESTION;
      stop_class[0xEF] = STOP_EF;
      g_once_init_leave (&initialised, 1);
    }
}

static const guint8 stop_mask[] = {
  [SCAN_TEXT] = STOP_CONTROL | STOP_AMP | STOP_LT | STOP_EF,
  [SCAN_COMMENT] = STOP_CONTROL | STOP_DASH | STOP_EF,
  [SCAN_CDATA] = STOP_CONTROL | STOP_BRACKET | STOP_EF,
  [SCAN_PI] = STOP_CONTROL | STOP_QUESTION | STOP_EF,
};

TidingsXmlInput *
_tidings_xml_input_new (void)
{
  TidingsXmlInput *input = g_new0 (TidingsXmlInput, 1);

  input->mode = DECODE_SNIFF;
  input->scan = SCAN_TEXT;
  input->raw = g_string_new (NULL);
  input->decoded = g_string_new (NULL);
  input->iconv = (GIConv) -1;
  init_stop_class ();
  return input;
}

void
_tidings_xml_input_free (TidingsXmlInput *input)
{
  if (input == NULL)
    return;
  if (input->iconv != (GIConv) -1)
    g_iconv_close (input->iconv);
  g_string_free (input->raw, TRUE);
  g_string_free (input->decoded, TRUE);
  g_free (input->charset);
  g_free (input);
}

const char *
_tidings_xml_input_get_charset (TidingsXmlInput *input)
{
  return input->charset;
}

TidingsXmlRepair
_tidings_xml_input_get_repairs (TidingsXmlInput *input)
{
  return input->repairs;
}

gboolean
_tidings_xml_input_seen_markup (TidingsXmlInput *input)
{
  return input->seen_lt;
}

/* Finds encoding="..." in an XML declaration at the start of @data. */
static char *
find_declared_charset (const char *data,
                       gsize       len)
{
  const char *end;
  const char *p;
  char quote;
  const char *value;

  if (len < 6 || memcmp (data, "<?xml", 5) != 0)
    return NULL;
  end = memchr (data, '>', len);
  if (end == NULL)
    return NULL;

  p = g_strstr_len (data, end - data, "encoding");
  if (p == NULL)
    return NULL;
  p += strlen ("encoding");
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p >= end || *p != '=')
    return NULL;
  p++;
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p >= end || (*p != '"' && *p != '\''))
    return NULL;
  quote = *p++;
  value = p;
  while (p < end && *p != quote)
    p++;
  if (p >= end || p == value || p - value > 40)
    return NULL;
  return g_ascii_strdown (value, p - value);
}

static gboolean
charset_is_utf8 (const char *charset)
{
  return g_str_equal (charset, "utf-8") || g_str_equal (charset, "utf8") ||
         g_str_equal (charset, "us-ascii") || g_str_equal (charset, "ascii") ||
         g_str_equal (charset, "ansi_x3.4-1968") ||
         /* A UTF-16 declaration without a UTF-16 byte pattern is a lie told
          * by a document that is really in an ASCII-compatible charset. */
         g_str_has_prefix (charset, "utf-16") || g_str_has_prefix (charset, "utf-32") ||
         g_str_equal (charset, "ucs-2") || g_str_equal (charset, "iso-10646-ucs-2");
}

static gboolean
charset_is_cp1252 (const char *charset)
{
  return g_str_equal (charset, "windows-1252") || g_str_equal (charset, "cp1252") ||
         g_str_equal (charset, "iso-8859-1") || g_str_equal (charset, "iso8859-1") ||
         g_str_equal (charset, "latin1") || g_str_equal (charset, "latin-1") ||
         g_str_equal (charset, "l1") || g_str_equal (charset, "iso_8859-1") ||
         g_str_equal (charset, "x-cp1252");
}

/* Decides the character set from the byte order mark, the byte pattern of
 * `<?xml` in the wider encodings, or the XML declaration, and strips a BOM. */
static void
sniff (TidingsXmlInput *input)
{
  const guchar *b = (const guchar *) input->raw->str;
  gsize len = input->raw->len;
  const char *wide = NULL;
  gsize bom = 0;
  g_autofree char *declared = NULL;

  if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
    {
      input->charset = g_strdup ("utf-8");
      bom = 3;
    }
  else if (len >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0)
    wide = "UTF-32LE", bom = 4;
  else if (len >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF)
    wide = "UTF-32BE", bom = 4;
  else if (len >= 2 && b[0] == 0xFF && b[1] == 0xFE)
    wide = "UTF-16LE", bom = 2;
  else if (len >= 2 && b[0] == 0xFE && b[1] == 0xFF)
    wide = "UTF-16BE", bom = 2;
  else if (len >= 4 && b[0] == '<' && b[1] == 0 && b[2] == 0 && b[3] == 0)
    wide = "UTF-32LE";
  else if (len >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == '<')
    wide = "UTF-32BE";
  else if (len >= 2 && b[0] == '<' && b[1] == 0)
    wide = "UTF-16LE";
  else if (len >= 2 && b[0] == 0 && b[1] == '<')
    wide = "UTF-16BE";

  g_string_erase (input->raw, 0, bom);

  if (wide != NULL)
    {
      input->charset = g_ascii_strdown (wide, -1);
      input->iconv = g_iconv_open ("UTF-8", wide);
      input->mode = input->iconv != (GIConv) -1 ? DECODE_ICONV : DECODE_UTF8;
      return;
    }
  if (input->charset != NULL)
    {
      input->mode = DECODE_UTF8;
      return;
    }

  declared = find_declared_charset (input->raw->str, input->raw->len);
  if (declared == NULL || charset_is_utf8 (declared))
    {
      input->charset = g_strdup ("utf-8");
      input->mode = DECODE_UTF8;
    }
  else if (charset_is_cp1252 (declared))
    {
      input->charset = g_strdup ("windows-1252");
      input->mode = DECODE_CP1252;
      input->check_utf8 = TRUE;
    }
  else
    {
      input->iconv = g_iconv_open ("UTF-8", declared);
      if (input->iconv != (GIConv) -1)
        {
          input->charset = g_steal_pointer (&declared);
          input->mode = DECODE_ICONV;
        }
      else
        {
          g_debug ("Unknown charset “%s”, reading as UTF-8", declared);
          input->repairs |= TIDINGS_XML_REPAIR_UNKNOWN_CHARSET;
          input->charset = g_strdup ("utf-8");
          input->mode = DECODE_UTF8;
        }
    }
}

/* UTF-8 in, UTF-8 out; a byte that is not part of a valid sequence is taken
 * to be windows-1252, the most common mislabelling on the web. */
static gsize
decode_utf8 (TidingsXmlInput *input,
             const char      *data,
             gsize            len,
             gboolean         last)
{
  const char *p = data;
  const char *end = data + len;

  while (p < end)
    {
      const char *valid_end;
      gunichar c;

      if (_tidings_utf8_validate (p, end - p, &valid_end))
        {
          g_string_append_len (input->decoded, p, end - p);
          return len;
        }
      g_string_append_len (input->decoded, p, valid_end - p);
      p = valid_end;

      /* A sequence cut by the end of the chunk waits for the next one. */
      c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -2 && !last)
        return p - data;

      _tidings_append_cp1252 (input->decoded, (guchar) *p);
      input->repairs |= TIDINGS_XML_REPAIR_INVALID_BYTES;
      p++;
    }
  return len;
}

/* Documents declared ISO-8859-1 or windows-1252 are often UTF-8 in fact.
 * Text in those charsets almost never happens to form valid multi-byte UTF-8
 * sequences, so the first non-ASCII run decides. Returns -1 when the chunk
 * ends too soon to tell. */
static int
looks_like_utf8 (const char *data,
                 gsize       len,
                 gboolean    last)
{
  const char *end;
  gsize window = MIN (len, 256);
  gunichar c = g_utf8_get_char_validated (data, len);

  if (c == (gunichar) -2)
    return last ? FALSE : -1;
  if (c == (gunichar) -1)
    return FALSE;
  if (_tidings_utf8_validate (data, window, &end))
    return TRUE;
  /* Only a sequence cut by the window's edge may fail. */
  return window - (end - data) < 4 && g_utf8_get_char_validated (end, len - (end - data)) != (gunichar) -1;
}

static gsize
decode_cp1252 (TidingsXmlInput *input,
               const char      *data,
               gsize            len,
               gboolean         last)
{
  gsize i = 0;

  if (input->check_utf8)
    {
      int utf8;

      while (i < len && (guchar) data[i] < 0x80)
        i++;
      g_string_append_len (input->decoded, data, i);
      if (i == len)
        return len;
      utf8 = looks_like_utf8 (data + i, len - i, last);
      if (utf8 < 0)
        return i;
      input->check_utf8 = FALSE;
      if (utf8)
        {
          g_debug ("Declared %s, but the text is UTF-8", input->charset);
          input->repairs |= TIDINGS_XML_REPAIR_WRONG_CHARSET;
          g_free (input->charset);
          input->charset = g_strdup ("utf-8");
          input->mode = DECODE_UTF8;
          return i + decode_utf8 (input, data + i, len - i, last);
        }
    }

  for (; i < len; i++)
    _tidings_append_cp1252 (input->decoded, (guchar) data[i]);
  return len;
}

static gsize
decode_iconv (TidingsXmlInput *input,
              const char      *data,
              gsize            len,
              gboolean         last)
{
  char *in = (char *) data;
  gsize in_left = len;
  char buffer[8192];

  while (in_left > 0)
    {
      char *out = buffer;
      gsize out_left = sizeof buffer;
      gsize r;

      r = g_iconv (input->iconv, &in, &in_left, &out, &out_left);
      g_string_append_len (input->decoded, buffer, out - buffer);
      if (r != (gsize) -1)
        continue;
      if (errno == E2BIG)
        continue;
      if (errno == EINVAL && !last)
        break;
      /* An invalid or truncated sequence: a replacement character, then on. */
      g_string_append (input->decoded, "\xEF\xBF\xBD");
      input->repairs |= TIDINGS_XML_REPAIR_INVALID_BYTES;
      in++;
      in_left--;
    }
  return len - in_left;
}

/* Length of a valid reference at @p (which points at `&`), 0 when it is a
 * bare ampersand, or -1 when the text ends before that can be told. */
static gssize
reference_length (const char *p,
                  const char *end)
{
  const char *q = p + 1;

  if (q < end && *q == '#')
    {
      q++;
      if (q < end && (*q == 'x' || *q == 'X'))
        {
          q++;
          while (q < end && g_ascii_isxdigit (*q) && q - p < MAX_REF_LENGTH)
            q++;
          if (q < end && *q == ';' && q > p + 3)
            return q + 1 - p;
        }
      else
        {
          while (q < end && g_ascii_isdigit (*q) && q - p < MAX_REF_LENGTH)
            q++;
          if (q < end && *q == ';' && q > p + 2)
            return q + 1 - p;
        }
    }
  else if (q < end && (g_ascii_isalpha (*q) || *q == '_' || *q == ':'))
    {
      q++;
      while (q < end && (g_ascii_isalnum (*q) || *q == '_' || *q == ':' || *q == '.' ||
                         *q == '-') && q - p < MAX_REF_LENGTH)
        q++;
      if (q < end && *q == ';')
        return q + 1 - p;
    }

  if (q >= end)
    return -1;
  return 0;
}

static gunichar
char_ref_value (const char *p)
{
  if (p[2] == 'x' || p[2] == 'X')
    return (gunichar) g_ascii_strtoull (p + 3, NULL, 16);
  return (gunichar) g_ascii_strtoull (p + 2, NULL, 10);
}

/* Two kinds of character reference need help: `&#X41;` (XML wants a small
 * x) and references to C1 controls, which on the web always meant the
 * windows-1252 character with that number (`&#146;` is a curly apostrophe). */
static gboolean
needs_rewrite (const char *p,
               gsize       len)
{
  gunichar value;

  if (p[2] == 'X')
    return TRUE;
  value = char_ref_value (p);
  return value >= 0x80 && value <= 0x9F;
}

static void
rewrite_char_ref (const char *p,
                  gsize       len,
                  GString    *out)
{
  gunichar value = char_ref_value (p);

  if (value >= 0x80 && value <= 0x9F)
    value = cp1252_high[value - 0x80];
  g_string_append_printf (out, "&#x%X;", value);
}

/* Feeds use HTML's named entities (&nbsp; &eacute;) that XML does not
 * know. They become character references here, before libxml2, which
 * reads those right everywhere (an entity it has to look up is copied into
 * attribute values one byte at a time). The five XML ones stay. Returns 0
 * for those and for names HTML does not have either. */
static gunichar
html_entity_value (const char *p,
                   gsize       len)
{
  static const char * const xml_entities[] = { "amp", "lt", "gt", "quot", "apos" };
  char name[MAX_REF_LENGTH + 1];
  const htmlEntityDesc *entity;
  gsize n = len - 2;

  if (n == 0 || n > MAX_REF_LENGTH)
    return 0;
  memcpy (name, p + 1, n);
  name[n] = '\0';
  for (guint i = 0; i < G_N_ELEMENTS (xml_entities); i++)
    if (strcmp (name, xml_entities[i]) == 0)
      return 0;

  entity = htmlEntityLookup ((const xmlChar *) name);
  return entity != NULL ? entity->value : 0;
}

static gboolean
has_prefix_at (const char *p,
               const char *end,
               const char *prefix,
               gsize       prefix_len)
{
  return (gsize) (end - p) >= prefix_len && memcmp (p, prefix, prefix_len) == 0;
}

/* Scans decoded text: drops characters XML forbids, escapes bare ampersands
 * outside comments, CDATA sections and processing instructions. Returns how
 * much of @data was consumed; the rest needs more text to be decided. */
static gsize
scan (TidingsXmlInput *input,
      const char      *data,
      gsize            len,
      gboolean         last,
      GString         *out)
{
  const char *p = data;
  const char *end = data + len;
  const char *run = data;

#define FLUSH_RUN() G_STMT_START { g_string_append_len (out, run, p - run); } G_STMT_END

  /* Anything before the first tag (a stray byte, a blank line before the XML
   * declaration) makes libxml2 refuse the declaration. */
  if (!input->seen_lt)
    {
      while (p < end && *p != '<')
        {
          if (!g_ascii_isspace (*p))
            input->repairs |= TIDINGS_XML_REPAIR_LEADING_JUNK;
          p++;
        }
      if (p == end)
        return len;
      input->seen_lt = TRUE;
      run = p;
    }

  while (p < end)
    {
      guint8 mask = stop_mask[input->scan];
      guchar c;

      while (p < end && (stop_class[(guchar) *p] & mask) == 0)
        p++;
      if (p == end)
        break;

      c = (guchar) *p;
      if (c < 0x20)
        {
          FLUSH_RUN ();
          input->repairs |= TIDINGS_XML_REPAIR_CONTROL_CHARS;
          run = ++p;
          continue;
        }

      if (c == 0xEF)
        {
          /* U+FFFE and U+FFFF are not XML characters either. */
          if (end - p < 3 && !last)
            break;
          if (end - p >= 3 && (guchar) p[1] == 0xBF && ((guchar) p[2] == 0xBE || (guchar) p[2] == 0xBF))
            {
              FLUSH_RUN ();
              input->repairs |= TIDINGS_XML_REPAIR_CONTROL_CHARS;
              p += 3;
              run = p;
              continue;
            }
          p++;
          continue;
        }

      switch (input->scan)
        {
        case SCAN_TEXT:
          if (c == '&')
            {
              gssize ref = reference_length (p, end);

              if (ref < 0 && !last)
                goto out;
              if (ref > 0 && p[1] == '#' && needs_rewrite (p, ref))
                {
                  FLUSH_RUN ();
                  rewrite_char_ref (p, ref, out);
                  input->repairs |= TIDINGS_XML_REPAIR_CHAR_REFS;
                  p += ref;
                  run = p;
                  continue;
                }
              if (ref > 0 && p[1] != '#')
                {
                  gunichar html = html_entity_value (p, ref);

                  if (html != 0)
                    {
                      FLUSH_RUN ();
                      g_string_append_printf (out, "&#x%X;", html);
                      input->repairs |= TIDINGS_XML_REPAIR_HTML_ENTITIES;
                      p += ref;
                      run = p;
                      continue;
                    }
                }
              if (ref > 0)
                {
                  p += ref;
                  continue;
                }
              FLUSH_RUN ();
              g_string_append (out, "&amp;");
              input->repairs |= TIDINGS_XML_REPAIR_AMPERSAND;
              run = ++p;
              continue;
            }
          if (c == '<')
            {
              if (end - p < 9 && !last)
                goto out;
              if (has_prefix_at (p, end, "<!--", 4))
                {
                  input->scan = SCAN_COMMENT;
                  p += 4;
                  continue;
                }
              if (has_prefix_at (p, end, "<![CDATA[", 9))
                {
                  input->scan = SCAN_CDATA;
                  p += 9;
                  continue;
                }
              if (has_prefix_at (p, end, "<?", 2))
                {
                  input->scan = SCAN_PI;
                  p += 2;
                  continue;
                }
            }
          p++;
          break;

        case SCAN_COMMENT:
          if (c == '-')
            {
              if (end - p < 3 && !last)
                goto out;
              if (has_prefix_at (p, end, "-->", 3))
                {
                  input->scan = SCAN_TEXT;
                  p += 3;
                  continue;
                }
            }
          p++;
          break;

        case SCAN_CDATA:
          if (c == ']')
            {
              if (end - p < 3 && !last)
                goto out;
              if (has_prefix_at (p, end, "]]>", 3))
                {
                  input->scan = SCAN_TEXT;
                  p += 3;
                  continue;
                }
            }
          p++;
          break;

        case SCAN_PI:
          if (c == '?')
            {
              if (end - p < 2 && !last)
                goto out;
              if (has_prefix_at (p, end, "?>", 2))
                {
                  input->scan = SCAN_TEXT;
                  p += 2;
                  continue;
                }
            }
          p++;
          break;

        default:
          g_assert_not_reached ();
        }
    }

out:
  FLUSH_RUN ();
#undef FLUSH_RUN
  return p - data;
}

void
_tidings_xml_input_push (TidingsXmlInput *input,
                         const char      *data,
                         gsize            len,
                         gboolean         last,
                         GString         *out)
{
  gsize used;

  g_return_if_fail (input != NULL);
  g_return_if_fail (out != NULL);

  /* The common case, valid UTF-8 with nothing held back from the last
   * chunk, is scanned where it lies, without copying it twice. */
  if (len > 0 && input->mode == DECODE_UTF8 && input->raw->len == 0 &&
      input->decoded->len == 0 && _tidings_utf8_validate (data, len, NULL))
    {
      used = scan (input, data, len, last, out);
      g_string_append_len (input->decoded, data + used, len - used);
      return;
    }

  if (len > 0)
    g_string_append_len (input->raw, data, len);

  if (input->mode == DECODE_SNIFF)
    {
      if (input->raw->len < SNIFF_SIZE && !last)
        return;
      sniff (input);
    }

  switch (input->mode)
    {
    case DECODE_UTF8:
      used = decode_utf8 (input, input->raw->str, input->raw->len, last);
      break;
    case DECODE_CP1252:
      used = decode_cp1252 (input, input->raw->str, input->raw->len, last);
      break;
    case DECODE_ICONV:
      used = decode_iconv (input, input->raw->str, input->raw->len, last);
      break;
    case DECODE_SNIFF:
    default:
      g_assert_not_reached ();
    }
  g_string_erase (input->raw, 0, used);

  used = scan (input, input->decoded->str, input->decoded->len, last, out);
  g_string_erase (input->decoded, 0, used);
}

static xmlParserInputPtr
refuse_external_entity (const char       *url,
                        const char       *id,
                        xmlParserCtxtPtr  ctxt)
{
  (void) id;
  (void) ctxt;
  g_debug ("Refused to load external entity %s", url != NULL ? url : "(null)");
  return NULL;
}

void
_tidings_xml_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      xmlInitParser ();
      xmlSetExternalEntityLoader (refuse_external_entity);
      g_once_init_leave (&initialised, 1);
    }
}

char *
_tidings_xml_attribute_value (const unsigned char **attribute)
{
  char *value = g_strndup ((const char *) attribute[3], attribute[4] - attribute[3]);
  char *amp = strstr (value, "&#38;");

  if (amp != NULL)
    {
      char *out = amp;

      for (const char *in = amp; *in != '\0';)
        {
          if (strncmp (in, "&#38;", 5) == 0)
            {
              *out++ = '&';
              in += 5;
            }
          else
            *out++ = *in++;
        }
      *out = '\0';
    }
  return value;
}
