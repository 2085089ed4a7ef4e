/* tidings-icons.h: finding and fetching a feed's icon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The refresh looks for a feed's icon after the feed itself was stored, in
 * the background (tidings-refresh.h):
 * the icon the feed document names, else the icons the site's home page
 * links to, else /favicon.ico. Through the same TidingsFetcher as the feeds
 * (its per-host caps, time-outs and back-off), with a hard size cap, and
 * only bitmap formats the window can decode without a renderer of its own.
 */

#pragma once

#include "tidings-fetcher.h"
#include "tidings-store.h"

G_BEGIN_DECLS

/* Bigger files are refused: an icon drawn at 16 px needs no more. */
#define TIDINGS_ICON_MAX_BYTES (256 * 1024)
/* How much of a home page is fetched to look for its <link rel="icon">. */
#define TIDINGS_ICON_MAX_PAGE_BYTES (1024 * 1024)
/* An icon is looked for again after this long; a look that found nothing
 * is tried again sooner. */
#define TIDINGS_ICON_MAX_AGE (7 * G_TIME_SPAN_DAY)
#define TIDINGS_ICON_RETRY   (G_TIME_SPAN_DAY)

/* The type of the image in @data by its first bytes: "image/png",
 * "image/vnd.microsoft.icon", "image/gif", "image/jpeg" or "image/webp";
 * NULL for anything else (SVG, HTML, an empty body). */
const char  *tidings_icon_sniff  (const void        *data,
                                  gsize              len);

/* FALSE when the environment has TIDINGS_FEED_ICONS=0: no icon is looked
 * for, whatever the feed-icons setting. The test suites set it, so that a
 * fixture feed's home page (example.com) is never asked for its icon. */
gboolean     tidings_icons_allowed (void);

/* Whether a feed whose stored icon row is @stored (NULL: none) is due a
 * look at @now. */
gboolean     tidings_icon_is_due (const TidingsIcon *stored,
                                  gint64             now);

typedef struct
{
  gint64             subscription_id;
  const char        *feed_url;
  const char        *site_url;     /* the feed's home page, may be NULL */
  const char        *icon_url;     /* the icon the feed document names, may be NULL */
  const TidingsIcon *stored;       /* what the store has (its validators), may be NULL */
} TidingsIconRequest;

/* Looks for the icon of @request's feed; the strings are copied. */
void         tidings_icon_fetch_async  (TidingsFetcher            *fetcher,
                                        const TidingsIconRequest  *request,
                                        GCancellable              *cancellable,
                                        GAsyncReadyCallback        callback,
                                        gpointer                   user_data);
/* The icon to store (tidings_store_set_icon()): with data for an image,
 * without for an image that did not change (a 304, with its validators).
 * NULL with @error when no candidate gave an image (the last one's reason),
 * or G_IO_ERROR_CANCELLED. */
TidingsIcon *tidings_icon_fetch_finish (GAsyncResult              *result,
                                        GError                   **error);

G_END_DECLS
