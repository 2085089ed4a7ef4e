/* tidings-sanitize.h: making publishers' HTML safe to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns a sanitised copy of the HTML fragment @html (@len bytes, or -1 when
 * NUL-terminated), always valid UTF-8 and well balanced. Only an allow-list
 * of tags and attributes survives; script, style, iframe, object, embed and
 * form elements are removed with their content, event attributes are dropped,
 * and URLs are resolved against @base_uri (may be NULL) and kept only when
 * their scheme is http, https or mailto (and data:image for image sources). */
char *tidings_sanitize_html (const char *html,
                             gssize      len,
                             const char *base_uri);

/* Returns the text of the HTML fragment @html: markup stripped, entities
 * decoded, runs of white space collapsed to one space and the ends trimmed.
 * Used for titles and other plain-text fields. */
char *tidings_html_to_text  (const char *html,
                             gssize      len);

/* Returns @text escaped for use as HTML text, with line breaks kept as <br>
 * and blank lines as paragraph breaks. */
char *tidings_text_to_html  (const char *text);

/* Collapses runs of white space to one space and trims the ends, in place. */
char *tidings_collapse_space (char *text);

G_END_DECLS
