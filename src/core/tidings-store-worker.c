/* tidings-store-worker.c: the one thread that writes to the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thread that owns one TidingsStore and runs the calls made to it one at a
 * time, in the order they were made, so that the UI thread never waits on
 * SQLite and writes never contend with each other inside the application.
 * Each call is a GTask; its callback runs in the thread-default main context
 * of the thread that made the call.
 *
 * Each pending task holds a reference to the worker (its source object), so
 * the last reference goes only once every call made has run and its callback
 * has been dispatched; finalizing then stops the thread, which closes the
 * connection.
 */

#define G_LOG_DOMAIN "tidings-store"

#include "config.h"

#include "tidings-store.h"

struct _TidingsStoreWorker
{
  GObject       parent_instance;

  GThread      *thread;
  GAsyncQueue  *queue;    /* GTask, then &stop_message */
  TidingsStore *store;    /* used only on the thread once it runs */
};

G_DEFINE_FINAL_TYPE (TidingsStoreWorker, tidings_store_worker, G_TYPE_OBJECT)

/* Queued after the last call to stop the thread. */
static int stop_message;

typedef struct
{
  TidingsStoreFunc func;
  gpointer         data;
  GDestroyNotify   data_free;
} Call;

static void
call_free (Call *call)
{
  if (call->data_free != NULL)
    call->data_free (call->data);
  g_free (call);
}

/* What a call gave, on its way back to the caller's thread. */
typedef struct
{
  GTask    *task;
  gboolean  ran;
  gpointer  result;
  GError   *error;
} Reply;

/* Runs in the caller's context. Completing the task there, and dropping
 * the worker thread's reference to it there too, means the last reference
 * to the worker (which tasks hold) is never dropped on the worker's own
 * thread, which could not join itself. */
static gboolean
deliver_reply (gpointer data)
{
  Reply *reply = data;

  if (!reply->ran)
    g_task_return_error_if_cancelled (reply->task);
  else if (reply->error != NULL)
    g_task_return_error (reply->task, reply->error);
  else
    g_task_return_pointer (reply->task, reply->result, NULL);
  g_object_unref (reply->task);
  g_free (reply);
  return G_SOURCE_REMOVE;
}

static gpointer
worker_thread (gpointer user_data)
{
  TidingsStoreWorker *self = user_data;
  GAsyncQueue *queue = g_async_queue_ref (self->queue);
  TidingsStore *store = g_steal_pointer (&self->store);

  for (;;)
    {
      gpointer message = g_async_queue_pop (queue);
      Reply *reply;
      GSource *source;

      if (message == &stop_message)
        break;
      reply = g_new0 (Reply, 1);
      reply->task = message;
      if (!g_cancellable_is_cancelled (g_task_get_cancellable (reply->task)))
        {
          Call *call = g_task_get_task_data (reply->task);

          reply->result = call->func (store, call->data, &reply->error);
          reply->ran = TRUE;
          g_warn_if_fail (reply->error == NULL || reply->result == NULL);
        }

      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, deliver_reply, reply, NULL);
      g_source_set_static_name (source, "[tidings] store call reply");
      g_source_attach (source, g_task_get_context (reply->task));
      g_source_unref (source);
    }

  /* Closing here keeps the connection on the one thread that used it. */
  g_object_unref (store);
  g_async_queue_unref (queue);
  return NULL;
}

TidingsStoreWorker *
tidings_store_worker_new (const char  *path,
                          GError     **error)
{
  g_autoptr(TidingsStoreWorker) self = NULL;
  TidingsStore *store;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Opened here so that a library that cannot be opened is reported at
   * once, not by the first call. */
  store = tidings_store_open (path, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (TIDINGS_TYPE_STORE_WORKER, NULL);
  self->store = store;
  self->thread = g_thread_try_new ("tidings-store", worker_thread, self, error);
  if (self->thread == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

void
tidings_store_worker_call_async (TidingsStoreWorker  *self,
                                 TidingsStoreFunc     func,
                                 gpointer             data,
                                 GDestroyNotify       data_free,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  Call *call;

  g_return_if_fail (TIDINGS_IS_STORE_WORKER (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call = g_new0 (Call, 1);
  call->func = func;
  call->data = data;
  call->data_free = data_free;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_store_worker_call_async);
  g_task_set_name (task, "tidings-store-call");
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  g_async_queue_push (self->queue, task);
}

gpointer
tidings_store_worker_call_finish (TidingsStoreWorker  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE_WORKER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tidings_store_worker_call_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tidings_store_worker_finalize (GObject *object)
{
  TidingsStoreWorker *self = TIDINGS_STORE_WORKER (object);

  if (self->thread != NULL)
    {
      /* Behind every call already queued. */
      g_async_queue_push (self->queue, &stop_message);
      g_thread_join (self->thread);
    }
  g_clear_object (&self->store);
  g_async_queue_unref (self->queue);

  G_OBJECT_CLASS (tidings_store_worker_parent_class)->finalize (object);
}

static void
tidings_store_worker_class_init (TidingsStoreWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tidings_store_worker_finalize;
}

static void
tidings_store_worker_init (TidingsStoreWorker *self)
{
  self->queue = g_async_queue_new ();
}
