/* tidings-utf8.h: UTF-8 validation tuned for mostly-ASCII text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to the core. Feeds are mostly ASCII markup, and every byte of a
 * feed is validated at least once; GLib's validator walks byte by byte.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Same contract as g_utf8_validate_len(): RFC 3629, no overlong forms, no
 * surrogates, nothing past U+10FFFF, no NUL. */
gboolean _tidings_utf8_validate (const char  *text,
                                 gsize        len,
                                 const char **end);

G_END_DECLS
