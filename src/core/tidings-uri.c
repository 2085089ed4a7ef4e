/* tidings-uri.c: resolving and vetting the addresses found in feeds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-uri"

#include "config.h"

#include <string.h>

#include "tidings-uri.h"

/* Relaxed: feeds are full of slightly broken addresses that browsers accept.
 * Encoded: keep the publisher's percent-encoding as it is. */
#define URI_FLAGS (G_URI_FLAGS_PARSE_RELAXED | G_URI_FLAGS_ENCODED)

/* Longest scheme we need to recognise ("mailto", "https", "data"). */
#define MAX_SCHEME 8

/* The image types a browser decodes without running anything; SVG is left
 * out on purpose since an SVG document can carry script. */
static const char * const image_types[] = {
  "image/avif",
  "image/bmp",
  "image/gif",
  "image/jpeg",
  "image/png",
  "image/vnd.microsoft.icon",
  "image/webp",
  "image/x-icon",
};

/* What the URL standard strips from both ends of an address: C0 controls
 * and space. */
static inline gboolean
is_c0_or_space (guchar c)
{
  return c <= 0x20;
}

/* What browsers ignore while reading a scheme ("java\tscript:"). */
static inline gboolean
is_ignorable (guchar c)
{
  return c <= 0x20 || c == 0x7f;
}

/* Returns @ref trimmed, without the tabs and line breaks that the URL
 * standard drops wherever they are. */
static char *
clean_ref (const char *ref)
{
  const char *start = ref;
  const char *end = ref + strlen (ref);
  char *clean;
  char *out;

  while (start < end && is_c0_or_space (*start))
    start++;
  while (end > start && is_c0_or_space (end[-1]))
    end--;

  if (start == end)
    return g_strdup ("");

  clean = out = g_malloc (end - start + 1);
  for (const char *p = start; p < end; p++)
    {
      if (*p != '\t' && *p != '\n' && *p != '\r')
        *out++ = *p;
    }
  *out = '\0';

  return clean;
}

/* TRUE when @ref is an absolute http(s) URI that GUri would hand back
 * unchanged: only characters valid in a URI (no white space, controls,
 * brackets, percent-encoding or non-ASCII), a host, no dot segments. Most
 * links in feeds are like this, and skipping GUri for them is a measurable
 * part of sanitising. */
static gboolean
is_plain_http_uri (const char *ref)
{
  /* RFC 3986 unreserved and reserved characters, less '[' and ']'; no '%'
   * since GUri normalises some percent-encoding. */
  static const char allowed[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "-._~:/?#@!$&'()*+,;=";
  const char *p;

  if (strncmp (ref, "https://", 8) == 0)
    p = ref + 8;
  else if (strncmp (ref, "http://", 7) == 0)
    p = ref + 7;
  else
    return FALSE;

  if (*p == '\0' || *p == '/' || *p == '?' || *p == '#' || *p == ':' || *p == '@')
    return FALSE;

  if (ref[strspn (ref, allowed)] != '\0')
    return FALSE;

  return strstr (p, "/.") == NULL;
}

/* RFC 3986, 5.2.4: "/a/b/../c/./d" is "/a/c/d". @path starts with '/'. */
static void
append_without_dot_segments (GString    *out,
                             const char *path)
{
  gsize start = out->len;
  const char *in = path;

  while (*in != '\0')
    {
      const char *next;

      if (g_str_has_prefix (in, "/./"))
        in += 2;
      else if (strcmp (in, "/.") == 0)
        in = "/";
      else if (g_str_has_prefix (in, "/../") || strcmp (in, "/..") == 0)
        {
          char *last = g_strrstr_len (out->str + start, out->len - start, "/");

          in = in[3] == '\0' ? "/" : in + 3;
          g_string_truncate (out, last != NULL ? (gsize) (last - out->str) : start);
        }
      else
        {
          next = strchr (in + 1, '/');
          if (next == NULL)
            next = in + strlen (in);
          g_string_append_len (out, in, next - in);
          in = next;
        }
    }
}

/* Relative paths of plain characters ("img/a.png", "../about/") are most of
 * the relative links in feeds. Against an http(s) base they are joined by
 * hand, as RFC 3986 (5.2.2, 5.2.3) says, which gives what GUri gives at a
 * fraction of the cost; anything less plain goes to GUri. */
static char *
join_simple_path (GUri       *base,
                  const char *ref)
{
  static const char plain[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/";
  const char *scheme = g_uri_get_scheme (base);
  const char *host = g_uri_get_host (base);
  const char *path = g_uri_get_path (base);
  GString *out;

  g_autofree char *merged = NULL;

  if (ref[0] == '\0' || (ref[0] == '/' && ref[1] == '/') || ref[strspn (ref, plain)] != '\0')
    return NULL;
  if (scheme == NULL || host == NULL || *host == '\0' || strchr (host, ':') != NULL ||
      g_uri_get_userinfo (base) != NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    return NULL;

  out = g_string_sized_new (strlen (host) + strlen (path) + strlen (ref) + 16);
  g_string_append (out, scheme);
  g_string_append (out, "://");
  g_string_append (out, host);
  if (g_uri_get_port (base) > 0)
    g_string_append_printf (out, ":%d", g_uri_get_port (base));

  if (ref[0] == '/')
    merged = g_strdup (ref);
  else
    {
      const char *slash = strrchr (path, '/');

      /* The base's directory (its path up to the last slash), then the
       * reference. */
      if (slash != NULL)
        merged = g_strdup_printf ("%.*s%s", (int) (slash + 1 - path), path, ref);
      else
        merged = g_strconcat ("/", ref, NULL);
    }
  append_without_dot_segments (out, merged);
  return g_string_free (out, FALSE);
}

/* Percent-encodes what GUri leaves of white space and control characters
 * (in a host, say), so that a resolved URI is one word: nothing in it can
 * end an attribute or split a srcset candidate. Takes @uri. */
static char *
encode_spaces (char *uri)
{
  GString *encoded;
  const char *p;

  if (uri == NULL)
    return NULL;

  for (p = uri; *p != '\0' && !is_ignorable (*p); p++)
    ;
  if (*p == '\0')
    return uri;

  encoded = g_string_sized_new (strlen (uri) + 8);
  for (p = uri; *p != '\0'; p++)
    {
      if (is_ignorable (*p))
        g_string_append_printf (encoded, "%%%02X", (guchar) *p);
      else
        g_string_append_c (encoded, *p);
    }
  g_free (uri);
  return g_string_free (encoded, FALSE);
}

/* Media types are case-insensitive; a data: URI leaves the sanitizer with
 * its type in lower case ("data:image/png"), the one spelling every reader
 * of the output, and every later check, agrees on. Takes @uri. */
static char *
lower_data_media_type (char *uri)
{
  if (uri == NULL || strncmp (uri, "data:", 5) != 0)
    return uri;

  for (char *p = uri + 5; *p != '\0' && *p != ';' && *p != ','; p++)
    *p = g_ascii_tolower (*p);

  return uri;
}

char *
_tidings_uri_resolve_with (GUri       *base,
                           const char *ref)
{
  g_autofree char *clean = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *path;

  if (ref == NULL)
    return NULL;

  if (is_plain_http_uri (ref))
    return g_strdup (ref);

  if (base != NULL)
    {
      char *joined = join_simple_path (base, ref);

      if (joined != NULL)
        return joined;
    }

  clean = clean_ref (ref);

  if (base != NULL)
    {
      uri = g_uri_parse_relative (base, clean, URI_FLAGS, NULL);
    }
  else if (clean[0] == '/' && clean[1] == '/')
    {
      /* Protocol-relative with nothing to inherit the scheme from: assume the
       * secure one, as any page loaded today would. */
      g_autofree char *with_scheme = g_strconcat ("https:", clean, NULL);

      uri = g_uri_parse (with_scheme, URI_FLAGS, NULL);
    }
  else
    {
      uri = g_uri_parse (clean, URI_FLAGS, NULL);
    }

  if (uri == NULL)
    return NULL;

  /* Relaxed parsing and dot-segment removal can give combinations that
   * g_uri_to_string() refuses with a critical: a host with a path that does
   * not start with a slash ("//;a"), or no host and a path starting with two
   * ("https:..///"). Neither is a usable address. */
  path = g_uri_get_path (uri);
  if (g_uri_get_host (uri) != NULL ? (path[0] != '\0' && path[0] != '/')
                                   : (path[0] == '/' && path[1] == '/'))
    return NULL;

  return lower_data_media_type (encode_spaces (g_uri_to_string (uri)));
}

GUri *
_tidings_uri_parse_base (const char *base)
{
  g_autofree char *clean = NULL;

  if (base == NULL)
    return NULL;

  /* An unusable base (relative, garbage) is as good as none. */
  clean = clean_ref (base);
  return g_uri_parse (clean, URI_FLAGS, NULL);
}

char *
tidings_uri_resolve (const char *base,
                     const char *ref)
{
  g_autoptr(GUri) base_uri = NULL;

  if (ref == NULL)
    return NULL;

  /* Absolute already: no base to parse. */
  if (is_plain_http_uri (ref))
    return g_strdup (ref);

  base_uri = _tidings_uri_parse_base (base);
  return _tidings_uri_resolve_with (base_uri, ref);
}

/* Reads the part of @uri before the first ':' into @scheme (lower case,
 * ignorable characters skipped). Returns the position after the ':', or NULL
 * when @uri has no valid scheme. */
static const char *
read_scheme (const char *uri,
             char        scheme[MAX_SCHEME + 1])
{
  gsize n = 0;

  for (const char *p = uri; *p != '\0'; p++)
    {
      guchar c = *p;

      if (is_ignorable (c))
        continue;

      if (c == ':')
        {
          if (n == 0)
            return NULL;
          scheme[n] = '\0';
          return p + 1;
        }

      if (g_ascii_isalpha (c)
          || (n > 0 && (g_ascii_isdigit (c) || c == '+' || c == '-' || c == '.')))
        {
          /* Longer than any scheme we allow: no need to read further. */
          if (n == MAX_SCHEME)
            return NULL;
          scheme[n++] = g_ascii_tolower (c);
          continue;
        }

      /* '/', '?', '#' or anything else before a ':' makes it relative. */
      return NULL;
    }

  return NULL;
}

/* TRUE when the data: URI payload at @rest starts with an allowed image type,
 * followed by ';' (parameters, base64) or ',' (the data). */
static gboolean
is_allowed_image_data (const char *rest)
{
  char type[32];
  gsize n = 0;
  const char *p;

  for (p = rest; *p != '\0' && *p != ';' && *p != ','; p++)
    {
      guchar c = *p;

      if (is_ignorable (c))
        continue;
      if (n == sizeof type - 1)
        return FALSE;
      type[n++] = g_ascii_tolower (c);
    }

  if (*p == '\0')
    return FALSE;
  type[n] = '\0';

  for (gsize i = 0; i < G_N_ELEMENTS (image_types); i++)
    {
      if (strcmp (type, image_types[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

gboolean
tidings_uri_is_allowed (const char    *uri,
                        TidingsUriUse  use)
{
  char scheme[MAX_SCHEME + 1];
  const char *rest;

  if (uri == NULL)
    return FALSE;

  rest = read_scheme (uri, scheme);
  if (rest == NULL)
    return FALSE;

  if (strcmp (scheme, "http") == 0 || strcmp (scheme, "https") == 0)
    return TRUE;

  switch (use)
    {
    case TIDINGS_URI_LINK:
      return strcmp (scheme, "mailto") == 0;

    case TIDINGS_URI_IMAGE:
      return strcmp (scheme, "data") == 0 && is_allowed_image_data (rest);

    case TIDINGS_URI_MEDIA:
    default:
      return FALSE;
    }
}

char *
tidings_uri_resolve_allowed (const char    *base,
                             const char    *ref,
                             TidingsUriUse  use)
{
  g_autofree char *resolved = tidings_uri_resolve (base, ref);

  if (resolved == NULL || !tidings_uri_is_allowed (resolved, use))
    return NULL;

  return g_steal_pointer (&resolved);
}
