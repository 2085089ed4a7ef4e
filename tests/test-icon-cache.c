/* test-icon-cache.c: feeds' icons in the window, fetched over loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The decoder on good and hostile images, then a real TidingsApplication
 * and window under Xvfb whose library refreshes feeds from a loopback
 * server: a feed's sidebar row shows the icon the refresh fetched, its
 * article rows draw it, and icons that cannot be decoded fall back to the
 * symbolic feed icon. A screenshot goes to tests/screenshots/icons.png.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "tidings-application.h"
#include "tidings-article-row.h"
#include "tidings-icon-cache.h"
#include "tidings-sidebar-row.h"
#include "tidings-test-server.h"
#include "tidings-ui-test-utils.h"
#include "tidings-window.h"

#define WAIT_S 20

static TidingsApplication *app;

/* ---- Images ---- */

static GBytes *
solid_image (int         size,
             guint32     rgba,
             const char *format)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, size, size);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize len = 0;

  gdk_pixbuf_fill (pixbuf, rgba);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, format, &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, len);
}

static guint32
crc32_of (const guchar *data,
          gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
    }
  return ~crc;
}

static void
append_chunk (GByteArray   *out,
              const char   *type,
              const guchar *data,
              guint32       len)
{
  g_autofree guchar *typed = g_malloc (4 + len);
  guint32 be = GUINT32_TO_BE (len);

  memcpy (typed, type, 4);
  if (len > 0)
    memcpy (typed + 4, data, len);
  g_byte_array_append (out, (const guint8 *) &be, 4);
  g_byte_array_append (out, typed, 4 + len);
  be = GUINT32_TO_BE (crc32_of (typed, 4 + len));
  g_byte_array_append (out, (const guint8 *) &be, 4);
}

/* A PNG whose header says @width × @height, with the start of a
 * compressed stream for its pixels (enough for a decoder to get ready to
 * fill them). */
static GBytes *
png_claiming (guint32 width,
              guint32 height)
{
  guchar header[13] = { 0 };
  GByteArray *out = g_byte_array_new ();
  guint32 be;

  g_byte_array_append (out, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  be = GUINT32_TO_BE (width);
  memcpy (header, &be, 4);
  be = GUINT32_TO_BE (height);
  memcpy (header + 4, &be, 4);
  header[8] = 8;   /* bit depth */
  header[9] = 6;   /* RGBA */
  append_chunk (out, "IHDR", header, sizeof header);
  append_chunk (out, "IDAT", (const guchar *) "\x78\x9c\x63\x60", 4);
  append_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

/* A 1 × 1 GIF of @frames frames. */
static GBytes *
gif_of_frames (guint frames)
{
  static const guint8 head[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\xff";
  static const guint8 frame[] = "!\xf9\x04\x00\x01\x00\x00\x00"
                                ",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00";
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, head, sizeof head - 1);
  for (guint i = 0; i < frames; i++)
    g_byte_array_append (out, frame, sizeof frame - 1);
  g_byte_array_append (out, (const guint8 *) ";", 1);
  return g_byte_array_free_to_bytes (out);
}

static GdkTexture *
decode (GBytes *data)
{
  return _tidings_icon_cache_decode (data, TIDINGS_ICON_CACHE_SIZE, NULL);
}

static void
test_decode (void)
{
  g_autoptr(GBytes) small = solid_image (16, 0xff0000ff, "png");
  g_autoptr(GBytes) large = solid_image (48, 0x00ff00ff, "png");
  g_autoptr(GBytes) ico = solid_image (16, 0x0000ffff, "ico");
  g_autoptr(GBytes) huge = png_claiming (100000, 100000);
  g_autoptr(GBytes) wide = png_claiming (2000, 1000);
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) animated = gif_of_frames (20000);
  g_autoptr(GBytes) broken_gif = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  guchar pixels[16 * 16 * 4];

  texture = decode (small);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 16);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 16);
  gdk_texture_download (texture, pixels, 16 * 4);
  /* Native-endian ARGB: red is the third byte on little-endian machines. */
  g_assert_cmpuint (G_BYTE_ORDER == G_LITTLE_ENDIAN ? pixels[2] : pixels[1], ==, 0xff);
  g_assert_cmpuint (G_BYTE_ORDER == G_LITTLE_ENDIAN ? pixels[0] : pixels[3], ==, 0);
  g_clear_object (&texture);

  /* Larger ones come down to the cache's size. */
  texture = decode (large);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, TIDINGS_ICON_CACHE_SIZE);
  g_clear_object (&texture);

  texture = decode (ico);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 16);
  g_clear_object (&texture);

  /* An animation of twenty thousand frames is its first frame. */
  texture = decode (animated);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 1);
  g_clear_object (&texture);
  broken_gif = g_bytes_new_from_bytes (animated, 0, 20);
  g_assert_null (decode (broken_gif));

  /* Refused from the header alone: no ten gigapixels allocated. */
  g_assert_null (_tidings_icon_cache_decode (huge, TIDINGS_ICON_CACHE_SIZE, &error));
  g_assert_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY);
  g_clear_error (&error);
  g_assert_null (_tidings_icon_cache_decode (wide, TIDINGS_ICON_CACHE_SIZE, &error));
  g_assert_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY);
  g_clear_error (&error);

  truncated = g_bytes_new_from_bytes (small, 0, g_bytes_get_size (small) / 2);
  g_assert_null (decode (truncated));
  {
    g_autoptr(GBytes) svg = g_bytes_new_static ("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 40);
    g_autoptr(GBytes) garbage = g_bytes_new_static ("\x89PNG\r\n\x1a\ngarbage garbage", 23);
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

    g_assert_null (decode (svg));
    g_assert_null (decode (garbage));
    g_assert_null (decode (empty));
  }
}

/* ---- The window ---- */

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition   condition,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static gboolean
flag_set (gboolean *flag)
{
  return *flag;
}

static gboolean
tick_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, tick_cb, &done);
  wait_for ((Condition) flag_set, &done, "a moment");
}

typedef struct
{
  char   *urls[4];
  gint64  ids[4];
} Feeds;

enum { RED, BLUE, BROKEN, HUGE };

static gpointer
subscribe_feeds (TidingsStore  *store,
                 gpointer       data,
                 GError       **error)
{
  Feeds *feeds = data;
  static const char *titles[] = { "Red Planet", "Blue Marble", "Broken Icon", "Huge Icon" };
  gint64 section = tidings_store_add_section (store, "Icons", 0, error);

  if (section <= 0)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (feeds->ids); i++)
    {
      feeds->ids[i] = tidings_store_add_subscription (store, feeds->urls[i], titles[i], section,
                                                      error);
      if (feeds->ids[i] <= 0)
        return NULL;
    }
  return feeds;
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
refreshed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  TidingsRefreshSummary summary = { 0 };

  g_assert_true (tidings_library_refresh_finish (TIDINGS_LIBRARY (source), result, &summary,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.failed, ==, 0);
  *(gboolean *) user_data = TRUE;
}

/* Every feed's icon look has come back and is stored: the four rows,
 * read on a connection of the test's own. */
static gboolean
icons_stored (TidingsLibrary *library)
{
  g_autoptr(TidingsStore) store = tidings_store_open (tidings_library_get_path (library), NULL);
  g_autoptr(GHashTable) icons = store != NULL ? tidings_store_list_icons (store, NULL) : NULL;

  return icons != NULL && g_hash_table_size (icons) == 4;
}

static void
serve_feed (TidingsTestServer *server,
            const char        *path,
            const char        *title,
            const char        *icon_path)
{
  g_autofree char *site = tidings_test_server_url (server, "/");
  g_autofree char *icon = icon_path != NULL ? tidings_test_server_url (server, icon_path) : NULL;
  g_autofree char *image = icon != NULL
    ? g_strdup_printf ("<image><url>%s</url><title>%s</title><link>%s</link></image>",
                       icon, title, site)
    : g_strdup ("");
  GString *body = g_string_new (NULL);

  g_string_append_printf (body, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                          "<title>%s</title>%s", title, image);
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (body, "<item><guid>%s-%u</guid><title>%s, story %u</title>"
                            "<description>Something happened on the %s beat.</description>"
                            "<pubDate>Mon, 0%u Jan 2024 10:00:00 GMT</pubDate></item>",
                            path, i, title, i + 1, title, i + 1);
  g_string_append (body, "</channel></rss>");
  tidings_test_server_set_body (server, path, "application/rss+xml", body->str, -1);
  g_string_free (body, TRUE);
}

typedef struct
{
  TidingsWindow *window;
  gint64         id;
} RowQuery;

/* The icon image of the sidebar row of feed @query->id, or NULL. */
static GtkImage *
sidebar_icon (RowQuery *query)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  tidings_test_collect (_tidings_window_get_sidebar_view (query->window), TIDINGS_TYPE_SIDEBAR_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      TidingsSidebarItem *item = tidings_sidebar_row_get_item (rows->pdata[i]);
      g_autoptr(GPtrArray) images = g_ptr_array_new ();

      if (item == NULL || tidings_sidebar_item_get_kind (item) != TIDINGS_SIDEBAR_SUBSCRIPTION
          || tidings_sidebar_item_get_id (item) != query->id)
        continue;
      /* The first image is the icon, then the warning. */
      tidings_test_collect (rows->pdata[i], GTK_TYPE_IMAGE, images);
      g_assert_cmpuint (images->len, >=, 1);
      return images->pdata[0];
    }
  return NULL;
}

static gboolean
shows_texture (RowQuery *query)
{
  GtkImage *image = sidebar_icon (query);

  return image != NULL && gtk_image_get_storage_type (image) == GTK_IMAGE_PAINTABLE
         && GDK_IS_TEXTURE (gtk_image_get_paintable (image));
}

static gboolean
shows_row (RowQuery *query)
{
  return sidebar_icon (query) != NULL;
}

static gboolean
cache_idle (TidingsIconCache *cache)
{
  return !_tidings_icon_cache_is_busy (cache);
}

static gboolean
article_rows_loaded (TidingsWindow *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  tidings_test_collect (_tidings_window_get_article_list_view (window), TIDINGS_TYPE_ARTICLE_LIST_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      TidingsArticleItem *item = tidings_article_list_row_get_item (rows->pdata[i]);

      if (item != NULL && tidings_article_item_get_loaded (item))
        return TRUE;
    }
  return FALSE;
}

/* How many pixels of the first article row, as drawn, are pure @red,
 * @green, @blue (within a little). */
static guint
count_colour_in_article_row (TidingsWindow *window,
                             guint8         red,
                             guint8         green,
                             guint8         blue)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  GtkSnapshot *snapshot;
  GtkWidget *row = NULL;
  int width;
  int height;
  guint count = 0;

  tidings_test_collect (_tidings_window_get_article_list_view (window), TIDINGS_TYPE_ARTICLE_LIST_ROW, rows);
  for (guint i = 0; i < rows->len && row == NULL; i++)
    if (gtk_widget_get_mapped (rows->pdata[i]) && gtk_widget_get_height (rows->pdata[i]) > 0)
      row = rows->pdata[i];
  g_assert_nonnull (row);
  width = gtk_widget_get_width (row);
  height = gtk_widget_get_height (row);
  paintable = gtk_widget_paintable_new (row);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (row)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      /* ARGB32 in native order: B G R A on little-endian. */
      const guchar *p = pixels + i * 4;
      guint8 b = G_BYTE_ORDER == G_LITTLE_ENDIAN ? p[0] : p[3];
      guint8 g = G_BYTE_ORDER == G_LITTLE_ENDIAN ? p[1] : p[2];
      guint8 r = G_BYTE_ORDER == G_LITTLE_ENDIAN ? p[2] : p[1];

      if (ABS (r - red) < 16 && ABS (g - green) < 16 && ABS (b - blue) < 16)
        count++;
    }
  return count;
}

static void
test_window (void)
{
  /* A PNG signature and the start of a header chunk, then nonsense. */
  static const char broken_png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR garbage";
  g_autoptr(TidingsTestServer) server = tidings_test_server_new ();
  g_autoptr(GBytes) red = solid_image (16, 0xff0000ff, "png");
  g_autoptr(GBytes) blue = solid_image (16, 0x0000ffff, "ico");
  g_autoptr(GBytes) huge = png_claiming (60000, 60000);
  TidingsLibrary *library = tidings_application_get_library (app);
  TidingsWindow *window;
  TidingsIconCache *cache;
  Feeds feeds = { { NULL } };
  gboolean done = FALSE;
  RowQuery query;
  GtkImage *image;
  GdkPaintable *paintable;

  serve_feed (server, "/red.xml", "Red Planet", "/red.png");
  tidings_test_server_set_body (server, "/red.png", "image/png",
                                g_bytes_get_data (red, NULL), g_bytes_get_size (red));
  /* No icon of its own: the site's favicon. */
  serve_feed (server, "/blue.xml", "Blue Marble", NULL);
  tidings_test_server_set_body (server, "/favicon.ico", "image/x-icon",
                                g_bytes_get_data (blue, NULL), g_bytes_get_size (blue));
  /* A PNG signature, then nothing a decoder can use. */
  serve_feed (server, "/broken.xml", "Broken Icon", "/broken.png");
  tidings_test_server_set_body (server, "/broken.png", "image/png", broken_png,
                                sizeof broken_png - 1);
  /* A header promising 3.6 gigapixels. */
  serve_feed (server, "/huge.xml", "Huge Icon", "/huge.png");
  tidings_test_server_set_body (server, "/huge.png", "image/png",
                                g_bytes_get_data (huge, NULL), g_bytes_get_size (huge));

  window = tidings_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 640);
  gtk_window_present (GTK_WINDOW (window));
  cache = _tidings_window_get_icon_cache (window);
  g_assert_true (TIDINGS_IS_ICON_CACHE (cache));

  feeds.urls[RED] = tidings_test_server_url (server, "/red.xml");
  feeds.urls[BLUE] = tidings_test_server_url (server, "/blue.xml");
  feeds.urls[BROKEN] = tidings_test_server_url (server, "/broken.xml");
  feeds.urls[HUGE] = tidings_test_server_url (server, "/huge.xml");
  tidings_library_write_async (library, subscribe_feeds, &feeds, NULL,
                               TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, NULL, written_cb, &done);
  wait_for ((Condition) flag_set, &done, "the subscriptions");

  /* The application turned icons on; the refresh looks for them once each
   * feed is stored, and may complete before they are in. */
  done = FALSE;
  tidings_library_refresh_async (library, NULL, NULL, refreshed_cb, &done);
  wait_for ((Condition) flag_set, &done, "the refresh");
  wait_for ((Condition) icons_stored, library, "the feeds' icons in the store");
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/red.png"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/huge.png"), ==, 1);

  query.window = window;
  query.id = feeds.ids[RED];
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                              feeds.ids[RED]));
  wait_for ((Condition) shows_row, &query, "the feed's row");
  wait_for ((Condition) shows_texture, &query, "the red icon in the sidebar");
  paintable = gtk_image_get_paintable (sidebar_icon (&query));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 16);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, 16);

  query.id = feeds.ids[BLUE];
  wait_for ((Condition) shows_texture, &query, "the blue favicon in the sidebar");

  /* Icons that do not decode fall back to the symbolic feed icon. */
  wait_for ((Condition) cache_idle, cache, "the icon cache");
  for (guint i = BROKEN; i <= HUGE; i++)
    {
      query.id = feeds.ids[i];
      wait_for ((Condition) shows_row, &query, "the feed's row");
      image = sidebar_icon (&query);
      g_assert_cmpint (gtk_image_get_storage_type (image), ==, GTK_IMAGE_ICON_NAME);
      g_assert_cmpstr (gtk_image_get_icon_name (image), ==,
                       tidings_icon_cache_get_fallback_name ());
    }

  /* The article rows of the red feed draw the same icon. */
  wait_for ((Condition) article_rows_loaded, window, "the red feed's articles");
  settle (300);
  g_assert_cmpuint (count_colour_in_article_row (window, 0xff, 0, 0), >=, 100);

  tidings_test_save_screenshot (GTK_WIDGET (window), "icons");

  /* The broken feed's rows draw the fallback, no red. */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                              feeds.ids[BROKEN]));
  settle (300);
  wait_for ((Condition) article_rows_loaded, window, "the broken feed's articles");
  settle (300);
  g_assert_cmpuint (count_colour_in_article_row (window, 0xff, 0, 0), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  for (guint i = 0; i < G_N_ELEMENTS (feeds.urls); i++)
    g_free (feeds.urls[i]);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("tidings-icon-cache-XXXXXX", &error);
  static const char *kinds[] = { "DATA", "CONFIG", "CACHE", "STATE" };
  int status;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *lower = g_ascii_strdown (kinds[i], -1);
      g_autofree char *dir = g_build_filename (home, lower, NULL);
      g_autofree char *variable = g_strconcat ("XDG_", kinds[i], "_HOME", NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (variable, dir, TRUE);
    }
  /* The suite turns icons off (tests/meson.build); this test's sites are
   * its own loopback server. */
  g_setenv ("TIDINGS_FEED_ICONS", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  app = tidings_application_new (APP_ID);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("Cannot register the application: %s", error->message);
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "notifications", FALSE);
    g_settings_set_boolean (settings, "refresh-on-start", FALSE);
  }

  g_test_add_func ("/icon-cache/decode", test_decode);
  g_test_add_func ("/icon-cache/window", test_window);
  status = g_test_run ();

  g_clear_object (&app);
  remove_tree (home);
  return status;
}
