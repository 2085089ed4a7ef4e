/* tidings-feed.h: the normalised form of a feed and its items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every parser (RSS, RDF, Atom, JSON Feed) produces these structures, and
 * everything downstream (the JSON Feed writer, the store, the UI) consumes
 * them. The fields mirror JSON Feed 1.1, which is the one normalised form the
 * whole application uses.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Tags beyond this many on one item are dropped. */
#define TIDINGS_MAX_TAGS 100

/* A date that is not known. Dates are microseconds since the Unix epoch, UTC. */
#define TIDINGS_DATE_UNSET G_MININT64

typedef enum
{
  TIDINGS_FEED_FORMAT_UNKNOWN,
  TIDINGS_FEED_FORMAT_RSS090,
  TIDINGS_FEED_FORMAT_RSS091,
  TIDINGS_FEED_FORMAT_RSS092,
  TIDINGS_FEED_FORMAT_RSS093,
  TIDINGS_FEED_FORMAT_RSS094,
  TIDINGS_FEED_FORMAT_RSS20,
  TIDINGS_FEED_FORMAT_RSS,      /* <rss> without a usable version attribute */
  TIDINGS_FEED_FORMAT_RDF,      /* RSS 1.0 */
  TIDINGS_FEED_FORMAT_ATOM03,
  TIDINGS_FEED_FORMAT_ATOM10,
  TIDINGS_FEED_FORMAT_JSON10,
  TIDINGS_FEED_FORMAT_JSON11,
  TIDINGS_FEED_FORMAT_CDF,      /* Microsoft's Channel Definition Format */
} TidingsFeedFormat;

const char *tidings_feed_format_to_string (TidingsFeedFormat format);

typedef struct
{
  char *name;
  char *url;
  char *avatar;
} TidingsAuthor;

TidingsAuthor *tidings_author_new  (void);
void           tidings_author_free (TidingsAuthor *author);

typedef struct
{
  char   *url;
  char   *mime_type;
  char   *title;
  gint64  size_in_bytes;        /* -1 when unknown */
  gint64  duration_in_seconds;  /* -1 when unknown */
} TidingsAttachment;

TidingsAttachment *tidings_attachment_new  (void);
void               tidings_attachment_free (TidingsAttachment *attachment);

typedef struct
{
  char      *id;
  char      *url;
  char      *external_url;
  char      *title;          /* plain text */
  char      *content_html;   /* sanitised HTML */
  char      *content_text;   /* set only when the source was plain text */
  char      *summary;        /* plain text */
  char      *image;
  char      *language;
  gint64     date_published; /* TIDINGS_DATE_UNSET when unknown */
  gint64     date_modified;
  GPtrArray *authors;        /* TidingsAuthor */
  GPtrArray *tags;           /* char *, unique */
  GPtrArray *attachments;    /* TidingsAttachment */

  /* Set by the format parsers and consumed by tidings_item_normalise(): the
   * base URI in scope for relative references in the content and whether the
   * raw summary is HTML that still has to become text. */
  char      *base;
  gboolean   summary_is_html;
} TidingsItem;

#define TIDINGS_TYPE_ITEM (tidings_item_get_type ())

GType        tidings_item_get_type (void) G_GNUC_CONST;
TidingsItem *tidings_item_new      (void);
TidingsItem *tidings_item_copy     (const TidingsItem *item);
void         tidings_item_free     (TidingsItem *item);
void         tidings_item_add_tag  (TidingsItem *item,
                                    const char  *tag);
gboolean     tidings_item_is_empty (const TidingsItem *item);

/* Turns what a format parser extracted into the normalised form: sanitises
 * content_html against item->base, makes the summary plain text, resolves and
 * vets URLs and derives a stable id when the publisher gave none. Touches
 * only @item, so it may run on any thread. */
void         tidings_item_normalise (TidingsItem *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsItem, tidings_item_free)

typedef struct
{
  TidingsFeedFormat  format;
  char              *title;        /* plain text */
  char              *home_page_url;
  char              *feed_url;
  char              *description;  /* plain text */
  char              *icon;
  char              *favicon;
  char              *language;
  gint64             date_modified;
  guint              ttl_minutes;  /* RSS ttl / sy:updatePeriod, 0 when absent */
  GPtrArray         *authors;      /* TidingsAuthor */
  gboolean           recovered;    /* the input was not well-formed and was read anyway */
  GPtrArray         *warnings;     /* char * */
} TidingsFeed;

TidingsFeed *tidings_feed_new         (void);
void         tidings_feed_free        (TidingsFeed *feed);
/* Vets the feed's own addresses (resolving relative ones against @base) and
 * tidies its text fields, as tidings_item_normalise() does for items. */
void         tidings_feed_normalise   (TidingsFeed *feed,
                                       const char  *base);
void         tidings_feed_add_warning (TidingsFeed *feed,
                                       const char  *format,
                                       ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsFeed, tidings_feed_free)

/* Called for each item as soon as it is complete; the callee takes ownership. */
typedef void (*TidingsItemFunc) (TidingsItem *item,
                                 gpointer     user_data);

G_END_DECLS
