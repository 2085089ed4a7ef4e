/* tidings-date.h: the dates publishers write, read leniently
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses RFC 822/2822 dates (with obsolete and broken forms: two-digit years,
 * missing seconds or weekday, a wrong weekday, named zones such as EST or UT,
 * offsets written GMT+2) and RFC 3339 / ISO 8601 / W3C-DTF dates (reduced
 * precision, fractional seconds). On success stores microseconds since the
 * Unix epoch, UTC, in @out_usec and returns TRUE; returns FALSE for anything
 * it cannot read with confidence, never guessing. */
gboolean  tidings_date_parse  (const char *text,
                               gint64     *out_usec);

/* Formats as RFC 3339 in UTC with a `Z`, e.g. 2024-03-05T14:07:00Z; the
 * fraction is written only when it is not zero. */
char     *tidings_date_format (gint64 usec);

G_END_DECLS
