/* tidings-opml.h: reading and writing subscription lists (OPML 1.0 and 2.0)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure conversion between OPML text and a flat description of sections and
 * feeds; putting them into the store (all-or-nothing) is the caller's job.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TIDINGS_OPML_ERROR (tidings_opml_error_quark ())

typedef enum
{
  TIDINGS_OPML_ERROR_MALFORMED,   /* not well-formed XML (line and column in the message) */
  TIDINGS_OPML_ERROR_NOT_OPML,    /* well-formed, but no <opml><body> */
  TIDINGS_OPML_ERROR_TOO_LARGE,   /* beyond the caps below */
} TidingsOpmlError;

GQuark tidings_opml_error_quark (void);

/* Caps on what one file may hold; beyond them the file is refused. */
#define TIDINGS_OPML_MAX_FEEDS     10000
#define TIDINGS_OPML_MAX_DEPTH     64
#define TIDINGS_OPML_MAX_BYTES     (32 * 1024 * 1024)

typedef struct
{
  char *title;      /* may be NULL */
  char *parent;     /* title of the parent section, NULL for a top-level one */
} TidingsOpmlSection;

typedef struct
{
  char *url;        /* xmlUrl, an http(s) address */
  char *title;      /* title, else text; may be NULL */
  char *site_url;   /* htmlUrl, may be NULL */
  char *section;    /* the section's title, NULL when at the top level */
  char *parent;     /* that section's parent's title, NULL when it is top-level */
} TidingsOpmlFeed;

typedef struct
{
  char      *title;       /* <head><title>, may be NULL */
  GPtrArray *sections;    /* TidingsOpmlSection, parents before their children, in document order */
  GPtrArray *feeds;       /* TidingsOpmlFeed, in document order, duplicates (same url) dropped */
  GPtrArray *warnings;    /* char *: outlines refused and why ("Outline “X” was skipped: ...") */
} TidingsOpml;

TidingsOpml *tidings_opml_new  (void);
void         tidings_opml_free (TidingsOpml *opml);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsOpml, tidings_opml_free)

/* Reads an OPML document. Nested outlines become sections; sections nest one
 * level, so deeper outlines fold into their second-level ancestor. Outlines
 * whose URL is not http(s) (file:, javascript:, a shell command such as
 * Liferea's and Newsboat's "exec:" / "|command" / "filter:" sources) are
 * refused one by one with a warning. No entity expansion, no network, no
 * DTD. */
TidingsOpml *tidings_opml_parse (const char  *data,
                                 gsize        len,
                                 GError     **error);

/* Writes OPML 2.0 (UTF-8) for @opml's sections and feeds. */
char        *tidings_opml_write (const TidingsOpml *opml,
                                 gsize             *len);

G_END_DECLS
