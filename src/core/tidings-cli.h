/* tidings-cli.h: the headless command-line modes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

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

/* What `tidings --parse` does between reading the document and printing it:
 * the document's bytes go in by push (in pieces of any size), JSON Feed 1.1
 * comes out on @output. finish() returns FALSE with @error set when the
 * document is no feed or when @output failed (*@output_failed says which). */
typedef struct _TidingsCliConverter TidingsCliConverter;

TidingsCliConverter *tidings_cli_converter_new    (const char           *base_url,
                                                   GOutputStream        *output);
gboolean             tidings_cli_converter_push   (TidingsCliConverter  *self,
                                                   const char           *data,
                                                   gsize                 len,
                                                   GError              **error);
gboolean             tidings_cli_converter_finish (TidingsCliConverter  *self,
                                                   gboolean             *output_failed,
                                                   GError              **error);
void                 tidings_cli_converter_free   (TidingsCliConverter  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsCliConverter, tidings_cli_converter_free)

G_END_DECLS
