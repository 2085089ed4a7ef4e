/* tidings-discover.c: finding the feeds a web page offers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Given any address: fetch it; a feed is its own answer. A web page is read
 * (libxml2's HTML parser, SAX, no tree) for the feeds it links to. Failing
 * both, a handful of common paths on the same site are tried. Parsing the
 * bodies runs on a worker thread: pages and feeds can be megabytes.
 *
 * What a <link> must look like to count (browsers and feed readers agree on
 * the first four; the rest are deliberately narrow):
 * - rel, a token list, holds "alternate" or "feed" (the hAtom-era keyword);
 * - type is application/rss+xml, application/atom+xml, application/rdf+xml or
 *   application/feed+json (and the old application/x-rss+xml and
 *   application/x-atom+xml);
 * - type application/json counts only when its title or the last segment of
 *   its address says "feed": JSON Feed 1.0 suggested that type, but every
 *   WordPress page also links its REST API as an application/json alternate;
 * - type text/xml or application/xml counts only when its title or the last
 *   segment of its address says rss, atom, rdf or feed, as on sites from
 *   before the feed types were registered; its mime_type is left NULL, since
 *   the format is not known until it is fetched;
 * - rel="feed" without a type counts (mime_type NULL); rel="alternate"
 *   without a type is a translation or a print version, not a feed; a
 *   rel="feed" of type text/html is an h-feed page, not a feed document.
 */

#define G_LOG_DOMAIN "tidings-discover"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "tidings-discover.h"
#include "tidings-parser.h"
#include "tidings-uri.h"
#include "tidings-xml-input.h"

G_DEFINE_QUARK (tidings-discover-error-quark, tidings_discover_error)

/* NULL-terminated. Each one is a request to someone else's server, so the
 * list is short: the paths of WordPress, Jekyll, Hugo and most generators. */
const char * const tidings_discover_common_paths[] = {
  "/feed",
  "/rss",
  "/atom.xml",
  "/feed.json",
  "/index.xml",
  NULL
};

/* Feed links belong in the head, and nearly always are there; a page whose
 * first megabytes hold none is not read further. This also bounds the time
 * spent on a hostile page. */
#define MAX_SCAN_BYTES (2 * 1024 * 1024)

/* libxml2 checks each attribute of a tag against all the others before it;
 * a tag with a hundred thousand of them takes minutes. Tags are cut down to
 * this many attribute-like words before the parser sees them. */
#define MAX_ATTRIBUTES 64

#define PIECE_SIZE (64 * 1024)

/* How much of a document is looked at to tell HTML from a feed. */
#define SNIFF_BYTES 4096

void
tidings_feed_link_free (TidingsFeedLink *link)
{
  if (link == NULL)
    return;
  g_free (link->url);
  g_free (link->title);
  g_free (link->mime_type);
  g_free (link);
}

static TidingsFeedLink *
feed_link_new (const char *url,
               const char *title,
               const char *mime_type)
{
  TidingsFeedLink *link = g_new0 (TidingsFeedLink, 1);

  link->url = g_strdup (url);
  link->title = g_strdup (title);
  link->mime_type = g_strdup (mime_type);
  return link;
}

static GPtrArray *
link_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_feed_link_free);
}

/* An absolute http(s) address with a host ("http:feed.xml" has none). */
static gboolean
is_http_url (const char *url)
{
  /* An interned, lower-case string: nothing to free. */
  const char *scheme = url != NULL ? g_uri_peek_scheme (url) : NULL;
  g_autoptr(GUri) uri = NULL;

  if (scheme == NULL || (strcmp (scheme, "http") != 0 && strcmp (scheme, "https") != 0))
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_PARSE_RELAXED | G_URI_FLAGS_ENCODED, NULL);
  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* ---- reading a page ------------------------------------------------------ */

typedef struct
{
  char *href;
  char *title;
  char *mime_type;
  int   rank;        /* icons: lower is better */
} RawLink;

static void
raw_link_free (RawLink *raw)
{
  g_free (raw->href);
  g_free (raw->title);
  g_free (raw->mime_type);
  g_free (raw);
}

typedef struct
{
  htmlParserCtxtPtr  ctxt;
  GPtrArray         *raw_links;   /* RawLink, in document order */
  GPtrArray         *icons;       /* RawLink of icon links; NULL when not looked for */
  char              *base_href;   /* the first <base href>, as written */
  guint              mismatches;
} Scan;

static const char *
get_attribute (const xmlChar **attributes,
               const char     *name)
{
  if (attributes == NULL)
    return NULL;
  /* The HTML parser gives names in lower case, values with entities
   * decoded; a value may be NULL (<link hidden>). */
  for (guint i = 0; attributes[i] != NULL; i += 2)
    if (strcmp ((const char *) attributes[i], name) == 0)
      return (const char *) attributes[i + 1];
  return NULL;
}

static gboolean
has_token (const char *list,
           const char *token)
{
  g_auto(GStrv) tokens = NULL;

  if (list == NULL)
    return FALSE;
  tokens = g_strsplit_set (list, " \t\n\r\f", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_ascii_strcasecmp (tokens[i], token) == 0)
      return TRUE;
  return FALSE;
}

/* The media type alone, lower case, without parameters or white space. */
static char *
media_type (const char *type)
{
  const char *end;

  if (type == NULL)
    return NULL;
  end = strchr (type, ';');
  return g_strstrip (g_ascii_strdown (type, end != NULL ? end - type : -1));
}

/* The last segment of @href's path, lower case. */
static char *
last_segment (const char *href)
{
  g_autofree char *path = g_strndup (href, strcspn (href, "?#"));
  const char *slash;

  while (g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';
  slash = strrchr (path, '/');
  return g_ascii_strdown (slash != NULL ? slash + 1 : path, -1);
}

static gboolean
hints_at (const char *title,
          const char *href,
          const char * const *words)
{
  g_autofree char *lower_title = title != NULL ? g_ascii_strdown (title, -1) : NULL;
  g_autofree char *segment = last_segment (href);

  for (guint i = 0; words[i] != NULL; i++)
    if ((lower_title != NULL && strstr (lower_title, words[i]) != NULL) ||
        strstr (segment, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* How well a <link> suits as a feed's icon in a list, lower being better, or
 * -1 when it is no icon we can use: "icon" (and "shortcut icon") before
 * "apple-touch-icon", sizes near 32 px first, then larger ones, then tiny
 * ones. SVG is left out: the window rasterises only bitmap formats. */
static int
rank_icon (const char *rel,
           const char *type,
           const char *sizes,
           const char *href)
{
  g_autofree char *mime_type = media_type (type);
  g_autofree char *segment = last_segment (href);
  guint64 size = 0;
  int rank;

  if (has_token (rel, "icon"))
    rank = 0;
  else if (has_token (rel, "apple-touch-icon") || has_token (rel, "apple-touch-icon-precomposed"))
    rank = 2000;
  else
    return -1;
  if ((mime_type != NULL && g_str_equal (mime_type, "image/svg+xml"))
      || g_str_has_suffix (segment, ".svg") || g_str_has_prefix (href, "data:"))
    return -1;

  if (sizes != NULL)
    {
      char *end = NULL;

      /* "32x32", or the first of "16x16 32x32"; "any" is for SVG. */
      size = g_ascii_strtoull (sizes, &end, 10);
      if (end == sizes || (*end != 'x' && *end != 'X') || size > 4096)
        size = 0;
    }
  if (size == 0)
    return rank + 100;
  if (size < 16)
    return rank + 500 + (int) (16 - size);
  return rank + (int) (size > 32 ? size - 32 : 32 - size);
}

/* Decides whether a <link> names a feed (see the top of the file). Returns
 * TRUE and sets @mime_type (NULL when the format is not known yet). */
static gboolean
classify_link (const char  *rel,
               const char  *type,
               const char  *href,
               const char  *title,
               const char **mime_type)
{
  static const char * const feed_types[][2] = {
    { "application/rss+xml", "application/rss+xml" },
    { "application/atom+xml", "application/atom+xml" },
    { "application/rdf+xml", "application/rdf+xml" },
    { "application/feed+json", "application/feed+json" },
    { "application/x-rss+xml", "application/rss+xml" },
    { "application/x-atom+xml", "application/atom+xml" },
  };
  static const char * const json_hints[] = { "feed", NULL };
  static const char * const xml_hints[] = { "rss", "atom", "rdf", "feed", NULL };
  gboolean alternate = has_token (rel, "alternate");
  gboolean feed = has_token (rel, "feed");
  g_autofree char *media = media_type (type);

  *mime_type = NULL;
  if (!alternate && !feed)
    return FALSE;

  if (media == NULL || *media == '\0')
    return feed;

  for (guint i = 0; i < G_N_ELEMENTS (feed_types); i++)
    if (strcmp (media, feed_types[i][0]) == 0)
      {
        *mime_type = feed_types[i][1];
        return TRUE;
      }

  if (strcmp (media, "application/json") == 0 && hints_at (title, href, json_hints))
    {
      *mime_type = "application/feed+json";
      return TRUE;
    }

  if ((strcmp (media, "text/xml") == 0 || strcmp (media, "application/xml") == 0) &&
      hints_at (title, href, xml_hints))
    return TRUE;

  return FALSE;
}

static void
on_start_element (void           *ctx,
                  const xmlChar  *name,
                  const xmlChar **attributes)
{
  Scan *scan = ctx;

  if (strcmp ((const char *) name, "base") == 0)
    {
      const char *href = get_attribute (attributes, "href");

      /* Only the first <base> with an href counts, as in browsers. */
      if (scan->base_href == NULL && href != NULL)
        scan->base_href = g_strdup (href);
    }
  else if (strcmp ((const char *) name, "link") == 0)
    {
      const char *href = get_attribute (attributes, "href");
      const char *title = get_attribute (attributes, "title");
      const char *mime_type = NULL;
      RawLink *raw;

      if (href == NULL || *href == '\0')
        return;
      if (scan->icons != NULL)
        {
          int rank = rank_icon (get_attribute (attributes, "rel"),
                                get_attribute (attributes, "type"),
                                get_attribute (attributes, "sizes"), href);

          if (rank >= 0)
            {
              raw = g_new0 (RawLink, 1);
              raw->href = g_strdup (href);
              raw->rank = rank;
              g_ptr_array_add (scan->icons, raw);
            }
        }
      if (!classify_link (get_attribute (attributes, "rel"), get_attribute (attributes, "type"),
                          href, title, &mime_type))
        return;

      raw = g_new0 (RawLink, 1);
      raw->href = g_strdup (href);
      if (title != NULL)
        {
          raw->title = g_strstrip (g_strdup (title));
          if (*raw->title == '\0')
            g_clear_pointer (&raw->title, g_free);
        }
      raw->mime_type = g_strdup (mime_type);
      g_ptr_array_add (scan->raw_links, raw);
    }
}

static void
ignore_message (void       *ctx,
                const char *message,
                ...)
{
}

/* libxml2 looks for each end tag through the whole stack of open elements;
 * a page of ten thousand unclosed <div> and as many stray end tags takes it
 * minutes. Real pages have a few stray end tags, not thousands: past this
 * many, the page is given up on (what was found so far is kept). */
#define MAX_MISMATCHES 1000

static void
on_structured_error (void        *ctx,
                     xmlErrorPtr  error)
{
  Scan *scan = ctx;

  if (error != NULL && error->code == XML_ERR_TAG_NAME_MISMATCH &&
      ++scan->mismatches == MAX_MISMATCHES)
    {
      g_debug ("Too many stray end tags; the rest of the page is not read");
      xmlStopParser (scan->ctxt);
    }
}

/* Appends @html to @out with every tag cut down to MAX_ATTRIBUTES
 * attribute-like words. A tag is '<' and a letter up to a '>' outside
 * quotes; words are runs of non-space outside quotes. Where this reading
 * and libxml2's differ (inside comments and scripts), what is cut cannot
 * be a <link> that libxml2 would have seen anyway. */
static void
append_limited (GString    *out,
                const char *html,
                gsize       len)
{
  const char *end = html + len;
  const char *copied = html;
  const char *p = html;

  while ((p = memchr (p, '<', end - p)) != NULL)
    {
      const char *q = p + 1;
      guint words = 0;
      gboolean in_word = FALSE;
      char quote = '\0';
      const char *cut = NULL;

      if (q >= end || !g_ascii_isalpha (*q))
        {
          p = q;
          continue;
        }

      for (; q < end; q++)
        {
          if (quote != '\0')
            {
              if (*q == quote)
                quote = '\0';
              continue;
            }
          if (*q == '>')
            break;
          if (*q == '"' || *q == '\'')
            {
              /* A quote opens a value only after '=' (possibly spaced). */
              const char *b = q - 1;

              while (b > p && g_ascii_isspace (*b))
                b--;
              if (*b == '=')
                {
                  quote = *q;
                  continue;
                }
            }
          if (g_ascii_isspace (*q) || *q == '/')
            in_word = FALSE;
          else if (!in_word && *q != '=')
            {
              /* "name = value" is one attribute, not three words. */
              const char *b = q - 1;

              while (b > p && g_ascii_isspace (*b))
                b--;
              in_word = TRUE;
              if (*b != '=' && ++words > MAX_ATTRIBUTES + 1 && cut == NULL)
                cut = q;
            }
        }

      if (cut != NULL)
        {
          g_string_append_len (out, copied, cut - copied);
          copied = q;   /* the '>' (or the end) */
        }
      p = q;
      if (p >= end)
        break;
    }
  g_string_append_len (out, copied, end - copied);
}

/* Runs libxml2's HTML parser over at most MAX_SCAN_BYTES of @html. */
static void
scan_page (Scan       *scan,
           const char *html,
           gsize       len)
{
  static gsize initialised = 0;
  htmlSAXHandler sax = { 0 };
  htmlParserCtxtPtr ctxt;
  g_autoptr(GString) limited = g_string_sized_new (MIN (len, (gsize) MAX_SCAN_BYTES) + 1);
  const char *p;
  gsize left;

  if (g_once_init_enter (&initialised))
    {
      _tidings_xml_init ();
      g_once_init_leave (&initialised, 1);
    }

  append_limited (limited, html, MIN (len, (gsize) MAX_SCAN_BYTES));

  sax.startElement = on_start_element;
  sax.warning = ignore_message;
  sax.error = ignore_message;
  sax.fatalError = ignore_message;
  /* Consulted only with the SAX2 magic; keeps errors from any global
   * handler someone else installed. */
  sax.serror = on_structured_error;
  sax.initialized = XML_SAX2_MAGIC;

  /* The push parser copies the input into buffers of its own; no encoding
   * given, it reads a BOM or <meta charset> and falls back to Latin-1 for
   * bytes that are not UTF-8. */
  ctxt = htmlCreatePushParserCtxt (&sax, scan, NULL, 0, NULL, XML_CHAR_ENCODING_NONE);
  if (ctxt == NULL)
    g_error ("Out of memory creating an HTML parser");
  scan->ctxt = ctxt;
  htmlCtxtUseOptions (ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                      HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | HTML_PARSE_NODEFDTD);

  p = limited->str;
  left = limited->len;
  for (;;)
    {
      int piece = (int) MIN (left, (gsize) PIECE_SIZE);
      gboolean last = (gsize) piece == left;

      htmlParseChunk (ctxt, p, piece, last);
      p += piece;
      left -= piece;
      if (last || ctxt->instate == XML_PARSER_EOF)
        break;
    }

  if (ctxt->myDoc != NULL)
    xmlFreeDoc (ctxt->myDoc);
  htmlFreeParserCtxt (ctxt);
  scan->ctxt = NULL;
}

/* What the links of a scanned page are relative to. */
static char *
scan_base (Scan       *scan,
           const char *page_url)
{
  char *base = NULL;

  /* The base applies to every link, also those before it. A base that is
   * not itself on the web (javascript:, data:) is no base. */
  if (page_url != NULL && !is_http_url (page_url))
    page_url = NULL;
  if (scan->base_href != NULL)
    base = tidings_uri_resolve (page_url, scan->base_href);
  if (base != NULL && !is_http_url (base))
    g_clear_pointer (&base, g_free);
  if (base == NULL)
    base = g_strdup (page_url);
  return base;
}

GPtrArray *
tidings_discover_scan_html (const char *html,
                            gsize       len,
                            const char *page_url)
{
  g_autoptr(GPtrArray) links = link_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *base = NULL;
  Scan scan = { NULL, };

  g_return_val_if_fail (html != NULL || len == 0, NULL);

  if (len == 0)
    return g_steal_pointer (&links);

  scan.raw_links = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_link_free);
  scan_page (&scan, html, len);
  base = scan_base (&scan, page_url);

  for (guint i = 0; i < scan.raw_links->len; i++)
    {
      RawLink *raw = scan.raw_links->pdata[i];
      g_autofree char *url = tidings_uri_resolve (base, raw->href);
      TidingsFeedLink *link;

      if (url == NULL || !is_http_url (url) || g_hash_table_contains (seen, url))
        continue;
      link = feed_link_new (url, raw->title, raw->mime_type);
      g_hash_table_add (seen, link->url);
      g_ptr_array_add (links, link);
    }

  g_ptr_array_unref (scan.raw_links);
  g_free (scan.base_href);
  return g_steal_pointer (&links);
}

static int
compare_rank (gconstpointer a,
              gconstpointer b)
{
  const RawLink *first = *(RawLink * const *) a;
  const RawLink *second = *(RawLink * const *) b;

  return first->rank - second->rank;
}

GPtrArray *
tidings_discover_scan_icons (const char *html,
                             gsize       len,
                             const char *page_url)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *base = NULL;
  Scan scan = { NULL, };

  g_return_val_if_fail (html != NULL || len == 0, NULL);

  if (len == 0)
    return g_steal_pointer (&urls);

  scan.raw_links = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_link_free);
  scan.icons = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_link_free);
  scan_page (&scan, html, len);
  base = scan_base (&scan, page_url);

  /* Stable: among equals, document order. */
  g_ptr_array_sort (scan.icons, compare_rank);
  for (guint i = 0; i < scan.icons->len; i++)
    {
      RawLink *raw = scan.icons->pdata[i];
      char *url = tidings_uri_resolve (base, raw->href);

      if (url == NULL || !is_http_url (url)
          || g_ptr_array_find_with_equal_func (urls, url, g_str_equal, NULL))
        g_free (url);
      else
        g_ptr_array_add (urls, url);
    }

  g_ptr_array_unref (scan.raw_links);
  g_ptr_array_unref (scan.icons);
  g_free (scan.base_href);
  return g_steal_pointer (&urls);
}

/* ---- telling a page from a feed ------------------------------------------ */

static gboolean
has_prefix_nocase (const char *p,
                   const char *end,
                   const char *prefix)
{
  gsize n = strlen (prefix);

  return (gsize) (end - p) >= n && g_ascii_strncasecmp (p, prefix, n) == 0;
}

/* Skips to just past @terminator; NULL when it does not come. */
static const char *
skip_past (const char *p,
           const char *end,
           const char *terminator)
{
  gsize n = strlen (terminator);

  for (; p + n <= end; p++)
    if (memcmp (p, terminator, n) == 0)
      return p + n;
  return NULL;
}

gboolean
tidings_discover_looks_like_html (const char *data,
                                  gsize       len,
                                  const char *content_type)
{
  /* Elements that only ever open an HTML page (tags may be omitted, so a
   * page can start with any of them). */
  static const char * const html_starts[] = {
    "html", "head", "body", "meta", "title", "link", "script", "style", "base", "div",
    "noscript", "header", "main", "nav", "p", "table", "iframe", "br", "a", "span",
  };
  static const char * const feed_roots[] = { "rss", "feed", "rdf:rdf", "rdf", "channel" };
  const char *p = data;
  const char *end;
  g_autofree char *media = media_type (content_type);
  gboolean html_type = media != NULL && (strcmp (media, "text/html") == 0 ||
                                         strcmp (media, "application/xhtml+xml") == 0);

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  end = data + MIN (len, (gsize) SNIFF_BYTES);
  if (end - p >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  while (p != NULL && p < end)
    {
      char name[16];
      gsize n = 0;

      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p >= end)
        break;
      if (*p == '{' || *p == '[')
        return FALSE;       /* JSON */
      if (*p != '<')
        break;

      if (has_prefix_nocase (p, end, "<?"))
        {
          p = skip_past (p, end, "?>");
          continue;
        }
      if (has_prefix_nocase (p, end, "<!--"))
        {
          p = skip_past (p, end, "-->");
          continue;
        }
      if (has_prefix_nocase (p, end, "<!doctype"))
        {
          const char *q = p + strlen ("<!doctype");

          while (q < end && g_ascii_isspace (*q))
            q++;
          if (has_prefix_nocase (q, end, "html") &&
              (q + 4 == end || g_ascii_isspace (q[4]) || q[4] == '>'))
            return TRUE;
          p = skip_past (p, end, ">");
          continue;
        }

      /* The first element. */
      for (p++; p < end && n < sizeof name - 1 && (g_ascii_isalnum (*p) || *p == ':' ||
                                                   *p == '-' || *p == '_'); p++)
        name[n++] = g_ascii_tolower (*p);
      name[n] = '\0';
      for (guint i = 0; i < G_N_ELEMENTS (feed_roots); i++)
        if (strcmp (name, feed_roots[i]) == 0)
          return FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (html_starts); i++)
        if (strcmp (name, html_starts[i]) == 0)
          return TRUE;
      break;
    }

  return html_type;
}

/* ---- discovery ----------------------------------------------------------- */

/* What examining one fetched body found; filled in on a worker thread. */
typedef struct
{
  GBytes          *body;
  char            *content_type;
  char            *link_url;   /* the address to give for it, when it is a feed */
  char            *base_url;   /* where it was in the end */
  gboolean         read_page;  /* look into an HTML page for links */

  TidingsFeedLink *feed;
  GPtrArray       *links;
  gboolean         is_html;
  char            *parse_error;
  gboolean         broken_feed; /* it looked like a feed, but could not be read */
} Examination;

static void
examination_free (Examination *exam)
{
  g_clear_pointer (&exam->body, g_bytes_unref);
  g_free (exam->content_type);
  g_free (exam->link_url);
  g_free (exam->base_url);
  g_clear_pointer (&exam->feed, tidings_feed_link_free);
  g_clear_pointer (&exam->links, g_ptr_array_unref);
  g_free (exam->parse_error);
  g_free (exam);
}

static const char *
format_mime_type (TidingsFeedFormat format)
{
  switch (format)
    {
    case TIDINGS_FEED_FORMAT_RSS090:
    case TIDINGS_FEED_FORMAT_RSS091:
    case TIDINGS_FEED_FORMAT_RSS092:
    case TIDINGS_FEED_FORMAT_RSS093:
    case TIDINGS_FEED_FORMAT_RSS094:
    case TIDINGS_FEED_FORMAT_RSS20:
    case TIDINGS_FEED_FORMAT_RSS:
      return "application/rss+xml";
    case TIDINGS_FEED_FORMAT_RDF:
      return "application/rdf+xml";
    case TIDINGS_FEED_FORMAT_ATOM03:
    case TIDINGS_FEED_FORMAT_ATOM10:
      return "application/atom+xml";
    case TIDINGS_FEED_FORMAT_JSON10:
    case TIDINGS_FEED_FORMAT_JSON11:
      return "application/feed+json";
    case TIDINGS_FEED_FORMAT_CDF:
    case TIDINGS_FEED_FORMAT_UNKNOWN:
    default:
      return NULL;
    }
}

static void
examine_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Examination *exam = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFeed) feed = NULL;
  gsize len = 0;
  const char *data = exam->body != NULL ? g_bytes_get_data (exam->body, &len) : NULL;

  if (data == NULL)
    data = "";

  feed = tidings_parse_data (data, len, exam->base_url, NULL, &error);
  if (feed != NULL)
    {
      exam->feed = feed_link_new (exam->link_url, feed->title, format_mime_type (feed->format));
      g_task_return_boolean (task, TRUE);
      return;
    }
  exam->parse_error = g_strdup (error->message);
  exam->broken_feed = g_error_matches (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_MALFORMED);

  if (exam->read_page && !g_cancellable_is_cancelled (cancellable) &&
      tidings_discover_looks_like_html (data, len, exam->content_type))
    {
      exam->is_html = TRUE;
      exam->links = tidings_discover_scan_html (data, len, exam->base_url);
    }
  g_task_return_boolean (task, TRUE);
}

/* Looks at a fetched body off the main thread; @callback gets a GTask whose
 * task data is the Examination. */
static void
examine_async (TidingsFetchResult  *result,
               const char          *link_url,
               gboolean             read_page,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Examination *exam = g_new0 (Examination, 1);

  exam->body = result->body != NULL ? g_bytes_ref (result->body) : NULL;
  exam->content_type = g_strdup (result->content_type);
  exam->link_url = g_strdup (link_url);
  exam->base_url = g_strdup (result->final_url != NULL ? result->final_url : result->url);
  exam->read_page = read_page;

  g_task_set_source_tag (task, examine_async);
  g_task_set_task_data (task, exam, (GDestroyNotify) examination_free);
  g_task_run_in_thread (task, examine_in_thread);
}

static Examination *
examine_finish (GAsyncResult  *result,
                GError       **error)
{
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}

typedef struct
{
  char            *url;
  char            *final_url;
  TidingsFeedLink *link;
} Probe;

static void
probe_free (Probe *probe)
{
  g_free (probe->url);
  g_free (probe->final_url);
  g_clear_pointer (&probe->link, tidings_feed_link_free);
  g_free (probe);
}

typedef struct
{
  TidingsFetcher *fetcher;
  char           *url;          /* as asked for, made absolute */
  char           *page_url;     /* where the page was in the end */
  char           *why_not;      /* why the page itself gave no feed */
  GPtrArray      *probes;       /* Probe, in the order of the common paths */
  guint           pending;
} Discovery;

static void
discovery_free (Discovery *discovery)
{
  g_clear_object (&discovery->fetcher);
  g_free (discovery->url);
  g_free (discovery->page_url);
  g_free (discovery->why_not);
  g_clear_pointer (&discovery->probes, g_ptr_array_unref);
  g_free (discovery);
}

typedef struct
{
  GTask *task;
  Probe *probe;
} ProbeCall;

static void
return_cancelled (GTask *task)
{
  g_task_return_new_error (task, TIDINGS_FETCH_ERROR, TIDINGS_FETCH_ERROR_CANCELLED,
                           _("The search for a feed was cancelled"));
}

static void
finish_probes (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(GPtrArray) links = link_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) paths = g_string_new (NULL);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      return_cancelled (task);
      return;
    }

  /* Several paths often lead to one feed (WordPress answers /feed and /rss
   * with the same one): the first path names it. */
  for (guint i = 0; i < discovery->probes->len; i++)
    {
      Probe *probe = discovery->probes->pdata[i];

      if (probe->link == NULL)
        continue;
      if (g_hash_table_contains (seen, probe->final_url) ||
          g_hash_table_contains (seen, probe->link->url))
        continue;
      g_hash_table_add (seen, probe->final_url);
      g_hash_table_add (seen, probe->link->url);
      g_ptr_array_add (links, g_steal_pointer (&probe->link));
    }

  if (links->len > 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&links), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  for (guint i = 0; tidings_discover_common_paths[i] != NULL; i++)
    g_string_append_printf (paths, "%s%s", i > 0 ? ", " : "", tidings_discover_common_paths[i]);
  g_task_return_new_error (task, TIDINGS_DISCOVER_ERROR, TIDINGS_DISCOVER_ERROR_NO_FEED,
                           /* Translators: the first %s is the address typed, the
                            * second why the page itself is no feed (“the page links to
                            * none”), the third a list of paths (/feed, /rss, …). */
                           _("No feed found at %s: %s and none of %s answered with one"),
                           discovery->url, discovery->why_not, paths->str);
}

static void
probe_done (ProbeCall *call)
{
  GTask *task = call->task;
  Discovery *discovery = g_task_get_task_data (task);

  g_assert (discovery->pending > 0);
  if (--discovery->pending == 0)
    finish_probes (task);
  g_object_unref (task);
  g_free (call);
}

static void
on_probe_examined (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ProbeCall *call = user_data;
  Examination *exam = examine_finish (result, NULL);

  if (exam != NULL && exam->feed != NULL)
    {
      call->probe->link = g_steal_pointer (&exam->feed);
      /* As the header promises: a probed feed carries no type; that is how
       * callers tell a guess that answered from a link the page gave. */
      g_clear_pointer (&call->probe->link->mime_type, g_free);
    }
  else if (exam != NULL)
    g_debug ("%s is not a feed: %s", call->probe->url, exam->parse_error);
  probe_done (call);
}

static void
on_probe_fetched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ProbeCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFetchResult) fetched = NULL;

  fetched = tidings_fetcher_fetch_finish (TIDINGS_FETCHER (source), result, &error);
  if (fetched == NULL)
    {
      g_debug ("Probing %s: %s", call->probe->url, error->message);
      probe_done (call);
      return;
    }

  call->probe->final_url = g_strdup (fetched->final_url != NULL ? fetched->final_url
                                                                : call->probe->url);
  examine_async (fetched,
                 fetched->permanent_url != NULL ? fetched->permanent_url : call->probe->url,
                 FALSE, g_task_get_cancellable (call->task), on_probe_examined, call);
}

/* The site's origin ("https://example.org:8080"), or NULL. */
static char *
origin_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_PARSE_RELAXED | G_URI_FLAGS_ENCODED, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || !is_http_url (url))
    return NULL;
  return g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), "", NULL, NULL);
}

static void
start_probes (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);
  g_autofree char *origin = origin_of (discovery->page_url);

  discovery->probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
  for (guint i = 0; origin != NULL && tidings_discover_common_paths[i] != NULL; i++)
    {
      g_autofree char *url = g_strconcat (origin, tidings_discover_common_paths[i], NULL);
      Probe *probe;

      /* The page itself has been looked at already. */
      if (strcmp (url, discovery->url) == 0 || strcmp (url, discovery->page_url) == 0)
        continue;
      probe = g_new0 (Probe, 1);
      probe->url = g_steal_pointer (&url);
      g_ptr_array_add (discovery->probes, probe);
    }

  /* Counted in full before the first fetch starts, so that a fetch that
   * fails at once cannot finish the search early. */
  discovery->pending = discovery->probes->len + 1;
  for (guint i = 0; i < discovery->probes->len; i++)
    {
      Probe *probe = discovery->probes->pdata[i];
      TidingsFetchRequest request = { probe->url, NULL, NULL, NULL };
      ProbeCall *call = g_new0 (ProbeCall, 1);

      call->task = g_object_ref (task);
      call->probe = probe;
      tidings_fetcher_fetch_async (discovery->fetcher, &request, g_task_get_cancellable (task),
                                   on_probe_fetched, call);
    }

  if (--discovery->pending == 0)
    finish_probes (task);
}

static void
on_page_examined (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  Examination *exam = examine_finish (result, NULL);

  if (exam == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      return_cancelled (task);
      return;
    }

  if (exam->feed != NULL)
    {
      GPtrArray *links = link_array_new ();

      g_ptr_array_add (links, g_steal_pointer (&exam->feed));
      g_task_return_pointer (task, links, (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (exam->links != NULL && exam->links->len > 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&exam->links),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (exam->is_html)
    discovery->why_not = g_strdup (_("the page links to none"));
  else if (exam->broken_feed)
    discovery->why_not = g_strdup_printf (_("what it holds is too broken to read as a feed "
                                            "(%s)"), exam->parse_error);
  else
    discovery->why_not = g_strdup (_("it is neither a feed nor a web page"));
  start_probes (task);
}

static void
on_page_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsFetchResult) fetched = NULL;
  GCancellable *cancellable;

  fetched = tidings_fetcher_fetch_finish (TIDINGS_FETCHER (source), result, &error);
  if (fetched == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  discovery->page_url = g_strdup (fetched->final_url != NULL ? fetched->final_url
                                                             : discovery->url);
  /* A feed that moved for good is subscribed to at its new address. */
  cancellable = g_task_get_cancellable (task);
  examine_async (fetched,
                 fetched->permanent_url != NULL ? fetched->permanent_url : discovery->url,
                 TRUE, cancellable, on_page_examined, g_steal_pointer (&task));
}

/* What people type: "example.org", "feed://example.org/rss". */
static char *
normalise_address (const char *url)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (url));

  if (g_ascii_strncasecmp (trimmed, "feed:", 5) == 0)
    {
      const char *rest = trimmed + 5;

      if (g_str_has_prefix (rest, "//"))
        return g_strconcat ("http:", rest, NULL);
      if (g_ascii_strncasecmp (rest, "http://", 7) == 0 ||
          g_ascii_strncasecmp (rest, "https://", 8) == 0)
        return g_strdup (rest);
    }
  if (strstr (trimmed, "://") == NULL && *trimmed != '\0')
    return g_strconcat ("https://", trimmed, NULL);
  return g_steal_pointer (&trimmed);
}

void
tidings_discover_async (TidingsFetcher      *fetcher,
                        const char          *url,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Discovery *discovery;
  TidingsFetchRequest request = { NULL, };

  g_return_if_fail (TIDINGS_IS_FETCHER (fetcher));
  g_return_if_fail (url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_discover_async);
  /* Cancellation is reported in the fetcher's terms, like its other
   * errors, not as GIO's. */
  g_task_set_check_cancellable (task, FALSE);

  discovery = g_new0 (Discovery, 1);
  discovery->fetcher = g_object_ref (fetcher);
  discovery->url = normalise_address (url);
  g_task_set_task_data (task, discovery, (GDestroyNotify) discovery_free);

  request.url = discovery->url;
  tidings_fetcher_fetch_async (fetcher, &request, cancellable, on_page_fetched,
                               g_steal_pointer (&task));
}

GPtrArray *
tidings_discover_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tidings_discover_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
