/* tidings-xml-parser.c: RSS 0.9x/2.0, RDF and Atom through libxml2's SAX2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pass over the document with libxml2's push parser in recovery mode; no
 * tree is built. A stack of frames tracks where we are (feed, item, author,
 * or a subtree we skip), the xml:base and xml:lang in scope. The text of the
 * elements we want is captured into one buffer; markup inside them (HTML
 * written unescaped into an RSS description, Atom's xhtml content) is
 * serialised back into that buffer as HTML.
 */

#define G_LOG_DOMAIN "tidings-xml"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "tidings-date.h"
#include "tidings-parser.h"
#include "tidings-sanitize.h"
#include "tidings-uri.h"
#include "tidings-xml-input.h"
#include "tidings-xml-parser.h"

/* libxml2's push parser keeps unparsed input in a buffer it shifts down as
 * it goes; fed in small pieces, it shifts little. */
#define XML_PIECE_SIZE (16 * 1024)

typedef enum
{
  NS_NONE,
  NS_RSS,        /* RSS 1.0, RSS 0.90 and the namespaces some RSS 2.0 feeds declare */
  NS_RDF,
  NS_ATOM,       /* Atom 1.0 and 0.3 */
  NS_DC,
  NS_DCTERMS,
  NS_CONTENT,
  NS_MEDIA,
  NS_ITUNES,
  NS_SY,
  NS_XHTML,
  NS_FEEDBURNER,
  NS_OTHER,
} Namespace;

typedef enum
{
  CTX_DOCUMENT,   /* before the root element */
  CTX_ROOT,       /* inside <rss> or <rdf:RDF>, outside the channel */
  CTX_FEED,       /* <channel> or Atom's <feed> */
  CTX_ITEM,       /* <item> or <entry> */
  CTX_PERSON,     /* Atom <author> */
  CTX_IMAGE,      /* RSS <image> of the channel */
  CTX_MEDIA_GROUP,
  CTX_SKIP,       /* a subtree whose content we do not use */
} Context;

typedef enum
{
  TEXT_UNTYPED,   /* RSS: nominally text, but often HTML in disguise */
  TEXT_PLAIN,     /* Atom type="text": literal */
  TEXT_HTML,
  TEXT_XHTML,
  TEXT_XHTML_DIV, /* Atom 1.0 type="xhtml": XHTML inside a <div> that is not content */
  TEXT_BASE64,    /* Atom 0.3 mode="base64"; decoded, then treated as HTML */
} TextType;

typedef struct
{
  Context     context;
  Namespace   ns;
  GRefString *base;   /* absolute, or NULL */
  GRefString *lang;
} Frame;

struct _TidingsXmlParser
{
  xmlParserCtxtPtr  ctxt;
  TidingsFeed      *feed;
  TidingsItemFunc   item_func;
  gpointer          user_data;

  GArray           *frames;          /* Frame */
  gboolean          atom_default;    /* un-namespaced elements are Atom (Atom 0.3 without xmlns) */
  char             *root_uri;        /* an unknown namespace on the root stands for the format's */
  Namespace         root_ns;

  /* The element whose text is being captured, as a frame depth; -1 for none. */
  int               capture_depth;
  GString          *text;
  TextType          text_type;
  gboolean          permalink;       /* <guid isPermaLink> */
  char             *link_rel;        /* rel of an Atom <link> whose address is its text */

  /* Feed-level and item-level build state. */
  TidingsItem      *item;
  char             *item_description;    /* raw HTML */
  char             *item_content;        /* raw HTML */
  char             *item_content_text;   /* when the only content was plain text */
  char             *item_content_base;   /* the base in scope where the content was */
  char             *item_description_base;
  gboolean          description_from_summary;
  char             *item_guid_link;      /* a permalink guid, used when there is no <link> */
  char             *itunes_summary;
  gint64            itunes_duration;
  TidingsAuthor    *person;              /* Atom <author> being read */
  gboolean          person_for_item;
  gboolean          feed_link_alternate; /* the home page came from a rel=alternate */
  gboolean          item_link_alternate;
  guint             sy_period_minutes;
  guint             sy_frequency;

  /* The first error libxml2 reported, and how fatal the outcome is. */
  GError           *error;
  int               first_error_line;
  int               first_error_column;
  char             *first_error_message;
  gboolean          saw_root;
  gboolean          not_a_feed;
};

static const struct
{
  const char *uri;
  Namespace   ns;
} known_namespaces[] = {
  { "http://purl.org/rss/1.0/", NS_RSS },
  { "http://my.netscape.com/rdf/simple/0.9/", NS_RSS },
  { "http://backend.userland.com/rss2", NS_RSS },
  { "http://backend.userland.com/rss", NS_RSS },
  { "http://blogs.law.harvard.edu/tech/rss", NS_RSS },
  { "http://purl.org/net/rss1.1#", NS_RSS },
  { "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
  { "http://www.w3.org/2005/Atom", NS_ATOM },
  { "http://purl.org/atom/ns#", NS_ATOM },
  { "http://www.w3.org/2005/atom", NS_ATOM },
  { "http://purl.org/dc/elements/1.1/", NS_DC },
  { "http://purl.org/dc/elements/1.0/", NS_DC },
  { "http://purl.org/dc/terms/", NS_DCTERMS },
  { "http://purl.org/rss/1.0/modules/content/", NS_CONTENT },
  { "http://search.yahoo.com/mrss/", NS_MEDIA },
  { "http://search.yahoo.com/mrss", NS_MEDIA },
  { "http://tools.search.yahoo.com/mrss/", NS_MEDIA },
  { "http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
  { "https://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
  { "http://www.itunes.com/DTDs/Podcast-1.0.dtd", NS_ITUNES },
  { "http://example.com/DTDs/PodCast-1.0.dtd", NS_ITUNES },
  { "http://purl.org/rss/1.0/modules/syndication/", NS_SY },
  { "http://www.w3.org/1999/xhtml", NS_XHTML },
  { "http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER },
};

/* Prefixes we recognise even when the document forgot to declare them, as
 * publishers often do. */
static const struct
{
  const char *prefix;
  Namespace   ns;
} known_prefixes[] = {
  { "dc", NS_DC },
  { "dcterms", NS_DCTERMS },
  { "content", NS_CONTENT },
  { "media", NS_MEDIA },
  { "itunes", NS_ITUNES },
  { "sy", NS_SY },
  { "atom", NS_ATOM },
  { "atom10", NS_ATOM },
  { "rdf", NS_RDF },
  { "xhtml", NS_XHTML },
  { "feedburner", NS_FEEDBURNER },
};

static Namespace
classify_namespace (TidingsXmlParser *self,
                    const xmlChar    *uri,
                    const xmlChar    *prefix)
{
  if (uri == NULL)
    {
      if (prefix != NULL)
        {
          for (guint i = 0; i < G_N_ELEMENTS (known_prefixes); i++)
            if (g_ascii_strcasecmp ((const char *) prefix, known_prefixes[i].prefix) == 0)
              return known_prefixes[i].ns;
          return NS_OTHER;
        }
      return self->atom_default ? NS_ATOM : NS_NONE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (known_namespaces); i++)
    if (strcmp ((const char *) uri, known_namespaces[i].uri) == 0)
      return known_namespaces[i].ns;

  if (self->root_uri != NULL && strcmp ((const char *) uri, self->root_uri) == 0)
    return self->root_ns;

  /* Namespaces are case-sensitive, but publishers are not. */
  for (guint i = 0; i < G_N_ELEMENTS (known_namespaces); i++)
    if (g_ascii_strcasecmp ((const char *) uri, known_namespaces[i].uri) == 0)
      return known_namespaces[i].ns;

  return NS_OTHER;
}

/* Element names are compared without regard to case: feeds written by hand
 * say <TiTlE> and <pubdate>, and CDF is all capitals. */
static inline gboolean
name_is (const xmlChar *name,
         const char    *literal)
{
  /* Most comparisons fail on the first letter; settle those cheaply. */
  if ((name[0] | 0x20) != (literal[0] | 0x20))
    return FALSE;
  return g_ascii_strcasecmp ((const char *) name, literal) == 0;
}

/* SAX2 hands attributes as (localname, prefix, URI, value, end) quintuples. */
static char *
get_attribute (int             n_attributes,
               const xmlChar **attributes,
               const char     *name,
               gboolean        xml_namespace)
{
  for (int i = 0; i < n_attributes; i++)
    {
      const xmlChar **a = attributes + i * 5;

      if (!name_is (a[0], name))
        continue;
      if (xml_namespace != (a[2] != NULL && name_is (a[2], (const char *) XML_XML_NAMESPACE)))
        continue;
      return _tidings_xml_attribute_value (a);
    }
  return NULL;
}

static char *
get_stripped_attribute (int             n_attributes,
                        const xmlChar **attributes,
                        const char     *name)
{
  char *value = get_attribute (n_attributes, attributes, name, FALSE);

  if (value != NULL)
    {
      g_strstrip (value);
      if (*value == '\0')
        g_clear_pointer (&value, g_free);
    }
  return value;
}

static Frame *
top_frame (TidingsXmlParser *self)
{
  return &g_array_index (self->frames, Frame, self->frames->len - 1);
}

static void
frame_clear (Frame *frame)
{
  g_clear_pointer (&frame->base, g_ref_string_release);
  g_clear_pointer (&frame->lang, g_ref_string_release);
}

/* The base for relative references in the current element: xml:base in scope,
 * else the document's own http(s) URL, else the feed's home page. */
static char *
resolve (TidingsXmlParser *self,
         const char       *ref)
{
  const char *base = top_frame (self)->base;

  if (ref == NULL)
    return NULL;
  if (base == NULL)
    base = self->feed->home_page_url;
  return tidings_uri_resolve (base, ref);
}

static const char *
effective_base (TidingsXmlParser *self)
{
  const char *base = top_frame (self)->base;

  return base != NULL ? base : self->feed->home_page_url;
}

/* ---- people ----------------------------------------------------------- */

/* RSS writes people as "me@example.com (Me)", "Me (me@example.com)",
 * "Me <me@example.com>" or just a name or an address. */
static TidingsAuthor *
parse_person (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  TidingsAuthor *author;
  char *open;
  char *email = NULL;
  char *name = NULL;

  if (*copy == '\0')
    return NULL;

  if ((open = strrchr (copy, '(')) != NULL && g_str_has_suffix (copy, ")") && open > copy)
    {
      copy[strlen (copy) - 1] = '\0';
      *open = '\0';
      if (strchr (open + 1, '@') != NULL)
        email = open + 1, name = copy;
      else
        email = copy, name = open + 1;
    }
  else if ((open = strrchr (copy, '<')) != NULL && g_str_has_suffix (copy, ">"))
    {
      copy[strlen (copy) - 1] = '\0';
      *open = '\0';
      email = open + 1, name = copy;
    }
  else if (strchr (copy, '@') != NULL && strchr (copy, ' ') == NULL)
    email = copy, name = copy;
  else
    name = copy;

  if (email != NULL && strchr (g_strstrip (email), '@') == NULL)
    {
      /* "Me (the editor)": the brackets were part of the name. */
      email = NULL;
      name = g_strstrip (g_strdup (text));
      author = tidings_author_new ();
      author->name = tidings_collapse_space (name);
      return author;
    }

  author = tidings_author_new ();
  if (name != NULL && *g_strstrip (name) != '\0')
    author->name = tidings_collapse_space (g_strdup (name));
  if (email != NULL)
    author->url = g_strconcat ("mailto:", email, NULL);
  if (author->name == NULL && author->url == NULL)
    g_clear_pointer (&author, tidings_author_free);
  return author;
}

static void
add_author (GPtrArray     *authors,
            TidingsAuthor *author)
{
  if (author == NULL)
    return;
  for (guint i = 0; i < authors->len; i++)
    {
      TidingsAuthor *other = authors->pdata[i];

      if (g_strcmp0 (other->name, author->name) == 0 && g_strcmp0 (other->url, author->url) == 0)
        {
          tidings_author_free (author);
          return;
        }
    }
  g_ptr_array_add (authors, author);
}

/* ---- text ------------------------------------------------------------- */

static void
begin_capture (TidingsXmlParser *self,
               TextType          type)
{
  self->capture_depth = self->frames->len - 1;
  self->text_type = type;
  g_string_truncate (self->text, 0);
}

/* Atom text constructs: type="text|html|xhtml" in 1.0; a MIME type plus
 * mode="xml|escaped|base64" in 0.3. */
static TextType
text_construct_type (int             n_attributes,
                     const xmlChar **attributes)
{
  g_autofree char *type = get_stripped_attribute (n_attributes, attributes, "type");
  g_autofree char *mode = get_stripped_attribute (n_attributes, attributes, "mode");

  if (mode != NULL && g_ascii_strcasecmp (mode, "base64") == 0)
    return TEXT_BASE64;
  if (type == NULL)
    return mode != NULL && g_ascii_strcasecmp (mode, "escaped") == 0 ? TEXT_HTML : TEXT_PLAIN;
  if (g_ascii_strcasecmp (type, "html") == 0 || g_ascii_strcasecmp (type, "text/html") == 0)
    return TEXT_HTML;
  if (g_ascii_strcasecmp (type, "xhtml") == 0)
    return TEXT_XHTML_DIV;
  if (g_ascii_strcasecmp (type, "application/xhtml+xml") == 0)
    return mode != NULL && g_ascii_strcasecmp (mode, "escaped") == 0 ? TEXT_HTML : TEXT_XHTML;
  if (g_ascii_strcasecmp (type, "text") == 0 || g_ascii_strcasecmp (type, "text/plain") == 0)
    return TEXT_PLAIN;
  /* Any other text or XML type is inline; everything else is base64
   * (RFC 4287, 4.1.3.3). */
  if (g_str_has_prefix (type, "text/") || g_str_has_suffix (type, "+xml") ||
      g_str_has_suffix (type, "/xml"))
    return mode != NULL && g_ascii_strcasecmp (mode, "xml") == 0 ? TEXT_XHTML : TEXT_HTML;
  return TEXT_BASE64;
}

/* Returns the captured text as HTML (escaping plain text). */
static char *
captured_html (TidingsXmlParser *self)
{
  switch (self->text_type)
    {
    case TEXT_PLAIN:
    case TEXT_UNTYPED:
      return tidings_text_to_html (self->text->str);
    case TEXT_BASE64:
      {
        g_autofree char *copy = g_strstrip (g_strdup (self->text->str));
        gsize len = 0;
        guchar *decoded;

        /* GLib wants at least two characters of base64. */
        if (strlen (copy) < 2)
          return NULL;
        decoded = g_base64_decode_inplace (copy, &len);

        if (!g_utf8_validate ((const char *) decoded, len, NULL))
          return NULL;
        return g_strndup ((const char *) decoded, len);
      }
    case TEXT_HTML:
    case TEXT_XHTML:
    default:
      /* Bodies are the bulk of a feed: hand the buffer over rather than
       * copy it, and start a new one. */
      if (self->text->len > 1024)
        {
          char *text = g_string_free (self->text, FALSE);

          self->text = g_string_sized_new (4096);
          return text;
        }
      return g_strdup (self->text->str);
    }
}

/* Returns the captured text as plain text. Text that came as HTML, or that
 * carries markup or references anyway, loses its tags. */
static char *
captured_text (TidingsXmlParser *self)
{
  if (self->text_type == TEXT_PLAIN)
    return tidings_collapse_space (g_strdup (self->text->str));
  if (self->text_type == TEXT_UNTYPED)
    {
      /* RSS titles are often HTML in disguise: "AT&amp;amp;T", "<b>x</b>". */
      if (strchr (self->text->str, '<') == NULL && strchr (self->text->str, '&') == NULL)
        return tidings_collapse_space (g_strdup (self->text->str));
    }
  else if (self->text_type == TEXT_BASE64)
    {
      g_autofree char *html = captured_html (self);

      return html != NULL ? tidings_html_to_text (html, -1) : NULL;
    }
  return tidings_html_to_text (self->text->str, self->text->len);
}

static char *
captured_stripped (TidingsXmlParser *self)
{
  char *text = g_strstrip (g_strdup (self->text->str));

  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static void
set_string (char **field,
            char  *value)
{
  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  if (value == NULL)
    return;
  g_free (*field);
  *field = value;
}

static void
set_string_if_unset (char **field,
                     char  *value)
{
  if (*field != NULL || value == NULL || *value == '\0')
    {
      g_free (value);
      return;
    }
  *field = value;
}

static void
set_date (TidingsXmlParser *self,
          gint64           *field,
          gboolean          only_if_unset)
{
  g_autofree char *text = captured_stripped (self);
  gint64 value;

  if (text == NULL || (only_if_unset && *field != TIDINGS_DATE_UNSET))
    return;
  if (!tidings_date_parse (text, &value))
    {
      tidings_feed_add_warning (self->feed, "Unreadable date “%.60s” ignored", text);
      return;
    }
  *field = value;
}

/* ---- items ------------------------------------------------------------ */

static void
begin_item (TidingsXmlParser *self)
{
  g_clear_pointer (&self->item, tidings_item_free);
  self->item = tidings_item_new ();
  self->item_link_alternate = FALSE;
  self->itunes_duration = -1;
}

static void
clear_item_state (TidingsXmlParser *self)
{
  g_clear_pointer (&self->item, tidings_item_free);
  g_clear_pointer (&self->item_description, g_free);
  g_clear_pointer (&self->item_content, g_free);
  g_clear_pointer (&self->item_content_text, g_free);
  g_clear_pointer (&self->item_content_base, g_free);
  g_clear_pointer (&self->item_description_base, g_free);
  self->description_from_summary = FALSE;
  g_clear_pointer (&self->item_guid_link, g_free);
  g_clear_pointer (&self->itunes_summary, g_free);
}

static void
end_item (TidingsXmlParser *self)
{
  TidingsItem *item = self->item;

  if (item == NULL)
    return;

  /* RSS has two bodies: a description and content:encoded. The richer one
   * is the content; a separate description is the summary. */
  if (self->item_content != NULL || self->item_content_text != NULL)
    {
      item->base = g_steal_pointer (&self->item_content_base);
      item->content_html = g_steal_pointer (&self->item_content);
      if (item->content_html == NULL)
        item->content_text = g_steal_pointer (&self->item_content_text);
      if (self->item_description != NULL)
        {
          item->summary = g_steal_pointer (&self->item_description);
          item->summary_is_html = TRUE;
        }
    }
  else if (self->item_description != NULL)
    {
      item->base = g_steal_pointer (&self->item_description_base);
      item->content_html = g_steal_pointer (&self->item_description);
    }

  if (item->summary == NULL && self->itunes_summary != NULL)
    {
      item->summary = g_steal_pointer (&self->itunes_summary);
      item->summary_is_html = FALSE;
    }

  if (item->url == NULL && self->item_guid_link != NULL)
    item->url = g_steal_pointer (&self->item_guid_link);

  if (self->itunes_duration >= 0)
    for (guint i = 0; i < item->attachments->len; i++)
      {
        TidingsAttachment *attachment = item->attachments->pdata[i];

        if (attachment->duration_in_seconds < 0)
          attachment->duration_in_seconds = self->itunes_duration;
      }

  if (item->language == NULL && top_frame (self)->lang != NULL)
    item->language = g_strdup (top_frame (self)->lang);
  if (item->base == NULL && effective_base (self) != NULL)
    item->base = g_strdup (effective_base (self));

  self->item = NULL;
  clear_item_state (self);

  if (tidings_item_is_empty (item))
    {
      tidings_item_free (item);
      return;
    }
  self->item_func (item, self->user_data);
}

static gint64
parse_count (const char *text)
{
  gint64 value;
  char *end;

  if (text == NULL)
    return -1;
  while (g_ascii_isspace (*text))
    text++;
  if (!g_ascii_isdigit (*text))
    return -1;
  value = g_ascii_strtoll (text, &end, 10);
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0' || value < 0)
    return -1;
  return value;
}

#define MAX_DURATION (G_GINT64_CONSTANT (100) * 366 * 24 * 3600)

/* itunes:duration is seconds, MM:SS or HH:MM:SS. */
static gint64
parse_duration (const char *text)
{
  g_auto(GStrv) parts = NULL;
  gint64 total = 0;
  guint n;

  if (text == NULL)
    return -1;
  parts = g_strsplit (text, ":", 4);
  n = g_strv_length (parts);
  if (n == 0 || n > 3)
    return -1;
  for (guint i = 0; i < n; i++)
    {
      gint64 part = parse_count (parts[i]);

      /* Minutes and seconds under 60 after the first part; nothing longer
       * than a century, which also keeps the sum from overflowing. */
      if (part < 0 || part > MAX_DURATION || (i > 0 && part >= 60))
        return -1;
      total = total * 60 + part;
    }
  return total <= MAX_DURATION ? total : -1;
}

static void
add_attachment (TidingsXmlParser *self,
                const char       *href,
                const char       *type,
                const char       *length,
                const char       *title,
                gint64            duration)
{
  TidingsItem *item = self->item;
  g_autofree char *url = resolve (self, href);
  TidingsAttachment *attachment;

  if (item == NULL || url == NULL)
    return;
  for (guint i = 0; i < item->attachments->len; i++)
    {
      TidingsAttachment *other = item->attachments->pdata[i];

      if (g_str_equal (other->url, url))
        {
          /* Media RSS often repeats the enclosure; keep what it adds. */
          if (other->mime_type == NULL && type != NULL)
            other->mime_type = g_strdup (type);
          if (other->size_in_bytes < 0)
            other->size_in_bytes = parse_count (length);
          if (other->duration_in_seconds < 0)
            other->duration_in_seconds = duration;
          return;
        }
    }

  attachment = tidings_attachment_new ();
  attachment->url = g_steal_pointer (&url);
  attachment->mime_type = g_strdup (type);
  attachment->title = g_strdup (title);
  attachment->size_in_bytes = parse_count (length);
  attachment->duration_in_seconds = duration;
  g_ptr_array_add (item->attachments, attachment);
}

static void
set_item_image (TidingsXmlParser *self,
                const char       *href)
{
  if (self->item != NULL && self->item->image == NULL && href != NULL)
    self->item->image = resolve (self, href);
}

static void
set_feed_icon (TidingsXmlParser *self,
               const char       *href,
               gboolean          override)
{
  if (href == NULL || (self->feed->icon != NULL && !override))
    return;
  set_string (&self->feed->icon, resolve (self, href));
}

/* Media RSS <media:content>: an image is the item's picture, anything else a
 * file to download or play. */
static void
media_content (TidingsXmlParser  *self,
               int                n_attributes,
               const xmlChar    **attributes)
{
  g_autofree char *url = get_stripped_attribute (n_attributes, attributes, "url");
  g_autofree char *type = get_stripped_attribute (n_attributes, attributes, "type");
  g_autofree char *medium = get_stripped_attribute (n_attributes, attributes, "medium");
  g_autofree char *size = get_stripped_attribute (n_attributes, attributes, "fileSize");
  g_autofree char *duration = get_stripped_attribute (n_attributes, attributes, "duration");

  if (url == NULL)
    return;
  if ((medium != NULL && g_str_equal (medium, "image")) ||
      (type != NULL && g_str_has_prefix (type, "image/")))
    {
      set_item_image (self, url);
      return;
    }
  add_attachment (self, url, type, size, NULL, parse_count (duration));
}

/* Atom <link>, also found inside RSS channels and items. Returns FALSE when
 * it has no href. */
static gboolean
atom_link (TidingsXmlParser  *self,
           Context            context,
           int                n_attributes,
           const xmlChar    **attributes)
{
  g_autofree char *href = get_stripped_attribute (n_attributes, attributes, "href");
  g_autofree char *rel = get_stripped_attribute (n_attributes, attributes, "rel");
  g_autofree char *type = get_stripped_attribute (n_attributes, attributes, "type");
  gboolean alternate;

  if (href == NULL)
    return FALSE;
  alternate = rel == NULL || g_ascii_strcasecmp (rel, "alternate") == 0;

  if (context == CTX_FEED)
    {
      if (rel != NULL && g_ascii_strcasecmp (rel, "self") == 0)
        set_string (&self->feed->feed_url, resolve (self, href));
      else if (alternate)
        {
          gboolean html = type == NULL || strstr (type, "html") != NULL;

          /* The first HTML alternate wins over a plain RSS <link>. */
          if (!self->feed_link_alternate || (html && self->feed->home_page_url == NULL))
            {
              set_string (&self->feed->home_page_url, resolve (self, href));
              self->feed_link_alternate = html;
            }
        }
      return TRUE;
    }

  if (context != CTX_ITEM || self->item == NULL)
    return TRUE;

  if (alternate)
    {
      gboolean html = type == NULL || strstr (type, "html") != NULL;

      if (self->item->url == NULL || (html && !self->item_link_alternate))
        {
          set_string (&self->item->url, resolve (self, href));
          self->item_link_alternate = html;
        }
    }
  else if (g_ascii_strcasecmp (rel, "enclosure") == 0)
    {
      g_autofree char *length = get_stripped_attribute (n_attributes, attributes, "length");
      g_autofree char *title = get_stripped_attribute (n_attributes, attributes, "title");

      add_attachment (self, href, type, length, title, -1);
    }
  else if (g_ascii_strcasecmp (rel, "related") == 0 || g_ascii_strcasecmp (rel, "via") == 0)
    set_string_if_unset (&self->item->external_url, resolve (self, href));
  return TRUE;
}

static void
add_tags (TidingsXmlParser *self,
          const char       *text)
{
  g_autofree char *copy = NULL;

  if (self->item == NULL || text == NULL)
    return;
  copy = tidings_collapse_space (g_strdup (text));
  tidings_item_add_tag (self->item, copy);
}

static Context
start_atom_link (TidingsXmlParser  *self,
                 Context            context,
                 int                n_attributes,
                 const xmlChar    **attributes)
{
  if (!atom_link (self, context, n_attributes, attributes))
    {
      /* Early Atom drafts put the address in the element. */
      self->link_rel = get_stripped_attribute (n_attributes, attributes, "rel");
      begin_capture (self, TEXT_PLAIN);
    }
  return CTX_SKIP;
}

static Context
start_person (TidingsXmlParser *self,
              gboolean          for_item)
{
  g_clear_pointer (&self->person, tidings_author_free);
  self->person = tidings_author_new ();
  self->person_for_item = for_item;
  return CTX_PERSON;
}

/* A comma-separated list: itunes:keywords, media:keywords, <tags>. */
static void
add_keywords (TidingsXmlParser *self,
              const char       *text)
{
  g_auto(GStrv) keywords = g_strsplit (text, ",", TIDINGS_MAX_TAGS);

  for (guint i = 0; keywords[i] != NULL; i++)
    add_tags (self, g_strstrip (keywords[i]));
}

/* ---- element dispatch --------------------------------------------------- */

static void
fail_not_a_feed (TidingsXmlParser *self,
                 const char       *root)
{
  self->not_a_feed = TRUE;
  if (g_ascii_strcasecmp (root, "html") == 0)
    g_set_error (&self->error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                 _("not a feed: this is an HTML page"));
  else
    g_set_error (&self->error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                 /* Translators: %s is the name of the document's root element. */
                 _("not a feed: the document is <%s>, not RSS, RDF or Atom"), root);
  xmlStopParser (self->ctxt);
}

/* CDF puts the link and date in attributes: <ITEM HREF=".." LASTMOD="..">. */
static void
cdf_attributes (TidingsXmlParser  *self,
                Context            context,
                int                n_attributes,
                const xmlChar    **attributes)
{
  g_autofree char *href = NULL;
  g_autofree char *lastmod = NULL;
  gint64 date;

  if (self->feed->format != TIDINGS_FEED_FORMAT_CDF)
    return;
  href = get_stripped_attribute (n_attributes, attributes, "HREF");
  lastmod = get_stripped_attribute (n_attributes, attributes, "LASTMOD");
  if (lastmod != NULL && !tidings_date_parse (lastmod, &date))
    {
      tidings_feed_add_warning (self->feed, "Unreadable date “%.60s” ignored", lastmod);
      g_clear_pointer (&lastmod, g_free);
    }

  if (context == CTX_FEED)
    {
      if (href != NULL)
        set_string (&self->feed->home_page_url, resolve (self, href));
      if (lastmod != NULL)
        self->feed->date_modified = date;
    }
  else if (self->item != NULL)
    {
      if (href != NULL)
        set_string (&self->item->url, resolve (self, href));
      if (lastmod != NULL)
        self->item->date_modified = date;
    }
}

static Context
start_root (TidingsXmlParser  *self,
            Namespace          ns,
            const xmlChar     *name,
            const xmlChar     *uri,
            int                n_attributes,
            const xmlChar    **attributes)
{
  TidingsFeed *feed = self->feed;

  self->saw_root = TRUE;

  /* A root element in a namespace we do not know (a newer revision, a
   * typo) is still recognised by its name, and its namespace then means
   * that format's elements everywhere in the document. */
  if (ns == NS_OTHER && uri != NULL)
    {
      self->root_uri = g_strdup ((const char *) uri);
      self->root_ns = name_is (name, "feed") ? NS_ATOM : NS_RSS;
    }

  if (name_is (name, "rss") && (ns == NS_NONE || ns == NS_RSS || ns == NS_OTHER))
    {
      g_autofree char *version = get_stripped_attribute (n_attributes, attributes, "version");

      feed->format = TIDINGS_FEED_FORMAT_RSS;
      if (version == NULL)
        ;
      else if (g_str_equal (version, "0.90") || g_str_equal (version, "0.9"))
        feed->format = TIDINGS_FEED_FORMAT_RSS090;
      else if (g_str_equal (version, "0.91"))
        feed->format = TIDINGS_FEED_FORMAT_RSS091;
      else if (g_str_equal (version, "0.92"))
        feed->format = TIDINGS_FEED_FORMAT_RSS092;
      else if (g_str_equal (version, "0.93"))
        feed->format = TIDINGS_FEED_FORMAT_RSS093;
      else if (g_str_equal (version, "0.94"))
        feed->format = TIDINGS_FEED_FORMAT_RSS094;
      else if (g_str_has_prefix (version, "2."))
        feed->format = TIDINGS_FEED_FORMAT_RSS20;
      return CTX_ROOT;
    }

  if (name_is (name, "RDF") && (ns == NS_RDF || ns == NS_OTHER || ns == NS_NONE))
    {
      feed->format = TIDINGS_FEED_FORMAT_RDF;
      return CTX_ROOT;
    }

  if (name_is (name, "feed") && (ns == NS_ATOM || ns == NS_NONE || ns == NS_OTHER))
    {
      g_autofree char *version = get_stripped_attribute (n_attributes, attributes, "version");

      if ((uri != NULL && strstr ((const char *) uri, "purl.org/atom") != NULL) ||
          (version != NULL && g_str_has_prefix (version, "0.")))
        feed->format = TIDINGS_FEED_FORMAT_ATOM03;
      else
        feed->format = TIDINGS_FEED_FORMAT_ATOM10;
      /* Atom without a namespace: its children are Atom all the same. */
      if (ns != NS_ATOM)
        self->atom_default = TRUE;
      return CTX_FEED;
    }

  /* A bare <channel> is how some RSS 0.9x generators start, and how CDF
   * (in capitals) always does. */
  if (name_is (name, "channel") && (ns == NS_NONE || ns == NS_RSS || ns == NS_OTHER))
    {
      feed->format = strcmp ((const char *) name, "CHANNEL") == 0 ? TIDINGS_FEED_FORMAT_CDF
                                                                : TIDINGS_FEED_FORMAT_RSS;
      cdf_attributes (self, CTX_FEED, n_attributes, attributes);
      return CTX_FEED;
    }

  fail_not_a_feed (self, (const char *) name);
  return CTX_SKIP;
}

static Context
start_in_root (TidingsXmlParser  *self,
               Namespace          ns,
               const xmlChar     *name,
               const xmlChar     *uri,
               int                n_attributes,
               const xmlChar    **attributes)
{
  if (ns != NS_NONE && ns != NS_RSS)
    return CTX_SKIP;
  if (name_is (name, "channel"))
    {
      /* RSS 0.90 is RDF too; only its namespace tells it from RSS 1.0. */
      if (uri != NULL && strstr ((const char *) uri, "my.netscape.com/rdf/simple/0.9") != NULL)
        self->feed->format = TIDINGS_FEED_FORMAT_RSS090;
      return CTX_FEED;
    }
  /* RSS 1.0 and 0.90 put items and the image beside the channel. */
  if (name_is (name, "item"))
    {
      begin_item (self);
      self->item->id = get_stripped_attribute (n_attributes, attributes, "about");
      return CTX_ITEM;
    }
  if (name_is (name, "image"))
    return CTX_IMAGE;
  return CTX_SKIP;
}

static Context
start_in_feed (TidingsXmlParser  *self,
               Namespace          ns,
               const xmlChar     *name,
               int                n_attributes,
               const xmlChar    **attributes)
{
  switch (ns)
    {
    case NS_NONE:
    case NS_RSS:
      if (name_is (name, "item"))
        {
          begin_item (self);
          cdf_attributes (self, CTX_ITEM, n_attributes, attributes);
          return CTX_ITEM;
        }
      if (name_is (name, "image"))
        return CTX_IMAGE;
      if (name_is (name, "title") || name_is (name, "description") ||
          name_is (name, "link") || name_is (name, "language") ||
          name_is (name, "managingEditor") || name_is (name, "lastBuildDate") ||
          name_is (name, "pubDate") || name_is (name, "ttl") || name_is (name, "webMaster") ||
          name_is (name, "author") || name_is (name, "abstract") || name_is (name, "subtitle"))
        {
          begin_capture (self, TEXT_UNTYPED);
          return CTX_SKIP;
        }
      return CTX_SKIP;

    case NS_ATOM:
      if (name_is (name, "entry"))
        {
          begin_item (self);
          return CTX_ITEM;
        }
      if (name_is (name, "link"))
        return start_atom_link (self, CTX_FEED, n_attributes, attributes);
      if (name_is (name, "author"))
        return start_person (self, FALSE);
      if (name_is (name, "title") || name_is (name, "subtitle") || name_is (name, "tagline"))
        {
          begin_capture (self, text_construct_type (n_attributes, attributes));
          return CTX_SKIP;
        }
      if (name_is (name, "icon") || name_is (name, "logo") || name_is (name, "updated") ||
          name_is (name, "modified"))
        {
          begin_capture (self, TEXT_PLAIN);
          return CTX_SKIP;
        }
      return CTX_SKIP;

    case NS_DC:
      if (name_is (name, "creator") || name_is (name, "language") || name_is (name, "date") ||
          name_is (name, "title") || name_is (name, "description") ||
          name_is (name, "publisher") || name_is (name, "author"))
        begin_capture (self, TEXT_UNTYPED);
      return CTX_SKIP;

    case NS_ITUNES:
      if (name_is (name, "image"))
        {
          g_autofree char *href = get_stripped_attribute (n_attributes, attributes, "href");

          if (href == NULL)
            href = get_stripped_attribute (n_attributes, attributes, "url");
          /* A podcast's square artwork is the best icon it has. */
          set_feed_icon (self, href, TRUE);
        }
      else if (name_is (name, "link"))
        {
          g_autofree char *rel = get_stripped_attribute (n_attributes, attributes, "rel");
          g_autofree char *href = get_stripped_attribute (n_attributes, attributes, "href");

          if (rel != NULL && g_ascii_strcasecmp (rel, "image") == 0)
            set_feed_icon (self, href, TRUE);
        }
      else if (name_is (name, "author") || name_is (name, "summary") ||
               name_is (name, "subtitle"))
        begin_capture (self, TEXT_UNTYPED);
      return CTX_SKIP;

    case NS_SY:
      if (name_is (name, "updatePeriod") || name_is (name, "updateFrequency"))
        begin_capture (self, TEXT_PLAIN);
      return CTX_SKIP;

    case NS_RDF:
    case NS_DCTERMS:
    case NS_CONTENT:
    case NS_MEDIA:
    case NS_XHTML:
    case NS_FEEDBURNER:
    case NS_OTHER:
    default:
      return CTX_SKIP;
    }
}

static Context
start_in_item (TidingsXmlParser  *self,
               Namespace          ns,
               const xmlChar     *name,
               int                n_attributes,
               const xmlChar    **attributes)
{
  switch (ns)
    {
    case NS_NONE:
    case NS_RSS:
      if (name_is (name, "title") || name_is (name, "link") || name_is (name, "pubDate") ||
          name_is (name, "author") || name_is (name, "category") || name_is (name, "tags"))
        {
          begin_capture (self, TEXT_UNTYPED);
          return CTX_SKIP;
        }
      if (name_is (name, "description") || name_is (name, "abstract") ||
          name_is (name, "fullitem") || name_is (name, "summary"))
        {
          begin_capture (self, TEXT_HTML);
          return CTX_SKIP;
        }
      /* XHTML's <body> written without its namespace. */
      if (name_is (name, "body"))
        {
          begin_capture (self, TEXT_XHTML);
          return CTX_SKIP;
        }
      if (name_is (name, "guid"))
        {
          g_autofree char *permalink = get_stripped_attribute (n_attributes, attributes,
                                                               "isPermaLink");

          self->permalink = permalink == NULL || g_ascii_strcasecmp (permalink, "false") != 0;
          begin_capture (self, TEXT_PLAIN);
          return CTX_SKIP;
        }
      if (name_is (name, "enclosure"))
        {
          g_autofree char *url = get_stripped_attribute (n_attributes, attributes, "url");
          g_autofree char *type = get_stripped_attribute (n_attributes, attributes, "type");
          g_autofree char *length = get_stripped_attribute (n_attributes, attributes, "length");

          add_attachment (self, url, type, length, NULL, -1);
          if (type != NULL && g_str_has_prefix (type, "image/"))
            set_item_image (self, url);
        }
      return CTX_SKIP;

    case NS_ATOM:
      if (name_is (name, "link"))
        return start_atom_link (self, CTX_ITEM, n_attributes, attributes);
      if (name_is (name, "author"))
        return start_person (self, TRUE);
      if (name_is (name, "category"))
        {
          g_autofree char *term = get_stripped_attribute (n_attributes, attributes, "term");
          g_autofree char *label = get_stripped_attribute (n_attributes, attributes, "label");

          add_tags (self, term != NULL ? term : label);
          return CTX_SKIP;
        }
      if (name_is (name, "content"))
        {
          g_autofree char *src = get_stripped_attribute (n_attributes, attributes, "src");

          /* Out-of-line content: the item is elsewhere. */
          if (src != NULL && self->item != NULL)
            set_string_if_unset (&self->item->external_url, resolve (self, src));
          begin_capture (self, text_construct_type (n_attributes, attributes));
          return CTX_SKIP;
        }
      if (name_is (name, "title") || name_is (name, "summary"))
        {
          begin_capture (self, text_construct_type (n_attributes, attributes));
          return CTX_SKIP;
        }
      if (name_is (name, "id") || name_is (name, "published") || name_is (name, "updated") ||
          name_is (name, "issued") || name_is (name, "modified") || name_is (name, "created"))
        {
          begin_capture (self, TEXT_PLAIN);
          return CTX_SKIP;
        }
      /* atom:source holds another feed's metadata: none of it is ours. */
      return CTX_SKIP;

    case NS_DC:
      if (name_is (name, "creator") || name_is (name, "date") || name_is (name, "subject") ||
          name_is (name, "author") ||
          name_is (name, "title") || name_is (name, "description") ||
          name_is (name, "identifier") || name_is (name, "language"))
        begin_capture (self, name_is (name, "description") ? TEXT_HTML : TEXT_UNTYPED);
      return CTX_SKIP;

    case NS_DCTERMS:
      if (name_is (name, "modified") || name_is (name, "issued") || name_is (name, "created"))
        begin_capture (self, TEXT_PLAIN);
      return CTX_SKIP;

    case NS_CONTENT:
      if (name_is (name, "encoded"))
        begin_capture (self, TEXT_HTML);
      return CTX_SKIP;

    case NS_XHTML:
      if (name_is (name, "body") || name_is (name, "div"))
        begin_capture (self, TEXT_XHTML);
      return CTX_SKIP;

    case NS_MEDIA:
      if (name_is (name, "group"))
        return CTX_MEDIA_GROUP;
      if (name_is (name, "content"))
        media_content (self, n_attributes, attributes);
      else if (name_is (name, "thumbnail"))
        {
          g_autofree char *url = get_stripped_attribute (n_attributes, attributes, "url");

          set_item_image (self, url);
        }
      else if (name_is (name, "description") || name_is (name, "title") ||
               name_is (name, "category") || name_is (name, "keywords"))
        begin_capture (self, TEXT_UNTYPED);
      return CTX_SKIP;

    case NS_ITUNES:
      if (name_is (name, "image"))
        {
          g_autofree char *href = get_stripped_attribute (n_attributes, attributes, "href");

          if (href == NULL)
            href = get_stripped_attribute (n_attributes, attributes, "url");
          set_item_image (self, href);
        }
      else if (name_is (name, "link"))
        {
          g_autofree char *rel = get_stripped_attribute (n_attributes, attributes, "rel");
          g_autofree char *href = get_stripped_attribute (n_attributes, attributes, "href");

          if (rel != NULL && g_ascii_strcasecmp (rel, "image") == 0)
            set_item_image (self, href);
        }
      else if (name_is (name, "category"))
        {
          g_autofree char *text = get_stripped_attribute (n_attributes, attributes, "text");

          add_tags (self, text);
          /* Subcategories nest inside. */
          return CTX_MEDIA_GROUP;
        }
      else if (name_is (name, "author") || name_is (name, "duration") ||
               name_is (name, "summary") || name_is (name, "subtitle") ||
               name_is (name, "keywords"))
        begin_capture (self, TEXT_UNTYPED);
      return CTX_SKIP;

    case NS_FEEDBURNER:
      if (name_is (name, "origLink"))
        begin_capture (self, TEXT_PLAIN);
      return CTX_SKIP;

    case NS_RDF:
    case NS_SY:
    case NS_OTHER:
    default:
      return CTX_SKIP;
    }
}

static void
end_feed_field (TidingsXmlParser *self,
                Namespace         ns,
                const xmlChar    *name)
{
  TidingsFeed *feed = self->feed;

  switch (ns)
    {
    case NS_NONE:
    case NS_RSS:
      if (name_is (name, "title"))
        set_string (&feed->title, captured_text (self));
      else if (name_is (name, "description") || name_is (name, "abstract"))
        set_string (&feed->description, captured_text (self));
      else if (name_is (name, "subtitle"))
        set_string_if_unset (&feed->description, captured_text (self));
      else if (name_is (name, "author"))
        add_author (feed->authors, parse_person (self->text->str));
      else if (name_is (name, "link"))
        {
          g_autofree char *link = captured_stripped (self);

          if (link != NULL && !self->feed_link_alternate)
            set_string (&feed->home_page_url, resolve (self, link));
        }
      else if (name_is (name, "language"))
        set_string (&feed->language, captured_stripped (self));
      else if (name_is (name, "managingEditor") || name_is (name, "webMaster"))
        {
          if (feed->authors->len == 0 || name_is (name, "managingEditor"))
            add_author (feed->authors, parse_person (self->text->str));
        }
      else if (name_is (name, "lastBuildDate") || name_is (name, "pubDate"))
        set_date (self, &feed->date_modified, name_is (name, "pubDate"));
      else if (name_is (name, "ttl"))
        {
          gint64 ttl = parse_count (self->text->str);

          if (ttl > 0 && ttl < G_MAXUINT / 2)
            feed->ttl_minutes = ttl;
        }
      break;

    case NS_ATOM:
      if (name_is (name, "link"))
        {
          g_autofree char *href = captured_stripped (self);

          if (href != NULL && (self->link_rel == NULL ||
                               g_ascii_strcasecmp (self->link_rel, "alternate") == 0))
            set_string_if_unset (&feed->home_page_url, resolve (self, href));
          g_clear_pointer (&self->link_rel, g_free);
        }
      else if (name_is (name, "title"))
        set_string (&feed->title, captured_text (self));
      else if (name_is (name, "subtitle") || name_is (name, "tagline"))
        set_string (&feed->description, captured_text (self));
      else if (name_is (name, "icon"))
        {
          g_autofree char *href = captured_stripped (self);

          set_string (&feed->favicon, resolve (self, href));
        }
      else if (name_is (name, "logo"))
        {
          g_autofree char *href = captured_stripped (self);

          set_feed_icon (self, href, FALSE);
        }
      else if (name_is (name, "updated") || name_is (name, "modified"))
        set_date (self, &feed->date_modified, FALSE);
      break;

    case NS_DC:
      if (name_is (name, "creator") || name_is (name, "publisher") || name_is (name, "author"))
        add_author (feed->authors, parse_person (self->text->str));
      else if (name_is (name, "language"))
        set_string_if_unset (&feed->language, captured_stripped (self));
      else if (name_is (name, "date"))
        set_date (self, &feed->date_modified, TRUE);
      else if (name_is (name, "title"))
        set_string_if_unset (&feed->title, captured_text (self));
      else if (name_is (name, "description"))
        set_string_if_unset (&feed->description, captured_text (self));
      break;

    case NS_ITUNES:
      if (name_is (name, "author") && feed->authors->len == 0)
        add_author (feed->authors, parse_person (self->text->str));
      else if (name_is (name, "summary") || name_is (name, "subtitle"))
        set_string_if_unset (&feed->description, captured_text (self));
      break;

    case NS_SY:
      {
        gint64 value = parse_count (self->text->str);
        g_autofree char *period = captured_stripped (self);

        if (name_is (name, "updateFrequency") && value > 0 && value < 10000)
          self->sy_frequency = value;
        else if (name_is (name, "updatePeriod") && period != NULL)
          {
            if (g_ascii_strcasecmp (period, "hourly") == 0)
              self->sy_period_minutes = 60;
            else if (g_ascii_strcasecmp (period, "daily") == 0)
              self->sy_period_minutes = 60 * 24;
            else if (g_ascii_strcasecmp (period, "weekly") == 0)
              self->sy_period_minutes = 60 * 24 * 7;
            else if (g_ascii_strcasecmp (period, "monthly") == 0)
              self->sy_period_minutes = 60 * 24 * 30;
            else if (g_ascii_strcasecmp (period, "yearly") == 0)
              self->sy_period_minutes = 60 * 24 * 365;
          }
      }
      break;

    case NS_RDF:
    case NS_DCTERMS:
    case NS_CONTENT:
    case NS_MEDIA:
    case NS_XHTML:
    case NS_FEEDBURNER:
    case NS_OTHER:
    default:
      break;
    }
}

/* Keeps a body (content or description) with the base in scope where it
 * was written, which is where its relative links point. */
static void
set_body (TidingsXmlParser  *self,
          char             **field,
          char             **base_field,
          char              *value,
          gboolean           only_if_unset)
{
  const char *base = effective_base (self);

  if (value == NULL || (only_if_unset && *field != NULL))
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  g_free (*base_field);
  *base_field = g_strdup (base);
}

static void
end_item_field (TidingsXmlParser *self,
                Namespace         ns,
                const xmlChar    *name)
{
  TidingsItem *item = self->item;

  if (item == NULL)
    return;

  switch (ns)
    {
    case NS_NONE:
    case NS_RSS:
      if (name_is (name, "title"))
        set_string (&item->title, captured_text (self));
      else if (name_is (name, "link"))
        {
          g_autofree char *link = captured_stripped (self);

          if (!self->item_link_alternate)
            set_string (&item->url, resolve (self, link));
        }
      else if (name_is (name, "description") || name_is (name, "abstract") ||
               name_is (name, "summary"))
        {
          /* Some RSS carries both a <description> and a <summary>: the first
           * is the summary, the second the body. */
          gboolean pair = self->item_description != NULL && self->item_content == NULL &&
                          (self->description_from_summary != name_is (name, "summary"));

          if (pair)
            set_body (self, &self->item_content, &self->item_content_base, captured_html (self),
                      FALSE);
          else
            {
              set_body (self, &self->item_description, &self->item_description_base,
                        captured_html (self), FALSE);
              self->description_from_summary = name_is (name, "summary");
            }
        }
      else if (name_is (name, "fullitem") || name_is (name, "body"))
        set_body (self, &self->item_content, &self->item_content_base, captured_html (self),
                  TRUE);
      else if (name_is (name, "guid"))
        {
          g_autofree char *guid = captured_stripped (self);

          if (guid == NULL)
            break;
          if (self->permalink && (g_str_has_prefix (guid, "http://") ||
                                  g_str_has_prefix (guid, "https://")))
            set_string (&self->item_guid_link, resolve (self, guid));
          set_string (&item->id, g_steal_pointer (&guid));
        }
      else if (name_is (name, "pubDate"))
        set_date (self, &item->date_published, FALSE);
      else if (name_is (name, "author"))
        add_author (item->authors, parse_person (self->text->str));
      else if (name_is (name, "category"))
        add_tags (self, self->text->str);
      else if (name_is (name, "tags"))
        add_keywords (self, self->text->str);
      break;

    case NS_ATOM:
      if (name_is (name, "link"))
        {
          g_autofree char *href = captured_stripped (self);

          if (href != NULL && (self->link_rel == NULL ||
                               g_ascii_strcasecmp (self->link_rel, "alternate") == 0))
            set_string_if_unset (&item->url, resolve (self, href));
          else if (href != NULL && g_ascii_strcasecmp (self->link_rel, "enclosure") == 0)
            add_attachment (self, href, NULL, NULL, NULL, -1);
          g_clear_pointer (&self->link_rel, g_free);
        }
      else if (name_is (name, "title"))
        set_string (&item->title, captured_text (self));
      else if (name_is (name, "id"))
        set_string (&item->id, captured_stripped (self));
      else if (name_is (name, "summary"))
        set_body (self, &self->item_description, &self->item_description_base,
                  captured_html (self), FALSE);
      else if (name_is (name, "content"))
        {
          if (self->text_type == TEXT_PLAIN)
            set_body (self, &self->item_content_text, &self->item_content_base,
                      captured_stripped (self), FALSE);
          else
            set_body (self, &self->item_content, &self->item_content_base,
                      captured_html (self), FALSE);
        }
      else if (name_is (name, "published") || name_is (name, "issued"))
        set_date (self, &item->date_published, FALSE);
      else if (name_is (name, "created"))
        set_date (self, &item->date_published, TRUE);
      else if (name_is (name, "updated") || name_is (name, "modified"))
        set_date (self, &item->date_modified, FALSE);
      break;

    case NS_DC:
      if (name_is (name, "creator") || name_is (name, "author"))
        add_author (item->authors, parse_person (self->text->str));
      else if (name_is (name, "date"))
        set_date (self, &item->date_published, TRUE);
      else if (name_is (name, "subject"))
        add_tags (self, self->text->str);
      else if (name_is (name, "title"))
        set_string_if_unset (&item->title, captured_text (self));
      else if (name_is (name, "description"))
        set_body (self, &self->item_description, &self->item_description_base,
                  captured_html (self), TRUE);
      else if (name_is (name, "identifier"))
        set_string_if_unset (&item->id, captured_stripped (self));
      else if (name_is (name, "language"))
        set_string_if_unset (&item->language, captured_stripped (self));
      break;

    case NS_DCTERMS:
      if (name_is (name, "modified"))
        set_date (self, &item->date_modified, FALSE);
      else
        set_date (self, &item->date_published, TRUE);
      break;

    case NS_CONTENT:
      set_body (self, &self->item_content, &self->item_content_base, captured_html (self), FALSE);
      break;

    case NS_XHTML:
      set_body (self, &self->item_content, &self->item_content_base, captured_html (self), TRUE);
      break;

    case NS_MEDIA:
      if (name_is (name, "description"))
        set_string_if_unset (&self->itunes_summary, captured_text (self));
      else if (name_is (name, "title"))
        set_string_if_unset (&item->title, captured_text (self));
      else if (name_is (name, "category"))
        add_tags (self, self->text->str);
      else if (name_is (name, "keywords"))
        add_keywords (self, self->text->str);
      break;

    case NS_ITUNES:
      if (name_is (name, "author") && item->authors->len == 0)
        add_author (item->authors, parse_person (self->text->str));
      else if (name_is (name, "duration"))
        self->itunes_duration = parse_duration (self->text->str);
      else if (name_is (name, "summary"))
        set_string (&self->itunes_summary, captured_text (self));
      else if (name_is (name, "subtitle"))
        set_string_if_unset (&self->itunes_summary, captured_text (self));
      else if (name_is (name, "keywords"))
        add_keywords (self, self->text->str);
      break;

    case NS_FEEDBURNER:
      /* FeedBurner rewrites links through itself; origLink is the real one. */
      {
        g_autofree char *link = captured_stripped (self);

        set_string (&item->url, resolve (self, link));
        self->item_link_alternate = TRUE;
      }
      break;

    case NS_RDF:
    case NS_SY:
    case NS_OTHER:
    default:
      break;
    }
}

static void
end_person_field (TidingsXmlParser *self,
                  const xmlChar    *name)
{
  TidingsAuthor *person = self->person;

  if (person == NULL)
    return;
  if (name_is (name, "name"))
    set_string (&person->name, tidings_collapse_space (g_strdup (self->text->str)));
  else if (name_is (name, "uri") || name_is (name, "url") || name_is (name, "homepage"))
    {
      g_autofree char *uri = captured_stripped (self);

      set_string (&person->url, resolve (self, uri));
    }
  else if (name_is (name, "email") && person->url == NULL)
    {
      g_autofree char *email = captured_stripped (self);

      if (email != NULL)
        person->url = g_strconcat ("mailto:", email, NULL);
    }
}

static void
end_person (TidingsXmlParser *self)
{
  TidingsAuthor *person = g_steal_pointer (&self->person);

  if (person == NULL)
    return;
  if (person->name == NULL && person->url == NULL)
    {
      tidings_author_free (person);
      return;
    }
  if (self->person_for_item)
    {
      if (self->item != NULL)
        add_author (self->item->authors, person);
      else
        tidings_author_free (person);
    }
  else
    add_author (self->feed->authors, person);
}

/* ---- SAX callbacks ------------------------------------------------------ */

static void
serialise_start_tag (GString        *out,
                     const xmlChar  *name,
                     int             n_attributes,
                     const xmlChar **attributes)
{
  g_string_append_c (out, '<');
  g_string_append (out, (const char *) name);
  for (int i = 0; i < n_attributes; i++)
    {
      const xmlChar **a = attributes + i * 5;
      g_autofree char *value = _tidings_xml_attribute_value (a);

      g_string_append_c (out, ' ');
      /* xlink:href in SVG keeps its prefix; element prefixes (svg:svg) go,
       * as the HTML that this becomes has none. */
      if (a[1] != NULL)
        {
          g_string_append (out, (const char *) a[1]);
          g_string_append_c (out, ':');
        }
      g_string_append (out, (const char *) a[0]);
      g_string_append (out, "=\"");
      _tidings_html_append_escaped (out, value, strlen (value), TRUE);
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '>');
}

/* Once a document has shown one well-formedness error, libxml2 drops every
 * entity reference it reads in text, "&amp;" and "&lt;" included
 * (xmlParseReference returns early while ctxt->wellFormed is 0): in recovery
 * that turned the escaped HTML of every later article into tag soup. The
 * errors are on record in feed->recovered and the warnings, so the flag is
 * set back at every event. Character references were never affected. */
static inline void
keep_reading_references (TidingsXmlParser *self)
{
  self->ctxt->wellFormed = 1;
}

static void
on_start_element (void           *ctx,
                  const xmlChar  *localname,
                  const xmlChar  *prefix,
                  const xmlChar  *uri,
                  int             n_namespaces,
                  const xmlChar **namespaces,
                  int             n_attributes,
                  int             n_defaulted,
                  const xmlChar **attributes)
{
  TidingsXmlParser *self = ctx;
  const Frame *parent = top_frame (self);
  Context parent_context = parent->context;
  Frame frame = { CTX_SKIP, NS_NONE, NULL, NULL };
  g_autofree char *xml_base = NULL;
  g_autofree char *xml_lang = NULL;
  Context context;

  keep_reading_references (self);

  /* Markup inside a captured element is HTML to keep, not feed structure;
   * the <div> that wraps Atom's xhtml content is not part of it. */
  if (self->capture_depth >= 0)
    {
      /* Markup inside what claimed to be text: it was XHTML all along, so
       * the text read so far becomes escaped HTML too. */
      if (self->text_type == TEXT_PLAIN || self->text_type == TEXT_UNTYPED)
        {
          GString *escaped = g_string_sized_new (self->text->len + 64);

          _tidings_html_append_escaped (escaped, self->text->str, self->text->len, FALSE);
          g_string_free (self->text, TRUE);
          self->text = escaped;
          self->text_type = TEXT_XHTML;
        }
      if (self->text_type != TEXT_XHTML_DIV || self->frames->len - 1 != (guint) self->capture_depth ||
          !name_is (localname, "div"))
        serialise_start_tag (self->text, localname, n_attributes, attributes);
      frame.base = parent->base ? g_ref_string_acquire (parent->base) : NULL;
      frame.lang = parent->lang ? g_ref_string_acquire (parent->lang) : NULL;
      g_array_append_val (self->frames, frame);
      return;
    }

  frame.ns = classify_namespace (self, uri, prefix);

  xml_base = get_attribute (n_attributes, attributes, "base", TRUE);
  if (xml_base != NULL)
    {
      g_autofree char *resolved = tidings_uri_resolve (parent->base, xml_base);

      frame.base = resolved != NULL ? g_ref_string_new (resolved) : NULL;
    }
  if (frame.base == NULL && parent->base != NULL)
    frame.base = g_ref_string_acquire (parent->base);

  xml_lang = get_attribute (n_attributes, attributes, "lang", TRUE);
  if (xml_lang != NULL && *g_strstrip (xml_lang) != '\0')
    frame.lang = g_ref_string_new (xml_lang);
  else if (parent->lang != NULL)
    frame.lang = g_ref_string_acquire (parent->lang);

  /* The frame goes on the stack first: field handlers resolve against it.
   * (This may move the array, so `parent` is not used past here.) */
  g_array_append_val (self->frames, frame);
  parent = NULL;

  switch (parent_context)
    {
    case CTX_DOCUMENT:
      context = start_root (self, frame.ns, localname, uri, n_attributes, attributes);
      break;
    case CTX_ROOT:
      context = start_in_root (self, frame.ns, localname, uri, n_attributes, attributes);
      break;
    case CTX_FEED:
      context = start_in_feed (self, frame.ns, localname, n_attributes, attributes);
      break;
    case CTX_ITEM:
    case CTX_MEDIA_GROUP:
      context = start_in_item (self, frame.ns, localname, n_attributes, attributes);
      break;
    case CTX_PERSON:
      if (name_is (localname, "name") || name_is (localname, "email") ||
          name_is (localname, "uri") || name_is (localname, "url") ||
          name_is (localname, "homepage"))
        begin_capture (self, TEXT_PLAIN);
      context = CTX_SKIP;
      break;
    case CTX_IMAGE:
      if (name_is (localname, "url"))
        begin_capture (self, TEXT_PLAIN);
      context = CTX_SKIP;
      break;
    case CTX_SKIP:
    default:
      context = CTX_SKIP;
      break;
    }

  if (context == CTX_FEED && frame.lang != NULL && self->feed->language == NULL)
    self->feed->language = g_strdup (frame.lang);
  if (context == CTX_ITEM && self->item != NULL && frame.lang != NULL)
    self->item->language = g_strdup (frame.lang);

  top_frame (self)->context = context;
}

static void
on_end_element (void          *ctx,
                const xmlChar *localname,
                const xmlChar *prefix,
                const xmlChar *uri)
{
  TidingsXmlParser *self = ctx;
  guint depth = self->frames->len - 1;
  Frame frame;
  Context parent_context;

  keep_reading_references (self);

  if (depth == 0)
    return;

  frame = *top_frame (self);
  parent_context = g_array_index (self->frames, Frame, depth - 1).context;

  if (self->capture_depth >= 0 && depth > (guint) self->capture_depth)
    {
      if (self->text_type != TEXT_XHTML_DIV || depth > (guint) self->capture_depth + 1 ||
          !name_is (localname, "div"))
        {
          /* Void elements have no end tag in HTML. */
          if (!name_is (localname, "br") && !name_is (localname, "img") &&
              !name_is (localname, "hr") && !name_is (localname, "input") &&
              !name_is (localname, "meta") && !name_is (localname, "link") &&
              !name_is (localname, "wbr") && !name_is (localname, "source") &&
              !name_is (localname, "area") && !name_is (localname, "col") &&
              !name_is (localname, "embed") && !name_is (localname, "param"))
            {
              g_string_append (self->text, "</");
              g_string_append (self->text, (const char *) localname);
              g_string_append_c (self->text, '>');
            }
        }
    }
  else if (self->capture_depth >= 0 && depth == (guint) self->capture_depth)
    {
      switch (parent_context)
        {
        case CTX_FEED:
          end_feed_field (self, frame.ns, localname);
          break;
        case CTX_ITEM:
        case CTX_MEDIA_GROUP:
          end_item_field (self, frame.ns, localname);
          break;
        case CTX_PERSON:
          end_person_field (self, localname);
          break;
        case CTX_IMAGE:
          {
            g_autofree char *href = captured_stripped (self);

            set_feed_icon (self, href, FALSE);
          }
          break;
        case CTX_DOCUMENT:
        case CTX_ROOT:
        case CTX_SKIP:
        default:
          break;
        }
      self->capture_depth = -1;
      g_string_truncate (self->text, 0);
    }
  else if (frame.context == CTX_ITEM)
    end_item (self);
  else if (frame.context == CTX_PERSON)
    end_person (self);

  frame_clear (top_frame (self));
  g_array_set_size (self->frames, depth);
}

static void
on_characters (void          *ctx,
               const xmlChar *text,
               int            len)
{
  TidingsXmlParser *self = ctx;

  keep_reading_references (self);
  if (self->capture_depth < 0)
    return;

  /* Text inside markup we re-serialise must be escaped again; the captured
   * element's own text is kept as it was decoded. */
  if (self->text_type == TEXT_XHTML || self->text_type == TEXT_XHTML_DIV ||
      self->frames->len - 1 > (guint) self->capture_depth)
    _tidings_html_append_escaped (self->text, (const char *) text, len, FALSE);
  else
    g_string_append_len (self->text, (const char *) text, len);
}

/* Only the five predefined entities exist in XML without a DTD (HTML's
 * were made character references by the input stage). Nothing a document
 * declares itself is ever expanded. */
static xmlEntityPtr
on_get_entity (void          *ctx,
               const xmlChar *name)
{
  TidingsXmlParser *self = ctx;
  xmlEntityPtr entity = xmlGetPredefinedEntity (name);

  if (entity != NULL)
    return entity;

  tidings_feed_add_warning (self->feed, "Undefined entity &%.40s; dropped", (const char *) name);
  self->feed->recovered = TRUE;
  return NULL;
}

static void
on_error (void        *ctx,
          xmlErrorPtr  error)
{
  TidingsXmlParser *self = ctx;

  if (error == NULL || error->level == XML_ERR_WARNING)
    return;
  /* Namespace slips are common and harmless to us. */
  if (error->domain == XML_FROM_NAMESPACE)
    {
      g_autofree char *message = g_strchomp (g_strdup (error->message ? error->message : ""));

      tidings_feed_add_warning (self->feed, "%s", message);
      return;
    }

  self->feed->recovered = TRUE;
  if (self->first_error_message == NULL)
    {
      self->first_error_line = error->line;
      self->first_error_column = error->int2;
      self->first_error_message = g_strchomp (g_strdup (error->message ? error->message : ""));
    }
  tidings_feed_add_warning (self->feed, "Line %d, column %d: %s", error->line, error->int2,
                            error->message ? g_strchomp (error->message) : "");
}

static void
ignore_message (void       *ctx,
                const char *msg,
                ...)
{
}

static xmlSAXHandler sax_handler = {
  .initialized = XML_SAX2_MAGIC,
  .startElementNs = on_start_element,
  .endElementNs = on_end_element,
  .characters = on_characters,
  .cdataBlock = on_characters,
  .getEntity = on_get_entity,
  .serror = on_error,
  .warning = ignore_message,
  .error = ignore_message,
  .fatalError = ignore_message,
};

TidingsXmlParser *
_tidings_xml_parser_new (TidingsFeed     *feed,
                         const char      *base_url,
                         TidingsItemFunc  item_func,
                         gpointer         user_data)
{
  TidingsXmlParser *self;
  Frame document = { CTX_DOCUMENT, NS_NONE, NULL, NULL };

  g_return_val_if_fail (feed != NULL, NULL);
  g_return_val_if_fail (item_func != NULL, NULL);

  _tidings_xml_init ();

  self = g_new0 (TidingsXmlParser, 1);
  self->feed = feed;
  self->item_func = item_func;
  self->user_data = user_data;
  self->capture_depth = -1;
  self->text = g_string_sized_new (4096);
  self->itunes_duration = -1;
  self->frames = g_array_sized_new (FALSE, FALSE, sizeof (Frame), 32);

  /* Relative links resolve against the document's address only when that
   * address is on the web; a local file is no base for an article's links. */
  if (base_url != NULL && (g_str_has_prefix (base_url, "http://") ||
                           g_str_has_prefix (base_url, "https://")))
    document.base = g_ref_string_new (base_url);
  g_array_append_val (self->frames, document);

  self->ctxt = xmlCreatePushParserCtxt (&sax_handler, self, NULL, 0, base_url);
  xmlCtxtUseOptions (self->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOCDATA |
                     XML_PARSE_IGNORE_ENC | XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
  /* The input stage has already made everything UTF-8. */
  xmlSwitchEncoding (self->ctxt, XML_CHAR_ENCODING_UTF8);
  return self;
}

void
_tidings_xml_parser_free (TidingsXmlParser *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->frames->len; i++)
    frame_clear (&g_array_index (self->frames, Frame, i));
  g_array_unref (self->frames);
  clear_item_state (self);
  g_clear_pointer (&self->person, tidings_author_free);
  g_string_free (self->text, TRUE);
  if (self->ctxt != NULL)
    {
      if (self->ctxt->myDoc != NULL)
        xmlFreeDoc (self->ctxt->myDoc);
      xmlFreeParserCtxt (self->ctxt);
    }
  g_clear_error (&self->error);
  g_free (self->first_error_message);
  g_free (self->link_rel);
  g_free (self->root_uri);
  g_free (self);
}

/* A truncated document leaves elements open: whatever was read of them is
 * kept, as if they had been closed. */
static void
close_open_elements (TidingsXmlParser *self)
{
  while (self->frames->len > 1)
    {
      Frame *frame = top_frame (self);

      if (self->capture_depth >= 0 && self->frames->len - 1 == (guint) self->capture_depth)
        {
          Context parent = g_array_index (self->frames, Frame, self->frames->len - 2).context;

          /* An unfinished field is dropped rather than kept half-read,
           * except for the body, which is better cut than lost. */
          if (parent == CTX_ITEM && self->text->len > 0 && self->item != NULL &&
              self->item_content == NULL && self->item_description == NULL &&
              self->item->title != NULL)
            set_body (self, &self->item_description, &self->item_description_base,
                      captured_html (self), FALSE);
          self->capture_depth = -1;
        }
      if (frame->context == CTX_ITEM)
        end_item (self);
      else if (frame->context == CTX_PERSON)
        end_person (self);
      frame_clear (frame);
      g_array_set_size (self->frames, self->frames->len - 1);
    }
}

gboolean
_tidings_xml_parser_push (TidingsXmlParser  *self,
                          const char        *utf8,
                          gsize              len,
                          gboolean           last,
                          GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  /* In pieces: libxml2 takes an int length, and works best with little
   * input at a time (see XML_PIECE_SIZE). */
  while (len > 0 || last)
    {
      int piece = (int) MIN (len, (gsize) XML_PIECE_SIZE);
      gboolean terminate = last && (gsize) piece == len;

      xmlParseChunk (self->ctxt, utf8, piece, terminate);
      utf8 += piece;
      len -= piece;
      if (terminate)
        break;
      if (self->error != NULL)
        break;
    }

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  if (!last)
    return TRUE;

  if (self->sy_period_minutes > 0 && self->feed->ttl_minutes == 0)
    self->feed->ttl_minutes = self->sy_period_minutes / MAX (self->sy_frequency, 1);

  if (!self->saw_root)
    {
      if (self->first_error_message != NULL)
        g_set_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_MALFORMED,
                     /* Translators: where in a document a problem is; the last %s is
                      * the problem (in English: it comes from libxml2). */
                     _("line %d, column %d: %s"), self->first_error_line,
                     self->first_error_column, self->first_error_message);
      else
        g_set_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                     _("not a feed: no root element"));
      return FALSE;
    }

  close_open_elements (self);
  return TRUE;
}
