/* tidings-feed-server.c: a loopback feed server for tests that run tidings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command-line and crash-safety tests drive `tidings` as a separate
 * process, so they need a server that is one too. This one wraps the test
 * server of tidings-test-server.c:
 *
 *   tidings-feed-server [--feeds N] [--items M] [--faults] [--dir DIR]
 *                       [--address ADDR]...
 *
 * It prints its base URL ("http://127.0.0.1:PORT"; with several --address,
 * every base on that one line, separated by spaces), then reads commands
 * from stdin, one a line, answering each on one line of stdout:
 *
 *   rotate          every generated feed gains a new item on top and drops
 *                   its oldest; bodies, ETags and Last-Modified change: "ok"
 *   hits PATH       requests seen at PATH
 *   304s PATH       of those, how many were answered 304 Not Modified
 *   max-in-flight   the most requests answered at once so far
 *   quit            exits (so does the end of stdin)
 *
 * --feeds N serves /feed/0.xml to /feed/N-1.xml, RSS 2.0 with --items M
 * items each (default 20), the same bytes for the same N, M and rotation.
 *
 * --faults serves one path per misbehaviour (the targets of the redirects
 * are /feed/0.xml, so pair it with --feeds 1 or more):
 *
 *   /fault/hang.xml            accepts, never answers
 *   /fault/slow.xml            a feed trickled over 1.5 s
 *   /fault/reset.xml           half a feed, then the connection closes
 *   /fault/500.xml             500 Internal Server Error
 *   /fault/404.xml             404 Not Found
 *   /fault/gone.xml            410 Gone
 *   /fault/retry-after.xml     429 with Retry-After: 3600 (backs off the
 *                              whole host: serve it from its own --address
 *                              server when other feeds must go on)
 *   /fault/retry-date.xml      503 with Retry-After as an HTTP-date, 1 h on
 *   /fault/redirect-loop.xml   302 to /fault/redirect-loop-2.xml, which 302s back
 *   /fault/moved.xml           301 to /feed/0.xml
 *   /fault/moved-chain.xml     301 to /fault/moved.xml, then 301 to /feed/0.xml
 *   /fault/temporary.xml       302 to /feed/0.xml
 *   /fault/html.xml            an HTML page whose <link rel="alternate"> names /feed/0.xml
 *   /fault/invalid.xml         not well-formed XML
 *   /fault/empty.xml           200 with an empty body
 *   /fault/too-large.xml       a feed of 21 MB, over the default 20 MB cap
 *   /fault/gzip-bomb.xml       1 MB of gzip that inflates to 1 GiB
 *   /fault/charset.xml         a UTF-8 feed announced as ISO-8859-1
 *   /fault/no-validators.xml   a feed without ETag or Last-Modified
 *   /fault/gzip.xml            a feed sent gzip-encoded
 *   /fault/brotli.xml          a feed sent brotli-encoded
 *   /fault/max-age.xml         a feed with Cache-Control: max-age=3600
 *
 * --dir DIR serves every file under DIR at its relative path.
 */

#define G_LOG_DOMAIN "tidings-feed-server"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "tidings-test-server.h"

#define RSS_TYPE "application/rss+xml"
/* Item dates count hours from here. */
#define EPOCH_SECONDS G_GINT64_CONSTANT (1704067200)   /* 2024-01-01T00:00:00Z */

typedef struct
{
  const char       *path;
  TidingsTestFault  fault;
  int               param;
  const char        *target;
  const char        *what;
} Fault;

static const Fault faults[] = {
  { "/fault/hang.xml", TIDINGS_TEST_FAULT_HANG, 0, NULL, "accepts, never answers" },
  { "/fault/slow.xml", TIDINGS_TEST_FAULT_SLOW_BODY, 1500, NULL, "a feed trickled over 1.5 s" },
  { "/fault/reset.xml", TIDINGS_TEST_FAULT_RESET, 0, NULL,
    "half a feed, then the connection closes" },
  { "/fault/500.xml", TIDINGS_TEST_FAULT_STATUS, 500, NULL, "500 Internal Server Error" },
  { "/fault/404.xml", TIDINGS_TEST_FAULT_STATUS, 404, NULL, "404 Not Found" },
  { "/fault/gone.xml", TIDINGS_TEST_FAULT_STATUS, 410, NULL, "410 Gone" },
  { "/fault/retry-after.xml", TIDINGS_TEST_FAULT_RETRY_AFTER, 3600, NULL,
    "429 with Retry-After: 3600 (backs off the whole host)" },
  { "/fault/retry-date.xml", TIDINGS_TEST_FAULT_RETRY_DATE, 3600, NULL,
    "503 with Retry-After as an HTTP-date an hour ahead" },
  { "/fault/redirect-loop.xml", TIDINGS_TEST_FAULT_REDIRECT, 302, "/fault/redirect-loop-2.xml",
    "302 to /fault/redirect-loop-2.xml, which redirects back" },
  { "/fault/redirect-loop-2.xml", TIDINGS_TEST_FAULT_REDIRECT, 302, "/fault/redirect-loop.xml",
    NULL },
  { "/fault/moved.xml", TIDINGS_TEST_FAULT_REDIRECT, 301, "/feed/0.xml", "301 to /feed/0.xml" },
  { "/fault/moved-chain.xml", TIDINGS_TEST_FAULT_REDIRECT, 301, "/fault/moved.xml",
    "301 to /fault/moved.xml, then 301 to /feed/0.xml" },
  { "/fault/temporary.xml", TIDINGS_TEST_FAULT_REDIRECT, 302, "/feed/0.xml",
    "302 to /feed/0.xml" },
  { "/fault/html.xml", TIDINGS_TEST_FAULT_NONE, 0, NULL,
    "an HTML page linking to /feed/0.xml as its feed" },
  { "/fault/invalid.xml", TIDINGS_TEST_FAULT_NONE, 0, NULL, "not well-formed XML" },
  { "/fault/empty.xml", TIDINGS_TEST_FAULT_NONE, 0, NULL, "200 with an empty body" },
  { "/fault/too-large.xml", TIDINGS_TEST_FAULT_NONE, 0, NULL, "a 21 MB feed" },
  { "/fault/gzip-bomb.xml", TIDINGS_TEST_FAULT_GZIP_BOMB, 1024, NULL,
    "1 MB of gzip inflating to 1 GiB" },
  { "/fault/charset.xml", TIDINGS_TEST_FAULT_CHARSET, 0, "iso-8859-1",
    "a UTF-8 feed announced as ISO-8859-1" },
  { "/fault/no-validators.xml", TIDINGS_TEST_FAULT_NO_VALIDATORS, 0, NULL,
    "a feed without ETag or Last-Modified" },
  { "/fault/gzip.xml", TIDINGS_TEST_FAULT_GZIP, 0, NULL, "a feed sent gzip-encoded" },
  { "/fault/brotli.xml", TIDINGS_TEST_FAULT_BROTLI, 0, NULL, "a feed sent brotli-encoded" },
  { "/fault/max-age.xml", TIDINGS_TEST_FAULT_CACHE_CONTROL, 3600, NULL,
    "a feed with Cache-Control: max-age=3600" },
};

static char *
format_date (gint64 hours)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (EPOCH_SECONDS + hours * 3600);

  return g_date_time_format (date, "%a, %d %b %Y %H:%M:%S +0000");
}

/* Feed @n at rotation @rotation: items rotation .. rotation + items - 1,
 * newest first. */
static char *
generate_feed (const char *base,
               guint       n,
               guint       items,
               guint       rotation)
{
  GString *feed = g_string_new (NULL);

  g_string_append_printf (feed,
                          "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                          "<rss version=\"2.0\">\n<channel>\n"
                          "<title>Loopback feed %u</title>\n"
                          "<link>%s/site/%u/</link>\n"
                          "<description>Feed %u of the Tidings test server</description>\n",
                          n, base, n, n);
  for (guint i = 0; i < items; i++)
    {
      guint k = rotation + items - 1 - i;
      g_autofree char *date = format_date (k);

      g_string_append_printf (feed,
                              "<item>\n"
                              "<title>Feed %u, item %u</title>\n"
                              "<link>%s/site/%u/item-%u.html</link>\n"
                              "<guid isPermaLink=\"false\">tidings-feed-server:%u:%u</guid>\n"
                              "<pubDate>%s</pubDate>\n"
                              "<description>Item %u of feed %u: some text to read.</description>\n"
                              "</item>\n",
                              n, k, base, n, k, n, k, date, k, n);
    }
  g_string_append (feed, "</channel>\n</rss>\n");
  return g_string_free (feed, FALSE);
}

static void
serve_feeds (TidingsTestServer *server,
             guint              feeds,
             guint              items,
             guint              rotation)
{
  const char *base = tidings_test_server_get_base (server);

  for (guint n = 0; n < feeds; n++)
    {
      g_autofree char *path = g_strdup_printf ("/feed/%u.xml", n);
      g_autofree char *feed = generate_feed (base, n, items, rotation);

      tidings_test_server_set_body (server, path, RSS_TYPE, feed, -1);
    }
}

static void
serve_faults (TidingsTestServer *server)
{
  const char *base = tidings_test_server_get_base (server);
  g_autofree char *feed = generate_feed (base, 999, 5, 0);
  g_autofree char *html = g_strdup_printf (
    "<!DOCTYPE html>\n<html><head><title>A page, not a feed</title>\n"
    "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Loopback feed 0\" "
    "href=\"/feed/0.xml\">\n</head><body><p>Read our feed.</p></body></html>\n");
  g_autofree char *latin = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
    "<title>Café crème</title><link>%s/</link><description>Déjà vu</description>"
    "<item><guid isPermaLink=\"false\">charset-1</guid><title>Über naïve façades</title></item>"
    "</channel></rss>\n", base);
  GString *huge = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                "<rss version=\"2.0\"><channel><title>Too large</title>\n");

  for (guint i = 0; huge->len < 21 * 1000 * 1000; i++)
    g_string_append_printf (huge, "<item><guid isPermaLink=\"false\">large-%u</guid>"
                            "<title>Item %u</title><description>%0200u</description></item>\n",
                            i, i, i);
  g_string_append (huge, "</channel></rss>\n");

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      const Fault *fault = &faults[i];

      if (g_str_equal (fault->path, "/fault/html.xml"))
        tidings_test_server_set_body (server, fault->path, "text/html; charset=utf-8", html, -1);
      else if (g_str_equal (fault->path, "/fault/invalid.xml"))
        tidings_test_server_set_body (server, fault->path, RSS_TYPE,
                                      "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
                                      "<title>Broken</title><item><title>No end", -1);
      else if (g_str_equal (fault->path, "/fault/empty.xml"))
        tidings_test_server_set_body (server, fault->path, RSS_TYPE, "", 0);
      else if (g_str_equal (fault->path, "/fault/too-large.xml"))
        tidings_test_server_set_body (server, fault->path, RSS_TYPE, huge->str, huge->len);
      else if (g_str_equal (fault->path, "/fault/charset.xml"))
        tidings_test_server_set_body (server, fault->path, RSS_TYPE, latin, -1);
      else if (fault->fault != TIDINGS_TEST_FAULT_STATUS
               && fault->fault != TIDINGS_TEST_FAULT_REDIRECT
               && fault->fault != TIDINGS_TEST_FAULT_HANG
               && fault->fault != TIDINGS_TEST_FAULT_RETRY_AFTER
               && fault->fault != TIDINGS_TEST_FAULT_RETRY_DATE
               && fault->fault != TIDINGS_TEST_FAULT_GZIP_BOMB)
        tidings_test_server_set_body (server, fault->path, RSS_TYPE, feed, -1);

      if (fault->fault != TIDINGS_TEST_FAULT_NONE)
        tidings_test_server_set_fault (server, fault->path, fault->fault, fault->param,
                                       fault->target);
    }
  g_string_free (huge, TRUE);
}

static const char *
type_of (const char *name,
         const char *data,
         gsize       len,
         char      **guessed)
{
  static const struct { const char *suffix, *type; } types[] = {
    { ".xml", "application/xml" },
    { ".rss", "application/rss+xml" },
    { ".atom", "application/atom+xml" },
    { ".rdf", "application/rdf+xml" },
    { ".json", "application/json" },
    { ".html", "text/html; charset=utf-8" },
    { ".htm", "text/html; charset=utf-8" },
    { ".opml", "text/x-opml" },
    { ".txt", "text/plain; charset=utf-8" },
  };
  g_autofree char *content_type = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (name, types[i].suffix))
      return types[i].type;
  content_type = g_content_type_guess (name, (const guchar *) data, len, NULL);
  *guessed = content_type ? g_content_type_get_mime_type (content_type) : NULL;
  return *guessed ? *guessed : "application/octet-stream";
}

static gboolean
serve_dir (TidingsTestServer  *server,
           const char         *root,
           const char         *relative,
           GError            **error)
{
  g_autofree char *dir_path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = relative[0] ? g_strconcat (relative, "/", name, NULL)
                                           : g_strdup (name);
      g_autofree char *path = g_build_filename (root, child, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (!serve_dir (server, root, child, error))
            return FALSE;
        }
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *contents = NULL;
          g_autofree char *guessed = NULL;
          g_autofree char *url_path = g_strconcat ("/", child, NULL);
          gsize len = 0;

          if (!g_file_get_contents (path, &contents, &len, error))
            return FALSE;
          tidings_test_server_set_body (server, url_path, type_of (name, contents, len, &guessed),
                                        contents, len);
        }
    }
  return TRUE;
}

static char *
describe_faults (void)
{
  GString *text = g_string_new ("Paths served with --faults (redirects lead to /feed/0.xml):\n");

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    if (faults[i].what != NULL)
      g_string_append_printf (text, "  %-28s %s\n", faults[i].path, faults[i].what);
  g_string_append (text,
                   "\nCommands on stdin, one a line:\n"
                   "  rotate          every generated feed gains an item and drops its oldest\n"
                   "  hits PATH       requests seen at PATH\n"
                   "  304s PATH       requests at PATH answered 304\n"
                   "  max-in-flight   the most requests answered at once\n"
                   "  quit            exit (as does the end of stdin)");
  return g_string_free (text, FALSE);
}

static void
reply (const char *format,
       ...) G_GNUC_PRINTF (1, 2);

static void
reply (const char *format,
       ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  int feeds = 0;
  int items = 20;
  gboolean with_faults = FALSE;
  g_autofree char *dir = NULL;
  g_auto(GStrv) addresses = NULL;
  g_autofree char *help = describe_faults ();
  GOptionEntry entries[] = {
    { "feeds", 0, 0, G_OPTION_ARG_INT, &feeds, "Serve /feed/0.xml ... /feed/N-1.xml", "N" },
    { "items", 0, 0, G_OPTION_ARG_INT, &items, "Items in each feed (20)", "M" },
    { "faults", 0, 0, G_OPTION_ARG_NONE, &with_faults, "Serve /fault/*.xml too", NULL },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Serve the files under DIR", "DIR" },
    { "address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &addresses,
      "Listen on ADDR (127.0.0.1; repeatable)", "ADDR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- a loopback feed server for tests");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) bases = g_string_new (NULL);
  TidingsTestServer *server;
  guint rotation = 0;
  char line[4096];

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, help);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (feeds < 0 || items < 0)
    {
      g_printerr ("--feeds and --items take numbers of zero or more\n");
      return 2;
    }

  server = tidings_test_server_new_on ((const char * const *) addresses);
  serve_feeds (server, feeds, items, rotation);
  if (with_faults)
    serve_faults (server);
  if (dir != NULL && !serve_dir (server, dir, "", &error))
    {
      g_printerr ("%s\n", error->message);
      tidings_test_server_free (server);
      return 2;
    }

  for (guint i = 0; i < tidings_test_server_get_n_bases (server); i++)
    g_string_append_printf (bases, "%s%s", i ? " " : "", tidings_test_server_get_base_at (server, i));
  reply ("%s", bases->str);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      char *command = g_strstrip (line);

      if (g_str_equal (command, "rotate"))
        {
          serve_feeds (server, feeds, items, ++rotation);
          reply ("ok");
        }
      else if (g_str_has_prefix (command, "hits "))
        reply ("%u", tidings_test_server_get_hits (server, g_strchug (command + 5)));
      else if (g_str_has_prefix (command, "304s "))
        reply ("%u", tidings_test_server_get_304s (server, g_strchug (command + 5)));
      else if (g_str_equal (command, "max-in-flight"))
        reply ("%u", tidings_test_server_get_max_in_flight (server));
      else if (g_str_equal (command, "quit"))
        break;
      else if (command[0] != '\0')
        reply ("error: unknown command '%s'", command);
    }

  tidings_test_server_free (server);
  return 0;
}
