/* tidings-ui-test-utils.h: screenshots for the widget tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every widget test saves the states it reaches as PNGs in
 * <build>/tests/screenshots/NAME.png, for people to look at (and for the
 * metainfo). On GTK 4.8 a GtkWidgetPaintable of a window renders fine;
 * what is drawn by another process (WebKit) needs the widget's own snapshot,
 * which the article view's test does itself and hands to
 * tidings_test_save_texture().
 */

#pragma once

#include <glib/gstdio.h>
#include <gtk/gtk.h>

/* Adds @widget and every widget below it that is a @type to @found, in
 * tree order. */
static inline void
tidings_test_collect (GtkWidget *widget,
                      GType      type,
                      GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    tidings_test_collect (child, type, found);
}

static inline void
tidings_test_save_texture (GdkTexture *texture,
                           const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL
                                             ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                           "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

static inline gboolean
tidings_test_screenshot_tick (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Renders @widget (usually a window) as it is drawn and saves it as NAME.png.
 * A window that was just presented may not have been laid out or drawn yet
 * (much later in a sanitized build): the main loop runs until it has, for
 * at most half a minute. */
static inline void
tidings_test_save_screenshot (GtkWidget  *widget,
                              const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int width = 0;
  int height = 0;

  for (;;)
    {
      gboolean ticked = FALSE;

      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      if (gtk_widget_get_mapped (widget) && width > 0 && height > 0)
        {
          GtkSnapshot *snapshot = gtk_snapshot_new ();

          gdk_paintable_snapshot (paintable, snapshot, width, height);
          node = gtk_snapshot_free_to_node (snapshot);
          if (node != NULL)
            break;
        }
      if (g_get_monotonic_time () > deadline)
        break;
      g_timeout_add (20, tidings_test_screenshot_tick, &ticked);
      while (!ticked)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  tidings_test_save_texture (texture, name);
}
