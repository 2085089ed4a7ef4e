/* fuzz-date.c: whatever tidings_date_parse accepts must survive a trip
 * through tidings_date_format unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "tidings-date.h"
#include "tidings-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *formatted_again = NULL;
  gint64 usec = 0;
  gint64 again = 0;

  /* Dates are short; long inputs only slow the search down. */
  if (size > 256)
    return 0;

  text = g_malloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';

  if (!tidings_date_parse (text, &usec))
    return 0;

  formatted = tidings_date_format (usec);
  if (!tidings_date_parse (formatted, &again) || again != usec)
    abort ();

  formatted_again = tidings_date_format (again);
  if (strcmp (formatted, formatted_again) != 0)
    abort ();

  return 0;
}
