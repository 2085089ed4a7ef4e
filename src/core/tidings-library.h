/* tidings-library.h: the library as the window sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One TidingsLibrary per application. It owns the store's one writer
 * (TidingsStoreWorker), a second connection on a reader thread for the
 * models, the fetcher, the refresh and its scheduler. Every call is
 * asynchronous: the thread that uses it (the UI thread) never waits on SQLite
 * or the network. Whatever changes the library, through this object or a
 * refresh, is announced by the "changed" signal so that models reload.
 */

#pragma once

#include <gio/gio.h>

#include "tidings-discover.h"
#include "tidings-refresh.h"
#include "tidings-store.h"

G_BEGIN_DECLS

typedef enum
{
  TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS = 1 << 0, /* sections or subscriptions: added, removed,
                                                     renamed, moved, or their error or title */
  TIDINGS_LIBRARY_CHANGED_ARTICLES      = 1 << 1, /* articles added, updated or removed */
  TIDINGS_LIBRARY_CHANGED_STATE         = 1 << 2, /* read or starred marks */
  TIDINGS_LIBRARY_CHANGED_ICONS         = 1 << 3, /* (an addition) feed icons, as the refresh
                                                     stores them */
} TidingsLibraryChange;

#define TIDINGS_TYPE_LIBRARY (tidings_library_get_type ())
G_DECLARE_FINAL_TYPE (TidingsLibrary, tidings_library, TIDINGS, LIBRARY, GObject)

/* Signals:
 *   changed (guint changes): a TidingsLibraryChange mask, emitted on the
 *     library's thread after the change is committed.
 *   feed-refreshed (TidingsRefreshOutcome *outcome)
 *   refresh-finished (TidingsRefreshSummary *summary): after a refresh, with
 *     summary->new_articles for notifications.
 * Properties (read-only, notify):
 *   refreshing (gboolean), refresh-done (guint), refresh-total (guint) */

/* Opens the library at @path (NULL: tidings_store_default_path()). */
TidingsLibrary *tidings_library_new             (const char           *path,
                                                 GError              **error);
const char     *tidings_library_get_path        (TidingsLibrary       *self);
TidingsFetcher *tidings_library_get_fetcher     (TidingsLibrary       *self);
gboolean        tidings_library_get_refreshing  (TidingsLibrary       *self);
guint           tidings_library_get_refresh_done  (TidingsLibrary     *self);
guint           tidings_library_get_refresh_total (TidingsLibrary     *self);

/* Runs @func with the reader connection on the reader thread (reads only);
 * the result comes back through _finish in the caller's context. */
void            tidings_library_read_async      (TidingsLibrary       *self,
                                                 TidingsStoreFunc      func,
                                                 gpointer              data,
                                                 GDestroyNotify        data_free,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gpointer        tidings_library_read_finish     (TidingsLibrary       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Runs @func on the writer; on success emits "changed" with @changes before
 * the callback runs. @callback may be NULL (errors are then logged). */
void            tidings_library_write_async     (TidingsLibrary       *self,
                                                 TidingsStoreFunc      func,
                                                 gpointer              data,
                                                 GDestroyNotify        data_free,
                                                 TidingsLibraryChange  changes,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gpointer        tidings_library_write_finish    (TidingsLibrary       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Lets the connections drop the pages they cached and the process give
 * freed memory back to the system; for when the window has gone quiet. */
void            tidings_library_release_memory  (TidingsLibrary       *self);

/* Fire-and-forget changes of state (errors are logged). */
void            tidings_library_set_read        (TidingsLibrary       *self,
                                                 gint64                article_id,
                                                 gboolean              read);
void            tidings_library_set_starred     (TidingsLibrary       *self,
                                                 gint64                article_id,
                                                 gboolean              starred);
/* Marks everything in @query read in one statement. @query is copied. */
void            tidings_library_mark_read_async (TidingsLibrary            *self,
                                                 const TidingsArticleQuery *query,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
gboolean        tidings_library_mark_read_finish (TidingsLibrary      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* The whole article (content included), read on the reader thread. */
void            tidings_library_get_article_async  (TidingsLibrary      *self,
                                                    gint64               article_id,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
TidingsArticle *tidings_library_get_article_finish (TidingsLibrary      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Refreshes @subscription_ids (gint64; NULL or empty for every
 * subscription). A refresh asked for while one runs joins it: the feeds not
 * already in it are fetched after. */
void            tidings_library_refresh_async   (TidingsLibrary       *self,
                                                 GArray               *subscription_ids,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        tidings_library_refresh_finish  (TidingsLibrary       *self,
                                                 GAsyncResult         *result,
                                                 TidingsRefreshSummary *summary,
                                                 GError              **error);
/* Background refresh while the app runs: every minute, the subscriptions
 * whose next poll time has come (the refresh computes it from the interval,
 * ttl and Cache-Control) are refreshed. @interval_minutes is the default
 * interval for subscriptions without their own; 0 turns the scheduler off. */
void            tidings_library_set_auto_refresh (TidingsLibrary      *self,
                                                  guint                interval_minutes);

/* Discovery, then subscribing: see tidings_discover_async(). */
void            tidings_library_discover_async  (TidingsLibrary       *self,
                                                 const char           *url,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray      *tidings_library_discover_finish (TidingsLibrary       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Subscribes to @url in @section_id (0: none) and refreshes it at once;
 * returns the new subscription's id. TIDINGS_STORE_ERROR_EXISTS when already
 * subscribed. */
void            tidings_library_subscribe_async  (TidingsLibrary      *self,
                                                  const char          *url,
                                                  const char          *title,
                                                  gint64               section_id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gint64          tidings_library_subscribe_finish (TidingsLibrary      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* OPML, all-or-nothing; returns the number of feeds added (warnings, one
 * sentence each, in @warnings when not NULL). */
void            tidings_library_import_opml_async  (TidingsLibrary      *self,
                                                    GBytes              *opml,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
guint           tidings_library_import_opml_finish (TidingsLibrary      *self,
                                                    GAsyncResult        *result,
                                                    GPtrArray          **warnings,
                                                    GError             **error);
void            tidings_library_export_opml_async  (TidingsLibrary      *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GBytes         *tidings_library_export_opml_finish (TidingsLibrary      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Additions. */

/* Timing (no API, for the window):
 * - A read sees every write made through this object before it (it waits
 *   for them); "changed" for a write comes before the write's callback.
 * - During a refresh, "changed" comes at most every 500 ms and once at the
 *   end, before "refresh-finished"; "feed-refreshed" comes per feed at once.
 * - "refreshing" turns TRUE in the refresh_async() call itself;
 *   refresh-done/refresh-total start from 0 with each refresh and keep their
 *   last values after it. A refresh asked for while one runs adds its feeds
 *   to refresh-total and completes with the whole refresh.
 * - OPML import does not fetch the new feeds: call refresh_async() (NULL
 *   for all) after it, or leave them to the scheduler (new subscriptions are
 *   due at once).
 */

/* The automatic backup of the subscriptions kept beside the database at
 * @database_path ("subscriptions-backup.opml" in the same folder), rewritten
 * a moment after every change of sections or subscriptions: what to offer
 * for import when the database itself cannot be opened. */
char           *tidings_library_get_backup_path (const char *database_path);

/* Writes that backup now from @store (the command line, which has no
 * TidingsLibrary, after it changed the subscriptions). Like the automatic
 * one, an empty library leaves an existing backup alone. */
gboolean        tidings_library_save_backup     (TidingsStore  *store,
                                                 GError       **error);

/* What tidings_library_recover() did. */
typedef struct
{
  char  *damaged_path;   /* where the damaged file now is */
  char  *backup_path;    /* the backup the subscriptions came from; NULL without one */
  char  *backup_error;   /* why that backup could not be used (the new library is
                            then empty), or NULL */
  guint  n_restored;     /* subscriptions re-imported */
  char  *message;        /* all of the above in a sentence or two, for people */
} TidingsLibraryRecovery;

void            tidings_library_recovery_free   (TidingsLibraryRecovery *recovery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsLibraryRecovery, tidings_library_recovery_free)

/* After opening the database at @database_path failed with @open_error: when
 * that is TIDINGS_STORE_ERROR_CORRUPT, moves the file (with its -wal and
 * -shm) aside to "NAME.damaged-YYYYMMDD-HHMMSS" in the same folder,
 * untouched, creates a new library there and imports the subscriptions from
 * the automatic backup beside it when there is one. Any other error (a
 * library from a newer Tidings above all) leaves every file alone: NULL,
 * with @error a copy of @open_error. NULL with @error also when the damaged
 * file cannot be moved or the new library cannot be made. */
TidingsLibraryRecovery *tidings_library_recover (const char    *database_path,
                                                 const GError  *open_error,
                                                 GError       **error);

/* For tests: the scheduler's check, now rather than at its next minute. */
void            _tidings_library_run_scheduler_now (TidingsLibrary *self);
/* For tests: how long after a change the backup is written (2 s). */
void            _tidings_library_set_backup_delay  (TidingsLibrary *self,
                                                    guint           milliseconds);

/* Whether refreshes look for the feeds' icons (tidings_refresh_set_fetch_icons(),
 * off by default; the application turns it on). New icons come with
 * "changed" TIDINGS_LIBRARY_CHANGED_ICONS. */
void            tidings_library_set_fetch_icons    (TidingsLibrary *self,
                                                    gboolean        fetch_icons);

G_END_DECLS
