/* tidings-fuzz.c: set-up shared by every libFuzzer target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "tidings-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A GLib critical or warning (GUri refusing what it parsed, a parser
   * handing NULL where it promised text) is a bug found, like a crash. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}
