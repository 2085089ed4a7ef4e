/* tidings-ui-main.c: the user interface module's entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gmodule.h>

#include "tidings-application.h"

G_MODULE_EXPORT int tidings_ui_main (int argc, char **argv);

/* Called by main() once it knows the window is wanted. */
G_MODULE_EXPORT int
tidings_ui_main (int    argc,
                 char **argv)
{
  g_autoptr(TidingsApplication) app = tidings_application_new (APP_ID);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
