/* tidings-cli.c: the headless command-line modes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "tidings-cli.h"
#include "tidings-discover.h"
#include "tidings-feed-writer.h"
#include "tidings-fetcher.h"
#include "tidings-icons.h"
#include "tidings-library.h"
#include "tidings-opml-store.h"
#include "tidings-parser.h"
#include "tidings-refresh.h"
#include "tidings-store.h"

#define READ_SIZE (256 * 1024)
/* How long `--refresh` lets the icon looks still going run on once the
 * feeds are stored. Icons are for the window, which looks for the rest in
 * the background; a command in a script should not wait on web sites that
 * are slow or gone. */
#define ICON_GRACE_MS 500

/* The part of `tidings --parse` between reading and printing, shared by
 * the file and the web address forms (and by fuzz/fuzz-parse.c). */
struct _TidingsCliConverter
{
  TidingsParser     *parser;
  TidingsFeedWriter *writer;
  /* The first item that could not be written; later items are dropped. */
  GError            *write_error;
};

static void
write_item (TidingsItem *item,
            gpointer     user_data)
{
  TidingsCliConverter *self = user_data;

  if (self->write_error == NULL)
    tidings_feed_writer_add_item (self->writer, item, &self->write_error);
  tidings_item_free (item);
}

TidingsCliConverter *
tidings_cli_converter_new (const char    *base_url,
                           GOutputStream *output)
{
  TidingsCliConverter *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), NULL);

  self = g_new0 (TidingsCliConverter, 1);
  self->writer = tidings_feed_writer_new (output);
  self->parser = tidings_parser_new (base_url, write_item, self);
  tidings_parser_set_threads (self->parser, MIN (g_get_num_processors (), 4));
  return self;
}

gboolean
tidings_cli_converter_push (TidingsCliConverter  *self,
                            const char           *data,
                            gsize                 len,
                            GError              **error)
{
  g_return_val_if_fail (self != NULL && self->parser != NULL, FALSE);

  return tidings_parser_push (self->parser, data, len, error);
}

gboolean
tidings_cli_converter_finish (TidingsCliConverter  *self,
                              gboolean             *output_failed,
                              GError              **error)
{
  g_autoptr(TidingsFeed) feed = NULL;

  g_return_val_if_fail (self != NULL && self->parser != NULL, FALSE);
  g_return_val_if_fail (output_failed != NULL, FALSE);

  *output_failed = FALSE;
  feed = tidings_parser_finish (self->parser, error);
  /* Let the workers finish before the writer goes away. */
  g_clear_pointer (&self->parser, tidings_parser_free);
  if (feed == NULL)
    return FALSE;

  if (self->write_error == NULL)
    tidings_feed_writer_finish (self->writer, feed, &self->write_error);
  if (self->write_error != NULL)
    {
      *output_failed = TRUE;
      g_propagate_error (error, g_steal_pointer (&self->write_error));
      return FALSE;
    }
  return TRUE;
}

void
tidings_cli_converter_free (TidingsCliConverter *self)
{
  if (self == NULL)
    return;

  /* The parser first: its workers may still hold items for the writer. */
  g_clear_pointer (&self->parser, tidings_parser_free);
  tidings_feed_writer_free (self->writer);
  g_clear_error (&self->write_error);
  g_free (self);
}

/* Iterates the default main context until *@done. */
static void
wait_for (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
is_web_address (const char *text)
{
  return g_ascii_strncasecmp (text, "http://", 7) == 0
         || g_ascii_strncasecmp (text, "https://", 8) == 0;
}

typedef struct
{
  gboolean            done;
  TidingsFetchResult *result;
  GError             *error;
} FetchWait;

static void
fetch_done (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  FetchWait *wait = user_data;

  wait->result = tidings_fetcher_fetch_finish (TIDINGS_FETCHER (source), res, &wait->error);
  wait->done = TRUE;
}

/* `tidings --parse URL`: fetches and parses without storing anything. */
static int
parse_url (const char *url)
{
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr(TidingsFetcher) fetcher = tidings_fetcher_new (NULL);
  g_autoptr(TidingsCliConverter) converter = NULL;
  g_autoptr(GError) error = NULL;
  TidingsFetchRequest request = { .url = url };
  FetchWait wait = { 0 };
  gboolean output_failed = FALSE;
  const char *data;
  gsize len;

  tidings_fetcher_fetch_async (fetcher, &request, NULL, fetch_done, &wait);
  wait_for (&wait.done);
  if (wait.result == NULL)
    {
      g_printerr ("tidings: %s: %s\n", url, wait.error->message);
      g_error_free (wait.error);
      return EXIT_FAILURE;
    }

  converter = tidings_cli_converter_new (wait.result->final_url, out);
  data = g_bytes_get_data (wait.result->body, &len);
  if (tidings_cli_converter_push (converter, data, len, &error)
      && tidings_cli_converter_finish (converter, &output_failed, &error))
    {
      tidings_fetch_result_free (wait.result);
      return EXIT_SUCCESS;
    }

  if (output_failed)
    g_printerr (_("tidings: writing output: %s\n"), error->message);
  else
    {
      g_autofree char *sentence = tidings_refresh_describe_parse_error (
        error, wait.result->content_type, wait.result->body);

      g_printerr ("tidings: %s: %s\n", url, sentence);
    }
  tidings_fetch_result_free (wait.result);
  return EXIT_FAILURE;
}

int
tidings_cli_parse (const char *path)
{
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(TidingsCliConverter) converter = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *buffer = NULL;
  gboolean output_failed = FALSE;
  gboolean from_stdin;
  const char *what;
  int fd;

  g_return_val_if_fail (path != NULL, EXIT_FAILURE);

  if (is_web_address (path))
    return parse_url (path);

  from_stdin = g_str_equal (path, "-");
  what = from_stdin ? _("standard input") : path;
  if (from_stdin)
    fd = STDIN_FILENO;
  else
    {
      fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
      if (fd < 0)
        {
          int saved_errno = errno;

          g_printerr ("tidings: %s: %s\n", path, g_strerror (saved_errno));
          return EXIT_FAILURE;
        }
      base_url = g_filename_to_uri (path, NULL, NULL);
      if (base_url == NULL)
        {
          g_autofree char *absolute = g_canonicalize_filename (path, NULL);

          base_url = g_filename_to_uri (absolute, NULL, NULL);
        }
    }

  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  converter = tidings_cli_converter_new (base_url, out);

  buffer = g_malloc (READ_SIZE);
  for (;;)
    {
      gssize n = read (fd, buffer, READ_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_printerr ("tidings: %s: %s\n", what, g_strerror (saved_errno));
          if (!from_stdin)
            close (fd);
          return EXIT_FAILURE;
        }
      if (n == 0)
        break;
      if (!tidings_cli_converter_push (converter, buffer, n, &error))
        break;
    }
  if (!from_stdin)
    close (fd);

  if (error == NULL && tidings_cli_converter_finish (converter, &output_failed, &error))
    return EXIT_SUCCESS;

  if (output_failed)
    g_printerr (_("tidings: writing output: %s\n"), error->message);
  else
    g_printerr ("tidings: %s: %s\n", what, error->message);
  return EXIT_FAILURE;
}

/* ---- The library ---- */

/* A damaged library is put aside and a new one started from the backup of
 * the subscriptions (saying so); any other failure is only reported. */
static TidingsStore *
open_store (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(TidingsLibraryRecovery) recovery = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) recover_error = NULL;
  TidingsStore *store;

  store = tidings_store_open (path, &error);
  if (store == NULL && g_error_matches (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT))
    {
      recovery = tidings_library_recover (path, error, &recover_error);
      if (recovery == NULL)
        {
          g_printerr ("tidings: %s; %s\n", error->message, recover_error->message);
          return NULL;
        }
      g_printerr ("tidings: %s\n", recovery->message);
      g_clear_error (&error);
      store = tidings_store_open (path, &error);
    }
  if (store == NULL)
    g_printerr (_("tidings: cannot open the library %s: %s\n"), path, error->message);
  return store;
}

/* The window keeps a backup of the subscriptions beside the library, to
 * start again from should the library be damaged; changes made here keep it
 * up to date too. */
static void
save_backup (TidingsStore *store)
{
  g_autoptr(GError) error = NULL;

  if (!tidings_library_save_backup (store, &error))
    g_printerr (_("tidings: could not save the backup of the subscriptions: %s\n"),
                error->message);
}

/* ---- --refresh ---- */

typedef struct
{
  gboolean              done;
  gboolean              ok;
  TidingsRefreshSummary summary;
  GError               *error;
} RefreshWait;

static const char *
outcome_name (const TidingsRefreshOutcome *outcome)
{
  return outcome->title != NULL && *outcome->title != '\0' ? outcome->title : outcome->url;
}

static void
print_outcome (TidingsRefresh        *refresh,
               TidingsRefreshOutcome *outcome,
               gpointer               user_data)
{
  (void) refresh;
  (void) user_data;

  switch (outcome->status)
    {
    case TIDINGS_REFRESH_NEW:
      /* Translators: a line of `tidings --refresh`: a feed that got %u new
       * articles, then its name. The lines of a refresh form columns: keep
       * the name in the same column in all of them (18 characters in). */
      g_print (_("new        %5u  %s\n"), outcome->stats.added, outcome_name (outcome));
      break;
    case TIDINGS_REFRESH_UPDATED:
      /* Translators: a feed with %u articles changed, then its name. */
      g_print (_("updated    %5u  %s\n"), outcome->stats.updated, outcome_name (outcome));
      break;
    case TIDINGS_REFRESH_UNCHANGED:
      /* Translators: a feed with nothing new, then its name. */
      g_print (_("unchanged         %s\n"), outcome_name (outcome));
      break;
    case TIDINGS_REFRESH_FAILED:
    default:
      /* Translators: a feed that could not be refreshed: its name, then why. */
      g_print (_("failed            %s: %s\n"), outcome_name (outcome), outcome->error);
      break;
    }
  if (outcome->new_url != NULL && outcome->status != TIDINGS_REFRESH_FAILED)
    /* Translators: under the line of a feed that moved (HTTP 301): its new
     * address. */
    g_print (_("                  moved for good to %s\n"), outcome->new_url);
}

static void
refresh_done (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  RefreshWait *wait = user_data;

  wait->ok = tidings_refresh_run_finish (TIDINGS_REFRESH (source), res, &wait->summary,
                                         &wait->error);
  wait->done = TRUE;
}

/* The window's feed-icons setting holds for the command line too, where
 * the settings schema is installed; TIDINGS_FEED_ICONS=0 turns icons off
 * either way. */
static gboolean
fetch_icons_wanted (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (!tidings_icons_allowed ())
    return FALSE;
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "feed-icons"))
    return TRUE;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_boolean (settings, "feed-icons");
}

static void
icons_settled (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  gboolean *done = user_data;

  tidings_refresh_settle_icons_finish (TIDINGS_REFRESH (source), res, NULL);
  *done = TRUE;
}

/* After a refresh: old articles out, and the search index brought up to
 * date before the command returns, so that what it stored can be found. */
static gpointer
tidy_up (TidingsStore  *store,
         gpointer       data,
         GError       **error)
{
  guint *removed = data;

  if (!tidings_store_apply_retention (store, g_get_real_time (), removed, error)
      || !tidings_store_update_search_index (store, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

typedef struct
{
  gboolean  done;
  gpointer  result;
  GError   *error;
} CallWait;

static void
call_done (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), res,
                                                   &wait->error);
  wait->done = TRUE;
}

/* "3 feeds refreshed: 5 new articles, 2 updated, 1 not modified, 0 failed." */
static void
print_summary (const TidingsRefreshSummary *summary)
{
  g_autofree char *feeds = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u feed refreshed",
                                                         "%u feeds refreshed", summary->feeds),
                                            summary->feeds);
  g_autofree char *added = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new article",
                                                         "%u new articles",
                                                         summary->new_articles),
                                            summary->new_articles);
  /* Translators: a number of articles changed in a refresh. */
  g_autofree char *updated = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u updated",
                                                           "%u updated",
                                                           summary->updated_articles),
                                              summary->updated_articles);
  /* Translators: a number of feeds that had not changed since the last refresh. */
  g_autofree char *same = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u not modified",
                                                        "%u not modified",
                                                        summary->not_modified),
                                           summary->not_modified);
  /* Translators: a number of feeds that could not be refreshed. */
  g_autofree char *failed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed",
                                                          "%u failed", summary->failed),
                                             summary->failed);

  /* Translators: the summary of `tidings --refresh`, made of the five parts
   * above: “3 feeds refreshed: 5 new articles, 2 updated, 1 not modified, 0
   * failed.” */
  g_print (_("%s: %s, %s, %s, %s.\n"), feeds, added, updated, same, failed);
}

/* Refreshes @subscriptions, printing a line per feed and a summary. */
static int
refresh_subscriptions (GPtrArray *subscriptions)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(TidingsStoreWorker) worker = NULL;
  g_autoptr(TidingsFetcher) fetcher = NULL;
  g_autoptr(TidingsRefresh) refresh = NULL;
  g_autoptr(GError) error = NULL;
  RefreshWait wait = { 0 };
  CallWait call = { 0 };
  gboolean icons_done = FALSE;
  guint removed = 0;

  worker = tidings_store_worker_new (path, &error);
  if (worker == NULL)
    {
      g_printerr (_("tidings: cannot open the library %s: %s\n"), path, error->message);
      return EXIT_FAILURE;
    }
  fetcher = tidings_fetcher_new (NULL);
  refresh = tidings_refresh_new (worker, fetcher);
  tidings_refresh_set_fetch_icons (refresh, fetch_icons_wanted ());
  g_signal_connect (refresh, "feed-done", G_CALLBACK (print_outcome), NULL);

  tidings_refresh_run_async (refresh, subscriptions, NULL, refresh_done, &wait);
  wait_for (&wait.done);
  if (!wait.ok)
    {
      g_printerr (_("tidings: the refresh stopped: %s\n"), wait.error->message);
      g_error_free (wait.error);
      return EXIT_FAILURE;
    }

  /* The icon looks it queued go on beside the tidying up, and are given
   * a moment more after it; what is left then is looked for next time. */
  tidings_refresh_settle_icons_async (refresh, ICON_GRACE_MS, icons_settled, &icons_done);
  tidings_store_worker_call_async (worker, tidy_up, &removed, NULL, NULL, call_done, &call);
  wait_for (&call.done);
  if (call.result == NULL)
    {
      g_printerr (_("tidings: could not tidy up the library: %s\n"), call.error->message);
      g_clear_error (&call.error);
    }

  print_summary (&wait.summary);
  if (removed > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u old article removed.\n",
                          "%u old articles removed.\n", removed), removed);
  wait_for (&icons_done);
  return EXIT_SUCCESS;
}

static int
cli_refresh (const char *feed_url)
{
  g_autoptr(TidingsStore) store = open_store ();
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    return EXIT_FAILURE;

  if (feed_url != NULL)
    {
      TidingsSubscription *subscription = tidings_store_find_subscription (store, feed_url);

      if (subscription == NULL)
        {
          /* Translators: both %s are the same address. */
          g_printerr (_("tidings: %s: not subscribed (add it with tidings --add %s)\n"),
                      feed_url, feed_url);
          return EXIT_FAILURE;
        }
      subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_subscription_free);
      g_ptr_array_add (subscriptions, subscription);
    }
  else
    {
      subscriptions = tidings_store_list_subscriptions (store, &error);
      if (subscriptions == NULL)
        {
          g_printerr (_("tidings: cannot read the subscriptions: %s\n"), error->message);
          return EXIT_FAILURE;
        }
      if (subscriptions->len == 0)
        {
          g_print (_("No subscriptions yet: add one with tidings --add URL "
                     "or tidings --import-opml FILE.\n"));
          return EXIT_SUCCESS;
        }
    }
  /* The refresh writes through a connection of its own. */
  g_clear_object (&store);

  return refresh_subscriptions (subscriptions);
}

/* ---- --add ---- */

typedef struct
{
  gboolean   done;
  GPtrArray *links;
  GError    *error;
} DiscoverWait;

static void
discover_done (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  DiscoverWait *wait = user_data;

  (void) source;
  wait->links = tidings_discover_finish (res, &wait->error);
  wait->done = TRUE;
}

/* What people type: "example.org", "feed://example.org/rss", "feed:https://…". */
static char *
normalise_address (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  const char *rest = trimmed;

  /* A link can wrap "feed:" around an address any number of times: unwrap
   * in a loop, since a copy per level made a long chain exhaust memory. */
  while (g_ascii_strncasecmp (rest, "feed:", 5) == 0)
    {
      rest += 5;
      if (g_str_has_prefix (rest, "//"))
        return g_strconcat ("http:", rest, NULL);
      while (g_ascii_isspace (*rest))
        rest++;
    }
  if (is_web_address (rest))
    return g_strdup (rest);
  if (strstr (rest, "://") != NULL || *rest == '\0')
    return NULL;
  return g_strconcat ("https://", rest, NULL);
}

static gint64
find_or_add_section (TidingsStore  *store,
                     const char    *title,
                     gint64         parent_id,
                     GError       **error)
{
  gint64 id = tidings_store_find_section (store, title, parent_id);

  if (id != 0)
    return id;
  return tidings_store_add_section (store, title, parent_id, error);
}

static int
cli_add (const char *address,
         const char *section)
{
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(TidingsFetcher) fetcher = NULL;
  g_autoptr(TidingsSubscription) existing = NULL;
  g_autoptr(TidingsSubscription) added = NULL;
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = normalise_address (address);
  DiscoverWait wait = { 0 };
  TidingsFeedLink *link;
  gint64 section_id = 0;
  gint64 id;

  if (url == NULL)
    {
      g_printerr (_("tidings: %s: not a web address (only http and https feeds can be "
                    "added)\n"),
                  address);
      return EXIT_FAILURE;
    }

  store = open_store ();
  if (store == NULL)
    return EXIT_FAILURE;

  existing = tidings_store_find_subscription (store, url);
  if (existing != NULL)
    {
      g_print (_("Already subscribed to %s.\n"), url);
      return EXIT_SUCCESS;
    }

  fetcher = tidings_fetcher_new (NULL);
  tidings_discover_async (fetcher, url, NULL, discover_done, &wait);
  wait_for (&wait.done);
  if (wait.links == NULL)
    {
      g_printerr ("tidings: %s: %s\n", url, wait.error->message);
      g_error_free (wait.error);
      return EXIT_FAILURE;
    }

  if (wait.links->len > 1)
    {
      /* Translators: %s is a web address; a list of feed addresses follows. */
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "%s offers %u feed; add one of them with tidings --add URL:\n",
                            "%s offers %u feeds; add one of them with tidings --add URL:\n",
                            wait.links->len),
               url, wait.links->len);
      for (guint i = 0; i < wait.links->len; i++)
        {
          link = g_ptr_array_index (wait.links, i);
          g_print ("  %s%s%s\n", link->url, link->title != NULL ? "  " : "",
                   link->title != NULL ? link->title : "");
        }
      g_ptr_array_unref (wait.links);
      return EXIT_FAILURE;
    }

  link = g_ptr_array_index (wait.links, 0);
  existing = tidings_store_find_subscription (store, link->url);
  if (existing != NULL)
    {
      g_print (_("Already subscribed to %s.\n"), link->url);
      g_ptr_array_unref (wait.links);
      return EXIT_SUCCESS;
    }

  if (section != NULL)
    {
      section_id = find_or_add_section (store, section, 0, &error);
      if (section_id == 0)
        {
          g_printerr (_("tidings: cannot create the section “%s”: %s\n"), section,
                      error->message);
          g_ptr_array_unref (wait.links);
          return EXIT_FAILURE;
        }
    }

  id = tidings_store_add_subscription (store, link->url, NULL, section_id, &error);
  if (id == 0)
    {
      g_printerr (_("tidings: cannot subscribe to %s: %s\n"), link->url, error->message);
      g_ptr_array_unref (wait.links);
      return EXIT_FAILURE;
    }
  save_backup (store);
  if (link->title != NULL)
    /* Translators: %s is the address of a feed, then its title. */
    g_print (_("Subscribed to %s (%s).\n"), link->url, link->title);
  else
    g_print (_("Subscribed to %s.\n"), link->url);
  g_ptr_array_unref (wait.links);

  /* Fetch its articles now, as the window does after adding. */
  added = tidings_store_get_subscription (store, id, &error);
  if (added == NULL)
    {
      g_printerr ("tidings: %s\n", error->message);
      return EXIT_FAILURE;
    }
  g_clear_object (&store);
  subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_subscription_free);
  g_ptr_array_add (subscriptions, g_steal_pointer (&added));
  return refresh_subscriptions (subscriptions);
}

/* ---- OPML ---- */

static int
cli_import_opml (const char *path)
{
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(TidingsOpml) opml = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *feeds = NULL;
  g_autofree char *sections = NULL;
  gsize len = 0;
  guint n_added = 0, n_skipped = 0, n_sections = 0;

  if (g_str_equal (path, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) buffer = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (buffer, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL,
                                  &error) < 0)
        {
          g_printerr (_("tidings: standard input: %s\n"), error->message);
          return EXIT_FAILURE;
        }
      len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (buffer));
      data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (buffer));
    }
  else if (!g_file_get_contents (path, &data, &len, &error))
    {
      g_printerr ("tidings: %s\n", error->message);
      return EXIT_FAILURE;
    }

  opml = tidings_opml_parse (data != NULL ? data : "", len, &error);
  if (opml == NULL)
    {
      /* Translators: %s is a file, then what is wrong with it. */
      g_printerr (_("tidings: %s: %s; nothing was imported.\n"), path, error->message);
      return EXIT_FAILURE;
    }
  for (guint i = 0; i < opml->warnings->len; i++)
    g_printerr ("tidings: %s: %s\n", path, (const char *) g_ptr_array_index (opml->warnings, i));

  store = open_store ();
  if (store == NULL)
    return EXIT_FAILURE;

  if (!tidings_store_import_opml (store, opml, &n_added, &n_skipped, &n_sections, &error))
    {
      g_printerr (_("tidings: %s: %s; nothing was imported.\n"), path, error->message);
      return EXIT_FAILURE;
    }

  if (n_added > 0)
    save_backup (store);
  feeds = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u feed", "%u feeds", n_added),
                           n_added);
  sections = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new section", "%u new sections",
                                           n_sections), n_sections);
  if (n_skipped > 0)
    {
      g_autofree char *skipped =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u feed was already subscribed",
                                      "%u feeds were already subscribed", n_skipped),
                         n_skipped);

      /* Translators: “Imported 3 feeds and 1 new section from subscriptions.opml;
       * 2 feeds were already subscribed.” */
      g_print (_("Imported %s and %s from %s; %s.\n"), feeds, sections, path, skipped);
    }
  else
    /* Translators: “Imported 3 feeds and 1 new section from subscriptions.opml.” */
    g_print (_("Imported %s and %s from %s.\n"), feeds, sections, path);
  return EXIT_SUCCESS;
}

static int
cli_export_opml (const char *path)
{
  g_autoptr(TidingsStore) store = open_store ();
  g_autoptr(TidingsOpml) opml = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *feeds = NULL;
  g_autofree char *sections = NULL;
  gsize len = 0;

  if (store == NULL)
    return EXIT_FAILURE;

  opml = tidings_store_export_opml (store, &error);
  if (opml == NULL)
    {
      g_printerr (_("tidings: cannot read the subscriptions: %s\n"), error->message);
      return EXIT_FAILURE;
    }

  text = tidings_opml_write (opml, &len);
  if (g_str_equal (path, "-"))
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      if (!g_output_stream_write_all (out, text, len, NULL, NULL, &error))
        {
          g_printerr (_("tidings: writing output: %s\n"), error->message);
          return EXIT_FAILURE;
        }
      return EXIT_SUCCESS;
    }

  /* Replaced in one step: an interrupted export never leaves half a file. */
  if (!g_file_set_contents (path, text, (gssize) len, &error))
    {
      g_printerr ("tidings: %s\n", error->message);
      return EXIT_FAILURE;
    }
  feeds = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u feed", "%u feeds",
                                        opml->feeds->len), opml->feeds->len);
  /* Translators: in “Exported 3 feeds in 1 section to subscriptions.opml.” */
  sections = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u section", "%u sections",
                                           opml->sections->len), opml->sections->len);
  /* Translators: “Exported 3 feeds in 1 section to subscriptions.opml.” */
  g_print (_("Exported %s in %s to %s.\n"), feeds, sections, path);
  return EXIT_SUCCESS;
}

gboolean
tidings_cli_run (int    argc,
                 char **argv,
                 int   *status)
{
  g_autofree char *parse_path = NULL;
  g_autofree char *add_url = NULL;
  g_autofree char *feed_url = NULL;
  g_autofree char *section = NULL;
  g_autofree char *import_path = NULL;
  g_autofree char *export_path = NULL;
  gboolean version = FALSE;
  gboolean refresh = FALSE;
  const GOptionEntry entries[] = {
    { "parse", 'p', 0, G_OPTION_ARG_FILENAME, &parse_path, NULL, NULL },
    { "refresh", 0, 0, G_OPTION_ARG_NONE, &refresh, NULL, NULL },
    { "feed", 0, 0, G_OPTION_ARG_STRING, &feed_url, NULL, NULL },
    { "add", 0, 0, G_OPTION_ARG_STRING, &add_url, NULL, NULL },
    { "section", 0, 0, G_OPTION_ARG_STRING, &section, NULL, NULL },
    { "import-opml", 0, 0, G_OPTION_ARG_FILENAME, &import_path, NULL, NULL },
    { "export-opml", 0, 0, G_OPTION_ARG_FILENAME, &export_path, NULL, NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  guint modes;

  g_return_val_if_fail (status != NULL, FALSE);

  /* Only our own options are looked at here; the rest (--help among them)
   * is the application's, which lists these too. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);

  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  if (!g_option_context_parse_strv (context, &args, &error))
    {
      g_printerr ("tidings: %s\n", error->message);
      *status = EXIT_FAILURE;
      return TRUE;
    }

  if (version)
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      *status = EXIT_SUCCESS;
      return TRUE;
    }

  modes = (parse_path != NULL) + refresh + (add_url != NULL) + (import_path != NULL)
          + (export_path != NULL);
  if (modes > 1)
    {
      g_printerr (_("tidings: --parse, --refresh, --add, --import-opml and --export-opml "
                    "cannot be combined; give one of them\n"));
      *status = EXIT_FAILURE;
      return TRUE;
    }
  if (feed_url != NULL && !refresh)
    {
      g_printerr (_("tidings: --feed goes with --refresh\n"));
      *status = EXIT_FAILURE;
      return TRUE;
    }
  if (section != NULL && add_url == NULL)
    {
      g_printerr (_("tidings: --section goes with --add\n"));
      *status = EXIT_FAILURE;
      return TRUE;
    }
  if (modes == 0)
    return FALSE;

  if (parse_path != NULL)
    *status = tidings_cli_parse (parse_path);
  else if (refresh)
    *status = cli_refresh (feed_url);
  else if (add_url != NULL)
    *status = cli_add (add_url, section);
  else if (import_path != NULL)
    *status = cli_import_opml (import_path);
  else
    *status = cli_export_opml (export_path);
  return TRUE;
}
