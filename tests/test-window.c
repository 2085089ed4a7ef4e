/* test-window.c: the reading window on a fixture library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real TidingsApplication (registered on the test's session bus) with a
 * real window, library and WebKitWebView, under Xvfb. The library lives in
 * a temporary XDG_DATA_HOME; it starts empty (the welcome page), then the
 * fixture is written through the store API on the library's writer, as any
 * change would be. What the window shows is checked on its widgets, what it
 * changes on a second connection to the same SQLite file.
 *
 * The cases run in order and share the window. Screenshots of the main
 * states go to the build folder's tests/screenshots/.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <webkit/webkit.h>

#include "tidings-application.h"
#include "tidings-article-list.h"
#include "tidings-article-row.h"
#include "tidings-article-view.h"
#include "tidings-opml.h"
#include "tidings-sidebar-model.h"
#include "tidings-sidebar-row.h"
#include "tidings-store.h"
#include "tidings-test-server.h"
#include "tidings-ui-test-utils.h"
#include "tidings-window.h"

#define WAIT_MS 20000

static char *tmp_home;
static char *db_path;
static TidingsApplication *app;
static TidingsWindow *window;

/* Ids of the fixture. */
static gint64 space_id;
static gint64 world_id;
static gint64 orbit_id;     /* in Space: 4 articles, 1 read, 1 starred */
static gint64 launch_id;    /* in Space: 3 articles, all unread */
static gint64 globe_id;     /* in World: 5 articles, 2 read */
static gint64 loose_id;     /* in no section: 2 articles, unread */
static GArray *orbit_articles;
static TidingsTestServer *server;

/* ---- Waiting ---- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_message ("Timed out waiting for %s", what);
          return FALSE;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

#define WAIT_FOR(cond, data) \
  g_assert_true (wait_until ((Condition) (cond), (gpointer) (data), #cond))

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the window lay out and draw for @ms. */
static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- Widgets ---- */

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  tidings_test_collect (root, type, found);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

/* The text of the first visible label under @widget with @css_class. */
static const char *
label_with_class (GtkWidget  *widget,
                  const char *css_class)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  tidings_test_collect (widget, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);

      if (gtk_widget_has_css_class (label, css_class))
        return gtk_widget_get_visible (label) ? gtk_label_get_label (GTK_LABEL (label)) : NULL;
    }
  return NULL;
}

/* The sidebar row showing @title, or NULL when none does (yet). */
static TidingsSidebarRow *
sidebar_row (const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  tidings_test_collect (_tidings_window_get_sidebar_view (window), TIDINGS_TYPE_SIDEBAR_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      TidingsSidebarRow *row = g_ptr_array_index (rows, i);
      TidingsSidebarItem *item = tidings_sidebar_row_get_item (row);

      if (item != NULL && g_strcmp0 (tidings_sidebar_item_get_title (item), title) == 0
          && gtk_widget_get_mapped (GTK_WIDGET (row)))
        return row;
    }
  return NULL;
}

/* What the row shows as its unread count ("" when none). */
static char *
sidebar_count (const char *title)
{
  TidingsSidebarRow *row = sidebar_row (title);
  const char *count;

  g_assert_nonnull (row);
  count = label_with_class (GTK_WIDGET (row), "unread-count");
  return g_strdup (count != NULL ? count : "");
}

static gboolean
sidebar_row_shown (const char *title)
{
  return sidebar_row (title) != NULL;
}

static GtkTreeListRow *
tree_row_of (const char *title)
{
  GtkSelectionModel *selection = _tidings_window_get_sidebar_selection (window);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (selection));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (selection), i);
      g_autoptr(TidingsSidebarItem) item = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (tidings_sidebar_item_get_title (item), title) == 0)
        return g_steal_pointer (&row);
    }
  return NULL;
}

static TidingsArticleList *
article_list (void)
{
  GtkSingleSelection *selection =
    GTK_SINGLE_SELECTION (_tidings_window_get_article_selection (window));

  return TIDINGS_ARTICLE_LIST (gtk_single_selection_get_model (selection));
}

static gboolean
list_has (gpointer count)
{
  TidingsArticleList *list = article_list ();

  return tidings_article_list_get_loaded (list)
         && g_list_model_get_n_items (G_LIST_MODEL (list)) == GPOINTER_TO_UINT (count);
}

static gboolean
list_loaded_with_rows (gpointer unused)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  if (!tidings_article_list_get_loaded (article_list ()))
    return FALSE;
  tidings_test_collect (_tidings_window_get_article_list_view (window),
                        TIDINGS_TYPE_ARTICLE_LIST_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      TidingsArticleItem *item = tidings_article_list_row_get_item (g_ptr_array_index (rows, i));

      if (item != NULL && tidings_article_item_get_loaded (item))
        return TRUE;
    }
  return FALSE;
}

static WebKitWebView *
web_view (void)
{
  TidingsArticleView *view = TIDINGS_ARTICLE_VIEW (_tidings_window_get_article_view (window));
  GtkWidget *web = _tidings_article_view_get_web_view (view);

  return web != NULL ? WEBKIT_WEB_VIEW (web) : NULL;
}

static gboolean
page_titled (const char *title)
{
  WebKitWebView *web = web_view ();

  return web != NULL && g_strcmp0 (webkit_web_view_get_title (web), title) == 0
         && !webkit_web_view_is_loading (web);
}

/* ---- The store, seen from a second connection ---- */

static TidingsArticle *
stored_article (gint64 id)
{
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TidingsArticle *article;

  store = tidings_store_open (db_path, &error);
  g_assert_no_error (error);
  article = tidings_store_get_article (store, id, &error);
  g_assert_no_error (error);
  return article;
}

typedef struct
{
  gint64   id;
  gboolean read;
  gboolean starred;
} Expect;

static gboolean
stored_state_is (Expect *expect)
{
  g_autoptr(TidingsArticle) article = stored_article (expect->id);

  return !article->read == !expect->read && !article->starred == !expect->starred;
}

/* ---- Screenshots ---- */

/* ---- The fixture ---- */

static TidingsItem *
new_item (const char *guid,
          const char *title,
          const char *html,
          gint64      date)
{
  TidingsItem *item = tidings_item_new ();

  item->id = g_strdup (guid);
  item->url = g_strdup_printf ("https://example.org/%s", guid);
  item->title = g_strdup (title);
  item->content_html = g_strdup (html);
  item->date_published = date;
  return item;
}

static gboolean
add_articles (TidingsStore  *store,
              gint64         subscription_id,
              const char    *prefix,
              guint          count,
              gint64         newest,
              GError       **error)
{
  g_autoptr(TidingsFeedUpdate) update = tidings_feed_update_new (subscription_id);

  update->fetched_at = g_get_real_time ();
  update->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *guid = g_strdup_printf ("%s-%u", prefix, i);
      g_autofree char *title = g_strdup_printf ("%s story %u", prefix, i);
      g_autofree char *html = g_strdup_printf ("<p>The %s story number %u, about rockets "
                                               "and the weather.</p>", prefix, i);

      g_ptr_array_add (update->items,
                       new_item (guid, title, html, newest - (gint64) i * G_TIME_SPAN_HOUR));
    }
  tidings_feed_update_prepare (update);
  return tidings_store_apply_update (store, update, NULL, error);
}

static GArray *
article_ids (TidingsStore *store,
             gint64        subscription_id)
{
  TidingsArticleQuery query = { TIDINGS_SCOPE_SUBSCRIPTION, subscription_id, FALSE, FALSE, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = tidings_store_query_articles (store, &query, 0, 100, &error);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    g_array_append_val (ids, ((TidingsArticleRow *) g_ptr_array_index (rows, i))->id);
  return ids;
}

static gpointer
fill_fixture (TidingsStore  *store,
              gpointer       data,
              GError       **error)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GArray) globe = NULL;

  space_id = tidings_store_add_section (store, "Space", 0, error);
  world_id = tidings_store_add_section (store, "World", 0, error);
  orbit_id = tidings_store_add_subscription (store, "https://orbit.example/feed.xml",
                                             "Orbit Weekly", space_id, error);
  launch_id = tidings_store_add_subscription (store, "https://launch.example/feed.xml",
                                              "Launch Log", space_id, error);
  globe_id = tidings_store_add_subscription (store, "https://globe.example/feed.xml",
                                             "Globe Desk", world_id, error);
  loose_id = tidings_store_add_subscription (store, "https://loose.example/feed.xml",
                                             "Loose Feed", 0, error);
  g_assert_cmpint (loose_id, >, 0);

  g_assert_true (add_articles (store, orbit_id, "Orbit", 4, now - G_TIME_SPAN_MINUTE * 5, error));
  g_assert_true (add_articles (store, launch_id, "Launch", 3, now - G_TIME_SPAN_MINUTE * 20,
                               error));
  g_assert_true (add_articles (store, globe_id, "Globe", 5, now - G_TIME_SPAN_DAY, error));
  g_assert_true (add_articles (store, loose_id, "Loose", 2, now - 3 * G_TIME_SPAN_DAY, error));

  /* Orbit: its oldest read, its second starred; Globe: two read. */
  orbit_articles = article_ids (store, orbit_id);
  g_assert_cmpuint (orbit_articles->len, ==, 4);
  g_assert_true (tidings_store_set_read (store, g_array_index (orbit_articles, gint64, 3), TRUE,
                                         error));
  g_assert_true (tidings_store_set_starred (store, g_array_index (orbit_articles, gint64, 1),
                                            TRUE, error));
  globe = article_ids (store, globe_id);
  g_assert_true (tidings_store_set_read (store, g_array_index (globe, gint64, 0), TRUE, error));
  g_assert_true (tidings_store_set_read (store, g_array_index (globe, gint64, 1), TRUE, error));
  g_assert_true (tidings_store_update_search_index (store, error));
  return GINT_TO_POINTER (TRUE);
}

static void
filled_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* ---- Cases ---- */

static gboolean
wait_until_flag (gboolean *flag)
{
  return *flag;
}

static gboolean
sidebar_loaded (gpointer unused)
{
  return tidings_sidebar_model_get_loaded (_tidings_window_get_sidebar_model (window));
}

static gboolean
page_is (const char *page)
{
  return g_strcmp0 (_tidings_window_get_page (window), page) == 0;
}

static void
test_welcome (void)
{
  gboolean filled = FALSE;
  TidingsLibrary *library = tidings_application_get_library (app);

  window = tidings_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));
  /* A .Devel build is told apart by its striped header bars. */
  g_assert_cmpint (gtk_widget_has_css_class (GTK_WIDGET (window), "devel"), ==, DEVELOPMENT);

  WAIT_FOR (sidebar_loaded, NULL);
  WAIT_FOR (page_is, "welcome");
  settle (300);
  tidings_test_save_screenshot (GTK_WIDGET (window), "welcome");

  /* Subscriptions arriving (as from the Add dialog or an import) bring the
   * reader in place of the welcome. */
  tidings_library_write_async (library, fill_fixture, NULL, NULL,
                               TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS
                               | TIDINGS_LIBRARY_CHANGED_ARTICLES
                               | TIDINGS_LIBRARY_CHANGED_STATE,
                               NULL, filled_cb, &filled);
  WAIT_FOR (wait_until_flag, &filled);
  WAIT_FOR (page_is, "reader");
}

static void
test_sidebar (void)
{
  g_autoptr(GtkTreeListRow) space = NULL;
  g_autoptr(GtkTreeListRow) world = NULL;
  g_autofree char *count = NULL;

  /* Smart sections first, then the sections and the feed in none. */
  WAIT_FOR (sidebar_row_shown, "All Articles");
  WAIT_FOR (sidebar_row_shown, "Space");
  WAIT_FOR (sidebar_row_shown, "World");
  WAIT_FOR (sidebar_row_shown, "Loose Feed");
  g_assert_true (sidebar_row_shown ("Unread"));
  g_assert_true (sidebar_row_shown ("Starred"));
  g_assert_true (sidebar_row_shown ("Today"));

  /* Unread: Orbit 3, Launch 3, Globe 3, Loose 2. */
  count = sidebar_count ("All Articles");
  g_assert_cmpstr (count, ==, "11");
  g_free (count);
  count = sidebar_count ("Space");
  g_assert_cmpstr (count, ==, "6");
  g_free (count);
  count = sidebar_count ("World");
  g_assert_cmpstr (count, ==, "3");
  g_free (count);
  count = sidebar_count ("Loose Feed");
  g_assert_cmpstr (count, ==, "2");

  /* Sections expand to their feeds. */
  g_assert_false (sidebar_row_shown ("Orbit Weekly"));
  space = tree_row_of ("Space");
  world = tree_row_of ("World");
  g_assert_nonnull (space);
  g_assert_true (gtk_tree_list_row_is_expandable (space));
  gtk_tree_list_row_set_expanded (space, TRUE);
  gtk_tree_list_row_set_expanded (world, TRUE);
  WAIT_FOR (sidebar_row_shown, "Orbit Weekly");
  WAIT_FOR (sidebar_row_shown, "Globe Desk");
  g_assert_true (sidebar_row_shown ("Launch Log"));

  g_free (count);
  count = sidebar_count ("Orbit Weekly");
  g_assert_cmpstr (count, ==, "3");
  g_free (count);
  count = sidebar_count ("Launch Log");
  g_assert_cmpstr (count, ==, "3");
  g_free (count);
  count = sidebar_count ("Globe Desk");
  g_assert_cmpstr (count, ==, "3");
}

static void
test_select_section (void)
{
  /* All: every article (14). */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_ALL, 0));
  WAIT_FOR (list_has, GUINT_TO_POINTER (14));

  /* Space: Orbit's 4 and Launch's 3. */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SECTION, space_id));
  WAIT_FOR (list_has, GUINT_TO_POINTER (7));
  WAIT_FOR (list_loaded_with_rows, NULL);

  /* A feed. */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SUBSCRIPTION, globe_id));
  WAIT_FOR (list_has, GUINT_TO_POINTER (5));

  /* Starred: one. */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_STARRED, 0));
  WAIT_FOR (list_has, GUINT_TO_POINTER (1));

  /* Unread only, in Space: 6. */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SECTION, space_id));
  WAIT_FOR (list_has, GUINT_TO_POINTER (7));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.unread-only", NULL));
  WAIT_FOR (list_has, GUINT_TO_POINTER (6));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.unread-only", NULL));
  WAIT_FOR (list_has, GUINT_TO_POINTER (7));

  /* The selection is remembered. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *selected = g_settings_get_string (settings, "selected-item");
    g_autofree char *expected = g_strdup_printf ("section:%" G_GINT64_FORMAT, space_id);

    g_assert_cmpstr (selected, ==, expected);
  }
}

static gint64
selected_article_id (void)
{
  GtkSingleSelection *selection =
    GTK_SINGLE_SELECTION (_tidings_window_get_article_selection (window));
  TidingsArticleItem *item = gtk_single_selection_get_selected_item (selection);

  return item != NULL ? tidings_article_item_get_id (item) : 0;
}

static gboolean
shown_is (gpointer id)
{
  TidingsArticleView *view = TIDINGS_ARTICLE_VIEW (_tidings_window_get_article_view (window));

  return tidings_article_view_get_article_id (view) == *(gint64 *) id;
}

static void
test_open_article (void)
{
  gint64 newest = g_array_index (orbit_articles, gint64, 0);
  Expect expect = { newest, TRUE, FALSE };
  g_autoptr(TidingsArticle) before = stored_article (newest);

  g_assert_false (before->read);
  g_assert_null (web_view ());   /* no WebKit until the first article */

  /* In Orbit Weekly, newest first: j opens the first article. */
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SUBSCRIPTION, orbit_id));
  WAIT_FOR (list_has, GUINT_TO_POINTER (4));
  WAIT_FOR (list_loaded_with_rows, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-article", NULL));
  g_assert_cmpint (selected_article_id (), ==, newest);

  WAIT_FOR (page_titled, "Orbit story 0");
  WAIT_FOR (stored_state_is, &expect);

  /* And the sidebar follows: Orbit has 2 unread left. */
  {
    g_autofree char *count = NULL;

    settle (200);
    count = sidebar_count ("Orbit Weekly");
    g_assert_cmpstr (count, ==, "2");
  }

  /* A new web process takes a moment to draw its first frame. */
  settle (1500);
  tidings_test_save_screenshot (GTK_WIDGET (window), "three-panes");
  /* The header's toggles show the state of their settings. */
  {
    g_autoptr(GPtrArray) toggles = g_ptr_array_new ();
    guint checked = 0;

    tidings_test_collect (GTK_WIDGET (window), GTK_TYPE_TOGGLE_BUTTON, toggles);
    for (guint i = 0; i < toggles->len; i++)
      {
        GtkWidget *button = g_ptr_array_index (toggles, i);
        const char *action = gtk_actionable_get_action_name (GTK_ACTIONABLE (button));

        if (g_strcmp0 (action, "win.sidebar-visible") == 0)
          {
            g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
            checked++;
          }
      }
    g_assert_cmpuint (checked, ==, 1);
  }
}

static void
test_star_and_read (void)
{
  gint64 newest = g_array_index (orbit_articles, gint64, 0);
  Expect expect = { newest, TRUE, TRUE };

  g_assert_cmpint (selected_article_id (), ==, newest);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-star", NULL));
  WAIT_FOR (stored_state_is, &expect);

  expect.read = FALSE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-read", NULL));
  WAIT_FOR (stored_state_is, &expect);

  expect.starred = FALSE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-star", NULL));
  WAIT_FOR (stored_state_is, &expect);

  expect.read = TRUE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-read", NULL));
  WAIT_FOR (stored_state_is, &expect);

  /* The star in the row is the same toggle. */
  expect.starred = TRUE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set-starred", "(xb)",
                                             newest, TRUE));
  WAIT_FOR (stored_state_is, &expect);
}

static void
test_navigation (void)
{
  gint64 first = g_array_index (orbit_articles, gint64, 0);
  gint64 second = g_array_index (orbit_articles, gint64, 1);

  /* j, j then back through the history. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-article", NULL));
  g_assert_cmpint (selected_article_id (), ==, second);
  WAIT_FOR (shown_is, &second);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.history-back", NULL));
  WAIT_FOR (shown_is, &first);
  g_assert_cmpint (selected_article_id (), ==, first);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.history-forward", NULL));
  WAIT_FOR (shown_is, &second);

  /* n skips the read ones: after the second comes the third (unread). */
  {
    gint64 third = g_array_index (orbit_articles, gint64, 2);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-unread", NULL));
    WAIT_FOR (shown_is, &third);
  }

  /* The fourth was read already; n crosses into the next feed with unread
   * articles, Launch Log, and opens its first. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-unread", NULL));
  {
    g_autoptr(GtkTreeListRow) launch = tree_row_of ("Launch Log");
    GtkSingleSelection *selection =
      GTK_SINGLE_SELECTION (_tidings_window_get_sidebar_selection (window));

    WAIT_FOR (list_has, GUINT_TO_POINTER (3));
    g_assert_true (gtk_single_selection_get_selected_item (selection) == (gpointer) launch);
  }
  {
    g_autoptr(TidingsArticle) article = NULL;
    gint64 shown;

    WAIT_FOR (page_titled, "Launch story 0");
    shown = tidings_article_view_get_article_id (
      TIDINGS_ARTICLE_VIEW (_tidings_window_get_article_view (window)));
    article = stored_article (shown);
    g_assert_cmpint (article->subscription_id, ==, launch_id);
  }
}

static void
test_search (void)
{
  GtkWidget *entry;

  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_ALL, 0));
  WAIT_FOR (list_has, GUINT_TO_POINTER (14));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  entry = find_widget (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (entry);
  g_assert_true (gtk_widget_has_focus (entry) || gtk_widget_is_ancestor (
                   gtk_root_get_focus (GTK_ROOT (window)), entry));

  /* The Globe articles are the only ones with "Globe" in them. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "Globe");
  WAIT_FOR (list_has, GUINT_TO_POINTER (5));
  WAIT_FOR (list_loaded_with_rows, NULL);

  /* Enter goes on to the results, opening the first. */
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (page_titled, "Globe story 0");
  settle (500);
  tidings_test_save_screenshot (GTK_WIDGET (window), "search");

  /* Closing the search brings the section's articles back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (gtk_widget_get_ancestor (entry,
                                                                           GTK_TYPE_SEARCH_BAR)),
                                  FALSE);
  WAIT_FOR (list_has, GUINT_TO_POINTER (14));
}

static void
test_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  WebKitWebView *web = web_view ();

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  settle (800);
  g_assert_true (adw_style_manager_get_dark (style));
  g_assert_nonnull (web);
  tidings_test_save_screenshot (GTK_WIDGET (window), "dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  settle (300);
}

/* ---- Article font size ---- */

typedef struct
{
  gboolean  done;
  char     *value;
} JsString;

static void
js_string_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  JsString *js = user_data;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);
  g_assert_no_error (error);
  js->value = jsc_value_to_string (value);
  js->done = TRUE;
}

static gboolean
js_string_is_done (JsString *js)
{
  return js->done;
}

/* @script's value in the shown page, as a string. */
static char *
page_js_string (const char *script)
{
  JsString js = { FALSE, NULL };

  webkit_web_view_evaluate_javascript (web_view (), script, -1, "tidings-test", NULL, NULL,
                                       js_string_done, &js);
  WAIT_FOR (js_string_is_done, &js);
  return js.value;
}

static gboolean
body_font_size_is (const char *expected)
{
  g_autofree char *size = page_js_string ("getComputedStyle (document.body).fontSize");

  return g_strcmp0 (size, expected) == 0;
}

static gboolean
view_font_size_is (gpointer size)
{
  TidingsArticleView *view = TIDINGS_ARTICLE_VIEW (_tidings_window_get_article_view (window));

  return tidings_article_view_get_font_size (view) == GPOINTER_TO_INT (size);
}

/* The preference reaches the page shown, without a reload. */
static void
test_font_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *initial = NULL;
  g_autofree char *title = NULL;

  g_assert_nonnull (web_view ());
  WAIT_FOR (view_font_size_is, GINT_TO_POINTER (0));
  title = g_strdup (webkit_web_view_get_title (web_view ()));
  initial = page_js_string ("getComputedStyle (document.body).fontSize");
  g_assert_cmpstr (initial, !=, "22px");

  g_settings_set_int (settings, "article-font-size", 22);
  WAIT_FOR (view_font_size_is, GINT_TO_POINTER (22));
  WAIT_FOR (body_font_size_is, "22px");
  g_assert_cmpstr (webkit_web_view_get_title (web_view ()), ==, title);
  settle (800);
  tidings_test_save_screenshot (GTK_WIDGET (window), "font-size-22");

  g_settings_reset (settings, "article-font-size");
  WAIT_FOR (view_font_size_is, GINT_TO_POINTER (0));
  WAIT_FOR (body_font_size_is, initial);
}

static gboolean
folded (gpointer unused)
{
  g_autoptr(GPtrArray) leaflets = g_ptr_array_new ();

  tidings_test_collect (GTK_WIDGET (window), ADW_TYPE_LEAFLET, leaflets);
  for (guint i = 0; i < leaflets->len; i++)
    if (!adw_leaflet_get_folded (g_ptr_array_index (leaflets, i)))
      return FALSE;
  return leaflets->len == 2;
}

/* The leaflets slide: a pane is drawable or hidden once that is over, which
 * takes longer than any fixed pause on a slow (sanitized, busy) machine. */
static gboolean
drawable (GtkWidget *widget)
{
  return gtk_widget_is_drawable (widget);
}

static gboolean
not_drawable (GtkWidget *widget)
{
  return !gtk_widget_is_drawable (widget);
}

static void
test_narrow (void)
{
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 720);
  WAIT_FOR (folded, NULL);

  /* Enter on the article list opens the article pane, focus in it. */
  gtk_widget_grab_focus (_tidings_window_get_article_list_view (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-article", NULL));
  settle (800);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                         _tidings_window_get_article_view (window)));
  WAIT_FOR (drawable, _tidings_window_get_article_view (window));
  WAIT_FOR (not_drawable, _tidings_window_get_article_list_view (window));
  /* Escape goes back to the list. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.escape", NULL));
  settle (800);
  WAIT_FOR (drawable, _tidings_window_get_article_list_view (window));
  tidings_test_save_screenshot (GTK_WIDGET (window), "narrow-list");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-article", NULL));
  settle (800);
  tidings_test_save_screenshot (GTK_WIDGET (window), "narrow");

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  settle (500);
}

static void
test_mark_all_read (void)
{
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TidingsArticleQuery query = { TIDINGS_SCOPE_SECTION, 0, TRUE, FALSE, NULL };
  guint unread = 99;

  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SECTION, world_id));
  WAIT_FOR (list_has, GUINT_TO_POINTER (5));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mark-all-read", NULL));

  query.id = world_id;
  store = tidings_store_open (db_path, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2000 && unread != 0; i++)
    {
      g_assert_true (tidings_store_count_articles (store, &query, &unread, &error));
      g_assert_no_error (error);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  g_assert_cmpuint (unread, ==, 0);
}


static TidingsSubscription *
stored_subscription (gint64 id)
{
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TidingsSubscription *subscription;

  store = tidings_store_open (db_path, &error);
  g_assert_no_error (error);
  subscription = tidings_store_get_subscription (store, id, &error);
  if (subscription == NULL)
    g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_NOT_FOUND);
  return subscription;
}

static gboolean
subscription_gone (gpointer id)
{
  g_autoptr(TidingsSubscription) subscription = stored_subscription (*(gint64 *) id);

  return subscription == NULL;
}

typedef struct
{
  gint64 id;
  gint64 section_id;
} ExpectSection;

static gboolean
subscription_in (ExpectSection *expect)
{
  g_autoptr(TidingsSubscription) subscription = stored_subscription (expect->id);

  return subscription != NULL && subscription->section_id == expect->section_id;
}

static gboolean
sidebar_row_hidden (const char *title)
{
  return sidebar_row (title) == NULL;
}

static gboolean
has_label_containing (GtkWidget  *widget,
                      const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  tidings_test_collect (widget, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_label (g_ptr_array_index (labels, i)), text) != NULL)
      return TRUE;
  return FALSE;
}

/* The Undo button of the toast that says "removed" (an older toast with an
 * Undo of its own may still be fading out). */
static GtkWidget *
undo_button (void)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  tidings_test_collect (GTK_WIDGET (window), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), "_Undo") == 0
          && gtk_widget_get_mapped (button)
          && has_label_containing (gtk_widget_get_parent (button), "removed"))
        return button;
    }
  return NULL;
}

static gboolean
undo_shown (gpointer unused)
{
  return undo_button () != NULL;
}

static void
test_context_menu (void)
{
  TidingsSidebarModel *model = _tidings_window_get_sidebar_model (window);
  TidingsSidebarItem *loose = tidings_sidebar_model_find (model, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                                          loose_id);
  TidingsSidebarItem *orbit = tidings_sidebar_model_find (model, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                                          orbit_id);
  GMenuModel *menu;
  g_autoptr(GMenuModel) second = NULL;
  ExpectSection expect = { loose_id, space_id };
  g_autoptr(TidingsSubscription) kept = NULL;

  g_assert_nonnull (loose);
  g_assert_nonnull (orbit);

  /* A feed's menu: mark read, refresh, rename, move to, remove. */
  menu = _tidings_window_get_item_menu (window, loose);
  g_assert_nonnull (menu);
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 2);
  second = g_menu_model_get_item_link (menu, 1, "section");
  g_assert_cmpint (g_menu_model_get_n_items (second), ==, 3);

  /* Move to Space, through the menu's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.move-item", "x",
                                             space_id));
  WAIT_FOR (subscription_in, &expect);

  /* And back to no section by a drop's action. */
  expect.section_id = 0;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.move-feed", "(xx)",
                                             loose_id, (gint64) 0));
  WAIT_FOR (subscription_in, &expect);
  WAIT_FOR (sidebar_row_shown, "Loose Feed");

  /* Remove, then Undo on the toast: the row comes back, the store never
   * lost it. */
  menu = _tidings_window_get_item_menu (window, loose);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-item", NULL));
  WAIT_FOR (sidebar_row_hidden, "Loose Feed");
  WAIT_FOR (undo_shown, NULL);
  kept = stored_subscription (loose_id);
  g_assert_nonnull (kept);
  gtk_widget_activate (undo_button ());
  WAIT_FOR (sidebar_row_shown, "Loose Feed");
  settle (300);
  g_clear_pointer (&kept, tidings_subscription_free);
  kept = stored_subscription (loose_id);
  g_assert_nonnull (kept);

  /* Removed again and left so: it goes when the toast does (here, when the
   * window closes, in the last case). */
  menu = _tidings_window_get_item_menu (window, loose);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-item", NULL));
  WAIT_FOR (sidebar_row_hidden, "Loose Feed");
  g_clear_pointer (&kept, tidings_subscription_free);
  kept = stored_subscription (loose_id);
  g_assert_nonnull (kept);
}

static void
test_sort (void)
{
  GtkSingleSelection *selection;
  g_autoptr(TidingsArticleItem) first = NULL;

  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SUBSCRIPTION, orbit_id));
  WAIT_FOR (list_has, GUINT_TO_POINTER (4));
  WAIT_FOR (list_loaded_with_rows, NULL);
  selection = GTK_SINGLE_SELECTION (_tidings_window_get_article_selection (window));
  first = g_list_model_get_item (G_LIST_MODEL (selection), 0);
  g_assert_cmpstr (tidings_article_item_get_title (first), ==, "Orbit story 0");
  g_clear_object (&first);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.oldest-first", NULL));
  WAIT_FOR (list_loaded_with_rows, NULL);
  first = g_list_model_get_item (G_LIST_MODEL (selection), 0);
  WAIT_FOR (tidings_article_item_get_loaded, first);
  g_assert_cmpstr (tidings_article_item_get_title (first), ==, "Orbit story 3");
  g_clear_object (&first);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.oldest-first", NULL));
  WAIT_FOR (list_loaded_with_rows, NULL);
}

static gpointer
add_local_feeds (TidingsStore  *store,
                 gpointer       data,
                 GError       **error)
{
  gint64 *local = data;
  g_autofree char *fast = tidings_test_server_url (server, "/fast.xml");
  g_autofree char *slow = tidings_test_server_url (server, "/slow.xml");

  local[0] = tidings_store_add_section (store, "Local", 0, error);
  if (local[0] <= 0)
    return NULL;
  if (tidings_store_add_subscription (store, fast, "Fast Feed", local[0], error) <= 0
      || tidings_store_add_subscription (store, slow, "Slow Feed", local[0], error) <= 0)
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static const char *
progress_text (void)
{
  g_autoptr(GPtrArray) revealers = g_ptr_array_new ();

  tidings_test_collect (GTK_WIDGET (window), GTK_TYPE_REVEALER, revealers);
  for (guint i = 0; i < revealers->len; i++)
    {
      GtkRevealer *revealer = g_ptr_array_index (revealers, i);
      GtkWidget *bar = find_widget (GTK_WIDGET (revealer), GTK_TYPE_PROGRESS_BAR);

      if (bar != NULL)
        return gtk_revealer_get_reveal_child (revealer)
               ? label_with_class (GTK_WIDGET (revealer), "caption") : NULL;
    }
  return NULL;
}

static gboolean
progress_shows (const char *text)
{
  const char *shown = progress_text ();

  return shown != NULL && strstr (shown, text) != NULL;
}

static gboolean
progress_hidden (gpointer unused)
{
  return progress_text () == NULL;
}

static void
test_refresh (void)
{
#define RSS(name, guid) \
  "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" name "</title>" \
  "<link>http://127.0.0.1/</link>" \
  "<item><guid>" guid "-1</guid><title>" name " one</title><description>First</description></item>" \
  "<item><guid>" guid "-2</guid><title>" name " two</title><description>Second</description></item>" \
  "</channel></rss>"
  const char *fast = RSS ("Fast", "fast");
  const char *slow = RSS ("Slow", "slow");
  gint64 local[1] = { 0 };
  gboolean filled = FALSE;

  server = tidings_test_server_new ();
  tidings_test_server_set_body (server, "/fast.xml", "application/rss+xml", fast, -1);
  tidings_test_server_set_body (server, "/slow.xml", "application/rss+xml", slow, -1);
  /* Long enough to see the progress half way. */
  tidings_test_server_set_fault (server, "/slow.xml", TIDINGS_TEST_FAULT_SLOW_BODY, 2500, NULL);

  tidings_library_write_async (tidings_application_get_library (app), add_local_feeds, local,
                               NULL, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, NULL, filled_cb,
                               &filled);
  WAIT_FOR (wait_until_flag, &filled);
  WAIT_FOR (sidebar_row_shown, "Local");
  g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SECTION, local[0]));
  WAIT_FOR (list_has, GUINT_TO_POINTER (0));

  /* r refreshes the selected section: its two feeds, and nothing else
   * (the fixture's feeds have addresses nobody answers). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh-selected", NULL));
  WAIT_FOR (progress_shows, "1 of 2 feeds");
  settle (200);
  tidings_test_save_screenshot (GTK_WIDGET (window), "refreshing");
  WAIT_FOR (progress_hidden, NULL);
  WAIT_FOR (list_has, GUINT_TO_POINTER (4));
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/fast.xml"), ==, 1);
  g_assert_cmpuint (tidings_test_server_get_hits (server, "/slow.xml"), ==, 1);
}

static void
test_suggested_feeds (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsOpml) opml = NULL;
  static const char *sections[] = { "Space", "Energy", "Military & Defense", "World" };
  gsize len = 0;
  const char *data;

  /* The welcome page's suggestions: four sections of a handful of feeds,
   * every one an https address, nothing refused. (Only parsed here:
   * nothing may fetch them in a test.) */
  bytes = g_resources_lookup_data (APP_PATH "suggested-feeds.opml", G_RESOURCE_LOOKUP_FLAGS_NONE,
                                   &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  opml = tidings_opml_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opml->warnings->len, ==, 0);
  g_assert_cmpuint (opml->sections->len, ==, G_N_ELEMENTS (sections));
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      TidingsOpmlSection *section = g_ptr_array_index (opml->sections, i);
      guint feeds = 0;

      g_assert_cmpstr (section->title, ==, sections[i]);
      for (guint j = 0; j < opml->feeds->len; j++)
        {
          TidingsOpmlFeed *feed = g_ptr_array_index (opml->feeds, j);

          g_assert_true (g_str_has_prefix (feed->url, "https://"));
          g_assert_nonnull (feed->title);
          if (g_strcmp0 (feed->section, sections[i]) == 0)
            feeds++;
        }
      g_assert_cmpuint (feeds, >=, 4);
    }
}

static void
test_toggle_sidebar (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *sidebar = _tidings_window_get_sidebar_view (window);

  g_assert_true (gtk_widget_is_drawable (sidebar));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL));
  settle (300);
  g_assert_false (gtk_widget_is_drawable (sidebar));
  g_assert_false (g_settings_get_boolean (settings, "sidebar-visible"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL));
  settle (300);
  g_assert_true (gtk_widget_is_drawable (sidebar));
  g_assert_true (g_settings_get_boolean (settings, "sidebar-visible"));
}

static void
test_close (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  /* Closing saves the window's state and carries out the removal whose
   * toast was still up. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1111, 777);
  settle (200);
  gtk_window_close (GTK_WINDOW (window));
  window = NULL;
  WAIT_FOR (subscription_gone, &loose_id);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1111);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 777);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Everything the app keeps goes to a temporary home. */
  tmp_home = g_dir_make_tmp ("tidings-window-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      static const char *names[] = { "DATA", "CONFIG", "CACHE", "STATE" };
      g_autofree char *lower = g_ascii_strdown (names[i], -1);
      g_autofree char *dir = g_build_filename (tmp_home, lower, NULL);
      g_autofree char *var = g_strdup_printf ("XDG_%s_HOME", names[i]);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (var, dir, TRUE);
    }

  g_test_init (&argc, &argv, NULL);
  db_path = tidings_store_default_path ();

  app = tidings_application_new (APP_ID);
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("Cannot register the application: %s\n", error->message);
      return 1;
    }
  g_assert_nonnull (tidings_application_get_library (app));
  {
    /* Marks are made at once, so that the test need not wait. */
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_int (settings, "mark-read-delay", 0);
    /* No notification daemon on the test's bus. */
    g_settings_set_boolean (settings, "notifications", FALSE);
    g_settings_set_boolean (settings, "refresh-on-start", FALSE);
  }

  g_test_add_func ("/window/welcome", test_welcome);
  g_test_add_func ("/window/sidebar", test_sidebar);
  g_test_add_func ("/window/select-section", test_select_section);
  g_test_add_func ("/window/open-article", test_open_article);
  g_test_add_func ("/window/star-and-read", test_star_and_read);
  g_test_add_func ("/window/navigation", test_navigation);
  g_test_add_func ("/window/search", test_search);
  g_test_add_func ("/window/dark", test_dark);
  g_test_add_func ("/window/font-size", test_font_size);
  g_test_add_func ("/window/narrow", test_narrow);
  g_test_add_func ("/window/mark-all-read", test_mark_all_read);
  g_test_add_func ("/window/context-menu", test_context_menu);
  g_test_add_func ("/window/sort", test_sort);
  g_test_add_func ("/window/refresh", test_refresh);
  g_test_add_func ("/window/toggle-sidebar", test_toggle_sidebar);
  g_test_add_func ("/window/suggested-feeds", test_suggested_feeds);
  g_test_add_func ("/window/close", test_close);

  status = g_test_run ();

  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  settle (100);
  g_clear_object (&app);
  g_clear_pointer (&orbit_articles, g_array_unref);
  g_clear_pointer (&server, tidings_test_server_free);
  g_free (db_path);
  return status;
}
