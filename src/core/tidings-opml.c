/* tidings-opml.c: reading and writing subscription lists (OPML 1.0 and 2.0)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading goes through the same input stage as feeds (any charset in, UTF-8
 * out, bare ampersands and HTML entities repaired), then libxml2's SAX2 push
 * parser in strict mode: a subscription list is imported all or nothing, so
 * a file that is not well-formed is refused rather than guessed at. No tree
 * is built, no entity a file declares is ever expanded (a file that declares
 * one is refused), no DTD or anything else is loaded from disk or network.
 *
 * What counts as what:
 * - an <outline> with an xmlUrl (any case) is a feed;
 * - an <outline> without one, untyped (or type "folder"/"category") and
 *   titled, is a section, even when it has no children, so that an empty
 *   section survives export and import; other types (link, include, Liferea's
 *   search folders and their rules) are not subscriptions and are passed
 *   over, their children going to the enclosing section;
 * - sections nest one level; a section deeper than that folds into its
 *   second-level ancestor, and so do its feeds;
 * - two sections with the same title under the same parent are one section.
 */

#define G_LOG_DOMAIN "tidings-opml"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

#include "tidings-opml.h"
#include "tidings-xml-input.h"

G_DEFINE_QUARK (tidings-opml-error-quark, tidings_opml_error)

/* libxml2's push parser works best on modest pieces (see the feed parser). */
#define PIECE_SIZE (64 * 1024)

/* A file that skips thousands of outlines would bury the user in warnings;
 * beyond this many, the rest are only counted. */
#define MAX_WARNINGS 100

/* Names longer than this are shortened in warnings. */
#define MAX_NAME_CHARS 80

/* The head's title is a label, not a document. */
#define MAX_TITLE_BYTES 4096

typedef enum
{
  ELEMENT_OPML,
  ELEMENT_HEAD,
  ELEMENT_HEAD_TITLE,
  ELEMENT_BODY,
  ELEMENT_OUTLINE,
  ELEMENT_OTHER,
} ElementKind;

typedef struct
{
  ElementKind  kind;
  /* The sections in scope: the top-level one and the second-level one;
   * borrowed from the sections array. */
  const char  *top;
  const char  *second;
} Frame;

typedef struct
{
  xmlParserCtxtPtr  ctxt;
  TidingsOpml      *opml;
  GArray           *frames;       /* Frame */
  GHashTable       *feed_keys;    /* normalised URL, for duplicates */
  GHashTable       *section_keys; /* "parent\x1Ftitle" -> TidingsOpmlSection (borrowed) */
  GString          *title;
  gboolean          saw_head_title;
  gboolean          saw_root;
  gboolean          saw_body;
  guint             n_feeds;
  guint             n_unreported;

  /* Our own reason to give up (too large, not OPML, entities), which wins
   * over the first well-formedness error libxml2 reported. */
  GError           *error;
  int               error_line;
  int               error_column;
  char             *error_message;
} Reader;

/* ---- the description ------------------------------------------------- */

static void
section_free (TidingsOpmlSection *section)
{
  g_free (section->title);
  g_free (section->parent);
  g_free (section);
}

static void
feed_free (TidingsOpmlFeed *feed)
{
  g_free (feed->url);
  g_free (feed->title);
  g_free (feed->site_url);
  g_free (feed->section);
  g_free (feed->parent);
  g_free (feed);
}

TidingsOpml *
tidings_opml_new (void)
{
  TidingsOpml *opml = g_new0 (TidingsOpml, 1);

  opml->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_free);
  opml->feeds = g_ptr_array_new_with_free_func ((GDestroyNotify) feed_free);
  opml->warnings = g_ptr_array_new_with_free_func (g_free);
  return opml;
}

void
tidings_opml_free (TidingsOpml *opml)
{
  if (opml == NULL)
    return;
  g_free (opml->title);
  g_ptr_array_unref (opml->sections);
  g_ptr_array_unref (opml->feeds);
  g_ptr_array_unref (opml->warnings);
  g_free (opml);
}

/* ---- reading ----------------------------------------------------------- */

static inline gboolean
name_is (const xmlChar *name,
         const char    *literal)
{
  return name != NULL && g_ascii_strcasecmp ((const char *) name, literal) == 0;
}

/* An un-namespaced attribute by name, without regard to case (xmlUrl is
 * spelled xmlurl and XMLURL by some exporters), stripped; NULL when absent
 * or blank. */
static char *
get_attribute (int             n_attributes,
               const xmlChar **attributes,
               const char     *name)
{
  for (int i = 0; i < n_attributes; i++)
    {
      const xmlChar **a = attributes + i * 5;
      char *value;

      if (a[1] != NULL || !name_is (a[0], name))
        continue;
      value = g_strstrip (_tidings_xml_attribute_value (a));
      if (*value == '\0')
        {
          g_free (value);
          return NULL;
        }
      return value;
    }
  return NULL;
}

static void
set_error (Reader     *self,
           int         code,
           const char *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
set_error (Reader     *self,
           int         code,
           const char *format,
           ...)
{
  va_list args;

  if (self->error != NULL)
    return;
  va_start (args, format);
  self->error = g_error_new_valist (TIDINGS_OPML_ERROR, code, format, args);
  va_end (args);
  xmlStopParser (self->ctxt);
}

/* A name fit to quote in a sentence: valid UTF-8, not too long. */
static char *
shorten (const char *name,
         glong       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (name, -1);
  g_autofree char *start = NULL;

  if (g_utf8_strlen (valid, -1) <= max_chars)
    return g_steal_pointer (&valid);
  start = g_utf8_substring (valid, 0, max_chars - 1);
  return g_strconcat (start, "…", NULL);
}

static char *
display_name (const char *name)
{
  return shorten (name, MAX_NAME_CHARS);
}

static void
skip_outline (Reader     *self,
              const char *name,
              const char *format,
              ...) G_GNUC_PRINTF (3, 4);

static void
skip_outline (Reader     *self,
              const char *name,
              const char *format,
              ...)
{
  /* Translators: the name given to an outline that has none, in “Outline
   * “untitled” was skipped: …”. */
  g_autofree char *shown = display_name (name != NULL ? name : _("untitled"));
  g_autofree char *reason = NULL;
  va_list args;

  if (self->opml->warnings->len >= MAX_WARNINGS)
    {
      self->n_unreported++;
      return;
    }
  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (self->opml->warnings,
                   /* Translators: the first %s is the outline's title, the second
                    * why it was skipped (“it repeats the address of …”). */
                   g_strdup_printf (_("Outline “%s” was skipped: %s"), shown, reason));
}

static gboolean
has_prefix_nocase (const char *s,
                   const char *prefix)
{
  return g_ascii_strncasecmp (s, prefix, strlen (prefix)) == 0;
}

/* Feed readers that run programs to produce a feed store the program where
 * the address goes: Liferea as "|command", Newsboat as "exec:command" and
 * "filter:command:url". */
static gboolean
is_command (const char *url,
            const char *type)
{
  if (type != NULL && (g_ascii_strcasecmp (type, "command") == 0 ||
                       g_ascii_strcasecmp (type, "exec") == 0 ||
                       g_ascii_strcasecmp (type, "script") == 0))
    return TRUE;
  return url != NULL && (url[0] == '|' || has_prefix_nocase (url, "exec:") ||
                         has_prefix_nocase (url, "filter:"));
}

/* "feed://host/path" and "feed:https://host/path" are old aliases browsers
 * handed to feed readers; they name ordinary web addresses. Returns a new
 * string, or NULL when @url is not an alias. */
static char *
unalias_feed_scheme (const char *url)
{
  const char *rest;

  if (!has_prefix_nocase (url, "feed:"))
    return NULL;
  rest = url + strlen ("feed:");
  if (g_str_has_prefix (rest, "//"))
    return g_strconcat ("http:", rest, NULL);
  if (has_prefix_nocase (rest, "http://") || has_prefix_nocase (rest, "https://"))
    return g_strdup (rest);
  return NULL;
}

/* The address as duplicates are told apart: scheme and host without regard
 * to case, a default port dropped. NULL when @url is not an absolute http(s)
 * address with a host. */
static char *
feed_key (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_PARSE_RELAXED | G_URI_FLAGS_ENCODED |
                                     G_URI_FLAGS_SCHEME_NORMALIZE, NULL);
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  const char *path;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  if (strcmp (scheme, "http") != 0 && strcmp (scheme, "https") != 0)
    return NULL;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  path = g_uri_get_path (uri);
  /* GUri's relaxed parser can leave a path that does not start with '/'
   * beside a host ("http://1;%].h"): no address anyone could fetch. */
  if (*path != '\0' && *path != '/')
    return NULL;
  return g_uri_join (G_URI_FLAGS_ENCODED, scheme, NULL, host, g_uri_get_port (uri),
                     *path != '\0' ? path : "/", g_uri_get_query (uri), g_uri_get_fragment (uri));
}

static gboolean
is_web_address (const char *url)
{
  g_autofree char *key = feed_key (url);

  return key != NULL;
}

static char *
section_key (const char *parent,
             const char *title)
{
  return g_strconcat (parent != NULL ? parent : "", "\x1F", title, NULL);
}

/* Returns the title of the section @title under @parent, adding it when new;
 * the string belongs to the sections array. */
static const char *
add_section (Reader     *self,
             const char *title,
             const char *parent)
{
  g_autofree char *key = section_key (parent, title);
  TidingsOpmlSection *section = g_hash_table_lookup (self->section_keys, key);

  if (section == NULL)
    {
      section = g_new0 (TidingsOpmlSection, 1);
      section->title = g_strdup (title);
      section->parent = g_strdup (parent);
      g_ptr_array_add (self->opml->sections, section);
      g_hash_table_insert (self->section_keys, g_steal_pointer (&key), section);
    }
  return section->title;
}

/* Takes the tabs and line breaks out of @url, in place, as browsers do
 * with an address before reading it: GUri's relaxed parsing looks past
 * them too, and the address kept must be the one that was checked. */
static char *
remove_tabs_and_newlines (char *url)
{
  char *out = url;

  if (url == NULL)
    return NULL;
  for (const char *in = url; *in != '\0'; in++)
    if (*in != '\t' && *in != '\n' && *in != '\r')
      *out++ = *in;
  *out = '\0';
  return url;
}

static void
add_feed (Reader         *self,
          Frame          *frame,
          int             n_attributes,
          const xmlChar **attributes,
          char           *xml_url,
          const char     *type)
{
  g_autofree char *url = xml_url;
  g_autofree char *title = get_attribute (n_attributes, attributes, "title");
  g_autofree char *text = get_attribute (n_attributes, attributes, "text");
  g_autofree char *site_url = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *key = NULL;
  char *unaliased;
  TidingsOpmlFeed *feed;

  if (title == NULL)
    title = g_steal_pointer (&text);
  /* Warnings name the outline by its title, else its address. */
  if (is_command (url, type))
    {
      skip_outline (self, title != NULL ? title : url,
                    _("it runs a program to make its feed, and Tidings never runs "
                      "programs from a subscription list"));
      return;
    }

  remove_tabs_and_newlines (url);
  if ((unaliased = unalias_feed_scheme (url)) != NULL)
    {
      g_free (url);
      url = unaliased;
    }

  key = feed_key (url);
  if (key == NULL)
    {
      g_autofree char *shown = display_name (url);

      skip_outline (self, title != NULL ? title : url,
                    _("its address “%s” is not a web address (only http and https are "
                      "followed)"),
                    shown);
      return;
    }

  if (!g_hash_table_add (self->feed_keys, g_steal_pointer (&key)))
    {
      skip_outline (self, title != NULL ? title : url,
                    _("it repeats the address of a feed listed before it"));
      return;
    }

  if (++self->n_feeds > TIDINGS_OPML_MAX_FEEDS)
    {
      set_error (self, TIDINGS_OPML_ERROR_TOO_LARGE,
                 _("The file lists more than %d feeds, more than Tidings imports at once"),
                 TIDINGS_OPML_MAX_FEEDS);
      return;
    }

  /* Liferea runs a feed through a filter program given in filtercmd; the
   * feed itself is an ordinary address, and is kept without the filter. */
  filter = get_attribute (n_attributes, attributes, "filtercmd");
  if (filter != NULL && self->opml->warnings->len < MAX_WARNINGS)
    {
      g_autofree char *shown = display_name (title != NULL ? title : url);

      g_ptr_array_add (self->opml->warnings,
                       g_strdup_printf (_("Outline “%s” was imported without its filter "
                                          "program: Tidings never runs programs"), shown));
    }

  site_url = remove_tabs_and_newlines (get_attribute (n_attributes, attributes, "htmlurl"));
  if (site_url != NULL && !is_web_address (site_url))
    g_clear_pointer (&site_url, g_free);

  feed = g_new0 (TidingsOpmlFeed, 1);
  feed->url = g_steal_pointer (&url);
  /* Exporters write the address as the text of a feed that has no title. */
  if (title != NULL && strcmp (title, feed->url) != 0)
    feed->title = g_steal_pointer (&title);
  feed->site_url = g_steal_pointer (&site_url);
  if (frame->second != NULL)
    {
      feed->section = g_strdup (frame->second);
      feed->parent = g_strdup (frame->top);
    }
  else
    feed->section = g_strdup (frame->top);
  g_ptr_array_add (self->opml->feeds, feed);
}

/* Sets up @frame (already holding the parent's scope) for an outline. */
static void
start_outline (Reader         *self,
               Frame          *frame,
               int             n_attributes,
               const xmlChar **attributes)
{
  g_autofree char *xml_url = get_attribute (n_attributes, attributes, "xmlurl");
  g_autofree char *type = get_attribute (n_attributes, attributes, "type");
  g_autofree char *title = NULL;

  if (xml_url != NULL || is_command (NULL, type))
    {
      if (xml_url == NULL)
        {
          g_autofree char *name = get_attribute (n_attributes, attributes, "text");

          skip_outline (self, name, _("it runs a program to make its feed, and Tidings never "
                                      "runs programs from a subscription list"));
          return;
        }
      add_feed (self, frame, n_attributes, attributes, g_steal_pointer (&xml_url), type);
      return;
    }

  if (type != NULL && g_ascii_strcasecmp (type, "folder") != 0 &&
      g_ascii_strcasecmp (type, "category") != 0)
    {
      if (g_ascii_strcasecmp (type, "include") == 0)
        {
          g_autofree char *name = get_attribute (n_attributes, attributes, "text");

          skip_outline (self, name, _("it includes another subscription list by address, "
                                      "which Tidings does not fetch"));
        }
      return;
    }

  title = get_attribute (n_attributes, attributes, "text");
  if (title == NULL)
    title = get_attribute (n_attributes, attributes, "title");
  /* An untitled folder is no section: what it holds goes to the enclosing
   * one, where it can still be told apart. */
  if (title == NULL)
    return;

  if (frame->top == NULL)
    frame->top = add_section (self, title, NULL);
  else if (frame->second == NULL)
    frame->second = add_section (self, title, frame->top);
  /* Deeper: folded into the second-level section already in scope. */
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
  Reader *self = ctx;
  Frame frame = { ELEMENT_OTHER, NULL, NULL };
  Frame *parent = NULL;

  if (self->error != NULL)
    return;

  /* <opml> and <body> come before the outlines. */
  if (self->frames->len >= TIDINGS_OPML_MAX_DEPTH + 2)
    {
      set_error (self, TIDINGS_OPML_ERROR_TOO_LARGE,
                 _("The outlines nest more than %d levels deep, deeper than Tidings reads"),
                 TIDINGS_OPML_MAX_DEPTH);
      return;
    }

  if (self->frames->len == 0)
    {
      self->saw_root = TRUE;
      if (!name_is (localname, "opml"))
        {
          if (name_is (localname, "rss") || name_is (localname, "feed") ||
              name_is (localname, "RDF"))
            set_error (self, TIDINGS_OPML_ERROR_NOT_OPML,
                       _("The file is a feed, not a subscription list (OPML)"));
          else
            {
              g_autofree char *root = shorten ((const char *) localname, 40);

              set_error (self, TIDINGS_OPML_ERROR_NOT_OPML,
                         /* Translators: %s is the name of the file's first element. */
                         _("The file is not a subscription list: OPML starts with <opml>, "
                           "this file with <%s>"), root);
            }
          return;
        }
      frame.kind = ELEMENT_OPML;
      g_array_append_val (self->frames, frame);
      return;
    }

  parent = &g_array_index (self->frames, Frame, self->frames->len - 1);
  frame.top = parent->top;
  frame.second = parent->second;

  switch (parent->kind)
    {
    case ELEMENT_OPML:
      if (name_is (localname, "head"))
        frame.kind = ELEMENT_HEAD;
      else if (name_is (localname, "body") && !self->saw_body)
        {
          frame.kind = ELEMENT_BODY;
          self->saw_body = TRUE;
        }
      break;

    case ELEMENT_HEAD:
      if (name_is (localname, "title") && !self->saw_head_title)
        {
          frame.kind = ELEMENT_HEAD_TITLE;
          g_string_truncate (self->title, 0);
        }
      break;

    case ELEMENT_BODY:
    case ELEMENT_OUTLINE:
      if (name_is (localname, "outline"))
        {
          frame.kind = ELEMENT_OUTLINE;
          start_outline (self, &frame, n_attributes, attributes);
        }
      break;

    case ELEMENT_HEAD_TITLE:
    case ELEMENT_OTHER:
    default:
      break;
    }

  g_array_append_val (self->frames, frame);
}

static void
on_end_element (void          *ctx,
                const xmlChar *localname,
                const xmlChar *prefix,
                const xmlChar *uri)
{
  Reader *self = ctx;
  Frame *frame;

  if (self->frames->len == 0)
    return;
  frame = &g_array_index (self->frames, Frame, self->frames->len - 1);
  if (frame->kind == ELEMENT_HEAD_TITLE)
    {
      self->saw_head_title = TRUE;
      g_strstrip (self->title->str);
      if (self->title->str[0] != '\0')
        self->opml->title = g_strdup (self->title->str);
    }
  g_array_set_size (self->frames, self->frames->len - 1);
}

static void
on_characters (void          *ctx,
               const xmlChar *text,
               int            len)
{
  Reader *self = ctx;
  Frame *frame;

  if (self->frames->len == 0)
    return;
  frame = &g_array_index (self->frames, Frame, self->frames->len - 1);
  if (frame->kind == ELEMENT_HEAD_TITLE && self->title->len + len <= MAX_TITLE_BYTES)
    g_string_append_len (self->title, (const char *) text, len);
}

/* A file that declares its own entities is refused outright: no subscription
 * list needs them, and expanding them is how a small file becomes gigabytes
 * (the "billion laughs") or reads a local file into the document. */
static void
on_entity_declaration (void          *ctx,
                       const xmlChar *name,
                       int            type,
                       const xmlChar *public_id,
                       const xmlChar *system_id,
                       xmlChar       *content)
{
  Reader *self = ctx;
  g_autofree char *shown = shorten ((const char *) name, 40);

  set_error (self, TIDINGS_OPML_ERROR_MALFORMED,
             /* Translators: %s is the name of an XML entity, %d a line number. */
             _("The file declares its own entity “%s” (line %d); Tidings does not read "
               "files that do, since expanding them can flood memory or read local files"),
             shown, xmlSAX2GetLineNumber (self->ctxt));
}

/* Only XML's five predefined entities exist; HTML's were turned into
 * character references by the input stage. */
static xmlEntityPtr
on_get_entity (void          *ctx,
               const xmlChar *name)
{
  return xmlGetPredefinedEntity (name);
}

static void
on_error (void        *ctx,
          xmlErrorPtr  error)
{
  Reader *self = ctx;
  g_autofree char *message = NULL;
  const char *text;

  /* Well-formedness errors are fatal ones; namespace slips and warnings do
   * not keep us from reading the outlines. */
  if (error == NULL || error->level != XML_ERR_FATAL || self->error_message != NULL)
    return;
  self->error_line = error->line;
  self->error_column = error->int2;
  /* libxml2 says "Extra content at the end of the document" too when the
   * input stops with elements still open, which is a file cut short. */
  if (error->code == XML_ERR_DOCUMENT_END && self->frames->len > 0)
    {
      self->error_message = g_strdup (_("it ends before its elements are closed, as if cut "
                                        "short"));
      return;
    }
  /* libxml2 sometimes quotes the document after a line break, cut at a
   * byte count: the first line is the message. */
  text = error->message != NULL ? error->message : _("unknown error");
  message = g_strndup (text, strcspn (text, "\n"));
  self->error_message = shorten (g_strstrip (message), 200);
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
  .entityDecl = on_entity_declaration,
  .getEntity = on_get_entity,
  .serror = on_error,
  .warning = ignore_message,
  .error = ignore_message,
  .fatalError = ignore_message,
};

static gboolean
only_space (const char *text,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;
  return TRUE;
}

TidingsOpml *
tidings_opml_parse (const char  *data,
                    gsize        len,
                    GError     **error)
{
  g_autoptr(TidingsXmlInput) input = NULL;
  g_autoptr(GString) utf8 = NULL;
  g_autoptr(TidingsOpml) opml = NULL;
  Reader self = { NULL, };
  const char *p;
  gsize left;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > TIDINGS_OPML_MAX_BYTES)
    {
      g_autofree char *size = g_format_size (len);
      g_autofree char *limit = g_format_size (TIDINGS_OPML_MAX_BYTES);

      g_set_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_TOO_LARGE,
                   /* Translators: the two %s are sizes, e.g. “12.5 MB”. */
                   _("The file is too large for a subscription list (%s; Tidings reads up to "
                     "%s)"),
                   size, limit);
      return NULL;
    }

  if (only_space (data, len))
    {
      g_set_error_literal (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED,
                           _("The file is empty"));
      return NULL;
    }

  input = _tidings_xml_input_new ();
  utf8 = g_string_sized_new (len + len / 8 + 64);
  _tidings_xml_input_push (input, data, len, TRUE, utf8);
  if (!_tidings_xml_input_seen_markup (input))
    {
      g_set_error_literal (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED,
                           _("The file is not XML: it holds no markup at all"));
      return NULL;
    }

  _tidings_xml_init ();

  opml = tidings_opml_new ();
  self.opml = opml;
  self.frames = g_array_sized_new (FALSE, FALSE, sizeof (Frame), 16);
  self.feed_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self.section_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self.title = g_string_new (NULL);

  /* Strict: no XML_PARSE_RECOVER. No XML_PARSE_NOENT (entities are not
   * substituted), no XML_PARSE_DTDLOAD, no XML_PARSE_HUGE. The input stage
   * has made the text UTF-8, whatever the declaration says. */
  self.ctxt = xmlCreatePushParserCtxt (&sax_handler, &self, NULL, 0, NULL);
  xmlCtxtUseOptions (self.ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC |
                     XML_PARSE_NOWARNING);
  xmlSwitchEncoding (self.ctxt, XML_CHAR_ENCODING_UTF8);

  p = utf8->str;
  left = utf8->len;
  for (;;)
    {
      int piece = (int) MIN (left, (gsize) PIECE_SIZE);
      gboolean last = (gsize) piece == left;

      xmlParseChunk (self.ctxt, p, piece, last);
      p += piece;
      left -= piece;
      if (last || self.error != NULL || self.error_message != NULL)
        break;
    }

  if (self.error == NULL && self.error_message != NULL)
    g_set_error (&self.error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED,
                 /* Translators: the last %s says what is wrong there (in English:
                  * it comes from libxml2). */
                 _("The file is not well-formed XML: line %d, column %d: %s"),
                 self.error_line, self.error_column, self.error_message);
  if (self.error == NULL && !self.ctxt->wellFormed)
    g_set_error_literal (&self.error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED,
                         _("The file is not well-formed XML"));
  if (self.error == NULL && !self.saw_root)
    g_set_error_literal (&self.error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED,
                         _("The file is not XML: it has no root element"));
  if (self.error == NULL && !self.saw_body)
    g_set_error_literal (&self.error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_NOT_OPML,
                         _("The file is not a complete subscription list: its <opml> has no "
                           "<body>"));

  if (self.error == NULL && self.n_unreported > 0)
    g_ptr_array_add (opml->warnings,
                     /* Translators: where the singular form serves other numbers
                      * too (21, 31, …), write %u in it. */
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "One more outline was skipped",
                                                   "%u more outlines were skipped",
                                                   self.n_unreported),
                                      self.n_unreported));

  if (self.ctxt->myDoc != NULL)
    xmlFreeDoc (self.ctxt->myDoc);
  xmlFreeParserCtxt (self.ctxt);
  g_array_unref (self.frames);
  g_hash_table_unref (self.feed_keys);
  g_hash_table_unref (self.section_keys);
  g_string_free (self.title, TRUE);
  g_free (self.error_message);

  if (self.error != NULL)
    {
      g_propagate_error (error, self.error);
      return NULL;
    }
  return g_steal_pointer (&opml);
}

/* ---- writing ----------------------------------------------------------- */

typedef struct
{
  const char *title;
  GPtrArray  *children;   /* Node, borrowed from the nodes list */
  GPtrArray  *feeds;      /* TidingsOpmlFeed, borrowed */
} Node;

static void
node_free (Node *node)
{
  g_ptr_array_unref (node->children);
  g_ptr_array_unref (node->feeds);
  g_free (node);
}

typedef struct
{
  GPtrArray  *nodes;      /* Node, owned */
  GHashTable *by_key;     /* section_key () -> Node */
  GPtrArray  *top;        /* Node, borrowed */
  GPtrArray  *top_feeds;  /* TidingsOpmlFeed, borrowed */
} Tree;

static Node *
tree_node (Tree       *tree,
           const char *title,
           const char *parent)
{
  g_autofree char *key = section_key (parent, title);
  Node *node = g_hash_table_lookup (tree->by_key, key);

  if (node != NULL)
    return node;

  node = g_new0 (Node, 1);
  node->title = title;
  node->children = g_ptr_array_new ();
  node->feeds = g_ptr_array_new ();
  g_ptr_array_add (tree->nodes, node);
  g_hash_table_insert (tree->by_key, g_steal_pointer (&key), node);
  if (parent == NULL)
    g_ptr_array_add (tree->top, node);
  else
    g_ptr_array_add (tree_node (tree, parent, NULL)->children, node);
  return node;
}

/* Text fit for XML 1.0: valid UTF-8 without the characters XML forbids,
 * with markup characters escaped; a carriage return everywhere, for a
 * reader turns a raw one into a line feed; in attributes the quote and
 * the white space that attribute normalisation would flatten too. */
static void
append_escaped (GString    *out,
                const char *text,
                gboolean    attribute)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        case '"':
          g_string_append (out, attribute ? "&quot;" : "\"");
          break;
        case '\r':
          g_string_append (out, "&#13;");
          break;
        case '\t':
        case '\n':
          if (attribute)
            g_string_append_printf (out, "&#%u;", c);
          else
            g_string_append_c (out, (char) c);
          break;
        default:
          if (c < 0x20 || c == 0xFFFE || c == 0xFFFF)
            break;
          g_string_append_len (out, p, g_utf8_next_char (p) - p);
          break;
        }
    }
}

static void
append_attribute (GString    *out,
                  const char *name,
                  const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (out, " %s=\"", name);
  append_escaped (out, value, TRUE);
  g_string_append_c (out, '"');
}

static void
write_feed (GString         *out,
            TidingsOpmlFeed *feed,
            guint            indent)
{
  g_string_append_printf (out, "%*s<outline type=\"rss\"", (int) indent * 2, "");
  /* OPML 2.0 wants text on every outline; a feed without a title shows
   * its address, which reading back takes for no title. */
  append_attribute (out, "text", feed->title != NULL ? feed->title : feed->url);
  append_attribute (out, "title", feed->title);
  append_attribute (out, "xmlUrl", feed->url);
  append_attribute (out, "htmlUrl", feed->site_url);
  g_string_append (out, "/>\n");
}

static void
write_node (GString *out,
            Node    *node,
            guint    indent)
{
  g_string_append_printf (out, "%*s<outline", (int) indent * 2, "");
  append_attribute (out, "text", node->title);
  append_attribute (out, "title", node->title);
  if (node->children->len == 0 && node->feeds->len == 0)
    {
      g_string_append (out, "/>\n");
      return;
    }
  g_string_append (out, ">\n");
  for (guint i = 0; i < node->children->len; i++)
    write_node (out, node->children->pdata[i], indent + 1);
  for (guint i = 0; i < node->feeds->len; i++)
    write_feed (out, node->feeds->pdata[i], indent + 1);
  g_string_append_printf (out, "%*s</outline>\n", (int) indent * 2, "");
}

/* RFC 822, as OPML asks, in English whatever the locale. */
static char *
format_date_created (void)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d GMT",
                          days[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now), g_date_time_get_hour (now),
                          g_date_time_get_minute (now), g_date_time_get_second (now));
}

char *
tidings_opml_write (const TidingsOpml *opml,
                    gsize             *len)
{
  g_autofree char *date = format_date_created ();
  GString *out = g_string_sized_new (4096);
  Tree tree;

  g_return_val_if_fail (opml != NULL, NULL);

  tree.nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  tree.by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  tree.top = g_ptr_array_new ();
  tree.top_feeds = g_ptr_array_new ();

  /* Sections in their order; a parent named only by its children or feeds
   * is made up where first needed. An untitled section cannot hold feeds
   * (they name their section by title) and is left out. */
  for (guint i = 0; opml->sections != NULL && i < opml->sections->len; i++)
    {
      TidingsOpmlSection *section = opml->sections->pdata[i];

      if (section->title != NULL)
        tree_node (&tree, section->title, section->parent);
    }
  for (guint i = 0; opml->feeds != NULL && i < opml->feeds->len; i++)
    {
      TidingsOpmlFeed *feed = opml->feeds->pdata[i];

      if (feed->url == NULL)
        continue;
      if (feed->section == NULL)
        g_ptr_array_add (tree.top_feeds, feed);
      else
        g_ptr_array_add (tree_node (&tree, feed->section, feed->parent)->feeds, feed);
    }

  g_string_append (out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<opml version=\"2.0\">\n"
                   "  <head>\n"
                   "    <title>");
  append_escaped (out, opml->title != NULL ? opml->title : "Tidings subscriptions", FALSE);
  g_string_append_printf (out, "</title>\n"
                          "    <dateCreated>%s</dateCreated>\n"
                          "  </head>\n"
                          "  <body>\n", date);
  for (guint i = 0; i < tree.top->len; i++)
    write_node (out, tree.top->pdata[i], 2);
  for (guint i = 0; i < tree.top_feeds->len; i++)
    write_feed (out, tree.top_feeds->pdata[i], 2);
  g_string_append (out, "  </body>\n"
                   "</opml>\n");

  g_ptr_array_unref (tree.top_feeds);
  g_ptr_array_unref (tree.top);
  g_hash_table_unref (tree.by_key);
  g_ptr_array_unref (tree.nodes);

  if (len != NULL)
    *len = out->len;
  return g_string_free (out, FALSE);
}
