/* test-window-uk.c: the reading window in Ukrainian
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application and window, run as a Ukrainian user would run them
 * (LANGUAGE=uk, LANG=uk_UA.UTF-8) with the catalog the build compiled from
 * po/uk.po: the strings of the templates, of the code and of the core come
 * out in Ukrainian, and the dates through the locale. The window is saved
 * as tests/screenshots/uk-*.png in the build folder, to be looked at.
 *
 * Without uk in po/LINGUAS the build compiles no Ukrainian catalog, and the
 * cases skip, saying so.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <webkit/webkit.h>

#include "tidings-application.h"
#include "tidings-article-list.h"
#include "tidings-article-row.h"
#include "tidings-article-view.h"
#include "tidings-i18n-test-utils.h"
#include "tidings-library-test-utils.h"
#include "tidings-sidebar-model.h"
#include "tidings-ui-test-utils.h"
#include "tidings-window.h"

static gboolean have_uk;
static gboolean have_locale;
static char *tmp_home;
static TidingsApplication *app;
static TidingsWindow *window;
static gint64 feed_id;

/* Skips without a Ukrainian catalog; fails without the locale. */
static gboolean
ukrainian_ready (void)
{
  if (!have_uk)
    {
      g_test_skip ("po/LINGUAS does not list uk");
      return FALSE;
    }
  if (!have_locale)
    {
      g_test_message ("The locale uk_UA.UTF-8 is not installed (Debian: locales-all)");
      g_test_fail ();
      return FALSE;
    }
  return TRUE;
}

/* The first widget under @widget (itself included) whose tooltip is @text. */
static GtkWidget *
widget_with_tooltip (GtkWidget  *widget,
                     const char *text)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = widget_with_tooltip (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether a mapped AdwWindowTitle under @widget has a Ukrainian subtitle. */
static gboolean
has_ukrainian_subtitle (GtkWidget *widget)
{
  if (ADW_IS_WINDOW_TITLE (widget) && gtk_widget_get_mapped (widget))
    {
      const char *subtitle = adw_window_title_get_subtitle (ADW_WINDOW_TITLE (widget));

      if (subtitle != NULL && tidings_test_has_cyrillic (subtitle))
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_ukrainian_subtitle (child))
      return TRUE;
  return FALSE;
}

static gboolean
page_is (const char *page)
{
  return g_strcmp0 (_tidings_window_get_page (window), page) == 0;
}

static gboolean
rows_loaded (void)
{
  GtkSingleSelection *selection =
    GTK_SINGLE_SELECTION (_tidings_window_get_article_selection (window));
  TidingsArticleList *list = TIDINGS_ARTICLE_LIST (gtk_single_selection_get_model (selection));
  g_autoptr(TidingsArticleItem) first = NULL;

  if (!tidings_article_list_get_loaded (list)
      || g_list_model_get_n_items (G_LIST_MODEL (list)) != 4)
    return FALSE;
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  return tidings_article_item_get_loaded (first);
}

/* The newest article is in the web view, drawn. */
static gboolean
newest_shown (void)
{
  GtkWidget *view = _tidings_window_get_article_view (window);
  GtkWidget *web;

  /* The article view (and WebKit) come with the first article. */
  if (view == NULL)
    return FALSE;
  web = _tidings_article_view_get_web_view (TIDINGS_ARTICLE_VIEW (view));
  return web != NULL && !webkit_web_view_is_loading (WEBKIT_WEB_VIEW (web))
         && g_strcmp0 (webkit_web_view_get_title (WEBKIT_WEB_VIEW (web)), "Launch report 0") == 0;
}

/* ---- Cases ---- */

/* What a list row shows of a date: today's in minutes and hours, this
 * week's by weekday, older ones by day and month (in the genitive, “12
 * березня”), and the year when it is not this one. */
static void
test_relative_time (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 3, 20, 15, 0, 0);
  gint64 now_us = g_date_time_to_unix (now) * G_USEC_PER_SEC;
  g_autofree char *minutes = NULL;
  g_autofree char *weekday = NULL;
  g_autofree char *this_year = NULL;
  g_autofree char *long_ago = NULL;

  if (!ukrainian_ready ())
    return;

  minutes = _tidings_format_relative_time (now_us - 25 * G_TIME_SPAN_MINUTE, now_us);
  g_assert_nonnull (strstr (minutes, "25"));
  g_assert_true (tidings_test_has_cyrillic (minutes));

  weekday = _tidings_format_relative_time (now_us - 3 * G_TIME_SPAN_DAY, now_us);
  g_assert_true (tidings_test_has_cyrillic (weekday));

  this_year = _tidings_format_relative_time (now_us - 8 * G_TIME_SPAN_DAY, now_us);
  g_assert_nonnull (strstr (this_year, "12"));
  g_assert_true (tidings_test_has_cyrillic (this_year));
  g_assert_null (strstr (this_year, "March"));

  long_ago = _tidings_format_relative_time (now_us - 400 * G_TIME_SPAN_DAY, now_us);
  g_assert_nonnull (strstr (long_ago, "2025"));
  g_assert_true (tidings_test_has_cyrillic (long_ago));
  g_test_message ("In Ukrainian: “%s”, “%s”, “%s”, “%s”", minutes, weekday, this_year,
                  long_ago);
}

static void
test_window (void)
{
  const char *refresh_all = _("Refresh All Feeds");
  const char *all_articles = g_dgettext (GETTEXT_PACKAGE, "All Articles");
  g_autoptr(TidingsSidebarItem) first = NULL;
  TidingsSidebarModel *model;

  if (!ukrainian_ready ())
    return;

  /* The catalog is there and is Ukrainian. */
  g_assert_cmpstr (refresh_all, !=, "Refresh All Feeds");
  g_assert_true (tidings_test_has_cyrillic (refresh_all));
  g_assert_cmpstr (all_articles, !=, "All Articles");

  window = tidings_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));
  model = _tidings_window_get_sidebar_model (window);
  WAIT_UNTIL (tidings_sidebar_model_get_loaded (model));
  WAIT_UNTIL (page_is ("reader"));

  /* A string of the window's template (GtkBuilder, the default domain)... */
  g_assert_nonnull (widget_with_tooltip (GTK_WIDGET (window), refresh_all));
  g_assert_null (widget_with_tooltip (GTK_WIDGET (window), "Refresh All Feeds"));
  /* ...one of the core's (the sidebar model, through the tidings domain)... */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpint (tidings_sidebar_item_get_kind (first), ==, TIDINGS_SIDEBAR_ALL);
  g_assert_cmpstr (tidings_sidebar_item_get_title (first), ==, all_articles);
  g_assert_true (tidings_test_has_cyrillic (tidings_sidebar_item_get_title (first)));

  /* ...and a count of the code's (ngettext): the list's “4 unread”. */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SUBSCRIPTION, feed_id));
  WAIT_UNTIL (rows_loaded ());
  run_for (300);
  g_assert_true (has_ukrainian_subtitle (GTK_WIDGET (window)));

  /* The newest article open: its date line is written by the locale. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-article", NULL));
  WAIT_UNTIL (newest_shown ());
  /* A new web process takes a moment to draw its first frame. */
  run_for (5000);
  tidings_test_save_screenshot (GTK_WIDGET (window), "uk-reader");
}

static void
test_close (void)
{
  if (window == NULL)
    {
      g_test_skip ("no window was opened");
      return;
    }
  gtk_window_destroy (GTK_WINDOW (window));
  window = NULL;
  run_for (100);
}

/* Last, once the window is gone: the same dates for a German reader
 * (“vor 25 Min.”, “12. März”), whose months are not Ukrainian's. */
static void
test_relative_time_german (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 3, 20, 15, 0, 0);
  gint64 now_us = g_date_time_to_unix (now) * G_USEC_PER_SEC;
  g_autofree char *minutes = NULL;
  g_autofree char *this_year = NULL;
  g_autofree char *english = NULL;

  if (!tidings_test_linguas_has ("de"))
    {
      g_test_skip ("po/LINGUAS does not list de");
      return;
    }
  g_assert_true (tidings_test_use_language ("de", "de_DE.UTF-8", TRUE));

  minutes = _tidings_format_relative_time (now_us - 25 * G_TIME_SPAN_MINUTE, now_us);
  g_assert_nonnull (strstr (minutes, "25"));
  g_assert_cmpstr (minutes, !=, "25 min ago");
  g_assert_false (tidings_test_has_cyrillic (minutes));

  this_year = _tidings_format_relative_time (now_us - 8 * G_TIME_SPAN_DAY, now_us);
  g_assert_nonnull (strstr (this_year, "März"));
  g_test_message ("In German: “%s”, “%s”", minutes, this_year);

  /* And back to English: the C locale translates nothing. */
  g_unsetenv ("LANGUAGE");
  g_assert_true (tidings_test_use_language ("", "C", TRUE));
  english = _tidings_format_relative_time (now_us - 25 * G_TIME_SPAN_MINUTE, now_us);
  g_assert_cmpstr (english, ==, "25 min ago");
}

/* ---- The library ---- */

/* One feed with four articles, from minutes to a year and more old, in
 * the library the application is about to open. */
static void
fill_library (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(TidingsStore) store = open_store (path);
  gint64 now = g_get_real_time ();

  feed_id = store_add_subscription (store, "https://kosmos.example/feed.xml", "Kosmos Daily",
                                    0);
  store_add_articles (store, feed_id, "recent", "Launch report", 0, 1,
                      now - 40 * G_TIME_SPAN_MINUTE, now);
  store_add_articles (store, feed_id, "week", "Orbit notes", 1, 1,
                      now - 3 * G_TIME_SPAN_DAY - G_TIME_SPAN_MINUTE, now);
  store_add_articles (store, feed_id, "month", "Station log", 2, 1,
                      now - 20 * G_TIME_SPAN_DAY - 2 * G_TIME_SPAN_MINUTE, now);
  store_add_articles (store, feed_id, "old", "Archive", 3, 1,
                      now - 420 * G_TIME_SPAN_DAY - 3 * G_TIME_SPAN_MINUTE, now);
}

/* Removes @path and, if it is a folder, all it holds. */
static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_remove (path);
}

/* Points @variable at a new folder @name in the temporary home. */
static void
home_folder (const char *variable,
             const char *name)
{
  g_autofree char *path = g_build_filename (tmp_home, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_setenv (variable, path, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Before GTK reads the locale. */
  have_uk = tidings_test_linguas_has ("uk");
  if (have_uk)
    have_locale = tidings_test_use_language ("uk", "uk_UA.UTF-8", TRUE);

  /* Everything the application keeps goes to a temporary home. */
  tmp_home = make_test_dir ();
  home_folder ("XDG_DATA_HOME", "data");
  home_folder ("XDG_CONFIG_HOME", "config");
  home_folder ("XDG_CACHE_HOME", "cache");
  home_folder ("XDG_STATE_HOME", "state");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/window-uk/relative-time", test_relative_time);
  g_test_add_func ("/window-uk/window", test_window);
  g_test_add_func ("/window-uk/close", test_close);
  g_test_add_func ("/window-uk/relative-time-german", test_relative_time_german);

  if (have_uk && have_locale)
    {
      fill_library ();
      app = tidings_application_new (APP_ID);
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      if (!g_application_register (G_APPLICATION (app), NULL, &error))
        {
          g_printerr ("Cannot register the application: %s\n", error->message);
          return 1;
        }
      {
        g_autoptr(GSettings) settings = g_settings_new (APP_ID);

        /* No notification daemon on the test's bus, and no network. */
        g_settings_set_boolean (settings, "notifications", FALSE);
        g_settings_set_boolean (settings, "refresh-on-start", FALSE);
      }
    }

  status = g_test_run ();

  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  remove_tree (tmp_home);
  g_free (tmp_home);
  return status;
}
