/* tidings-fetcher.c: polite concurrent HTTP fetching of feeds (libsoup3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Requests wait in one queue per host; hosts with work and a free slot take
 * turns (round robin), so a thousand feeds on one host never hold more than
 * max_per_host connections while a thousand hosts fill all max_connections.
 * The SoupSession caps are set to the same numbers as a second fence.
 *
 * Each request is a chain of hops (one per redirect). A hop has its own
 * GCancellable, chained to the request's: the caller's cancellable and the
 * timeouts cancel the request, and ending a hop early (a redirect, an error
 * status, a body over the cap) cancels only the hop, which makes libsoup drop
 * that connection instead of reading the rest of an unwanted body. Both
 * timeouts run per hop: connecting (until the request is on the wire) and
 * the whole exchange (until the last byte of the body).
 *
 * A host, for the caps and for back-off, is the host name in lower case
 * without its port: two ports of one machine are one publisher to be polite
 * to (see tidings_fetcher_host_of()).
 */

#define G_LOG_DOMAIN "tidings-fetch"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>

#include "tidings-fetcher.h"

G_DEFINE_QUARK (tidings-fetch-error-quark, tidings_fetch_error)

#define USER_AGENT "Tidings/" PACKAGE_VERSION " (+https://github.com/tidings/tidings)"
#define ACCEPT "application/rss+xml, application/atom+xml, application/feed+json, " \
               "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, " \
               "application/json;q=0.8, text/html;q=0.5, */*;q=0.3"
/* libsoup offers br over https only (some middleboxes mangle it on plain
 * http); feeds are small text and brotli is worth having on both. */
#define ACCEPT_ENCODING "gzip, deflate, br"

#define READ_CHUNK (64 * 1024)
/* Not named in libsoup 3.2. */
#define STATUS_TOO_MANY_REQUESTS 429
/* A 429 that does not say how long to wait. */
#define DEFAULT_BACKOFF_SECONDS (30 * 60)
/* Nobody gets to switch a feed off for longer than a day. */
#define MAX_BACKOFF_SECONDS (24 * 60 * 60)

typedef enum
{
  STOP_NONE,
  STOP_CANCELLED,
  STOP_CONNECT_TIMEOUT,
  STOP_TIMEOUT,
} StopReason;

typedef struct
{
  char     *name;
  GQueue    waiting;        /* Job, linked by Job.link */
  guint     running;
  gboolean  ready;          /* linked into TidingsFetcher.ready */
  GList     ready_link;
  gint64    backoff_until;  /* µs since the epoch, 0 when none */
} Host;

typedef struct
{
  TidingsFetcher *self;      /* the task holds the reference */
  GTask          *task;
  GList           link;      /* in Host.waiting */
  Host           *host;      /* of the current address */
  gboolean        running;   /* holds a connection slot */

  char           *url;
  GUri           *uri;       /* the current address */
  char           *etag;
  char           *last_modified;
  char           *previous_hash;
  gsize           max_body;  /* the request's cap, or the fetcher's */
  char           *accept;

  GCancellable   *cancellable;          /* the whole request */
  GCancellable   *caller_cancellable;
  gulong          caller_handler;
  GSource        *queued_source;        /* cancellation while waiting */
  int             stop_reason;          /* StopReason, atomic */

  GHashTable     *visited;
  guint           n_redirects;
  gboolean        all_permanent;

  /* The current hop. */
  GCancellable   *hop_cancellable;
  gulong          hop_handler;
  SoupMessage    *msg;
  GInputStream   *stream;
  GByteArray     *body;
  GChecksum      *checksum;
  GSource        *connect_timer;
  GSource        *timer;
} Job;

struct _TidingsFetcher
{
  GObject                parent_instance;

  TidingsFetcherOptions  options;
  SoupSession           *session;
  GMainContext          *context;

  GHashTable            *hosts;     /* name -> Host */
  GQueue                 ready;     /* Host with waiting jobs and a free slot */
  guint                  running;
  gboolean               pumping;
  gboolean               repump;
};

G_DEFINE_FINAL_TYPE (TidingsFetcher, tidings_fetcher, G_TYPE_OBJECT)

static void pump       (TidingsFetcher *self);
static void start_hop  (Job *job);
static void enqueue    (TidingsFetcher *self,
                        Job            *job,
                        gboolean        at_head);
static void host_back_off (TidingsFetcher *self,
                           Host           *host,
                           gint64          until);

void
tidings_fetcher_options_init (TidingsFetcherOptions *options)
{
  g_return_if_fail (options != NULL);

  options->max_connections = 8;
  options->max_per_host = 2;
  options->connect_timeout = 15;
  options->timeout = 30;
  options->max_body = 20 * 1000 * 1000;
  options->max_redirects = 10;
}

const char *
tidings_fetcher_user_agent (void)
{
  return USER_AGENT;
}

void
tidings_fetch_result_free (TidingsFetchResult *result)
{
  if (result == NULL)
    return;

  g_free (result->url);
  g_free (result->final_url);
  g_free (result->permanent_url);
  g_clear_pointer (&result->body, g_bytes_unref);
  g_free (result->body_hash);
  g_free (result->content_type);
  g_free (result->charset);
  g_free (result->etag);
  g_free (result->last_modified);
  g_free (result);
}

/* Addresses */

static GUri *
parse_http_uri (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme, *host;

  if (url == NULL)
    return NULL;
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (scheme == NULL
      || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    return NULL;
  if (host == NULL || host[0] == '\0')
    return NULL;
  return g_steal_pointer (&uri);
}

/* The host as the caps and back-off see it: lower case, without a trailing
 * dot and without the port, since two ports of one machine are still one
 * publisher to be polite to. */
static char *
host_key (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  g_autofree char *ascii = NULL;
  gsize len;

  if (g_hostname_is_non_ascii (host))
    ascii = g_hostname_to_ascii (host);
  if (ascii == NULL)
    ascii = g_strdup (host);
  len = strlen (ascii);
  if (len > 1 && ascii[len - 1] == '.')
    ascii[len - 1] = '\0';
  return g_ascii_strdown (ascii, -1);
}

char *
tidings_fetcher_host_of (const char *url)
{
  g_autoptr(GUri) uri = parse_http_uri (url);

  return uri ? host_key (uri) : NULL;
}

/* Sentences */

static char *
format_size (gsize size)
{
  g_autofree char *number = NULL;

  if (size >= 1000 * 1000 && size % (1000 * 1000) == 0)
    {
      number = g_strdup_printf ("%" G_GSIZE_FORMAT, size / (1000 * 1000));
      /* Translators: a size in megabytes (1 000 000 bytes), as in “The feed is
       * larger than 10 MB”; %s is the number. */
      return g_strdup_printf (_("%s MB"), number);
    }
  if (size >= 1000 && size % 1000 == 0)
    {
      number = g_strdup_printf ("%" G_GSIZE_FORMAT, size / 1000);
      /* Translators: a size in kilobytes (1000 bytes); %s is the number. */
      return g_strdup_printf (_("%s kB"), number);
    }
  return g_format_size (size);
}

static char *
format_until (gint64 until)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (until / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (then == NULL)
    return g_strdup ("?");
  if (g_date_time_get_year (then) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (then) == g_date_time_get_day_of_year (now))
    /* Translators: the time of day of the next try, as in “example.org asked
     * us to wait; next try after 14:05”, in g_date_time_format() notation. */
    return g_date_time_format (then, C_("back-off time", "%H:%M"));
  /* Translators: the date and time of the next try, in g_date_time_format()
   * notation. */
  return g_date_time_format (then, C_("back-off time", "%Y-%m-%d %H:%M"));
}

static GError *
backoff_error (Host *host)
{
  g_autofree char *when = format_until (host->backoff_until);

  /* Translators: the first %s is a host name (example.org), the second a time
   * or date and time. */
  return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_BACKOFF,
                      _("%s asked us to wait; next try after %s"), host->name, when);
}

static const char *
status_phrase (SoupMessage *msg,
               guint        status)
{
  const char *phrase = soup_status_get_phrase (status);

  if (phrase == NULL || g_str_equal (phrase, "Unknown Error"))
    phrase = soup_message_get_reason_phrase (msg);
  return phrase ? phrase : "";
}

static GError *
tls_error (Job          *job,
           const GError *error)
{
  const char *host = g_uri_get_host (job->uri);
  GTlsCertificateFlags flags = job->msg ? soup_message_get_tls_peer_certificate_errors (job->msg)
                                        : 0;

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) || flags != 0)
    {
      if (flags & G_TLS_CERTIFICATE_EXPIRED)
        return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TLS,
                            _("The certificate of %s has expired"), host);
      if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
        return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TLS,
                            _("The certificate of %s is not valid yet"), host);
      if (flags & G_TLS_CERTIFICATE_REVOKED)
        return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TLS,
                            _("The certificate of %s has been revoked"), host);
      if ((flags & G_TLS_CERTIFICATE_BAD_IDENTITY) && !(flags & G_TLS_CERTIFICATE_UNKNOWN_CA))
        return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TLS,
                            _("The certificate presented by %s is for another site"), host);
      return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TLS,
                          _("Certificate not trusted for %s"), host);
    }
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED))
    return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TLS,
                        _("%s asks for a client certificate"), host);
  return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TLS,
                      _("Could not make a secure connection to %s: %s"), host, error->message);
}

/* Turns whatever GIO, the resolver, TLS or libsoup said into a sentence. */
static GError *
translate_error (Job          *job,
                 const GError *error)
{
  TidingsFetcher *self = job->self;
  const char *host = g_uri_get_host (job->uri);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      switch (g_atomic_int_get (&job->stop_reason))
        {
        case STOP_CONNECT_TIMEOUT:
          /* Translators: %s is a host name, %u a number of seconds. */
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT_TIMEOUT,
                              _("Could not connect to %s within %u s"),
                              host, self->options.connect_timeout);
        case STOP_TIMEOUT:
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_TIMEOUT,
                              _("The server took longer than %u s to answer"),
                              self->options.timeout);
        default:
          return g_error_new_literal (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED,
                                      _("The download was cancelled"));
        }
    }

  if (error->domain == G_RESOLVER_ERROR
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_RESOLVE,
                        _("Could not find the server %s"), host);

  if (error->domain == G_TLS_ERROR)
    return tls_error (job, error);

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CONNECTION_REFUSED:
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT,
                              _("Could not connect to %s: connection refused"), host);
        case G_IO_ERROR_HOST_UNREACHABLE:
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT,
                              _("Could not connect to %s: the host is unreachable"), host);
        case G_IO_ERROR_NETWORK_UNREACHABLE:
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT,
                              _("Could not connect to %s: the network is unreachable"), host);
        case G_IO_ERROR_TIMED_OUT:
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT_TIMEOUT,
                              _("Could not connect to %s: the connection timed out"), host);
        case G_IO_ERROR_PROXY_FAILED:
        case G_IO_ERROR_PROXY_AUTH_FAILED:
        case G_IO_ERROR_PROXY_NEED_AUTH:
        case G_IO_ERROR_PROXY_NOT_ALLOWED:
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT,
                              _("Could not connect to %s through the proxy: %s"),
                              host, error->message);
        case G_IO_ERROR_PARTIAL_INPUT:
        case G_IO_ERROR_CONNECTION_CLOSED:   /* also G_IO_ERROR_BROKEN_PIPE */
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_NETWORK,
                              _("The connection to %s broke off before the whole answer arrived"),
                              host);
        case G_IO_ERROR_INVALID_DATA:
          return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_NETWORK,
                              _("%s sent a compressed answer that cannot be decoded"), host);
        default:
          break;
        }
    }

  if (error->domain == SOUP_SESSION_ERROR
      && (error->code == SOUP_SESSION_ERROR_PARSING || error->code == SOUP_SESSION_ERROR_ENCODING))
    return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_NETWORK,
                        _("%s sent an answer that is not valid HTTP"), host);

  return g_error_new (TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_NETWORK,
                      _("Could not download from %s: %s"), host, error->message);
}

/* Hosts and back-off */

static void
host_free (gpointer data)
{
  Host *host = data;

  g_assert (host->waiting.length == 0 && host->running == 0);
  g_free (host->name);
  g_free (host);
}

static Host *
get_host (TidingsFetcher *self,
          const char     *name)
{
  Host *host = g_hash_table_lookup (self->hosts, name);

  if (host == NULL)
    {
      host = g_new0 (Host, 1);
      host->name = g_strdup (name);
      host->ready_link.data = host;
      g_hash_table_insert (self->hosts, host->name, host);
    }
  return host;
}

static gboolean
host_backed_off (Host *host)
{
  return host->backoff_until > g_get_real_time ();
}

/* Puts @host in line for a slot when it has work and room for it. */
static void
host_make_ready (TidingsFetcher *self,
                 Host           *host)
{
  if (!host->ready && host->waiting.length > 0 && host->running < self->options.max_per_host)
    {
      g_queue_push_tail_link (&self->ready, &host->ready_link);
      host->ready = TRUE;
    }
}

static void
host_unready (TidingsFetcher *self,
              Host           *host)
{
  if (host->ready)
    {
      g_queue_unlink (&self->ready, &host->ready_link);
      host->ready = FALSE;
    }
}

/* Jobs */

static void
job_free (Job *job)
{
  g_assert (job->link.prev == NULL && job->link.next == NULL && !job->running);
  g_assert (job->queued_source == NULL && job->timer == NULL && job->connect_timer == NULL);
  g_assert (job->msg == NULL && job->stream == NULL && job->hop_cancellable == NULL);

  g_free (job->url);
  g_clear_pointer (&job->uri, g_uri_unref);
  g_free (job->etag);
  g_free (job->last_modified);
  g_free (job->previous_hash);
  g_free (job->accept);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->caller_cancellable);
  g_clear_pointer (&job->visited, g_hash_table_unref);
  g_clear_pointer (&job->body, g_byte_array_unref);
  g_clear_pointer (&job->checksum, g_checksum_free);
  g_free (job);
}

static void
stop_timers (Job *job)
{
  if (job->connect_timer != NULL)
    {
      g_source_destroy (job->connect_timer);
      g_clear_pointer (&job->connect_timer, g_source_unref);
    }
  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_clear_pointer (&job->timer, g_source_unref);
    }
}

/* Ends the current hop. Unless its body was read to the end, the hop is
 * cancelled first, so that closing the stream drops the connection at once
 * rather than reading (or waiting for) the rest. */
static void
end_hop (Job      *job,
         gboolean  complete)
{
  stop_timers (job);
  if (job->msg != NULL)
    g_signal_handlers_disconnect_by_data (job->msg, job);
  if (job->hop_cancellable != NULL)
    {
      g_cancellable_disconnect (job->cancellable, job->hop_handler);
      job->hop_handler = 0;
      if (!complete)
        g_cancellable_cancel (job->hop_cancellable);
    }
  if (job->stream != NULL)
    g_input_stream_close_async (job->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&job->stream);
  g_clear_object (&job->msg);
  g_clear_object (&job->hop_cancellable);
}

static void
release_slot (TidingsFetcher *self,
              Host           *host)
{
  g_assert (host->running > 0 && self->running > 0);
  host->running--;
  self->running--;

  /* The slot goes to the same host first when it has more waiting: its
   * connection is open and idle now, and reusing it saves a TCP (and TLS)
   * handshake. The per-host cap still bounds what one host can take. */
  if (host->waiting.length > 0 && host->running < self->options.max_per_host)
    {
      host_unready (self, host);
      g_queue_push_head_link (&self->ready, &host->ready_link);
      host->ready = TRUE;
    }
}

static void
job_release_slot (Job *job)
{
  if (!job->running)
    return;
  job->running = FALSE;
  release_slot (job->self, job->host);
}

static void
job_unqueue (Job *job)
{
  if (job->queued_source != NULL)
    {
      g_source_destroy (job->queued_source);
      g_clear_pointer (&job->queued_source, g_source_unref);
    }
  if (job->link.prev != NULL || job->link.next != NULL || job->host->waiting.head == &job->link)
    {
      g_queue_unlink (&job->host->waiting, &job->link);
      if (job->host->waiting.length == 0)
        host_unready (job->self, job->host);
    }
}

/* Hands @result or @error (both owned) to the caller and frees @job. */
static void
job_complete (Job                *job,
              TidingsFetchResult *result,
              GError             *error)
{
  g_autoptr(TidingsFetcher) self = g_object_ref (job->self);
  GTask *task = job->task;

  g_assert ((result == NULL) != (error == NULL));

  end_hop (job, result != NULL);
  job_unqueue (job);
  job_release_slot (job);
  if (job->caller_handler != 0)
    g_cancellable_disconnect (job->caller_cancellable, job->caller_handler);
  job->caller_handler = 0;

  if (error != NULL)
    g_debug ("%s: %s", job->url, error->message);
  else
    g_debug ("%s: %u%s", job->url, result->status, result->not_modified ? ", not modified" : "");

  job_free (job);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) tidings_fetch_result_free);
  g_object_unref (task);

  pump (self);
}

static void
job_fail (Job          *job,
          guint         code,
          const char   *format,
          ...) G_GNUC_PRINTF (3, 4);

static void
job_fail (Job          *job,
          guint         code,
          const char   *format,
          ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (TIDINGS_FETCH_ERROR, code, format, args);
  va_end (args);
  job_complete (job, NULL, error);
}

static void
job_fail_with (Job          *job,
               const GError *error)
{
  job_complete (job, NULL, translate_error (job, error));
}

/* Records why the request stops; the first reason wins. */
static void
job_stop (Job        *job,
          StopReason  reason)
{
  g_atomic_int_compare_and_exchange (&job->stop_reason, STOP_NONE, reason);
  g_cancellable_cancel (job->cancellable);
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  /* May run in any thread: only atomic and thread-safe calls here. */
  job_stop (user_data, STOP_CANCELLED);
}

static gboolean
on_queued_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "");

  g_clear_pointer (&job->queued_source, g_source_unref);
  job_fail_with (job, error);
  return G_SOURCE_REMOVE;
}

/* The queue */

static void
enqueue (TidingsFetcher *self,
         Job            *job,
         gboolean        at_head)
{
  g_autofree char *name = host_key (job->uri);

  g_assert (!job->running);
  job->host = get_host (self, name);

  if (host_backed_off (job->host))
    {
      job_complete (job, NULL, backoff_error (job->host));
      return;
    }
  if (g_cancellable_is_cancelled (job->cancellable))
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "");

      job_fail_with (job, error);
      return;
    }

  if (at_head)
    g_queue_push_head_link (&job->host->waiting, &job->link);
  else
    g_queue_push_tail_link (&job->host->waiting, &job->link);

  job->queued_source = g_cancellable_source_new (job->cancellable);
  g_source_set_callback (job->queued_source, G_SOURCE_FUNC (on_queued_cancelled), job, NULL);
  g_source_attach (job->queued_source, self->context);

  host_make_ready (self, job->host);
  pump (self);
}

static void
pump (TidingsFetcher *self)
{
  /* A job finishing inside the loop may call back into us. */
  if (self->pumping)
    {
      self->repump = TRUE;
      return;
    }
  self->pumping = TRUE;

  do
    {
      self->repump = FALSE;
      while (self->running < self->options.max_connections && self->ready.length > 0)
        {
          Host *host = g_queue_peek_head (&self->ready);
          GList *link;
          Job *job;

          host_unready (self, host);
          if (host->waiting.length == 0 || host->running >= self->options.max_per_host)
            continue;

          link = g_queue_pop_head_link (&host->waiting);
          job = link->data;
          if (job->queued_source != NULL)
            {
              g_source_destroy (job->queued_source);
              g_clear_pointer (&job->queued_source, g_source_unref);
            }
          if (host_backed_off (host))
            {
              job_complete (job, NULL, backoff_error (host));
              host_back_off (self, host, host->backoff_until);
              continue;
            }

          job->running = TRUE;
          host->running++;
          self->running++;
          /* Back in line behind the other hosts: turns, not bursts. */
          host_make_ready (self, host);
          start_hop (job);
        }
    }
  while (self->repump);

  self->pumping = FALSE;
}

/* Backs @host off until @until, failing the requests waiting for it. */
static void
host_back_off (TidingsFetcher *self,
               Host           *host,
               gint64          until)
{
  host->backoff_until = until;
  if (!host_backed_off (host))
    return;

  g_debug ("Backing %s off until %" G_GINT64_FORMAT, host->name, until);
  host_unready (self, host);
  while (host->waiting.length > 0)
    {
      Job *job = g_queue_peek_head (&host->waiting);

      job_complete (job, NULL, backoff_error (host));
    }
}

/* One hop */

static gboolean
on_connect_timeout (gpointer user_data)
{
  Job *job = user_data;

  g_clear_pointer (&job->connect_timer, g_source_unref);
  job_stop (job, STOP_CONNECT_TIMEOUT);
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (gpointer user_data)
{
  Job *job = user_data;

  g_clear_pointer (&job->timer, g_source_unref);
  job_stop (job, STOP_TIMEOUT);
  return G_SOURCE_REMOVE;
}

static GSource *
add_timer (TidingsFetcher *self,
           guint           seconds,
           GSourceFunc     func,
           Job            *job)
{
  GSource *source = g_timeout_source_new (seconds * 1000);

  g_source_set_callback (source, func, job, NULL);
  g_source_attach (source, self->context);
  return source;
}

/* Connected: from now on only the total timeout applies. */
static void
connected (Job *job)
{
  if (job->connect_timer != NULL)
    {
      g_source_destroy (job->connect_timer);
      g_clear_pointer (&job->connect_timer, g_source_unref);
    }
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_COMPLETE)
    connected (user_data);
}

static void
on_wrote_headers (SoupMessage *msg,
                  gpointer     user_data)
{
  /* A kept-alive connection sends no network events at all. */
  connected (user_data);
}

static void
on_hop_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  /* Safe from any thread, and never completes the job from inside this
   * handler: GTask defers the callbacks of cancelled operations to the next
   * main loop iteration. */
  g_cancellable_cancel (user_data);
}

static void
fill_headers (TidingsFetchResult *result,
              SoupMessageHeaders *headers)
{
  g_autoptr(GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (headers, &params);
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  const char *last_modified = soup_message_headers_get_one (headers, "Last-Modified");
  const char *cache_control = soup_message_headers_get_list (headers, "Cache-Control");

  if (type != NULL)
    {
      const char *charset = params ? g_hash_table_lookup (params, "charset") : NULL;

      result->content_type = g_ascii_strdown (type, -1);
      if (charset != NULL && charset[0] != '\0')
        result->charset = g_ascii_strdown (charset, -1);
    }
  if (etag != NULL && etag[0] != '\0')
    result->etag = g_strdup (etag);
  if (last_modified != NULL && last_modified[0] != '\0')
    result->last_modified = g_strdup (last_modified);

  result->max_age = -1;
  if (cache_control != NULL)
    {
      GHashTable *directives = soup_header_parse_param_list (cache_control);
      const char *max_age = g_hash_table_lookup (directives, "max-age");
      guint64 seconds;

      if (max_age != NULL && g_ascii_string_to_unsigned (max_age, 10, 0, G_MAXINT64, &seconds, NULL))
        result->max_age = seconds;
      soup_header_free_param_list (directives);
    }
}

static TidingsFetchResult *
new_result (Job  *job,
            guint status)
{
  TidingsFetchResult *result = g_new0 (TidingsFetchResult, 1);

  result->url = g_strdup (job->url);
  result->final_url = g_uri_to_string (job->uri);
  if (job->n_redirects > 0 && job->all_permanent)
    result->permanent_url = g_strdup (result->final_url);
  result->status = status;
  fill_headers (result, soup_message_get_response_headers (job->msg));
  return result;
}

/* libsoup 3.2 takes a connection closed before Content-Length bytes for a
 * normal end of the body; count the bytes that came off the wire. */
static gboolean
body_truncated (Job *job)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (job->msg);
  SoupMessageMetrics *metrics = soup_message_get_metrics (job->msg);
  goffset expected;
  guint64 received;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return FALSE;
  expected = soup_message_headers_get_content_length (headers);
  if (metrics != NULL)
    received = soup_message_metrics_get_response_body_size (metrics);
  else if (soup_message_headers_get_one (headers, "Content-Encoding") == NULL)
    received = job->body->len;
  else
    return FALSE;
  return received < (guint64) expected;
}

static void
finish_body (Job *job)
{
  TidingsFetchResult *result;
  const char *hash;

  if (body_truncated (job))
    {
      job_fail (job, TIDINGS_FETCH_ERROR_NETWORK,
                _("The connection to %s broke off before the whole answer arrived"),
                g_uri_get_host (job->uri));
      return;
    }

  result = new_result (job, soup_message_get_status (job->msg));
  hash = g_checksum_get_string (job->checksum);

  result->body_hash = g_strdup (hash);
  if (job->previous_hash != NULL && g_ascii_strcasecmp (job->previous_hash, hash) == 0)
    result->not_modified = TRUE;
  else
    result->body = g_byte_array_free_to_bytes (g_steal_pointer (&job->body));
  job_complete (job, result, NULL);
}

static void
fail_too_large (Job *job)
{
  g_autofree char *size = format_size (job->max_body);

  if (job->accept != NULL)
    /* Translators: %s is a size, e.g. “256 kB”; the file is a feed's icon or web page. */
    job_fail (job, TIDINGS_FETCH_ERROR_TOO_LARGE, _("The file is larger than %s"), size);
  else
    job_fail (job, TIDINGS_FETCH_ERROR_TOO_LARGE, _("The feed is larger than %s"), size);
}

static void
on_read (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res, &error);
  gsize len;

  if (bytes == NULL)
    {
      job_fail_with (job, error);
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0)
    {
      finish_body (job);
      return;
    }

  /* The cap counts decoded bytes, which is what defuses compression bombs. */
  if (len > job->max_body - job->body->len)
    {
      fail_too_large (job);
      return;
    }
  g_byte_array_append (job->body, g_bytes_get_data (bytes, NULL), len);
  g_checksum_update (job->checksum, g_bytes_get_data (bytes, NULL), len);
  g_input_stream_read_bytes_async (job->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   job->hop_cancellable, on_read, job);
}

static void
read_body (Job *job)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (job->msg);
  gsize max_body = job->max_body;
  goffset length = 0;

  /* A plain body that says it is too long is refused unread. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_one (headers, "Content-Encoding") == NULL)
    {
      length = soup_message_headers_get_content_length (headers);
      if (length < 0 || (guint64) length > max_body)
        {
          fail_too_large (job);
          return;
        }
    }

  job->body = g_byte_array_sized_new (MIN ((gsize) length, max_body));
  job->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_input_stream_read_bytes_async (job->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   job->hop_cancellable, on_read, job);
}

/* More than this after a 304, which has no body, is not read: the
 * connection is dropped instead. */
#define MAX_DRAIN (64 * 1024)

static void
complete_not_modified (Job      *job,
                       gboolean  drained)
{
  TidingsFetchResult *result = new_result (job, SOUP_STATUS_NOT_MODIFIED);

  /* A 304 need not repeat the validators; the ones sent still hold. */
  if (result->etag == NULL)
    result->etag = g_strdup (job->etag);
  if (result->last_modified == NULL)
    result->last_modified = g_strdup (job->last_modified);
  result->not_modified = TRUE;
  if (!drained)
    end_hop (job, FALSE);
  job_complete (job, result, NULL);
}

static void
on_not_modified_drained (GObject      *source,
                         GAsyncResult *res,
                         gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  gssize skipped = g_input_stream_skip_finish (G_INPUT_STREAM (source), res, &error);

  if (skipped < 0)
    {
      job_fail_with (job, error);
      return;
    }
  complete_not_modified (job, skipped == 0);
}

/* The message only ends, and its connection goes back to the pool for the
 * next request to this host, once its stream was read to the end: even a
 * 304's, which is empty. */
static void
drain_not_modified (Job *job)
{
  g_input_stream_skip_async (job->stream, MAX_DRAIN, G_PRIORITY_DEFAULT, job->hop_cancellable,
                             on_not_modified_drained, job);
}

static gboolean
is_redirect (guint status)
{
  return status == SOUP_STATUS_MOVED_PERMANENTLY
         || status == SOUP_STATUS_FOUND
         || status == SOUP_STATUS_SEE_OTHER
         || status == SOUP_STATUS_TEMPORARY_REDIRECT
         || status == SOUP_STATUS_PERMANENT_REDIRECT;
}

static void
follow_redirect (Job   *job,
                 guint  status)
{
  TidingsFetcher *self = job->self;
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (job->msg),
                                                       "Location");
  g_autoptr(GUri) next = NULL;
  g_autofree char *next_url = NULL;
  g_autofree char *old_host = NULL;
  g_autofree char *new_host = NULL;

  if (location == NULL || location[0] == '\0')
    {
      job_fail (job, TIDINGS_FETCH_ERROR_REDIRECT,
                _("The server answered %u %s without saying where to go"),
                status, status_phrase (job->msg, status));
      return;
    }

  next = g_uri_parse_relative (job->uri, location, SOUP_HTTP_URI_FLAGS, NULL);
  if (next != NULL)
    {
      g_autofree char *candidate = g_uri_to_string (next);

      g_clear_pointer (&next, g_uri_unref);
      next = parse_http_uri (candidate);
    }
  if (next == NULL)
    {
      job_fail (job, TIDINGS_FETCH_ERROR_REDIRECT,
                _("The server redirected to “%s”, which is not a web address"), location);
      return;
    }

  job->n_redirects++;
  if (status != SOUP_STATUS_MOVED_PERMANENTLY && status != SOUP_STATUS_PERMANENT_REDIRECT)
    job->all_permanent = FALSE;

  next_url = g_uri_to_string (next);
  if (g_hash_table_contains (job->visited, next_url))
    {
      job_fail (job, TIDINGS_FETCH_ERROR_REDIRECT, _("The address redirects in a loop"));
      return;
    }
  if (job->n_redirects > self->options.max_redirects)
    {
      job_fail (job, TIDINGS_FETCH_ERROR_REDIRECT,
                g_dngettext (GETTEXT_PACKAGE, "The address redirects more than %u time",
                             "The address redirects more than %u times",
                             self->options.max_redirects),
                self->options.max_redirects);
      return;
    }
  g_debug ("%s: %u to %s", job->url, status, next_url);
  g_hash_table_add (job->visited, g_steal_pointer (&next_url));

  end_hop (job, FALSE);
  old_host = host_key (job->uri);
  new_host = host_key (next);
  g_uri_unref (job->uri);
  job->uri = g_steal_pointer (&next);

  if (g_str_equal (old_host, new_host))
    {
      start_hop (job);
      return;
    }
  /* Another host: wait for a slot there, ahead of that host's queue since
   * this request has waited its turn once already. */
  job_release_slot (job);
  enqueue (self, job, TRUE);
}

/* Retry-After as delta-seconds or an HTTP-date; 0 when absent or unreadable. */
static gint64
parse_retry_after (const char *value,
                   gint64      now)
{
  gint64 seconds;

  if (value == NULL)
    return 0;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_isdigit (*value))
    {
      g_autofree char *digits = g_strstrip (g_strdup (value));
      guint64 n;

      if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, &n, NULL))
        return 0;
      seconds = MIN (n, (guint64) MAX_BACKOFF_SECONDS);
    }
  else
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (value);

      if (date == NULL)
        return 0;
      seconds = g_date_time_to_unix (date) - now / G_USEC_PER_SEC;
    }
  seconds = CLAMP (seconds, 1, MAX_BACKOFF_SECONDS);
  return now + seconds * G_USEC_PER_SEC;
}

static void
on_sent (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  Job *job = user_data;
  /* Completing the job may drop the last other reference. */
  g_autoptr(TidingsFetcher) self = g_object_ref (job->self);
  g_autoptr(GError) error = NULL;
  GInputStream *stream;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  if (stream == NULL)
    {
      job_fail_with (job, error);
      return;
    }
  job->stream = stream;
  connected (job);

  status = soup_message_get_status (job->msg);
  if (is_redirect (status))
    follow_redirect (job, status);
  else if (status == SOUP_STATUS_NOT_MODIFIED)
    drain_not_modified (job);
  else if (SOUP_STATUS_IS_SUCCESSFUL (status))
    read_body (job);
  else if (status == SOUP_STATUS_GONE)
    job_fail (job, TIDINGS_FETCH_ERROR_GONE,
              _("The feed is gone: the server says it was removed (410)"));
  else if (status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      const char *value = soup_message_headers_get_one (soup_message_get_response_headers (job->msg),
                                                        "Retry-After");
      gint64 now = g_get_real_time ();
      gint64 until = parse_retry_after (value, now);
      Host *host = job->host;

      if (until == 0 && status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        {
          job_fail (job, TIDINGS_FETCH_ERROR_HTTP, _("The server answered %u %s"),
                    status, status_phrase (job->msg, status));
          return;
        }
      if (until == 0)
        until = now + DEFAULT_BACKOFF_SECONDS * G_USEC_PER_SEC;
      host->backoff_until = until;
      job_complete (job, NULL, backoff_error (host));
      host_back_off (self, host, until);
    }
  else
    job_fail (job, TIDINGS_FETCH_ERROR_HTTP, _("The server answered %u %s"),
              status, status_phrase (job->msg, status));
}

/* A 304 never has a body (RFC 9110, 15.4.5), and servers send it without
 * Content-Length. libsoup 3.2 reads the missing length as a body that ends
 * with the connection and closes the connection after it, so that a
 * refresh where every feed is unchanged opened a connection per feed (999
 * for 999 in bench/refresh). Saying the length it has keeps the connection
 * for the host's next feed. */
static void
on_got_headers (SoupMessage *msg,
                gpointer     user_data)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

  (void) user_data;
  if (soup_message_get_status (msg) == SOUP_STATUS_NOT_MODIFIED
      && soup_message_headers_get_encoding (headers) == SOUP_ENCODING_EOF)
    soup_message_headers_set_content_length (headers, 0);
}

static void
start_hop (Job *job)
{
  TidingsFetcher *self = job->self;
  SoupMessageHeaders *headers;

  g_assert (job->running && job->msg == NULL);

  job->hop_cancellable = g_cancellable_new ();
  job->hop_handler = g_cancellable_connect (job->cancellable, G_CALLBACK (on_hop_cancelled),
                                            g_object_ref (job->hop_cancellable), g_object_unref);

  job->msg = soup_message_new_from_uri (SOUP_METHOD_GET, job->uri);
  /* Redirects are ours to follow, to tell permanent ones apart; the
   * metrics count the body's bytes on the wire. */
  soup_message_add_flags (job->msg, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_COLLECT_METRICS);
  headers = soup_message_get_request_headers (job->msg);
  soup_message_headers_replace (headers, "Accept", job->accept != NULL ? job->accept : ACCEPT);
  soup_message_headers_replace (headers, "Accept-Encoding", ACCEPT_ENCODING);
  if (job->etag != NULL)
    soup_message_headers_replace (headers, "If-None-Match", job->etag);
  if (job->last_modified != NULL)
    soup_message_headers_replace (headers, "If-Modified-Since", job->last_modified);
  g_signal_connect (job->msg, "network-event", G_CALLBACK (on_network_event), job);
  g_signal_connect (job->msg, "wrote-headers", G_CALLBACK (on_wrote_headers), job);
  g_signal_connect (job->msg, "got-headers", G_CALLBACK (on_got_headers), NULL);

  job->connect_timer = add_timer (self, self->options.connect_timeout, on_connect_timeout, job);
  job->timer = add_timer (self, self->options.timeout, on_timeout, job);

  soup_session_send_async (self->session, job->msg, G_PRIORITY_DEFAULT, job->hop_cancellable,
                           on_sent, job);
}

/* The API */

void
tidings_fetcher_fetch_async (TidingsFetcher            *self,
                             const TidingsFetchRequest *request,
                             GCancellable              *cancellable,
                             GAsyncReadyCallback        callback,
                             gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  Job *job;

  g_return_if_fail (TIDINGS_IS_FETCHER (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_fetcher_fetch_async);
  /* A cancelled fetch fails with TIDINGS_FETCH_ERROR_CANCELLED, not GIO's. */
  g_task_set_check_cancellable (task, FALSE);

  uri = parse_http_uri (request->url);
  if (uri == NULL)
    {
      g_task_return_new_error (task, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_INVALID_URL,
                               _("“%s” is not a web address"),
                               request->url ? request->url : "");
      return;
    }

  job = g_new0 (Job, 1);
  job->self = self;
  job->task = g_steal_pointer (&task);
  job->link.data = job;
  job->url = g_strdup (request->url);
  job->uri = g_steal_pointer (&uri);
  job->etag = g_strdup (request->etag);
  job->last_modified = g_strdup (request->last_modified);
  job->previous_hash = g_strdup (request->previous_hash);
  job->max_body = request->max_body > 0 ? MIN (request->max_body, self->options.max_body)
                                        : self->options.max_body;
  job->accept = g_strdup (request->accept);
  job->cancellable = g_cancellable_new ();
  job->visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (job->visited, g_uri_to_string (job->uri));
  job->all_permanent = TRUE;
  if (cancellable != NULL)
    {
      job->caller_cancellable = g_object_ref (cancellable);
      job->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                   job, NULL);
    }

  enqueue (self, job, FALSE);
}

TidingsFetchResult *
tidings_fetcher_fetch_finish (TidingsFetcher  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (TIDINGS_IS_FETCHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tidings_fetcher_fetch_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tidings_fetcher_set_backoff (TidingsFetcher *self,
                             const char     *host,
                             gint64          until)
{
  g_autofree char *name = NULL;

  g_return_if_fail (TIDINGS_IS_FETCHER (self));
  g_return_if_fail (host != NULL);

  name = g_ascii_strdown (host, -1);
  host_back_off (self, get_host (self, name), until);
}

GHashTable *
tidings_fetcher_get_backoffs (TidingsFetcher *self)
{
  GHashTable *backoffs;
  GHashTableIter iter;
  Host *host;

  g_return_val_if_fail (TIDINGS_IS_FETCHER (self), NULL);

  backoffs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &host))
    if (host_backed_off (host))
      g_hash_table_insert (backoffs, g_strdup (host->name),
                           g_memdup2 (&host->backoff_until, sizeof host->backoff_until));
  return backoffs;
}

/* The object */

TidingsFetcher *
tidings_fetcher_new (const TidingsFetcherOptions *options)
{
  TidingsFetcher *self = g_object_new (TIDINGS_TYPE_FETCHER, NULL);
  TidingsFetcherOptions defaults;

  tidings_fetcher_options_init (&defaults);
  if (options != NULL)
    self->options = *options;
  else
    self->options = defaults;

  /* Zero would stall or refuse everything: take it as "the default". */
  if (self->options.max_connections == 0)
    self->options.max_connections = defaults.max_connections;
  if (self->options.max_per_host == 0)
    self->options.max_per_host = defaults.max_per_host;
  if (self->options.connect_timeout == 0)
    self->options.connect_timeout = defaults.connect_timeout;
  if (self->options.timeout == 0)
    self->options.timeout = defaults.timeout;
  if (self->options.max_body == 0)
    self->options.max_body = defaults.max_body;

  /* The system proxy (GProxyResolver), the system CA store and the content
   * decoder (gzip, deflate, brotli) are the session's defaults. */
  self->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                 "max-conns", self->options.max_connections,
                                                 "max-conns-per-host", self->options.max_per_host,
                                                 NULL);
  return self;
}

static void
tidings_fetcher_finalize (GObject *object)
{
  TidingsFetcher *self = TIDINGS_FETCHER (object);

  /* Every request holds a reference: none can be left. */
  g_assert (self->running == 0 && self->ready.length == 0);

  g_clear_object (&self->session);
  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (tidings_fetcher_parent_class)->finalize (object);
}

static void
tidings_fetcher_class_init (TidingsFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tidings_fetcher_finalize;
}

static void
tidings_fetcher_init (TidingsFetcher *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, host_free);
}
