/* tidings-jsonfeed.h: JSON Feed 1.0 and 1.1, read with json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to the core: tidings-parser.c dispatches here when a document
 * starts like JSON.
 */

#pragma once

#include "tidings-feed.h"

G_BEGIN_DECLS

/* Parses the whole JSON document in @data (any of UTF-8, UTF-16 or UTF-32,
 * with or without a byte order mark) into @feed, which the caller created,
 * and hands each raw item to @item_func (the caller normalises it). Sets
 * @feed->format to JSON10 or JSON11. Returns FALSE with a
 * TIDINGS_PARSE_ERROR when the document is not JSON, or is JSON but not a
 * JSON Feed (NOT_A_FEED). */
gboolean _tidings_jsonfeed_parse (const char       *data,
                                  gsize             len,
                                  TidingsFeed      *feed,
                                  TidingsItemFunc   item_func,
                                  gpointer          user_data,
                                  GError          **error);

G_END_DECLS
