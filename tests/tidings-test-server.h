/* tidings-test-server.h: a loopback HTTP server that misbehaves on demand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on 127.0.0.1, port 0, running on a thread of its own (with its
 * own main context) so that the code under test may block or iterate any
 * context it likes. Paths are registered with a body and, optionally, a fault.
 * Every served resource has a strong ETag and a Last-Modified date and
 * answers conditional requests with 304 Not Modified.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TIDINGS_TEST_FAULT_NONE,
  TIDINGS_TEST_FAULT_NO_VALIDATORS,  /* 200 without ETag/Last-Modified, ignores conditionals */
  TIDINGS_TEST_FAULT_SLOW_BODY,      /* headers at once, body trickled over `param` ms */
  TIDINGS_TEST_FAULT_HANG,           /* accepts, never answers (until the server is freed) */
  TIDINGS_TEST_FAULT_RESET,          /* half the body, then the connection is closed */
  TIDINGS_TEST_FAULT_STATUS,         /* answers with status `param` and a short HTML body */
  TIDINGS_TEST_FAULT_RETRY_AFTER,    /* 429 with Retry-After: `param` seconds */
  TIDINGS_TEST_FAULT_RETRY_DATE,     /* 503 with Retry-After as an HTTP-date `param` s ahead */
  TIDINGS_TEST_FAULT_REDIRECT,       /* status `param` (301, 302, 307, 308) to `target` */
  TIDINGS_TEST_FAULT_GZIP,           /* body sent gzip-encoded (Content-Encoding) */
  TIDINGS_TEST_FAULT_BROTLI,         /* body sent brotli-encoded, when the server can */
  TIDINGS_TEST_FAULT_GZIP_BOMB,      /* a small gzip body that inflates to `param` MiB */
  TIDINGS_TEST_FAULT_CHARSET,        /* Content-Type charset `target` (whatever the body is) */
  TIDINGS_TEST_FAULT_CACHE_CONTROL,  /* Cache-Control: max-age=`param` */
} TidingsTestFault;

typedef struct _TidingsTestServer TidingsTestServer;

TidingsTestServer *tidings_test_server_new        (void);
void               tidings_test_server_free       (TidingsTestServer *server);

/* "http://127.0.0.1:PORT" */
const char        *tidings_test_server_get_base   (TidingsTestServer *server);
/* base + @path */
char              *tidings_test_server_url        (TidingsTestServer *server,
                                                   const char        *path);

/* Serves @body (copied; @len -1 for a string) at @path with @content_type.
 * Replacing a body changes its ETag and Last-Modified. */
void               tidings_test_server_set_body   (TidingsTestServer *server,
                                                   const char        *path,
                                                   const char        *content_type,
                                                   const char        *body,
                                                   gssize             len);
/* Gives @path a fault; @target is a path (redirects) or a charset name. */
void               tidings_test_server_set_fault  (TidingsTestServer *server,
                                                   const char        *path,
                                                   TidingsTestFault   fault,
                                                   int                param,
                                                   const char        *target);

/* Requests seen at @path so far, and how many of them were answered 304. */
guint              tidings_test_server_get_hits   (TidingsTestServer *server,
                                                   const char        *path);
guint              tidings_test_server_get_304s   (TidingsTestServer *server,
                                                   const char        *path);
/* The User-Agent of the last request at @path (NULL when none). */
char              *tidings_test_server_get_user_agent (TidingsTestServer *server,
                                                       const char        *path);

/* Additions for concurrency and multi-host tests. */

/* A server listening on each of @addresses (IPv4 loopback literals such as
 * "127.0.0.2"; Linux routes all of 127/8 to the loopback interface), each on
 * a port of its own. tidings_test_server_get_base() is the first one's. */
TidingsTestServer *tidings_test_server_new_on     (const char * const *addresses);
guint              tidings_test_server_get_n_bases (TidingsTestServer *server);
/* "http://ADDRESS:PORT" of the @index-th address */
const char        *tidings_test_server_get_base_at (TidingsTestServer *server,
                                                    guint              index);

/* The most requests being answered at once (from the handler until the
 * response is written or the connection drops) since the last reset, on all
 * addresses or on the @index-th. Hung requests count until the server is
 * freed, so do not mix HANG into concurrency measurements. */
guint              tidings_test_server_get_max_in_flight    (TidingsTestServer *server);
guint              tidings_test_server_get_max_in_flight_at (TidingsTestServer *server,
                                                             guint              index);
void               tidings_test_server_reset_max_in_flight  (TidingsTestServer *server);

/* A server on 127.0.0.1 speaking HTTPS only, with the certificate and its
 * private key in @pem (PEM, both in one string); the base is
 * "https://127.0.0.1:PORT". */
TidingsTestServer *tidings_test_server_new_https  (const char        *pem);

/* A header of the last request at @path (NULL when none). */
char              *tidings_test_server_get_request_header (TidingsTestServer *server,
                                                           const char        *path,
                                                           const char        *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsTestServer, tidings_test_server_free)

G_END_DECLS
