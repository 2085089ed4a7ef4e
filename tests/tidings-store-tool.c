/* tidings-store-tool.c: changes article state through the store's own API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command-line tests need to set read and starred marks the way the
 * window will, keeping the maintained unread counts right, without a window:
 *
 *   tidings-store-tool read|unread|star|unstar ARTICLE-ID...
 *
 * It works on the library of the current XDG_DATA_HOME.
 */

#include <stdlib.h>

#include "tidings-store.h"

int
main (int    argc,
      char **argv)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *verb;

  if (argc < 3)
    {
      g_printerr ("usage: %s read|unread|star|unstar ARTICLE-ID...\n", argv[0]);
      return EXIT_FAILURE;
    }
  verb = argv[1];

  store = tidings_store_open (path, &error);
  if (store == NULL)
    {
      g_printerr ("%s: %s\n", path, error->message);
      return EXIT_FAILURE;
    }

  if (!tidings_store_begin (store, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  for (int i = 2; i < argc; i++)
    {
      gint64 id = g_ascii_strtoll (argv[i], NULL, 10);
      gboolean ok;

      if (g_str_equal (verb, "read") || g_str_equal (verb, "unread"))
        ok = tidings_store_set_read (store, id, g_str_equal (verb, "read"), &error);
      else if (g_str_equal (verb, "star") || g_str_equal (verb, "unstar"))
        ok = tidings_store_set_starred (store, id, g_str_equal (verb, "star"), &error);
      else
        {
          g_printerr ("unknown verb %s\n", verb);
          tidings_store_rollback (store);
          return EXIT_FAILURE;
        }
      if (!ok)
        {
          g_printerr ("article %s: %s\n", argv[i], error->message);
          tidings_store_rollback (store);
          return EXIT_FAILURE;
        }
    }
  if (!tidings_store_commit (store, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
