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
 * it cannot read with confidence, never guessing, and then leaves @out_usec
 * alone. @text may be NULL (FALSE).
 *
 * Details worth knowing: no zone means UTC; RFC 822's military letters mean
 * UTC (RFC 2822 4.3); IST is India's, CST the US's; two-digit years are
 * 1950..2049 and three-digit years count from 1900; a leap second is held at
 * :59 and 24:00 is the next midnight; fractions beyond microseconds are
 * dropped; offsets above 14 hours and results outside 0001..9999 UTC are
 * refused. The full table of zone names is in tidings-date.c. */
gboolean  tidings_date_parse  (const char *text,
                               gint64     *out_usec);

/* Formats as RFC 3339 in UTC with a `Z`, e.g. 2024-03-05T14:07:00Z; the
 * fraction is written only when it is not zero, without trailing zeros
 * (…:00.12Z). Every value from 0001-01-01 to 9999-12-31 round-trips through
 * tidings_date_parse; values beyond still format, but do not parse back. */
char     *tidings_date_format (gint64 usec);

G_END_DECLS
