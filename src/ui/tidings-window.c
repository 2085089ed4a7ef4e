/* tidings-window.c: the main window (a placeholder until the reading window)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-window.h"

struct _TidingsWindow
{
  AdwApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (TidingsWindow, tidings_window, ADW_TYPE_APPLICATION_WINDOW)

static void
tidings_window_class_init (TidingsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "tidings-window.ui");
}

static void
tidings_window_init (TidingsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}
