/* tidings-web-test-utils.h: the article view in a real WebKitWebView, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by test-article-view.c and hostile/test-hostile-view.c: a loopback
 * canary server that counts every request (the web view's network session
 * also uses it as its proxy, so that nothing a page names can leave the
 * machine), a fixture holding the view in a window, JavaScript evaluation in
 * a world of the caller's choice, main-loop waits under a hang guard, and
 * the set-up of a test program's environment for WebKit.
 */

#pragma once

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>
#include <libsoup/soup.h>
#include <webkit/webkit.h>

#include "tidings-article-view.h"

/* A generous hang guard for one page or script, not a speed assertion. */
#define TIDINGS_TEST_WAIT_MS 20000

/* ---- Waits ---- */

static inline gboolean
tidings_test_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main loop until *@flag or the hang guard. */
static inline void
tidings_test_wait_for_flag (const gboolean *flag,
                            const char     *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (TIDINGS_TEST_WAIT_MS, tidings_test_timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (!*flag)
    g_error ("Timed out waiting for %s", what);
}

static inline void
tidings_test_wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, tidings_test_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- The canary ---- */

typedef struct
{
  SoupServer     *server;
  GSocketService *service;      /* accepts for the server */
  char           *base;         /* "http://127.0.0.1:PORT" */
  char           *host;         /* "127.0.0.1:PORT" */
  char           *image_glob;   /* the paths answered with the PNG */
  guint           started;      /* requests begun, read or not */
  GPtrArray      *paths;        /* "METHOD /path [Accept]" of the requests read */
  GBytes         *png;
} Canary;

static inline void
canary_handler (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Canary *canary = user_data;

  /* Images are served, so that an image that does load shows; anything
   * else (media asking for byte ranges included) is simply not there. */
  if (g_pattern_match_simple (canary->image_glob, path))
    {
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (canary->png, NULL),
                                        g_bytes_get_size (canary->png));
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static inline void
canary_request_started (SoupServer        *server,
                        SoupServerMessage *msg,
                        Canary            *canary)
{
  canary->started++;
}

static inline void
canary_request_read (SoupServer        *server,
                     SoupServerMessage *msg,
                     Canary            *canary)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *accept = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Accept");

  /* What WebKit asks for says what it meant to load: "image/..." first for
   * images (an <img> with a garbled address too), never for a script's
   * fetch or a navigation. */
  g_ptr_array_add (canary->paths, g_strdup_printf ("%s %s [%s]",
                                                   soup_server_message_get_method (msg),
                                                   uri != NULL ? g_uri_get_path (uri) : "?",
                                                   accept != NULL ? accept : ""));
}

/* A PNG of @width × @height in one colour, 0xRRGGBB, that shows in the
 * screenshots. */
static inline GBytes *
canary_make_png (int     width,
                 int     height,
                 guint32 rgb)
{
  g_autofree guchar *pixels = g_malloc (width * height * 4);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  for (int i = 0; i < width * height; i++)
    {
      pixels[i * 4 + 0] = (rgb >> 16) & 0xff;
      pixels[i * 4 + 1] = (rgb >> 8) & 0xff;
      pixels[i * 4 + 2] = rgb & 0xff;
      pixels[i * 4 + 3] = 0xff;
    }
  bytes = g_bytes_new (pixels, width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, width * 4);
  return gdk_texture_save_to_png_bytes (texture);
}

/* Connections are accepted here and handed to the SoupServer rather than
 * through soup_server_listen(): libsoup 3.2's listener keeps a reference to
 * every socket it accepts, which the sanitizer build reports as leaks (as
 * in tidings-test-server.c). */
static inline gboolean
canary_incoming (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 gpointer           user_data)
{
  Canary *canary = user_data;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  local = g_socket_connection_get_local_address (connection, &error);
  if (local != NULL)
    remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL
      || !soup_server_accept_iostream (canary->server, G_IO_STREAM (connection), local, remote,
                                       &error))
    {
      /* The client hung up already. */
      g_debug ("Dropping a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
  return TRUE;
}

/* A canary on 127.0.0.1 that answers the paths matching @image_glob with a
 * PNG of @png_width × @png_height in @png_rgb, and every other path with
 * 404. */
static inline Canary *
canary_new (const char *image_glob,
            int         png_width,
            int         png_height,
            guint32     png_rgb)
{
  Canary *canary = g_new0 (Canary, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  canary->image_glob = g_strdup (image_glob);
  canary->paths = g_ptr_array_new_with_free_func (g_free);
  canary->png = canary_make_png (png_width, png_height, png_rgb);
  canary->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (canary->server, NULL, canary_handler, canary, NULL);
  g_signal_connect (canary->server, "request-started", G_CALLBACK (canary_request_started), canary);
  g_signal_connect (canary->server, "request-read", G_CALLBACK (canary_request_read), canary);

  canary->service = g_socket_service_new ();
  g_signal_connect (canary->service, "incoming", G_CALLBACK (canary_incoming), canary);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_listener_add_address (G_SOCKET_LISTENER (canary->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective,
                                 &error);
  g_assert_no_error (error);

  canary->host = g_strdup_printf ("127.0.0.1:%u",
                                  g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  canary->base = g_strconcat ("http://", canary->host, NULL);
  return canary;
}

static inline void
canary_free (Canary *canary)
{
  g_socket_service_stop (canary->service);
  g_socket_listener_close (G_SOCKET_LISTENER (canary->service));
  g_object_unref (canary->service);
  soup_server_disconnect (canary->server);
  g_object_unref (canary->server);
  g_ptr_array_unref (canary->paths);
  g_bytes_unref (canary->png);
  g_free (canary->image_glob);
  g_free (canary->base);
  g_free (canary->host);
  g_free (canary);
}

static inline void
canary_reset (Canary *canary)
{
  canary->started = 0;
  g_ptr_array_set_size (canary->paths, 0);
}

static inline char *
canary_describe (Canary *canary)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < canary->paths->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", (char *) canary->paths->pdata[i]);
  return g_strdup (out->str);
}

/* TRUE when a request for exactly @path was read. */
static inline gboolean
canary_saw (Canary     *canary,
            const char *path)
{
  gsize len = strlen (path);

  for (guint i = 0; i < canary->paths->len; i++)
    {
      const char *seen = strchr (canary->paths->pdata[i], ' ');

      if (seen != NULL && strncmp (seen + 1, path, len) == 0 && seen[1 + len] == ' ')
        return TRUE;
    }
  return FALSE;
}

/* ---- The fixture: a window holding the view ---- */

typedef struct
{
  GtkWindow          *window;
  TidingsArticleView *view;
  WebKitWebView      *web_view;   /* once the view has made it */
  Canary             *canary;

  guint               n_started;
  guint               n_finished;
  guint               n_crashes;  /* web process ends */
  GPtrArray          *opened;     /* open-uri */
} TidingsTestWebFixture;

static inline void
tidings_test_web_fixture_on_open_uri (TidingsArticleView    *view,
                                      const char            *uri,
                                      TidingsTestWebFixture *fixture)
{
  g_ptr_array_add (fixture->opened, g_strdup (uri));
}

static inline void
tidings_test_web_fixture_on_load_changed (WebKitWebView         *web_view,
                                          WebKitLoadEvent        event,
                                          TidingsTestWebFixture *fixture)
{
  if (event == WEBKIT_LOAD_STARTED)
    fixture->n_started++;
  else if (event == WEBKIT_LOAD_FINISHED)
    fixture->n_finished++;
}

static inline void
tidings_test_web_fixture_on_terminated (WebKitWebView                     *web_view,
                                        WebKitWebProcessTerminationReason  reason,
                                        TidingsTestWebFixture             *fixture)
{
  g_test_message ("The web process ended (reason %d)", reason);
  fixture->n_crashes++;
}

/* Takes @canary; the window is @width × @height, in the light style. */
static inline void
tidings_test_web_fixture_setup (TidingsTestWebFixture *fixture,
                                Canary                *canary,
                                int                    width,
                                int                    height)
{
  fixture->canary = canary;
  fixture->opened = g_ptr_array_new_with_free_func (g_free);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, width, height);
  fixture->view = TIDINGS_ARTICLE_VIEW (tidings_article_view_new ());
  _tidings_article_view_set_launch_disabled (fixture->view, TRUE);
  g_signal_connect (fixture->view, "open-uri",
                    G_CALLBACK (tidings_test_web_fixture_on_open_uri), fixture);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static inline void
tidings_test_web_fixture_teardown (TidingsTestWebFixture *fixture)
{
  g_autoptr(GtkWidget) view = g_object_ref (GTK_WIDGET (fixture->view));

  gtk_window_destroy (fixture->window);
  fixture->web_view = NULL;
  /* The window held the only other reference. */
  g_assert_finalize_object (g_steal_pointer (&view));
  canary_free (fixture->canary);
  g_ptr_array_unref (fixture->opened);
}

/* The web view is created on the first article: call this right after
 * tidings_article_view_show(), before the main loop runs and its page
 * starts. */
static inline void
tidings_test_web_fixture_attach (TidingsTestWebFixture *fixture)
{
  g_autoptr(WebKitNetworkProxySettings) proxy = NULL;
  WebKitNetworkSession *session;

  if (fixture->web_view != NULL)
    return;

  fixture->web_view = WEBKIT_WEB_VIEW (_tidings_article_view_get_web_view (fixture->view));
  g_assert_nonnull (fixture->web_view);
  g_signal_connect (fixture->web_view, "load-changed",
                    G_CALLBACK (tidings_test_web_fixture_on_load_changed), fixture);
  g_signal_connect (fixture->web_view, "web-process-terminated",
                    G_CALLBACK (tidings_test_web_fixture_on_terminated), fixture);

  /* Everything the page asks for goes to the canary, whatever its host. */
  proxy = webkit_network_proxy_settings_new (fixture->canary->base, NULL);
  session = webkit_web_view_get_network_session (fixture->web_view);
  webkit_network_session_set_proxy_settings (session, WEBKIT_NETWORK_PROXY_MODE_CUSTOM, proxy);
}

/* Iterates the main loop until a load has finished since @finished (the
 * count before it began), the view is idle and the page's title (every page
 * has one) has come through. FALSE at the hang guard, or when @crashes is
 * not NULL and the web process ended since that count; with NULL, a crash is
 * waited through (the view shows the article again in a fresh process). */
static inline gboolean
tidings_test_web_fixture_wait_for_page (TidingsTestWebFixture *fixture,
                                        guint                  finished,
                                        const guint           *crashes)
{
  while (fixture->n_finished == finished || webkit_web_view_is_loading (fixture->web_view)
         || webkit_web_view_get_title (fixture->web_view) == NULL)
    {
      gboolean timed_out = FALSE;
      guint id = g_timeout_add (TIDINGS_TEST_WAIT_MS, tidings_test_timeout_cb, &timed_out);

      g_main_context_iteration (NULL, TRUE);
      if (timed_out)
        return FALSE;
      g_source_remove (id);
      if (crashes != NULL && fixture->n_crashes != *crashes)
        return FALSE;
    }
  return TRUE;
}

/* ---- JavaScript ---- */

typedef struct
{
  gboolean  done;
  JSCValue *value;
  GError   *error;
} TidingsTestJsResult;

static inline void
tidings_test_js_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  TidingsTestJsResult *js = user_data;

  js->value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result,
                                                          &js->error);
  js->done = TRUE;
}

/* Runs @script in @world (NULL: the page's own) and returns its value; NULL
 * when the web process ended meanwhile, for callers that check for crashes
 * themselves. */
static inline JSCValue *
tidings_test_run_js (TidingsTestWebFixture *fixture,
                     const char            *script,
                     const char            *world)
{
  TidingsTestJsResult js = { 0 };
  guint crashes = fixture->n_crashes;

  webkit_web_view_evaluate_javascript (fixture->web_view, script, -1, world, NULL, NULL,
                                       tidings_test_js_done, &js);
  tidings_test_wait_for_flag (&js.done, script);
  if (js.error != NULL && fixture->n_crashes != crashes)
    {
      g_clear_error (&js.error);
      return NULL;
    }
  g_assert_no_error (js.error);
  g_assert_nonnull (js.value);
  return js.value;
}

/* The value of @script as a string; NULL when the web process ended. */
static inline char *
tidings_test_js_string (TidingsTestWebFixture *fixture,
                        const char            *script,
                        const char            *world)
{
  g_autoptr(JSCValue) value = tidings_test_run_js (fixture, script, world);

  return value != NULL ? jsc_value_to_string (value) : NULL;
}

/* The value of @script as a boolean; FALSE when the web process ended. */
static inline gboolean
tidings_test_js_bool (TidingsTestWebFixture *fixture,
                      const char            *script,
                      const char            *world)
{
  g_autoptr(JSCValue) value = tidings_test_run_js (fixture, script, world);

  return value != NULL && jsc_value_to_boolean (value);
}

/* ---- The feedparser corpus ---- */

static inline int
tidings_test_compare_names (gconstpointer a,
                            gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The sanitize tests of the feedparser corpus, beside the checkout in
 * ../shared: their folder in *@dir_path and the sorted names of its .xml
 * files that start with one of @prefixes (NULL-terminated; NULL: all of
 * them). NULL when the corpus is not there, for the caller to skip. */
static inline GPtrArray *
tidings_test_sanitize_corpus (const char * const  *prefixes,
                              char               **dir_path)
{
  const char *root = g_getenv ("TIDINGS_SOURCE_ROOT");
  g_autoptr(GDir) dir = NULL;
  GPtrArray *names;

  *dir_path = g_build_filename (root != NULL ? root : ".", "..", "shared", "corpora", "feedparser",
                                "tests", "wellformed", "sanitize", NULL);
  dir = g_dir_open (*dir_path, 0, NULL);
  if (dir == NULL)
    return NULL;

  names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      gboolean wanted = prefixes == NULL;

      for (guint i = 0; !wanted && prefixes[i] != NULL; i++)
        wanted = g_str_has_prefix (name, prefixes[i]);
      if (wanted && g_str_has_suffix (name, ".xml"))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, tidings_test_compare_names);
  return names;
}

/* ---- The test program ---- */

static inline gboolean
tidings_test_count_hook (GSignalInvocationHint *hint,
                         guint                  n_params,
                         const GValue          *params,
                         gpointer               user_data)
{
  guint *counter = user_data;

  (*counter)++;
  return TRUE;
}

/* Counts every script dialog any web view asks for in *@counter, before any
 * handler can swallow it. */
static inline void
tidings_test_count_script_dialogs (guint *counter)
{
  g_type_class_unref (g_type_class_ref (WEBKIT_TYPE_WEB_VIEW));
  g_signal_add_emission_hook (g_signal_lookup ("script-dialog", WEBKIT_TYPE_WEB_VIEW), 0,
                              tidings_test_count_hook, counter, NULL);
}

/* After g_test_init(): prepares the environment WebKit's processes inherit
 * and initialises GTK and libadwaita. Returns the private home made from
 * @home_template, for tidings_test_remove_tree() after the run. */
static inline char *
tidings_test_web_init (const char *home_template)
{
  char *home;

  /* g_test_init() has made warnings fatal here; WebKit's own processes,
   * which inherit the environment, must not die of a warning about a
   * missing GStreamer plugin on the test machine. */
  if (g_getenv ("G_DEBUG") != NULL)
    {
      g_auto(GStrv) flags = g_strsplit (g_getenv ("G_DEBUG"), ",", -1);
      g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
      g_auto(GStrv) joined = NULL;
      g_autofree char *value = NULL;

      for (guint i = 0; flags[i] != NULL; i++)
        if (!g_str_has_prefix (flags[i], "fatal-"))
          g_strv_builder_add (kept, flags[i]);
      joined = g_strv_builder_end (kept);
      value = g_strjoinv (",", joined);
      g_setenv ("G_DEBUG", value, TRUE);
    }

  /* Private cache, config and data homes (the content filter is compiled
   * into the cache); not G_TEST_OPTION_ISOLATE_DIRS, which would hide the
   * system's icons and schemas too. */
  home = g_dir_make_tmp (home_template, NULL);
  g_assert_nonnull (home);
  for (guint i = 0; i < 3; i++)
    {
      static const char * const vars[] = { "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME" };
      g_autofree char *dir = g_build_filename (home, vars[i], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (vars[i], dir, TRUE);
    }
  /* Under Xvfb, WebKit's compositor thread runs on Mesa's software
   * rasteriser, which crashes the web process now and then (segfaults in
   * swrast_dri.so); pages drawn without compositing look the same. */
  g_setenv ("WEBKIT_DISABLE_COMPOSITING_MODE", "1", TRUE);
  /* Mesa's shader cache would follow into the private cache, which goes
   * away while WebKit's processes may still be writing to it. */
  g_setenv ("MESA_SHADER_CACHE_DISABLE", "true", TRUE);
  gtk_init ();
  adw_init ();
  return home;
}

static inline void
tidings_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        tidings_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
