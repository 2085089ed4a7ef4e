/* tidings-cli.h: the headless command-line modes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `tidings --parse PATH|-`: prints the document as JSON Feed 1.1 on stdout.
 * Returns the process exit status; errors go to stderr naming @path. */
int tidings_cli_parse (const char *path);

G_END_DECLS
