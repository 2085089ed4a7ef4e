/* tidings-fetcher.h: polite concurrent HTTP fetching of feeds (libsoup3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A TidingsFetcher queues requests and runs at most max_connections at once,
 * at most max_per_host to any one host, in the thread-default main context
 * it was created in. It speaks conditional GET, takes gzip, deflate and
 * brotli, follows redirects itself (so it can tell permanent ones), caps
 * bodies, times out, keeps hosts that asked for a pause (429/503 with
 * Retry-After) backed off, and turns every failure into a sentence a person
 * understands (the GError message).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TIDINGS_FETCH_ERROR (tidings_fetch_error_quark ())

typedef enum
{
  TIDINGS_FETCH_ERROR_INVALID_URL,     /* not an http(s) address */
  TIDINGS_FETCH_ERROR_RESOLVE,         /* host name not found */
  TIDINGS_FETCH_ERROR_CONNECT,         /* refused, unreachable */
  TIDINGS_FETCH_ERROR_CONNECT_TIMEOUT,
  TIDINGS_FETCH_ERROR_TIMEOUT,         /* connected, but the answer took too long */
  TIDINGS_FETCH_ERROR_NETWORK,         /* connection reset, truncated body, ... */
  TIDINGS_FETCH_ERROR_TLS,             /* certificate or handshake trouble */
  TIDINGS_FETCH_ERROR_HTTP,            /* an HTTP status that is an error (404, 500, ...) */
  TIDINGS_FETCH_ERROR_GONE,            /* 410: the publisher removed the feed */
  TIDINGS_FETCH_ERROR_BACKOFF,         /* 429/503, or the host is still backed off */
  TIDINGS_FETCH_ERROR_REDIRECT,        /* a loop, or too many redirects */
  TIDINGS_FETCH_ERROR_TOO_LARGE,       /* over max_body (after decoding) */
  TIDINGS_FETCH_ERROR_CANCELLED,
} TidingsFetchError;

GQuark tidings_fetch_error_quark (void);

typedef struct
{
  guint  max_connections;     /* 8 */
  guint  max_per_host;        /* 2 */
  guint  connect_timeout;     /* seconds, 15 */
  guint  timeout;             /* seconds for the whole exchange, 30 */
  gsize  max_body;            /* bytes after decoding, 20 MB */
  guint  max_redirects;       /* 10 */
} TidingsFetcherOptions;

/* Fills @options with the defaults above. */
void tidings_fetcher_options_init (TidingsFetcherOptions *options);

typedef struct
{
  const char *url;
  const char *etag;             /* validators from the last fetch, may be NULL */
  const char *last_modified;
  const char *previous_hash;    /* body hash from the last fetch, may be NULL */
  /* Additions: for what is not a feed (a feed's icon, a site's page). */
  gsize       max_body;         /* a lower cap than the fetcher's, 0 for the fetcher's */
  const char *accept;           /* the Accept header, NULL for the feed types */
} TidingsFetchRequest;

typedef struct
{
  char     *url;              /* as requested */
  char     *final_url;        /* after redirects */
  char     *permanent_url;    /* set when every redirect was 301/308: the new address */
  guint     status;           /* the final HTTP status (200, 304, ...) */
  gboolean  not_modified;     /* a 304, or a body whose hash equals previous_hash */
  GBytes   *body;             /* decoded; NULL when not_modified */
  char     *body_hash;        /* SHA-256 hex of the body; NULL on a 304 */
  char     *content_type;     /* the media type alone, lower case, may be NULL */
  char     *charset;          /* from Content-Type, may be NULL */
  char     *etag;             /* new validators, NULL when none */
  char     *last_modified;
  gint64    max_age;          /* Cache-Control max-age in seconds, -1 when absent */
} TidingsFetchResult;

void tidings_fetch_result_free (TidingsFetchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsFetchResult, tidings_fetch_result_free)

#define TIDINGS_TYPE_FETCHER (tidings_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (TidingsFetcher, tidings_fetcher, TIDINGS, FETCHER, GObject)

/* @options may be NULL for the defaults. */
TidingsFetcher     *tidings_fetcher_new          (const TidingsFetcherOptions *options);

/* The strings of @request are copied. Fails with a TIDINGS_FETCH_ERROR whose
 * message is a sentence for people, e.g. "The server took longer than 30 s
 * to answer" or "Certificate not trusted for example.org". */
void                tidings_fetcher_fetch_async  (TidingsFetcher            *self,
                                                  const TidingsFetchRequest *request,
                                                  GCancellable              *cancellable,
                                                  GAsyncReadyCallback        callback,
                                                  gpointer                   user_data);
TidingsFetchResult *tidings_fetcher_fetch_finish (TidingsFetcher            *self,
                                                  GAsyncResult              *result,
                                                  GError                   **error);

/* Host back-off (from 429/503 Retry-After). A request to a host backed off
 * until a later time fails at once with TIDINGS_FETCH_ERROR_BACKOFF. Seeded
 * from the store before a refresh, read back after it. */
void                tidings_fetcher_set_backoff  (TidingsFetcher *self,
                                                  const char     *host,
                                                  gint64          until);
/* host (char *) -> until (gint64 *, microseconds since the epoch). */
GHashTable         *tidings_fetcher_get_backoffs (TidingsFetcher *self);

/* The host part of @url, lower case, as back-off and the per-host cap see it;
 * NULL when @url is not a usable http(s) address. */
char               *tidings_fetcher_host_of      (const char     *url);

/* "Tidings/VERSION (+https://github.com/tidings/tidings)" */
const char         *tidings_fetcher_user_agent   (void);

G_END_DECLS
