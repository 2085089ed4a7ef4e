/* tidings-discover.h: finding the feeds a web page offers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tidings-fetcher.h"

G_BEGIN_DECLS

#define TIDINGS_DISCOVER_ERROR (tidings_discover_error_quark ())

typedef enum
{
  TIDINGS_DISCOVER_ERROR_NO_FEED,   /* a page, but it offers no feed anywhere we looked */
} TidingsDiscoverError;

GQuark tidings_discover_error_quark (void);

typedef struct
{
  char *url;         /* absolute http(s) */
  char *title;       /* may be NULL */
  char *mime_type;   /* application/rss+xml, application/atom+xml, application/rdf+xml,
                        application/feed+json; NULL when found by probing a common path */
} TidingsFeedLink;

void tidings_feed_link_free (TidingsFeedLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsFeedLink, tidings_feed_link_free)

/* Scans an HTML page for <link rel="alternate"> feeds (any order of
 * attributes, rel as a token list, type case-insensitive), resolves them
 * against <base href> and @page_url, keeps http(s) only, drops duplicates.
 * Returns TidingsFeedLink in document order (never NULL). */
GPtrArray *tidings_discover_scan_html (const char *html,
                                       gsize       len,
                                       const char *page_url);

/* Additions. Scans an HTML page for the site's icon: <link> with rel "icon"
 * (or "shortcut icon"), then "apple-touch-icon", resolved as above; SVG
 * and data: addresses are left out. Returns absolute http(s) addresses
 * (char *), best suited to a small icon first (never NULL). */
GPtrArray *tidings_discover_scan_icons (const char *html,
                                        gsize       len,
                                        const char *page_url);

/* TRUE when @data looks like an HTML page rather than a feed (a doctype, an
 * <html> element, or a text/html @content_type with no feed root). */
gboolean   tidings_discover_looks_like_html (const char *data,
                                             gsize       len,
                                             const char *content_type);

/* The paths tried when a page names no feed, in order. */
extern const char * const tidings_discover_common_paths[];

/* Given any address: when it is a feed, that feed (titled); else the feeds
 * its page links to; else those of the common paths that answer with a
 * parseable feed. Returns a GPtrArray of TidingsFeedLink, at least one, or
 * NULL with a TIDINGS_FETCH_ERROR (the page could not be fetched) or
 * TIDINGS_DISCOVER_ERROR_NO_FEED. */
void       tidings_discover_async  (TidingsFetcher      *fetcher,
                                    const char          *url,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
GPtrArray *tidings_discover_finish (GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
