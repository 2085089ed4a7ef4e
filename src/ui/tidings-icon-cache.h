/* tidings-icon-cache.h: feeds' icons as textures, shared by the window's lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tidings-library.h"

G_BEGIN_DECLS

/* Icons are decoded to at most this many pixels a side: 16 px rows on a
 * screen of scale 2. */
#define TIDINGS_ICON_CACHE_SIZE 32

#define TIDINGS_TYPE_ICON_CACHE (tidings_icon_cache_get_type ())
G_DECLARE_FINAL_TYPE (TidingsIconCache, tidings_icon_cache, TIDINGS, ICON_CACHE, GObject)

/* Signal: changed: icons came in or changed (a batch of them at once: a
 * list binds rows by the hundred, and one emission per icon would call
 * every row's handler per icon); rows look theirs up again. */
TidingsIconCache *tidings_icon_cache_new          (TidingsLibrary   *library);

/* The icon of subscription @subscription_id, or NULL while it loads (the
 * first call starts that), when it has none, or when it could not be
 * decoded: show tidings_icon_cache_get_fallback() then. Cheap enough to
 * call from a snapshot. */
GdkTexture       *tidings_icon_cache_lookup       (TidingsIconCache *self,
                                                   gint64            subscription_id);
/* What rows show for a feed without an icon. */
const char       *tidings_icon_cache_get_fallback_name (void);

/* Decodes @data (PNG, ICO, GIF, JPEG or WebP, as stored) to a texture at
 * most @size pixels a side, keeping its aspect. Refuses, without decoding
 * them, images of more than a few megapixels, and anything else the
 * loaders refuse. Thread-safe. */
GdkTexture       *_tidings_icon_cache_decode      (GBytes           *data,
                                                   int               size,
                                                   GError          **error);

/* For tests: a read or a decode is under way or queued. */
gboolean          _tidings_icon_cache_is_busy     (TidingsIconCache *self);

G_END_DECLS
