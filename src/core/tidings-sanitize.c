/* tidings-sanitize.c: making publishers' HTML safe to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-sanitize"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "tidings-sanitize.h"
#include "tidings-uri.h"
#include "tidings-utf8.h"
#include "tidings-xml-input.h"

/* The sanitiser runs on the content of every item, so it streams: libxml2's
 * HTML parser in SAX mode (no tree), each event written straight out. What
 * comes out is rebuilt from our own tables (names) and escaped values, never
 * copied from the input, so a browser parsing it sees exactly the elements
 * and attributes we allowed.
 *
 * The fragment is parsed inside a wrapper element of our own that is
 * unwrapped like any unknown element: without it libxml2 puts text that is
 * outside any element into an implied <p>. An unknown name is used because
 * no known element auto-closes it and stray end tags (</div>) cannot. */
#define WRAPPER_START "<tidings-fragment>"
#define WRAPPER_END   "</tidings-fragment>"

/* Deeper start tags are unwrapped (their content kept), so that hostile
 * input cannot nest without bound in the output. */
#define MAX_DEPTH 512

/* libxml2 2.9 looks through its whole stack of open elements for every end
 * tag, so deep nesting with stray end tags costs time quadratic in the
 * input (seconds for a few hundred kilobytes). When its stack gets this
 * deep, parsing stops and starts afresh after the tag; what was open stays
 * open in our output. No real document nests anywhere near this. */
#define MAX_PARSER_DEPTH 1024

/* libxml2 2.9 also compares each attribute of a tag with all the ones before
 * it; attributes past this many in one tag are cut before parsing. */
#define MAX_ATTRIBUTES 256

/* A reused parser context is thrown away once its dictionary of names or its
 * element stack has grown past these, so one odd document does not pin
 * memory for the life of the thread. */
#define MAX_REUSED_DICT_SIZE 4096
#define MAX_REUSED_NAME_TAB  1024

#define PARSE_OPTIONS (HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR \
                       | HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED | HTML_PARSE_IGNORE_ENC)

typedef enum
{
  ELEMENT_UNWRAP,  /* tag dropped, content kept: also what unknown elements get */
  ELEMENT_KEEP,    /* written out with its allowed attributes */
  ELEMENT_DROP,    /* removed together with everything inside it */
  ELEMENT_FOREIGN, /* <svg> or <math>: kept, with its own allow-list inside */
} ElementAction;

enum
{
  ELEMENT_VOID = 1 << 0,   /* has no end tag in HTML */
  ELEMENT_BLOCK = 1 << 1,  /* separates words when converting to text */
  ELEMENT_MEDIA = 1 << 2,  /* audio, video: controls forced, src is media */
};

/* Attributes that only some elements may carry. */
enum
{
  A_ABBR = 1 << 0,
  A_ALT = 1 << 1,
  A_BORDER = 1 << 2,
  A_CELLPADDING = 1 << 3,
  A_CELLSPACING = 1 << 4,
  A_CITE = 1 << 5,
  A_COLSPAN = 1 << 6,
  A_DATETIME = 1 << 7,
  A_HEADERS = 1 << 8,
  A_HREF = 1 << 9,
  A_LONGDESC = 1 << 10,
  A_LOOP = 1 << 11,
  A_MEDIA = 1 << 12,
  A_MUTED = 1 << 13,
  A_OPEN = 1 << 14,
  A_POSTER = 1 << 15,
  A_REVERSED = 1 << 16,
  A_ROWSPAN = 1 << 17,
  A_SCOPE = 1 << 18,
  A_SIZES = 1 << 19,
  A_SPAN = 1 << 20,
  A_SRC = 1 << 21,
  A_SRCSET = 1 << 22,
  A_START = 1 << 23,
  A_SUMMARY = 1 << 24,
  A_TYPE = 1 << 25,
  A_VALUE = 1 << 26,
  A_GLOBAL = 1 << 31,  /* allowed on every kept element */
};

#define A_CELL (A_ABBR | A_COLSPAN | A_HEADERS | A_ROWSPAN | A_SCOPE)

typedef struct
{
  const char *name;
  guint8 action;
  guint8 flags;
  guint32 attrs;
} ElementInfo;

/* Sorted by name (checked once at run time) for bsearch().
 *
 * Removed with their content: anything that runs code or loads a document
 * (script, iframe, frameset, object, applet, svg, math, template), styling
 * that could restyle or fetch (style), interactive form controls and dialogs
 * (form, button, select, option, optgroup, datalist, textarea, dialog), the
 * document head (head, title) and the fallbacks of removed elements (noembed,
 * noframes), and IE's <xml> data islands.
 *
 * SVG and MathML (diagrams and equations in technical writing) are kept with
 * allow-lists of their own, below: shapes, text and presentation, never
 * scripts, animation, foreign objects or references to other documents.
 * Their parsing rules are where sanitiser bypasses usually live, but what we
 * write is rebuilt from our tables with every text escaped, so the browser
 * reads exactly the elements we allowed.
 *
 * Void elements cannot have content, and libxml2 (an HTML 4 parser) nests
 * whatever follows embed, source, track, wbr and the like inside them, so
 * unsafe void elements (base, link, meta, embed, input, param, frame...) are
 * unwrapped rather than removed: the tag goes, the text after it stays.
 *
 * <noscript> is unwrapped, not removed: lazy-loading pages put their real
 * <img> there, and since we re-serialise there is no parsing difference for
 * an attacker to exploit. <font> is unwrapped too: its styling is not ours
 * to keep. */
static const ElementInfo elements[] = {
  { "a", ELEMENT_KEEP, 0, A_HREF },
  { "abbr", ELEMENT_KEEP, 0, 0 },
  { "acronym", ELEMENT_KEEP, 0, 0 },
  { "address", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "applet", ELEMENT_DROP, 0, 0 },
  { "area", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "article", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "aside", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "audio", ELEMENT_KEEP, ELEMENT_BLOCK | ELEMENT_MEDIA, A_LOOP | A_MUTED | A_SRC },
  { "b", ELEMENT_KEEP, 0, 0 },
  { "base", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "basefont", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "bdi", ELEMENT_KEEP, 0, 0 },
  { "bdo", ELEMENT_KEEP, 0, 0 },
  { "bgsound", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "big", ELEMENT_KEEP, 0, 0 },
  { "blockquote", ELEMENT_KEEP, ELEMENT_BLOCK, A_CITE },
  { "body", ELEMENT_UNWRAP, ELEMENT_BLOCK, 0 },
  { "br", ELEMENT_KEEP, ELEMENT_VOID | ELEMENT_BLOCK, 0 },
  { "button", ELEMENT_DROP, 0, 0 },
  { "caption", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "center", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "cite", ELEMENT_KEEP, 0, 0 },
  { "code", ELEMENT_KEEP, 0, 0 },
  { "col", ELEMENT_KEEP, ELEMENT_VOID, A_SPAN },
  { "colgroup", ELEMENT_KEEP, 0, A_SPAN },
  { "datalist", ELEMENT_DROP, 0, 0 },
  { "dd", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "del", ELEMENT_KEEP, 0, A_CITE | A_DATETIME },
  { "details", ELEMENT_KEEP, ELEMENT_BLOCK, A_OPEN },
  { "dfn", ELEMENT_KEEP, 0, 0 },
  { "dialog", ELEMENT_DROP, 0, 0 },
  { "div", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "dl", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "dt", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "em", ELEMENT_KEEP, 0, 0 },
  { "embed", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "figcaption", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "figure", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "footer", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "form", ELEMENT_DROP, 0, 0 },
  { "frame", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "frameset", ELEMENT_DROP, 0, 0 },
  { "h1", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "h2", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "h3", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "h4", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "h5", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "h6", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "head", ELEMENT_DROP, 0, 0 },
  { "header", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "hr", ELEMENT_KEEP, ELEMENT_VOID | ELEMENT_BLOCK, 0 },
  { "html", ELEMENT_UNWRAP, ELEMENT_BLOCK, 0 },
  { "i", ELEMENT_KEEP, 0, 0 },
  { "iframe", ELEMENT_DROP, 0, 0 },
  { "image", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "img", ELEMENT_KEEP, ELEMENT_VOID,
    A_ALT | A_BORDER | A_LONGDESC | A_SIZES | A_SRC | A_SRCSET },
  { "input", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "ins", ELEMENT_KEEP, 0, A_CITE | A_DATETIME },
  { "isindex", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "kbd", ELEMENT_KEEP, 0, 0 },
  { "keygen", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "li", ELEMENT_KEEP, ELEMENT_BLOCK, A_TYPE | A_VALUE },
  { "link", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "main", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "mark", ELEMENT_KEEP, 0, 0 },
  { "math", ELEMENT_FOREIGN, 0, 0 },
  { "meta", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "nav", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "noembed", ELEMENT_DROP, 0, 0 },
  { "noframes", ELEMENT_DROP, 0, 0 },
  { "object", ELEMENT_DROP, 0, 0 },
  { "ol", ELEMENT_KEEP, ELEMENT_BLOCK, A_REVERSED | A_START | A_TYPE },
  { "optgroup", ELEMENT_DROP, 0, 0 },
  { "option", ELEMENT_DROP, 0, 0 },
  { "p", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "param", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "picture", ELEMENT_KEEP, 0, 0 },
  { "pre", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "q", ELEMENT_KEEP, 0, A_CITE },
  { "rp", ELEMENT_KEEP, 0, 0 },
  { "rt", ELEMENT_KEEP, 0, 0 },
  { "ruby", ELEMENT_KEEP, 0, 0 },
  { "s", ELEMENT_KEEP, 0, 0 },
  { "samp", ELEMENT_KEEP, 0, 0 },
  { "script", ELEMENT_DROP, 0, 0 },
  { "section", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "select", ELEMENT_DROP, 0, 0 },
  { "small", ELEMENT_KEEP, 0, 0 },
  { "source", ELEMENT_KEEP, ELEMENT_VOID, A_MEDIA | A_SIZES | A_SRC | A_SRCSET | A_TYPE },
  { "span", ELEMENT_KEEP, 0, 0 },
  { "strike", ELEMENT_KEEP, 0, 0 },
  { "strong", ELEMENT_KEEP, 0, 0 },
  { "style", ELEMENT_DROP, 0, 0 },
  { "sub", ELEMENT_KEEP, 0, 0 },
  { "summary", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "sup", ELEMENT_KEEP, 0, 0 },
  { "svg", ELEMENT_FOREIGN, 0, 0 },
  { "table", ELEMENT_KEEP, ELEMENT_BLOCK, A_BORDER | A_CELLPADDING | A_CELLSPACING | A_SUMMARY },
  { "tbody", ELEMENT_KEEP, 0, 0 },
  { "td", ELEMENT_KEEP, ELEMENT_BLOCK, A_CELL },
  { "template", ELEMENT_DROP, 0, 0 },
  { "textarea", ELEMENT_DROP, 0, 0 },
  { "tfoot", ELEMENT_KEEP, 0, 0 },
  { "th", ELEMENT_KEEP, ELEMENT_BLOCK, A_CELL },
  { "thead", ELEMENT_KEEP, 0, 0 },
  { "time", ELEMENT_KEEP, 0, A_DATETIME },
  { "title", ELEMENT_DROP, 0, 0 },
  { "tr", ELEMENT_KEEP, ELEMENT_BLOCK, 0 },
  { "track", ELEMENT_UNWRAP, ELEMENT_VOID, 0 },
  { "tt", ELEMENT_KEEP, 0, 0 },
  { "u", ELEMENT_KEEP, 0, 0 },
  { "ul", ELEMENT_KEEP, ELEMENT_BLOCK, A_TYPE },
  { "var", ELEMENT_KEEP, 0, 0 },
  { "video", ELEMENT_KEEP, ELEMENT_BLOCK | ELEMENT_MEDIA,
    A_LOOP | A_MUTED | A_POSTER | A_SRC },
  { "wbr", ELEMENT_KEEP, ELEMENT_VOID, 0 },
  { "xml", ELEMENT_DROP, 0, 0 },
};

typedef enum
{
  ATTR_TEXT,     /* any text, escaped */
  ATTR_BOOLEAN,  /* written without a value */
  ATTR_LINK,     /* a URL someone may follow */
  ATTR_IMAGE,    /* a URL loaded as an image */
  ATTR_SRC,      /* image or media, depending on the element */
  ATTR_SRCSET,   /* a list of image candidates */
} AttrKind;

typedef struct
{
  const char *name;
  guint32 bit;
  guint8 kind;
} AttrInfo;

/* Sorted by name for bsearch(). No event handlers, no style (url() fetches,
 * and page styling is not the publisher's to inject), no class or id (they
 * could clash with or clobber the reader's own page). */
static const AttrInfo attributes[] = {
  { "abbr", A_ABBR, ATTR_TEXT },
  { "align", A_GLOBAL, ATTR_TEXT },
  { "alt", A_ALT, ATTR_TEXT },
  { "border", A_BORDER, ATTR_TEXT },
  { "cellpadding", A_CELLPADDING, ATTR_TEXT },
  { "cellspacing", A_CELLSPACING, ATTR_TEXT },
  { "cite", A_CITE, ATTR_LINK },
  { "colspan", A_COLSPAN, ATTR_TEXT },
  { "datetime", A_DATETIME, ATTR_TEXT },
  { "dir", A_GLOBAL, ATTR_TEXT },
  { "headers", A_HEADERS, ATTR_TEXT },
  { "height", A_GLOBAL, ATTR_TEXT },
  { "href", A_HREF, ATTR_LINK },
  { "lang", A_GLOBAL, ATTR_TEXT },
  { "longdesc", A_LONGDESC, ATTR_LINK },
  { "loop", A_LOOP, ATTR_BOOLEAN },
  { "media", A_MEDIA, ATTR_TEXT },
  { "muted", A_MUTED, ATTR_BOOLEAN },
  { "open", A_OPEN, ATTR_BOOLEAN },
  { "poster", A_POSTER, ATTR_IMAGE },
  { "reversed", A_REVERSED, ATTR_BOOLEAN },
  { "rowspan", A_ROWSPAN, ATTR_TEXT },
  { "scope", A_SCOPE, ATTR_TEXT },
  { "sizes", A_SIZES, ATTR_TEXT },
  { "span", A_SPAN, ATTR_TEXT },
  { "src", A_SRC, ATTR_SRC },
  { "srcset", A_SRCSET, ATTR_SRCSET },
  { "start", A_START, ATTR_TEXT },
  { "summary", A_SUMMARY, ATTR_TEXT },
  { "title", A_GLOBAL, ATTR_TEXT },
  { "type", A_TYPE, ATTR_TEXT },
  { "valign", A_GLOBAL, ATTR_TEXT },
  { "value", A_VALUE, ATTR_TEXT },
  { "width", A_GLOBAL, ATTR_TEXT },
};

typedef enum
{
  NS_HTML,
  NS_SVG,
  NS_MATHML,
} ElementNamespace;

#define SVG_NAMESPACE    "http://www.w3.org/2000/svg"
#define MATHML_NAMESPACE "http://www.w3.org/1998/Math/MathML"
#define XLINK_NAMESPACE  "http://www.w3.org/1999/xlink"

typedef struct
{
  const char *name;     /* as libxml2 reports it: lower case */
  const char *written;  /* as we write it (SVG is case-sensitive) */
  guint8 action;
} ForeignElementInfo;

/* Sorted by name for bsearch(). Anything not here is unwrapped, or removed
 * with its content when HTML removes it (script, style, iframe...). */
static const ForeignElementInfo svg_elements[] = {
  { "a", "a", ELEMENT_KEEP },
  { "animate", "animate", ELEMENT_DROP },
  { "animatecolor", "animateColor", ELEMENT_DROP },
  { "animatemotion", "animateMotion", ELEMENT_DROP },
  { "animatetransform", "animateTransform", ELEMENT_DROP },
  { "circle", "circle", ELEMENT_KEEP },
  { "clippath", "clipPath", ELEMENT_KEEP },
  { "defs", "defs", ELEMENT_KEEP },
  { "desc", "desc", ELEMENT_KEEP },
  { "discard", "discard", ELEMENT_DROP },
  { "ellipse", "ellipse", ELEMENT_KEEP },
  { "feimage", "feImage", ELEMENT_DROP },
  { "foreignobject", "foreignObject", ELEMENT_DROP },
  { "g", "g", ELEMENT_KEEP },
  { "handler", "handler", ELEMENT_DROP },
  { "image", "image", ELEMENT_DROP },
  { "line", "line", ELEMENT_KEEP },
  { "lineargradient", "linearGradient", ELEMENT_KEEP },
  { "listener", "listener", ELEMENT_DROP },
  { "marker", "marker", ELEMENT_KEEP },
  { "mask", "mask", ELEMENT_KEEP },
  { "path", "path", ELEMENT_KEEP },
  { "pattern", "pattern", ELEMENT_KEEP },
  { "polygon", "polygon", ELEMENT_KEEP },
  { "polyline", "polyline", ELEMENT_KEEP },
  { "radialgradient", "radialGradient", ELEMENT_KEEP },
  { "rect", "rect", ELEMENT_KEEP },
  { "set", "set", ELEMENT_DROP },
  { "stop", "stop", ELEMENT_KEEP },
  { "svg", "svg", ELEMENT_KEEP },
  { "symbol", "symbol", ELEMENT_KEEP },
  { "text", "text", ELEMENT_KEEP },
  { "textpath", "textPath", ELEMENT_DROP },
  { "title", "title", ELEMENT_KEEP },
  { "tspan", "tspan", ELEMENT_KEEP },
  { "use", "use", ELEMENT_DROP },
};

/* annotation-xml may hold HTML or SVG under other parsing rules: removed. */
static const ForeignElementInfo mathml_elements[] = {
  { "annotation", "annotation", ELEMENT_KEEP },
  { "annotation-xml", "annotation-xml", ELEMENT_DROP },
  { "menclose", "menclose", ELEMENT_KEEP },
  { "merror", "merror", ELEMENT_KEEP },
  { "mfenced", "mfenced", ELEMENT_KEEP },
  { "mfrac", "mfrac", ELEMENT_KEEP },
  { "mi", "mi", ELEMENT_KEEP },
  { "mmultiscripts", "mmultiscripts", ELEMENT_KEEP },
  { "mn", "mn", ELEMENT_KEEP },
  { "mo", "mo", ELEMENT_KEEP },
  { "mover", "mover", ELEMENT_KEEP },
  { "mpadded", "mpadded", ELEMENT_KEEP },
  { "mphantom", "mphantom", ELEMENT_KEEP },
  { "mprescripts", "mprescripts", ELEMENT_KEEP },
  { "mroot", "mroot", ELEMENT_KEEP },
  { "mrow", "mrow", ELEMENT_KEEP },
  { "ms", "ms", ELEMENT_KEEP },
  { "mspace", "mspace", ELEMENT_KEEP },
  { "msqrt", "msqrt", ELEMENT_KEEP },
  { "mstyle", "mstyle", ELEMENT_KEEP },
  { "msub", "msub", ELEMENT_KEEP },
  { "msubsup", "msubsup", ELEMENT_KEEP },
  { "msup", "msup", ELEMENT_KEEP },
  { "mtable", "mtable", ELEMENT_KEEP },
  { "mtd", "mtd", ELEMENT_KEEP },
  { "mtext", "mtext", ELEMENT_KEEP },
  { "mtr", "mtr", ELEMENT_KEEP },
  { "munder", "munder", ELEMENT_KEEP },
  { "munderover", "munderover", ELEMENT_KEEP },
  { "none", "none", ELEMENT_KEEP },
  { "semantics", "semantics", ELEMENT_KEEP },
};

typedef enum
{
  FOREIGN_TEXT,   /* a token or number: no url() except to a fragment */
  FOREIGN_LINK,   /* xlink:href, vetted like an HTML link */
} ForeignAttrKind;

enum
{
  IN_SVG = 1 << 0,
  IN_MATHML = 1 << 1,
};

typedef struct
{
  const char *name;
  const char *written;
  guint8 where;
  guint8 kind;
} ForeignAttrInfo;

/* Sorted by name for bsearch(). Geometry and presentation only: no event
 * handlers, no style, no href but a vetted xlink:href on links. */
static const ForeignAttrInfo foreign_attributes[] = {
  { "accent", "accent", IN_MATHML, FOREIGN_TEXT },
  { "accentunder", "accentunder", IN_MATHML, FOREIGN_TEXT },
  { "baseprofile", "baseProfile", IN_SVG, FOREIGN_TEXT },
  { "clip-path", "clip-path", IN_SVG, FOREIGN_TEXT },
  { "clippathunits", "clipPathUnits", IN_SVG, FOREIGN_TEXT },
  { "close", "close", IN_MATHML, FOREIGN_TEXT },
  { "columnalign", "columnalign", IN_MATHML, FOREIGN_TEXT },
  { "columnlines", "columnlines", IN_MATHML, FOREIGN_TEXT },
  { "columnspacing", "columnspacing", IN_MATHML, FOREIGN_TEXT },
  { "columnspan", "columnspan", IN_MATHML, FOREIGN_TEXT },
  { "cx", "cx", IN_SVG, FOREIGN_TEXT },
  { "cy", "cy", IN_SVG, FOREIGN_TEXT },
  { "d", "d", IN_SVG, FOREIGN_TEXT },
  { "depth", "depth", IN_MATHML, FOREIGN_TEXT },
  { "display", "display", IN_MATHML, FOREIGN_TEXT },
  { "displaystyle", "displaystyle", IN_MATHML, FOREIGN_TEXT },
  { "dx", "dx", IN_SVG, FOREIGN_TEXT },
  { "dy", "dy", IN_SVG, FOREIGN_TEXT },
  { "fence", "fence", IN_MATHML, FOREIGN_TEXT },
  { "fill", "fill", IN_SVG, FOREIGN_TEXT },
  { "fill-opacity", "fill-opacity", IN_SVG, FOREIGN_TEXT },
  { "fill-rule", "fill-rule", IN_SVG, FOREIGN_TEXT },
  { "font-family", "font-family", IN_SVG, FOREIGN_TEXT },
  { "font-size", "font-size", IN_SVG, FOREIGN_TEXT },
  { "font-style", "font-style", IN_SVG, FOREIGN_TEXT },
  { "font-weight", "font-weight", IN_SVG, FOREIGN_TEXT },
  { "frame", "frame", IN_MATHML, FOREIGN_TEXT },
  { "fx", "fx", IN_SVG, FOREIGN_TEXT },
  { "fy", "fy", IN_SVG, FOREIGN_TEXT },
  { "gradienttransform", "gradientTransform", IN_SVG, FOREIGN_TEXT },
  { "gradientunits", "gradientUnits", IN_SVG, FOREIGN_TEXT },
  { "height", "height", IN_SVG | IN_MATHML, FOREIGN_TEXT },
  { "id", "id", IN_SVG, FOREIGN_TEXT },
  { "largeop", "largeop", IN_MATHML, FOREIGN_TEXT },
  { "linethickness", "linethickness", IN_MATHML, FOREIGN_TEXT },
  { "lspace", "lspace", IN_MATHML, FOREIGN_TEXT },
  { "marker-end", "marker-end", IN_SVG, FOREIGN_TEXT },
  { "marker-mid", "marker-mid", IN_SVG, FOREIGN_TEXT },
  { "marker-start", "marker-start", IN_SVG, FOREIGN_TEXT },
  { "markerheight", "markerHeight", IN_SVG, FOREIGN_TEXT },
  { "markerunits", "markerUnits", IN_SVG, FOREIGN_TEXT },
  { "markerwidth", "markerWidth", IN_SVG, FOREIGN_TEXT },
  { "mask", "mask", IN_SVG, FOREIGN_TEXT },
  { "maskcontentunits", "maskContentUnits", IN_SVG, FOREIGN_TEXT },
  { "maskunits", "maskUnits", IN_SVG, FOREIGN_TEXT },
  { "mathbackground", "mathbackground", IN_MATHML, FOREIGN_TEXT },
  { "mathcolor", "mathcolor", IN_MATHML, FOREIGN_TEXT },
  { "mathsize", "mathsize", IN_MATHML, FOREIGN_TEXT },
  { "mathvariant", "mathvariant", IN_MATHML, FOREIGN_TEXT },
  { "maxsize", "maxsize", IN_MATHML, FOREIGN_TEXT },
  { "minsize", "minsize", IN_MATHML, FOREIGN_TEXT },
  { "movablelimits", "movablelimits", IN_MATHML, FOREIGN_TEXT },
  { "notation", "notation", IN_MATHML, FOREIGN_TEXT },
  { "offset", "offset", IN_SVG, FOREIGN_TEXT },
  { "opacity", "opacity", IN_SVG, FOREIGN_TEXT },
  { "open", "open", IN_MATHML, FOREIGN_TEXT },
  { "orient", "orient", IN_SVG, FOREIGN_TEXT },
  { "patterncontentunits", "patternContentUnits", IN_SVG, FOREIGN_TEXT },
  { "patterntransform", "patternTransform", IN_SVG, FOREIGN_TEXT },
  { "patternunits", "patternUnits", IN_SVG, FOREIGN_TEXT },
  { "points", "points", IN_SVG, FOREIGN_TEXT },
  { "preserveaspectratio", "preserveAspectRatio", IN_SVG, FOREIGN_TEXT },
  { "r", "r", IN_SVG, FOREIGN_TEXT },
  { "refx", "refX", IN_SVG, FOREIGN_TEXT },
  { "refy", "refY", IN_SVG, FOREIGN_TEXT },
  { "rowalign", "rowalign", IN_MATHML, FOREIGN_TEXT },
  { "rowlines", "rowlines", IN_MATHML, FOREIGN_TEXT },
  { "rowspacing", "rowspacing", IN_MATHML, FOREIGN_TEXT },
  { "rowspan", "rowspan", IN_MATHML, FOREIGN_TEXT },
  { "rspace", "rspace", IN_MATHML, FOREIGN_TEXT },
  { "rx", "rx", IN_SVG, FOREIGN_TEXT },
  { "ry", "ry", IN_SVG, FOREIGN_TEXT },
  { "scriptlevel", "scriptlevel", IN_MATHML, FOREIGN_TEXT },
  { "separator", "separator", IN_MATHML, FOREIGN_TEXT },
  { "separators", "separators", IN_MATHML, FOREIGN_TEXT },
  { "spreadmethod", "spreadMethod", IN_SVG, FOREIGN_TEXT },
  { "stop-color", "stop-color", IN_SVG, FOREIGN_TEXT },
  { "stop-opacity", "stop-opacity", IN_SVG, FOREIGN_TEXT },
  { "stretchy", "stretchy", IN_MATHML, FOREIGN_TEXT },
  { "stroke", "stroke", IN_SVG, FOREIGN_TEXT },
  { "stroke-dasharray", "stroke-dasharray", IN_SVG, FOREIGN_TEXT },
  { "stroke-dashoffset", "stroke-dashoffset", IN_SVG, FOREIGN_TEXT },
  { "stroke-linecap", "stroke-linecap", IN_SVG, FOREIGN_TEXT },
  { "stroke-linejoin", "stroke-linejoin", IN_SVG, FOREIGN_TEXT },
  { "stroke-miterlimit", "stroke-miterlimit", IN_SVG, FOREIGN_TEXT },
  { "stroke-opacity", "stroke-opacity", IN_SVG, FOREIGN_TEXT },
  { "stroke-width", "stroke-width", IN_SVG, FOREIGN_TEXT },
  { "symmetric", "symmetric", IN_MATHML, FOREIGN_TEXT },
  { "text-anchor", "text-anchor", IN_SVG, FOREIGN_TEXT },
  { "transform", "transform", IN_SVG, FOREIGN_TEXT },
  { "version", "version", IN_SVG, FOREIGN_TEXT },
  { "viewbox", "viewBox", IN_SVG, FOREIGN_TEXT },
  { "width", "width", IN_SVG | IN_MATHML, FOREIGN_TEXT },
  { "x", "x", IN_SVG, FOREIGN_TEXT },
  { "x1", "x1", IN_SVG, FOREIGN_TEXT },
  { "x2", "x2", IN_SVG, FOREIGN_TEXT },
  { "xlink:href", "xlink:href", IN_SVG | IN_MATHML, FOREIGN_LINK },
  { "xlink:show", "xlink:show", IN_SVG | IN_MATHML, FOREIGN_TEXT },
  { "xlink:title", "xlink:title", IN_SVG | IN_MATHML, FOREIGN_TEXT },
  { "xlink:type", "xlink:type", IN_SVG | IN_MATHML, FOREIGN_TEXT },
  { "y", "y", IN_SVG, FOREIGN_TEXT },
  { "y1", "y1", IN_SVG, FOREIGN_TEXT },
  { "y2", "y2", IN_SVG, FOREIGN_TEXT },
};

typedef enum
{
  OPEN_UNWRAPPED,  /* nothing was written for it */
  OPEN_WRITTEN,    /* its start tag was written */
  OPEN_DROPPED,    /* it and its content are being removed */
  OPEN_INSIDE,     /* inside a dropped element */
} OpenState;

typedef struct
{
  const char *name;  /* owned by the parser's dictionary */
  const ElementInfo *info;
  OpenState state;
  ElementNamespace ns;    /* the namespace its children are in */
  const char *written;    /* the name its end tag is written with */
} OpenElement;

typedef struct
{
  GString *out;
  GUri *base;
  GArray *stack;  /* of OpenElement, as the parser opened them */
  guint dropping;  /* open elements being removed with their content */
  guint written;   /* open non-void elements whose start tag was written */
  guint links;     /* open <a> elements (HTML or SVG) whose start tag was written */
  gboolean text_only;

  htmlParserCtxtPtr ctxt;
  gboolean halted;   /* the parser was stopped: ignore what it still says */
  gsize resume_at;   /* where in its input to start again */
} Sanitizer;

/* libxml2's HTML parser hands over element and attribute names in lower
 * case, so plain strcmp() will do. */
static int
compare_element (const void *key,
                 const void *member)
{
  return strcmp (key, ((const ElementInfo *) member)->name);
}

static int
compare_attribute (const void *key,
                   const void *member)
{
  return strcmp (key, ((const AttrInfo *) member)->name);
}

/* Every table starts each entry with its name. */
static gboolean
is_sorted (const void *table,
           gsize       n,
           gsize       size)
{
  for (gsize i = 1; i < n; i++)
    {
      const char *before = *(const char * const *) ((const char *) table + (i - 1) * size);
      const char *after = *(const char * const *) ((const char *) table + i * size);

      if (strcmp (before, after) >= 0)
        return FALSE;
    }
  return TRUE;
}

#define TABLE_IS_SORTED(table) is_sorted (table, G_N_ELEMENTS (table), sizeof table[0])

static gboolean
tables_are_sorted (void)
{
  return TABLE_IS_SORTED (elements) && TABLE_IS_SORTED (attributes) &&
         TABLE_IS_SORTED (svg_elements) && TABLE_IS_SORTED (mathml_elements) &&
         TABLE_IS_SORTED (foreign_attributes);
}

/* Every table starts with its name, so one comparison serves them all. */
static int
compare_named (const void *key,
                 const void *member)
{
  return strcmp (key, *(const char * const *) member);
}

static const ForeignElementInfo *
lookup_foreign_element (ElementNamespace  ns,
                        const char       *name)
{
  if (ns == NS_SVG)
    return bsearch (name, svg_elements, G_N_ELEMENTS (svg_elements), sizeof svg_elements[0],
                    compare_named);
  return bsearch (name, mathml_elements, G_N_ELEMENTS (mathml_elements),
                  sizeof mathml_elements[0], compare_named);
}

static const ForeignAttrInfo *
lookup_foreign_attribute (const char *name)
{
  return bsearch (name, foreign_attributes, G_N_ELEMENTS (foreign_attributes),
                  sizeof foreign_attributes[0], compare_named);
}

static const ElementInfo *
lookup_element (const char *name)
{
  return bsearch (name, elements, G_N_ELEMENTS (elements), sizeof elements[0], compare_element);
}

static const AttrInfo *
lookup_attribute (const char *name)
{
  return bsearch (name, attributes, G_N_ELEMENTS (attributes), sizeof attributes[0],
                  compare_attribute);
}

/* g_string_append_len() is not inlined in GLib 2.74 and its generality
 * (insertion, overlap) shows in profiles: output is appended to in many
 * tiny pieces. */
static inline void
append_len (GString    *out,
            const char *text,
            gsize       len)
{
  if (G_UNLIKELY (out->len + len >= out->allocated_len))
    {
      g_string_append_len (out, text, len);
      return;
    }

  memcpy (out->str + out->len, text, len);
  out->len += len;
  out->str[out->len] = '\0';
}

static inline void
append_str (GString    *out,
            const char *text)
{
  append_len (out, text, strlen (text));
}

/* Appends @len bytes of @text, escaped for HTML text (or, with @in_attribute,
 * for a double-quoted attribute value). Line breaks are normalised to "\n"
 * and the control characters HTML does not allow are left out. */
void
_tidings_html_append_escaped (GString    *out,
                              const char *text,
                              gsize       len,
                              gboolean    in_attribute)
{
  /* Non-zero for the bytes that need a look: markup characters, the quote,
   * and control characters but tab and newline. */
  static const guint8 special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, [0x7f] = 1,
  };
  const char *run = text;
  const char *end = text + len;

  for (const char *p = text; p < end; p++)
    {
      guchar c = *p;
      const char *replacement;

      if (G_LIKELY (special[c] == 0))
        continue;

      switch (c)
        {
        case '&':
          replacement = "&amp;";
          break;
        case '<':
          replacement = "&lt;";
          break;
        case '>':
          replacement = "&gt;";
          break;
        case '"':
          if (!in_attribute)
            continue;
          replacement = "&quot;";
          break;
        case '\t':
        case '\n':
          continue;
        case '\r':
          replacement = (p + 1 < end && p[1] == '\n') ? "" : "\n";
          break;
        case '\f':
        case '\v':
          replacement = " ";
          break;
        default:
          replacement = "";
          break;
        }

      append_len (out, run, p - run);
      append_str (out, replacement);
      run = p + 1;
    }

  append_len (out, run, end - run);
}

/* Appends @len bytes of decoded @text as plain text, turning every white
 * space character into a space and leaving out other control characters; the
 * caller collapses runs of spaces at the end. */
static void
append_plain (GString    *out,
              const char *text,
              gsize       len)
{
  const char *run = text;
  const char *end = text + len;

  for (const char *p = text; p < end; p++)
    {
      guchar c = *p;

      if (G_LIKELY (c >= ' ' && c != 0x7f))
        continue;

      append_len (out, run, p - run);
      if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        g_string_append_c (out, ' ');
      run = p + 1;
    }

  append_len (out, run, end - run);
}

/* TRUE for the characters XML (and so libxml2) allows in text. */
static gboolean
is_xml_char (gunichar c)
{
  return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff)
         || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Reads the character reference or entity at @p (just after its '&') the
 * way libxml2's HTML parser does: numeric references with or without ';'
 * (and even without digits), named ones only with ';' and when known. Returns the position after it
 * and the character in @c (0 for a reference to nothing), or NULL when @p
 * does not start a reference and the '&' stands for itself. */
static const char *
read_reference (const char *p,
                const char *end,
                gunichar   *c)
{
  char name[33];
  gsize n = 0;

  if (p < end && *p == '#')
    {
      gboolean hex = p + 1 < end && (p[1] == 'x' || p[1] == 'X');
      const char *digits = p + (hex ? 2 : 1);
      guint64 value = 0;

      for (p = digits; p < end && (hex ? g_ascii_isxdigit (*p) : g_ascii_isdigit (*p)); p++)
        {
          value = value * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*p) : *p - '0');
          value = MIN (value, G_MAXUINT32);
        }
      /* libxml2 swallows a reference without digits as well. */
      if (p < end && *p == ';')
        p++;

      *c = is_xml_char (value) ? (gunichar) value : 0;
      return p;
    }

  while (p < end && n < sizeof name - 1 && g_ascii_isalnum (*p))
    name[n++] = *p++;
  name[n] = '\0';

  if (n > 0 && p < end && *p == ';')
    {
      const htmlEntityDesc *entity = htmlEntityLookup ((const xmlChar *) name);

      if (entity != NULL)
        {
          *c = entity->value;
          return p + 1;
        }
    }

  return NULL;
}

/* Appends text that has no tags but may have character references and
 * entities, decoded as the parser would, then either escaped for HTML or,
 * with @plain, as append_plain() does. */
static void
append_decoded (GString    *out,
                const char *text,
                gsize       len,
                gboolean    plain)
{
  const char *end = text + len;
  const char *amp;

  while ((amp = memchr (text, '&', end - text)) != NULL)
    {
      const char *after;
      gunichar c = 0;
      char utf8[6];
      gsize n = 0;

      after = read_reference (amp + 1, end, &c);
      if (after == NULL)
        {
          after = amp + 1;
          utf8[n++] = '&';
        }
      else if (c != 0)
        {
          n = g_unichar_to_utf8 (c, utf8);
        }

      if (plain)
        {
          append_plain (out, text, amp - text);
          append_plain (out, utf8, n);
        }
      else
        {
          _tidings_html_append_escaped (out, text, amp - text, FALSE);
          _tidings_html_append_escaped (out, utf8, n, FALSE);
        }
      text = after;
    }

  if (plain)
    append_plain (out, text, end - text);
  else
    _tidings_html_append_escaped (out, text, end - text, FALSE);
}

static void
append_attribute (GString    *out,
                  const char *name,
                  const char *value)
{
  g_string_append_c (out, ' ');
  append_str (out, name);
  append_str (out, "=\"");
  _tidings_html_append_escaped (out, value, strlen (value), TRUE);
  g_string_append_c (out, '"');
}

/* TRUE for a srcset descriptor we understand: a number followed by w, x or
 * h ("640w", "1.5x"). */
static gboolean
is_srcset_descriptor (const char *start,
                      const char *end)
{
  if (end - start < 2 || (end[-1] != 'w' && end[-1] != 'x' && end[-1] != 'h'))
    return FALSE;

  for (const char *p = start; p < end - 1; p++)
    {
      if (!g_ascii_isdigit (*p) && *p != '.')
        return FALSE;
    }

  return TRUE;
}

/* Appends the image candidates of @value that resolve to allowed image URLs,
 * as "url descriptor, url descriptor"; returns FALSE when none does. Follows
 * the way browsers split the list: a URL runs up to white space (commas at
 * its end separate candidates), its descriptors up to the next comma. */
static gboolean
append_srcset (GString    *out,
               GUri       *base,
               const char *value)
{
  gboolean any = FALSE;
  const char *p = value;

  while (*p != '\0')
    {
      const char *url_start;
      const char *url_end;
      gboolean has_descriptors = TRUE;
      g_autofree char *url = NULL;
      g_autofree char *resolved = NULL;

      while (g_ascii_isspace (*p) || *p == ',')
        p++;
      if (*p == '\0')
        break;

      url_start = p;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
      url_end = p;

      if (url_end[-1] == ',')
        {
          has_descriptors = FALSE;
          while (url_end > url_start && url_end[-1] == ',')
            url_end--;
        }

      url = g_strndup (url_start, url_end - url_start);
      resolved = _tidings_uri_resolve_with (base, url);
      /* A comma at the end would be read as separating candidates. */
      if (resolved != NULL && (!tidings_uri_is_allowed (resolved, TIDINGS_URI_IMAGE)
                               || g_str_has_suffix (resolved, ",")))
        g_clear_pointer (&resolved, g_free);

      if (resolved != NULL)
        {
          if (any)
            append_str (out, ", ");
          _tidings_html_append_escaped (out, resolved, strlen (resolved), TRUE);
          any = TRUE;
        }

      if (!has_descriptors)
        continue;

      /* Descriptors: white-space separated tokens up to the next comma
       * outside parentheses; only the ones we understand are kept. */
      while (*p != '\0' && *p != ',')
        {
          const char *token_start;
          int parens = 0;

          while (g_ascii_isspace (*p))
            p++;

          token_start = p;
          while (*p != '\0' && (parens > 0 || (*p != ',' && !g_ascii_isspace (*p))))
            {
              if (*p == '(')
                parens++;
              else if (*p == ')')
                parens--;
              p++;
            }

          if (resolved != NULL && is_srcset_descriptor (token_start, p))
            {
              g_string_append_c (out, ' ');
              append_len (out, token_start, p - token_start);
            }
        }
    }

  return any;
}

/* Appends the URL of attribute @name when it resolves to one allowed for
 * @use; returns FALSE when it was left out. */
static gboolean
append_url_attribute (Sanitizer     *self,
                      const char    *name,
                      const char    *value,
                      TidingsUriUse  use)
{
  g_autofree char *resolved = NULL;

  if (value == NULL)
    return FALSE;

  resolved = _tidings_uri_resolve_with (self->base, value);
  if (resolved == NULL || !tidings_uri_is_allowed (resolved, use))
    return FALSE;

  append_attribute (self->out, name, resolved);
  return TRUE;
}

/* The element a <source> belongs to. libxml2 does not know <source> is void
 * and nests a following one inside it, so void elements are looked through. */
static const OpenElement *
find_parent (Sanitizer *self)
{
  for (guint i = self->stack->len; i > 0; i--)
    {
      const OpenElement *open = &g_array_index (self->stack, OpenElement, i - 1);

      if (open->info == NULL || !(open->info->flags & ELEMENT_VOID))
        return open;
    }

  return NULL;
}

/* Writes the start tag of @info with its allowed attributes from @atts;
 * returns FALSE (and writes nothing) when the element is better left out,
 * such as an image without an allowed source. */
static gboolean
write_start_tag (Sanitizer          *self,
                 const ElementInfo  *info,
                 const xmlChar     **atts)
{
  GString *out = self->out;
  gsize start = out->len;
  gboolean has_source = FALSE;
  TidingsUriUse src_use = TIDINGS_URI_IMAGE;
  gboolean src_allowed = TRUE;
  gboolean srcset_allowed = TRUE;

  if (info->flags & ELEMENT_MEDIA)
    {
      src_use = TIDINGS_URI_MEDIA;
      srcset_allowed = FALSE;
    }
  else if (strcmp (info->name, "source") == 0)
    {
      const OpenElement *parent = find_parent (self);

      /* In <picture> a source offers images (srcset), in <audio> and
       * <video> a media file (src); anywhere else it means nothing. */
      if (parent == NULL || parent->state != OPEN_WRITTEN || parent->info == NULL)
        return FALSE;
      if (parent->info->flags & ELEMENT_MEDIA)
        {
          src_use = TIDINGS_URI_MEDIA;
          srcset_allowed = FALSE;
        }
      else if (strcmp (parent->info->name, "picture") == 0)
        src_allowed = FALSE;
      else
        return FALSE;
    }

  g_string_append_c (out, '<');
  append_str (out, info->name);

  for (gsize i = 0; atts != NULL && atts[i] != NULL; i += 2)
    {
      const char *name = (const char *) atts[i];
      const char *value = (const char *) atts[i + 1];
      const AttrInfo *attr = lookup_attribute (name);

      if (attr == NULL || !(attr->bit & (info->attrs | A_GLOBAL)))
        continue;

      switch ((AttrKind) attr->kind)
        {
        case ATTR_TEXT:
          append_attribute (out, attr->name, value != NULL ? value : "");
          break;

        case ATTR_BOOLEAN:
          g_string_append_c (out, ' ');
          append_str (out, attr->name);
          break;

        case ATTR_LINK:
          append_url_attribute (self, attr->name, value, TIDINGS_URI_LINK);
          break;

        case ATTR_IMAGE:
          append_url_attribute (self, attr->name, value, TIDINGS_URI_IMAGE);
          break;

        case ATTR_SRC:
          if (src_allowed && append_url_attribute (self, attr->name, value, src_use))
            has_source = TRUE;
          break;

        case ATTR_SRCSET:
          if (srcset_allowed && value != NULL)
            {
              gsize before = out->len;

              append_str (out, " srcset=\"");
              if (append_srcset (out, self->base, value))
                {
                  g_string_append_c (out, '"');
                  has_source = TRUE;
                }
              else
                {
                  g_string_truncate (out, before);
                }
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (info->flags & ELEMENT_MEDIA)
    {
      /* Nothing plays by itself and nothing is fetched before the reader
       * asks for it. */
      append_str (out, " controls preload=\"none\"");
    }
  else if ((info->attrs & A_SRC) && !has_source)
    {
      /* An <img> or <source> with nothing left to load would only show as
       * a broken image. */
      g_string_truncate (out, start);
      return FALSE;
    }

  g_string_append_c (out, '>');
  return TRUE;
}

/* A presentation value may point into the same SVG (fill="url(#grad)")
 * but never at another document. */
static gboolean
foreign_value_is_safe (const char *value)
{
  const char *p = value;

  while ((p = strchr (p, '(')) != NULL)
    {
      const char *q = p + 1;

      while (g_ascii_isspace (*q) || *q == '"' || *q == '\'')
        q++;
      if (*q != '#')
        return FALSE;
      p = q;
    }
  return TRUE;
}

/* Writes the start tag of an SVG or MathML element: its allowed attributes,
 * the namespace declaration on the outermost one, and the xlink one where
 * an xlink attribute was written. */
static void
write_foreign_start_tag (Sanitizer          *self,
                         ElementNamespace    ns,
                         const char         *written,
                         gboolean            root,
                         const xmlChar     **atts)
{
  GString *out = self->out;
  guint8 where = ns == NS_SVG ? IN_SVG : IN_MATHML;
  gboolean xlink = FALSE;

  g_string_append_c (out, '<');
  append_str (out, written);
  if (root)
    append_attribute (out, "xmlns", ns == NS_SVG ? SVG_NAMESPACE : MATHML_NAMESPACE);

  for (gsize i = 0; atts != NULL && atts[i] != NULL; i += 2)
    {
      const char *name = (const char *) atts[i];
      const char *value = (const char *) atts[i + 1];
      const ForeignAttrInfo *attr = lookup_foreign_attribute (name);

      if (attr == NULL || !(attr->where & where) || value == NULL)
        continue;

      if (attr->kind == FOREIGN_LINK)
        {
          /* In SVG only <a> links; MathML may link any element. */
          if (ns == NS_SVG && strcmp (written, "a") != 0)
            continue;
          if (append_url_attribute (self, attr->written, value, TIDINGS_URI_LINK))
            xlink = TRUE;
          continue;
        }

      if (!foreign_value_is_safe (value))
        continue;
      append_attribute (out, attr->written, value);
      if (g_str_has_prefix (attr->name, "xlink:"))
        xlink = TRUE;
    }

  if (xlink)
    append_attribute (out, "xmlns:xlink", XLINK_NAMESPACE);
  g_string_append_c (out, '>');
}

/* Stops the parser at the end of the start tag it is reading, and notes
 * where that is to start again from there; see MAX_PARSER_DEPTH. */
static void
halt_parser (Sanitizer *self)
{
  xmlParserInputPtr input = self->ctxt->input;

  self->resume_at = input->consumed + (input->cur - input->base);
  self->halted = TRUE;
  xmlStopParser (self->ctxt);
}

/* An element inside <svg> or <math>: from the foreign allow-list, else
 * removed if HTML removes it, else unwrapped. */
static void
start_foreign_element (Sanitizer       *self,
                       OpenElement     *open,
                       const xmlChar  **atts)
{
  const ForeignElementInfo *info = lookup_foreign_element (open->ns, open->name);
  const ElementInfo *html = NULL;

  if (info == NULL)
    {
      html = lookup_element (open->name);
      if (html != NULL && html->action == ELEMENT_DROP)
        {
          open->state = OPEN_DROPPED;
          self->dropping++;
        }
      return;
    }

  if (info->action == ELEMENT_DROP)
    {
      open->state = OPEN_DROPPED;
      self->dropping++;
    }
  else if (self->written < MAX_DEPTH && !(self->links > 0 && strcmp (info->written, "a") == 0))
    {
      write_foreign_start_tag (self, open->ns, info->written, FALSE, atts);
      open->state = OPEN_WRITTEN;
      open->written = info->written;
      self->written++;
      if (strcmp (info->written, "a") == 0)
        self->links++;
    }
}

static void
on_start_element (void           *user_data,
                  const xmlChar  *name,
                  const xmlChar **atts)
{
  Sanitizer *self = user_data;
  OpenElement open = { (const char *) name, NULL, OPEN_UNWRAPPED, NS_HTML, NULL };

  if (self->halted)
    return;

  if (self->ctxt->nameNr > MAX_PARSER_DEPTH)
    halt_parser (self);

  if (self->dropping > 0)
    {
      open.state = OPEN_INSIDE;
      g_array_append_val (self->stack, open);
      return;
    }

  if (self->stack->len > 0)
    open.ns = g_array_index (self->stack, OpenElement, self->stack->len - 1).ns;

  if (open.ns != NS_HTML)
    {
      start_foreign_element (self, &open, atts);
      g_array_append_val (self->stack, open);
      return;
    }

  open.info = lookup_element (open.name);

  if (open.info == NULL)
    {
      /* Unknown: unwrapped. */
    }
  else if (open.info->action == ELEMENT_FOREIGN)
    {
      /* As text, an <svg> or <math> is just its words, like any unknown
       * element (and as tidings_html_to_text() reads it). */
      if (!self->text_only && self->written < MAX_DEPTH)
        {
          open.ns = strcmp (open.name, "svg") == 0 ? NS_SVG : NS_MATHML;
          open.written = open.ns == NS_SVG ? "svg" : "math";
          write_foreign_start_tag (self, open.ns, open.written, TRUE, atts);
          open.state = OPEN_WRITTEN;
          self->written++;
        }
    }
  else if (open.info->action == ELEMENT_DROP)
    {
      open.state = OPEN_DROPPED;
      self->dropping++;
    }
  else if (self->text_only)
    {
      if (open.info->flags & ELEMENT_BLOCK)
        g_string_append_c (self->out, ' ');
    }
  /* A link inside a link, which neither HTML nor SVG allows, is unwrapped:
   * parsers disagree on where the first one ends (libxml2's closes it at
   * the second's start tag if nothing stands between them, and with it an
   * <svg> around the second, found by fuzz-sanitize). */
  else if (open.info->action == ELEMENT_KEEP && self->written < MAX_DEPTH
           && !(self->links > 0 && strcmp (open.info->name, "a") == 0))
    {
      if (write_start_tag (self, open.info, atts))
        {
          open.state = OPEN_WRITTEN;
          open.written = open.info->name;
          if (!(open.info->flags & ELEMENT_VOID))
            self->written++;
          if (strcmp (open.written, "a") == 0)
            self->links++;
        }
    }

  g_array_append_val (self->stack, open);
}

static void
close_element (Sanitizer         *self,
               const OpenElement *open)
{
  switch (open->state)
    {
    case OPEN_DROPPED:
      self->dropping--;
      break;

    case OPEN_WRITTEN:
      /* Foreign elements are never void: they are always closed. */
      if (open->ns != NS_HTML || open->info == NULL || !(open->info->flags & ELEMENT_VOID))
        {
          append_str (self->out, "</");
          append_str (self->out, open->written);
          g_string_append_c (self->out, '>');
          self->written--;
          if (strcmp (open->written, "a") == 0)
            self->links--;
        }
      break;

    case OPEN_UNWRAPPED:
      if (self->text_only && open->info != NULL && (open->info->flags & ELEMENT_BLOCK))
        g_string_append_c (self->out, ' ');
      break;

    case OPEN_INSIDE:
    default:
      break;
    }
}

static void
on_end_element (void          *user_data,
                const xmlChar *name)
{
  Sanitizer *self = user_data;
  guint i;

  if (self->halted)
    return;

  /* libxml2 closes elements in order, so this is nearly always the last one
   * opened; should it not be, everything opened after it is closed too. */
  for (i = self->stack->len; i > 0; i--)
    {
      const OpenElement *open = &g_array_index (self->stack, OpenElement, i - 1);

      if (open->name == (const char *) name || strcmp (open->name, (const char *) name) == 0)
        break;
    }

  if (i == 0)
    return;

  while (self->stack->len >= i)
    {
      close_element (self, &g_array_index (self->stack, OpenElement, self->stack->len - 1));
      g_array_set_size (self->stack, self->stack->len - 1);
    }
}

static void
on_characters (void          *user_data,
               const xmlChar *text,
               int            len)
{
  Sanitizer *self = user_data;

  if (self->halted || self->dropping > 0 || len <= 0)
    return;

  if (self->text_only)
    append_plain (self->out, (const char *) text, len);
  else
    _tidings_html_append_escaped (self->out, (const char *) text, len, FALSE);
}

static void
on_error (void       *user_data,
          const char *message,
          ...)
{
}

static void
on_structured_error (void        *user_data,
                     xmlErrorPtr  error)
{
}

/* One parser context per thread, reused: creating one (dictionary, stacks,
 * SAX handler) for each of thousands of short items costs more than
 * resetting it. */
static GPrivate parser_context = G_PRIVATE_INIT ((GDestroyNotify) htmlFreeParserCtxt);

static htmlParserCtxtPtr
get_parser_context (void)
{
  static gsize initialized = 0;
  htmlParserCtxtPtr ctxt;

  if (g_once_init_enter (&initialized))
    {
      g_assert (tables_are_sorted ());
      _tidings_xml_init ();
      g_once_init_leave (&initialized, 1);
    }

  ctxt = g_private_get (&parser_context);
  if (ctxt == NULL)
    {
      ctxt = htmlNewParserCtxt ();
      if (ctxt == NULL)
        g_error ("Out of memory creating an HTML parser");
      g_private_set (&parser_context, ctxt);
    }

  return ctxt;
}

static void
release_parser_context (htmlParserCtxtPtr ctxt)
{
  if ((ctxt->dict != NULL && xmlDictSize (ctxt->dict) > MAX_REUSED_DICT_SIZE)
      || ctxt->nameMax > MAX_REUSED_NAME_TAB)
    {
      /* Frees the old one through the GPrivate's destroy notify. */
      g_private_replace (&parser_context, NULL);
    }
}

/* Runs the parser over the @len bytes of valid UTF-8 @html, wrapped, until
 * it ends or halt_parser() stops it. */
static void
run_parser (Sanitizer  *self,
            const char *html,
            gsize       len)
{
  htmlParserCtxtPtr ctxt = self->ctxt;
  htmlSAXHandler sax = { 0 };
  xmlParserInputBufferPtr buffer;
  xmlParserInputPtr input = NULL;

  sax.startElement = on_start_element;
  sax.endElement = on_end_element;
  sax.characters = on_characters;
  sax.ignorableWhitespace = on_characters;
  sax.cdataBlock = on_characters;
  sax.warning = on_error;
  sax.error = on_error;
  sax.fatalError = on_error;
  /* The structured handler is only consulted with the SAX2 magic; it keeps
   * errors away from any global handler someone else installed. */
  sax.serror = on_structured_error;
  sax.initialized = XML_SAX2_MAGIC;

  htmlCtxtReset (ctxt);
  memcpy (ctxt->sax, &sax, sizeof sax);
  ctxt->userData = self;
  self->halted = FALSE;

  /* What htmlCtxtReadMemory() does, but declaring the input UTF-8 without
   * installing a converter: libxml2 would otherwise push the whole input
   * through a UTF-8 to UTF-8 "conversion" (a third of the cost of parsing a
   * title) or, given no encoding at all, guess Latin-1. IGNORE_ENC stops a
   * <meta charset> in the fragment from switching encodings half way. The
   * input is copied into a buffer of libxml2's own: its static buffers are
   * mishandled when the parser shrinks its input in 2.9. */
  buffer = xmlAllocParserInputBuffer (XML_CHAR_ENCODING_NONE);
  if (buffer == NULL
      || xmlParserInputBufferPush (buffer, strlen (WRAPPER_START), WRAPPER_START) < 0
      || xmlParserInputBufferPush (buffer, (int) len, html) < 0
      || xmlParserInputBufferPush (buffer, strlen (WRAPPER_END), WRAPPER_END) < 0
      || (input = xmlNewIOInputStream (ctxt, buffer, XML_CHAR_ENCODING_NONE)) == NULL)
    {
      g_clear_pointer (&buffer, xmlFreeParserInputBuffer);
      g_error ("Out of memory creating an HTML parser input");
    }
  inputPush (ctxt, input);
  xmlSwitchEncoding (ctxt, XML_CHAR_ENCODING_UTF8);
  htmlCtxtUseOptions (ctxt, PARSE_OPTIONS);

  htmlParseDocument (ctxt);
  if (ctxt->myDoc != NULL)
    g_clear_pointer (&ctxt->myDoc, xmlFreeDoc);

  ctxt->userData = NULL;
}

/* Returns a copy of @html with the attributes past MAX_ATTRIBUTES in any
 * one tag cut out, or NULL when no tag has that many. Tags are found as
 * libxml2 finds them: '<' and a letter, up to a '>' that is not inside a
 * quoted attribute value; attributes are counted as words. */
static GString *
limit_attributes (const char *html,
                  gsize       len)
{
  GString *limited = NULL;
  const char *copied = html;  /* what comes before is in @limited */
  const char *end = html + len;
  const char *p = html;

  while ((p = memchr (p, '<', end - p)) != NULL)
    {
      const char *cut = NULL;
      guint words = 0;
      gboolean after_space = FALSE;
      gboolean after_equals = FALSE;
      char quote = '\0';

      if (++p == end || !g_ascii_isalpha (*p))
        continue;

      for (; p < end && (quote != '\0' || *p != '>'); p++)
        {
          if (quote != '\0')
            {
              if (*p == quote)
                quote = '\0';
            }
          else if (g_ascii_isspace (*p))
            {
              after_space = TRUE;
            }
          else if (after_equals && (*p == '"' || *p == '\''))
            {
              quote = *p;
              after_equals = FALSE;
            }
          else
            {
              after_equals = *p == '=';
              if (after_space && ++words > MAX_ATTRIBUTES && cut == NULL)
                cut = p;
              after_space = FALSE;
            }
        }

      if (cut != NULL)
        {
          if (limited == NULL)
            limited = g_string_sized_new (len);
          g_string_append_len (limited, copied, cut - copied);
          copied = p;
        }

      if (p == end)
        break;
    }

  if (limited != NULL)
    g_string_append_len (limited, copied, end - copied);

  return limited;
}

/* Runs @self over the @len bytes of valid UTF-8 @html. */
static void
parse_fragment (Sanitizer  *self,
                const char *html,
                gsize       len)
{
  g_autoptr(GString) limited = limit_attributes (html, len);
  gsize start = 0;

  if (limited != NULL)
    {
      html = limited->str;
      len = limited->len;
    }

  /* libxml2 takes an int size; nothing a feed carries comes near. */
  len = MIN (len, (gsize) G_MAXINT - 64);

  self->ctxt = get_parser_context ();

  while (start < len)
    {
      gsize stopped_at;

      run_parser (self, html + start, len - start);
      if (!self->halted)
        break;

      /* The offset counts our wrapper's start tag too. */
      stopped_at = self->resume_at - strlen (WRAPPER_START);
      if (self->resume_at <= strlen (WRAPPER_START) || stopped_at > len - start)
        break;

      start += stopped_at;
      if (start < len && html[start] == '/')
        start++;
      if (start < len && html[start] == '>')
        start++;
    }

  release_parser_context (self->ctxt);
  self->ctxt = NULL;

  /* Close whatever the parser left open. */
  while (self->stack->len > 0)
    {
      close_element (self, &g_array_index (self->stack, OpenElement, self->stack->len - 1));
      g_array_set_size (self->stack, self->stack->len - 1);
    }
}

/* Returns @html as valid UTF-8 without NUL bytes: @html itself when it
 * already is, else a repaired copy stored in @repaired. */
static const char *
ensure_utf8 (const char  *html,
             gsize       *len,
             char       **repaired)
{
  if (_tidings_utf8_validate (html, *len, NULL))
    return html;

  *repaired = g_utf8_make_valid (html, *len);
  *len = strlen (*repaired);
  return *repaired;
}

static char *
finish_output (GString *out)
{
  /* Belt and braces: the parser should only ever hand us UTF-8. */
  if (!_tidings_utf8_validate (out->str, out->len, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, out->len);

      g_string_free (out, TRUE);
      return valid;
    }

  return g_string_free (out, FALSE);
}

char *
tidings_sanitize_html (const char *html,
                       gssize      len,
                       const char *base_uri)
{
  g_autofree char *repaired = NULL;
  g_autoptr(GUri) base = NULL;
  gsize length;
  Sanitizer self = { 0 };

  g_return_val_if_fail (html != NULL || len == 0, NULL);

  if (html == NULL)
    return g_strdup ("");

  length = len < 0 ? strlen (html) : (gsize) len;
  html = ensure_utf8 (html, &length, &repaired);

  self.out = g_string_sized_new (length + length / 8 + 16);

  /* Plain text, as many summaries are: nothing for a parser to do. */
  if (memchr (html, '<', length) == NULL)
    {
      append_decoded (self.out, html, length, FALSE);
      return finish_output (self.out);
    }

  base = _tidings_uri_parse_base (base_uri);
  self.base = base;
  self.stack = g_array_sized_new (FALSE, FALSE, sizeof (OpenElement), 32);

  parse_fragment (&self, html, length);

  g_array_unref (self.stack);
  return finish_output (self.out);
}

/* Finds the '>' that ends the tag whose name ends at @p, skipping quoted
 * attribute values. NULL when the tag is never closed. */
static const char *
find_tag_end (const char *p,
              const char *end)
{
  char quote = 0;

  for (; p < end; p++)
    {
      if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
        }
      else if (*p == '"' || *p == '\'')
        {
          /* Quotes open a value only after '='. */
          const char *q = p - 1;

          while (g_ascii_isspace (*q))
            q--;
          if (*q == '=')
            quote = *p;
        }
      else if (*p == '>')
        return p;
    }
  return NULL;
}

/* Finds "</name" (any case) from @p; returns the position of its '<'. */
static const char *
find_end_tag (const char *p,
              const char *end,
              const char *name,
              gsize       name_len)
{
  while ((p = memchr (p, '<', end - p)) != NULL)
    {
      gsize left = end - p;

      /* "</name" followed by anything but a letter or digit, or by the end. */
      if (left >= name_len + 2 && p[1] == '/' &&
          g_ascii_strncasecmp (p + 2, name, name_len) == 0 &&
          (left == name_len + 2 || !g_ascii_isalnum (p[2 + name_len])))
        return p;
      p++;
    }
  return NULL;
}

/* Text from markup, for titles and summaries, without a parser: HTML's
 * own tokenising rules are simple enough for text. Tags and comments go,
 * the content of dropped elements (script, style, ...) too, block elements
 * and <br> become spaces, references are decoded. What comes out is text,
 * never markup, so a misreading can only cost words, not safety. */
static void
strip_markup (GString    *out,
              const char *html,
              gsize       len)
{
  const char *end = html + len;
  const char *text = html;
  const char *p = html;

  while ((p = memchr (p, '<', end - p)) != NULL)
    {
      const char *name = p + 1;
      const char *name_end;
      const char *tag_end;
      const ElementInfo *info;
      gboolean closing = FALSE;
      char lower[16];
      gsize n;

      if (name < end && *name == '/')
        {
          closing = TRUE;
          name++;
        }

      if (name < end && *name == '!' && !closing)
        {
          /* A comment, or a doctype or CDATA-like declaration. */
          const char *close;

          append_decoded (out, text, p - text, TRUE);
          if ((gsize) (end - p) >= 4 && memcmp (p, "<!--", 4) == 0)
            {
              close = g_strstr_len (p + 4, end - p - 4, "-->");
              p = close != NULL ? close + 3 : end;
            }
          else
            {
              close = memchr (p, '>', end - p);
              p = close != NULL ? close + 1 : end;
            }
          text = p;
          continue;
        }

      /* '<' not followed by a letter is text, as in "5 < 6". */
      if (name >= end || !g_ascii_isalpha (*name))
        {
          p++;
          continue;
        }

      name_end = name;
      while (name_end < end && !g_ascii_isspace (*name_end) && *name_end != '/' &&
             *name_end != '>')
        name_end++;

      append_decoded (out, text, p - text, TRUE);
      tag_end = find_tag_end (name_end, end);
      if (tag_end == NULL)
        {
          /* An unfinished tag at the end swallows the rest, as in HTML. */
          text = p = end;
          break;
        }
      p = tag_end + 1;
      text = p;

      n = name_end - name;
      if (n >= sizeof lower)
        continue;
      for (gsize i = 0; i < n; i++)
        lower[i] = g_ascii_tolower (name[i]);
      lower[n] = '\0';
      info = lookup_element (lower);
      if (info == NULL)
        continue;

      if (info->flags & ELEMENT_BLOCK)
        g_string_append_c (out, ' ');

      if (!closing && info->action == ELEMENT_DROP && !(info->flags & ELEMENT_VOID) &&
          tag_end[-1] != '/')
        {
          const char *close = find_end_tag (p, end, lower, n);
          const char *close_end = close != NULL ? memchr (close, '>', end - close) : NULL;

          text = p = close_end != NULL ? close_end + 1 : end;
        }
    }

  append_decoded (out, text, end - text, TRUE);
}

char *
tidings_html_to_text (const char *html,
                      gssize      len)
{
  g_autofree char *repaired = NULL;
  gsize length;
  Sanitizer self = { 0 };

  g_return_val_if_fail (html != NULL || len == 0, NULL);

  if (html == NULL)
    return g_strdup ("");

  length = len < 0 ? strlen (html) : (gsize) len;
  html = ensure_utf8 (html, &length, &repaired);

  self.out = g_string_sized_new (length + 1);
  self.text_only = TRUE;

  if (memchr (html, '<', length) == NULL)
    {
      /* The common case for titles, entities and all: no parser needed. */
      append_decoded (self.out, html, length, TRUE);
    }
  else
    strip_markup (self.out, html, length);

  return tidings_collapse_space (finish_output (self.out));
}

/* The parser's reading of @html as text; what tidings_html_to_text() gave
 * before it learnt to strip markup itself, kept to check that it still
 * agrees. */
char *
_tidings_html_to_text_parsed (const char *html,
                              gssize      len)
{
  g_autofree char *repaired = NULL;
  gsize length;
  Sanitizer self = { 0 };

  length = len < 0 ? strlen (html) : (gsize) len;
  html = ensure_utf8 (html, &length, &repaired);

  self.out = g_string_sized_new (length + 1);
  self.text_only = TRUE;
  self.stack = g_array_sized_new (FALSE, FALSE, sizeof (OpenElement), 16);
  parse_fragment (&self, html, length);
  g_array_unref (self.stack);

  return tidings_collapse_space (finish_output (self.out));
}

/* Appends one paragraph: the lines from @start to @end joined with <br>. */
static void
append_paragraph (GString    *out,
                  const char *start,
                  const char *end)
{
  append_str (out, "<p>");

  while (start < end)
    {
      const char *newline = memchr (start, '\n', end - start);
      const char *line_end = newline != NULL ? newline : end;

      _tidings_html_append_escaped (out, start, line_end - start, TRUE);
      if (newline == NULL)
        break;
      append_str (out, "<br>");
      start = newline + 1;
    }

  append_str (out, "</p>");
}

static gboolean
is_blank (const char *start,
          const char *end)
{
  for (const char *p = start; p < end; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }
  return TRUE;
}

/* Turns "\r\n" and lone "\r" into "\n", in place. */
static void
normalize_line_breaks (char *text)
{
  char *out = text;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          *out++ = '\n';
          if (p[1] == '\n')
            p++;
        }
      else
        {
          *out++ = *p;
        }
    }
  *out = '\0';
}

char *
tidings_text_to_html (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;
  const char *p;
  const char *end;
  const char *paragraph = NULL;  /* start of the paragraph being gathered */
  const char *last_text = NULL;  /* end of its last non-blank line */

  g_return_val_if_fail (text != NULL, NULL);

  valid = g_utf8_make_valid (text, -1);

  /* Line breaks as "\n" only, whatever the publisher's system. */
  if (strchr (valid, '\r') != NULL)
    normalize_line_breaks (valid);
  p = valid;

  end = p + strlen (p);
  out = g_string_sized_new ((end - p) + (end - p) / 8 + 8);

  /* Paragraphs are runs of non-blank lines; blank lines separate them. */
  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *line_end = newline != NULL ? newline : end;

      if (is_blank (p, line_end))
        {
          if (paragraph != NULL)
            append_paragraph (out, paragraph, last_text);
          paragraph = NULL;
        }
      else
        {
          if (paragraph == NULL)
            paragraph = p;
          last_text = line_end;
        }

      p = newline != NULL ? newline + 1 : end;
    }

  if (paragraph != NULL)
    append_paragraph (out, paragraph, last_text);

  return g_string_free (out, FALSE);
}

char *
tidings_collapse_space (char *text)
{
  char *out;
  gboolean pending_space = FALSE;

  if (text == NULL)
    return NULL;

  out = text;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          /* Only between words: leading space is never written. */
          pending_space = out != text;
          continue;
        }

      if (pending_space)
        *out++ = ' ';
      pending_space = FALSE;
      *out++ = *p;
    }
  *out = '\0';

  return text;
}
