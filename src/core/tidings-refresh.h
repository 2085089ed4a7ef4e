/* tidings-refresh.h: fetch, parse and store a set of subscriptions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fetching runs in the caller's main context through TidingsFetcher, parsing
 * on a pool of worker threads, and merging on the store's one writer thread,
 * so nothing here blocks the thread that started it.
 */

#pragma once

#include "tidings-fetcher.h"
#include "tidings-store.h"

G_BEGIN_DECLS

typedef enum
{
  TIDINGS_REFRESH_NEW,        /* new articles arrived */
  TIDINGS_REFRESH_UPDATED,    /* no new articles, but some changed */
  TIDINGS_REFRESH_UNCHANGED,  /* 304, same body, or the same articles */
  TIDINGS_REFRESH_FAILED,     /* error holds the sentence */
} TidingsRefreshStatus;

typedef struct
{
  gint64                subscription_id;
  char                 *url;        /* the address fetched */
  char                 *new_url;    /* set after a permanent redirect */
  char                 *title;
  TidingsRefreshStatus  status;
  TidingsMergeStats     stats;
  char                 *error;
} TidingsRefreshOutcome;

void tidings_refresh_outcome_free (TidingsRefreshOutcome *outcome);

typedef struct
{
  guint feeds;
  guint failed;
  guint new_articles;
  guint updated_articles;
  guint not_modified;      /* feeds answered 304 or with an unchanged body */
} TidingsRefreshSummary;

#define TIDINGS_TYPE_REFRESH (tidings_refresh_get_type ())
G_DECLARE_FINAL_TYPE (TidingsRefresh, tidings_refresh, TIDINGS, REFRESH, GObject)

/* Signals:
 *   feed-done (TidingsRefreshOutcome *outcome): one subscription finished,
 *     its result already in the store.
 *   progress (guint done, guint total)
 *   icons-changed: (an addition) new feed icons are in the store. A run
 *     queues a look for the icon of each feed it stored without error, when
 *     the last look is old enough (tidings-icons.h); the looks go on in the
 *     background, after the run has completed if need be, and an icon that
 *     cannot be had is no error of the feed's. */
TidingsRefresh *tidings_refresh_new        (TidingsStoreWorker     *worker,
                                            TidingsFetcher         *fetcher);

/* Refreshes @subscriptions (TidingsSubscription, e.g. from
 * tidings_store_list_subscriptions(); gone ones are skipped). Completes once
 * every result is in the store and host back-offs are saved, without
 * waiting for the icon looks it queued. */
void            tidings_refresh_run_async  (TidingsRefresh         *self,
                                            GPtrArray              *subscriptions,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
gboolean        tidings_refresh_run_finish (TidingsRefresh         *self,
                                            GAsyncResult           *result,
                                            TidingsRefreshSummary  *summary,
                                            GError                **error);

/* The interval, in minutes, for subscriptions without their own (0: the
 * built-in hour). Runs started afterwards use it to set next poll times. */
void            tidings_refresh_set_default_interval (TidingsRefresh *self,
                                                      guint           minutes);

/* Additions. Whether runs started afterwards look for the feeds' icons
 * (see "icons-changed"); off by default, for a look may reach the feed's
 * web site beside the feed itself. The application and `--refresh` turn it
 * on. */
void            tidings_refresh_set_fetch_icons (TidingsRefresh *self,
                                                 gboolean        fetch_icons);

/* Completes once no icon look is waiting or under way and what the looks
 * found is stored; at once when none is. Looks still going @grace_ms later
 * (G_MAXUINT: no limit) are cancelled then, and are made again by a later
 * run. For a caller about to close the store. */
void            tidings_refresh_settle_icons_async  (TidingsRefresh      *self,
                                                     guint                grace_ms,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean        tidings_refresh_settle_icons_finish (TidingsRefresh      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* Drops the icon looks waiting and cancels those under way. A run that is
 * cancelled does this too. */
void            tidings_refresh_cancel_icons        (TidingsRefresh      *self);

/* The sentence for a body that did not parse: "Not a feed: the address
 * returns an HTML page", "Not a feed: the document is not well-formed XML
 * (line 3, column 7)", ... */
char           *tidings_refresh_describe_parse_error (const GError *error,
                                                      const char   *content_type,
                                                      GBytes       *body);

G_END_DECLS
