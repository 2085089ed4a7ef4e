/* tidings-store.h: the library of sections, subscriptions and articles (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One TidingsStore is one SQLite connection. A connection is used by one
 * thread at a time; the application keeps exactly one connection that writes,
 * on its own thread (TidingsStoreWorker), and may open others to read (WAL
 * lets readers run beside the writer).
 *
 * Times are microseconds since the Unix epoch, UTC (as GLib's
 * g_get_real_time()); 0 means "never" or "unknown".
 */

#pragma once

#include <gio/gio.h>

#include "tidings-feed.h"

G_BEGIN_DECLS

#define TIDINGS_STORE_ERROR (tidings_store_error_quark ())

typedef enum
{
  TIDINGS_STORE_ERROR_FAILED,     /* SQLite refused; the message says why */
  TIDINGS_STORE_ERROR_CORRUPT,    /* the file is not a usable Tidings database */
  TIDINGS_STORE_ERROR_TOO_NEW,    /* written by a newer Tidings: never downgraded */
  TIDINGS_STORE_ERROR_NOT_FOUND,
  TIDINGS_STORE_ERROR_EXISTS,     /* e.g. a subscription to that address already exists */
  TIDINGS_STORE_ERROR_BUSY,       /* another process held the write lock past the busy timeout */
  TIDINGS_STORE_ERROR_FULL,       /* the disk is full */
  TIDINGS_STORE_ERROR_INVALID,    /* a caller's argument does not make sense */
} TidingsStoreError;

GQuark tidings_store_error_quark (void);

/* The schema version this build writes (PRAGMA user_version). */
#define TIDINGS_STORE_SCHEMA_VERSION 2

/* ---- Rows handed out by the store (plain structs, owned by the caller) ---- */

typedef struct
{
  gint64  id;
  gint64  parent_id;   /* 0 for a top-level section; sections nest one level */
  int     position;    /* order among its siblings */
  char   *title;
  guint   unread_count;
} TidingsSection;

void tidings_section_free (TidingsSection *section);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsSection, tidings_section_free)

/* A subscribed feed: what it is, where it sits and where fetching it stands. */
typedef struct
{
  gint64    id;
  gint64    section_id;          /* 0 when in no section */
  int       position;
  char     *url;                 /* the address fetched */
  char     *title;               /* the user's title if set, else the feed's own */
  char     *site_url;
  char     *icon_url;

  /* Per-feed settings; -1 / 0 mean "use the global setting". */
  int       retention_count;     /* keep at most this many articles, -1 global */
  int       retention_days;      /* keep articles this many days, -1 global */
  int       interval_minutes;    /* refresh interval, 0 global */

  /* Fetch state. */
  char     *etag;
  char     *last_modified;
  char     *content_hash;        /* hash of the last body parsed */
  gint64    last_fetch;          /* last attempt */
  gint64    last_success;
  gint64    last_error_time;
  char     *last_error;          /* a sentence for people, NULL when the last fetch worked */
  gint64    next_poll;           /* not before this time (the app's scheduler honours it) */
  gint64    min_interval;        /* seconds: from ttl, sy:updatePeriod, Cache-Control */
  gboolean  gone;                /* the server said 410 Gone */

  guint     unread_count;
  guint     article_count;
} TidingsSubscription;

void tidings_subscription_free (TidingsSubscription *subscription);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsSubscription, tidings_subscription_free)

/* A light row for article lists: no content. */
typedef struct
{
  gint64    id;
  gint64    subscription_id;
  char     *guid;            /* the item's id in its feed */
  char     *url;
  char     *title;
  char     *author;          /* the authors' names, joined with ", " */
  char     *excerpt;         /* one line of plain text, at most about 200 characters */
  gint64    date;            /* published, else modified, else first seen */
  gboolean  read;
  gboolean  starred;
} TidingsArticleRow;

void tidings_article_row_free (TidingsArticleRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsArticleRow, tidings_article_row_free)

/* A whole article: its state plus the item as the feed gave it. */
typedef struct
{
  gint64        id;
  gint64        subscription_id;
  TidingsItem  *item;        /* item->id is the guid */
  gint64        date;        /* as in TidingsArticleRow */
  gint64        first_seen;
  gboolean      read;
  gboolean      starred;
  gint64        read_at;     /* 0 when unread */
} TidingsArticle;

void tidings_article_free (TidingsArticle *article);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsArticle, tidings_article_free)

/* Which articles a list, a count or a bulk change is about. */
typedef enum
{
  TIDINGS_SCOPE_ALL,
  TIDINGS_SCOPE_UNREAD,
  TIDINGS_SCOPE_STARRED,
  TIDINGS_SCOPE_TODAY,          /* date or first seen since local midnight */
  TIDINGS_SCOPE_SECTION,        /* a section and its child sections; id = section id */
  TIDINGS_SCOPE_SUBSCRIPTION,   /* id = subscription id */
} TidingsScopeKind;

typedef struct
{
  TidingsScopeKind  kind;
  gint64            id;
  gboolean          unread_only;
  gboolean          oldest_first;
  const char       *search;     /* words the user typed (not FTS syntax), NULL for none */
} TidingsArticleQuery;

/* A copy of @query that owns its search string, for handing a query to
 * another thread; free it with tidings_article_query_free(). */
TidingsArticleQuery *tidings_article_query_copy (const TidingsArticleQuery *query);
void                 tidings_article_query_free (TidingsArticleQuery       *query);

/* ---- What a refresh brings to the store ---- */

/* Everything one fetch of one feed learned, applied in one transaction by
 * tidings_store_apply_update(). Owned by whoever built it. */
typedef struct
{
  gint64        subscription_id;
  gint64        fetched_at;

  /* Set when a new body was parsed; NULL when it was not modified or failed. */
  TidingsFeed  *feed;
  GPtrArray    *items;          /* TidingsItem, normalised */

  /* Fetch state to record; NULL strings leave the stored value as it is,
   * except error, which NULL clears (the fetch worked). */
  char         *etag;
  char         *last_modified;
  char         *content_hash;
  char         *new_url;        /* a permanent redirect: the subscription's new address */
  char         *error;          /* a sentence for people */
  gboolean      gone;           /* 410: stop fetching */
  gint64        next_poll;
  gint64        min_interval;   /* seconds, 0 for none */

  /* Filled by tidings_feed_update_prepare(): per-item content hash and the
   * plain text indexed for search. Private to the store. */
  GPtrArray    *prepared;
} TidingsFeedUpdate;

TidingsFeedUpdate *tidings_feed_update_new     (gint64             subscription_id);
void               tidings_feed_update_free    (TidingsFeedUpdate *update);
/* The expensive part of a merge that needs no database (hashing each item,
 * turning its HTML into indexable text). Thread-safe on distinct updates, so
 * refresh workers call it and the single writer does not have to. */
void               tidings_feed_update_prepare (TidingsFeedUpdate *update);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsFeedUpdate, tidings_feed_update_free)

typedef struct
{
  guint added;
  guint updated;     /* content changed (hash differs) */
  guint unchanged;
} TidingsMergeStats;

/* ---- The store ---- */

#define TIDINGS_TYPE_STORE (tidings_store_get_type ())
G_DECLARE_FINAL_TYPE (TidingsStore, tidings_store, TIDINGS, STORE, GObject)

/* $XDG_DATA_HOME/tidings/tidings.db (g_get_user_data_dir()); tidings-devel/ in a .Devel build. */
char         *tidings_store_default_path   (void);

/* Opens (creating the file and its folder when missing) and migrates the
 * schema forward. A file that is not a database, or whose schema cannot be
 * read, gives TIDINGS_STORE_ERROR_CORRUPT and is left untouched. The full
 * integrity check (hundreds of milliseconds on a large library) runs only
 * before a migration; damage deeper in the file shows as CORRUPT from the
 * call that meets it. */
TidingsStore *tidings_store_open           (const char     *path,
                                            GError        **error);
const char   *tidings_store_get_path       (TidingsStore   *self);

/* Explicit transactions for callers that group several changes (an OPML
 * import is all-or-nothing). Every other call below is atomic on its own. */
gboolean      tidings_store_begin          (TidingsStore   *self,
                                            GError        **error);
gboolean      tidings_store_commit         (TidingsStore   *self,
                                            GError        **error);
void          tidings_store_rollback       (TidingsStore   *self);

/* Settings shared by the app and the command line (global retention and
 * the like); NULL when unset. */
char         *tidings_store_get_setting    (TidingsStore   *self,
                                            const char     *key);
gboolean      tidings_store_set_setting    (TidingsStore   *self,
                                            const char     *key,
                                            const char     *value,
                                            GError        **error);

/* Sections. */
gint64        tidings_store_add_section    (TidingsStore   *self,
                                            const char     *title,
                                            gint64          parent_id,
                                            GError        **error);
/* 0 when there is none with that title under @parent_id. */
gint64        tidings_store_find_section   (TidingsStore   *self,
                                            const char     *title,
                                            gint64          parent_id);
gboolean      tidings_store_rename_section (TidingsStore   *self,
                                            gint64          id,
                                            const char     *title,
                                            GError        **error);
/* Moves @id under @parent_id (0: top level) at @position (-1: last). */
gboolean      tidings_store_move_section   (TidingsStore   *self,
                                            gint64          id,
                                            gint64          parent_id,
                                            int             position,
                                            GError        **error);
/* Removes the section, its child sections and their subscriptions. */
gboolean      tidings_store_remove_section (TidingsStore   *self,
                                            gint64          id,
                                            GError        **error);
/* TidingsSection, parents each followed by their children, in order, with
 * unread counts. */
GPtrArray    *tidings_store_list_sections  (TidingsStore   *self,
                                            GError        **error);

/* Subscriptions. */
gint64        tidings_store_add_subscription    (TidingsStore   *self,
                                                 const char     *url,
                                                 const char     *title,
                                                 gint64          section_id,
                                                 GError        **error);
TidingsSubscription *tidings_store_get_subscription  (TidingsStore *self,
                                                      gint64        id,
                                                      GError      **error);
/* NULL (and no error) when nothing is subscribed at @url. */
TidingsSubscription *tidings_store_find_subscription (TidingsStore *self,
                                                      const char   *url);
/* TidingsSubscription, by section order then position. */
GPtrArray    *tidings_store_list_subscriptions  (TidingsStore   *self,
                                                 GError        **error);
gboolean      tidings_store_rename_subscription (TidingsStore   *self,
                                                 gint64          id,
                                                 const char     *title,
                                                 GError        **error);
gboolean      tidings_store_move_subscription   (TidingsStore   *self,
                                                 gint64          id,
                                                 gint64          section_id,
                                                 int             position,
                                                 GError        **error);
gboolean      tidings_store_set_subscription_settings (TidingsStore *self,
                                                       gint64        id,
                                                       int           retention_count,
                                                       int           retention_days,
                                                       int           interval_minutes,
                                                       GError      **error);
gboolean      tidings_store_remove_subscription (TidingsStore   *self,
                                                 gint64          id,
                                                 GError        **error);

/* Merges one fetch into the store in one transaction: new items inserted,
 * changed ones updated (by guid; change seen by content hash), read and
 * starred state kept, items the publisher dropped kept, deleted ones never
 * brought back; then the fetch state. @stats may be NULL. */
gboolean      tidings_store_apply_update   (TidingsStore            *self,
                                            const TidingsFeedUpdate *update,
                                            TidingsMergeStats       *stats,
                                            GError                 **error);

/* Merges leave the search index to be updated in batches (of a few
 * thousand articles); searching, closing the store and this call bring it
 * up to date. A refresh calls it when it is done. */
gboolean      tidings_store_update_search_index (TidingsStore  *self,
                                                 GError       **error);

/* Removes articles beyond each feed's count and age limits (its own, else
 * the global "retention-count"/"retention-days" settings); starred articles
 * stay. Returns how many went in @removed (may be NULL). */
gboolean      tidings_store_apply_retention (TidingsStore  *self,
                                             gint64         now,
                                             guint         *removed,
                                             GError       **error);

/* Hosts that asked us to wait (429/503 with Retry-After). */
gboolean      tidings_store_set_host_backoff  (TidingsStore *self,
                                               const char   *host,
                                               gint64        until,
                                               GError      **error);
/* host (char *) -> until (gint64 *), only for times after @now. */
GHashTable   *tidings_store_get_host_backoffs (TidingsStore *self,
                                               gint64        now,
                                               GError      **error);

/* Articles. */
GPtrArray    *tidings_store_query_articles (TidingsStore              *self,
                                            const TidingsArticleQuery *query,
                                            guint                      offset,
                                            guint                      limit,
                                            GError                   **error);
gboolean      tidings_store_count_articles (TidingsStore              *self,
                                            const TidingsArticleQuery *query,
                                            guint                     *count,
                                            GError                   **error);
/* Where article @article_id stands in the list of @query: how many of
 * its articles come before it in the query's order. Sets @found FALSE
 * (and returns TRUE) when the article is gone. It does not check that the
 * article itself matches @query: callers ask about one they listed. */
gboolean      tidings_store_find_article_position (TidingsStore              *self,
                                                   const TidingsArticleQuery *query,
                                                   gint64                     article_id,
                                                   gboolean                  *found,
                                                   guint                     *position,
                                                   GError                   **error);
TidingsArticle *tidings_store_get_article  (TidingsStore   *self,
                                            gint64          id,
                                            GError        **error);
gboolean      tidings_store_set_read       (TidingsStore   *self,
                                            gint64          article_id,
                                            gboolean        read,
                                            GError        **error);
gboolean      tidings_store_set_starred    (TidingsStore   *self,
                                            gint64          article_id,
                                            gboolean        starred,
                                            GError        **error);
/* Marks every article in @query read, in one statement. */
gboolean      tidings_store_mark_read      (TidingsStore              *self,
                                            const TidingsArticleQuery *query,
                                            GError                   **error);
/* Deletes an article for good: the next refresh does not bring it back. */
gboolean      tidings_store_delete_article (TidingsStore   *self,
                                            gint64          article_id,
                                            GError        **error);

/* Unread counts without scanning articles. Each array is of
 * TidingsUnreadCount; any out-argument may be NULL. */
typedef struct
{
  gint64 id;
  guint  unread;
} TidingsUnreadCount;

gboolean      tidings_store_unread_counts  (TidingsStore   *self,
                                            GArray        **subscriptions,
                                            GArray        **sections,
                                            guint          *all_unread,
                                            GError        **error);

/* ---- The one writer ---- */

/* Runs on the worker's thread with its connection; returns a result for
 * the _finish call (or NULL with @error). */
typedef gpointer (*TidingsStoreFunc) (TidingsStore  *store,
                                      gpointer       data,
                                      GError       **error);

#define TIDINGS_TYPE_STORE_WORKER (tidings_store_worker_get_type ())
G_DECLARE_FINAL_TYPE (TidingsStoreWorker, tidings_store_worker, TIDINGS, STORE_WORKER, GObject)

/* Opens the store at @path on a thread of its own. Calls run one at a time,
 * in the order they were made; the callback runs in the thread-default main
 * context of the caller. Dropping the last reference waits for the calls
 * already made, then closes the connection. */
TidingsStoreWorker *tidings_store_worker_new          (const char          *path,
                                                       GError             **error);
void                tidings_store_worker_call_async   (TidingsStoreWorker  *self,
                                                       TidingsStoreFunc     func,
                                                       gpointer             data,
                                                       GDestroyNotify       data_free,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gpointer            tidings_store_worker_call_finish  (TidingsStoreWorker  *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* ---- Feed icons (additions) ---- */

/* A feed's icon as the refresh found it. */
typedef struct
{
  gint64   subscription_id;
  char    *url;            /* where the image came from; NULL while none was found */
  GBytes  *data;           /* the file as served (PNG, ICO, GIF, JPEG or WebP); NULL when
                              none was found, or not asked for */
  char    *content_type;   /* image/png, ... as sniffed from the bytes */
  char    *etag;           /* validators for the next conditional request */
  char    *last_modified;
  gint64   fetched_at;     /* when it was last looked for */
  gint64   changed_at;     /* when the bytes last changed (0: never had any) */
} TidingsIcon;

void tidings_icon_free (TidingsIcon *icon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsIcon, tidings_icon_free)

/* Records a look for @icon->subscription_id's icon at @icon->fetched_at.
 * With data, the image (with its url, type and validators) replaces the one
 * stored, changed_at moving only when the bytes differ. Without data, the
 * stored image stays: @icon->etag and @icon->last_modified, when set,
 * replace the validators (a 304), and only the time of the look is kept
 * otherwise (nothing found). */
gboolean      tidings_store_set_icon        (TidingsStore       *self,
                                             const TidingsIcon  *icon,
                                             GError            **error);
/* The stored icon with its data, or NULL (and no error) when there is no
 * image for @subscription_id. */
TidingsIcon  *tidings_store_get_icon        (TidingsStore       *self,
                                             gint64              subscription_id,
                                             GError            **error);
/* Every icon row without the data: subscription id (gint64 *) ->
 * TidingsIcon. What the refresh needs to decide whether to look again, and
 * what the window compares changed_at with. */
GHashTable   *tidings_store_list_icons      (TidingsStore       *self,
                                             GError            **error);

G_END_DECLS
