/* tidings-window-test-utils.h: a real application and window for widget tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by test-sidebar-dnd.c and test-window-prefs.c: a private home for
 * everything the application keeps, the application registered on the
 * test's session bus, the window's sidebar rows by title, and the store as
 * a second connection to the library's file sees it. Waits come from
 * tidings-library-test-utils.h (WAIT_UNTIL, run_for); removing the home
 * afterwards is tidings_test_remove_tree() (tidings-web-test-utils.h).
 */

#pragma once

#include <adwaita.h>

#include "tidings-application.h"
#include "tidings-library-test-utils.h"
#include "tidings-sidebar-row.h"
#include "tidings-store.h"
#include "tidings-ui-test-utils.h"
#include "tidings-web-test-utils.h"
#include "tidings-window.h"

/* Points the XDG homes into a new temporary folder, which it returns. */
static inline char *
tidings_test_private_home (const char *name_template)
{
  g_autoptr(GError) error = NULL;
  char *home = g_dir_make_tmp (name_template, &error);
  static const char * const kinds[] = { "DATA", "CONFIG", "CACHE", "STATE" };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *var = g_strdup_printf ("XDG_%s_HOME", kinds[i]);
      g_autofree char *dir = g_build_filename (home, kinds[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (var, dir, TRUE);
    }
  return home;
}

/* The application, registered (its library opened), not yet running. */
static inline TidingsApplication *
tidings_test_application_new (void)
{
  g_autoptr(GError) error = NULL;
  TidingsApplication *app = tidings_application_new (APP_ID);

  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (tidings_application_get_library (app));
  return app;
}

/* The mapped sidebar row showing @title, or NULL. */
static inline TidingsSidebarRow *
tidings_test_sidebar_row (TidingsWindow *window,
                          const char    *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  tidings_test_collect (_tidings_window_get_sidebar_view (window), TIDINGS_TYPE_SIDEBAR_ROW,
                        rows);
  for (guint i = 0; i < rows->len; i++)
    {
      TidingsSidebarRow *row = g_ptr_array_index (rows, i);
      TidingsSidebarItem *item = tidings_sidebar_row_get_item (row);

      if (item != NULL && gtk_widget_get_mapped (GTK_WIDGET (row))
          && g_strcmp0 (tidings_sidebar_item_get_title (item), title) == 0)
        return row;
    }
  return NULL;
}

/* The first button under @widget labelled @label (mnemonic included) that
 * is on screen. */
static inline GtkWidget *
tidings_test_button (GtkWidget  *widget,
                     const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  tidings_test_collect (widget, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) == 0
          && gtk_widget_get_mapped (button))
        return button;
    }
  return NULL;
}

/* Whether a label on screen under @widget reads exactly @text. */
static inline gboolean
tidings_test_shows_label (GtkWidget  *widget,
                          const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  tidings_test_collect (widget, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);

      if (gtk_widget_get_mapped (label)
          && g_strcmp0 (gtk_label_get_label (GTK_LABEL (label)), text) == 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- The store, from a second connection ---- */

static inline TidingsStore *
tidings_test_open_store (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(GError) error = NULL;
  TidingsStore *store = tidings_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static inline TidingsSubscription *
tidings_test_stored_subscription (gint64 id)
{
  g_autoptr(TidingsStore) store = tidings_test_open_store ();

  return tidings_store_get_subscription (store, id, NULL);
}

/* The section @id as stored (NULL when there is none). */
static inline TidingsSection *
tidings_test_stored_section (gint64 id)
{
  g_autoptr(TidingsStore) store = tidings_test_open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sections = tidings_store_list_sections (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < sections->len; i++)
    {
      TidingsSection *section = g_ptr_array_index (sections, i);

      if (section->id == id)
        return g_ptr_array_steal_index (sections, i);
    }
  return NULL;
}

static inline TidingsArticle *
tidings_test_stored_article (gint64 id)
{
  g_autoptr(TidingsStore) store = tidings_test_open_store ();
  g_autoptr(GError) error = NULL;
  TidingsArticle *article = tidings_store_get_article (store, id, &error);

  g_assert_no_error (error);
  return article;
}
