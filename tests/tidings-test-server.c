/* tidings-test-server.c: a loopback HTTP server that misbehaves on demand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SoupServer lives on a thread of its own with its own main context, so
 * a test may block its own thread or iterate any context while the server
 * keeps answering. Everything the test thread can see (resources, counters)
 * sits behind one mutex; the SoupServer and the messages it is answering are
 * touched on the server thread only.
 */

#define G_LOG_DOMAIN "tidings-test-server"

#include "config.h"

#include <string.h>

#include <brotli/encode.h>
#include <libsoup/soup.h>
#include <zlib.h>

#include "tidings-test-server.h"

/* A slow body arrives in this many pieces. */
#define TRICKLE_PIECES 10
#define MIB (1024 * 1024)

typedef struct
{
  GBytes           *body;
  char             *content_type;
  char             *etag;
  GDateTime        *last_modified;
  TidingsTestFault  fault;
  int               param;
  char             *target;
} Resource;

typedef struct
{
  guint       hits;
  guint       not_modified;
  GHashTable *headers;   /* lower-case name -> value, of the last request */
} Stats;

typedef struct
{
  char  *address;
  guint  port;
  char  *base;
  guint  in_flight;
  guint  max_in_flight;
} Listener;

struct _TidingsTestServer
{
  GMutex        lock;
  GCond         cond;
  gboolean      started;
  GError       *start_error;

  GThread         *thread;
  GMainContext    *context;
  GTlsCertificate *certificate;   /* HTTPS when set */
  GMainLoop    *loop;

  /* Under the lock. */
  GPtrArray    *listeners;   /* Listener; fixed once started */
  GHashTable   *resources;   /* path -> Resource */
  GHashTable   *stats;       /* path -> Stats */
  guint         generation;
  guint         in_flight;
  guint         max_in_flight;

  /* Server thread only. */
  SoupServer     *soup;
  GSocketService *service;
  GPtrArray    *hung;        /* SoupServerMessage */
  GPtrArray    *trickles;    /* Trickle */
  GHashTable   *bombs;       /* GINT_TO_POINTER (MiB) -> GBytes */
};

/* One request being answered, for the in-flight counters. */
typedef struct
{
  TidingsTestServer *server;
  Listener          *listener;
  gboolean           done;
} Request;

typedef struct
{
  TidingsTestServer *server;
  SoupServerMessage *msg;
  GBytes            *body;
  gsize              offset;
  gsize              piece;
  GSource           *source;
  gboolean           finished;
} Trickle;

static void
resource_free (gpointer data)
{
  Resource *resource = data;

  g_bytes_unref (resource->body);
  g_free (resource->content_type);
  g_free (resource->etag);
  g_date_time_unref (resource->last_modified);
  g_free (resource->target);
  g_free (resource);
}

static void
stats_free (gpointer data)
{
  Stats *stats = data;

  g_clear_pointer (&stats->headers, g_hash_table_unref);
  g_free (stats);
}

static void
listener_free (gpointer data)
{
  Listener *listener = data;

  g_free (listener->address);
  g_free (listener->base);
  g_free (listener);
}

/* Encodings */

static GBytes *
gzip_encode (GBytes *body)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (body, &len);
  z_stream z = { 0 };
  guint8 *out;
  gsize bound;
  int ret;

  ret = deflateInit2 (&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  g_assert (ret == Z_OK);
  bound = deflateBound (&z, len);
  out = g_malloc (bound);
  z.next_in = (Bytef *) data;
  z.avail_in = len;
  z.next_out = out;
  z.avail_out = bound;
  ret = deflate (&z, Z_FINISH);
  g_assert (ret == Z_STREAM_END);
  deflateEnd (&z);
  return g_bytes_new_take (out, z.total_out);
}

static GBytes *
brotli_encode (GBytes *body)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (body, &len);
  size_t out_len = BrotliEncoderMaxCompressedSize (len);
  guint8 *out;

  if (out_len == 0)
    out_len = 64;
  out = g_malloc (out_len);
  if (!BrotliEncoderCompress (BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
                              len, data, &out_len, out))
    g_error ("brotli could not encode %" G_GSIZE_FORMAT " bytes", len);
  return g_bytes_new_take (out, out_len);
}

/* A gzip member that inflates to @mib MiB of zeros while being about a
 * thousandth of that. One MiB of zeros is deflated once, ending in a full
 * flush so that its blocks stand alone and byte-aligned; repeating those
 * bytes repeats the output. Compressing the whole would cost seconds. */
static GBytes *
gzip_bomb (guint mib)
{
  static const guint8 header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };
  static const guint8 last_block[2] = { 0x03, 0x00 };
  g_autofree guint8 *zeros = g_malloc0 (MIB);
  guint8 block[16 * 1024];
  GByteArray *out = g_byte_array_new ();
  z_stream z = { 0 };
  uLong crc_mib, crc = crc32 (0, NULL, 0);
  guint8 trailer[8];
  gsize block_len;
  guint32 isize;
  int ret;

  ret = deflateInit2 (&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  g_assert (ret == Z_OK);
  z.next_in = zeros;
  z.avail_in = MIB;
  z.next_out = block;
  z.avail_out = sizeof block;
  ret = deflate (&z, Z_FULL_FLUSH);
  g_assert (ret == Z_OK && z.avail_in == 0 && z.avail_out > 0);
  block_len = sizeof block - z.avail_out;
  deflateEnd (&z);

  crc_mib = crc32 (0, zeros, MIB);
  g_byte_array_append (out, header, sizeof header);
  for (guint i = 0; i < mib; i++)
    {
      g_byte_array_append (out, block, block_len);
      crc = crc32_combine (crc, crc_mib, MIB);
    }
  g_byte_array_append (out, last_block, sizeof last_block);

  isize = (guint32) ((guint64) mib * MIB);
  for (guint i = 0; i < 4; i++)
    {
      trailer[i] = (crc >> (8 * i)) & 0xff;
      trailer[4 + i] = (isize >> (8 * i)) & 0xff;
    }
  g_byte_array_append (out, trailer, sizeof trailer);
  return g_byte_array_free_to_bytes (out);
}

/* Bookkeeping */

static Listener *
find_listener (TidingsTestServer *self,
               SoupServerMessage *msg)
{
  GSocketAddress *local = soup_server_message_get_local_address (msg);
  g_autofree char *address = NULL;
  guint port;

  if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
    return self->listeners->pdata[0];
  address = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = self->listeners->pdata[i];

      if (listener->port == port && g_strcmp0 (listener->address, address) == 0)
        return listener;
    }
  return self->listeners->pdata[0];
}

static void
request_done (Request *request)
{
  TidingsTestServer *self = request->server;

  if (request->done)
    return;
  request->done = TRUE;
  g_mutex_lock (&self->lock);
  g_assert (self->in_flight > 0 && request->listener->in_flight > 0);
  self->in_flight--;
  request->listener->in_flight--;
  g_mutex_unlock (&self->lock);
}

static void
on_message_finished (SoupServerMessage *msg,
                     gpointer           user_data)
{
  request_done (user_data);
}

static Stats *
get_stats (TidingsTestServer *self,
           const char        *path)
{
  Stats *stats = g_hash_table_lookup (self->stats, path);

  if (stats == NULL)
    {
      stats = g_new0 (Stats, 1);
      g_hash_table_insert (self->stats, g_strdup (path), stats);
    }
  return stats;
}

static GHashTable *
copy_headers (SoupMessageHeaders *headers)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      char *key = g_ascii_strdown (name, -1);
      const char *before = g_hash_table_lookup (copy, key);

      if (before != NULL)
        g_hash_table_insert (copy, key, g_strconcat (before, ", ", value, NULL));
      else
        g_hash_table_insert (copy, key, g_strdup (value));
    }
  return copy;
}

/* Answers */

static gboolean
is_not_modified (SoupServerMessage *msg,
                 const Resource    *resource)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *if_none_match = soup_message_headers_get_list (headers, "If-None-Match");
  const char *if_modified_since = soup_message_headers_get_one (headers, "If-Modified-Since");

  /* If-None-Match wins when both are sent (RFC 9110, 13.2.2). */
  if (if_none_match != NULL)
    return soup_header_contains (if_none_match, resource->etag)
           || soup_header_contains (if_none_match, "*");
  if (if_modified_since != NULL)
    {
      g_autoptr(GDateTime) since = soup_date_time_new_from_http_string (if_modified_since);

      return since != NULL
             && g_date_time_to_unix (resource->last_modified) <= g_date_time_to_unix (since);
    }
  return FALSE;
}

static void
set_validators (SoupServerMessage *msg,
                const Resource    *resource)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *date = soup_date_time_to_string (resource->last_modified, SOUP_DATE_HTTP);

  soup_message_headers_replace (headers, "ETag", resource->etag);
  soup_message_headers_replace (headers, "Last-Modified", date);
}

static void
answer_status (SoupServerMessage *msg,
               guint              status)
{
  const char *phrase = soup_status_get_phrase (status);
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><title>%u %s</title>"
                                           "</head><body><h1>%s</h1></body></html>\n",
                                           status, phrase, phrase);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static gboolean
trickle_next (gpointer data)
{
  Trickle *trickle = data;
  TidingsTestServer *self = trickle->server;
  SoupMessageBody *body;
  gsize len = g_bytes_get_size (trickle->body);
  gsize n;

  if (!trickle->finished)
    {
      body = soup_server_message_get_response_body (trickle->msg);
      n = MIN (trickle->piece, len - trickle->offset);
      if (n > 0)
        {
          g_autoptr(GBytes) piece = g_bytes_new_from_bytes (trickle->body, trickle->offset, n);

          soup_message_body_append_bytes (body, piece);
          trickle->offset += n;
        }
      if (trickle->offset >= len)
        soup_message_body_complete (body);
      soup_server_message_unpause (trickle->msg);
      if (trickle->offset < len)
        return G_SOURCE_CONTINUE;
    }

  trickle->source = NULL;
  g_ptr_array_remove_fast (self->trickles, trickle);
  return G_SOURCE_REMOVE;
}

static void
trickle_free (gpointer data)
{
  Trickle *trickle = data;

  g_signal_handlers_disconnect_by_data (trickle->msg, trickle);
  g_object_unref (trickle->msg);
  g_bytes_unref (trickle->body);
  g_free (trickle);
}

static void
on_trickle_finished (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Trickle *trickle = user_data;

  trickle->finished = TRUE;
}

/* Headers at once, then the body in pieces spread over @duration_ms. The
 * server pauses itself whenever it has written all it was given. */
static void
answer_slowly (TidingsTestServer *self,
               SoupServerMessage *msg,
               GBytes            *body,
               int                duration_ms)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Trickle *trickle = g_new0 (Trickle, 1);
  gsize len = g_bytes_get_size (body);
  guint interval = MAX (duration_ms, TRICKLE_PIECES) / TRICKLE_PIECES;

  trickle->server = self;
  trickle->msg = g_object_ref (msg);
  trickle->body = g_bytes_ref (body);
  trickle->piece = MAX (len / TRICKLE_PIECES, 1);
  g_signal_connect (msg, "finished", G_CALLBACK (on_trickle_finished), trickle);

  soup_message_headers_set_content_length (headers, len);
  if (len > 0)
    {
      g_autoptr(GBytes) first = g_bytes_new_from_bytes (body, 0, MIN (trickle->piece, len));

      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), first);
      trickle->offset = g_bytes_get_size (first);
    }
  if (trickle->offset >= len)
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      trickle_free (trickle);
      return;
    }

  trickle->source = g_timeout_source_new (interval);
  g_source_set_callback (trickle->source, trickle_next, trickle, trickle_free);
  g_source_attach (trickle->source, self->context);
  g_source_unref (trickle->source);
  g_ptr_array_add (self->trickles, trickle);
}

typedef struct
{
  SoupServerMessage *msg;
  Request           *request;
  GBytes            *raw;
} Reset;

/* The response head and half the body, written on the raw connection,
 * which is then closed: the client sees a body cut short. */
static gboolean
reset_now (gpointer data)
{
  Reset *reset = data;
  g_autoptr(GIOStream) stream = NULL;

  request_done (reset->request);
  stream = soup_server_message_steal_connection (reset->msg);
  if (stream != NULL)
    {
      GOutputStream *out = g_io_stream_get_output_stream (stream);
      gsize len = 0;
      const char *raw = g_bytes_get_data (reset->raw, &len);

      g_output_stream_write_all (out, raw, len, NULL, NULL, NULL);
      g_output_stream_flush (out, NULL, NULL);
      g_io_stream_close (stream, NULL, NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
reset_free (gpointer data)
{
  Reset *reset = data;

  g_object_unref (reset->msg);
  g_bytes_unref (reset->raw);
  g_free (reset);
}

static void
answer_reset (TidingsTestServer *self,
              SoupServerMessage *msg,
              Request           *request,
              const Resource    *resource)
{
  gsize len = g_bytes_get_size (resource->body);
  GString *raw = g_string_new (NULL);
  Reset *reset = g_new0 (Reset, 1);
  GSource *source;

  g_string_append_printf (raw,
                          "HTTP/1.1 200 OK\r\n"
                          "Content-Type: %s\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Connection: close\r\n"
                          "\r\n",
                          resource->content_type, MAX (len, 2));
  g_string_append_len (raw, g_bytes_get_data (resource->body, NULL), len / 2);
  reset->msg = g_object_ref (msg);
  reset->request = request;
  reset->raw = g_string_free_to_bytes (raw);

  /* Stealing the connection from inside the handler would pull the message
   * from under the server's feet; pause it and steal on the next turn. */
  soup_server_message_pause (msg);
  source = g_idle_source_new ();
  g_source_set_callback (source, reset_now, reset, reset_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
answer_body (SoupServerMessage *msg,
             const Resource    *resource,
             GBytes            *body,
             const char        *content_type)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Content-Type", content_type);
  /* libsoup refuses empty chunks; no chunk is an empty body. */
  if (g_bytes_get_size (body) > 0)
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  TidingsTestServer *self = user_data;
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  Request *request = g_new0 (Request, 1);
  Resource resource = { 0 };
  gboolean found = FALSE;
  Stats *stats;

  g_mutex_lock (&self->lock);
  stats = get_stats (self, path);
  stats->hits++;
  g_clear_pointer (&stats->headers, g_hash_table_unref);
  stats->headers = copy_headers (soup_server_message_get_request_headers (msg));

  request->server = self;
  request->listener = find_listener (self, msg);
  self->in_flight++;
  self->max_in_flight = MAX (self->max_in_flight, self->in_flight);
  request->listener->in_flight++;
  request->listener->max_in_flight = MAX (request->listener->max_in_flight,
                                          request->listener->in_flight);

  {
    Resource *found_resource = g_hash_table_lookup (self->resources, path);

    if (found_resource != NULL)
      {
        found = TRUE;
        resource = *found_resource;
        resource.body = g_bytes_ref (resource.body);
        resource.content_type = g_strdup (resource.content_type);
        resource.etag = g_strdup (resource.etag);
        resource.last_modified = g_date_time_ref (resource.last_modified);
        resource.target = g_strdup (resource.target);
      }
  }
  g_mutex_unlock (&self->lock);

  g_signal_connect_data (msg, "finished", G_CALLBACK (on_message_finished), request,
                         (GClosureNotify) (void (*) (void)) g_free, 0);

  if (!found)
    {
      answer_status (msg, SOUP_STATUS_NOT_FOUND);
      return;
    }

  switch (resource.fault)
    {
    case TIDINGS_TEST_FAULT_NONE:
    case TIDINGS_TEST_FAULT_SLOW_BODY:
    case TIDINGS_TEST_FAULT_GZIP:
    case TIDINGS_TEST_FAULT_BROTLI:
    case TIDINGS_TEST_FAULT_CHARSET:
    case TIDINGS_TEST_FAULT_CACHE_CONTROL:
      set_validators (msg, &resource);
      if (resource.fault == TIDINGS_TEST_FAULT_CACHE_CONTROL)
        {
          g_autofree char *value = g_strdup_printf ("max-age=%d", resource.param);

          soup_message_headers_replace (response_headers, "Cache-Control", value);
        }
      if (is_not_modified (msg, &resource))
        {
          g_mutex_lock (&self->lock);
          get_stats (self, path)->not_modified++;
          g_mutex_unlock (&self->lock);
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
          break;
        }
      if (resource.fault == TIDINGS_TEST_FAULT_SLOW_BODY)
        {
          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_message_headers_replace (response_headers, "Content-Type", resource.content_type);
          answer_slowly (self, msg, resource.body, resource.param);
        }
      else if (resource.fault == TIDINGS_TEST_FAULT_GZIP)
        {
          g_autoptr(GBytes) encoded = gzip_encode (resource.body);

          soup_message_headers_replace (response_headers, "Content-Encoding", "gzip");
          answer_body (msg, &resource, encoded, resource.content_type);
        }
      else if (resource.fault == TIDINGS_TEST_FAULT_BROTLI)
        {
          g_autoptr(GBytes) encoded = brotli_encode (resource.body);

          soup_message_headers_replace (response_headers, "Content-Encoding", "br");
          answer_body (msg, &resource, encoded, resource.content_type);
        }
      else if (resource.fault == TIDINGS_TEST_FAULT_CHARSET)
        {
          g_autofree char *type = g_strdup_printf ("%s; charset=%s", resource.content_type,
                                                   resource.target ? resource.target : "utf-8");

          answer_body (msg, &resource, resource.body, type);
        }
      else
        answer_body (msg, &resource, resource.body, resource.content_type);
      break;

    case TIDINGS_TEST_FAULT_NO_VALIDATORS:
      answer_body (msg, &resource, resource.body, resource.content_type);
      break;

    case TIDINGS_TEST_FAULT_HANG:
      soup_server_message_pause (msg);
      g_ptr_array_add (self->hung, g_object_ref (msg));
      break;

    case TIDINGS_TEST_FAULT_RESET:
      answer_reset (self, msg, request, &resource);
      break;

    case TIDINGS_TEST_FAULT_STATUS:
      answer_status (msg, resource.param);
      break;

    case TIDINGS_TEST_FAULT_RETRY_AFTER:
      {
        g_autofree char *value = g_strdup_printf ("%d", resource.param);

        answer_status (msg, 429);
        soup_message_headers_replace (response_headers, "Retry-After", value);
      }
      break;

    case TIDINGS_TEST_FAULT_RETRY_DATE:
      {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
        g_autoptr(GDateTime) then = g_date_time_add_seconds (now, resource.param);
        g_autofree char *value = soup_date_time_to_string (then, SOUP_DATE_HTTP);

        answer_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE);
        soup_message_headers_replace (response_headers, "Retry-After", value);
      }
      break;

    case TIDINGS_TEST_FAULT_REDIRECT:
      answer_status (msg, resource.param);
      /* As given, often relative: the client resolves it. */
      soup_message_headers_replace (response_headers, "Location",
                                    resource.target ? resource.target : "/");
      break;

    case TIDINGS_TEST_FAULT_GZIP_BOMB:
      {
        guint mib = MAX (resource.param, 1);
        GBytes *bomb = g_hash_table_lookup (self->bombs, GUINT_TO_POINTER (mib));

        if (bomb == NULL)
          {
            bomb = gzip_bomb (mib);
            g_hash_table_insert (self->bombs, GUINT_TO_POINTER (mib), bomb);
          }
        soup_message_headers_replace (response_headers, "Content-Encoding", "gzip");
        answer_body (msg, &resource, bomb, resource.content_type);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  g_bytes_unref (resource.body);
  g_free (resource.content_type);
  g_free (resource.etag);
  g_date_time_unref (resource.last_modified);
  g_free (resource.target);
}

/* The server thread */

/* Connections are accepted here and handed to the SoupServer, rather than
 * through soup_server_listen(): libsoup 3.2's listener keeps a reference to
 * every socket it accepts, and those would show up as leaks in every
 * sanitizer and valgrind run. The price: a SoupServer without a listener
 * keeps no connection alive, so every answer ends its connection, and a
 * client that sends its next request on it before it sees the close gets a
 * reset (libsoup's client then sends that request again on a new one). */
static void
accept_stream (TidingsTestServer *self,
               GSocketConnection *connection,
               GIOStream         *stream)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  local = g_socket_connection_get_local_address (connection, &error);
  if (local != NULL)
    remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL || !soup_server_accept_iostream (self->soup, stream, local, remote, &error))
    {
      /* The client hung up already. */
      g_debug ("Dropping a connection: %s", error->message);
      g_io_stream_close (stream, NULL, NULL);
    }
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TidingsTestServer *self = user_data;
  g_autoptr(GIOStream) stream = G_IO_STREAM (source);
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(GError) error = NULL;

  g_object_get (stream, "base-io-stream", &base, NULL);
  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (stream), result, &error))
    accept_stream (self, G_SOCKET_CONNECTION (base), stream);
  else
    {
      /* A client that does not trust the certificate hangs up here. */
      g_debug ("TLS handshake failed: %s", error->message);
      g_io_stream_close (stream, NULL, NULL);
    }
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  TidingsTestServer *self = user_data;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  if (self->certificate == NULL)
    {
      accept_stream (self, connection, G_IO_STREAM (connection));
      return TRUE;
    }

  tls = G_IO_STREAM (g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate,
                                                  &error));
  if (tls == NULL)
    g_error ("The test server cannot speak TLS: %s", error->message);
  /* Clients may close without notice; that is no reason for an error. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  /* The handshake owns the stream until it is done. The server is freed only
   * after this thread's context has run dry, so it outlives the handshake. */
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    on_handshake, self);
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  TidingsTestServer *self = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  self->soup = soup_server_new ("server-header", "tidings-test-server ", NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);

  /* Made on this thread, so that it accepts in this thread's context. */
  self->service = g_socket_service_new ();
  /* Accepting starts once every address is in. A service that is already
   * accepting restarts on each new address by cancelling its pending
   * accept, and that cancelled accept can still take a connection that
   * has just arrived and then throw it away: the client sees a reset. */
  g_socket_service_stop (self->service);
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);

  for (guint i = 0; i < self->listeners->len && error == NULL; i++)
    {
      Listener *listener = self->listeners->pdata[i];
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string (listener->address,
                                                                                 0);
      g_autoptr(GSocketAddress) effective = NULL;

      if (address == NULL)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” is not an IP address", listener->address);
          break;
        }
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                          &effective, &error))
        break;

      /* The port the kernel chose. */
      g_mutex_lock (&self->lock);
      listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      listener->base = g_strdup_printf ("%s://%s:%u", self->certificate ? "https" : "http",
                                        listener->address, listener->port);
      g_mutex_unlock (&self->lock);
    }

  if (error == NULL)
    g_socket_service_start (self->service);

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  self->start_error = g_steal_pointer (&error);
  g_cond_signal (&self->cond);
  if (self->start_error == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_main_loop_run (self->loop);
    }
  else
    g_mutex_unlock (&self->lock);

  /* Closing the client connections ends hung and trickling answers too. */
  while (self->trickles->len > 0)
    {
      Trickle *trickle = self->trickles->pdata[self->trickles->len - 1];

      g_ptr_array_remove_index_fast (self->trickles, self->trickles->len - 1);
      g_source_destroy (trickle->source);
    }
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_clear_object (&self->service);
  soup_server_disconnect (self->soup);
  g_ptr_array_set_size (self->hung, 0);
  g_clear_object (&self->soup);
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static TidingsTestServer *
server_new (const char * const *addresses,
            GTlsCertificate    *certificate)
{
  static const char * const loopback[] = { "127.0.0.1", NULL };
  TidingsTestServer *self = g_new0 (TidingsTestServer, 1);

  if (addresses == NULL || addresses[0] == NULL)
    addresses = loopback;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->listeners = g_ptr_array_new_with_free_func (listener_free);
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      Listener *listener = g_new0 (Listener, 1);

      listener->address = g_strdup (addresses[i]);
      g_ptr_array_add (self->listeners, listener);
    }
  self->resources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, resource_free);
  self->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stats_free);
  self->hung = g_ptr_array_new_with_free_func (g_object_unref);
  self->trickles = g_ptr_array_new ();
  self->bombs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
  self->certificate = certificate ? g_object_ref (certificate) : NULL;

  self->thread = g_thread_new ("tidings-test-server", server_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    g_error ("The test server could not listen: %s", self->start_error->message);
  g_debug ("Test server at %s", tidings_test_server_get_base (self));
  return self;
}

TidingsTestServer *
tidings_test_server_new_on (const char * const *addresses)
{
  return server_new (addresses, NULL);
}

TidingsTestServer *
tidings_test_server_new (void)
{
  return server_new (NULL, NULL);
}

TidingsTestServer *
tidings_test_server_new_https (const char *pem)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_pem (pem, -1, &error);

  if (certificate == NULL)
    g_error ("The test server's certificate is unusable: %s", error->message);
  return server_new (NULL, certificate);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
tidings_test_server_free (TidingsTestServer *self)
{
  GSource *source;

  if (self == NULL)
    return;

  /* Through the server's context: quitting a loop that has not started
   * running yet would be forgotten. */
  source = g_idle_source_new ();
  g_source_set_callback (source, quit_loop, self->loop, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  g_thread_join (self->thread);

  g_clear_error (&self->start_error);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_ptr_array_unref (self->listeners);
  g_hash_table_unref (self->resources);
  g_hash_table_unref (self->stats);
  g_ptr_array_unref (self->hung);
  g_ptr_array_unref (self->trickles);
  g_hash_table_unref (self->bombs);
  g_clear_object (&self->certificate);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

const char *
tidings_test_server_get_base (TidingsTestServer *self)
{
  return tidings_test_server_get_base_at (self, 0);
}

guint
tidings_test_server_get_n_bases (TidingsTestServer *self)
{
  return self->listeners->len;
}

const char *
tidings_test_server_get_base_at (TidingsTestServer *self,
                                 guint              index)
{
  Listener *listener;

  g_assert (index < self->listeners->len);
  listener = self->listeners->pdata[index];
  return listener->base;
}

char *
tidings_test_server_url (TidingsTestServer *self,
                         const char        *path)
{
  g_assert (path != NULL && path[0] == '/');
  return g_strconcat (tidings_test_server_get_base (self), path, NULL);
}

/* Resources */

static Resource *
ensure_resource (TidingsTestServer *self,
                 const char        *path)
{
  Resource *resource = g_hash_table_lookup (self->resources, path);

  if (resource == NULL)
    {
      resource = g_new0 (Resource, 1);
      resource->body = g_bytes_new (NULL, 0);
      resource->content_type = g_strdup ("application/xml");
      resource->etag = g_strdup_printf ("\"g%u-0\"", ++self->generation);
      resource->last_modified = g_date_time_new_now_utc ();
      g_hash_table_insert (self->resources, g_strdup (path), resource);
    }
  return resource;
}

void
tidings_test_server_set_body (TidingsTestServer *self,
                              const char        *path,
                              const char        *content_type,
                              const char        *body,
                              gssize             len)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  Resource *resource;
  gint64 seconds;

  g_assert (path != NULL && path[0] == '/');
  if (len < 0)
    len = strlen (body);

  g_mutex_lock (&self->lock);
  resource = ensure_resource (self, path);
  g_bytes_unref (resource->body);
  resource->body = g_bytes_new (body, len);
  g_free (resource->content_type);
  resource->content_type = g_strdup (content_type ? content_type : "application/xml");
  g_free (resource->etag);
  resource->etag = g_strdup_printf ("\"g%u-%" G_GSSIZE_FORMAT "\"", ++self->generation, len);

  /* HTTP dates count whole seconds: a body replaced within the second its
   * predecessor was set still gets a later date, or If-Modified-Since would
   * call it unchanged. */
  seconds = MAX (g_date_time_to_unix (now), g_date_time_to_unix (resource->last_modified) + 1);
  g_date_time_unref (resource->last_modified);
  resource->last_modified = g_date_time_new_from_unix_utc (seconds);
  g_mutex_unlock (&self->lock);
}

void
tidings_test_server_set_fault (TidingsTestServer *self,
                               const char        *path,
                               TidingsTestFault   fault,
                               int                param,
                               const char        *target)
{
  Resource *resource;

  g_assert (path != NULL && path[0] == '/');

  g_mutex_lock (&self->lock);
  resource = ensure_resource (self, path);
  resource->fault = fault;
  resource->param = param;
  g_free (resource->target);
  resource->target = g_strdup (target);
  g_mutex_unlock (&self->lock);
}

/* Observations */

guint
tidings_test_server_get_hits (TidingsTestServer *self,
                              const char        *path)
{
  Stats *stats;
  guint hits;

  g_mutex_lock (&self->lock);
  stats = g_hash_table_lookup (self->stats, path);
  hits = stats ? stats->hits : 0;
  g_mutex_unlock (&self->lock);
  return hits;
}

guint
tidings_test_server_get_304s (TidingsTestServer *self,
                              const char        *path)
{
  Stats *stats;
  guint n;

  g_mutex_lock (&self->lock);
  stats = g_hash_table_lookup (self->stats, path);
  n = stats ? stats->not_modified : 0;
  g_mutex_unlock (&self->lock);
  return n;
}

char *
tidings_test_server_get_request_header (TidingsTestServer *self,
                                        const char        *path,
                                        const char        *name)
{
  g_autofree char *key = g_ascii_strdown (name, -1);
  char *value = NULL;
  Stats *stats;

  g_mutex_lock (&self->lock);
  stats = g_hash_table_lookup (self->stats, path);
  if (stats != NULL && stats->headers != NULL)
    value = g_strdup (g_hash_table_lookup (stats->headers, key));
  g_mutex_unlock (&self->lock);
  return value;
}

char *
tidings_test_server_get_user_agent (TidingsTestServer *self,
                                    const char        *path)
{
  return tidings_test_server_get_request_header (self, path, "User-Agent");
}

guint
tidings_test_server_get_max_in_flight (TidingsTestServer *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->max_in_flight;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
tidings_test_server_get_max_in_flight_at (TidingsTestServer *self,
                                          guint              index)
{
  Listener *listener;
  guint n;

  g_assert (index < self->listeners->len);
  g_mutex_lock (&self->lock);
  listener = self->listeners->pdata[index];
  n = listener->max_in_flight;
  g_mutex_unlock (&self->lock);
  return n;
}

void
tidings_test_server_reset_max_in_flight (TidingsTestServer *self)
{
  g_mutex_lock (&self->lock);
  self->max_in_flight = self->in_flight;
  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = self->listeners->pdata[i];

      listener->max_in_flight = listener->in_flight;
    }
  g_mutex_unlock (&self->lock);
}
