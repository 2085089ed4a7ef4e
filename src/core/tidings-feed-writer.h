/* tidings-feed-writer.h: streaming JSON Feed 1.1 output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tidings-feed.h"

G_BEGIN_DECLS

typedef struct _TidingsFeedWriter TidingsFeedWriter;

/* Items are written as they arrive and the feed's own fields at the end
 * (JSON objects are unordered), so a feed of any size is never held whole. */
TidingsFeedWriter *tidings_feed_writer_new      (GOutputStream      *stream);
void               tidings_feed_writer_free     (TidingsFeedWriter  *writer);
gboolean           tidings_feed_writer_add_item (TidingsFeedWriter  *writer,
                                                 const TidingsItem  *item,
                                                 GError            **error);
gboolean           tidings_feed_writer_finish   (TidingsFeedWriter  *writer,
                                                 const TidingsFeed  *feed,
                                                 GError            **error);

/* Appends @text to @out as a JSON string literal, quotes included. */
void               _tidings_json_append_string  (GString            *out,
                                                 const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsFeedWriter, tidings_feed_writer_free)

G_END_DECLS
