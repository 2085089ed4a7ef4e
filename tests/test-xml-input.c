/* test-xml-input.c: charset detection and byte-level repairs before libxml2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "tidings-utf8.h"
#include "tidings-xml-input.h"

/* Runs @len bytes through a fresh input stage in pieces of @chunk bytes. */
static char *
run (const char       *data,
     gsize             len,
     gsize             chunk,
     TidingsXmlRepair *repairs,
     char            **charset)
{
  g_autoptr(TidingsXmlInput) input = _tidings_xml_input_new ();
  GString *out = g_string_new (NULL);
  gsize offset = 0;

  do
    {
      gsize piece = MIN (chunk, len - offset);

      _tidings_xml_input_push (input, data + offset, piece, offset + piece == len, out);
      offset += piece;
    }
  while (offset < len);

  if (repairs != NULL)
    *repairs = _tidings_xml_input_get_repairs (input);
  if (charset != NULL)
    *charset = g_strdup (_tidings_xml_input_get_charset (input));
  return g_string_free (out, FALSE);
}

/* The result must not depend on where the chunks are cut. */
static char *
run_all_chunkings (const char       *data,
                   gssize            len,
                   TidingsXmlRepair *repairs,
                   char            **charset)
{
  char *whole;

  if (len < 0)
    len = strlen (data);
  whole = run (data, len, len > 0 ? len : 1, repairs, charset);
  for (gsize chunk = 1; chunk < 12; chunk++)
    {
      g_autofree char *pieces = run (data, len, chunk, NULL, NULL);

      g_assert_cmpstr (pieces, ==, whole);
    }
  g_assert_true (g_utf8_validate (whole, -1, NULL));
  return whole;
}

static void
test_utf8_untouched (void)
{
  const char *doc = "<?xml version=\"1.0\"?><a>caf\xc3\xa9 &amp; &#233; &lt;&gt;&quot;&apos; \xe2\x82\xac</a>";
  TidingsXmlRepair repairs;
  g_autofree char *charset = NULL;
  g_autofree char *out = run_all_chunkings (doc, -1, &repairs, &charset);

  g_assert_cmpstr (out, ==, doc);
  g_assert_cmpint (repairs, ==, TIDINGS_XML_REPAIR_NONE);
  g_assert_cmpstr (charset, ==, "utf-8");
}

static void
test_bom_stripped (void)
{
  TidingsXmlRepair repairs;
  g_autofree char *out = run_all_chunkings ("\xef\xbb\xbf<a>x</a>", -1, &repairs, NULL);

  g_assert_cmpstr (out, ==, "<a>x</a>");
  g_assert_cmpint (repairs, ==, TIDINGS_XML_REPAIR_NONE);
}

static void
test_utf16 (void)
{
  const char *text = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>\xc3\xa9t\xc3\xa9</a>";
  static const struct
  {
    const char *charset;
    const char *bom;
    gsize       bom_len;
  } cases[] = {
    { "UTF-16LE", "\xff\xfe", 2 },
    { "UTF-16BE", "\xfe\xff", 2 },
    { "UTF-16LE", "", 0 },
    { "UTF-16BE", "", 0 },
    { "UTF-32LE", "\xff\xfe\x00\x00", 4 },
    { "UTF-32BE", "\x00\x00\xfe\xff", 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      g_autofree char *wide = g_convert (text, -1, cases[i].charset, "UTF-8", NULL, &len, &error);
      g_autoptr(GString) doc = g_string_new_len (cases[i].bom, cases[i].bom_len);
      g_autofree char *charset = NULL;
      g_autofree char *expected_charset = g_ascii_strdown (cases[i].charset, -1);
      g_autofree char *out = NULL;

      g_assert_no_error (error);
      g_string_append_len (doc, wide, len);
      out = run_all_chunkings (doc->str, doc->len, NULL, &charset);
      g_assert_cmpstr (out, ==, text);
      g_assert_cmpstr (charset, ==, expected_charset);
    }
}

static void
test_latin1_declared (void)
{
  g_autofree char *out =
    run_all_chunkings ("<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xe9 \x80</a>", -1,
                       NULL, NULL);

  /* ISO-8859-1 is read as windows-1252, as browsers do: 0x80 is the euro. */
  g_assert_cmpstr (out, ==, "<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xc3\xa9 \xe2\x82\xac</a>");
}

static void
test_latin1_declared_but_utf8 (void)
{
  TidingsXmlRepair repairs;
  g_autofree char *charset = NULL;
  g_autofree char *out =
    run_all_chunkings ("<?xml version='1.0' encoding='iso-8859-1'?><a>caf\xc3\xa9</a>", -1,
                       &repairs, &charset);

  g_assert_cmpstr (out, ==, "<?xml version='1.0' encoding='iso-8859-1'?><a>caf\xc3\xa9</a>");
  g_assert_true (repairs & TIDINGS_XML_REPAIR_WRONG_CHARSET);
  g_assert_cmpstr (charset, ==, "utf-8");
}

static void
test_invalid_utf8_as_cp1252 (void)
{
  TidingsXmlRepair repairs;
  g_autofree char *out =
    run_all_chunkings ("<a>\x93smart\x94 caf\xe9 ok\xc3\xa9</a>", -1, &repairs, NULL);

  g_assert_cmpstr (out, ==, "<a>\xe2\x80\x9csmart\xe2\x80\x9d caf\xc3\xa9 ok\xc3\xa9</a>");
  g_assert_true (repairs & TIDINGS_XML_REPAIR_INVALID_BYTES);
}

static void
test_other_charsets (void)
{
  g_autofree char *out =
    run_all_chunkings ("<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>\xcf\xf0\xe8</a>",
                       -1, NULL, NULL);
  g_autofree char *unknown = NULL;
  TidingsXmlRepair repairs;

  g_assert_cmpstr (out, ==,
                   "<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>\xd0\x9f\xd1\x80\xd0\xb8</a>");

  unknown = run_all_chunkings ("<?xml version=\"1.0\" encoding=\"x-no-such\"?><a>\xc3\xa9</a>",
                               -1, &repairs, NULL);
  g_assert_true (repairs & TIDINGS_XML_REPAIR_UNKNOWN_CHARSET);
  g_assert_cmpstr (unknown, ==, "<?xml version=\"1.0\" encoding=\"x-no-such\"?><a>\xc3\xa9</a>");
}

static void
test_control_characters (void)
{
  TidingsXmlRepair repairs;
  g_autofree char *out =
    run_all_chunkings ("<a>\x01" "b\tc\nd\re\x1f" "f\xef\xbf\xbeg\xef\xbf\xbd</a>", -1, &repairs, NULL);

  /* Tab, newline and return stay; U+FFFD is a real character. */
  g_assert_cmpstr (out, ==, "<a>b\tc\nd\ref\x67\xef\xbf\xbd</a>");
  g_assert_true (repairs & TIDINGS_XML_REPAIR_CONTROL_CHARS);
}

static void
test_ampersands (void)
{
  TidingsXmlRepair repairs;
  g_autofree char *out = NULL;

  out = run_all_chunkings ("<a href=\"?a=1&b=2\">AT&T &amp; &#38; &#x26; &nbsp; & &# &#x; &;"
                           "<![CDATA[ & ]]><!-- & --><?pi & ?></a>&", -1, &repairs, NULL);
  g_assert_cmpstr (out, ==, "<a href=\"?a=1&amp;b=2\">AT&amp;T &amp; &#38; &#x26; &#xA0; &amp; "
                   "&amp;# &amp;#x; &amp;;<![CDATA[ & ]]><!-- & --><?pi & ?></a>&amp;");
  g_assert_true (repairs & TIDINGS_XML_REPAIR_AMPERSAND);
}

static void
test_html_entities (void)
{
  TidingsXmlRepair repairs;
  g_autofree char *out =
    run_all_chunkings ("<a t=\"&Pi;&amp;\">&eacute;&nbsp;&unknown;&amp;</a>", -1, &repairs, NULL);

  /* HTML's names become character references, in attributes too; XML's
   * own and unknown names are left to the parser. */
  g_assert_cmpstr (out, ==, "<a t=\"&#x3A0;&amp;\">&#xE9;&#xA0;&unknown;&amp;</a>");
  g_assert_true (repairs & TIDINGS_XML_REPAIR_HTML_ENTITIES);
}

static void
test_leading_junk (void)
{
  TidingsXmlRepair repairs;
  g_autofree char *blank = run_all_chunkings ("\n\n  <?xml version='1.0'?><a/>", -1, &repairs, NULL);
  g_autofree char *junk = NULL;

  g_assert_cmpstr (blank, ==, "<?xml version='1.0'?><a/>");
  /* Blank lines are harmless; anything else is worth a warning. */
  g_assert_cmpint (repairs, ==, TIDINGS_XML_REPAIR_NONE);

  junk = run_all_chunkings ("junk<a/>", -1, &repairs, NULL);
  g_assert_cmpstr (junk, ==, "<a/>");
  g_assert_true (repairs & TIDINGS_XML_REPAIR_LEADING_JUNK);
}

/* The fast validator must agree with GLib's, byte for byte, and never read
 * past the end (buffers here are exactly as long as their text, so the
 * sanitizer build and valgrind catch any over-read). */
static void
test_utf8_validator (void)
{
  static const char * const samples[] = {
    "", "a", "abcdefgh", "abcdefghijklmnop", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x8c\x8a",
    "\xc3", "\xe2\x82", "\xf0\x9f\x8c", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
    "\xff", "abcdefg\xc3\xa9", "abcdefgh\xc3",
  };
  GRand *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < G_N_ELEMENTS (samples) + 20000; i++)
    {
      gsize len;
      char *text;
      const char *mine_end;
      const char *glib_end;
      gboolean mine;
      gboolean glib;

      if (i < G_N_ELEMENTS (samples))
        {
          len = strlen (samples[i]);
          text = g_memdup2 (samples[i], MAX (len, 1));
        }
      else
        {
          /* Mostly ASCII with a few high bytes (and the odd NUL, which
           * both refuse): what feeds look like, and what breaks them. */
          len = g_rand_int_range (rand, 0, 40);
          text = g_malloc (MAX (len, 1));
          for (gsize j = 0; j < len; j++)
            text[j] = g_rand_int_range (rand, 0, 10) == 0 ? (char) g_rand_int_range (rand, 0x80, 0x100)
                                                         : (char) g_rand_int_range (rand, 0, 0x80);
        }

      mine = _tidings_utf8_validate (text, len, &mine_end);
      glib = g_utf8_validate_len (text, len, &glib_end);
      g_assert_cmpint (mine, ==, glib);
      g_assert_true (mine_end == glib_end);
      g_free (text);
    }
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xml-input/utf8", test_utf8_untouched);
  g_test_add_func ("/xml-input/bom", test_bom_stripped);
  g_test_add_func ("/xml-input/utf16-utf32", test_utf16);
  g_test_add_func ("/xml-input/latin1", test_latin1_declared);
  g_test_add_func ("/xml-input/latin1-but-utf8", test_latin1_declared_but_utf8);
  g_test_add_func ("/xml-input/invalid-utf8", test_invalid_utf8_as_cp1252);
  g_test_add_func ("/xml-input/other-charsets", test_other_charsets);
  g_test_add_func ("/xml-input/control-characters", test_control_characters);
  g_test_add_func ("/xml-input/ampersands", test_ampersands);
  g_test_add_func ("/xml-input/leading-junk", test_leading_junk);
  g_test_add_func ("/xml-input/html-entities", test_html_entities);
  g_test_add_func ("/xml-input/utf8-validator", test_utf8_validator);

  return g_test_run ();
}
