/* tidings-xml-input.h: turning the bytes publishers serve into clean UTF-8 XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to the core. Feeds arrive in any character set, often mislabelled,
 * and with faults that stop an XML parser cold: bytes that are not UTF-8,
 * control characters, a bare `&` in a URL. This stage decodes the document
 * to UTF-8 itself (so libxml2 runs with XML_PARSE_IGNORE_ENC) and repairs
 * those faults as a stream, chunk by chunk, before libxml2 sees the text.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TIDINGS_XML_REPAIR_NONE          = 0,
  TIDINGS_XML_REPAIR_INVALID_BYTES = 1 << 0,  /* bytes not in the charset, read as windows-1252 */
  TIDINGS_XML_REPAIR_CONTROL_CHARS = 1 << 1,  /* characters XML forbids, dropped */
  TIDINGS_XML_REPAIR_AMPERSAND     = 1 << 2,  /* a bare `&` escaped as `&amp;` */
  TIDINGS_XML_REPAIR_UNKNOWN_CHARSET = 1 << 3, /* declared charset unknown, read as UTF-8 */
  TIDINGS_XML_REPAIR_LEADING_JUNK  = 1 << 4,  /* text before the first `<` dropped */
  TIDINGS_XML_REPAIR_WRONG_CHARSET = 1 << 5,  /* declared a single-byte charset, but is UTF-8 */
  TIDINGS_XML_REPAIR_CHAR_REFS     = 1 << 6,  /* `&#X41;`, or C1 controls meaning windows-1252 */
  TIDINGS_XML_REPAIR_HTML_ENTITIES = 1 << 7,  /* `&eacute;`: HTML's, undeclared in XML */
} TidingsXmlRepair;

/* Initialises libxml2 once for the whole process, with an external entity
 * loader that refuses everything: nothing in a feed, an OPML file or a web
 * page ever makes Tidings read a file or the network. Every user of libxml2
 * in the core calls this before parsing. Thread-safe. */
void              _tidings_xml_init               (void);

/* The value of one SAX2 attribute (a localname, prefix, URI, value, end
 * quintuple), newly allocated. Without entity substitution libxml2 hands an
 * ampersand in an attribute value over as "&#38;" (so that a tree could tell
 * it from an entity reference); this gives the character back. */
char             *_tidings_xml_attribute_value    (const unsigned char **attribute);

typedef struct _TidingsXmlInput TidingsXmlInput;

TidingsXmlInput  *_tidings_xml_input_new          (void);
void              _tidings_xml_input_free         (TidingsXmlInput *input);

/* Decodes and repairs the next @len bytes, appending UTF-8 to @out. Bytes
 * that cannot be decided yet (a sequence cut by the chunk boundary) are kept
 * for the next call; @last flushes everything. */
void              _tidings_xml_input_push         (TidingsXmlInput *input,
                                                   const char      *data,
                                                   gsize            len,
                                                   gboolean         last,
                                                   GString         *out);

/* The character set the document was read as (lower case), once known. */
const char       *_tidings_xml_input_get_charset  (TidingsXmlInput *input);
TidingsXmlRepair  _tidings_xml_input_get_repairs  (TidingsXmlInput *input);
/* FALSE while no `<` has been seen: the document may not be markup at all. */
gboolean          _tidings_xml_input_seen_markup  (TidingsXmlInput *input);

/* Appends the UTF-8 form of the windows-1252 byte @byte. */
void              _tidings_append_cp1252          (GString         *out,
                                                   guchar           byte);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TidingsXmlInput, _tidings_xml_input_free)

G_END_DECLS
