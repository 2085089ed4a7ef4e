/* test-fetcher.c: the fetcher against a loopback server that misbehaves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test talks to a SoupServer on 127.0.0.x (tidings-test-server.c),
 * never to the internet.
 */

#include <stdio.h>
#include <string.h>

#include "tidings-fetcher.h"
#include "tidings-test-resolver.h"
#include "tidings-test-server.h"

#define FEED "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
             "<rss version=\"2.0\"><channel><title>Loopback</title>" \
             "<item><guid>one</guid><title>One</title></item></channel></rss>\n"
#define RSS_TYPE "application/rss+xml"

/* Helpers */

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static TidingsFetchResult *
fetch_full (TidingsFetcher *fetcher,
            const char     *url,
            const char     *etag,
            const char     *last_modified,
            const char     *previous_hash,
            GCancellable   *cancellable,
            GError        **error)
{
  TidingsFetchRequest request = { url, etag, last_modified, previous_hash };
  g_autoptr(GAsyncResult) result = NULL;

  tidings_fetcher_fetch_async (fetcher, &request, cancellable, on_fetched, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tidings_fetcher_fetch_finish (fetcher, result, error);
}

static TidingsFetchResult *
fetch (TidingsFetcher *fetcher,
       const char     *url,
       GError        **error)
{
  return fetch_full (fetcher, url, NULL, NULL, NULL, NULL, error);
}

/* Fetches @path and asserts it fails with @code; returns the message. */
static char *
fetch_fails (TidingsFetcher    *fetcher,
             TidingsTestServer *server,
             const char        *path,
             TidingsFetchError  code)
{
  g_autofree char *url = tidings_test_server_url (server, path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFetchResult) result = fetch (fetcher, url, &error);

  g_assert_null (result);
  g_assert_error (error, TIDINGS_FETCH_ERROR, code);
  g_test_message ("%s: %s", path, error->message);
  return g_strdup (error->message);
}

static TidingsFetcher *
new_fetcher (guint max_connections,
             guint max_per_host,
             guint connect_timeout,
             guint timeout,
             gsize max_body)
{
  TidingsFetcherOptions options;

  tidings_fetcher_options_init (&options);
  if (max_connections)
    options.max_connections = max_connections;
  if (max_per_host)
    options.max_per_host = max_per_host;
  if (connect_timeout)
    options.connect_timeout = connect_timeout;
  if (timeout)
    options.timeout = timeout;
  if (max_body)
    options.max_body = max_body;
  return tidings_fetcher_new (&options);
}

static void
assert_body (TidingsFetchResult *result,
             const char         *expected,
             gssize              len)
{
  gsize size = 0;
  const char *data;

  if (len < 0)
    len = strlen (expected);
  g_assert_nonnull (result->body);
  data = g_bytes_get_data (result->body, &size);
  g_assert_cmpmem (data, size, expected, len);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

/* Conditional requests */

static void
test_validators_then_304 (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/feed.xml");
  g_autofree char *expected_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, FEED, -1);
  g_autoptr(TidingsFetchResult) first = NULL;
  g_autoptr(TidingsFetchResult) second = NULL;
  g_autoptr(TidingsFetchResult) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *if_none_match = NULL;

  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);

  first = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->status, ==, 200);
  g_assert_false (first->not_modified);
  assert_body (first, FEED, -1);
  g_assert_cmpstr (first->body_hash, ==, expected_hash);
  g_assert_cmpstr (first->url, ==, url);
  g_assert_cmpstr (first->final_url, ==, url);
  g_assert_null (first->permanent_url);
  g_assert_cmpstr (first->content_type, ==, RSS_TYPE);
  g_assert_null (first->charset);
  g_assert_nonnull (first->etag);
  g_assert_nonnull (first->last_modified);
  g_assert_cmpint (first->max_age, ==, -1);
  g_assert_cmpuint (tidings_test_server_get_304s (server, "/feed.xml"), ==, 0);

  /* The validators come back, the server answers 304. */
  second = fetch_full (fetcher, url, first->etag, first->last_modified, first->body_hash, NULL,
                       &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->status, ==, 304);
  g_assert_true (second->not_modified);
  g_assert_null (second->body);
  g_assert_null (second->body_hash);
  /* A 304 that repeats no validator leaves the old ones standing. */
  g_assert_cmpstr (second->etag, ==, first->etag);
  g_assert_cmpstr (second->last_modified, ==, first->last_modified);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 2);
  g_assert_cmpuint (tidings_test_server_get_304s (server, "/feed.xml"), ==, 1);
  if_none_match = tidings_test_server_get_request_header (server, "/feed.xml", "If-None-Match");
  g_assert_cmpstr (if_none_match, ==, first->etag);

  /* Last-Modified alone is enough too. */
  third = fetch_full (fetcher, url, NULL, first->last_modified, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (third->not_modified);
  g_assert_cmpuint (tidings_test_server_get_304s (server, "/feed.xml"), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* ---- Keep-alive: a server of its own ----
 *
 * libsoup's server keeps no connection alive without a listener of its own
 * (tidings-test-server.c), so this test answers HTTP/1.1 itself, from a
 * thread per connection, the way nginx does: a 304 carries no
 * Content-Length, and the connection stays open for the next request. */

#define KEPT_FEED "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Kept</title>" \
                  "</channel></rss>"

typedef struct
{
  gint connections;   /* accepted so far; atomic */
  gint open;          /* still being served; atomic */
  gint requests;      /* atomic */
} KeptServer;

static gboolean
kept_server_run (GThreadedSocketService *service,
                 GSocketConnection      *connection,
                 GObject                *source,
                 gpointer                user_data)
{
  KeptServer *server = user_data;
  g_autoptr(GDataInputStream) in = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  (void) service;
  (void) source;
  g_atomic_int_inc (&server->open);
  g_atomic_int_inc (&server->connections);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  for (;;)
    {
      gboolean request = FALSE, conditional = FALSE;
      g_autofree char *reply = NULL;
      char *line;

      /* The request's lines up to the empty one; none at the end of the
       * connection. */
      while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL && *line != '\0')
        {
          request = TRUE;
          conditional |= g_ascii_strncasecmp (line, "If-None-Match:", 14) == 0;
          g_free (line);
        }
      g_free (line);
      if (!request)
        break;
      g_atomic_int_inc (&server->requests);
      if (conditional)
        reply = g_strdup ("HTTP/1.1 304 Not Modified\r\nETag: \"kept\"\r\n\r\n");
      else
        reply = g_strdup_printf ("HTTP/1.1 200 OK\r\nETag: \"kept\"\r\n"
                                 "Content-Type: application/rss+xml\r\n"
                                 "Content-Length: %zu\r\n\r\n%s",
                                 strlen (KEPT_FEED), KEPT_FEED);
      if (!g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL))
        break;
    }
  g_atomic_int_dec_and_test (&server->open);
  return TRUE;
}

/* A feed answered 304 again and again, one request after another: every
 * answer comes down the one connection the first request opened. */
static void
test_keep_alive_304 (void)
{
  KeptServer server = { 0 };
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (4);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &bound, &error));
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (kept_server_run), &server);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u/feed.xml",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  {
    g_autoptr(TidingsFetchResult) first = fetch (fetcher, url, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (first->status, ==, 200);
    g_assert_cmpstr (first->etag, ==, "\"kept\"");
  }
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(TidingsFetchResult) again = fetch_full (fetcher, url, "\"kept\"", NULL, NULL,
                                                        NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (again->status, ==, 304);
      g_assert_true (again->not_modified);
      g_assert_cmpstr (again->etag, ==, "\"kept\"");
    }
  g_assert_cmpint (g_atomic_int_get (&server.requests), ==, 4);
  g_assert_cmpint (g_atomic_int_get (&server.connections), ==, 1);

  /* Gone with the fetcher, the connection ends, and its thread with it. */
  g_assert_finalize_object (g_steal_pointer (&fetcher));
  while (g_atomic_int_get (&server.open) > 0)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static void
test_changed_body (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/feed.xml");
  g_autoptr(TidingsFetchResult) first = NULL;
  g_autoptr(TidingsFetchResult) second = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);
  first = fetch (fetcher, url, &error);
  g_assert_no_error (error);

  /* A new body gets new validators: the old ones no longer match. */
  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, "<rss version=\"2.0\"/>", -1);
  second = fetch_full (fetcher, url, first->etag, first->last_modified, first->body_hash, NULL,
                       &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_false (second->not_modified);
  assert_body (second, "<rss version=\"2.0\"/>", -1);
  g_assert_cmpstr (second->etag, !=, first->etag);
  g_assert_cmpstr (second->body_hash, !=, first->body_hash);
  g_assert_cmpuint (tidings_test_server_get_304s (server, "/feed.xml"), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_hash_not_modified (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/plain.xml");
  g_autoptr(TidingsFetchResult) first = NULL;
  g_autoptr(TidingsFetchResult) second = NULL;
  g_autoptr(TidingsFetchResult) third = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_body (server, "/plain.xml", RSS_TYPE, FEED, -1);
  tidings_test_server_set_fault (server, "/plain.xml", TIDINGS_TEST_FAULT_NO_VALIDATORS, 0, NULL);

  first = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_null (first->etag);
  g_assert_null (first->last_modified);
  g_assert_nonnull (first->body_hash);

  /* Same bytes again: unchanged by the hash, though the server said 200. */
  second = fetch_full (fetcher, url, NULL, NULL, first->body_hash, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_true (second->not_modified);
  g_assert_null (second->body);
  g_assert_cmpstr (second->body_hash, ==, first->body_hash);

  /* Other bytes: a body again. */
  tidings_test_server_set_body (server, "/plain.xml", RSS_TYPE, "<rss version=\"2.0\"/>", -1);
  third = fetch_full (fetcher, url, NULL, NULL, first->body_hash, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (third->not_modified);
  assert_body (third, "<rss version=\"2.0\"/>", -1);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/plain.xml"), ==, 3);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Encodings and sizes */

static char *
big_feed (gsize min_size)
{
  GString *feed = g_string_new ("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n");

  for (guint i = 0; feed->len < min_size; i++)
    g_string_append_printf (feed, "<item><guid>item-%u</guid><title>Item number %u</title>"
                            "<description>Text of item %u, repeated to make a body.</description>"
                            "</item>\n", i, i, i);
  g_string_append (feed, "</channel></rss>\n");
  return g_string_free (feed, FALSE);
}

static void
check_encoded (TidingsTestFault  fault,
               const char       *coding)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/packed.xml");
  g_autofree char *feed = big_feed (200 * 1000);
  g_autofree char *accept_encoding = NULL;
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, feed, -1);
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_body (server, "/packed.xml", RSS_TYPE, feed, -1);
  tidings_test_server_set_fault (server, "/packed.xml", fault, 0, NULL);

  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  assert_body (result, feed, -1);
  /* The hash is of the decoded body. */
  g_assert_cmpstr (result->body_hash, ==, hash);

  accept_encoding = tidings_test_server_get_request_header (server, "/packed.xml",
                                                            "Accept-Encoding");
  g_assert_nonnull (accept_encoding);
  assert_contains (accept_encoding, coding);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_gzip (void)
{
  check_encoded (TIDINGS_TEST_FAULT_GZIP, "gzip");
}

static void
test_brotli (void)
{
  check_encoded (TIDINGS_TEST_FAULT_BROTLI, "br");
}

/* Peak resident memory in kB, after resetting it when the kernel allows. */
static gsize
peak_rss_kb (gboolean reset)
{
  g_autofree char *status = NULL;
  const char *line;

  if (reset)
    {
      /* "5" resets the peak (Linux 4.0); g_file_set_contents() cannot write
       * in place. */
      FILE *clear_refs = fopen ("/proc/self/clear_refs", "w");

      if (clear_refs != NULL)
        {
          fputs ("5", clear_refs);
          fclose (clear_refs);
        }
    }
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmHWM:");
  return line ? g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) : 0;
}

static void
test_gzip_bomb (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  /* 2 MB out of a gigabyte. */
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (0, 0, 0, 0, 2 * 1000 * 1000);
  g_autofree char *message = NULL;
  gsize before, after;

  tidings_test_server_set_body (server, "/bomb.xml", RSS_TYPE, "", 0);
  tidings_test_server_set_fault (server, "/bomb.xml", TIDINGS_TEST_FAULT_GZIP_BOMB, 1024, NULL);

  before = peak_rss_kb (TRUE);
  message = fetch_fails (fetcher, server, "/bomb.xml", TIDINGS_FETCH_ERROR_TOO_LARGE);
  after = peak_rss_kb (FALSE);
  g_assert_cmpstr (message, ==, "The feed is larger than 2 MB");
  g_test_message ("Peak RSS %" G_GSIZE_FORMAT " kB before, %" G_GSIZE_FORMAT " kB after",
                  before, after);
  /* Inflating it whole would take a gigabyte. */
  g_assert_cmpuint (after, <, before + 64 * 1024);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_too_large (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (0, 0, 0, 0, 100 * 1000);
  g_autofree char *feed = big_feed (300 * 1000);
  g_autofree char *small_url = tidings_test_server_url (server, "/small.xml");
  g_autofree char *message = NULL;
  g_autofree char *packed_message = NULL;
  g_autoptr(TidingsFetchResult) small = NULL;
  g_autoptr(GError) error = NULL;

  /* Announced by Content-Length: refused unread. */
  tidings_test_server_set_body (server, "/big.xml", RSS_TYPE, feed, -1);
  message = fetch_fails (fetcher, server, "/big.xml", TIDINGS_FETCH_ERROR_TOO_LARGE);
  g_assert_cmpstr (message, ==, "The feed is larger than 100 kB");

  /* Compressed, so only counting the decoded bytes can tell. */
  tidings_test_server_set_body (server, "/packed.xml", RSS_TYPE, feed, -1);
  tidings_test_server_set_fault (server, "/packed.xml", TIDINGS_TEST_FAULT_GZIP, 0, NULL);
  packed_message = fetch_fails (fetcher, server, "/packed.xml", TIDINGS_FETCH_ERROR_TOO_LARGE);
  g_assert_cmpstr (packed_message, ==, "The feed is larger than 100 kB");

  /* Exactly at the cap is fine. */
  feed[100 * 1000] = '\0';
  tidings_test_server_set_body (server, "/small.xml", RSS_TYPE, feed, -1);
  small = fetch (fetcher, small_url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (small->body), ==, 100 * 1000);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_empty_body (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/empty.xml");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "", 0);
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing is still a body: the parser, not the fetcher, objects. */
  tidings_test_server_set_body (server, "/empty.xml", RSS_TYPE, "", 0);
  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->status, ==, 200);
  g_assert_nonnull (result->body);
  g_assert_cmpuint (g_bytes_get_size (result->body), ==, 0);
  g_assert_cmpstr (result->body_hash, ==, hash);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Slow and silent servers */

static void
test_slow_body (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (0, 0, 1, 10, 0);
  g_autofree char *url = tidings_test_server_url (server, "/slow.xml");
  g_autofree char *feed = big_feed (50 * 1000);
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Trickled over 1.5 s: longer than the connect timeout, well within the
   * total one. */
  tidings_test_server_set_body (server, "/slow.xml", RSS_TYPE, feed, -1);
  tidings_test_server_set_fault (server, "/slow.xml", TIDINGS_TEST_FAULT_SLOW_BODY, 1500, NULL);
  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  assert_body (result, feed, -1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_slow_body_timeout (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (0, 0, 0, 1, 0);
  g_autofree char *feed = big_feed (50 * 1000);
  g_autofree char *message = NULL;

  /* Bytes keep coming, but the whole answer takes too long. */
  tidings_test_server_set_body (server, "/slow.xml", RSS_TYPE, feed, -1);
  tidings_test_server_set_fault (server, "/slow.xml", TIDINGS_TEST_FAULT_SLOW_BODY, 5000, NULL);
  message = fetch_fails (fetcher, server, "/slow.xml", TIDINGS_FETCH_ERROR_TIMEOUT);
  g_assert_cmpstr (message, ==, "The server took longer than 1 s to answer");

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_hang (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  /* The connect timeout is shorter: it must not be the one that fires. */
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (0, 0, 1, 2, 0);
  g_autofree char *message = NULL;

  tidings_test_server_set_fault (server, "/hang.xml", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  message = fetch_fails (fetcher, server, "/hang.xml", TIDINGS_FETCH_ERROR_TIMEOUT);
  g_assert_cmpstr (message, ==, "The server took longer than 2 s to answer");
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/hang.xml"), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_connect_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (0, 0, 1, 10, 0);
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autofree char *url = NULL;
  GSocket *probe = NULL;

  /* A listener that never accepts, its backlog full: Linux then drops new
   * SYNs, and connecting hangs as it would to a host that has gone dark. */
  g_assert_no_error (error);
  g_socket_set_listen_backlog (listener, 0);
  g_socket_bind (listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) pending = NULL;

      probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                            &error);
      g_assert_no_error (error);
      g_socket_set_blocking (probe, FALSE);
      if (!g_socket_connect (probe, bound, NULL, &pending))
        g_assert_error (pending, G_IO_ERROR, G_IO_ERROR_PENDING);
      g_ptr_array_add (fillers, probe);
    }
  /* The last one shows whether this kernel behaves so. */
  if (g_socket_condition_timed_wait (probe, G_IO_OUT, 300 * 1000, NULL, NULL)
      && g_socket_check_connect_result (probe, NULL))
    {
      g_test_skip ("Connections to a full backlog do not hang here");
      return;
    }

  url = g_strdup_printf ("http://127.0.0.1:%u/feed.xml",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  result = fetch (fetcher, url, &error);
  g_assert_null (result);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT_TIMEOUT);
  g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1 within 1 s");

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_reset (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *feed = big_feed (20 * 1000);
  g_autofree char *message = NULL;

  tidings_test_server_set_body (server, "/reset.xml", RSS_TYPE, feed, -1);
  tidings_test_server_set_fault (server, "/reset.xml", TIDINGS_TEST_FAULT_RESET, 0, NULL);
  message = fetch_fails (fetcher, server, "/reset.xml", TIDINGS_FETCH_ERROR_NETWORK);
  g_assert_cmpstr (message, ==,
                   "The connection to 127.0.0.1 broke off before the whole answer arrived");

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and has nobody listening. */
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u/feed.xml",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  result = fetch (fetcher, url, &error);
  g_assert_null (result);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CONNECT);
  g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1: connection refused");

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_unknown_host (void)
{
  g_autoptr(GResolver) system = g_resolver_get_default ();
  g_autoptr(TidingsTestResolver) resolver = g_object_new (TIDINGS_TYPE_TEST_RESOLVER, NULL);
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_resolver_set_default (G_RESOLVER (resolver));
  result = fetch (fetcher, "http://feeds.example.invalid/rss.xml", &error);
  g_resolver_set_default (system);

  g_assert_null (result);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_RESOLVE);
  g_assert_cmpstr (error->message, ==, "Could not find the server feeds.example.invalid");
  g_assert_cmpuint (tidings_test_resolver_get_lookups (resolver), >, 0);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Self-signed for 127.0.0.1 and localhost, valid 2000 to 2100. */
static const char certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBezCCASGgAwIBAgIBATAKBggqhkjOPQQDAjAeMRwwGgYDVQQDDBNUaWRpbmdz\n"
  "IHRlc3Qgc2VydmVyMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAe\n"
  "MRwwGgYDVQQDDBNUaWRpbmdzIHRlc3Qgc2VydmVyMFkwEwYHKoZIzj0CAQYIKoZI\n"
  "zj0DAQcDQgAEF5xFn3t/k/QVv5J/pjrZS3rlJ58ksDCIR4Xk/0cMgi3q7zSoA+ft\n"
  "H5ltHOo25wl0R2MrH00JBFFg6GmaMSSdL6NOMEwwDwYDVR0TAQH/BAUwAwEB/zAa\n"
  "BgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwHQYDVR0OBBYEFIlcTUWak4zwsnbf\n"
  "ESMgOeRhnuwfMAoGCCqGSM49BAMCA0gAMEUCIDB1XYEBJSjr7aCRJg6CsWzaypL9\n"
  "7mepFy9Hsl/C4tDpAiEAqrDbmsE1gklmjh9elbw4QlMNf8TbwZlnNS4r/wwGCRE=\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQguZTTARK+vHvaEwM/\n"
  "/VPxHLEo8Awb/klrO7KoD1abCnqhRANCAAQXnEWfe3+T9BW/kn+mOtlLeuUnnySw\n"
  "MIhHheT/RwyCLervNKgD5+0fmW0c6jbnCXRHYysfTQkEUWDoaZoxJJ0v\n"
  "-----END PRIVATE KEY-----\n";

static void
test_untrusted_certificate (void)
{
  g_autoptr(TidingsTestServer) server = NULL;
  g_autoptr(TidingsFetcher) fetcher = NULL;
  g_autofree char *message = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No TLS backend (glib-networking)");
      return;
    }

  server = tidings_test_server_new_https (certificate_pem);
  fetcher = tidings_fetcher_new (NULL);
  g_assert_true (g_str_has_prefix (tidings_test_server_get_base (server), "https://"));
  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);

  /* Nobody vouches for it: refused, never read. */
  message = fetch_fails (fetcher, server, "/feed.xml", TIDINGS_FETCH_ERROR_TLS);
  g_assert_cmpstr (message, ==, "Certificate not trusted for 127.0.0.1");
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Status codes */

static gint64
backoff_of (TidingsFetcher *fetcher,
            const char     *host)
{
  g_autoptr(GHashTable) backoffs = tidings_fetcher_get_backoffs (fetcher);
  gint64 *until = g_hash_table_lookup (backoffs, host);

  return until ? *until : 0;
}

static void
test_http_errors (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *missing = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *forbidden = NULL;
  g_autofree char *unavailable = NULL;
  g_autofree char *gone = NULL;

  missing = fetch_fails (fetcher, server, "/nowhere.xml", TIDINGS_FETCH_ERROR_HTTP);
  g_assert_cmpstr (missing, ==, "The server answered 404 Not Found");

  tidings_test_server_set_fault (server, "/500.xml", TIDINGS_TEST_FAULT_STATUS, 500, NULL);
  broken = fetch_fails (fetcher, server, "/500.xml", TIDINGS_FETCH_ERROR_HTTP);
  g_assert_cmpstr (broken, ==, "The server answered 500 Internal Server Error");

  tidings_test_server_set_fault (server, "/403.xml", TIDINGS_TEST_FAULT_STATUS, 403, NULL);
  forbidden = fetch_fails (fetcher, server, "/403.xml", TIDINGS_FETCH_ERROR_HTTP);
  g_assert_cmpstr (forbidden, ==, "The server answered 403 Forbidden");

  /* 503 without Retry-After is an error like any other, no back-off. */
  tidings_test_server_set_fault (server, "/503.xml", TIDINGS_TEST_FAULT_STATUS, 503, NULL);
  unavailable = fetch_fails (fetcher, server, "/503.xml", TIDINGS_FETCH_ERROR_HTTP);
  g_assert_cmpstr (unavailable, ==, "The server answered 503 Service Unavailable");
  g_assert_cmpint (backoff_of (fetcher, "127.0.0.1"), ==, 0);

  tidings_test_server_set_fault (server, "/gone.xml", TIDINGS_TEST_FAULT_STATUS, 410, NULL);
  gone = fetch_fails (fetcher, server, "/gone.xml", TIDINGS_FETCH_ERROR_GONE);
  g_assert_cmpstr (gone, ==, "The feed is gone: the server says it was removed (410)");

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
check_backoff (TidingsTestFault fault,
               int              seconds)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *message = NULL;
  g_autofree char *later = NULL;
  gint64 now = g_get_real_time ();
  gint64 until;

  tidings_test_server_set_fault (server, "/busy.xml", fault, seconds, NULL);
  tidings_test_server_set_body (server, "/other.xml", RSS_TYPE, FEED, -1);

  message = fetch_fails (fetcher, server, "/busy.xml", TIDINGS_FETCH_ERROR_BACKOFF);
  assert_contains (message, "127.0.0.1 asked us to wait; next try after ");
  until = backoff_of (fetcher, "127.0.0.1");
  /* HTTP dates have whole seconds. */
  g_assert_cmpint (until, >=, now + (seconds - 2) * G_USEC_PER_SEC);
  g_assert_cmpint (until, <=, g_get_real_time () + (seconds + 1) * G_USEC_PER_SEC);

  /* Anything else on that host now fails at once, unasked. */
  later = fetch_fails (fetcher, server, "/other.xml", TIDINGS_FETCH_ERROR_BACKOFF);
  g_assert_cmpstr (later, ==, message);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/other.xml"), ==, 0);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/busy.xml"), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_retry_after_seconds (void)
{
  check_backoff (TIDINGS_TEST_FAULT_RETRY_AFTER, 120);
}

static void
test_retry_after_date (void)
{
  check_backoff (TIDINGS_TEST_FAULT_RETRY_DATE, 300);
}

static void
test_retry_after_capped (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *message = NULL;

  /* A year is not a reasonable pause: a day at most. */
  tidings_test_server_set_fault (server, "/busy.xml", TIDINGS_TEST_FAULT_RETRY_AFTER,
                                 365 * 24 * 3600, NULL);
  message = fetch_fails (fetcher, server, "/busy.xml", TIDINGS_FETCH_ERROR_BACKOFF);
  g_assert_cmpint (backoff_of (fetcher, "127.0.0.1"), <=,
                   g_get_real_time () + (gint64) 24 * 3600 * G_USEC_PER_SEC);
  g_assert_cmpint (backoff_of (fetcher, "127.0.0.1"), >,
                   g_get_real_time () + (gint64) 23 * 3600 * G_USEC_PER_SEC);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_seeded_backoff (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/feed.xml");
  g_autofree char *message = NULL;
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 until = g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC;

  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);

  /* Seeded from the store: honoured without asking. */
  tidings_fetcher_set_backoff (fetcher, "127.0.0.1", until);
  g_assert_cmpint (backoff_of (fetcher, "127.0.0.1"), ==, until);
  message = fetch_fails (fetcher, server, "/feed.xml", TIDINGS_FETCH_ERROR_BACKOFF);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 0);

  /* A pause that is over is no pause. */
  tidings_fetcher_set_backoff (fetcher, "127.0.0.1", g_get_real_time () - 1);
  g_assert_cmpint (backoff_of (fetcher, "127.0.0.1"), ==, 0);
  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Redirects */

static void
test_redirect_loop (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *message = NULL;

  tidings_test_server_set_fault (server, "/a.xml", TIDINGS_TEST_FAULT_REDIRECT, 302, "/b.xml");
  tidings_test_server_set_fault (server, "/b.xml", TIDINGS_TEST_FAULT_REDIRECT, 307, "/a.xml");
  message = fetch_fails (fetcher, server, "/a.xml", TIDINGS_FETCH_ERROR_REDIRECT);
  g_assert_cmpstr (message, ==, "The address redirects in a loop");
  /* Caught on the way back, not after the limit. */
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/a.xml"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/b.xml"), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_too_many_redirects (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *message = NULL;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *path = g_strdup_printf ("/hop%u.xml", i);
      g_autofree char *next = g_strdup_printf ("/hop%u.xml", i + 1);

      tidings_test_server_set_fault (server, path, TIDINGS_TEST_FAULT_REDIRECT, 301, next);
    }
  tidings_test_server_set_body (server, "/hop12.xml", RSS_TYPE, FEED, -1);
  message = fetch_fails (fetcher, server, "/hop0.xml", TIDINGS_FETCH_ERROR_REDIRECT);
  g_assert_cmpstr (message, ==, "The address redirects more than 10 times");
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/hop10.xml"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/hop11.xml"), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_permanent_chain (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/old.xml");
  g_autofree char *last = tidings_test_server_url (server, "/new/feed.xml");
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_fault (server, "/old.xml", TIDINGS_TEST_FAULT_REDIRECT, 301,
                                 "/older.xml");
  tidings_test_server_set_fault (server, "/older.xml", TIDINGS_TEST_FAULT_REDIRECT, 308,
                                 last);
  tidings_test_server_set_body (server, "/new/feed.xml", RSS_TYPE, FEED, -1);

  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->status, ==, 200);
  assert_body (result, FEED, -1);
  g_assert_cmpstr (result->url, ==, url);
  g_assert_cmpstr (result->final_url, ==, last);
  g_assert_cmpstr (result->permanent_url, ==, last);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_temporary_in_chain (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/old.xml");
  g_autofree char *last = tidings_test_server_url (server, "/feed.xml");
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_fault (server, "/old.xml", TIDINGS_TEST_FAULT_REDIRECT, 301,
                                 "/moving.xml");
  tidings_test_server_set_fault (server, "/moving.xml", TIDINGS_TEST_FAULT_REDIRECT, 302,
                                 "feed.xml");
  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);

  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->final_url, ==, last);
  /* One temporary hop: the address to keep is still the first one. */
  g_assert_null (result->permanent_url);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_redirect_other_host (void)
{
  static const char * const addresses[] = { "127.0.0.1", "127.0.0.2", NULL };
  g_autoptr(TidingsTestServer) server = tidings_test_server_new_on (addresses);
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/moved.xml");
  g_autofree char *there = g_strconcat (tidings_test_server_get_base_at (server, 1), "/feed.xml",
                                        NULL);
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  tidings_test_server_set_fault (server, "/moved.xml", TIDINGS_TEST_FAULT_REDIRECT, 308, there);
  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);

  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->final_url, ==, there);
  g_assert_cmpstr (result->permanent_url, ==, there);
  g_assert_cmpuint (tidings_test_server_get_max_in_flight_at (server, 1), ==, 1);

  /* The new host's back-off applies to the redirected request. */
  tidings_fetcher_set_backoff (fetcher, "127.0.0.2", g_get_real_time () + 60 * G_USEC_PER_SEC);
  message = fetch_fails (fetcher, server, "/moved.xml", TIDINGS_FETCH_ERROR_BACKOFF);
  assert_contains (message, "127.0.0.2 asked us to wait");
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Addresses and headers */

static void
test_invalid_url (void)
{
  static const char * const urls[] = {
    "ftp://example.org/feed.xml",
    "not an address",
    "http://",
    "/feed.xml",
    "file:///etc/passwd",
    "",
  };
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TidingsFetchResult) result = fetch (fetcher, urls[i], &error);

      g_assert_null (result);
      g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_INVALID_URL);
      assert_contains (error->message, "is not a web address");
    }

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_host_of (void)
{
  g_autofree char *plain = tidings_fetcher_host_of ("HTTP://Example.ORG/feed.xml");
  g_autofree char *port_a = tidings_fetcher_host_of ("http://127.0.0.2:8080/a.xml");
  g_autofree char *port_b = tidings_fetcher_host_of ("https://127.0.0.2:8081/b.xml");
  g_autofree char *dotted = tidings_fetcher_host_of ("https://example.org./feed");
  g_autofree char *ipv6 = tidings_fetcher_host_of ("http://[::1]:8080/feed");
  g_autofree char *idn = tidings_fetcher_host_of ("https://bücher.example/feed");
  g_autofree char *ftp = tidings_fetcher_host_of ("ftp://example.org/");
  g_autofree char *hostless = tidings_fetcher_host_of ("http:///feed");
  g_autofree char *nothing = tidings_fetcher_host_of ("");

  g_assert_cmpstr (plain, ==, "example.org");
  /* Two ports of one machine are one host to be polite to. */
  g_assert_cmpstr (port_a, ==, "127.0.0.2");
  g_assert_cmpstr (port_b, ==, "127.0.0.2");
  g_assert_cmpstr (dotted, ==, "example.org");
  g_assert_cmpstr (ipv6, ==, "::1");
  g_assert_cmpstr (idn, ==, "xn--bcher-kva.example");
  g_assert_null (ftp);
  g_assert_null (hostless);
  g_assert_null (nothing);
  g_assert_null (tidings_fetcher_host_of (NULL));
}

static void
test_headers_sent (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/feed.xml");
  g_autofree char *user_agent = NULL;
  g_autofree char *accept = NULL;
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);
  result = fetch (fetcher, url, &error);
  g_assert_no_error (error);

  user_agent = tidings_test_server_get_user_agent (server, "/feed.xml");
  g_assert_cmpstr (user_agent, ==, tidings_fetcher_user_agent ());
  g_assert_true (g_str_has_prefix (user_agent, "Tidings/"));
  assert_contains (user_agent, "https://");
  accept = tidings_test_server_get_request_header (server, "/feed.xml", "Accept");
  assert_contains (accept, "application/rss+xml");
  assert_contains (accept, "application/atom+xml");
  assert_contains (accept, "application/feed+json");

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_cache_control_and_charset (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *cached_url = tidings_test_server_url (server, "/cached.xml");
  g_autofree char *latin_url = tidings_test_server_url (server, "/latin.xml");
  g_autoptr(TidingsFetchResult) cached = NULL;
  g_autoptr(TidingsFetchResult) latin = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_body (server, "/cached.xml", RSS_TYPE, FEED, -1);
  tidings_test_server_set_fault (server, "/cached.xml", TIDINGS_TEST_FAULT_CACHE_CONTROL, 900,
                                 NULL);
  cached = fetch (fetcher, cached_url, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cached->max_age, ==, 900);

  tidings_test_server_set_body (server, "/latin.xml", "Application/RSS+XML", FEED, -1);
  tidings_test_server_set_fault (server, "/latin.xml", TIDINGS_TEST_FAULT_CHARSET, 0,
                                 "ISO-8859-1");
  latin = fetch (fetcher, latin_url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (latin->content_type, ==, "application/rss+xml");
  g_assert_cmpstr (latin->charset, ==, "iso-8859-1");
  g_assert_cmpint (latin->max_age, ==, -1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Cancellation */

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/hang.xml");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_fault (server, "/hang.xml", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  g_timeout_add (200, cancel_later, cancellable);
  result = fetch_full (fetcher, url, NULL, NULL, NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/hang.xml"), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_cancel_before (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autofree char *url = tidings_test_server_url (server, "/feed.xml");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);
  g_cancellable_cancel (cancellable);
  result = fetch_full (fetcher, url, NULL, NULL, NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_cancel_queued (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (0, 1, 0, 0, 0);
  g_autofree char *hang_url = tidings_test_server_url (server, "/hang.xml");
  g_autofree char *feed_url = tidings_test_server_url (server, "/feed.xml");
  TidingsFetchRequest hang = { hang_url, NULL, NULL, NULL };
  TidingsFetchRequest feed = { feed_url, NULL, NULL, NULL };
  g_autoptr(GCancellable) hang_cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) feed_cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) hang_result = NULL;
  g_autoptr(GAsyncResult) feed_result = NULL;
  g_autoptr(TidingsFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tidings_test_server_set_fault (server, "/hang.xml", TIDINGS_TEST_FAULT_HANG, 0, NULL);
  tidings_test_server_set_body (server, "/feed.xml", RSS_TYPE, FEED, -1);

  /* One connection per host: the second request waits behind the first. */
  tidings_fetcher_fetch_async (fetcher, &hang, hang_cancellable, on_fetched, &hang_result);
  tidings_fetcher_fetch_async (fetcher, &feed, feed_cancellable, on_fetched, &feed_result);
  while (tidings_test_server_get_hits (server, "/hang.xml") == 0)
    g_main_context_iteration (NULL, FALSE);

  /* Cancelling the waiting one ends it at once; the other hangs on. */
  g_cancellable_cancel (feed_cancellable);
  while (feed_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = tidings_fetcher_fetch_finish (fetcher, feed_result, &error);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED);
  g_assert_null (hang_result);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/feed.xml"), ==, 0);
  g_clear_error (&error);

  g_cancellable_cancel (hang_cancellable);
  while (hang_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = tidings_fetcher_fetch_finish (fetcher, hang_result, &error);
  g_assert_error (error, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED);

  /* The results hold the fetcher. */
  g_clear_object (&hang_result);
  g_clear_object (&feed_result);
  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

/* Concurrency */

typedef struct
{
  TidingsFetcher *fetcher;
  guint           done;
  guint           failed;
} Batch;

static void
on_batch_fetched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFetchResult) fetched = tidings_fetcher_fetch_finish (batch->fetcher, result,
                                                                        &error);

  if (fetched == NULL)
    {
      g_test_message ("%s", error->message);
      batch->failed++;
    }
  batch->done++;
}

static void
test_per_host_cap (void)
{
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (8, 2, 0, 0, 0);
  g_autofree char *feed = big_feed (4 * 1000);
  Batch batch = { fetcher, 0, 0 };

  /* Slow answers keep requests in flight long enough to overlap. */
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *path = g_strdup_printf ("/feed/%u.xml", i);
      g_autofree char *url = tidings_test_server_url (server, path);
      TidingsFetchRequest request = { url, NULL, NULL, NULL };

      tidings_test_server_set_body (server, path, RSS_TYPE, feed, -1);
      tidings_test_server_set_fault (server, path, TIDINGS_TEST_FAULT_SLOW_BODY, 60, NULL);
      tidings_fetcher_fetch_async (fetcher, &request, NULL, on_batch_fetched, &batch);
    }
  while (batch.done < 40)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (batch.failed, ==, 0);
  g_test_message ("At most %u at once", tidings_test_server_get_max_in_flight (server));
  g_assert_cmpuint (tidings_test_server_get_max_in_flight (server), <=, 2);
  g_assert_cmpuint (tidings_test_server_get_max_in_flight (server), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

static void
test_global_cap (void)
{
  static const char * const addresses[] = {
    "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", NULL
  };
  g_autoptr(TidingsTestServer) server = tidings_test_server_new_on (addresses);
  g_autoptr(TidingsFetcher) fetcher = new_fetcher (3, 2, 0, 0, 0);
  g_autofree char *feed = big_feed (4 * 1000);
  Batch batch = { fetcher, 0, 0 };
  guint n = 0;

  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *path = g_strdup_printf ("/feed/%u.xml", i);

      tidings_test_server_set_body (server, path, RSS_TYPE, feed, -1);
      tidings_test_server_set_fault (server, path, TIDINGS_TEST_FAULT_SLOW_BODY, 60, NULL);
      for (guint a = 0; a < tidings_test_server_get_n_bases (server); a++)
        {
          g_autofree char *url = g_strconcat (tidings_test_server_get_base_at (server, a), path,
                                              NULL);
          TidingsFetchRequest request = { url, NULL, NULL, NULL };

          tidings_fetcher_fetch_async (fetcher, &request, NULL, on_batch_fetched, &batch);
          n++;
        }
    }
  while (batch.done < n)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (batch.failed, ==, 0);
  g_test_message ("At most %u at once", tidings_test_server_get_max_in_flight (server));
  g_assert_cmpuint (tidings_test_server_get_max_in_flight (server), <=, 3);
  /* Hosts run side by side up to the global cap. */
  g_assert_cmpuint (tidings_test_server_get_max_in_flight (server), ==, 3);
  for (guint a = 0; a < tidings_test_server_get_n_bases (server); a++)
    g_assert_cmpuint (tidings_test_server_get_max_in_flight_at (server, a), <=, 2);

  g_assert_finalize_object (g_steal_pointer (&fetcher));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fetcher/conditional/validators-then-304", test_validators_then_304);
  g_test_add_func ("/fetcher/conditional/changed-body", test_changed_body);
  g_test_add_func ("/fetcher/conditional/keep-alive-304", test_keep_alive_304);
  g_test_add_func ("/fetcher/conditional/hash", test_hash_not_modified);
  g_test_add_func ("/fetcher/encoding/gzip", test_gzip);
  g_test_add_func ("/fetcher/encoding/brotli", test_brotli);
  g_test_add_func ("/fetcher/size/gzip-bomb", test_gzip_bomb);
  g_test_add_func ("/fetcher/size/too-large", test_too_large);
  g_test_add_func ("/fetcher/size/empty", test_empty_body);
  g_test_add_func ("/fetcher/time/slow-body", test_slow_body);
  g_test_add_func ("/fetcher/time/slow-body-timeout", test_slow_body_timeout);
  g_test_add_func ("/fetcher/time/hang", test_hang);
  g_test_add_func ("/fetcher/time/connect-timeout", test_connect_timeout);
  g_test_add_func ("/fetcher/network/reset", test_reset);
  g_test_add_func ("/fetcher/network/refused", test_refused);
  g_test_add_func ("/fetcher/network/unknown-host", test_unknown_host);
  g_test_add_func ("/fetcher/network/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func ("/fetcher/status/errors", test_http_errors);
  g_test_add_func ("/fetcher/status/retry-after-seconds", test_retry_after_seconds);
  g_test_add_func ("/fetcher/status/retry-after-date", test_retry_after_date);
  g_test_add_func ("/fetcher/status/retry-after-capped", test_retry_after_capped);
  g_test_add_func ("/fetcher/status/seeded-backoff", test_seeded_backoff);
  g_test_add_func ("/fetcher/redirect/loop", test_redirect_loop);
  g_test_add_func ("/fetcher/redirect/too-many", test_too_many_redirects);
  g_test_add_func ("/fetcher/redirect/permanent-chain", test_permanent_chain);
  g_test_add_func ("/fetcher/redirect/temporary-in-chain", test_temporary_in_chain);
  g_test_add_func ("/fetcher/redirect/other-host", test_redirect_other_host);
  g_test_add_func ("/fetcher/address/invalid", test_invalid_url);
  g_test_add_func ("/fetcher/address/host-of", test_host_of);
  g_test_add_func ("/fetcher/headers/sent", test_headers_sent);
  g_test_add_func ("/fetcher/headers/cache-control-charset", test_cache_control_and_charset);
  g_test_add_func ("/fetcher/cancel/running", test_cancel);
  g_test_add_func ("/fetcher/cancel/before", test_cancel_before);
  g_test_add_func ("/fetcher/cancel/queued", test_cancel_queued);
  g_test_add_func ("/fetcher/concurrency/per-host", test_per_host_cap);
  g_test_add_func ("/fetcher/concurrency/global", test_global_cap);

  return g_test_run ();
}
