/* tidings-library.c: the library as the window sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two connections to one database file, each on a thread of its own: the
 * writer (the one TidingsStoreWorker that writes, which the refresh shares)
 * and a reader for the models. WAL lets the reader run beside the writer, so
 * a long refresh never delays a page of the article list.
 *
 * Reads see every write made through this object before them: a read asked
 * for while such writes are still queued waits for them (the two threads
 * would otherwise race). Writes made by a refresh are announced by "changed"
 * instead, in batches, so that models reload a few times a second at most.
 *
 * A refresh is a session that may span several runs of TidingsRefresh: a
 * request made while one runs adds the feeds it does not already hold, which
 * are fetched in a run after the current one, and every request completes
 * when the session ends.
 */

#define G_LOG_DOMAIN "tidings-library"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <glib/gstdio.h>
#include <string.h>

#include "tidings-library.h"
#include "tidings-opml-store.h"
#include "tidings-store-private.h"

/* "changed" during a refresh: at most this often, and once at the end. */
#define CHANGED_BATCH_MS 500
/* How often the scheduler looks for subscriptions due a refresh. */
#define SCHEDULER_PERIOD_S 60
/* Subscription changes come in bursts (an import, a drag); one backup after
 * the burst is enough. */
#define BACKUP_DELAY_MS 2000
#define BACKUP_NAME "subscriptions-backup.opml"
#define INTERVAL_SETTING "refresh-interval-minutes"
/* How often to look for changes another program (a `tidings --refresh`
 * beside the window) committed to the file. */
#define WATCH_PERIOD_MS 2000

typedef struct _Session Session;

struct _TidingsLibrary
{
  GObject             parent_instance;

  char               *path;
  GMainContext       *context;
  TidingsStoreWorker *writer;
  TidingsStoreWorker *reader;
  TidingsFetcher     *fetcher;
  TidingsRefresh     *refresh;

  /* Reads wait for the writes made before them. */
  guint64             writes_issued;
  guint64             writes_done;
  GQueue              deferred_reads;   /* Read */

  /* Changes not yet announced, and the timer that will announce them. */
  guint               batched_changes;
  GSource            *batch_source;

  Session            *session;
  guint64             request_serial;
  gboolean            refreshing;
  guint               refresh_done;
  guint               refresh_total;

  guint               auto_interval;
  gboolean            interval_chosen;  /* set_auto_refresh() was called */
  GSource            *scheduler_source;
  gboolean            scheduler_busy;

  guint               backup_delay;
  GSource            *backup_source;
  gboolean            backup_writing;
  gboolean            backup_again;

  /* Changes committed by other programs, seen by the writer's connection. */
  GSource            *watch_source;
  gboolean            watch_busy;
  gboolean            have_data_version;
  gint64              data_version;
  gint                reader_commits;   /* atomic: the reader's own (search index) */
  gint                watched_commits;
};

G_DEFINE_FINAL_TYPE (TidingsLibrary, tidings_library, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_REFRESHING,
  PROP_REFRESH_DONE,
  PROP_REFRESH_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CHANGED,
  SIGNAL_FEED_REFRESHED,
  SIGNAL_REFRESH_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One refresh_async() call waiting for the session's end. */
typedef struct
{
  TidingsLibrary *self;        /* not a reference: the task holds one */
  GTask          *task;
  guint64         serial;
  GCancellable   *cancellable;
  gulong          cancelled_id;
  gboolean        cancelled;
} Request;

struct _Session
{
  GHashTable            *subscriptions;  /* id -> TidingsSubscription, every feed in the session */
  GPtrArray             *pending;        /* TidingsSubscription (borrowed), for the next run */
  GPtrArray             *running;        /* TidingsSubscription (borrowed), the current run */
  GPtrArray             *requests;       /* Request */
  GCancellable          *cancellable;
  guint                  lookups;        /* requests whose subscriptions are being read */
  guint                  done_before;    /* feeds finished in the session's earlier runs */
  guint                  run_total;
  gboolean               ran;
  gboolean               tidying;
  GError                *error;
  TidingsRefreshSummary  summary;
};

static void emit_changed     (TidingsLibrary *self,
                              guint           changes);
static void session_advance  (TidingsLibrary *self);
static void request_refresh  (TidingsLibrary *self,
                              GArray         *ids,
                              GTask          *task,
                              GCancellable   *cancellable);

/* ---- Helpers ---- */

static GSource *
attach_timeout (TidingsLibrary *self,
                guint           milliseconds,
                GSourceFunc     func,
                const char     *name)
{
  GSource *source = g_timeout_source_new (milliseconds);

  g_source_set_callback (source, func, self, NULL);
  g_source_set_static_name (source, name);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* A store function that returned NULL without saying why: a bug, but the
 * caller still deserves an answer. */
static GError *
no_result_error (void)
{
  return g_error_new_literal (TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                              _("The library gave no answer"));
}

static gint64 *
boxed_id (gint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

/* ---- Writes and reads ---- */

typedef struct
{
  TidingsLibrary      *self;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} WriteCall;

static void dispatch_deferred_reads (TidingsLibrary *self);

static void
writer_call_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WriteCall *call = user_data;
  g_autoptr(TidingsLibrary) self = call->self;

  self->writes_done++;
  dispatch_deferred_reads (self);
  if (call->callback != NULL)
    call->callback (source, result, call->user_data);
  g_free (call);
}

/* Every write of the library goes through here, so that reads can wait for
 * the writes made before them. */
static void
writer_call (TidingsLibrary      *self,
             TidingsStoreFunc     func,
             gpointer             data,
             GDestroyNotify       data_free,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  WriteCall *call = g_new0 (WriteCall, 1);

  call->self = g_object_ref (self);
  call->callback = callback;
  call->user_data = user_data;
  self->writes_issued++;
  tidings_store_worker_call_async (self->writer, func, data, data_free, cancellable,
                                   writer_call_done, call);
}

typedef struct
{
  TidingsStoreFunc  func;
  gpointer          data;
  GDestroyNotify    data_free;
  GTask            *task;
  guint64           barrier;   /* writes_done needed first */
} Read;

static void
reader_call_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gpointer value;

  value = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), result, &error);
  if (value == NULL && error == NULL)
    error = no_result_error ();
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, NULL);
}

static void
read_dispatch (TidingsLibrary *self,
               Read           *read)
{
  tidings_store_worker_call_async (self->reader, read->func, read->data, read->data_free,
                                   g_task_get_cancellable (read->task), reader_call_done,
                                   read->task);
  g_free (read);
}

static void
dispatch_deferred_reads (TidingsLibrary *self)
{
  while (!g_queue_is_empty (&self->deferred_reads))
    {
      Read *read = g_queue_peek_head (&self->deferred_reads);

      if (read->barrier > self->writes_done)
        break;
      g_queue_pop_head (&self->deferred_reads);
      read_dispatch (self, read);
    }
}

/* A read on the reader thread whose result comes back through @task, after
 * every write made so far through this object. */
static void
reader_call (TidingsLibrary   *self,
             TidingsStoreFunc  func,
             gpointer          data,
             GDestroyNotify    data_free,
             GTask            *task)
{
  Read *read = g_new0 (Read, 1);

  read->func = func;
  read->data = data;
  read->data_free = data_free;
  read->task = task;
  read->barrier = self->writes_issued;
  if (read->barrier <= self->writes_done)
    read_dispatch (self, read);
  else
    g_queue_push_tail (&self->deferred_reads, read);
}

void
tidings_library_read_async (TidingsLibrary      *self,
                            TidingsStoreFunc     func,
                            gpointer             data,
                            GDestroyNotify       data_free,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_read_async);
  g_task_set_name (task, "tidings-library-read");
  reader_call (self, func, data, data_free, task);
}

gpointer
tidings_library_read_finish (TidingsLibrary  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  TidingsLibraryChange changes;
  gboolean             log_errors;   /* nobody will call _finish */
} WriteData;

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TidingsLibrary *self = g_task_get_source_object (task);
  WriteData *write = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer value;

  value = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), result, &error);
  if (value == NULL && error == NULL)
    error = no_result_error ();
  if (error != NULL)
    {
      if (write->log_errors)
        {
          g_warning ("Could not change the library: %s", error->message);
          g_error_free (error);
          g_task_return_pointer (task, NULL, NULL);
        }
      else
        g_task_return_error (task, error);
      return;
    }

  /* Announced before the caller hears of it, so that what the caller does
   * next already sees models on their way to the new state. */
  emit_changed (self, write->changes);
  g_task_return_pointer (task, value, NULL);
}

void
tidings_library_write_async (TidingsLibrary       *self,
                             TidingsStoreFunc      func,
                             gpointer              data,
                             GDestroyNotify        data_free,
                             TidingsLibraryChange  changes,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  GTask *task;
  WriteData *write;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  write = g_new0 (WriteData, 1);
  write->changes = changes;
  write->log_errors = callback == NULL;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_write_async);
  g_task_set_name (task, "tidings-library-write");
  g_task_set_task_data (task, write, g_free);
  writer_call (self, func, data, data_free, cancellable, write_done, task);
}

gpointer
tidings_library_write_finish (TidingsLibrary  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- giving memory back ---- */

/* SQLite keeps the pages a query read in its page cache until the cache is
 * full, and malloc keeps what was freed for the next allocation: after a
 * burst of work (the first list, a big section, a refresh) the window would
 * go on holding megabytes it no longer uses. */
static gpointer
release_memory_func (TidingsStore  *store,
                     gpointer       data,
                     GError       **error)
{
  (void) data;
  (void) error;
  sqlite3_db_release_memory (_tidings_store_get_db (store));
  return GINT_TO_POINTER (TRUE);
}

static void
writer_released (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  (void) user_data;
  if (tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error) == NULL)
    g_debug ("The writer kept its page cache: %s", error->message);
#ifdef HAVE_MALLOC_TRIM
  /* Both connections have freed their pages: hand the free memory of every
   * malloc arena back to the system. */
  malloc_trim (0);
#endif
}

static void
reader_released (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TidingsLibrary *self = TIDINGS_LIBRARY (source);
  g_autoptr(GError) error = NULL;

  (void) user_data;
  if (tidings_library_read_finish (self, result, &error) == NULL)
    g_debug ("The reader kept its page cache: %s", error->message);
  tidings_library_write_async (self, release_memory_func, NULL, NULL, 0, NULL,
                               writer_released, NULL);
}

void
tidings_library_release_memory (TidingsLibrary *self)
{
  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  tidings_library_read_async (self, release_memory_func, NULL, NULL, NULL,
                              reader_released, NULL);
}

/* ---- "changed" and the backup it triggers ---- */

static gpointer
write_backup (TidingsStore  *store,
              gpointer       data,
              GError       **error)
{
  const char *backup_path = data;
  g_autoptr(TidingsOpml) opml = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  opml = tidings_store_export_opml (store, error);
  if (opml == NULL)
    return NULL;
  /* An empty library (a new one, say, made after the old file broke) must
   * not overwrite the list that could bring the old one back. */
  if (opml->feeds->len == 0 && opml->sections->len == 0)
    return GINT_TO_POINTER (TRUE);
  text = tidings_opml_write (opml, &len);
  if (!g_file_set_contents (backup_path, text, (gssize) len, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void start_backup (TidingsLibrary *self);

static void
backup_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TidingsLibrary) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_pointer (G_TASK (result), &error) == NULL)
    g_warning ("Could not write the backup of the subscriptions: %s", error->message);
  self->backup_writing = FALSE;
  if (self->backup_again)
    {
      self->backup_again = FALSE;
      start_backup (self);
    }
}

static void
start_backup (TidingsLibrary *self)
{
  GTask *task;

  if (self->backup_writing)
    {
      self->backup_again = TRUE;
      return;
    }
  self->backup_writing = TRUE;
  task = g_task_new (self, NULL, backup_done, g_object_ref (self));
  g_task_set_name (task, "tidings-library-backup");
  reader_call (self, write_backup, tidings_library_get_backup_path (self->path), g_free, task);
}

static gboolean
backup_timeout (gpointer user_data)
{
  TidingsLibrary *self = user_data;

  g_clear_pointer (&self->backup_source, g_source_unref);
  start_backup (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_backup (TidingsLibrary *self)
{
  if (self->backup_source != NULL)
    return;
  self->backup_source = attach_timeout (self, self->backup_delay, backup_timeout,
                                        "[tidings] subscription backup");
}

static void
emit_changed (TidingsLibrary *self,
              guint           changes)
{
  changes |= self->batched_changes;
  self->batched_changes = 0;
  clear_source (&self->batch_source);
  if (changes == 0)
    return;
  if (changes & TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS)
    schedule_backup (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, changes);
}

static gboolean
batch_timeout (gpointer user_data)
{
  TidingsLibrary *self = user_data;

  g_clear_pointer (&self->batch_source, g_source_unref);
  emit_changed (self, 0);
  return G_SOURCE_REMOVE;
}

/* Announces @changes within CHANGED_BATCH_MS, together with any others. */
static void
batch_changes (TidingsLibrary *self,
               guint           changes)
{
  if (changes == 0)
    return;
  self->batched_changes |= changes;
  if (self->batch_source == NULL)
    self->batch_source = attach_timeout (self, CHANGED_BATCH_MS, batch_timeout,
                                         "[tidings] library changes");
}

/* ---- Changes made by other programs ---- */

/* PRAGMA data_version on the writer's connection moves only when another
 * connection commits, so this library's writes never count; but the reader
 * commits too, when a search brings the search index up to date, and those
 * must not count either (a reload of every model for a search would move
 * the lists under the user): the reader counts its commits. */
static int
count_commit (void *data)
{
  g_atomic_int_inc ((gint *) data);
  return 0;   /* the commit goes on */
}

/* On the reader's thread, before any read: count its commits, and give it
 * a smaller page cache than the store's default. The models read a page of
 * rows and the counters at a time; the 16 MiB that helps the writer merge a
 * big refresh would only fill up with pages of earlier lists, in the
 * window's own memory. */
static gpointer
setup_reader (TidingsStore  *store,
              gpointer       data,
              GError       **error)
{
  sqlite3 *db = _tidings_store_get_db (store);

  (void) error;
  sqlite3_commit_hook (db, count_commit, data);
  if (sqlite3_exec (db, "PRAGMA cache_size = -2048", NULL, NULL, NULL) != SQLITE_OK)
    g_debug ("Could not set the reader's page cache: %s", sqlite3_errmsg (db));
  return GINT_TO_POINTER (TRUE);
}

static gpointer
read_data_version (TidingsStore  *store,
                   gpointer       data,
                   GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 version = 0;
  int rc;

  (void) data;
  rc = sqlite3_prepare_v2 (_tidings_store_get_db (store), "PRAGMA data_version", -1, &stmt,
                           NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                   _("Could not look for changes to the library (%s)"), sqlite3_errstr (rc));
      return NULL;
    }
  return g_memdup2 (&version, sizeof version);
}

/* Holds only a weak reference: a library going away does not wait for it. */
static void
data_version_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(TidingsLibrary) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *version = NULL;
  gint commits;

  version = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), result, &error);
  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL)
    return;
  self->watch_busy = FALSE;
  if (version == NULL)
    {
      g_debug ("%s", error->message);
      return;
    }
  /* When the reader committed too, the change may be its own: it is let go
   * rather than reload everything for it. Another program's next commit
   * (a refresh makes many) is seen on a later look. */
  commits = g_atomic_int_get (&self->reader_commits);
  if (self->have_data_version && *version != self->data_version
      && commits == self->watched_commits)
    {
      g_debug ("Another program changed the library");
      batch_changes (self, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS
                           | TIDINGS_LIBRARY_CHANGED_ARTICLES | TIDINGS_LIBRARY_CHANGED_STATE
                           | TIDINGS_LIBRARY_CHANGED_ICONS);
    }
  self->watched_commits = commits;
  self->data_version = *version;
  self->have_data_version = TRUE;
}

static gboolean
watch_tick (gpointer user_data)
{
  TidingsLibrary *self = user_data;
  GWeakRef *weak;

  if (self->watch_busy)
    return G_SOURCE_CONTINUE;
  self->watch_busy = TRUE;
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  tidings_store_worker_call_async (self->writer, read_data_version, NULL, NULL, NULL,
                                   data_version_read, weak);
  return G_SOURCE_CONTINUE;
}

/* ---- Refresh sessions ---- */

static void
set_progress (TidingsLibrary *self,
              gboolean        refreshing,
              guint           done,
              guint           total)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->refreshing != refreshing)
    {
      self->refreshing = refreshing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
    }
  if (self->refresh_done != done)
    {
      self->refresh_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_DONE]);
    }
  if (self->refresh_total != total)
    {
      self->refresh_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_TOTAL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
session_update_progress (TidingsLibrary *self,
                         guint           run_done)
{
  Session *session = self->session;
  guint done = session->done_before + run_done;

  set_progress (self, TRUE, done,
                session->done_before + session->run_total + session->pending->len);
}

static void
request_finish (Request *request,
                Session *session)
{
  if (request->cancelled_id != 0)
    g_cancellable_disconnect (request->cancellable, request->cancelled_id);
  if (request->cancelled)
    g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The refresh was cancelled"));
  else if (session->error != NULL)
    g_task_return_error (request->task, g_error_copy (session->error));
  else
    {
      g_task_set_task_data (request->task, g_memdup2 (&session->summary, sizeof session->summary),
                            g_free);
      g_task_return_boolean (request->task, TRUE);
    }
  g_object_unref (request->task);
  g_clear_object (&request->cancellable);
  g_free (request);
}

static void
session_free (Session *session)
{
  g_assert (session->requests->len == 0);
  g_ptr_array_unref (session->requests);
  g_ptr_array_unref (session->pending);
  g_clear_pointer (&session->running, g_ptr_array_unref);
  g_hash_table_unref (session->subscriptions);
  g_object_unref (session->cancellable);
  g_clear_error (&session->error);
  g_free (session);
}

static Session *
ensure_session (TidingsLibrary *self)
{
  Session *session = self->session;

  if (session != NULL)
    return session;
  session = g_new0 (Session, 1);
  session->subscriptions = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                  (GDestroyNotify) tidings_subscription_free);
  session->pending = g_ptr_array_new ();
  session->requests = g_ptr_array_new ();
  session->cancellable = g_cancellable_new ();
  self->session = session;
  set_progress (self, TRUE, 0, 0);
  return session;
}

static void
session_finish (TidingsLibrary *self)
{
  Session *session = g_steal_pointer (&self->session);
  g_autoptr(GPtrArray) requests = g_steal_pointer (&session->requests);

  session->requests = g_ptr_array_new ();
  emit_changed (self, 0);
  set_progress (self, FALSE, self->refresh_done, self->refresh_total);
  g_signal_emit (self, signals[SIGNAL_REFRESH_FINISHED], 0, &session->summary);
  for (guint i = 0; i < requests->len; i++)
    request_finish (g_ptr_array_index (requests, i), session);
  session_free (session);
}

/* After a refresh: old articles out, and the search index brought up to
 * date so that what arrived can be found. */
static gpointer
tidy_up (TidingsStore  *store,
         gpointer       data,
         GError       **error)
{
  guint removed = 0;

  (void) data;
  if (!tidings_store_apply_retention (store, g_get_real_time (), &removed, error)
      || !tidings_store_update_search_index (store, error))
    return NULL;
  return GUINT_TO_POINTER (removed + 1);
}

static void
tidied (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(TidingsLibrary) self = user_data;
  g_autoptr(GError) error = NULL;
  gpointer value;

  value = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), result, &error);
  if (value == NULL)
    g_warning ("Could not tidy up the library after the refresh: %s", error->message);
  else if (GPOINTER_TO_UINT (value) > 1)
    batch_changes (self, TIDINGS_LIBRARY_CHANGED_ARTICLES);
  self->session->tidying = FALSE;
  self->session->ran = FALSE;
  session_advance (self);
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TidingsLibrary) self = user_data;
  Session *session = self->session;
  TidingsRefreshSummary summary = { 0 };
  GError *error = NULL;

  if (tidings_refresh_run_finish (TIDINGS_REFRESH (source), result, &summary, &error))
    {
      session->summary.feeds += summary.feeds;
      session->summary.failed += summary.failed;
      session->summary.new_articles += summary.new_articles;
      session->summary.updated_articles += summary.updated_articles;
      session->summary.not_modified += summary.not_modified;
    }
  else
    {
      /* Cancelled: the feeds still waiting are dropped with it. */
      g_clear_error (&session->error);
      session->error = error;
      g_ptr_array_set_size (session->pending, 0);
    }
  g_clear_pointer (&session->running, g_ptr_array_unref);
  session->done_before = self->refresh_done;
  session->run_total = 0;
  session_update_progress (self, 0);
  session_advance (self);
}

static void
session_advance (TidingsLibrary *self)
{
  Session *session = self->session;

  if (session->running != NULL || session->tidying)
    return;

  /* Everyone who asked gave up: what has not started does not start. */
  if (g_cancellable_is_cancelled (session->cancellable))
    g_ptr_array_set_size (session->pending, 0);
  if (session->pending->len > 0 && session->error == NULL)
    {
      session->running = g_steal_pointer (&session->pending);
      session->pending = g_ptr_array_new ();
      session->run_total = session->running->len;
      session->ran = TRUE;
      session_update_progress (self, 0);
      tidings_refresh_run_async (self->refresh, session->running, session->cancellable,
                                 run_done, g_object_ref (self));
      return;
    }
  if (session->lookups > 0)
    return;
  if (session->ran && session->error == NULL)
    {
      session->tidying = TRUE;
      writer_call (self, tidy_up, NULL, NULL, NULL, tidied, g_object_ref (self));
      return;
    }
  session_finish (self);
}

static void
on_feed_done (TidingsRefresh        *refresh,
              TidingsRefreshOutcome *outcome,
              gpointer               user_data)
{
  TidingsLibrary *self = user_data;
  guint changes = 0;

  (void) refresh;

  if (outcome->status == TIDINGS_REFRESH_NEW || outcome->status == TIDINGS_REFRESH_UPDATED)
    changes |= TIDINGS_LIBRARY_CHANGED_ARTICLES;
  if (self->session != NULL)
    {
      TidingsSubscription *before = g_hash_table_lookup (self->session->subscriptions,
                                                         &outcome->subscription_id);

      /* The sidebar shows the title and the error: say so when they moved. */
      if (before == NULL || outcome->new_url != NULL
          || g_strcmp0 (before->last_error, outcome->error) != 0
          || (outcome->status != TIDINGS_REFRESH_FAILED
              && g_strcmp0 (before->title, outcome->title) != 0))
        changes |= TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS;
    }
  batch_changes (self, changes);
  g_signal_emit (self, signals[SIGNAL_FEED_REFRESHED], 0, outcome);
}

static void
on_icons_changed (TidingsRefresh *refresh,
                  gpointer        user_data)
{
  (void) refresh;
  batch_changes (user_data, TIDINGS_LIBRARY_CHANGED_ICONS);
}

static void
on_progress (TidingsRefresh *refresh,
             guint           done,
             guint           total,
             gpointer        user_data)
{
  TidingsLibrary *self = user_data;

  (void) refresh;
  if (self->session == NULL || self->session->running == NULL)
    return;
  self->session->run_total = total;
  session_update_progress (self, done);
}

/* The subscriptions (not gone) among @data's ids, or all of them. */
static gpointer
list_for_refresh (TidingsStore  *store,
                  gpointer       data,
                  GError       **error)
{
  GArray *ids = data;
  g_autoptr(GPtrArray) all = tidings_store_list_subscriptions (store, error);
  GPtrArray *wanted;

  if (all == NULL)
    return NULL;
  wanted = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_subscription_free);
  for (guint i = 0; i < all->len; i++)
    {
      TidingsSubscription *subscription = all->pdata[i];
      gboolean keep = ids == NULL || ids->len == 0;

      for (guint j = 0; !keep && j < ids->len; j++)
        keep = g_array_index (ids, gint64, j) == subscription->id;
      if (keep && !subscription->gone)
        g_ptr_array_add (wanted, g_steal_pointer (&all->pdata[i]));
    }
  return wanted;
}

static void
looked_up (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  TidingsLibrary *self = TIDINGS_LIBRARY (source);
  Session *session = self->session;
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GError) error = NULL;

  (void) user_data;
  g_assert (session != NULL);
  session->lookups--;
  subscriptions = g_task_propagate_pointer (G_TASK (result), &error);
  if (subscriptions == NULL)
    g_warning ("Could not read the subscriptions to refresh: %s", error->message);
  else if (session->error == NULL)
    {
      for (guint i = 0; i < subscriptions->len; i++)
        {
          TidingsSubscription *subscription = subscriptions->pdata[i];

          if (g_hash_table_contains (session->subscriptions, &subscription->id))
            continue;
          subscriptions->pdata[i] = NULL;
          g_hash_table_insert (session->subscriptions, &subscription->id, subscription);
          g_ptr_array_add (session->pending, subscription);
        }
      session_update_progress (self, self->refresh_done - session->done_before);
    }
  session_advance (self);
}

typedef struct
{
  TidingsLibrary *self;
  guint64         serial;
} Cancelled;

static void
cancelled_free (Cancelled *cancelled)
{
  g_object_unref (cancelled->self);
  g_free (cancelled);
}

static gboolean
request_cancelled_idle (gpointer user_data)
{
  Cancelled *cancelled = user_data;
  Session *session = cancelled->self->session;
  Request *request = NULL;
  gboolean anyone_left = FALSE;

  /* Still waiting? (The session may have ended meanwhile.) */
  for (guint i = 0; session != NULL && i < session->requests->len; i++)
    {
      Request *candidate = g_ptr_array_index (session->requests, i);

      if (candidate->serial == cancelled->serial)
        request = candidate;
    }
  if (request == NULL)
    return G_SOURCE_REMOVE;
  request->cancelled = TRUE;
  g_ptr_array_remove (session->requests, request);
  request_finish (request, session);

  /* The refresh goes on for whoever else asked; when nobody is left, it
   * stops. */
  for (guint i = 0; i < session->requests->len; i++)
    {
      Request *other = g_ptr_array_index (session->requests, i);

      if (other->cancellable == NULL || !g_cancellable_is_cancelled (other->cancellable))
        anyone_left = TRUE;
    }
  if (!anyone_left)
    g_cancellable_cancel (session->cancellable);
  return G_SOURCE_REMOVE;
}

/* May run on any thread, and must not disconnect itself (that would
 * deadlock): the work is done in an idle of the library's context. */
static void
request_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  Request *request = user_data;
  Cancelled *cancelled = g_new (Cancelled, 1);
  GSource *source = g_idle_source_new ();

  (void) cancellable;
  cancelled->self = g_object_ref (request->self);
  cancelled->serial = request->serial;
  g_source_set_callback (source, request_cancelled_idle, cancelled,
                         (GDestroyNotify) cancelled_free);
  g_source_set_static_name (source, "[tidings] refresh cancelled");
  g_source_attach (source, request->self->context);
  g_source_unref (source);
}

static void
request_refresh (TidingsLibrary *self,
                 GArray         *ids,
                 GTask          *task,
                 GCancellable   *cancellable)
{
  Session *session = ensure_session (self);
  Request *request = g_new0 (Request, 1);
  GTask *lookup;

  request->self = self;
  request->task = task;
  request->serial = ++self->request_serial;
  g_ptr_array_add (session->requests, request);
  if (cancellable != NULL)
    {
      request->cancellable = g_object_ref (cancellable);
      request->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (request_cancelled),
                                                     request, NULL);
    }

  session->lookups++;
  lookup = g_task_new (self, NULL, looked_up, NULL);
  g_task_set_name (lookup, "tidings-library-refresh-lookup");
  if (ids != NULL && ids->len > 0)
    reader_call (self, list_for_refresh, g_array_copy (ids), (GDestroyNotify) g_array_unref,
                 lookup);
  else
    reader_call (self, list_for_refresh, NULL, NULL, lookup);
}

void
tidings_library_refresh_async (TidingsLibrary      *self,
                               GArray              *subscription_ids,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_refresh_async);
  g_task_set_name (task, "tidings-library-refresh");
  /* Cancelling is handled here: a request that was cancelled returns at
   * once, whether or not the refresh goes on. */
  g_task_set_check_cancellable (task, FALSE);
  request_refresh (self, subscription_ids, task, cancellable);
}

gboolean
tidings_library_refresh_finish (TidingsLibrary         *self,
                                GAsyncResult           *result,
                                TidingsRefreshSummary  *summary,
                                GError                **error)
{
  TidingsRefreshSummary *done;

  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  done = g_task_get_task_data (G_TASK (result));
  if (summary != NULL)
    {
      if (done != NULL)
        *summary = *done;
      else
        memset (summary, 0, sizeof *summary);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The scheduler ---- */

static gpointer
list_due (TidingsStore  *store,
          gpointer       data,
          GError       **error)
{
  g_autoptr(GPtrArray) subscriptions = tidings_store_list_subscriptions (store, error);
  gint64 now = g_get_real_time ();
  GArray *due;

  (void) data;
  if (subscriptions == NULL)
    return NULL;
  due = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < subscriptions->len; i++)
    {
      TidingsSubscription *subscription = subscriptions->pdata[i];

      if (!subscription->gone && subscription->next_poll <= now)
        g_array_append_val (due, subscription->id);
    }
  return due;
}

static void
due_listed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  TidingsLibrary *self = TIDINGS_LIBRARY (source);
  g_autoptr(GArray) due = NULL;
  g_autoptr(GError) error = NULL;

  (void) user_data;
  self->scheduler_busy = FALSE;
  due = g_task_propagate_pointer (G_TASK (result), &error);
  if (due == NULL)
    {
      g_warning ("Could not read which subscriptions are due a refresh: %s", error->message);
      return;
    }
  if (due->len == 0)
    return;
  g_debug ("%u subscriptions are due a refresh", due->len);
  tidings_library_refresh_async (self, due, NULL, NULL, NULL);
}

static void
check_due (TidingsLibrary *self)
{
  GTask *task;

  if (self->scheduler_busy)
    return;
  self->scheduler_busy = TRUE;
  task = g_task_new (self, NULL, due_listed, NULL);
  g_task_set_name (task, "tidings-library-scheduler");
  reader_call (self, list_due, NULL, NULL, task);
}

static gboolean
scheduler_tick (gpointer user_data)
{
  check_due (user_data);
  return G_SOURCE_CONTINUE;
}

void
_tidings_library_run_scheduler_now (TidingsLibrary *self)
{
  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  check_due (self);
}

static gpointer
store_interval (TidingsStore  *store,
                gpointer       data,
                GError       **error)
{
  g_autofree char *value = g_strdup_printf ("%u", GPOINTER_TO_UINT (data));

  if (!tidings_store_set_setting (store, INTERVAL_SETTING, value, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
interval_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  (void) user_data;
  if (tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), result, &error) == NULL)
    g_warning ("Could not save the refresh interval: %s", error->message);
}

void
tidings_library_set_auto_refresh (TidingsLibrary *self,
                                  guint           interval_minutes)
{
  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  self->interval_chosen = TRUE;
  if (interval_minutes == 0)
    {
      clear_source (&self->scheduler_source);
      self->auto_interval = 0;
      return;
    }

  if (interval_minutes != self->auto_interval)
    {
      self->auto_interval = interval_minutes;
      tidings_refresh_set_default_interval (self->refresh, interval_minutes);
      /* Stored, so that the command line's refreshes space feeds out alike. */
      writer_call (self, store_interval, GUINT_TO_POINTER (interval_minutes), NULL, NULL,
                   interval_stored, NULL);
    }
  if (self->scheduler_source == NULL)
    self->scheduler_source = attach_timeout (self, SCHEDULER_PERIOD_S * 1000, scheduler_tick,
                                             "[tidings] refresh scheduler");
}

static gpointer
load_interval (TidingsStore  *store,
               gpointer       data,
               GError       **error)
{
  g_autofree char *value = tidings_store_get_setting (store, INTERVAL_SETTING);
  guint64 minutes = 0;

  (void) data;
  (void) error;
  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT32, &minutes, NULL))
    minutes = 0;
  /* Never NULL: NULL would read as a failure. */
  return GSIZE_TO_POINTER ((gsize) minutes + 1);
}

static void
interval_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TidingsLibrary *self = TIDINGS_LIBRARY (source);
  gpointer value;

  (void) user_data;
  value = g_task_propagate_pointer (G_TASK (result), NULL);
  /* The app's own choice, when made meanwhile, wins. */
  if (value != NULL && !self->interval_chosen && GPOINTER_TO_SIZE (value) > 1)
    tidings_refresh_set_default_interval (self->refresh, GPOINTER_TO_SIZE (value) - 1);
}

/* ---- Single changes ---- */

typedef struct
{
  gint64   id;
  gboolean value;
} Mark;

static Mark *
mark_new (gint64   id,
          gboolean value)
{
  Mark *mark = g_new (Mark, 1);

  mark->id = id;
  mark->value = value;
  return mark;
}

static gpointer
set_read_func (TidingsStore  *store,
               gpointer       data,
               GError       **error)
{
  Mark *mark = data;

  if (!tidings_store_set_read (store, mark->id, mark->value, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
set_starred_func (TidingsStore  *store,
                  gpointer       data,
                  GError       **error)
{
  Mark *mark = data;

  if (!tidings_store_set_starred (store, mark->id, mark->value, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

void
tidings_library_set_read (TidingsLibrary *self,
                          gint64          article_id,
                          gboolean        read)
{
  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  tidings_library_write_async (self, set_read_func, mark_new (article_id, read), g_free,
                               TIDINGS_LIBRARY_CHANGED_STATE, NULL, NULL, NULL);
}

void
tidings_library_set_starred (TidingsLibrary *self,
                             gint64          article_id,
                             gboolean        starred)
{
  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  tidings_library_write_async (self, set_starred_func, mark_new (article_id, starred), g_free,
                               TIDINGS_LIBRARY_CHANGED_STATE, NULL, NULL, NULL);
}

static gpointer
mark_read_func (TidingsStore  *store,
                gpointer       data,
                GError       **error)
{
  TidingsArticleQuery *copy = data;

  if (!tidings_store_mark_read (store, copy, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
write_to_boolean (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tidings_library_mark_read_async (TidingsLibrary            *self,
                                 const TidingsArticleQuery *query,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_mark_read_async);
  tidings_library_write_async (self, mark_read_func, tidings_article_query_copy (query),
                               (GDestroyNotify) tidings_article_query_free,
                               TIDINGS_LIBRARY_CHANGED_STATE, cancellable, write_to_boolean, task);
}

gboolean
tidings_library_mark_read_finish (TidingsLibrary  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
get_article_func (TidingsStore  *store,
                  gpointer       data,
                  GError       **error)
{
  return tidings_store_get_article (store, *(gint64 *) data, error);
}

void
tidings_library_get_article_async (TidingsLibrary      *self,
                                   gint64               article_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_get_article_async);
  reader_call (self, get_article_func, boxed_id (article_id), g_free, task);
}

TidingsArticle *
tidings_library_get_article_finish (TidingsLibrary  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Discovery and subscribing ---- */

static void
discovered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPtrArray *links;

  (void) source;
  links = tidings_discover_finish (result, &error);
  if (links == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, links, (GDestroyNotify) g_ptr_array_unref);
}

void
tidings_library_discover_async (TidingsLibrary      *self,
                                const char          *url,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));
  g_return_if_fail (url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_discover_async);
  tidings_discover_async (self->fetcher, url, cancellable, discovered, task);
}

GPtrArray *
tidings_library_discover_finish (TidingsLibrary  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char   *url;
  char   *title;
  gint64  section_id;
  gint64  id;           /* once added */
} Subscribe;

static void
subscribe_free (Subscribe *subscribe)
{
  g_free (subscribe->url);
  g_free (subscribe->title);
  g_free (subscribe);
}

static gpointer
subscribe_func (TidingsStore  *store,
                gpointer       data,
                GError       **error)
{
  Subscribe *subscribe = data;
  gint64 id;

  id = tidings_store_add_subscription (store, subscribe->url, subscribe->title,
                                       subscribe->section_id, error);
  if (id == 0)
    return NULL;
  return boxed_id (id);
}

static void
subscribed_refreshed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  gint64 *id = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The subscription stands whatever the first fetch gave: its error, if
   * any, is the feed's and shows beside it. */
  if (!tidings_library_refresh_finish (TIDINGS_LIBRARY (source), result, NULL, &error))
    g_debug ("The first refresh of subscription %" G_GINT64_FORMAT " stopped: %s",
             *id, error->message);
  g_task_return_pointer (task, boxed_id (*id), g_free);
}

static void
subscribe_added (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TidingsLibrary *self = TIDINGS_LIBRARY (source);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GError *error = NULL;
  gint64 *id;

  id = tidings_library_write_finish (self, result, &error);
  if (id == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, id, g_free);
  g_array_append_val (ids, *id);
  tidings_library_refresh_async (self, ids, g_task_get_cancellable (task),
                                 subscribed_refreshed, g_object_ref (task));
}

void
tidings_library_subscribe_async (TidingsLibrary      *self,
                                 const char          *url,
                                 const char          *title,
                                 gint64               section_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Subscribe *subscribe;
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));
  g_return_if_fail (url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_subscribe_async);
  subscribe = g_new0 (Subscribe, 1);
  subscribe->url = g_strdup (url);
  subscribe->title = g_strdup (title);
  subscribe->section_id = section_id;
  tidings_library_write_async (self, subscribe_func, subscribe, (GDestroyNotify) subscribe_free,
                               TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, cancellable,
                               subscribe_added, task);
}

gint64
tidings_library_subscribe_finish (TidingsLibrary  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  id = g_task_propagate_pointer (G_TASK (result), error);
  return id != NULL ? *id : 0;
}

/* ---- OPML ---- */

typedef struct
{
  guint      n_added;
  GPtrArray *warnings;
} Imported;

static void
imported_free (Imported *imported)
{
  g_clear_pointer (&imported->warnings, g_ptr_array_unref);
  g_free (imported);
}

static gpointer
import_func (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  GBytes *bytes = data;
  g_autoptr(TidingsOpml) opml = NULL;
  Imported *imported;
  const char *text;
  gsize len = 0;

  text = g_bytes_get_data (bytes, &len);
  opml = tidings_opml_parse (text != NULL ? text : "", len, error);
  if (opml == NULL)
    return NULL;
  imported = g_new0 (Imported, 1);
  if (!tidings_store_import_opml (store, opml, &imported->n_added, NULL, NULL, error))
    {
      imported_free (imported);
      return NULL;
    }
  imported->warnings = g_ptr_array_ref (opml->warnings);
  return imported;
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  Imported *imported;

  imported = tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error);
  if (imported == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, imported, (GDestroyNotify) imported_free);
}

void
tidings_library_import_opml_async (TidingsLibrary      *self,
                                   GBytes              *opml,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));
  g_return_if_fail (opml != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_import_opml_async);
  tidings_library_write_async (self, import_func, g_bytes_ref (opml),
                               (GDestroyNotify) g_bytes_unref,
                               TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, cancellable,
                               import_done, task);
}

guint
tidings_library_import_opml_finish (TidingsLibrary  *self,
                                    GAsyncResult    *result,
                                    GPtrArray      **warnings,
                                    GError         **error)
{
  Imported *imported;
  guint n_added;

  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  if (warnings != NULL)
    *warnings = NULL;
  imported = g_task_propagate_pointer (G_TASK (result), error);
  if (imported == NULL)
    return 0;
  n_added = imported->n_added;
  if (warnings != NULL)
    *warnings = g_steal_pointer (&imported->warnings);
  imported_free (imported);
  return n_added;
}

static gpointer
export_func (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  g_autoptr(TidingsOpml) opml = NULL;
  char *text;
  gsize len = 0;

  (void) data;
  opml = tidings_store_export_opml (store, error);
  if (opml == NULL)
    return NULL;
  text = tidings_opml_write (opml, &len);
  return g_bytes_new_take (text, len);
}

void
tidings_library_export_opml_async (TidingsLibrary      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_library_export_opml_async);
  reader_call (self, export_func, NULL, NULL, task);
}

GBytes *
tidings_library_export_opml_finish (TidingsLibrary  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The backup, and starting again from it ---- */

gboolean
tidings_library_save_backup (TidingsStore  *store,
                             GError       **error)
{
  g_autofree char *backup_path = NULL;

  g_return_val_if_fail (TIDINGS_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  backup_path = tidings_library_get_backup_path (tidings_store_get_path (store));
  return write_backup (store, backup_path, error) != NULL;
}

void
tidings_library_recovery_free (TidingsLibraryRecovery *recovery)
{
  if (recovery == NULL)
    return;
  g_free (recovery->damaged_path);
  g_free (recovery->backup_path);
  g_free (recovery->backup_error);
  g_free (recovery->message);
  g_free (recovery);
}

/* "tidings.db.damaged-20261128-054600", or with "-2", "-3"... should a
 * file of that name be there already. */
static char *
damaged_name (const char *path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  char *name = g_strdup_printf ("%s.damaged-%s", path, stamp);

  for (guint n = 2; g_file_test (name, G_FILE_TEST_EXISTS); n++)
    {
      g_free (name);
      name = g_strdup_printf ("%s.damaged-%s-%u", path, stamp, n);
    }
  return name;
}

/* Moves the database and the files SQLite keeps beside it to @damaged, the
 * companions under the names SQLite looks for beside a database called
 * @damaged, so that the copy still opens with what its WAL held. A WAL left
 * behind would be read into the new library, so failing to move one is
 * failing. */
static gboolean
move_aside (const char  *path,
            const char  *damaged,
            GError     **error)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (damaged, suffixes[i], NULL);

      if (g_rename (from, to) != 0)
        {
          int saved_errno = errno;
          g_autofree char *display = g_filename_display_name (from);

          if (i > 0 && saved_errno == ENOENT)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not move the damaged library %s aside: %s"), display,
                       g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* Imports the backup at @backup_path into the new library at @path. */
static gboolean
restore_backup (const char  *path,
                const char  *backup_path,
                guint       *n_restored,
                GError     **error)
{
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(TidingsOpml) opml = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (backup_path, &data, &len, error))
    return FALSE;
  opml = tidings_opml_parse (data, len, error);
  if (opml == NULL)
    return FALSE;
  store = tidings_store_open (path, error);
  if (store == NULL)
    return FALSE;
  return tidings_store_import_opml (store, opml, n_restored, NULL, NULL, error);
}

TidingsLibraryRecovery *
tidings_library_recover (const char    *database_path,
                         const GError  *open_error,
                         GError       **error)
{
  g_autoptr(TidingsLibraryRecovery) recovery = NULL;
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GError) backup_error = NULL;
  g_autofree char *backup_path = NULL;
  g_autofree char *display_damaged = NULL;
  g_autofree char *display_backup = NULL;

  g_return_val_if_fail (database_path != NULL, NULL);
  g_return_val_if_fail (open_error != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Only a file that is not (or no longer) a Tidings library is ours to put
   * away; one from a newer version, or one that is busy or unreadable, stays
   * exactly as it is. */
  if (!g_error_matches (open_error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_error_copy (open_error));
      return NULL;
    }

  recovery = g_new0 (TidingsLibraryRecovery, 1);
  recovery->damaged_path = damaged_name (database_path);
  if (!move_aside (database_path, recovery->damaged_path, error))
    return NULL;
  g_debug ("The library %s was damaged (%s); it was moved to %s", database_path,
             open_error->message, recovery->damaged_path);

  store = tidings_store_open (database_path, error);
  if (store == NULL)
    return NULL;
  g_clear_object (&store);

  backup_path = tidings_library_get_backup_path (database_path);
  if (g_file_test (backup_path, G_FILE_TEST_EXISTS))
    {
      recovery->backup_path = g_strdup (backup_path);
      if (!restore_backup (database_path, backup_path, &recovery->n_restored, &backup_error))
        {
          recovery->n_restored = 0;
          recovery->backup_error = g_strdup (backup_error->message);
        }
    }

  /* The store's sentence (what is wrong, and why in brackets) comes first. */
  display_damaged = g_filename_display_name (recovery->damaged_path);
  if (recovery->backup_path == NULL)
    recovery->message =
      /* Translators: the first %s is a sentence saying what is wrong with the
       * library, the second the path it was kept at. */
      g_strdup_printf (_("%s. It was kept as %s and a new, empty library was started: no "
                         "backup of the subscriptions was found to restore them from."),
                       open_error->message, display_damaged);
  else
    {
      display_backup = g_filename_display_name (recovery->backup_path);
      if (recovery->backup_error != NULL)
        recovery->message =
          /* Translators: the first %s is a sentence saying what is wrong with the
           * library, the second the path it was kept at, the third the path of
           * the backup, the last why it could not be read. */
          g_strdup_printf (_("%s. It was kept as %s and a new, empty library was started: "
                             "the backup of the subscriptions %s could not be read (%s)."),
                           open_error->message, display_damaged, display_backup,
                           recovery->backup_error);
      else
        recovery->message =
          /* Translators: the first %s is a sentence saying what is wrong with the
           * library, the second the path it was kept at, %u a number of
           * subscriptions, the last %s the path of the backup. */
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "%s. It was kept as %s and a new library was started "
                                        "with %u subscription restored from the backup %s.",
                                        "%s. It was kept as %s and a new library was started "
                                        "with %u subscriptions restored from the backup %s.",
                                        recovery->n_restored),
                           open_error->message, display_damaged, recovery->n_restored,
                           display_backup);
    }
  return g_steal_pointer (&recovery);
}

/* ---- The object ---- */

char *
tidings_library_get_backup_path (const char *database_path)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (database_path != NULL, NULL);

  dir = g_path_get_dirname (database_path);
  return g_build_filename (dir, BACKUP_NAME, NULL);
}

void
tidings_library_set_fetch_icons (TidingsLibrary *self,
                                 gboolean        fetch_icons)
{
  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  tidings_refresh_set_fetch_icons (self->refresh, fetch_icons);
  /* Turned off: nothing more goes to the sites from now on. */
  if (!fetch_icons)
    tidings_refresh_cancel_icons (self->refresh);
}

void
_tidings_library_set_backup_delay (TidingsLibrary *self,
                                   guint           milliseconds)
{
  g_return_if_fail (TIDINGS_IS_LIBRARY (self));

  self->backup_delay = milliseconds;
}

TidingsLibrary *
tidings_library_new (const char  *path,
                     GError     **error)
{
  g_autoptr(TidingsLibrary) self = NULL;
  g_autofree char *default_path = NULL;
  GTask *task;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = default_path = tidings_store_default_path ();

  self = g_object_new (TIDINGS_TYPE_LIBRARY, NULL);
  self->path = g_strdup (path);
  /* The writer first: it creates and migrates the file. */
  self->writer = tidings_store_worker_new (path, error);
  if (self->writer == NULL)
    return NULL;
  self->reader = tidings_store_worker_new (path, error);
  if (self->reader == NULL)
    return NULL;
  self->fetcher = tidings_fetcher_new (NULL);
  self->refresh = tidings_refresh_new (self->writer, self->fetcher);
  g_signal_connect (self->refresh, "feed-done", G_CALLBACK (on_feed_done), self);
  g_signal_connect (self->refresh, "progress", G_CALLBACK (on_progress), self);
  g_signal_connect (self->refresh, "icons-changed", G_CALLBACK (on_icons_changed), self);

  task = g_task_new (self, NULL, interval_loaded, NULL);
  reader_call (self, load_interval, NULL, NULL, task);
  tidings_store_worker_call_async (self->reader, setup_reader, &self->reader_commits, NULL, NULL,
                                   NULL, NULL);
  watch_tick (self);
  self->watch_source = attach_timeout (self, WATCH_PERIOD_MS, watch_tick,
                                       "[tidings] changes by other programs");
  return g_steal_pointer (&self);
}

const char *
tidings_library_get_path (TidingsLibrary *self)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), NULL);

  return self->path;
}

TidingsFetcher *
tidings_library_get_fetcher (TidingsLibrary *self)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), NULL);

  return self->fetcher;
}

gboolean
tidings_library_get_refreshing (TidingsLibrary *self)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), FALSE);

  return self->refreshing;
}

guint
tidings_library_get_refresh_done (TidingsLibrary *self)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), 0);

  return self->refresh_done;
}

guint
tidings_library_get_refresh_total (TidingsLibrary *self)
{
  g_return_val_if_fail (TIDINGS_IS_LIBRARY (self), 0);

  return self->refresh_total;
}

static void
tidings_library_dispose (GObject *object)
{
  TidingsLibrary *self = TIDINGS_LIBRARY (object);

  /* Every refresh, read and write holds a reference: none is running. */
  g_assert (self->session == NULL);
  g_assert (g_queue_is_empty (&self->deferred_reads));

  clear_source (&self->scheduler_source);
  clear_source (&self->watch_source);
  clear_source (&self->batch_source);
  if (self->backup_source != NULL)
    {
      /* A backup still owed: written by the reader on its way out (it
       * finishes its calls before it closes). */
      clear_source (&self->backup_source);
      if (self->reader != NULL)
        tidings_store_worker_call_async (self->reader, write_backup,
                                         tidings_library_get_backup_path (self->path), g_free,
                                         NULL, NULL, NULL);
    }
  if (self->refresh != NULL)
    {
      /* Icon looks outlive runs; those under way keep the refresh (and its
       * writer) until they come back cancelled. */
      g_signal_handlers_disconnect_by_data (self->refresh, self);
      tidings_refresh_cancel_icons (self->refresh);
    }
  g_clear_object (&self->refresh);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->reader);
  g_clear_object (&self->writer);

  G_OBJECT_CLASS (tidings_library_parent_class)->dispose (object);
}

static void
tidings_library_finalize (GObject *object)
{
  TidingsLibrary *self = TIDINGS_LIBRARY (object);

  g_free (self->path);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (tidings_library_parent_class)->finalize (object);
}

static void
tidings_library_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TidingsLibrary *self = TIDINGS_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_REFRESHING:
      g_value_set_boolean (value, self->refreshing);
      break;
    case PROP_REFRESH_DONE:
      g_value_set_uint (value, self->refresh_done);
      break;
    case PROP_REFRESH_TOTAL:
      g_value_set_uint (value, self->refresh_total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_library_class_init (TidingsLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tidings_library_dispose;
  object_class->finalize = tidings_library_finalize;
  object_class->get_property = tidings_library_get_property;

  properties[PROP_REFRESHING] =
    g_param_spec_boolean ("refreshing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REFRESH_DONE] =
    g_param_spec_uint ("refresh-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REFRESH_TOTAL] =
    g_param_spec_uint ("refresh-total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_FEED_REFRESHED] =
    g_signal_new ("feed-refreshed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_REFRESH_FINISHED] =
    g_signal_new ("refresh-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
tidings_library_init (TidingsLibrary *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->backup_delay = BACKUP_DELAY_MS;
  g_queue_init (&self->deferred_reads);
}
