/* tidings-cli.c: the headless command-line modes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "tidings-cli.h"
#include "tidings-feed-writer.h"
#include "tidings-parser.h"

#define READ_SIZE (256 * 1024)

typedef struct
{
  TidingsFeedWriter *writer;
  GError            *error;
} ParseState;

static void
write_item (TidingsItem *item,
            gpointer     user_data)
{
  ParseState *state = user_data;

  if (state->error == NULL)
    tidings_feed_writer_add_item (state->writer, item, &state->error);
  tidings_item_free (item);
}

int
tidings_cli_parse (const char *path)
{
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr(TidingsParser) parser = NULL;
  g_autoptr(TidingsFeed) feed = NULL;
  g_autoptr(TidingsFeedWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *buffer = NULL;
  ParseState state = { NULL, NULL };
  gboolean from_stdin;
  int fd;

  g_return_val_if_fail (path != NULL, EXIT_FAILURE);

  from_stdin = g_str_equal (path, "-");
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

  writer = tidings_feed_writer_new (out);
  state.writer = writer;
  parser = tidings_parser_new (base_url, write_item, &state);
  tidings_parser_set_threads (parser, MIN (g_get_num_processors (), 4));

  buffer = g_malloc (READ_SIZE);
  for (;;)
    {
      gssize n = read (fd, buffer, READ_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_printerr ("tidings: %s: %s\n", from_stdin ? "standard input" : path,
                      g_strerror (saved_errno));
          if (!from_stdin)
            close (fd);
          return EXIT_FAILURE;
        }
      if (n == 0)
        break;
      if (!tidings_parser_push (parser, buffer, n, &error))
        break;
    }
  if (!from_stdin)
    close (fd);

  if (error == NULL)
    feed = tidings_parser_finish (parser, &error);
  /* Let the workers finish before the writer goes away. */
  g_clear_pointer (&parser, tidings_parser_free);

  if (feed == NULL)
    {
      g_printerr ("tidings: %s: %s\n", from_stdin ? "standard input" : path, error->message);
      return EXIT_FAILURE;
    }

  if (state.error == NULL)
    tidings_feed_writer_finish (writer, feed, &state.error);
  if (state.error != NULL)
    {
      g_printerr ("tidings: writing output: %s\n", state.error->message);
      g_clear_error (&state.error);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}

gboolean
tidings_cli_run (int    argc,
                 char **argv,
                 int   *status)
{
  g_autofree char *parse_path = NULL;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "parse", 'p', 0, G_OPTION_ARG_FILENAME, &parse_path, NULL, NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;

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

  if (parse_path != NULL)
    {
      *status = tidings_cli_parse (parse_path);
      return TRUE;
    }

  return FALSE;
}
