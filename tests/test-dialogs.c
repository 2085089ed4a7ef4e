/* test-dialogs.c: the preferences window and the Add dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb with GSETTINGS_BACKEND=memory; the Add dialog works on a
 * real library in a temporary folder and finds its feeds on the loopback
 * test server.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <adwaita.h>

#include "tidings-add-dialog.h"
#include "tidings-library.h"
#include "tidings-preferences.h"
#include "tidings-sidebar-model.h"
#include "tidings-store.h"
#include "tidings-test-server.h"
#include "tidings-ui-test-utils.h"

/* Helpers */

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
get_named (gpointer    root,
           const char *name)
{
  GtkWidget *widget = find_named (GTK_WIDGET (root), name);

  if (widget == NULL)
    g_error ("No widget named %s", name);
  return widget;
}

static void
wait_ms (guint msec)
{
  gint64 until = g_get_monotonic_time () + msec * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main loop until @condition holds; a hang guard, not a
 * speed limit. */
static void
wait_for (Condition    condition,
          gpointer     data,
          const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
show_window (GtkWindow *window)
{
  gtk_window_present (window);
  wait_for (is_mapped, window, "the window to show");
  wait_ms (200);
}

/* Destroys @window and checks that nothing kept it. */
static void
destroy_window (gpointer window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_ms (100);
  g_assert_null (weak);
}

static GSettings *
new_settings (void)
{
  GSettings *settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  /* The memory backend lives as long as the process: start each test from
   * the defaults. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  return settings;
}

/* A library in a temporary folder with two sections. */

typedef struct
{
  char                *dir;
  char                *path;
  TidingsLibrary      *library;
  TidingsSidebarModel *sidebar;
  gint64               space_id;
  gint64               energy_id;
  gint64               moon_id;     /* a child section of Space */
} Library;

static gboolean
sidebar_loaded (gpointer data)
{
  return tidings_sidebar_model_get_loaded (data);
}

static void
library_open (Library *lib)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsStore) store = NULL;

  lib->dir = g_dir_make_tmp ("tidings-dialogs-XXXXXX", &error);
  g_assert_no_error (error);
  lib->path = g_build_filename (lib->dir, "library.db", NULL);

  store = tidings_store_open (lib->path, &error);
  g_assert_no_error (error);
  lib->space_id = tidings_store_add_section (store, "Space", 0, &error);
  g_assert_no_error (error);
  lib->energy_id = tidings_store_add_section (store, "Energy", 0, &error);
  g_assert_no_error (error);
  lib->moon_id = tidings_store_add_section (store, "Moon", lib->space_id, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  lib->library = tidings_library_new (lib->path, &error);
  g_assert_no_error (error);
  lib->sidebar = tidings_sidebar_model_new (lib->library);
  wait_for (sidebar_loaded, lib->sidebar, "the sidebar to load");
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
library_close (Library *lib)
{
  g_clear_object (&lib->sidebar);
  g_clear_object (&lib->library);
  remove_tree (lib->dir);
  g_free (lib->path);
  g_free (lib->dir);
}

/* Preferences */

static GtkWidget *
row_of (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

  g_assert_nonnull (row);
  return row;
}

static void
test_preferences_builds (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  TidingsPreferences *prefs = tidings_preferences_new (NULL, settings);
  static const char * const page_names[] = { "reading", "updates", "storage", "keyboard" };
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();

  show_window (GTK_WINDOW (prefs));

  /* The four pages (the window adds one of its own for search results). */
  tidings_test_collect (GTK_WIDGET (prefs), ADW_TYPE_PREFERENCES_PAGE, pages);
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    {
      gboolean found = FALSE;

      for (guint k = 0; k < pages->len; k++)
        found |= g_strcmp0 (adw_preferences_page_get_name (pages->pdata[k]), page_names[i]) == 0;
      g_assert_true (found);
    }

  /* Every row shows its setting's default. */
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "mark-read-on-select"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "load-images"))));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "unread-only"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "refresh-on-start"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "feed-icons"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "notifications"))));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (get_named (prefs, "keymap"))), ==,
                    0);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (get_named (prefs,
                                                                          "sort-oldest-first"))),
                    ==, 0);
  /* 60 minutes, the fifth choice */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (get_named (prefs,
                                                                          "refresh-interval"))),
                    ==, 4);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (get_named (prefs,
                                                                                 "retention-days"))),
                   ==, 0);
  /* 0 is said in words. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_named (prefs, "retention-days"))), ==,
                   "Forever");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_named (prefs, "retention-count"))),
                   ==, "No limit");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_named (prefs, "article-font-size"))),
                   ==, "Default");
  /* Without sections, no choice of sections. */
  g_assert_false (gtk_widget_get_visible (get_named (prefs, "notify-sections")));

  tidings_test_save_screenshot (GTK_WIDGET (prefs), "preferences-reading");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "updates");
  wait_ms (300);
  tidings_test_save_screenshot (GTK_WIDGET (prefs), "preferences-updates");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "storage");
  wait_ms (300);
  tidings_test_save_screenshot (GTK_WIDGET (prefs), "preferences-storage");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "keyboard");
  wait_ms (300);
  tidings_test_save_screenshot (GTK_WIDGET (prefs), "preferences-keyboard");

  destroy_window (prefs);
}

static void
test_preferences_bindings (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  TidingsPreferences *prefs = tidings_preferences_new (NULL, settings);
  AdwComboRow *keymap_row;
  AdwComboRow *interval_row;
  GtkWidget *delay_spin;

  show_window (GTK_WINDOW (prefs));

  /* Activating a row (Enter or a click on it) flips its switch, and the
   * setting with it. */
  g_assert_true (gtk_widget_activate (row_of (get_named (prefs, "load-images"))));
  wait_ms (50);
  g_assert_false (g_settings_get_boolean (settings, "load-images"));
  g_assert_true (gtk_widget_activate (row_of (get_named (prefs, "load-images"))));
  wait_ms (50);
  g_assert_true (g_settings_get_boolean (settings, "load-images"));

  gtk_switch_set_active (GTK_SWITCH (get_named (prefs, "unread-only")), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "unread-only"));
  gtk_switch_set_active (GTK_SWITCH (get_named (prefs, "refresh-on-start")), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "refresh-on-start"));
  g_assert_true (gtk_widget_activate (row_of (get_named (prefs, "feed-icons"))));
  wait_ms (50);
  g_assert_false (g_settings_get_boolean (settings, "feed-icons"));
  g_settings_set_boolean (settings, "feed-icons", TRUE);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "feed-icons"))));

  /* The delay only matters while articles are marked read on opening. */
  delay_spin = get_named (prefs, "mark-read-delay");
  g_assert_true (gtk_widget_is_sensitive (delay_spin));
  gtk_switch_set_active (GTK_SWITCH (get_named (prefs, "mark-read-on-select")), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "mark-read-on-select"));
  g_assert_false (gtk_widget_is_sensitive (delay_spin));
  g_settings_set_boolean (settings, "mark-read-on-select", TRUE);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (get_named (prefs, "mark-read-on-select"))));
  g_assert_true (gtk_widget_is_sensitive (delay_spin));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (delay_spin), 5);
  g_assert_cmpint (g_settings_get_int (settings, "mark-read-delay"), ==, 5);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (prefs, "article-font-size")), 18);
  g_assert_cmpint (g_settings_get_int (settings, "article-font-size"), ==, 18);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_named (prefs, "article-font-size"))),
                   ==, "18");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (prefs, "retention-days")), 30);
  g_assert_cmpint (g_settings_get_int (settings, "retention-days"), ==, 30);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (prefs, "retention-count")), 500);
  g_assert_cmpint (g_settings_get_int (settings, "retention-count"), ==, 500);
  g_settings_set_int (settings, "retention-count", 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_named (prefs, "retention-count"))),
                   ==, "No limit");

  adw_combo_row_set_selected (ADW_COMBO_ROW (get_named (prefs, "sort-oldest-first")), 1);
  g_assert_true (g_settings_get_boolean (settings, "sort-oldest-first"));

  /* The refresh interval: a choice writes minutes, and minutes chosen
   * elsewhere show as the nearest choice. */
  interval_row = ADW_COMBO_ROW (get_named (prefs, "refresh-interval"));
  adw_combo_row_set_selected (interval_row, 0);
  g_assert_cmpint (g_settings_get_int (settings, "refresh-interval"), ==, 5);
  adw_combo_row_set_selected (interval_row, 9);
  g_assert_cmpint (g_settings_get_int (settings, "refresh-interval"), ==, 1440);
  g_settings_set_int (settings, "refresh-interval", 120);
  g_assert_cmpuint (adw_combo_row_get_selected (interval_row), ==, 5);
  g_settings_set_int (settings, "refresh-interval", 25);
  g_assert_cmpuint (adw_combo_row_get_selected (interval_row), ==, 3);

  /* The keyboard map, both ways. */
  keymap_row = ADW_COMBO_ROW (get_named (prefs, "keymap"));
  adw_combo_row_set_selected (keymap_row, 1);
  {
    g_autofree char *keymap = g_settings_get_string (settings, "keymap");
    g_assert_cmpstr (keymap, ==, "vim");
  }
  g_assert_cmpint (g_settings_get_enum (settings, "keymap"), ==, 1);
  g_settings_set_string (settings, "keymap", "liferea");
  g_assert_cmpuint (adw_combo_row_get_selected (keymap_row), ==, 2);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (keymap_row)), "Ctrl+N"));

  gtk_switch_set_active (GTK_SWITCH (get_named (prefs, "notifications")), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "notifications"));

  destroy_window (prefs);
}

static GVariant *
int64_array (const gint64 *ids,
             gsize         n)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids, n, sizeof (gint64));
}

static void
test_preferences_sections (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  TidingsPreferences *prefs = tidings_preferences_new (NULL, settings);
  g_autoptr(GPtrArray) checks = g_ptr_array_new ();
  g_autoptr(GVariant) chosen = NULL;
  GtkWidget *sections_row;
  Library lib = { 0 };
  gint64 both[2];

  library_open (&lib);
  show_window (GTK_WINDOW (prefs));

  tidings_preferences_set_sections (prefs, G_LIST_MODEL (lib.sidebar));
  sections_row = get_named (prefs, "notify-sections");
  g_assert_true (gtk_widget_get_visible (sections_row));
  /* Space, its child Moon, and Energy; not the smart sections. */
  tidings_test_collect (sections_row, GTK_TYPE_CHECK_BUTTON, checks);
  g_assert_cmpuint (checks->len, ==, 3);
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (sections_row)), ==,
                   "New articles in every section");

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (sections_row), TRUE);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "updates");
  wait_ms (300);
  tidings_test_save_screenshot (GTK_WIDGET (prefs), "preferences-notify-sections");

  /* Checking one stores its id; checking none means every section. */
  gtk_check_button_set_active (checks->pdata[0], TRUE);
  chosen = g_settings_get_value (settings, "notify-sections");
  g_assert_cmpuint (g_variant_n_children (chosen), ==, 1);
  {
    gint64 id;

    g_variant_get_child (chosen, 0, "x", &id);
    g_assert_cmpint (id, ==, lib.space_id);
  }
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (sections_row)), ==,
                   "New articles in 1 chosen section");
  gtk_check_button_set_active (checks->pdata[0], FALSE);
  g_clear_pointer (&chosen, g_variant_unref);
  chosen = g_settings_get_value (settings, "notify-sections");
  g_assert_cmpuint (g_variant_n_children (chosen), ==, 0);

  /* The checks follow the setting. */
  both[0] = lib.energy_id;
  both[1] = lib.moon_id;
  g_settings_set_value (settings, "notify-sections", int64_array (both, 2));
  g_assert_false (gtk_check_button_get_active (checks->pdata[0]));
  g_assert_true (gtk_check_button_get_active (checks->pdata[1]));
  g_assert_true (gtk_check_button_get_active (checks->pdata[2]));
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (sections_row)), ==,
                   "New articles in 2 chosen sections");

  /* Notifications off: nothing to choose. */
  g_settings_set_boolean (settings, "notifications", FALSE);
  g_assert_false (gtk_widget_is_sensitive (sections_row));

  tidings_preferences_set_sections (prefs, NULL);
  g_assert_false (gtk_widget_get_visible (sections_row));

  destroy_window (prefs);
  library_close (&lib);
}

/* The Add dialog */

static const char page_html[] =
  "<!DOCTYPE html><html><head><title>Orbit News</title>"
  "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Orbit: launches\" href=\"/launches.xml\">"
  "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Orbit: landers\" href=\"/landers.xml\">"
  "</head><body><p>News from orbit.</p></body></html>";

static const char launches_rss[] =
  "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Orbit: launches</title>"
  "<link>http://example.org/</link><description>Launches</description>"
  "<item><title>A launch</title><link>http://example.org/1</link><guid>l1</guid></item>"
  "</channel></rss>";

static const char landers_atom[] =
  "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
  "<title>Orbit: landers</title><id>urn:orbit:landers</id><updated>2024-05-01T10:00:00Z</updated>"
  "<entry><title>A landing</title><id>urn:orbit:landers:1</id>"
  "<updated>2024-05-01T10:00:00Z</updated><link href=\"http://example.org/2\"/></entry>"
  "</feed>";

static const char plain_html[] =
  "<!DOCTYPE html><html><head><title>No feeds here</title></head><body>Hello</body></html>";

typedef struct
{
  Library             lib;
  TidingsTestServer  *server;
  TidingsAddDialog   *dialog;
  gint64              subscribed_id;
  guint               subscribed_count;
} AddFixture;

static void
on_subscribed (TidingsAddDialog *dialog,
               gint64            id,
               AddFixture       *fixture)
{
  fixture->subscribed_id = id;
  fixture->subscribed_count++;
}

static void
add_fixture_set_up (AddFixture    *fixture,
                    gconstpointer  data)
{
  library_open (&fixture->lib);
  fixture->server = tidings_test_server_new ();
  tidings_test_server_set_body (fixture->server, "/orbit.html", "text/html", page_html, -1);
  tidings_test_server_set_body (fixture->server, "/launches.xml", "application/rss+xml",
                                launches_rss, -1);
  tidings_test_server_set_body (fixture->server, "/landers.xml", "application/atom+xml",
                                landers_atom, -1);
  tidings_test_server_set_body (fixture->server, "/plain.html", "text/html", plain_html, -1);
  tidings_test_server_set_body (fixture->server, "/missing", "text/html", "gone", -1);
  tidings_test_server_set_fault (fixture->server, "/missing", TIDINGS_TEST_FAULT_STATUS, 404,
                                 NULL);

  fixture->dialog = tidings_add_dialog_new (NULL, fixture->lib.library,
                                            G_LIST_MODEL (fixture->lib.sidebar));
  /* Held by the test so that it can be looked at after it closes. */
  g_object_ref (fixture->dialog);
  g_signal_connect (fixture->dialog, "subscribed", G_CALLBACK (on_subscribed), fixture);
  show_window (GTK_WINDOW (fixture->dialog));
}

static void
add_fixture_tear_down (AddFixture    *fixture,
                       gconstpointer  data)
{
  gpointer weak = fixture->dialog;

  g_object_add_weak_pointer (G_OBJECT (fixture->dialog), &weak);
  gtk_window_destroy (GTK_WINDOW (fixture->dialog));
  g_object_unref (fixture->dialog);
  /* Let the library's last callbacks run, then nothing may hold it. */
  wait_ms (100);
  g_assert_null (weak);
  library_close (&fixture->lib);
  tidings_test_server_free (fixture->server);
}

static gboolean
feeds_shown (gpointer data)
{
  return gtk_widget_get_visible (get_named (data, "feeds"));
}

static gboolean
message_shown (gpointer data)
{
  return gtk_widget_get_visible (get_named (data, "message"));
}

static gboolean
subscribed_once (gpointer data)
{
  AddFixture *fixture = data;

  return fixture->subscribed_count > 0;
}

static const char *
action_label (TidingsAddDialog *dialog)
{
  return gtk_button_get_label (GTK_BUTTON (get_named (dialog, "action")));
}

typedef struct
{
  gint64 id;
} ReadSubscription;

static gpointer
read_subscription (TidingsStore  *store,
                   gpointer       data,
                   GError       **error)
{
  ReadSubscription *read = data;

  return tidings_store_get_subscription (store, read->id, error);
}

static gboolean
is_done (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static TidingsSubscription *
get_subscription (TidingsLibrary *library,
                  gint64          id)
{
  ReadSubscription read = { id };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TidingsSubscription *subscription;

  tidings_library_read_async (library, read_subscription, &read, NULL, NULL, got_result, &result);
  wait_for (is_done, &result, "the subscription to be read");
  subscription = tidings_library_read_finish (library, result, &error);
  g_assert_no_error (error);
  return subscription;
}

static void
test_add_builds (void)
{
  TidingsAddDialog *dialog = tidings_add_dialog_new (NULL, NULL, NULL);
  GtkWidget *address = get_named (dialog, "address");
  GtkWidget *action = get_named (dialog, "action");
  GtkWidget *message = get_named (dialog, "message");

  show_window (GTK_WINDOW (dialog));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));

  /* Nothing to look for yet. */
  g_assert_false (gtk_widget_get_sensitive (action));
  g_assert_cmpstr (action_label (dialog), ==, "_Find Feeds");
  g_assert_false (gtk_widget_get_visible (get_named (dialog, "feeds")));
  /* No sections: no section to choose. */
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (get_named (dialog, "section"),
                                                                   ADW_TYPE_PREFERENCES_GROUP)));

  gtk_editable_set_text (GTK_EDITABLE (address), "example.org");
  g_assert_true (gtk_widget_get_sensitive (action));
  gtk_editable_set_text (GTK_EDITABLE (address), "   ");
  g_assert_false (gtk_widget_get_sensitive (action));

  /* Addresses as desktops and people hand them over. */
  tidings_add_dialog_set_url (dialog, "feed://example.org/rss.xml");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address)), ==,
                   "http://example.org/rss.xml");
  tidings_add_dialog_set_url (dialog, "feed:https://example.org/atom");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address)), ==,
                   "https://example.org/atom");
  tidings_add_dialog_set_url (dialog, "  example.org/blog ");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address)), ==,
                   "https://example.org/blog");
  g_assert_true (gtk_widget_get_sensitive (action));

  /* Without a library it says so, in words. */
  g_signal_emit_by_name (action, "clicked");
  g_assert_true (gtk_widget_get_visible (message));
  g_assert_true (gtk_widget_has_css_class (message, "error"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message)), !=, "");

  /* Editing clears the message. */
  gtk_editable_set_text (GTK_EDITABLE (address), "example.org/other");
  g_assert_false (gtk_widget_get_visible (message));

  destroy_window (dialog);
}

static void
test_add_sections (AddFixture    *fixture,
                   gconstpointer  data)
{
  AdwComboRow *section = ADW_COMBO_ROW (get_named (fixture->dialog, "section"));
  GListModel *titles = adw_combo_row_get_model (section);

  g_assert_true (gtk_widget_get_visible (gtk_widget_get_ancestor (GTK_WIDGET (section),
                                                                  ADW_TYPE_PREFERENCES_GROUP)));
  g_assert_cmpuint (g_list_model_get_n_items (titles), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 0), ==, "No section");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 1), ==, "Space");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 2), ==, "Space / Moon");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 3), ==, "Energy");
  g_assert_cmpuint (adw_combo_row_get_selected (section), ==, 0);

  tidings_add_dialog_set_section (fixture->dialog, fixture->lib.energy_id);
  g_assert_cmpuint (adw_combo_row_get_selected (section), ==, 3);
  tidings_add_dialog_set_section (fixture->dialog, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (section), ==, 0);
}

static void
test_add_choose_and_subscribe (AddFixture    *fixture,
                               gconstpointer  data)
{
  g_autofree char *page = tidings_test_server_url (fixture->server, "/orbit.html");
  g_autofree char *landers = tidings_test_server_url (fixture->server, "/landers.xml");
  g_autoptr(GPtrArray) checks = g_ptr_array_new ();
  g_autoptr(TidingsSubscription) subscription = NULL;
  GtkWidget *feeds;

  tidings_add_dialog_set_section (fixture->dialog, fixture->lib.moon_id);
  tidings_add_dialog_set_url (fixture->dialog, page);
  wait_for (feeds_shown, fixture->dialog, "the feeds to be found");

  g_assert_false (gtk_widget_get_visible (get_named (fixture->dialog, "message")));
  g_assert_cmpstr (action_label (fixture->dialog), ==, "_Subscribe");
  feeds = get_named (fixture->dialog, "feeds");
  tidings_test_collect (feeds, GTK_TYPE_CHECK_BUTTON, checks);
  g_assert_cmpuint (checks->len, ==, 2);
  g_assert_true (gtk_widget_get_visible (checks->pdata[0]));
  g_assert_true (gtk_check_button_get_active (checks->pdata[0]));
  g_assert_false (gtk_check_button_get_active (checks->pdata[1]));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row_of (checks->pdata[1]))),
                   ==, "Orbit: landers");

  wait_ms (200);
  tidings_test_save_screenshot (GTK_WIDGET (fixture->dialog), "add-dialog-choose");

  /* The second one, by its row. */
  g_assert_true (gtk_widget_activate (row_of (checks->pdata[1])));
  g_assert_true (gtk_check_button_get_active (checks->pdata[1]));
  g_assert_false (gtk_check_button_get_active (checks->pdata[0]));

  g_signal_emit_by_name (get_named (fixture->dialog, "action"), "clicked");
  wait_for (subscribed_once, fixture, "the subscription");
  g_assert_cmpuint (fixture->subscribed_count, ==, 1);
  g_assert_cmpint (fixture->subscribed_id, >, 0);
  /* It closed itself. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->dialog)));

  subscription = get_subscription (fixture->lib.library, fixture->subscribed_id);
  g_assert_nonnull (subscription);
  g_assert_cmpstr (subscription->url, ==, landers);
  g_assert_cmpint (subscription->section_id, ==, fixture->lib.moon_id);
}

static void
test_add_already_subscribed (AddFixture    *fixture,
                             gconstpointer  data)
{
  g_autofree char *launches = tidings_test_server_url (fixture->server, "/launches.xml");
  g_autoptr(GPtrArray) checks = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *message = get_named (fixture->dialog, "message");

  {
    g_autoptr(TidingsStore) store = tidings_store_open (fixture->lib.path, &error);

    g_assert_no_error (error);
    tidings_store_add_subscription (store, launches, NULL, 0, &error);
    g_assert_no_error (error);
  }

  /* A feed's own address: one feed, no choice to make. */
  tidings_add_dialog_set_url (fixture->dialog, launches);
  wait_for (feeds_shown, fixture->dialog, "the feed to be found");
  tidings_test_collect (get_named (fixture->dialog, "feeds"), GTK_TYPE_CHECK_BUTTON, checks);
  g_assert_cmpuint (checks->len, ==, 1);
  g_assert_false (gtk_widget_get_visible (checks->pdata[0]));

  g_signal_emit_by_name (get_named (fixture->dialog, "action"), "clicked");
  wait_for (message_shown, fixture->dialog, "the answer");

  /* Said kindly, not as an error; the dialog stays. */
  g_assert_false (gtk_widget_has_css_class (message, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (message)), "already"));
  g_assert_cmpuint (fixture->subscribed_count, ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->dialog)));
  g_assert_true (gtk_widget_get_sensitive (get_named (fixture->dialog, "action")));
}

static void
test_add_errors (AddFixture    *fixture,
                 gconstpointer  data)
{
  g_autofree char *missing = tidings_test_server_url (fixture->server, "/missing");
  g_autofree char *plain = tidings_test_server_url (fixture->server, "/plain.html");
  GtkWidget *message = get_named (fixture->dialog, "message");
  g_autofree char *first = NULL;

  tidings_add_dialog_set_url (fixture->dialog, missing);
  wait_for (message_shown, fixture->dialog, "the error");
  g_assert_true (gtk_widget_has_css_class (message, "error"));
  first = g_strdup (gtk_label_get_text (GTK_LABEL (message)));
  g_test_message ("404: %s", first);
  g_assert_cmpuint (strlen (first), >, 10);
  g_assert_false (gtk_widget_get_visible (get_named (fixture->dialog, "feeds")));
  /* Back to the first step, ready to try again. */
  g_assert_cmpstr (action_label (fixture->dialog), ==, "_Find Feeds");
  g_assert_true (gtk_widget_get_sensitive (get_named (fixture->dialog, "action")));

  wait_ms (200);
  tidings_test_save_screenshot (GTK_WIDGET (fixture->dialog), "add-dialog-error");

  tidings_add_dialog_set_url (fixture->dialog, plain);
  g_assert_false (gtk_widget_get_visible (message));
  wait_for (message_shown, fixture->dialog, "the second error");
  g_test_message ("no feed: %s", gtk_label_get_text (GTK_LABEL (message)));
  g_assert_true (gtk_widget_has_css_class (message, "error"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message)), !=, first);
  g_assert_cmpuint (fixture->subscribed_count, ==, 0);
}

static void
add_fixture_test (const char *path,
                  void      (*func) (AddFixture *, gconstpointer))
{
  g_test_add (path, AddFixture, NULL, add_fixture_set_up, func, add_fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* A switch flips at the end of its animation: no animations, no waiting
   * on them, and screenshots without half-finished transitions. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/dialogs/preferences/builds", test_preferences_builds);
  g_test_add_func ("/dialogs/preferences/bindings", test_preferences_bindings);
  g_test_add_func ("/dialogs/preferences/sections", test_preferences_sections);
  g_test_add_func ("/dialogs/add/builds", test_add_builds);
  add_fixture_test ("/dialogs/add/sections", test_add_sections);
  add_fixture_test ("/dialogs/add/choose-and-subscribe", test_add_choose_and_subscribe);
  add_fixture_test ("/dialogs/add/already-subscribed", test_add_already_subscribed);
  add_fixture_test ("/dialogs/add/errors", test_add_errors);

  return g_test_run ();
}
