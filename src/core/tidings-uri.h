/* tidings-uri.h: resolving and vetting the addresses found in feeds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TIDINGS_URI_LINK,   /* something a person may follow: http, https, mailto */
  TIDINGS_URI_IMAGE,  /* an image source: http, https, data:image/... (not SVG) */
  TIDINGS_URI_MEDIA,  /* an audio or video source: http, https */
} TidingsUriUse;

/* Resolves @ref (trimmed of surrounding white space) against @base with GUri.
 * Returns a newly allocated absolute URI, @ref itself when @base is NULL or
 * unusable and @ref is already absolute, or NULL when nothing absolute can be
 * made. A protocol-relative @ref ("//host/path") without a usable @base is
 * taken to be https. A NULL @ref gives NULL. */
char     *tidings_uri_resolve    (const char *base,
                                  const char *ref);

/* TRUE when the absolute @uri has a scheme allowed for @use (compared without
 * regard to case, after removing the white space and control characters that
 * browsers ignore). */
gboolean  tidings_uri_is_allowed (const char    *uri,
                                  TidingsUriUse  use);

/* Resolves then vets: returns the absolute URI when allowed, else NULL. */
char     *tidings_uri_resolve_allowed (const char    *base,
                                       const char    *ref,
                                       TidingsUriUse  use);

/* Internal, for callers resolving many references against one base: the
 * base parsed as tidings_uri_resolve() does (NULL when unusable), and
 * tidings_uri_resolve() with it. */
GUri     *_tidings_uri_parse_base   (const char *base);
char     *_tidings_uri_resolve_with (GUri       *base,
                                     const char *ref);

G_END_DECLS
