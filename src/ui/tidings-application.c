/* tidings-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-application.h"
#include "tidings-window.h"

struct _TidingsApplication
{
  AdwApplication parent_instance;
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

static void
tidings_application_activate (GApplication *app)
{
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = g_object_new (TIDINGS_TYPE_WINDOW, "application", app, NULL);

  gtk_window_present (window);
}

static void
tidings_application_quit_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "quit", tidings_application_quit_action },
};

static void
tidings_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (tidings_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
tidings_application_class_init (TidingsApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = tidings_application_startup;
  app_class->activate = tidings_application_activate;
}

static void
tidings_application_init (TidingsApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

TidingsApplication *
tidings_application_new (const char *application_id)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (TIDINGS_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}
