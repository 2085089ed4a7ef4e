/* test-window-prefs.c: notifications and marking read on select, in the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Notifications: the test's session bus (dbus-run-session) has no
 * notification server, so this program is one: it owns
 * org.freedesktop.Notifications on a connection of its own and records the
 * Notify and CloseNotification calls that GApplication's freedesktop
 * backend makes. Refreshes fetch from the loopback feed server, whose feeds
 * gain items between refreshes. Whether a call did not come is decided
 * after a round trip to the server on the application's own connection,
 * which D-Bus delivers after anything the application sent before it.
 *
 * Marking read: the delay is short (1 s); waits are on conditions, and the
 * only timing checked is that nothing was marked earlier than asked.
 *
 * Whether the window is active is real X focus: under Xvfb without a
 * window manager, presenting a window gives it the input focus, so a
 * second window takes it away.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-article-list.h"
#include "tidings-test-server.h"
#include "tidings-window-test-utils.h"

#define DELAY_S 1

static char *home;
static TidingsApplication *app;
static TidingsWindow *window;
static GtkWindow *decoy;
static GSettings *settings;
static TidingsTestServer *server;

static gint64 watched_id;   /* section whose news is announced */
static gint64 quiet_id;     /* section whose news is not */
static gint64 alpha_id;     /* feed in Watched */
static gint64 beta_id;      /* feed in Quiet */
static gint64 reading_id;   /* feed in no section, for marking read */
static guint alpha_items;
static guint beta_items;

/* ---- A notification server ---- */

typedef struct
{
  char  *summary;
  char  *body;
  guint  id;
} Notified;

static GDBusConnection *notify_bus;
static guint notify_object;
static guint notify_name;
static GPtrArray *notified;     /* Notified */
static GArray *closed;          /* guint ids */
static guint next_notify_id = 1;

static const char notify_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

static void
notified_free (Notified *notification)
{
  g_free (notification->summary);
  g_free (notification->body);
  g_free (notification);
}

static void
notify_method_cb (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      Notified *notification = g_new0 (Notified, 1);

      g_variant_get_child (parameters, 3, "s", &notification->summary);
      g_variant_get_child (parameters, 4, "s", &notification->body);
      notification->id = next_notify_id++;
      g_ptr_array_add (notified, notification);
      g_test_message ("Notify: “%s”: “%s”", notification->summary, notification->body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notification->id));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      guint id = 0;

      g_variant_get (parameters, "(u)", &id);
      g_array_append_val (closed, id);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "tidings-test", "Tidings",
                                                          "1", "1.2"));
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { notify_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  gboolean owned = FALSE;

  node = g_dbus_node_info_new_for_xml (notify_xml, &error);
  g_assert_no_error (error);
  /* A connection of its own, as a notification daemon would have. */
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  notify_bus = g_dbus_connection_new_for_address_sync (
    address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);
  notify_object = g_dbus_connection_register_object (notify_bus, "/org/freedesktop/Notifications",
                                                     node->interfaces[0], &vtable, NULL, NULL,
                                                     &error);
  g_assert_no_error (error);
  notify_name = g_bus_own_name_on_connection (notify_bus, "org.freedesktop.Notifications",
                                              G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                              name_acquired_cb, NULL, &owned, NULL);
  WAIT_UNTIL (owned);
  notified = g_ptr_array_new_with_free_func ((GDestroyNotify) notified_free);
  closed = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
barrier_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Returns once the server has handled every call the application made on
 * its connection before this one. */
static void
notification_barrier (void)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));
  gboolean answered = FALSE;

  g_dbus_connection_call (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                          "org.freedesktop.Notifications", "GetServerInformation", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, barrier_cb, &answered);
  WAIT_UNTIL (answered);
}

/* ---- Feeds on the loopback server ---- */

/* Serves @path with items @name-0 .. @name-(@count - 1), the last first. */
static void
serve_feed (const char *path,
            const char *name,
            guint       count)
{
  g_autoptr(GString) rss = g_string_new ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");

  g_string_append_printf (rss, "<title>%s</title><link>http://127.0.0.1/</link>", name);
  for (guint i = count; i-- > 0;)
    g_string_append_printf (rss, "<item><guid>%s-%u</guid><title>%s story %u</title>"
                            "<description>Number %u.</description></item>", name, i, name, i, i);
  g_string_append (rss, "</channel></rss>");
  tidings_test_server_set_body (server, path, "application/rss+xml", rss->str, (gssize) rss->len);
}

static gpointer
add_fixture (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  g_autofree char *alpha = tidings_test_server_url (server, "/alpha.xml");
  g_autofree char *beta = tidings_test_server_url (server, "/beta.xml");
  g_autofree char *reading = tidings_test_server_url (server, "/reading.xml");

  watched_id = tidings_store_add_section (store, "Watched", 0, error);
  quiet_id = tidings_store_add_section (store, "Quiet", 0, error);
  if (watched_id <= 0 || quiet_id <= 0)
    return NULL;
  alpha_id = tidings_store_add_subscription (store, alpha, "Alpha", watched_id, error);
  beta_id = tidings_store_add_subscription (store, beta, "Beta", quiet_id, error);
  reading_id = tidings_store_add_subscription (store, reading, "Reading", 0, error);
  if (alpha_id <= 0 || beta_id <= 0 || reading_id <= 0)
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
refresh_finished_cb (TidingsLibrary        *library,
                     TidingsRefreshSummary *summary,
                     gboolean              *finished)
{
  *finished = TRUE;
}

/* Alpha and Beta gain @alpha_new and @beta_new items; both are refreshed,
 * and the call returns once the window has heard the refresh finish and
 * the notification server has had whatever it sent. */
static void
refresh_with_news (guint alpha_new,
                   guint beta_new)
{
  TidingsLibrary *library = tidings_application_get_library (app);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean finished = FALSE;
  gulong handler;

  alpha_items += alpha_new;
  beta_items += beta_new;
  serve_feed ("/alpha.xml", "Alpha", alpha_items);
  serve_feed ("/beta.xml", "Beta", beta_items);
  g_array_append_val (ids, alpha_id);
  g_array_append_val (ids, beta_id);

  /* After the window's own handler, which was connected first. */
  handler = g_signal_connect_after (library, "refresh-finished", G_CALLBACK (refresh_finished_cb),
                                    &finished);
  tidings_library_refresh_async (library, ids, NULL, NULL, NULL);
  WAIT_UNTIL (finished);
  g_signal_handler_disconnect (library, handler);
  notification_barrier ();
}

/* ---- Focus ---- */

static void
activate_window (gboolean active)
{
  gtk_window_present (active ? GTK_WINDOW (window) : decoy);
  WAIT_UNTIL (gtk_window_is_active (active ? GTK_WINDOW (window) : decoy));
  g_assert_cmpint (gtk_window_is_active (GTK_WINDOW (window)), ==, active);
}

static void
choose_sections (const gint64 *ids,
                 gsize         n)
{
  g_settings_set_value (settings, "notify-sections",
                        g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids, n, sizeof (gint64)));
}

/* ---- Cases: notifications ---- */

static gboolean
sidebar_has_fixture (void)
{
  TidingsSidebarModel *model = _tidings_window_get_sidebar_model (window);

  return tidings_sidebar_model_get_loaded (model)
         && tidings_sidebar_model_find (model, TIDINGS_SIDEBAR_SUBSCRIPTION, reading_id) != NULL;
}

static void
test_setup (void)
{
  TidingsLibrary *library = tidings_application_get_library (app);

  server = tidings_test_server_new ();
  serve_feed ("/reading.xml", "Reading", 6);
  library_write (library, add_fixture, NULL, NULL, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);

  window = tidings_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  decoy = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (decoy, "Another application");
  gtk_window_set_default_size (decoy, 200, 100);
  WAIT_UNTIL (sidebar_has_fixture ());

  /* The first refresh brings everything, with nothing announced. */
  g_settings_set_boolean (settings, "notifications", FALSE);
  alpha_items = 2;
  beta_items = 2;
  refresh_with_news (0, 0);
  {
    g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    gboolean finished = FALSE;
    gulong handler = g_signal_connect_after (library, "refresh-finished",
                                             G_CALLBACK (refresh_finished_cb), &finished);

    g_array_append_val (ids, reading_id);
    tidings_library_refresh_async (library, ids, NULL, NULL, NULL);
    WAIT_UNTIL (finished);
    g_signal_handler_disconnect (library, handler);
  }
  g_assert_cmpuint (notified->len, ==, 0);
  g_settings_set_boolean (settings, "notifications", TRUE);
}

static void
test_notify_chosen_section (void)
{
  Notified *notification;

  /* Away from the window; news in both sections, one of them chosen: the
   * notification counts only the chosen one's. */
  activate_window (FALSE);
  choose_sections (&watched_id, 1);
  refresh_with_news (2, 3);

  g_assert_cmpuint (notified->len, ==, 1);
  notification = g_ptr_array_index (notified, 0);
  g_assert_cmpstr (notification->summary, ==, _("New Articles"));
  g_assert_cmpstr (notification->body, ==, "2 new articles");

  /* Back in the window, the notification is taken away. */
  g_assert_cmpuint (closed->len, ==, 0);
  activate_window (TRUE);
  WAIT_UNTIL (closed->len == 1);
  g_assert_cmpuint (g_array_index (closed, guint, 0), ==, notification->id);
}

static void
test_notify_every_section (void)
{
  Notified *notification;

  /* No section chosen means every section. */
  activate_window (FALSE);
  choose_sections (NULL, 0);
  refresh_with_news (1, 1);

  g_assert_cmpuint (notified->len, ==, 2);
  notification = g_ptr_array_index (notified, 1);
  g_assert_cmpstr (notification->summary, ==, _("New Articles"));
  g_assert_cmpstr (notification->body, ==, "2 new articles");
}

static void
test_notify_unchosen_section (void)
{
  activate_window (FALSE);
  choose_sections (&watched_id, 1);
  /* News only in Quiet. */
  refresh_with_news (0, 2);
  g_assert_cmpuint (notified->len, ==, 2);

  /* The news is there all the same. */
  {
    g_autoptr(TidingsSubscription) beta = tidings_test_stored_subscription (beta_id);

    g_assert_cmpuint (beta->unread_count, ==, beta_items);
  }
}

static void
test_notify_window_active (void)
{
  /* The reader is looking at the window: no notification. */
  activate_window (TRUE);
  choose_sections (NULL, 0);
  refresh_with_news (1, 1);
  g_assert_cmpuint (notified->len, ==, 2);

  /* And the same news while away would have been announced. */
  activate_window (FALSE);
  refresh_with_news (1, 0);
  g_assert_cmpuint (notified->len, ==, 3);
  g_assert_cmpstr (((Notified *) g_ptr_array_index (notified, 2))->body, ==, "1 new article");
}

static void
test_notify_setting_off (void)
{
  activate_window (FALSE);
  g_settings_set_boolean (settings, "notifications", FALSE);
  refresh_with_news (2, 2);
  g_assert_cmpuint (notified->len, ==, 3);
  g_settings_set_boolean (settings, "notifications", TRUE);
}

/* ---- Cases: marking read on select ---- */

static TidingsArticleList *
article_list (void)
{
  GtkSingleSelection *selection =
    GTK_SINGLE_SELECTION (_tidings_window_get_article_selection (window));

  return TIDINGS_ARTICLE_LIST (gtk_single_selection_get_model (selection));
}

static gboolean
reading_listed (void)
{
  TidingsArticleList *list = article_list ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (!tidings_article_list_get_loaded (list) || n != 6)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TidingsArticleItem) item = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (!tidings_article_item_get_loaded (item)
          || tidings_article_item_get_subscription_id (item) != reading_id)
        return FALSE;
    }
  return TRUE;
}

static gboolean
article_read (gint64 id)
{
  g_autoptr(TidingsArticle) article = tidings_test_stored_article (id);

  return article->read;
}

static gboolean
title_is (const char *title)
{
  return g_strcmp0 (gtk_window_get_title (GTK_WINDOW (window)), title) == 0;
}

/* Selects the article at @position of Reading's list (newest first) and
 * waits until the view shows it; returns its id. */
static gint64
select_article (guint position)
{
  g_autoptr(TidingsArticleItem) item = NULL;
  g_autofree char *title = NULL;

  if (!reading_listed ())
    {
      g_assert_true (_tidings_window_select_item (window, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                                  reading_id));
      WAIT_UNTIL (reading_listed ());
    }
  item = g_list_model_get_item (G_LIST_MODEL (article_list ()), position);
  g_assert_false (article_read (tidings_article_item_get_id (item)));
  title = g_strdup_printf ("%s – Tidings", tidings_article_item_get_title (item));
  gtk_single_selection_set_selected (
    GTK_SINGLE_SELECTION (_tidings_window_get_article_selection (window)), position);
  WAIT_UNTIL (title_is (title));
  return tidings_article_item_get_id (item);
}

static void
test_mark_read_delayed (void)
{
  gint64 selected_at;
  gint64 read_at;
  gint64 id;

  g_settings_set_boolean (settings, "mark-read-on-select", TRUE);
  g_settings_set_int (settings, "mark-read-delay", DELAY_S);

  selected_at = g_get_monotonic_time ();
  id = select_article (0);
  /* Just shown (the main loop has not run since): still unread. */
  g_assert_false (article_read (id));
  WAIT_UNTIL (article_read (id));
  read_at = g_get_monotonic_time ();
  /* Never before the delay. */
  g_assert_cmpint (read_at - selected_at, >=, DELAY_S * G_USEC_PER_SEC);
}

static void
test_mark_read_cancelled (void)
{
  gint64 first;
  gint64 second;

  g_settings_set_boolean (settings, "mark-read-on-select", TRUE);
  g_settings_set_int (settings, "mark-read-delay", DELAY_S);

  /* The second is selected before the main loop runs again, so before
   * the first one's delay is out, however slow this machine. */
  first = select_article (1);
  second = select_article (2);
  /* Only the second is marked: the first's mark would have been due
   * before it, and marks are written in order. */
  WAIT_UNTIL (article_read (second));
  g_assert_false (article_read (first));
}

static void
test_mark_read_at_once (void)
{
  gint64 id;

  g_settings_set_boolean (settings, "mark-read-on-select", TRUE);
  g_settings_set_int (settings, "mark-read-delay", 0);

  id = select_article (3);
  WAIT_UNTIL (article_read (id));
}

static gboolean
article_starred (gint64 id)
{
  g_autoptr(TidingsArticle) article = tidings_test_stored_article (id);

  return article->starred;
}

static void
test_mark_read_off (void)
{
  gint64 id;

  g_settings_set_boolean (settings, "mark-read-on-select", FALSE);
  g_settings_set_int (settings, "mark-read-delay", 0);

  id = select_article (4);
  /* A star written after the show: once it is stored, a mark made at the
   * show would be too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-star", NULL));
  WAIT_UNTIL (article_starred (id));
  g_assert_false (article_read (id));

  /* Selected again later, still unread. */
  select_article (5);
  select_article (4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-star", NULL));
  WAIT_UNTIL (!article_starred (id));
  g_assert_false (article_read (id));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  home = tidings_test_private_home ("tidings-window-prefs-XXXXXX");
  g_test_init (&argc, &argv, NULL);

  start_notification_server ();
  app = tidings_test_application_new ();
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "refresh-on-start", FALSE);

  /* In order: the cases share the window, the feeds and the counts. */
  g_test_add_func ("/window-prefs/setup", test_setup);
  g_test_add_func ("/window-prefs/notify/chosen-section", test_notify_chosen_section);
  g_test_add_func ("/window-prefs/notify/every-section", test_notify_every_section);
  g_test_add_func ("/window-prefs/notify/unchosen-section", test_notify_unchosen_section);
  g_test_add_func ("/window-prefs/notify/window-active", test_notify_window_active);
  g_test_add_func ("/window-prefs/notify/setting-off", test_notify_setting_off);
  g_test_add_func ("/window-prefs/mark-read/delayed", test_mark_read_delayed);
  g_test_add_func ("/window-prefs/mark-read/cancelled", test_mark_read_cancelled);
  g_test_add_func ("/window-prefs/mark-read/at-once", test_mark_read_at_once);
  g_test_add_func ("/window-prefs/mark-read/off", test_mark_read_off);

  status = g_test_run ();

  if (decoy != NULL)
    gtk_window_destroy (decoy);
  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  run_for (100);
  g_clear_object (&settings);
  g_clear_object (&app);
  g_clear_pointer (&server, tidings_test_server_free);
  g_clear_pointer (&notified, g_ptr_array_unref);
  g_clear_pointer (&closed, g_array_unref);
  g_bus_unown_name (notify_name);
  g_dbus_connection_unregister_object (notify_bus, notify_object);
  g_dbus_connection_close_sync (notify_bus, NULL, NULL);
  g_clear_object (&notify_bus);
  tidings_test_remove_tree (home);
  g_free (home);
  return status;
}
