/* tidings-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application owns the one TidingsLibrary and the settings, keeps the
 * background refresh going while it runs, and holds the app.* actions:
 * quit, preferences, shortcuts, about, OPML import and export, refresh-all.
 * Feed files and feed: links given to `tidings` (or by the desktop, through
 * GApplication's open) go to the Add dialog.
 */

#define G_LOG_DOMAIN "tidings-app"

#include "config.h"

#include <glib/gi18n.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#include "tidings-application.h"
#include "tidings-icons.h"
#include "tidings-parser.h"
#include "tidings-preferences.h"
#include "tidings-shortcuts.h"
#include "tidings-window.h"

struct _TidingsApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  TidingsLibrary *library;
  GError         *library_error;
  TidingsLibraryRecovery *recovery;  /* a damaged library was replaced: say so once */
  gboolean        started;       /* the first window has been made */
};

G_DEFINE_FINAL_TYPE (TidingsApplication, tidings_application, ADW_TYPE_APPLICATION)

/* main() runs these before the user interface is loaded (tidings-cli.c);
 * they are listed here for --help. */
static const GOptionEntry option_entries[] = {
  { "parse", 'p', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Parse one feed (a file, a web address, or - for standard input) and print it as "
       "JSON Feed 1.1"),
    N_("PATH|URL") },
  { "refresh", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Fetch every subscribed feed now and store new articles"), NULL },
  { "feed", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --refresh: fetch only the feed at this address"), N_("URL") },
  { "add", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Subscribe to a feed, or to the feed a web page names"), N_("URL") },
  { "section", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --add: put the feed in this section (created when missing)"), N_("NAME") },
  { "import-opml", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Subscribe to every feed of an OPML file (- for standard input)"), N_("FILE") },
  { "export-opml", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Write the subscriptions as OPML (- for standard output)"), N_("FILE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { NULL }
};

TidingsLibrary *
tidings_application_get_library (TidingsApplication *self)
{
  g_return_val_if_fail (TIDINGS_IS_APPLICATION (self), NULL);

  return self->library;
}

GSettings *
tidings_application_get_settings (TidingsApplication *self)
{
  g_return_val_if_fail (TIDINGS_IS_APPLICATION (self), NULL);

  return self->settings;
}

static GtkWindow *
active_window (TidingsApplication *self)
{
  return gtk_application_get_active_window (GTK_APPLICATION (self));
}

static void
show_error (TidingsApplication *self,
            const char         *heading,
            const char         *message)
{
  GtkWidget *dialog = adw_message_dialog_new (active_window (self), heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
toast (TidingsApplication *self,
       AdwToast           *toast)
{
  GtkWindow *window = active_window (self);

  if (TIDINGS_IS_WINDOW (window))
    tidings_window_add_toast (TIDINGS_WINDOW (window), toast);
  else
    g_object_unref (toast);
}

/* ---- Settings the library follows ---- */

typedef struct
{
  int days;
  int count;
} Retention;

static gpointer
store_retention (TidingsStore  *store,
                 gpointer       data,
                 GError       **error)
{
  Retention *retention = data;
  /* In the settings 0 means no limit; in the store that is a negative
   * number (0 would keep no article at all). */
  g_autofree char *days = g_strdup_printf ("%d", retention->days > 0 ? retention->days : -1);
  g_autofree char *count = g_strdup_printf ("%d", retention->count > 0 ? retention->count : -1);

  if (!tidings_store_set_setting (store, "retention-days", days, error)
      || !tidings_store_set_setting (store, "retention-count", count, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
retention_changed_cb (TidingsApplication *self)
{
  Retention *retention = g_new0 (Retention, 1);

  retention->days = g_settings_get_int (self->settings, "retention-days");
  retention->count = g_settings_get_int (self->settings, "retention-count");
  tidings_library_write_async (self->library, store_retention, retention, g_free, 0, NULL,
                               NULL, NULL);
}

static void
refresh_interval_changed_cb (TidingsApplication *self)
{
  int minutes = g_settings_get_int (self->settings, "refresh-interval");

  tidings_library_set_auto_refresh (self->library, (guint) MAX (minutes, 0));
}

static void
feed_icons_changed_cb (TidingsApplication *self)
{
  tidings_library_set_fetch_icons (self->library,
                                   g_settings_get_boolean (self->settings, "feed-icons")
                                   && tidings_icons_allowed ());
}

static void
refresh_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TidingsApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tidings_library_refresh_finish (TIDINGS_LIBRARY (source), result, NULL, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, adw_toast_new (error->message));
}

static void
refresh_all (TidingsApplication *self)
{
  tidings_library_refresh_async (self->library, NULL, NULL, refresh_done_cb,
                                 g_object_ref (self));
}

/* ---- Windows ---- */

static GtkWindow *
ensure_window (TidingsApplication *self)
{
  GtkWindow *window = active_window (self);

  if (TIDINGS_IS_WINDOW (window))
    return window;

  window = GTK_WINDOW (tidings_window_new (self));
  if (!self->started)
    {
      self->started = TRUE;
      /* The background refresh starts with the first window, and the
       * refresh on start after it has mapped. */
      refresh_interval_changed_cb (self);
      if (g_settings_get_boolean (self->settings, "refresh-on-start"))
        refresh_all (self);
    }
  return window;
}

static void
library_error_response_cb (AdwMessageDialog   *dialog,
                           const char         *response,
                           TidingsApplication *self)
{
  g_application_release (G_APPLICATION (self));
}

static void
show_library_error (TidingsApplication *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (NULL, _("The Library Cannot Be Opened"),
                                   self->library_error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Quit"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_application_hold (G_APPLICATION (self));
  g_signal_connect_object (dialog, "response", G_CALLBACK (library_error_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The library was damaged and started again: the first window says how. */
static void
show_recovery (TidingsApplication *self,
               GtkWindow          *window)
{
  g_autoptr(TidingsLibraryRecovery) recovery = g_steal_pointer (&self->recovery);
  GtkWidget *dialog;

  if (recovery == NULL)
    return;
  dialog = adw_message_dialog_new (window, _("The Library Was Damaged"), recovery->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tidings_application_activate (GApplication *app)
{
  TidingsApplication *self = TIDINGS_APPLICATION (app);

  if (self->library == NULL)
    {
      show_library_error (self);
      return;
    }
  gtk_window_present (ensure_window (self));
  show_recovery (self, active_window (self));
}

/* A feed: link is the feed's own address: feed:https://x/ is https://x/ and
 * feed://x/ is http://x/. */
static char *
feed_uri_to_http (const char *uri)
{
  if (g_str_has_prefix (uri, "feed://"))
    return g_strconcat ("http://", uri + strlen ("feed://"), NULL);
  if (g_str_has_prefix (uri, "feed:"))
    return g_strdup (uri + strlen ("feed:"));
  return g_strdup (uri);
}

/* A feed file on disk (say, a download) is subscribed by the address it
 * names as its own, else that of its site. */
static void
parse_feed_file_thread (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFeed) feed = NULL;
  g_autofree char *uri = g_file_get_uri (file);

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  feed = tidings_parse_data (contents, length, uri, NULL, &error);
  if (feed == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (feed->feed_url != NULL && g_str_has_prefix (feed->feed_url, "http"))
    g_task_return_pointer (task, g_strdup (feed->feed_url), g_free);
  else if (feed->home_page_url != NULL && g_str_has_prefix (feed->home_page_url, "http"))
    g_task_return_pointer (task, g_strdup (feed->home_page_url), g_free);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             _("The feed in %s does not say where it comes from on the web"),
                             g_file_peek_path (file) != NULL ? g_file_peek_path (file) : uri);
}

static void
feed_file_parsed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  TidingsApplication *self = TIDINGS_APPLICATION (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_task_propagate_pointer (G_TASK (result), &error);

  g_application_release (G_APPLICATION (self));
  if (url == NULL)
    {
      show_error (self, _("Cannot Subscribe"), error->message);
      return;
    }
  tidings_window_add_feed (TIDINGS_WINDOW (ensure_window (self)), url);
}

static void
tidings_application_open (GApplication  *app,
                          GFile        **files,
                          int            n_files,
                          const char    *hint)
{
  TidingsApplication *self = TIDINGS_APPLICATION (app);
  GtkWindow *window;

  if (self->library == NULL)
    {
      show_library_error (self);
      return;
    }

  window = ensure_window (self);
  gtk_window_present (window);
  show_recovery (self, window);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      if (g_file_is_native (files[i]))
        {
          g_autoptr(GTask) task = g_task_new (self, NULL, feed_file_parsed_cb, NULL);

          g_task_set_source_tag (task, tidings_application_open);
          g_task_set_task_data (task, g_object_ref (files[i]), g_object_unref);
          g_application_hold (app);
          g_task_run_in_thread (task, parse_feed_file_thread);
        }
      else
        {
          g_autofree char *url = feed_uri_to_http (uri);

          tidings_window_add_feed (TIDINGS_WINDOW (window), url);
        }
    }
}

/* ---- Actions ---- */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  TidingsApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing lets each window save its state and finish pending removals. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
  g_application_quit (G_APPLICATION (self));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TidingsApplication *self = user_data;
  GtkWindow *parent = active_window (self);
  TidingsPreferences *preferences = tidings_preferences_new (parent, self->settings);

  if (TIDINGS_IS_WINDOW (parent))
    tidings_preferences_set_sections (preferences,
                                      G_LIST_MODEL (_tidings_window_get_sidebar_model (TIDINGS_WINDOW (parent))));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  TidingsApplication *self = user_data;
  g_autofree char *keymap = g_settings_get_string (self->settings, "keymap");
  GtkWindow *window = tidings_shortcuts_window_new (tidings_keymap_from_string (keymap));

  gtk_window_set_transient_for (window, active_window (self));
  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  TidingsApplication *self = user_data;
  static const char *developers[] = { "The Tidings authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", active_window (self),
                        "application-name", _("Tidings"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developers", developers,
                        "copyright", "© The Tidings authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "comments", _("Read the news from the sites you follow, from the keyboard"),
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
refresh_all_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  refresh_all (TIDINGS_APPLICATION (user_data));
}

static GtkFileFilter *
opml_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("OPML files"));
  gtk_file_filter_add_mime_type (filter, "text/x-opml");
  gtk_file_filter_add_mime_type (filter, "text/x-opml+xml");
  gtk_file_filter_add_pattern (filter, "*.opml");
  gtk_file_filter_add_pattern (filter, "*.xml");
  return filter;
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TidingsApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree char *title = NULL;
  AdwToast *message;
  guint added;

  added = tidings_library_import_opml_finish (TIDINGS_LIBRARY (source), result, &warnings,
                                              &error);
  if (error != NULL)
    {
      show_error (self, _("Import Failed"), error->message);
      return;
    }

  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    g_message ("OPML import: %s", (const char *) g_ptr_array_index (warnings, i));

  if (warnings != NULL && warnings->len > 0)
    title = g_strdup_printf (ngettext ("%u feed imported, %u skipped",
                                       "%u feeds imported, %u skipped", added),
                             added, warnings->len);
  else
    title = g_strdup_printf (ngettext ("%u feed imported", "%u feeds imported", added), added);
  message = adw_toast_new (title);
  if (added > 0)
    {
      adw_toast_set_button_label (message, _("_Refresh Now"));
      adw_toast_set_action_name (message, "app.refresh-all");
    }
  toast (self, message);
}

static void
import_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TidingsApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (bytes == NULL)
    {
      show_error (self, _("Import Failed"), error->message);
      return;
    }
  tidings_library_import_opml_async (self->library, bytes, NULL, import_done_cb,
                                     g_object_ref (self));
}

static void
import_response_cb (GtkNativeDialog    *chooser,
                    int                 response,
                    TidingsApplication *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    g_file_load_bytes_async (file, NULL, import_loaded_cb, g_object_ref (self));
  g_object_unref (chooser);
}

static void
import_opml_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TidingsApplication *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = opml_filter ();

  chooser = gtk_file_chooser_native_new (_("Import Subscriptions"), active_window (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), NULL);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (import_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TidingsApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      show_error (self, _("Export Failed"), error->message);
      return;
    }
  name = g_file_get_basename (G_FILE (source));
  title = g_strdup_printf (_("Subscriptions exported to %s"), name);
  toast (self, adw_toast_new (title));
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GFile) file = user_data;
  TidingsApplication *self = g_object_get_data (G_OBJECT (file), "tidings-app");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) opml = NULL;

  opml = tidings_library_export_opml_finish (TIDINGS_LIBRARY (source), result, &error);
  if (opml == NULL)
    {
      show_error (self, _("Export Failed"), error->message);
      return;
    }
  g_file_replace_contents_bytes_async (file, opml, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, export_written_cb, g_object_ref (self));
}

static void
export_response_cb (GtkNativeDialog    *chooser,
                    int                 response,
                    TidingsApplication *self)
{
  GFile *file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    {
      g_object_set_data_full (G_OBJECT (file), "tidings-app", g_object_ref (self),
                              g_object_unref);
      tidings_library_export_opml_async (self->library, NULL, export_done_cb, file);
    }
  g_object_unref (chooser);
}

static void
export_opml_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TidingsApplication *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = opml_filter ();

  chooser = gtk_file_chooser_native_new (_("Export Subscriptions"), active_window (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "subscriptions.opml");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "shortcuts", shortcuts_action },
  { "about", about_action },
  { "import-opml", import_opml_action },
  { "export-opml", export_opml_action },
  { "refresh-all", refresh_all_action },
};

/* ---- GApplication ---- */

static void
tidings_application_startup (GApplication *app)
{
  TidingsApplication *self = TIDINGS_APPLICATION (app);

#if defined (HAVE_MALLOC_TRIM) && defined (M_MMAP_THRESHOLD)
  /* The window runs all day. glibc serves blocks of 128 KiB and more with
   * their own mappings, given back when freed, until the first such block
   * is freed: then it raises that threshold and serves them from the heap,
   * where a big scratch buffer of a list load, a page of text layout or a
   * WebKit message leaves the heap's high-water mark behind (3 to 4 MB
   * measured with bench/window). Setting the threshold keeps it where it
   * starts. */
  mallopt (M_MMAP_THRESHOLD, 128 * 1024);
#endif

  G_APPLICATION_CLASS (tidings_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);

  self->settings = g_settings_new (APP_ID);
  self->library = tidings_library_new (NULL, &self->library_error);
  if (self->library == NULL
      && g_error_matches (self->library_error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT))
    {
      /* Put aside, and a new library from the backup of the subscriptions. */
      g_autofree char *path = tidings_store_default_path ();
      g_autoptr(GError) error = NULL;

      self->recovery = tidings_library_recover (path, self->library_error, &error);
      if (self->recovery != NULL)
        {
          g_message ("%s", self->recovery->message);
          g_clear_error (&self->library_error);
          self->library = tidings_library_new (NULL, &self->library_error);
        }
      else
        g_prefix_error (&self->library_error, "%s; ", error->message);
    }
  if (self->library == NULL)
    {
      g_warning ("Cannot open the library: %s", self->library_error->message);
      return;
    }

  feed_icons_changed_cb (self);
  g_signal_connect_object (self->settings, "changed::feed-icons",
                           G_CALLBACK (feed_icons_changed_cb), self, G_CONNECT_SWAPPED);
  retention_changed_cb (self);
  g_signal_connect_object (self->settings, "changed::retention-days",
                           G_CALLBACK (retention_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::retention-count",
                           G_CALLBACK (retention_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::refresh-interval",
                           G_CALLBACK (refresh_interval_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
tidings_application_shutdown (GApplication *app)
{
  TidingsApplication *self = TIDINGS_APPLICATION (app);

  if (self->library != NULL)
    tidings_library_set_auto_refresh (self->library, 0);

  G_APPLICATION_CLASS (tidings_application_parent_class)->shutdown (app);
}

static void
tidings_application_dispose (GObject *object)
{
  TidingsApplication *self = TIDINGS_APPLICATION (object);

  g_clear_object (&self->library);
  g_clear_object (&self->settings);
  g_clear_error (&self->library_error);
  g_clear_pointer (&self->recovery, tidings_library_recovery_free);

  G_OBJECT_CLASS (tidings_application_parent_class)->dispose (object);
}

static void
tidings_application_class_init (TidingsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tidings_application_dispose;
  app_class->startup = tidings_application_startup;
  app_class->shutdown = tidings_application_shutdown;
  app_class->activate = tidings_application_activate;
  app_class->open = tidings_application_open;
}

static void
tidings_application_init (TidingsApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[FILE|URL…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Follow news and blogs through their feeds. "
                                              "Without options, the window opens; a feed "
                                              "file or address opens the Add Feed dialog "
                                              "for it."));
}

TidingsApplication *
tidings_application_new (const char *application_id)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (TIDINGS_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
