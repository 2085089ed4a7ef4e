/* tidings-sanitize.h: making publishers' HTML safe to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns a sanitised copy of the HTML fragment @html (@len bytes, or -1 when
 * NUL-terminated), always valid UTF-8 and well balanced. Only an allow-list
 * of tags and attributes survives (other tags are dropped, their text kept);
 * script, style, iframe, object, svg, math, form controls and the like are
 * removed with their content; event, style, class and id attributes are
 * dropped; URLs are resolved against @base_uri (may be NULL) and kept only
 * when their scheme is http, https or mailto (links), http, https or a
 * non-SVG data:image (images), http or https (audio and video). Nesting is
 * capped at 512 elements. Safe to call from several threads at once. */
char *tidings_sanitize_html (const char *html,
                             gssize      len,
                             const char *base_uri);

/* Returns the text of the HTML fragment @html: markup stripped (and the
 * content of script, style and the other removed elements with it), block
 * elements and <br> turned into spaces, entities decoded, runs of white space
 * collapsed to one space and the ends trimmed. Used for titles and other
 * plain-text fields. */
char *tidings_html_to_text  (const char *html,
                             gssize      len);

/* The same through libxml2's HTML parser; slower, used by the tests to check
 * that tidings_html_to_text() reads markup as the parser does. */
char *_tidings_html_to_text_parsed (const char *html,
                                    gssize      len);

/* Returns @text escaped for use as HTML text, in <p> paragraphs separated
 * where @text has blank lines, with its other line breaks kept as <br>. */
char *tidings_text_to_html  (const char *text);

/* Appends @len bytes of @text escaped as HTML text, or as a double-quoted
 * attribute value when @in_attribute; line breaks become "\n" and the
 * control characters HTML does not allow are left out. */
void  _tidings_html_append_escaped (GString    *out,
                                    const char *text,
                                    gsize       len,
                                    gboolean    in_attribute);

/* Collapses runs of ASCII white space to one space and trims the ends, in
 * place; returns @text (NULL stays NULL). */
char *tidings_collapse_space (char *text);

G_END_DECLS
