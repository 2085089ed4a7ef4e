/* fuzz-discover-html.c: feed links from arbitrary web pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tidings_discover_scan_html() gives absolute http(s) addresses only, each
 * once, with valid UTF-8 titles and one of the known types (or none);
 * tidings_discover_looks_like_html() answers for any bytes and any type. The
 * first byte picks the page's address, so that resolving against several
 * kinds of base is explored too.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "tidings-discover.h"
#include "tidings-fuzz.h"

static const char * const page_urls[] = {
  "https://example.com/dir/page.html",
  "http://example.org:8080/",
  "https://[::1]/a/b/?q=1#f",
  NULL,
};

static const char * const mime_types[] = {
  "application/rss+xml",
  "application/atom+xml",
  "application/rdf+xml",
  "application/feed+json",
};

G_GNUC_NORETURN static void
fail (const char *why,
      const char *detail)
{
  fprintf (stderr, "fuzz-discover-html: %s: %s\n", why, detail != NULL ? detail : "(null)");
  abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *page_url;

  /* Keep each run short: libFuzzer finds the same paths in small inputs. */
  if (size > 256 * 1024)
    return 0;

  page_url = page_urls[size > 0 ? data[0] % G_N_ELEMENTS (page_urls) : 0];
  links = tidings_discover_scan_html ((const char *) data, size, page_url);
  if (links == NULL)
    fail ("no array", NULL);

  for (guint i = 0; i < links->len; i++)
    {
      TidingsFeedLink *link = links->pdata[i];
      g_autoptr(GUri) uri = NULL;
      gboolean known = link->mime_type == NULL;

      if (link->url == NULL || !g_utf8_validate (link->url, -1, NULL))
        fail ("address missing or not UTF-8", link->url);
      if (!g_str_has_prefix (link->url, "http://") && !g_str_has_prefix (link->url, "https://"))
        fail ("not an http(s) address", link->url);
      uri = g_uri_parse (link->url, G_URI_FLAGS_PARSE_RELAXED | G_URI_FLAGS_ENCODED, NULL);
      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
        fail ("not an absolute address", link->url);
      if (!g_hash_table_add (seen, link->url))
        fail ("address twice", link->url);
      if (link->title != NULL && (!g_utf8_validate (link->title, -1, NULL) || *link->title == '\0'))
        fail ("title empty or not UTF-8", link->title);
      for (guint j = 0; j < G_N_ELEMENTS (mime_types); j++)
        if (g_strcmp0 (link->mime_type, mime_types[j]) == 0)
          known = TRUE;
      if (!known)
        fail ("unexpected type", link->mime_type);
    }

  /* Any answer will do; it must not crash or read past the end. */
  (void) tidings_discover_looks_like_html ((const char *) data, size, NULL);
  (void) tidings_discover_looks_like_html ((const char *) data, size, "text/html");
  (void) tidings_discover_looks_like_html ((const char *) data, size, "Application/XHTML+XML; x");
  return 0;
}
