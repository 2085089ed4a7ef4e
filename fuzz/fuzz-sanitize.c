/* fuzz-sanitize.c: whatever goes in, what tidings_sanitize_html() gives back
 * is valid UTF-8 in the sanitiser's strict output form, with no script, no
 * event handler and no URL with a scheme we do not allow, as read both by a
 * strict reader and by libxml2's forgiving HTML parser; and what
 * tidings_html_to_text() gives back is valid, collapsed UTF-8 text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libxml/HTMLparser.h>

#include "tidings-html-check.h"
#include "tidings-sanitize.h"
#include "tidings-uri.h"
#include "tidings-fuzz.h"

#define BASE "https://example.com/dir/page.html"

static const char *current_output;

/* Open <svg> and <math> elements as the re-parse sees them. */
static guint reparsed_foreign_depth;

G_GNUC_NORETURN static void
fail (const char *why)
{
  fprintf (stderr, "fuzz-sanitize: %s\noutput: %s\n", why,
           current_output != NULL ? current_output : "(none)");
  abort ();
}

static void
fail_check (const char *why,
            const char *html)
{
  fail (why);
}

/* The strict reader, shared with the tests (tests/tidings-html-check.h). */
static void
check_strict (const char *html)
{
  tidings_check_sanitized (html, fail_check);
}

/* The forgiving reader: libxml2's HTML parser, as a browser-like second
 * opinion on what the output means. */
static void
on_start_element (void           *user_data,
                  const xmlChar  *name,
                  const xmlChar **atts)
{
  /* libxml2 knows nothing of SVG, so the strict reader's view of where an
   * element stands (and of <title>) is taken as said; what is checked here
   * is that no forbidden element or attribute appears however it is read. */
  if (TIDINGS_CHECK_IN ((const char *) name, tidings_check_forbidden_elements))
    fail ("forbidden element when re-parsed");

  if (tidings_check_is_drawing ((const char *) name))
    reparsed_foreign_depth++;

  for (gsize i = 0; atts != NULL && atts[i] != NULL; i += 2)
    tidings_check_attribute ((const char *) name, (const char *) atts[i],
                             (const char *) atts[i + 1], reparsed_foreign_depth > 0, fail_check,
                             current_output);
}

static void
on_end_element (void          *user_data,
                const xmlChar *name)
{
  if (tidings_check_is_drawing ((const char *) name) && reparsed_foreign_depth > 0)
    reparsed_foreign_depth--;
}

static void
on_error (void       *user_data,
          const char *message,
          ...)
{
}

static void
on_structured_error (void        *user_data,
                     xmlErrorPtr  error)
{
}

static void
check_reparsed (const char *html)
{
  htmlSAXHandler sax = { 0 };
  htmlParserCtxtPtr ctxt;
  htmlDocPtr doc;

  if (*html == '\0')
    return;

  sax.startElement = on_start_element;
  sax.endElement = on_end_element;
  reparsed_foreign_depth = 0;
  sax.warning = on_error;
  sax.error = on_error;
  sax.fatalError = on_error;
  sax.serror = on_structured_error;
  sax.initialized = XML_SAX2_MAGIC;

  ctxt = htmlNewParserCtxt ();
  memcpy (ctxt->sax, &sax, sizeof sax);
  doc = htmlCtxtReadMemory (ctxt, html, strlen (html), NULL, "UTF-8",
                            HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR
                            | HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED);
  if (doc != NULL)
    xmlFreeDoc (doc);
  htmlFreeParserCtxt (ctxt);
}

static void
check_text (const char *text)
{
  gsize len = strlen (text);

  current_output = text;

  if (!g_utf8_validate (text, -1, NULL))
    fail ("text not valid UTF-8");
  if (len > 0 && (g_ascii_isspace (text[0]) || g_ascii_isspace (text[len - 1])))
    fail ("text not trimmed");
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        fail ("control character in text");
      if (p[0] == ' ' && p[1] == ' ')
        fail ("white space not collapsed");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *html = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *text = NULL;

  html = tidings_sanitize_html ((const char *) data, size, BASE);
  current_output = html;
  if (!g_utf8_validate (html, -1, NULL))
    fail ("output not valid UTF-8");
  check_strict (html);
  check_reparsed (html);

  /* Without a base, relative URLs must go rather than stay relative. */
  relative = tidings_sanitize_html ((const char *) data, size, NULL);
  current_output = relative;
  if (!g_utf8_validate (relative, -1, NULL))
    fail ("output without base not valid UTF-8");
  check_strict (relative);
  check_reparsed (relative);

  text = tidings_html_to_text ((const char *) data, size);
  check_text (text);

  current_output = NULL;
  return 0;
}
