/* tidings-refresh.c: fetch, parse and store a set of subscriptions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pipeline for each subscription: the fetcher (main context, capped and
 * polite) → a parse worker thread (parsing, sanitising, hashing, turning HTML
 * into indexable text) → back to the main context → the store's writer
 * thread. Updates that arrive while the writer is busy wait and go over
 * together in the next call, so the writer sees batches, each feed still in
 * its own transaction.
 */

#define G_LOG_DOMAIN "tidings-refresh"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tidings-discover.h"
#include "tidings-icons.h"
#include "tidings-parser.h"
#include "tidings-refresh.h"

/* Used when neither the subscription nor the feed says how often to look. */
#define DEFAULT_INTERVAL_MINUTES 60
#define PARSE_THREADS_MAX 4
/* Feeds between "asked the fetcher" and "stored". The writer is the slowest
 * stage; without a window, a thousand parsed feeds would pile up in memory
 * waiting for it. The fetcher's own caps (8 at once) sit inside this. */
#define PIPELINE_WINDOW 48
/* Feeds of one host handed over together (see interleave_hosts()). */
#define HOST_RUN 6
/* Looks for icons at once: few while feeds are still being fetched, whose
 * connections they would take, as many as the fetcher has once the feeds
 * are in. */
#define ICON_LOOKS_BESIDE_FEEDS 2
#define ICON_LOOKS 8

struct _TidingsRefresh
{
  GObject             parent_instance;

  TidingsStoreWorker *worker;
  TidingsFetcher     *fetcher;
  guint               default_interval;   /* minutes, 0: DEFAULT_INTERVAL_MINUTES */
  gboolean            fetch_icons;

  /* Icons, looked for in the background (see "Icons" below). */
  guint               feed_runs;          /* runs still fetching or storing feeds */
  GQueue              icon_queue;         /* IconJob waiting for a turn */
  GHashTable         *icon_ids;           /* subscription ids queued or under way */
  guint               icon_looks;         /* under way */
  GCancellable       *icon_cancellable;   /* for the looks under way */
  GPtrArray          *icons_found;        /* TidingsIcon waiting for the writer */
  gboolean            icons_writing;
  GPtrArray          *settling;           /* GTask of settle_icons calls */
};

typedef struct
{
  GSource *grace;                         /* cancels the looks when it fires */
} Settle;

G_DEFINE_FINAL_TYPE (TidingsRefresh, tidings_refresh, G_TYPE_OBJECT)

enum
{
  SIGNAL_FEED_DONE,
  SIGNAL_PROGRESS,
  SIGNAL_ICONS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct _Run Run;

typedef struct
{
  Run                   *run;
  TidingsSubscription   *subscription;   /* borrowed from run->subscriptions */
  TidingsFetchResult    *result;
  TidingsFeedUpdate     *update;
  TidingsRefreshOutcome *outcome;
  gboolean               not_modified;
} Job;

struct _Run
{
  TidingsRefresh        *self;
  GTask                 *task;
  GMainContext          *context;
  GPtrArray             *owned;           /* as the caller gave them */
  GPtrArray             *subscriptions;   /* the same, hosts taking turns */
  GThreadPool           *parse_pool;

  guint                  total;
  guint                  done;
  guint                  outstanding;     /* jobs not yet stored */
  guint                  next;            /* index of the next subscription to fetch */
  guint                  default_interval; /* minutes, as the run started */

  GPtrArray             *waiting;         /* Job, parsed and waiting for the writer */
  gboolean               writer_busy;
  gboolean               finishing;

  /* Which feeds' icons are due: a look is queued on the refresh for each. */
  GHashTable            *icons;           /* subscription id -> TidingsIcon (no data) */
  gboolean               fetch_icons;     /* as the run started */

  TidingsRefreshSummary  summary;
};

void
tidings_refresh_outcome_free (TidingsRefreshOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->url);
  g_free (outcome->new_url);
  g_free (outcome->title);
  g_free (outcome->error);
  g_free (outcome);
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->result, tidings_fetch_result_free);
  g_clear_pointer (&job->update, tidings_feed_update_free);
  g_clear_pointer (&job->outcome, tidings_refresh_outcome_free);
  g_free (job);
}

static void
run_free (Run *run)
{
  g_assert (run->waiting->len == 0);
  if (run->parse_pool != NULL)
    g_thread_pool_free (run->parse_pool, FALSE, TRUE);
  g_ptr_array_unref (run->waiting);
  g_clear_pointer (&run->icons, g_hash_table_unref);
  g_ptr_array_unref (run->subscriptions);
  g_ptr_array_unref (run->owned);
  g_main_context_unref (run->context);
  g_object_unref (run->self);
  g_free (run);
}

/* When to look again: the subscription's interval (or the default), never
 * sooner than the feed or the server asked, with up to a tenth of the
 * interval of jitter so that feeds added together drift apart. */
static gint64
next_poll_time (const Run                 *run,
                const TidingsSubscription *subscription,
                gint64                     now,
                gint64                     min_interval)
{
  gint64 interval = (gint64) (subscription->interval_minutes > 0
                              ? (guint) subscription->interval_minutes
                              : run->default_interval) * 60;
  gint64 jitter;

  interval = MAX (interval, min_interval);
  jitter = g_random_int_range (0, (gint32) MIN (interval / 10 + 1, G_MAXINT32));
  return now + (interval + jitter) * G_USEC_PER_SEC;
}

char *
tidings_refresh_describe_parse_error (const GError *error,
                                      const char   *content_type,
                                      GBytes       *body)
{
  const char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (error != NULL, NULL);

  if (body != NULL)
    data = g_bytes_get_data (body, &len);

  if (data != NULL && tidings_discover_looks_like_html (data, len, content_type))
    {
      g_autoptr(GPtrArray) links = tidings_discover_scan_html (data, len, NULL);

      if (links->len > 0)
        {
          TidingsFeedLink *link = g_ptr_array_index (links, 0);

          /* Translators: %s is the address of the feed the page names. */
          return g_strdup_printf (_("Not a feed: the address returns an HTML page "
                                    "(it links to the feed %s)"), link->url);
        }
      return g_strdup (_("Not a feed: the address returns an HTML page"));
    }

  if (g_error_matches (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_EMPTY))
    return g_strdup (_("Not a feed: the server sent an empty document"));
  if (g_error_matches (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_MALFORMED))
    /* Translators: %s says where and what is wrong, e.g. “line 3, column 5: …”. */
    return g_strdup_printf (_("Not a feed: the document is too broken to read (%s)"),
                            error->message);
  if (g_error_matches (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_TOO_LARGE))
    /* Translators: %s is the parser's message, e.g. “JSON Feed larger than 512 MB”. */
    return g_strdup_printf (_("The feed is too large to read (%s)"), error->message);
  if (g_error_matches (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED))
    {
      const char *reason = error->message;
      /* The parser's own words start with "not a feed: ", in whatever
       * language they were translated into. */
      const char *prefix =
        /* Translators: word for word the beginning of the other “not a feed:
         * …” messages (the parser's), space included. */
        _("not a feed: ");

      if (g_str_has_prefix (reason, prefix))
        reason += strlen (prefix);
      /* Translators: %s says why, e.g. “this is an HTML page”. */
      return g_strdup_printf (_("Not a feed: %s"), reason);
    }
  /* Translators: %s is the parser's message. */
  return g_strdup_printf (_("Could not read the feed: %s"), error->message);
}

static void send_to_writer (Run *run);
static void run_maybe_finish (Run *run);
static void feed_pipeline (Run *run);

/* Back on the main context with a job whose update is ready. */
static void
job_ready (Job *job)
{
  Run *run = job->run;

  g_ptr_array_add (run->waiting, job);
  if (!run->writer_busy)
    send_to_writer (run);
}

static gboolean
job_ready_idle (gpointer user_data)
{
  job_ready (user_data);
  return G_SOURCE_REMOVE;
}

/* On a parse thread. */
static void
parse_job (gpointer data,
           gpointer user_data)
{
  Job *job = data;
  TidingsFetchResult *result = job->result;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  TidingsFeed *feed;
  const char *body;
  gsize len;

  (void) user_data;

  body = g_bytes_get_data (result->body, &len);
  feed = tidings_parse_data (body, len, result->final_url, &items, &error);
  if (feed == NULL)
    {
      job->update->error = tidings_refresh_describe_parse_error (error, result->content_type,
                                                                 result->body);
      /* Keep the validators and hash of the last good body, so that the
       * same broken body is fetched and read again next time (and keeps its
       * error) rather than passing as "not modified". */
      g_clear_pointer (&job->update->content_hash, g_free);
      g_clear_pointer (&job->update->etag, g_free);
      g_clear_pointer (&job->update->last_modified, g_free);
    }
  else
    {
      gint64 min_interval = (gint64) feed->ttl_minutes * 60;

      min_interval = MAX (min_interval, result->max_age);
      job->update->min_interval = min_interval;
      job->update->next_poll = next_poll_time (job->run, job->subscription,
                                               job->update->fetched_at, min_interval);
      job->update->feed = feed;
      job->update->items = g_steal_pointer (&items);
      tidings_feed_update_prepare (job->update);
    }

  /* The body is the biggest thing a job holds; let it go before the job
   * waits for the writer. */
  g_clear_pointer (&result->body, g_bytes_unref);

  g_main_context_invoke (job->run->context, job_ready_idle, job);
}

static void
fetched (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  Job *job = user_data;
  Run *run = job->run;
  TidingsSubscription *subscription = job->subscription;
  TidingsFeedUpdate *update;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  job->result = tidings_fetcher_fetch_finish (TIDINGS_FETCHER (source), res, &error);

  /* A cancelled fetch says nothing about the feed: store nothing. */
  if (g_error_matches (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      run->outstanding--;
      run->total--;
      job_free (job);
      feed_pipeline (run);
      run_maybe_finish (run);
      return;
    }

  update = job->update = tidings_feed_update_new (subscription->id);
  update->fetched_at = now;

  if (job->result == NULL)
    {
      update->error = g_strdup (error->message);
      update->gone = g_error_matches (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_GONE);
      update->next_poll = next_poll_time (run, subscription, now, subscription->min_interval);
      if (g_error_matches (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_BACKOFF))
        {
          g_autofree char *host = tidings_fetcher_host_of (subscription->url);
          g_autoptr(GHashTable) backoffs = tidings_fetcher_get_backoffs (run->self->fetcher);
          gint64 *until = host != NULL ? g_hash_table_lookup (backoffs, host) : NULL;

          if (until != NULL)
            update->next_poll = MAX (update->next_poll, *until);
        }
      job_ready (job);
      return;
    }

  update->etag = g_strdup (job->result->etag);
  update->last_modified = g_strdup (job->result->last_modified);
  update->content_hash = g_strdup (job->result->body_hash);
  if (job->result->permanent_url != NULL
      && g_strcmp0 (job->result->permanent_url, subscription->url) != 0)
    update->new_url = g_strdup (job->result->permanent_url);

  if (job->result->not_modified)
    {
      gint64 min_interval = MAX (subscription->min_interval, job->result->max_age);

      job->not_modified = TRUE;
      update->min_interval = min_interval;
      update->next_poll = next_poll_time (run, subscription, now, min_interval);
      job_ready (job);
      return;
    }

  g_thread_pool_push (run->parse_pool, job, NULL);
}

static gpointer
store_batch (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  GPtrArray *jobs = data;
  g_autoptr(GError) batch_error = NULL;
  gboolean in_transaction;

  (void) error;

  /* One transaction around the batch saves a commit per feed; each feed is
   * still merged in a savepoint of its own, so one that fails rolls back
   * alone. */
  in_transaction = tidings_store_begin (store, &batch_error);
  if (!in_transaction)
    g_debug ("Merging without a batch transaction: %s", batch_error->message);

  for (guint i = 0; i < jobs->len; i++)
    {
      Job *job = g_ptr_array_index (jobs, i);
      g_autoptr(GError) local_error = NULL;
      TidingsRefreshOutcome *outcome = job->outcome;

      if (!tidings_store_apply_update (store, job->update, &outcome->stats, &local_error))
        {
          /* The feed's own earlier state is intact; say why this one did not
           * make it. */
          g_free (outcome->error);
          outcome->error = g_strdup_printf (_("Could not save the feed: %s"),
                                            local_error->message);
          outcome->status = TIDINGS_REFRESH_FAILED;
        }
    }

  if (in_transaction && !tidings_store_commit (store, &batch_error))
    {
      tidings_store_rollback (store);
      for (guint i = 0; i < jobs->len; i++)
        {
          Job *job = g_ptr_array_index (jobs, i);
          TidingsRefreshOutcome *outcome = job->outcome;

          g_free (outcome->error);
          outcome->error = g_strdup_printf (_("Could not save the feed: %s"),
                                            batch_error->message);
          outcome->status = TIDINGS_REFRESH_FAILED;
          memset (&outcome->stats, 0, sizeof outcome->stats);
        }
    }
  return g_ptr_array_ref (jobs);
}

/* ---- Icons ----
 *
 * Looked for in the background: a feed's look is queued once the feed is
 * stored, a few run beside the feeds still being fetched and more once none
 * are, and no run waits for them. What a look finds is stored in batches by
 * the writer. tidings_refresh_settle_icons_async() is how a caller that is
 * about to close the store waits for them, for a bounded time.
 */

typedef struct
{
  TidingsRefresh    *self;           /* a reference while the look is under way */
  gint64             subscription_id;
  char              *feed_url;
  char              *site_url;
  char              *icon_url;
  TidingsIcon       *stored;         /* its validators, no data; may be NULL */
} IconJob;

static void
icon_job_free (IconJob *job)
{
  g_free (job->feed_url);
  g_free (job->site_url);
  g_free (job->icon_url);
  g_clear_pointer (&job->stored, tidings_icon_free);
  g_free (job);
}

/* Drops @job from the queue's bookkeeping and frees it. */
static void
icon_job_done (TidingsRefresh *self,
               IconJob        *job)
{
  g_hash_table_remove (self->icon_ids, &job->subscription_id);
  icon_job_free (job);
}

static void start_icon_looks (TidingsRefresh *self);

static gboolean
icons_idle (TidingsRefresh *self)
{
  return self->icon_looks == 0 && g_queue_is_empty (&self->icon_queue)
         && !self->icons_writing && self->icons_found->len == 0;
}

static void
settle_free (Settle *settle)
{
  if (settle->grace != NULL)
    {
      g_source_destroy (settle->grace);
      g_source_unref (settle->grace);
    }
  g_free (settle);
}

/* Completes every settle_icons call once nothing is left to do. */
static void
icons_maybe_settled (TidingsRefresh *self)
{
  g_autoptr(GPtrArray) settling = NULL;

  if (self->settling->len == 0 || !icons_idle (self))
    return;
  settling = g_steal_pointer (&self->settling);
  self->settling = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < settling->len; i++)
    g_task_return_boolean (g_ptr_array_index (settling, i), TRUE);
}

static gpointer
store_icons (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  GPtrArray *icons = data;
  gboolean changed = FALSE;

  (void) error;
  for (guint i = 0; i < icons->len; i++)
    {
      TidingsIcon *icon = g_ptr_array_index (icons, i);
      g_autoptr(GError) local_error = NULL;

      if (!tidings_store_set_icon (store, icon, &local_error))
        g_debug ("Could not save the icon of subscription %" G_GINT64_FORMAT ": %s",
                 icon->subscription_id, local_error->message);
      else if (icon->data != NULL)
        changed = TRUE;
    }
  /* Not NULL, which would read as an error. */
  return GINT_TO_POINTER (changed ? 2 : 1);
}

static void write_icons (TidingsRefresh *self);

static void
icons_stored (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(TidingsRefresh) self = user_data;
  gpointer changed = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), res, NULL);

  self->icons_writing = FALSE;
  if (GPOINTER_TO_INT (changed) == 2)
    g_signal_emit (self, signals[SIGNAL_ICONS_CHANGED], 0);
  if (self->icons_found->len > 0)
    write_icons (self);
  else
    icons_maybe_settled (self);
}

static void
write_icons (TidingsRefresh *self)
{
  GPtrArray *icons = g_steal_pointer (&self->icons_found);

  self->icons_found = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_icon_free);
  self->icons_writing = TRUE;
  tidings_store_worker_call_async (self->worker, store_icons, icons,
                                   (GDestroyNotify) g_ptr_array_unref, NULL, icons_stored,
                                   g_object_ref (self));
}

static void
icon_looked (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  IconJob *job = user_data;
  g_autoptr(TidingsRefresh) self = g_steal_pointer (&job->self);
  g_autoptr(GError) error = NULL;
  TidingsIcon *icon = tidings_icon_fetch_finish (res, &error);

  self->icon_looks--;
  if (icon == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Not the feed's error: the feed is fine, it just has no icon we can
       * use. The look is remembered so that it is not made every time. A
       * cancelled look is not: the next run makes it again. */
      g_debug ("No icon for %s: %s", job->feed_url, error->message);
      icon = g_new0 (TidingsIcon, 1);
      icon->subscription_id = job->subscription_id;
      icon->fetched_at = g_get_real_time ();
    }
  if (icon != NULL)
    g_ptr_array_add (self->icons_found, icon);
  icon_job_done (self, job);

  if (self->icons_found->len > 0 && !self->icons_writing)
    write_icons (self);
  start_icon_looks (self);
  icons_maybe_settled (self);
}

static void
start_icon_looks (TidingsRefresh *self)
{
  guint limit = self->feed_runs > 0 ? ICON_LOOKS_BESIDE_FEEDS : ICON_LOOKS;
  IconJob *job;

  while (self->icon_looks < limit && (job = g_queue_pop_head (&self->icon_queue)) != NULL)
    {
      TidingsIconRequest request = { 0 };

      request.subscription_id = job->subscription_id;
      request.feed_url = job->feed_url;
      request.site_url = job->site_url;
      request.icon_url = job->icon_url;
      request.stored = job->stored;
      job->self = g_object_ref (self);
      self->icon_looks++;
      tidings_icon_fetch_async (self->fetcher, &request, self->icon_cancellable, icon_looked,
                                job);
    }
}

static TidingsIcon *
icon_validators (const TidingsIcon *stored)
{
  TidingsIcon *copy;

  if (stored == NULL)
    return NULL;
  copy = g_new0 (TidingsIcon, 1);
  copy->subscription_id = stored->subscription_id;
  copy->url = g_strdup (stored->url);
  copy->etag = g_strdup (stored->etag);
  copy->last_modified = g_strdup (stored->last_modified);
  copy->fetched_at = stored->fetched_at;
  copy->changed_at = stored->changed_at;
  return copy;
}

/* After @job's feed is stored: its icon, when none was looked for lately
 * and no look for it is waiting or under way. */
static void
maybe_look_for_icon (Run *run,
                     Job *job)
{
  TidingsRefresh *self = run->self;
  TidingsSubscription *subscription = job->subscription;
  TidingsFeed *feed = job->update->feed;
  const TidingsIcon *stored;
  IconJob *icon_job;

  if (!run->fetch_icons || job->outcome->status == TIDINGS_REFRESH_FAILED || run->icons == NULL
      || g_cancellable_is_cancelled (g_task_get_cancellable (run->task))
      || g_hash_table_contains (self->icon_ids, &subscription->id))
    return;
  stored = g_hash_table_lookup (run->icons, &subscription->id);
  if (!tidings_icon_is_due (stored, g_get_real_time ()))
    return;

  icon_job = g_new0 (IconJob, 1);
  icon_job->subscription_id = subscription->id;
  icon_job->stored = icon_validators (stored);
  icon_job->feed_url = g_strdup (job->update->new_url != NULL ? job->update->new_url
                                                              : subscription->url);
  /* This body's word when it was read, else what the store had. */
  if (feed != NULL && feed->home_page_url != NULL)
    icon_job->site_url = g_strdup (feed->home_page_url);
  else
    icon_job->site_url = g_strdup (subscription->site_url);
  if (feed != NULL && (feed->favicon != NULL || feed->icon != NULL))
    icon_job->icon_url = g_strdup (feed->favicon != NULL ? feed->favicon : feed->icon);
  else
    icon_job->icon_url = g_strdup (subscription->icon_url);
  g_hash_table_add (self->icon_ids, &icon_job->subscription_id);
  g_queue_push_tail (&self->icon_queue, icon_job);
}

static void
stored (GObject      *source,
        GAsyncResult *res,
        gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GError) error = NULL;

  jobs = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), res, &error);
  g_assert (jobs != NULL);
  run->writer_busy = FALSE;

  for (guint i = 0; i < jobs->len; i++)
    {
      Job *job = g_ptr_array_index (jobs, i);
      TidingsRefreshOutcome *outcome = job->outcome;

      if (outcome->status != TIDINGS_REFRESH_FAILED)
        {
          if (outcome->stats.added > 0)
            outcome->status = TIDINGS_REFRESH_NEW;
          else if (outcome->stats.updated > 0)
            outcome->status = TIDINGS_REFRESH_UPDATED;
          else
            outcome->status = TIDINGS_REFRESH_UNCHANGED;
        }

      run->summary.feeds++;
      if (outcome->status == TIDINGS_REFRESH_FAILED)
        run->summary.failed++;
      run->summary.new_articles += outcome->stats.added;
      run->summary.updated_articles += outcome->stats.updated;
      if (job->not_modified)
        run->summary.not_modified++;

      run->done++;
      run->outstanding--;
      maybe_look_for_icon (run, job);
      g_signal_emit (run->self, signals[SIGNAL_FEED_DONE], 0, outcome);
      g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, run->done, run->total);
    }

  feed_pipeline (run);
  start_icon_looks (run->self);
  if (run->waiting->len > 0)
    send_to_writer (run);
  else
    run_maybe_finish (run);
}

static void
send_to_writer (Run *run)
{
  GPtrArray *jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);

  g_assert (!run->writer_busy);

  for (guint i = 0; i < run->waiting->len; i++)
    {
      Job *job = g_ptr_array_index (run->waiting, i);
      TidingsSubscription *subscription = job->subscription;
      TidingsRefreshOutcome *outcome = g_new0 (TidingsRefreshOutcome, 1);

      outcome->subscription_id = subscription->id;
      outcome->url = g_strdup (subscription->url);
      outcome->new_url = g_strdup (job->update->new_url);
      if (job->update->feed != NULL && job->update->feed->title != NULL
          && subscription->title == NULL)
        outcome->title = g_strdup (job->update->feed->title);
      else
        outcome->title = g_strdup (subscription->title);
      outcome->error = g_strdup (job->update->error);
      outcome->status = job->update->error != NULL ? TIDINGS_REFRESH_FAILED
                                                   : TIDINGS_REFRESH_UNCHANGED;
      job->outcome = outcome;
      g_ptr_array_add (jobs, job);
    }
  g_ptr_array_set_size (run->waiting, 0);

  run->writer_busy = TRUE;
  tidings_store_worker_call_async (run->self->worker, store_batch, jobs,
                                   (GDestroyNotify) g_ptr_array_unref, NULL, stored, run);
}

static gpointer
store_backoffs (TidingsStore  *store,
                gpointer       data,
                GError       **error)
{
  GHashTable *backoffs = data;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, backoffs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!tidings_store_set_host_backoff (store, key, *(gint64 *) value, error))
      return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
backoffs_stored (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  GTask *task = run->task;

  if (tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), res, &error) == NULL)
    g_warning ("Could not save the hosts that asked to wait: %s", error->message);

  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
run_maybe_finish (Run *run)
{
  GHashTable *backoffs;

  if (run->outstanding > 0 || run->writer_busy || run->finishing
      || run->next < run->subscriptions->len)
    return;
  run->finishing = TRUE;

  /* The feeds are in: the icons may have every connection now, unless the
   * run was called off, which calls them off too. */
  run->self->feed_runs--;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (run->task)))
    tidings_refresh_cancel_icons (run->self);
  else
    start_icon_looks (run->self);

  backoffs = tidings_fetcher_get_backoffs (run->self->fetcher);
  tidings_store_worker_call_async (run->self->worker, store_backoffs, backoffs,
                                   (GDestroyNotify) g_hash_table_unref, NULL,
                                   backoffs_stored, run);
}

/* Hands the fetcher more subscriptions while fewer than PIPELINE_WINDOW are
 * on their way through. */
static void
feed_pipeline (Run *run)
{
  TidingsRefresh *self = run->self;
  GCancellable *cancellable = g_task_get_cancellable (run->task);

  while (run->outstanding < PIPELINE_WINDOW && run->next < run->subscriptions->len)
    {
      TidingsSubscription *subscription = g_ptr_array_index (run->subscriptions, run->next++);
      TidingsFetchRequest request = { 0 };
      Job *job;

      if (subscription->gone)
        continue;

      job = g_new0 (Job, 1);
      job->run = run;
      job->subscription = subscription;
      request.url = subscription->url;
      request.etag = subscription->etag;
      request.last_modified = subscription->last_modified;
      request.previous_hash = subscription->content_hash;
      run->outstanding++;
      tidings_fetcher_fetch_async (self->fetcher, &request, cancellable, fetched, job);
    }
}

static gpointer
load_backoffs (TidingsStore  *store,
               gpointer       data,
               GError       **error)
{
  (void) data;
  return tidings_store_get_host_backoffs (store, g_get_real_time (), error);
}

static gpointer
load_icons (TidingsStore  *store,
            gpointer       data,
            GError       **error)
{
  (void) data;
  return tidings_store_list_icons (store, error);
}

static void backoffs_loaded (GObject      *source,
                             GAsyncResult *res,
                             gpointer      user_data);

/* First what icons there are, then the back-offs, then the feeds. */
static void
icons_loaded (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  /* Without them, no icon is looked for this time. */
  run->icons = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), res, &error);
  if (run->icons == NULL)
    g_warning ("Could not read the feeds' icons: %s", error->message);
  tidings_store_worker_call_async (run->self->worker, load_backoffs, NULL, NULL, NULL,
                                   backoffs_loaded, run);
}

static void
backoffs_loaded (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  Run *run = user_data;
  TidingsRefresh *self = run->self;
  g_autoptr(GHashTable) backoffs = NULL;
  g_autoptr(GError) error = NULL;

  backoffs = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), res, &error);
  if (backoffs == NULL)
    g_warning ("Could not read the hosts that asked to wait: %s", error->message);
  else
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, backoffs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        tidings_fetcher_set_backoff (self->fetcher, key, *(gint64 *) value);
    }

  for (guint i = 0; i < run->subscriptions->len; i++)
    {
      TidingsSubscription *subscription = g_ptr_array_index (run->subscriptions, i);

      if (!subscription->gone)
        run->total++;
    }
  feed_pipeline (run);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0, run->total);
  run_maybe_finish (run);
}

/* Orders @subscriptions so that hosts take turns, a few feeds at a time:
 * turns, because with a window of feeds in flight a long run of one host
 * would leave the per-host cap as the only limit and most connections idle;
 * a few at a time, so that the fetcher can send them down one kept-alive
 * connection. Order within a host is kept. */
static GPtrArray *
interleave_hosts (GPtrArray *subscriptions)
{
  g_autoptr(GHashTable) by_host = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *ordered = g_ptr_array_sized_new (subscriptions->len);
  gboolean more = TRUE;

  for (guint i = 0; i < subscriptions->len; i++)
    {
      TidingsSubscription *subscription = g_ptr_array_index (subscriptions, i);
      g_autofree char *host = tidings_fetcher_host_of (subscription->url);
      GPtrArray *queue;

      if (host == NULL)
        host = g_strdup ("");
      queue = g_hash_table_lookup (by_host, host);
      if (queue == NULL)
        {
          queue = g_ptr_array_new ();
          g_ptr_array_add (hosts, queue);
          g_hash_table_insert (by_host, g_steal_pointer (&host), queue);
        }
      g_ptr_array_add (queue, subscription);
    }

  for (guint start = 0; more; start += HOST_RUN)
    {
      more = FALSE;
      for (guint h = 0; h < hosts->len; h++)
        {
          GPtrArray *queue = g_ptr_array_index (hosts, h);

          for (guint i = start; i < MIN (start + HOST_RUN, queue->len); i++)
            {
              g_ptr_array_add (ordered, g_ptr_array_index (queue, i));
              more = TRUE;
            }
        }
    }
  return ordered;
}

void
tidings_refresh_run_async (TidingsRefresh      *self,
                           GPtrArray           *subscriptions,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Run *run;
  guint threads;

  g_return_if_fail (TIDINGS_IS_REFRESH (self));
  g_return_if_fail (subscriptions != NULL);

  run = g_new0 (Run, 1);
  run->self = g_object_ref (self);
  run->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (run->task, tidings_refresh_run_async);
  run->context = g_main_context_ref_thread_default ();
  run->owned = g_ptr_array_ref (subscriptions);
  run->subscriptions = interleave_hosts (subscriptions);
  run->waiting = g_ptr_array_new ();
  run->fetch_icons = self->fetch_icons;
  self->feed_runs++;
  /* Taken now: the parse threads read it, and the setter runs on the
   * caller's thread. */
  run->default_interval = self->default_interval > 0 ? self->default_interval
                                                     : DEFAULT_INTERVAL_MINUTES;

  /* Parsing is CPU work: one thread per core, the main context being mostly
   * idle while it waits on sockets. */
  threads = CLAMP (g_get_num_processors (), 1, PARSE_THREADS_MAX);
  run->parse_pool = g_thread_pool_new (parse_job, NULL, (int) threads, FALSE, NULL);

  if (run->fetch_icons)
    tidings_store_worker_call_async (self->worker, load_icons, NULL, NULL, NULL,
                                     icons_loaded, run);
  else
    tidings_store_worker_call_async (self->worker, load_backoffs, NULL, NULL, NULL,
                                     backoffs_loaded, run);
}

gboolean
tidings_refresh_run_finish (TidingsRefresh         *self,
                            GAsyncResult           *result,
                            TidingsRefreshSummary  *summary,
                            GError                **error)
{
  Run *run;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (summary != NULL && run != NULL)
    *summary = run->summary;
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tidings_refresh_cancel_icons (TidingsRefresh *self)
{
  IconJob *job;

  g_return_if_fail (TIDINGS_IS_REFRESH (self));

  while ((job = g_queue_pop_head (&self->icon_queue)) != NULL)
    icon_job_done (self, job);
  /* The looks under way come back cancelled; later ones get a fresh one. */
  g_cancellable_cancel (self->icon_cancellable);
  g_object_unref (self->icon_cancellable);
  self->icon_cancellable = g_cancellable_new ();
  icons_maybe_settled (self);
}

static gboolean
settle_grace_over (gpointer user_data)
{
  GTask *task = user_data;
  Settle *settle = g_task_get_task_data (task);

  g_clear_pointer (&settle->grace, g_source_unref);
  tidings_refresh_cancel_icons (g_task_get_source_object (task));
  return G_SOURCE_REMOVE;
}

void
tidings_refresh_settle_icons_async (TidingsRefresh      *self,
                                    guint                grace_ms,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Settle *settle;

  g_return_if_fail (TIDINGS_IS_REFRESH (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, tidings_refresh_settle_icons_async);
  if (icons_idle (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  settle = g_new0 (Settle, 1);
  g_task_set_task_data (task, settle, (GDestroyNotify) settle_free);
  if (grace_ms != G_MAXUINT)
    {
      /* The task outlives its timer: settle_free() destroys it. */
      settle->grace = g_timeout_source_new (grace_ms);
      g_source_set_callback (settle->grace, settle_grace_over, task, NULL);
      g_source_attach (settle->grace, g_main_context_get_thread_default ());
    }
  g_ptr_array_add (self->settling, g_steal_pointer (&task));
}

gboolean
tidings_refresh_settle_icons_finish (TidingsRefresh  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tidings_refresh_set_fetch_icons (TidingsRefresh *self,
                                 gboolean        fetch_icons)
{
  g_return_if_fail (TIDINGS_IS_REFRESH (self));

  self->fetch_icons = !!fetch_icons;
}

void
tidings_refresh_set_default_interval (TidingsRefresh *self,
                                      guint           minutes)
{
  g_return_if_fail (TIDINGS_IS_REFRESH (self));

  self->default_interval = minutes;
}

static void
tidings_refresh_dispose (GObject *object)
{
  TidingsRefresh *self = TIDINGS_REFRESH (object);

  /* Every look under way and every settle call holds a reference. */
  g_assert (self->icon_looks == 0 && !self->icons_writing && self->settling->len == 0);
  g_queue_clear_full (&self->icon_queue, (GDestroyNotify) icon_job_free);
  g_hash_table_remove_all (self->icon_ids);
  g_clear_object (&self->worker);
  g_clear_object (&self->fetcher);

  G_OBJECT_CLASS (tidings_refresh_parent_class)->dispose (object);
}

static void
tidings_refresh_finalize (GObject *object)
{
  TidingsRefresh *self = TIDINGS_REFRESH (object);

  g_hash_table_unref (self->icon_ids);
  g_object_unref (self->icon_cancellable);
  g_ptr_array_unref (self->icons_found);
  g_ptr_array_unref (self->settling);

  G_OBJECT_CLASS (tidings_refresh_parent_class)->finalize (object);
}

static void
tidings_refresh_class_init (TidingsRefreshClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tidings_refresh_dispose;
  object_class->finalize = tidings_refresh_finalize;

  signals[SIGNAL_FEED_DONE] =
    g_signal_new ("feed-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_ICONS_CHANGED] =
    g_signal_new ("icons-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
tidings_refresh_init (TidingsRefresh *self)
{
  g_queue_init (&self->icon_queue);
  self->icon_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->icon_cancellable = g_cancellable_new ();
  self->icons_found = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_icon_free);
  self->settling = g_ptr_array_new_with_free_func (g_object_unref);
}

TidingsRefresh *
tidings_refresh_new (TidingsStoreWorker *worker,
                     TidingsFetcher     *fetcher)
{
  TidingsRefresh *self;

  g_return_val_if_fail (TIDINGS_IS_STORE_WORKER (worker), NULL);
  g_return_val_if_fail (TIDINGS_IS_FETCHER (fetcher), NULL);

  self = g_object_new (TIDINGS_TYPE_REFRESH, NULL);
  self->worker = g_object_ref (worker);
  self->fetcher = g_object_ref (fetcher);
  return self;
}
