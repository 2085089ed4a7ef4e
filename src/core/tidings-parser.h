/* tidings-parser.h: any feed document in, normalised items out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tidings-feed.h"

G_BEGIN_DECLS

#define TIDINGS_PARSE_ERROR (tidings_parse_error_quark ())

typedef enum
{
  TIDINGS_PARSE_ERROR_EMPTY,       /* nothing but white space */
  TIDINGS_PARSE_ERROR_NOT_A_FEED,  /* readable, but not RSS, RDF, Atom or JSON Feed */
  TIDINGS_PARSE_ERROR_MALFORMED,   /* so broken that nothing could be read */
  TIDINGS_PARSE_ERROR_TOO_LARGE,
} TidingsParseError;

GQuark tidings_parse_error_quark (void);

typedef struct _TidingsParser TidingsParser;

/* @base_url is where the document came from (a feed URL or a file: URI), used
 * to resolve relative links; may be NULL. @item_func receives each normalised
 * item, in document order, as soon as it is complete. */
TidingsParser *tidings_parser_new    (const char      *base_url,
                                      TidingsItemFunc  item_func,
                                      gpointer         user_data);
void           tidings_parser_free   (TidingsParser   *parser);

/* Sanitising is the expensive part of parsing; with @n_threads > 1 (the
 * calling thread counted) items are normalised on @n_threads - 1 workers and,
 * when they are behind, by the calling thread too; they are still delivered
 * in document order on the thread that calls push/finish. */
void           tidings_parser_set_threads (TidingsParser *parser,
                                           guint          n_threads);

/* Feeds the next @len bytes of the document. Returns FALSE once the document
 * is known to be unreadable (the error says why). */
gboolean       tidings_parser_push   (TidingsParser   *parser,
                                      const char      *data,
                                      gsize            len,
                                      GError         **error);

/* Ends the document and returns the feed's own fields, or NULL with @error. */
TidingsFeed   *tidings_parser_finish (TidingsParser   *parser,
                                      GError         **error);

/* Convenience for whole documents in memory: collects the items too. */
TidingsFeed   *tidings_parse_data    (const char      *data,
                                      gsize            len,
                                      const char      *base_url,
                                      GPtrArray      **items,
                                      GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsParser, tidings_parser_free)

G_END_DECLS
