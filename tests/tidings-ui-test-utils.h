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

/* Renders @widget (usually a window) as it is drawn and saves it as NAME.png. */
static inline void
tidings_test_save_screenshot (GtkWidget  *widget,
                              const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  tidings_test_save_texture (texture, name);
}
