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

#include "tidings-sanitize.h"
#include "tidings-uri.h"

#define BASE "https://example.com/dir/page.html"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *current_output;

G_GNUC_NORETURN static void
fail (const char *why)
{
  fprintf (stderr, "fuzz-sanitize: %s\noutput: %s\n", why,
           current_output != NULL ? current_output : "(none)");
  abort ();
}

static gboolean
is_void (const char *name)
{
  static const char * const voids[] = { "br", "col", "hr", "img", "source", "wbr" };

  for (gsize i = 0; i < G_N_ELEMENTS (voids); i++)
    {
      if (strcmp (name, voids[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

/* SVG and MathML are allowed, with their own lists: <title> is SVG's
 * tooltip there and the page's own outside. */
static gboolean
is_forbidden_element (const char *name,
                      gboolean    foreign)
{
  static const char * const forbidden[] = {
    "animate", "animatecolor", "animatemotion", "animatetransform", "annotation-xml",
    "applet", "base", "body", "button", "discard", "embed", "feimage", "foreignobject",
    "form", "frame", "frameset", "handler", "head", "html", "iframe", "image", "input", "link",
    "listener", "meta", "noscript", "object", "param", "script", "select", "set", "style",
    "template", "textarea", "textpath", "use",
  };

  if (!foreign && g_ascii_strcasecmp (name, "title") == 0)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (forbidden); i++)
    {
      if (g_ascii_strcasecmp (name, forbidden[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_foreign_root (const char *name)
{
  return g_ascii_strcasecmp (name, "svg") == 0 || g_ascii_strcasecmp (name, "math") == 0;
}

static gboolean
is_url_attribute (const char *name)
{
  return g_ascii_strcasecmp (name, "href") == 0 || g_ascii_strcasecmp (name, "src") == 0
         || g_ascii_strcasecmp (name, "cite") == 0 || g_ascii_strcasecmp (name, "poster") == 0
         || g_ascii_strcasecmp (name, "longdesc") == 0
         || g_ascii_strcasecmp (name, "xlink:href") == 0;
}

/* An attribute as a browser would read it: no event handlers or styling, and
 * URLs only of the schemes we allow, whatever white space and control
 * characters surround or split them. */
static void
check_attribute (const char *element,
                 const char *name,
                 const char *value)
{
  if (g_ascii_strncasecmp (name, "on", 2) == 0)
    fail ("event handler attribute");
  if (g_ascii_strcasecmp (name, "style") == 0 || g_ascii_strcasecmp (name, "srcdoc") == 0
      || g_ascii_strcasecmp (name, "formaction") == 0
      || (strchr (name, ':') != NULL && g_ascii_strncasecmp (name, "xlink:", 6) != 0
          && g_ascii_strcasecmp (name, "xmlns:xlink") != 0))
    fail ("forbidden attribute");

  if (value == NULL)
    return;

  /* SVG paint and references may point at the drawing's own parts only. */
  if ((g_ascii_strcasecmp (name, "fill") == 0 || g_ascii_strcasecmp (name, "stroke") == 0 ||
       g_ascii_strcasecmp (name, "clip-path") == 0 || g_ascii_strcasecmp (name, "mask") == 0 ||
       g_ascii_strncasecmp (name, "marker-", 7) == 0 || g_ascii_strcasecmp (name, "filter") == 0) &&
      strstr (value, "url(") != NULL)
    {
      const char *p = value;

      while ((p = strstr (p, "url(")) != NULL)
        {
          p += 4;
          while (g_ascii_isspace (*p) || *p == '"' || *p == '\'')
            p++;
          if (*p != '#')
            fail ("url() to another document");
        }
    }

  if (is_url_attribute (name))
    {
      TidingsUriUse use = TIDINGS_URI_LINK;

      if (g_ascii_strcasecmp (element, "img") == 0 || g_ascii_strcasecmp (name, "poster") == 0)
        use = TIDINGS_URI_IMAGE;
      else if (g_ascii_strcasecmp (name, "src") == 0)
        use = TIDINGS_URI_IMAGE;  /* media sources are a subset of this */

      if (!tidings_uri_is_allowed (value, use))
        fail ("URL with a forbidden scheme");
      if (g_ascii_strncasecmp (value, "http", 4) != 0
          && g_ascii_strncasecmp (value, "mailto:", 7) != 0
          && g_ascii_strncasecmp (value, "data:image/", 11) != 0)
        fail ("URL not starting with its scheme");
    }
  else if (g_ascii_strcasecmp (name, "srcset") == 0)
    {
      /* Written as "url descriptor, url descriptor" and URLs never hold
       * white space, so ", " splits candidates exactly. */
      g_auto(GStrv) candidates = g_strsplit (value, ", ", -1);

      for (gsize i = 0; candidates[i] != NULL; i++)
        {
          g_auto(GStrv) parts = g_strsplit (candidates[i], " ", 2);

          if (parts[0] == NULL || !tidings_uri_is_allowed (parts[0], TIDINGS_URI_IMAGE)
              || (g_ascii_strncasecmp (parts[0], "http", 4) != 0
                  && g_ascii_strncasecmp (parts[0], "data:image/", 11) != 0))
            fail ("srcset candidate not an allowed image URL");
        }
    }
}

/* The strict reader: text with only our escapes, lower-case tags with
 * double-quoted attributes, balanced. */
static void
check_strict (const char *html)
{
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  const char *p = html;

  while (*p != '\0')
    {
      if (*p == '>')
        fail ("raw > in text");

      if (*p == '&')
        {
          if (!g_str_has_prefix (p, "&amp;") && !g_str_has_prefix (p, "&lt;")
              && !g_str_has_prefix (p, "&gt;"))
            fail ("bare & in text");
          p++;
          continue;
        }

      if (*p != '<')
        {
          p++;
          continue;
        }

      p++;
      if (*p == '/')
        {
          const char *start = ++p;
          g_autofree char *name = NULL;

          while (g_ascii_isalnum (*p) || *p == '-')
            p++;
          name = g_strndup (start, p - start);
          if (*p++ != '>')
            fail ("malformed end tag");
          if (open->len == 0 || strcmp (g_ptr_array_index (open, open->len - 1), name) != 0)
            fail ("unbalanced end tag");
          g_ptr_array_remove_index (open, open->len - 1);
        }
      else
        {
          const char *start = p;
          g_autofree char *name = NULL;

          gboolean foreign;

          while (g_ascii_isalnum (*p) || *p == '-')
            p++;
          if (p == start)
            fail ("malformed start tag");
          name = g_strndup (start, p - start);
          foreign = is_foreign_root (name);
          for (guint i = 0; i < open->len && !foreign; i++)
            foreign = is_foreign_root (g_ptr_array_index (open, i));
          if (is_forbidden_element (name, foreign))
            fail ("forbidden element");

          while (*p == ' ')
            {
              const char *attr_start = ++p;

              while (g_ascii_isalnum (*p) || *p == '-' || *p == ':')
                p++;
              if (p == attr_start)
                fail ("malformed attribute");
              if (*p == '=')
                {
                  if (p[1] != '"')
                    fail ("unquoted attribute");
                  p += 2;
                  while (*p != '"')
                    {
                      if (*p == '\0' || *p == '<' || *p == '>')
                        fail ("bad attribute value");
                      if (*p == '&' && !g_str_has_prefix (p, "&amp;")
                          && !g_str_has_prefix (p, "&lt;") && !g_str_has_prefix (p, "&gt;")
                          && !g_str_has_prefix (p, "&quot;"))
                        fail ("bare & in attribute");
                      p++;
                    }
                  p++;
                }
            }

          if (*p++ != '>')
            fail ("malformed start tag");
          if (open->len > 512)
            fail ("nesting not capped");
          if (!is_void (name))
            g_ptr_array_add (open, g_steal_pointer (&name));
        }
    }

  if (open->len != 0)
    fail ("element left open");
}

/* The forgiving reader: libxml2's HTML parser, as a browser-like second
 * opinion on what the output means. */
static void
on_start_element (void           *user_data,
                  const xmlChar  *name,
                  const xmlChar **atts)
{
  /* libxml2 reads <title> inside <svg> as HTML's; the strict reader
   * already checked where it stands. */
  if (is_forbidden_element ((const char *) name, TRUE))
    fail ("forbidden element when re-parsed");

  for (gsize i = 0; atts != NULL && atts[i] != NULL; i += 2)
    check_attribute ((const char *) name, (const char *) atts[i], (const char *) atts[i + 1]);
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
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical from GLib (GUri refusing what it parsed, say) is a bug. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
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
