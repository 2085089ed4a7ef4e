/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command-line modes run from the engine alone. Only when the window is
 * wanted is the user interface, with GTK and everything it links, loaded as
 * a module: a headless `tidings --parse` starts in a few milliseconds
 * instead of paying for a toolkit it never uses.
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <gmodule.h>

#include "tidings-cli.h"

typedef int (*TidingsUiMain) (int argc, char **argv);

/* The module is found beside the program in a build tree (src/ui/), else
 * where it was installed: first as seen from the program, so that a tree
 * staged with DESTDIR or moved elsewhere runs its own window. */
static char *
find_ui_module (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *beside = g_build_filename (dir, "ui", "libtidings-ui.so", NULL);
      g_autofree char *installed = NULL;

      if (g_file_test (beside, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&beside);

      if (g_path_is_absolute (TIDINGS_MODULEDIR_FROM_BINDIR))
        installed = g_build_filename (TIDINGS_MODULEDIR_FROM_BINDIR, "libtidings-ui.so", NULL);
      else
        installed = g_build_filename (dir, TIDINGS_MODULEDIR_FROM_BINDIR, "libtidings-ui.so",
                                      NULL);
      if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&installed);
    }

  return g_build_filename (TIDINGS_MODULEDIR, "libtidings-ui.so", NULL);
}

static int
run_ui (int    argc,
        char **argv)
{
  g_autofree char *path = find_ui_module ();
  GModule *module;
  TidingsUiMain ui_main = NULL;

  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_printerr (_("tidings: cannot load the user interface: %s\n"), g_module_error ());
      return EXIT_FAILURE;
    }
  if (!g_module_symbol (module, "tidings_ui_main", (gpointer *) &ui_main) || ui_main == NULL)
    {
      g_printerr (_("tidings: %s is not the Tidings user interface\n"), path);
      return EXIT_FAILURE;
    }

  /* The module stays loaded until the process ends. */
  return ui_main (argc, argv);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("TIDINGS_LOCALEDIR");
  int status;

  /* Before the command-line modes too: without it their messages reach the
   * terminal with every non-ASCII character (“quotes”, names) as '?'. */
  setlocale (LC_ALL, "");
  /* TIDINGS_LOCALEDIR exists for running uninstalled: the tests point it at
   * the build's po/, where the catalogs are compiled as LANG/LC_MESSAGES/. */
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (tidings_cli_run (argc, argv, &status))
    return status;

  return run_ui (argc, argv);
}
