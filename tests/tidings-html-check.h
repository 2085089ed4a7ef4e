/* tidings-html-check.h: a strict reader of what the sanitiser writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by tests/test-sanitize.c and fuzz/fuzz-sanitize.c. It reads only the
 * subset of HTML the sanitiser produces: text with &amp; &lt; &gt; &quot;
 * escapes, start tags with double-quoted attributes, matching end tags, no
 * more than 512 open elements. Anything else fails, as do dangerous
 * elements, event or styling attributes, URLs with a scheme we do not allow,
 * and SVG paint pointing at another document.
 */

#pragma once

#include <string.h>

#include <glib.h>

#include "tidings-uri.h"

/* Called on the first thing wrong; must not return. */
typedef void (*TidingsCheckFail) (const char *why,
                                  const char *html);

static const char * const tidings_check_void_elements[] = {
  "br", "col", "hr", "img", "source", "wbr",
};

static const char * const tidings_check_forbidden_elements[] = {
  "animate", "animatecolor", "animatemotion", "animatetransform", "annotation-xml", "applet",
  "base", "body", "button", "discard", "embed", "feimage", "foreignobject", "form", "frame",
  "frameset", "handler", "head", "html", "iframe", "image", "input", "link", "listener", "meta",
  "noscript", "object", "param", "script", "select", "set", "style", "template", "textarea",
  "textpath", "use",
};

static const char * const tidings_check_forbidden_attributes[] = {
  "action", "autoplay", "background", "class", "formaction", "name", "srcdoc", "style",
  "target",
};

/* Allowed only inside <svg> or <math>. */
static const char * const tidings_check_foreign_only_attributes[] = {
  "id", "xmlns", "xmlns:xlink",
};

/* SVG attributes that may hold url(): only to a part of the same drawing. */
static const char * const tidings_check_paint_attributes[] = {
  "clip-path", "fill", "filter", "marker-end", "marker-mid", "marker-start", "mask", "stroke",
};

static inline gboolean
tidings_check_in_list (const char         *name,
                       const char * const *list,
                       gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

#define TIDINGS_CHECK_IN(name, list) tidings_check_in_list (name, list, G_N_ELEMENTS (list))

/* <svg> and <math> open foreign content, with rules of its own. */
static inline gboolean
tidings_check_is_drawing (const char *name)
{
  return g_ascii_strcasecmp (name, "svg") == 0 || g_ascii_strcasecmp (name, "math") == 0;
}

static inline gboolean
tidings_check_is_url_attribute (const char *name)
{
  static const char * const urls[] = { "cite", "href", "longdesc", "poster", "src", "xlink:href" };

  return TIDINGS_CHECK_IN (name, urls);
}

static inline void
tidings_check_url (const char       *element,
                   const char       *name,
                   const char       *url,
                   TidingsCheckFail  fail,
                   const char       *html)
{
  gboolean image = g_ascii_strcasecmp (element, "img") == 0 ||
                   g_ascii_strcasecmp (name, "poster") == 0 ||
                   (g_ascii_strcasecmp (element, "source") == 0 &&
                    g_ascii_strcasecmp (name, "srcset") == 0);

  if (!tidings_uri_is_allowed (url, image ? TIDINGS_URI_IMAGE : TIDINGS_URI_LINK))
    fail ("URL with a scheme not allowed", html);

  /* Written with its scheme first, whatever browsers would forgive. */
  if (g_str_has_prefix (url, "http:") || g_str_has_prefix (url, "https:"))
    return;
  if (g_str_has_prefix (url, "mailto:") && !image && g_ascii_strcasecmp (name, "src") != 0)
    return;
  if (image && g_str_has_prefix (url, "data:image/") && !g_str_has_prefix (url, "data:image/svg"))
    return;
  fail ("URL not in its strict form", html);
}

static inline void
tidings_check_attribute (const char       *element,
                         const char       *name,
                         const char       *value,
                         gboolean          foreign,
                         TidingsCheckFail  fail,
                         const char       *html)
{
  if (g_ascii_strncasecmp (name, "on", 2) == 0)
    fail ("event handler attribute", html);
  if (TIDINGS_CHECK_IN (name, tidings_check_forbidden_attributes))
    fail ("forbidden attribute", html);
  if (strchr (name, ':') != NULL && g_ascii_strncasecmp (name, "xlink:", 6) != 0 &&
      g_ascii_strcasecmp (name, "xmlns:xlink") != 0)
    fail ("prefixed attribute", html);

  if (TIDINGS_CHECK_IN (name, tidings_check_foreign_only_attributes))
    {
      if (!foreign)
        fail ("SVG or MathML attribute outside <svg> or <math>", html);
      if (g_ascii_strcasecmp (name, "xmlns") == 0 &&
          g_strcmp0 (value, "http://www.w3.org/2000/svg") != 0 &&
          g_strcmp0 (value, "http://www.w3.org/1998/Math/MathML") != 0)
        fail ("unexpected namespace", html);
      if (g_ascii_strcasecmp (name, "xmlns:xlink") == 0 &&
          g_strcmp0 (value, "http://www.w3.org/1999/xlink") != 0)
        fail ("unexpected xlink namespace", html);
    }

  if (value == NULL)
    return;

  if ((foreign || TIDINGS_CHECK_IN (name, tidings_check_paint_attributes)) &&
      !tidings_check_is_url_attribute (name) && g_ascii_strcasecmp (name, "srcset") != 0)
    {
      for (const char *p = value; (p = strstr (p, "url(")) != NULL;)
        {
          p += 4;
          while (g_ascii_isspace (*p) || *p == '"' || *p == '\'')
            p++;
          if (*p != '#')
            fail ("url() to another document", html);
        }
    }

  if (tidings_check_is_url_attribute (name))
    tidings_check_url (element, name, value, fail, html);
  else if (g_ascii_strcasecmp (name, "srcset") == 0)
    {
      /* "url descriptor, url descriptor": URLs never hold white space, so
       * ", " splits candidates exactly. */
      g_auto(GStrv) candidates = g_strsplit (value, ", ", -1);

      for (gsize i = 0; candidates[i] != NULL; i++)
        {
          g_auto(GStrv) parts = g_strsplit (candidates[i], " ", 2);

          if (parts[0] == NULL)
            fail ("empty srcset candidate", html);
          tidings_check_url (element, name, parts[0], fail, html);
        }
    }
}

/* Decodes the only references the sanitiser writes. */
static inline char *
tidings_check_decode_value (const char       *value,
                            gsize             len,
                            TidingsCheckFail  fail,
                            const char       *html)
{
  static const struct { const char *entity; char c; } entities[] = {
    { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
  };
  GString *out = g_string_new (NULL);
  gsize i = 0;

  while (i < len)
    {
      gsize j;

      if (value[i] != '&')
        {
          g_string_append_c (out, value[i++]);
          continue;
        }
      for (j = 0; j < G_N_ELEMENTS (entities); j++)
        if (strncmp (value + i, entities[j].entity, strlen (entities[j].entity)) == 0)
          break;
      if (j == G_N_ELEMENTS (entities))
        fail ("bare & in attribute", html);
      g_string_append_c (out, entities[j].c);
      i += strlen (entities[j].entity);
    }
  return g_string_free (out, FALSE);
}

static inline void
tidings_check_sanitized (const char       *html,
                         TidingsCheckFail  fail)
{
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  const char *p = html;
  guint foreign_open = 0;   /* open <svg> and <math> elements */

  if (!g_utf8_validate (html, -1, NULL))
    fail ("not valid UTF-8", html);

  while (*p != '\0')
    {
      if (*p == '>')
        fail ("raw > in text", html);

      if (*p == '&')
        {
          if (!g_str_has_prefix (p, "&amp;") && !g_str_has_prefix (p, "&lt;") &&
              !g_str_has_prefix (p, "&gt;") && !g_str_has_prefix (p, "&quot;"))
            fail ("bare & in text", html);
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
            fail ("malformed end tag", html);
          if (open->len == 0 || strcmp (g_ptr_array_index (open, open->len - 1), name) != 0)
            fail ("unbalanced end tag", html);
          if (tidings_check_is_drawing (name))
            foreign_open--;
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
            fail ("malformed start tag", html);
          name = g_strndup (start, p - start);

          if (tidings_check_is_drawing (name))
            foreign_open++;
          foreign = foreign_open > 0;
          if (TIDINGS_CHECK_IN (name, tidings_check_forbidden_elements))
            fail ("forbidden element", html);
          /* <title> is SVG's tooltip inside a drawing, the page's outside. */
          if (!foreign && g_ascii_strcasecmp (name, "title") == 0)
            fail ("<title> outside <svg> or <math>", html);

          while (*p == ' ')
            {
              const char *attr_start = ++p;
              g_autofree char *attr = NULL;
              g_autofree char *value = NULL;

              while (g_ascii_isalnum (*p) || *p == '-' || *p == ':')
                p++;
              if (p == attr_start)
                fail ("malformed attribute", html);
              attr = g_strndup (attr_start, p - attr_start);
              if (*p == '=')
                {
                  const char *value_start;

                  if (p[1] != '"')
                    fail ("unquoted attribute", html);
                  p += 2;
                  value_start = p;
                  while (*p != '"')
                    {
                      if (*p == '\0' || *p == '<' || *p == '>')
                        fail ("bad attribute value", html);
                      p++;
                    }
                  value = tidings_check_decode_value (value_start, p - value_start, fail, html);
                  p++;
                }
              tidings_check_attribute (name, attr, value != NULL ? value : "", foreign, fail, html);
            }

          if (*p++ != '>')
            fail ("malformed start tag", html);
          if (open->len > 512)
            fail ("nesting not capped", html);
          if (!TIDINGS_CHECK_IN (name, tidings_check_void_elements))
            g_ptr_array_add (open, g_steal_pointer (&name));
        }
    }

  if (open->len != 0)
    fail ("element left open", html);
}
