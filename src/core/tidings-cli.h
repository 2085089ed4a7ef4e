/* tidings-cli.h: the headless command-line modes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs the command-line mode @argv asks for, if any, and returns TRUE with
 * its exit status in @status; returns FALSE when @argv asks for none (the
 * window, --help and GApplication's own options are the application's).
 * This is what `tidings` does first, before the user interface is even
 * loaded, so the command line needs no display, no bus and no GTK. */
gboolean tidings_cli_run   (int    argc,
                            char **argv,
                            int   *status);

/* `tidings --parse PATH|-`: prints the document as JSON Feed 1.1 on stdout.
 * Returns the process exit status; errors go to stderr naming @path. */
int tidings_cli_parse (const char *path);

G_END_DECLS
