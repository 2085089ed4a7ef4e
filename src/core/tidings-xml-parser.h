/* tidings-xml-parser.h: RSS 0.9x/2.0, RDF and Atom through libxml2's SAX2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to the core: tidings-parser.c feeds it UTF-8 that
 * tidings-xml-input.c has already decoded and repaired.
 */

#pragma once

#include "tidings-feed.h"

G_BEGIN_DECLS

typedef struct _TidingsXmlParser TidingsXmlParser;

/* Fills @feed (owned by the caller) and hands each raw item, with its base
 * URI set, to @item_func. */
TidingsXmlParser *_tidings_xml_parser_new  (TidingsFeed      *feed,
                                            const char       *base_url,
                                            TidingsItemFunc   item_func,
                                            gpointer          user_data);
void              _tidings_xml_parser_free (TidingsXmlParser *parser);

/* Returns FALSE, with a TIDINGS_PARSE_ERROR, once the document is known not
 * to be a feed or to be unreadable. */
gboolean          _tidings_xml_parser_push (TidingsXmlParser *parser,
                                            const char       *utf8,
                                            gsize             len,
                                            gboolean          last,
                                            GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsXmlParser, _tidings_xml_parser_free)

G_END_DECLS
