/* tidings-article-view.c: one article, rendered by WebKitGTK and locked down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every article is a page built here from a template and a stylesheet in
 * the resources around content the sanitiser has already cleaned. The view
 * does not rely on the sanitiser alone; in layers:
 *
 *  - JavaScript markup is off: <script> elements and on* attributes are
 *    dropped by WebKit's parser. JavaScript itself stays on so that Tidings'
 *    own code can run in an isolated world (scrolling).
 *  - Every page carries a Content-Security-Policy (and the web view a default
 *    one, as if sent in a header) that allows no scripts, forms, frames,
 *    objects, fonts or stylesheets from anywhere, and styles only under a
 *    nonce of ours.
 *  - decide-policy cancels every navigation but the load of our own page.
 *    Links the reader clicks go to the default browser when they are http,
 *    https or mailto; anything else (javascript:, file:, data:, feed:...) and
 *    any navigation the reader did not start (refresh, form) is dropped.
 *  - No new windows, downloads, permissions, dialogs or authentication
 *    prompts; an ephemeral network session each.
 *  - With remote images off, a compiled content filter blocks http(s) images
 *    and media and the page's policy allows only data: images.
 */

#define G_LOG_DOMAIN "tidings-article-view"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <webkit/webkit.h>

#include "tidings-article-view.h"
#include "tidings-sanitize.h"

#define ZOOM_MIN 0.5
#define ZOOM_MAX 3.0

/* The article text's size in px; 0 keeps the stylesheet's own. */
#define FONT_SIZE_MAX 100

/* The script world Tidings' own code runs in: it shares the page's DOM but
 * none of its JavaScript globals (not that the page can define any). */
#define SCRIPT_WORLD "tidings"

/* The base of pages whose article has no usable address. */
#define BLANK_BASE "about:blank"

/* As if sent in a header for every page: the outer bound. Each page adds its
 * own, stricter policy (policies only ever narrow each other). */
#define VIEW_CSP \
  "default-src 'none'; script-src 'none'; object-src 'none'; " \
  "img-src http: https: data:; media-src http: https:; style-src 'unsafe-inline'; " \
  "font-src data:; connect-src 'none'; frame-src 'none'; child-src 'none'; " \
  "worker-src 'none'; manifest-src 'none'; form-action 'none'; base-uri 'none'"

/* Blocks remote images and media; data: images still show. */
static const char media_filter_rules[] =
  "[{\"trigger\":{\"url-filter\":\"^https?:\","
  "\"resource-type\":[\"image\",\"media\",\"svg-document\"]},"
  "\"action\":{\"type\":\"block\"}}]";

/* Scrolls by @pages of the window's height; TRUE when already at the end
 * (or start, backwards) so that nothing moved. */
static const char scroll_script[] =
  "const root = document.scrollingElement || document.documentElement;\n"
  "const height = window.innerHeight;\n"
  "const max = Math.max (0, root.scrollHeight - height);\n"
  "const y = window.scrollY;\n"
  "if (pages > 0 && y + 2 >= max)\n"
  "  return true;\n"
  "if (pages < 0 && y <= 2)\n"
  "  return true;\n"
  "window.scrollBy ({ top: pages * height * 0.9, left: 0, behavior: 'instant' });\n"
  "return false;\n";

struct _TidingsArticleView
{
  GtkWidget       parent_instance;

  GtkWidget      *overlay;            /* the one child */
  GtkStack       *stack;
  GtkWidget      *link_preview;
  GtkLabel       *link_label;

  WebKitWebView  *web_view;           /* NULL until the first article */

  /* The article shown (a copy), NULL on the status page. */
  TidingsItem    *item;
  char           *feed_title;
  gint64          article_id;
  gint64          date;
  gboolean        images_for_article; /* "Load images" was followed for it */
  guint           crashes;            /* web process ends while showing it */

  /* The base URI of our own page while its load has not been allowed yet;
   * the one navigation decide-policy lets through. */
  char           *pending_base;
  /* How many of our loads of pending_base WebKit has yet to ask about: two
   * renders in a row (show, then show again) ask twice before either is
   * decided, and the later one is the page to keep. */
  guint           pending_loads;
  gboolean        base_fallback;      /* the article's URL did not work as base */
  gboolean        own_load;           /* our page allowed and not yet loaded */
  gboolean        page_ready;
  gboolean        waiting_for_filter;
  guint           render_idle;

  /* A secret per view in the link of the "Load images" button, so that the
   * content cannot offer a link of its own that does the same. */
  char           *token;

  char           *highlight;
  char           *highlight_word;     /* tried when the whole phrase is not found */
  char           *searched;           /* what the find controller last looked for */

  double          zoom;
  int             font_size;
  gboolean        load_images;
  gboolean        launch_disabled;
};

G_DEFINE_FINAL_TYPE (TidingsArticleView, tidings_article_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_LOAD_IMAGES,
  PROP_ARTICLE_ID,
  PROP_FONT_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_URI,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void render (TidingsArticleView *self);

/* ---- The content filter, compiled once per process ---- */

static WebKitUserContentFilter      *media_filter;
static gboolean                      media_filter_failed;
static WebKitUserContentFilterStore *media_filter_store;   /* while loading */
static GPtrArray                    *media_filter_waiters; /* GWeakRef *, views */

static char *
media_filter_identifier (void)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                         media_filter_rules, -1);

  /* A new rule text gets a new name, so a stale compiled file is never used. */
  hash[16] = '\0';
  return g_strconcat ("tidings-block-remote-media-", hash, NULL);
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
media_filter_ready (WebKitUserContentFilter *filter,
                    const GError            *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&media_filter_waiters);

  if (filter != NULL)
    media_filter = filter;
  else
    {
      /* The page's policy still allows only data: images; only the second
       * layer is missing. */
      g_warning ("Remote images cannot be blocked by a content filter: %s", error->message);
      media_filter_failed = TRUE;
    }
  g_clear_object (&media_filter_store);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      g_autoptr(TidingsArticleView) view = g_weak_ref_get (waiters->pdata[i]);

      if (view != NULL && view->waiting_for_filter)
        {
          view->waiting_for_filter = FALSE;
          render (view);
        }
    }
}

static void
media_filter_saved_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  WebKitUserContentFilter *filter;

  filter = webkit_user_content_filter_store_save_finish (WEBKIT_USER_CONTENT_FILTER_STORE (source),
                                                         result, &error);
  media_filter_ready (filter, error);
}

static void
media_filter_loaded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  WebKitUserContentFilterStore *store = WEBKIT_USER_CONTENT_FILTER_STORE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) rules = NULL;
  g_autofree char *identifier = NULL;
  WebKitUserContentFilter *filter;

  filter = webkit_user_content_filter_store_load_finish (store, result, &error);
  if (filter != NULL)
    {
      media_filter_ready (filter, NULL);
      return;
    }

  /* Not compiled yet (or by another WebKit version): compile it now. */
  g_debug ("Compiling the remote media filter (%s)", error->message);
  identifier = media_filter_identifier ();
  rules = g_bytes_new_static (media_filter_rules, strlen (media_filter_rules));
  webkit_user_content_filter_store_save (store, identifier, rules, NULL,
                                         media_filter_saved_cb, NULL);
}

/* Renders @self again once the filter is ready. */
static void
media_filter_request (TidingsArticleView *self)
{
  g_autofree char *path = NULL;
  g_autofree char *identifier = NULL;
  GWeakRef *ref;

  g_assert (media_filter == NULL && !media_filter_failed);

  self->waiting_for_filter = TRUE;
  if (media_filter_waiters == NULL)
    media_filter_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) weak_ref_free);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  g_ptr_array_add (media_filter_waiters, ref);

  if (media_filter_store != NULL)
    return;

  path = g_build_filename (g_get_user_cache_dir (), DATA_DIR_NAME, "filters", NULL);
  if (g_mkdir_with_parents (path, 0700) != 0)
    g_debug ("Cannot create %s: %s", path, g_strerror (errno));
  identifier = media_filter_identifier ();
  media_filter_store = webkit_user_content_filter_store_new (path);
  webkit_user_content_filter_store_load (media_filter_store, identifier, NULL,
                                         media_filter_loaded_cb, NULL);
}

/* ---- Addresses ---- */

static gboolean
scheme_is (const char *uri,
           const char *scheme)
{
  const char *found = g_uri_peek_scheme (uri);

  return found != NULL && g_ascii_strcasecmp (found, scheme) == 0;
}

static gboolean
is_http (const char *uri)
{
  return uri != NULL && (scheme_is (uri, "http") || scheme_is (uri, "https"));
}

/* Returns @uri when it may go to the default browser or mail client:
 * http(s) with a host, or mailto with an address; no white space or control
 * characters. NULL for anything else. */
static char *
vet_external_uri (const char *uri)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GUri) parsed = NULL;
  const char *scheme;

  if (uri == NULL)
    return NULL;

  trimmed = g_strstrip (g_strdup (uri));
  for (const char *p = trimmed; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f)
      return NULL;

  parsed = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return NULL;

  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    {
      const char *host = g_uri_get_host (parsed);

      if (host == NULL || *host == '\0')
        return NULL;
    }
  else if (g_ascii_strcasecmp (scheme, "mailto") == 0)
    {
      if (*g_uri_get_path (parsed) == '\0')
        return NULL;
    }
  else
    return NULL;

  return g_steal_pointer (&trimmed);
}

/* The article's own address (or the one it links to), if it is an http(s)
 * address we would open; NULL otherwise. */
static char *
article_link (TidingsItem *item)
{
  const char *candidates[2];

  if (item == NULL)
    return NULL;

  candidates[0] = item->url;
  candidates[1] = item->external_url;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (is_http (candidates[i]))
      {
        char *vetted = vet_external_uri (candidates[i]);

        if (vetted != NULL)
          return vetted;
      }
  return NULL;
}

/* The article's URL as the page's base when WebKit will report it back
 * unchanged (decide-policy recognises our own load by it): plain ASCII,
 * lower-case scheme and host, a path and no fragment. Otherwise about:blank;
 * the sanitiser has already made the content's addresses absolute. */
static char *
page_base (TidingsArticleView *self)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *host_lower = NULL;
  const char *url = self->item->url;
  const char *host;
  int port;

  if (self->base_fallback || url == NULL || !is_http (url))
    return g_strdup (BLANK_BASE);

  for (const char *p = url; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || *p == '#')
      return g_strdup (BLANK_BASE);

  parsed = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return g_strdup (BLANK_BASE);

  /* A default port written out is one WebKit would drop. */
  host = g_uri_get_host (parsed);
  port = g_uri_get_port (parsed);
  if (host == NULL || *host == '\0' || g_uri_get_userinfo (parsed) != NULL
      || port == 80 || port == 443 || port == 0 || *g_uri_get_path (parsed) != '/')
    return g_strdup (BLANK_BASE);

  host_lower = g_ascii_strdown (host, -1);
  if (strcmp (host, host_lower) != 0
      || (strncmp (url, "http://", 7) != 0 && strncmp (url, "https://", 8) != 0))
    return g_strdup (BLANK_BASE);

  return g_strdup (url);
}

/* TRUE when @target only moves within @current (a link to #somewhere). */
static gboolean
is_same_document (const char *target,
                  const char *current)
{
  const char *hash = strchr (target, '#');
  gsize len;

  if (hash == NULL || current == NULL)
    return FALSE;

  len = hash - target;
  return strncmp (target, current, len) == 0 && (current[len] == '\0' || current[len] == '#');
}

/* ---- The page ---- */

static void
append_escaped (GString    *out,
                const char *text,
                gboolean    attribute)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    return;
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  _tidings_html_append_escaped (out, text, strlen (text), attribute);
}

static char *
escape (const char *text,
        gboolean    attribute)
{
  GString *out = g_string_new (NULL);

  append_escaped (out, text, attribute);
  return g_string_free (out, FALSE);
}

static char *
random_token (void)
{
  GString *out = g_string_sized_new (32);

  for (guint i = 0; i < 4; i++)
    g_string_append_printf (out, "%08" G_GINT32_MODIFIER "x", g_random_int ());
  return g_string_free (out, FALSE);
}

static char *
load_resource (const char *name)
{
  g_autofree char *path = g_strconcat (APP_PATH, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  /* The resources are compiled into the program: missing is a build bug. */
  if (bytes == NULL)
    g_error ("Resource %s is missing: %s", path, error->message);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Replaces each {{name}} of @template by its value in @values, in one pass:
 * values are never read for marks themselves. Unknown marks stay as they are. */
static char *
fill_template (const char *template,
               GHashTable *values)
{
  GString *out = g_string_sized_new (strlen (template) + 4096);
  const char *p = template;

  for (;;)
    {
      const char *open = strstr (p, "{{");
      const char *close;
      g_autofree char *name = NULL;
      const char *value;

      if (open == NULL || (close = strstr (open + 2, "}}")) == NULL)
        {
          g_string_append (out, p);
          break;
        }

      g_string_append_len (out, p, open - p);
      name = g_strndup (open + 2, close - open - 2);
      value = g_hash_table_lookup (values, name);
      if (value != NULL)
        g_string_append (out, value);
      else
        g_string_append_len (out, open, close + 2 - open);
      p = close + 2;
    }

  return g_string_free (out, FALSE);
}

static char *
format_duration (gint64 seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

/* A name for an attachment without a title: the last part of its path. */
static char *
attachment_name (const TidingsAttachment *attachment)
{
  g_autoptr(GUri) parsed = NULL;

  if (attachment->title != NULL && *attachment->title != '\0')
    return g_strdup (attachment->title);

  parsed = g_uri_parse (attachment->url, G_URI_FLAGS_NONE, NULL);
  if (parsed != NULL)
    {
      g_autofree char *base = g_path_get_basename (g_uri_get_path (parsed));

      if (*base != '\0' && strcmp (base, "/") != 0 && strcmp (base, ".") != 0)
        return g_steal_pointer (&base);
    }
  return g_strdup (attachment->url);
}

static char *
build_attachments (TidingsItem *item)
{
  GString *out;
  guint shown = 0;

  if (item->attachments == NULL || item->attachments->len == 0)
    return g_strdup ("");

  out = g_string_new (NULL);
  g_string_append_printf (out, "<section class=\"tidings-attachments\"><h2>%s</h2><ul>",
                          ngettext ("Attachment", "Attachments", item->attachments->len));

  for (guint i = 0; i < item->attachments->len; i++)
    {
      const TidingsAttachment *attachment = item->attachments->pdata[i];
      g_autofree char *name = NULL;
      g_autofree char *vetted = NULL;
      g_autoptr(GPtrArray) meta = g_ptr_array_new_with_free_func (g_free);

      if (attachment->url == NULL)
        continue;

      name = attachment_name (attachment);
      vetted = is_http (attachment->url) ? vet_external_uri (attachment->url) : NULL;
      g_string_append (out, "<li>");
      if (vetted != NULL)
        {
          g_string_append (out, "<a href=\"");
          append_escaped (out, vetted, TRUE);
          g_string_append (out, "\">");
          append_escaped (out, name, FALSE);
          g_string_append (out, "</a>");
        }
      else
        append_escaped (out, name, FALSE);

      if (attachment->mime_type != NULL && *attachment->mime_type != '\0')
        g_ptr_array_add (meta, g_strdup (attachment->mime_type));
      if (attachment->size_in_bytes > 0)
        g_ptr_array_add (meta, g_format_size (attachment->size_in_bytes));
      if (attachment->duration_in_seconds > 0)
        g_ptr_array_add (meta, format_duration (attachment->duration_in_seconds));
      if (meta->len > 0)
        {
          g_autofree char *joined = NULL;

          g_ptr_array_add (meta, NULL);
          joined = g_strjoinv (", ", (char **) meta->pdata);
          g_string_append (out, "<span class=\"tidings-attachment-meta\">");
          append_escaped (out, joined, FALSE);
          g_string_append (out, "</span>");
        }
      g_string_append (out, "</li>");
      shown++;
    }
  g_string_append (out, "</ul></section>");

  if (shown == 0)
    {
      g_string_free (out, TRUE);
      return g_strdup ("");
    }
  return g_string_free (out, FALSE);
}

static char *
build_byline (TidingsArticleView *self)
{
  GString *out = g_string_new (NULL);
  TidingsItem *item = self->item;
  guint n_authors = 0;

  for (guint i = 0; item->authors != NULL && i < item->authors->len; i++)
    {
      const TidingsAuthor *author = item->authors->pdata[i];

      if (author->name == NULL || *author->name == '\0')
        continue;
      if (n_authors++ > 0)
        g_string_append (out, ", ");
      g_string_append (out, "<span class=\"tidings-author\">");
      append_escaped (out, author->name, FALSE);
      g_string_append (out, "</span>");
    }

  if (self->date != TIDINGS_DATE_UNSET && self->date > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (self->date / G_USEC_PER_SEC);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

      if (local != NULL)
        {
          g_autofree char *iso = g_date_time_format_iso8601 (utc);
          /* Translators: the date above an article, in the reader's time zone;
           * see the GDateTime documentation for the codes. */
          /* xgettext:no-c-format */
          g_autofree char *shown = g_date_time_format (local, _("%A, %B %-e, %Y, %H:%M"));

          if (n_authors > 0)
            g_string_append (out, "<span class=\"tidings-sep\">·</span>");
          g_string_append (out, "<time datetime=\"");
          append_escaped (out, iso, TRUE);
          g_string_append (out, "\">");
          append_escaped (out, shown, FALSE);
          g_string_append (out, "</time>");
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean
contains_ascii_nocase (const char *haystack,
                       const char *needle)
{
  gsize len = strlen (needle);

  for (const char *p = haystack; *p != '\0'; p++)
    if (g_ascii_strncasecmp (p, needle, len) == 0)
      return TRUE;
  return FALSE;
}

/* Whether the content holds anything the remote media filter would block,
 * so that the "Load images" button is offered only when it does something. */
static gboolean
has_remote_media (const char *content,
                  const char *lead_image)
{
  static const char * const tags[] = { "<img", "<picture", "<video", "<audio", "<image",
                                       "<source", "url(" };

  if (lead_image != NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    if (contains_ascii_nocase (content, tags[i]))
      return TRUE;
  return FALSE;
}

static void
put (GHashTable *values,
     const char *name,
     char       *value)
{
  g_hash_table_insert (values, (gpointer) name, value);
}

static char *
build_page (TidingsArticleView *self,
            gboolean            images)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *template = load_resource ("tidings-article.html");
  g_autofree char *nonce = random_token ();
  g_autofree char *content = NULL;
  const char *lead_image = NULL;
  g_autofree char *link = article_link (self->item);
  TidingsItem *item = self->item;
  const char *title;
  GString *lang;
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  if (self->crashes >= 2)
    {
      g_autofree char *message = escape (_("This article could not be shown: the web view "
                                           "stopped while rendering it."), FALSE);

      content = g_strconcat ("<p><em>", message, "</em></p>", NULL);
    }
  else if (item->content_html != NULL && *item->content_html != '\0')
    content = g_strdup (item->content_html);
  else if (item->content_text != NULL && *item->content_text != '\0')
    content = tidings_text_to_html (item->content_text);
  else if (item->summary != NULL && *item->summary != '\0')
    content = tidings_text_to_html (item->summary);
  else
    content = g_strdup ("");

  /* The feed's lead image, unless the content shows it already. */
  if (item->image != NULL && is_http (item->image) && strstr (content, item->image) == NULL)
    lead_image = item->image;

  title = item->title != NULL && *item->title != '\0' ? item->title : _("Untitled Article");

  put (values, "theme", g_strdup (dark ? "dark" : "light"));
  put (values, "csp", g_strdup_printf (
    "default-src 'none'; script-src 'none'; object-src 'none'; img-src %s; media-src %s; "
    "style-src 'nonce-%s'; font-src data:; connect-src 'none'; frame-src 'none'; "
    "child-src 'none'; worker-src 'none'; manifest-src 'none'; form-action 'none'; "
    "base-uri 'none'",
    images ? "http: https: data:" : "data:", images ? "http: https:" : "'none'", nonce));
  put (values, "nonce", g_strdup (nonce));
  put (values, "css", load_resource ("tidings-article.css"));
  /* The page starts at the reader's size; later changes are made in place. */
  put (values, "font", self->font_size > 0
                         ? g_strdup_printf (":root { --tidings-font-size: %dpx; }", self->font_size)
                         : g_strdup (""));

  /* A language tag only: letters, digits and hyphens. */
  lang = g_string_new (NULL);
  for (const char *p = item->language; p != NULL && *p != '\0' && lang->len < 35; p++)
    if (g_ascii_isalnum (*p) || *p == '-')
      g_string_append_c (lang, *p);
  put (values, "lang", g_string_free (lang, FALSE));

  put (values, "title", escape (title, FALSE));
  if (link != NULL)
    {
      GString *heading = g_string_new ("<a href=\"");
      GString *open = g_string_new ("<a class=\"tidings-open\" href=\"");

      append_escaped (heading, link, TRUE);
      g_string_append (heading, "\">");
      append_escaped (heading, title, FALSE);
      g_string_append (heading, "</a>");
      put (values, "heading", g_string_free (heading, FALSE));

      append_escaped (open, link, TRUE);
      g_string_append (open, "\">");
      append_escaped (open, _("Open in Browser"), FALSE);
      g_string_append (open, "</a>");
      put (values, "open", g_string_free (open, FALSE));
    }
  else
    {
      put (values, "heading", escape (title, FALSE));
      put (values, "open", g_strdup (""));
    }

  put (values, "feed", escape (self->feed_title, FALSE));
  put (values, "byline", build_byline (self));

  if (!images && has_remote_media (content, lead_image))
    {
      GString *banner = g_string_new ("<p class=\"tidings-banner\">");

      append_escaped (banner, _("Remote images are not loaded."), FALSE);
      g_string_append_printf (banner, "<a href=\"tidings:load-images?%s\">", self->token);
      append_escaped (banner, _("Load Images"), FALSE);
      g_string_append (banner, "</a></p>");
      put (values, "banner", g_string_free (banner, FALSE));
    }
  else
    put (values, "banner", g_strdup (""));

  if (lead_image != NULL)
    {
      GString *lead = g_string_new ("<figure class=\"tidings-lead\"><img alt=\"\" src=\"");

      append_escaped (lead, lead_image, TRUE);
      g_string_append (lead, "\"></figure>");
      put (values, "lead", g_string_free (lead, FALSE));
    }
  else
    put (values, "lead", g_strdup (""));

  put (values, "content", g_steal_pointer (&content));
  put (values, "attachments", build_attachments (item));

  return fill_template (template, values);
}

/* ---- Links ---- */

static void
uri_launched_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree char *uri = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

#if GTK_CHECK_VERSION (4, 10, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  ok = gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (source), result, &error);
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  ok = g_app_info_launch_default_for_uri_finish (result, &error);
#endif

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not open %s: %s", uri, error->message);
}

/* Hands a vetted address to the default browser or mail client, through the
 * launcher API (the OpenURI portal in a sandbox), never a shell. */
static void
launch_uri (TidingsArticleView *self,
            const char         *uri)
{
  g_assert (uri != NULL);

  if (!self->launch_disabled)
    {
#if GTK_CHECK_VERSION (4, 10, 0)
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);

      gtk_uri_launcher_launch (launcher, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                               NULL, uri_launched_cb, g_strdup (uri));
      G_GNUC_END_IGNORE_DEPRECATIONS
#else
      GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
      g_autoptr(GdkAppLaunchContext) context = gdk_display_get_app_launch_context (display);

      g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                               uri_launched_cb, g_strdup (uri));
#endif
    }

  g_debug ("Opening %s", uri);
  g_signal_emit (self, signals[OPEN_URI], 0, uri);
}

static gboolean
render_idle_cb (gpointer user_data)
{
  TidingsArticleView *self = user_data;

  self->render_idle = 0;
  render (self);
  return G_SOURCE_REMOVE;
}

/* Rendering from inside a WebKit signal handler is left to the main loop. */
static void
schedule_render (TidingsArticleView *self)
{
  if (self->render_idle == 0)
    self->render_idle = g_idle_add (render_idle_cb, self);
}

/* Our own tidings: links (the "Load images" button). */
static void
follow_internal_link (TidingsArticleView *self,
                      const char         *uri)
{
  g_autofree char *load_images = g_strconcat ("tidings:load-images?", self->token, NULL);

  if (self->item != NULL && strcmp (uri, load_images) == 0)
    {
      g_debug ("Loading the images of article %" G_GINT64_FORMAT, self->article_id);
      self->images_for_article = TRUE;
      schedule_render (self);
    }
  else
    g_debug ("Dropped an internal link that is not ours: %s", uri);
}

/* Notes that a load of ours at @base (taken) is on its way. */
static void
expect_own_load (TidingsArticleView *self,
                 char               *base)
{
  if (self->pending_base != NULL && strcmp (self->pending_base, base) == 0)
    {
      self->pending_loads++;
      g_free (base);
      return;
    }
  g_free (self->pending_base);
  self->pending_base = base;
  self->pending_loads = 1;
}

static void
decide_navigation (TidingsArticleView           *self,
                   WebKitNavigationPolicyDecision *decision,
                   gboolean                      new_window)
{
  WebKitNavigationAction *action = webkit_navigation_policy_decision_get_navigation_action (decision);
  WebKitURIRequest *request = webkit_navigation_action_get_request (action);
  WebKitNavigationType type = webkit_navigation_action_get_navigation_type (action);
  const char *uri = webkit_uri_request_get_uri (request);
  g_autofree char *vetted = NULL;

  if (uri == NULL)
    uri = "";

  /* The one load we asked for: our own page. */
  if (!new_window && self->pending_base != NULL && type == WEBKIT_NAVIGATION_TYPE_OTHER
      && !webkit_navigation_action_is_redirect (action))
    {
      if (strcmp (uri, self->pending_base) == 0)
        {
          if (--self->pending_loads == 0)
            g_clear_pointer (&self->pending_base, g_free);
          self->own_load = TRUE;
          webkit_policy_decision_use (WEBKIT_POLICY_DECISION (decision));
          return;
        }

      /* Either WebKit wrote our base differently or the previous page tried
       * to go somewhere as ours was on its way; building the page again on
       * about:blank settles both. */
      if (!self->base_fallback && strcmp (self->pending_base, BLANK_BASE) != 0)
        {
          g_debug ("Page base %s came back as %s; using %s", self->pending_base, uri, BLANK_BASE);
          self->base_fallback = TRUE;
          schedule_render (self);
        }
    }

  /* A link to a place in the page itself moves within it, loading nothing. */
  if (!new_window && type == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED
      && is_same_document (uri, webkit_web_view_get_uri (self->web_view)))
    {
      webkit_policy_decision_use (WEBKIT_POLICY_DECISION (decision));
      return;
    }

  webkit_policy_decision_ignore (WEBKIT_POLICY_DECISION (decision));

  if (scheme_is (uri, "tidings"))
    {
      if (type == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED)
        follow_internal_link (self, uri);
      return;
    }

  /* Only what the reader clicked leaves the view: a refresh, a form or a
   * script (were one to run) opens nothing. */
  if (type != WEBKIT_NAVIGATION_TYPE_LINK_CLICKED)
    {
      g_debug ("Dropped a navigation the reader did not start: %s", uri);
      return;
    }

  vetted = vet_external_uri (uri);
  if (vetted == NULL)
    {
      g_debug ("Dropped a link to %s", uri);
      return;
    }

  launch_uri (self, vetted);
}

static gboolean
on_decide_policy (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  TidingsArticleView       *self)
{
  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      decide_navigation (self, WEBKIT_NAVIGATION_POLICY_DECISION (decision),
                         type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION);
      return TRUE;

    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
      {
        WebKitResponsePolicyDecision *response = WEBKIT_RESPONSE_POLICY_DECISION (decision);

        /* Nothing is ever downloaded, and the only document the view shows
         * is its own page, whatever else WebKit might have set out to load. */
        if (!webkit_response_policy_decision_is_mime_type_supported (response)
            || (webkit_response_policy_decision_is_main_frame_main_resource (response)
                && !self->own_load))
          {
            g_debug ("Refused a response from %s",
                     webkit_uri_request_get_uri (
                       webkit_response_policy_decision_get_request (response)));
            webkit_policy_decision_ignore (decision);
          }
        else
          webkit_policy_decision_use (decision);
        return TRUE;
      }

    default:
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }
}

static GtkWidget *
on_create (WebKitWebView          *web_view,
           WebKitNavigationAction *action,
           TidingsArticleView     *self)
{
  return NULL;
}

/* ---- Everything else a page could ask for: no ---- */

static gboolean
on_permission_request (WebKitWebView           *web_view,
                       WebKitPermissionRequest *request,
                       TidingsArticleView      *self)
{
  webkit_permission_request_deny (request);
  return TRUE;
}

static gboolean
on_query_permission_state (WebKitWebView               *web_view,
                           WebKitPermissionStateQuery  *query,
                           TidingsArticleView          *self)
{
  webkit_permission_state_query_finish (query, WEBKIT_PERMISSION_STATE_DENIED);
  return TRUE;
}

static gboolean
on_authenticate (WebKitWebView             *web_view,
                 WebKitAuthenticationRequest *request,
                 TidingsArticleView        *self)
{
  /* An image server must not be able to put up a password prompt. */
  webkit_authentication_request_cancel (request);
  return TRUE;
}

static gboolean
on_run_file_chooser (WebKitWebView            *web_view,
                     WebKitFileChooserRequest *request,
                     TidingsArticleView       *self)
{
  webkit_file_chooser_request_cancel (request);
  return TRUE;
}

static gboolean
on_show_notification (WebKitWebView       *web_view,
                      WebKitNotification  *notification,
                      TidingsArticleView  *self)
{
  return TRUE;
}

static gboolean
on_script_dialog (WebKitWebView      *web_view,
                  WebKitScriptDialog *dialog,
                  TidingsArticleView *self)
{
  /* Page scripts never run, so this cannot happen; if it ever did, no
   * dialog of the page's shows. */
  g_debug ("Suppressed a script dialog");
  return TRUE;
}

static gboolean
on_load_failed (WebKitWebView      *web_view,
                WebKitLoadEvent     load_event,
                const char         *failing_uri,
                GError             *error,
                TidingsArticleView *self)
{
  /* No error page: the only page this view loads is its own. */
  self->own_load = FALSE;
  g_debug ("Load of %s failed: %s", failing_uri, error->message);
  return TRUE;
}

static gboolean
on_load_failed_with_tls_errors (WebKitWebView        *web_view,
                                const char           *failing_uri,
                                GTlsCertificate      *certificate,
                                GTlsCertificateFlags  errors,
                                TidingsArticleView   *self)
{
  return TRUE;
}

static void
on_download_started (WebKitNetworkSession *session,
                     WebKitDownload       *download,
                     TidingsArticleView   *self)
{
  g_debug ("Cancelled a download");
  webkit_download_cancel (download);
}

static void
on_web_process_terminated (WebKitWebView                     *web_view,
                           WebKitWebProcessTerminationReason  reason,
                           TidingsArticleView                *self)
{
  if (reason == WEBKIT_WEB_PROCESS_TERMINATED_BY_API)
    return;

  /* Show the article again in a fresh web process; if that ends the same
   * way, its content is what kills it: show the page without it. */
  self->page_ready = FALSE;
  self->crashes++;
  if (self->crashes == 1)
    g_debug ("The web process ended (%d); rendering the article again", reason);
  else if (self->crashes == 2)
    g_warning ("The web process ended twice while showing article %" G_GINT64_FORMAT
               "; showing it without its content", self->article_id);
  else
    return;
  schedule_render (self);
}

static gboolean
context_action_allowed (WebKitContextMenuAction action,
                        gboolean                inspector)
{
  switch (action)
    {
    case WEBKIT_CONTEXT_MENU_ACTION_COPY:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_URL_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_VIDEO_LINK_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_COPY_AUDIO_LINK_TO_CLIPBOARD:
    case WEBKIT_CONTEXT_MENU_ACTION_SELECT_ALL:
    case WEBKIT_CONTEXT_MENU_ACTION_TOGGLE_MEDIA_CONTROLS:
    case WEBKIT_CONTEXT_MENU_ACTION_TOGGLE_MEDIA_LOOP:
    case WEBKIT_CONTEXT_MENU_ACTION_ENTER_VIDEO_FULLSCREEN:
    case WEBKIT_CONTEXT_MENU_ACTION_MEDIA_PLAY:
    case WEBKIT_CONTEXT_MENU_ACTION_MEDIA_PAUSE:
    case WEBKIT_CONTEXT_MENU_ACTION_MEDIA_MUTE:
      return TRUE;
    case WEBKIT_CONTEXT_MENU_ACTION_INSPECT_ELEMENT:
      return inspector;
    default:
      /* Opening in new windows, downloading, reloading, going back: none
       * of them has a place in this view. */
      return FALSE;
    }
}

static gboolean
on_context_menu (WebKitWebView       *web_view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit_test_result,
                 TidingsArticleView  *self)
{
  WebKitSettings *settings = webkit_web_view_get_settings (web_view);
  gboolean inspector = webkit_settings_get_enable_developer_extras (settings);
  g_autoptr(GPtrArray) drop = g_ptr_array_new ();

  for (GList *l = webkit_context_menu_get_items (menu); l != NULL; l = l->next)
    {
      WebKitContextMenuItem *item = l->data;

      if (webkit_context_menu_item_is_separator (item)
          || !context_action_allowed (webkit_context_menu_item_get_stock_action (item), inspector))
        g_ptr_array_add (drop, item);
    }
  for (guint i = 0; i < drop->len; i++)
    webkit_context_menu_remove (menu, drop->pdata[i]);

  /* TRUE: no menu at all when nothing is left. */
  return webkit_context_menu_get_n_items (menu) == 0;
}

static void
on_mouse_target_changed (WebKitWebView       *web_view,
                         WebKitHitTestResult *hit_test_result,
                         guint                modifiers,
                         TidingsArticleView  *self)
{
  const char *uri = NULL;

  if (webkit_hit_test_result_context_is_link (hit_test_result))
    uri = webkit_hit_test_result_get_link_uri (hit_test_result);

  if (uri != NULL && !scheme_is (uri, "tidings") && !is_same_document (uri, webkit_web_view_get_uri (web_view)))
    {
      g_autofree char *shown = g_uri_unescape_string (uri, NULL);

      gtk_label_set_text (self->link_label,
                          shown != NULL && g_utf8_validate (shown, -1, NULL) ? shown : uri);
      gtk_widget_set_visible (self->link_preview, TRUE);
    }
  else
    gtk_widget_set_visible (self->link_preview, FALSE);
}

/* ---- Search highlight ---- */

/* Drops the page's selection when it is the match the find controller
 * selected (compared as text, case and runs of white space aside); a
 * selection the reader made is theirs to keep. */
static const char unselect_match_script[] =
  "const selection = window.getSelection ();\n"
  "const normal = (s) => s.replace (/\\s+/g, ' ').trim ().toLowerCase ();\n"
  "if (selection.rangeCount > 0 && normal (selection.toString ()) === normal (text))\n"
  "  selection.removeAllRanges ();\n";

static void
find (TidingsArticleView *self,
      const char         *text)
{
  g_free (self->searched);
  self->searched = g_strdup (text);
  webkit_find_controller_search (webkit_web_view_get_find_controller (self->web_view), text,
                                 WEBKIT_FIND_OPTIONS_CASE_INSENSITIVE
                                 | WEBKIT_FIND_OPTIONS_WRAP_AROUND,
                                 G_MAXUINT);
}

static void
apply_highlight (TidingsArticleView *self)
{
  if (self->web_view == NULL || !self->page_ready)
    return;

  if (self->highlight != NULL)
    {
      find (self, self->highlight);
      return;
    }

  webkit_find_controller_search_finish (webkit_web_view_get_find_controller (self->web_view));
  /* Finishing hides the marks but leaves the match found last selected,
   * in the selection's blue, as if the reader had picked it. */
  if (self->searched != NULL)
    {
      GVariantDict arguments;
      g_autoptr(GVariant) args = NULL;

      /* WebKit only reads the arguments: a floating one would never be freed. */
      g_variant_dict_init (&arguments, NULL);
      g_variant_dict_insert (&arguments, "text", "s", self->searched);
      args = g_variant_ref_sink (g_variant_dict_end (&arguments));
      webkit_web_view_call_async_javascript_function (self->web_view, unselect_match_script, -1,
                                                      args, SCRIPT_WORLD, NULL, NULL, NULL, NULL);
      g_clear_pointer (&self->searched, g_free);
    }
}

static void
on_failed_to_find_text (WebKitFindController *finder,
                        TidingsArticleView   *self)
{
  /* The whole phrase is not in the page: its longest word may be. */
  if (self->highlight_word != NULL
      && g_strcmp0 (webkit_find_controller_get_search_text (finder), self->highlight_word) != 0)
    find (self, self->highlight_word);
}

/* ---- Light and dark ---- */

static void
update_theme (TidingsArticleView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA background;

  if (self->web_view == NULL)
    return;

  /* The view's own background shows before and between pages: the page's
   * colour, so that dark mode never flashes white. */
  gdk_rgba_parse (&background, dark ? "#1e1e1e" : "#ffffff");
  webkit_web_view_set_background_color (self->web_view, &background);

  if (self->page_ready)
    webkit_web_view_evaluate_javascript (self->web_view,
                                         dark ? "document.documentElement.className = 'dark';"
                                              : "document.documentElement.className = 'light';",
                                         -1, SCRIPT_WORLD, NULL, NULL, NULL, NULL);
}

/* ---- Font size ---- */

static void
update_font_size (TidingsArticleView *self)
{
  g_autofree char *script = NULL;

  if (self->web_view == NULL || !self->page_ready)
    return;

  /* On <html>, over the stylesheet's rule of the size the page was built
   * with; "initial" makes the body fall back to the stylesheet's size. The
   * page's policy restricts style elements and attributes, not the CSSOM. */
  if (self->font_size > 0)
    script = g_strdup_printf ("document.documentElement.style.setProperty "
                              "('--tidings-font-size', '%dpx');", self->font_size);
  else
    script = g_strdup ("document.documentElement.style.setProperty "
                       "('--tidings-font-size', 'initial');");
  webkit_web_view_evaluate_javascript (self->web_view, script, -1, SCRIPT_WORLD, NULL,
                                       NULL, NULL, NULL);
}

static void
on_dark_changed (AdwStyleManager    *style_manager,
                 GParamSpec         *pspec,
                 TidingsArticleView *self)
{
  update_theme (self);
}

/* ---- The web view ---- */

static void
on_load_changed (WebKitWebView      *web_view,
                 WebKitLoadEvent     load_event,
                 TidingsArticleView *self)
{
  if (load_event == WEBKIT_LOAD_STARTED)
    {
      self->page_ready = FALSE;
      /* A new document: nothing of the last search is selected in it. */
      g_clear_pointer (&self->searched, g_free);
    }
  else if (load_event == WEBKIT_LOAD_FINISHED)
    {
      self->own_load = FALSE;
      self->page_ready = TRUE;
      /* The style may have changed while the page was on its way. */
      update_theme (self);
      update_font_size (self);
      apply_highlight (self);
    }
}

static void
ensure_web_view (TidingsArticleView *self)
{
  g_autoptr(WebKitNetworkSession) session = NULL;
  g_autoptr(WebKitUserContentManager) content_manager = NULL;
  g_autoptr(WebKitSettings) settings = NULL;
  gboolean debugging = g_getenv ("G_MESSAGES_DEBUG") != NULL;

  if (self->web_view != NULL)
    return;

  session = webkit_network_session_new_ephemeral ();
  g_signal_connect_object (session, "download-started",
                           G_CALLBACK (on_download_started), self, 0);

  settings = webkit_settings_new_with_settings (
    /* Our code runs in an isolated world; the page's never runs at all. */
    "enable-javascript", TRUE,
    "enable-javascript-markup", FALSE,
    "javascript-can-open-windows-automatically", FALSE,
    "javascript-can-access-clipboard", FALSE,
    "allow-modal-dialogs", FALSE,
    "allow-file-access-from-file-urls", FALSE,
    "allow-universal-access-from-file-urls", FALSE,
    "allow-top-navigation-to-data-urls", FALSE,
    "enable-developer-extras", debugging,
    "enable-webgl", FALSE,
    "enable-webaudio", FALSE,
    "enable-webrtc", FALSE,
    "enable-media-stream", FALSE,
    "enable-mediasource", FALSE,
    "enable-encrypted-media", FALSE,
    "enable-media-capabilities", FALSE,
    "media-playback-requires-user-gesture", TRUE,
    "enable-html5-database", FALSE,
    "enable-html5-local-storage", FALSE,
    "enable-page-cache", FALSE,
    "enable-back-forward-navigation-gestures", FALSE,
    "enable-site-specific-quirks", FALSE,
    "default-charset", "UTF-8",
    NULL);

#if WEBKIT_CHECK_VERSION (2, 42, 0)
  {
    /* No connections opened ahead of time for links and hints in the
     * content: a hostile article learns nothing from the reader pointing at
     * or clicking a link that goes to the browser anyway. */
    static const char * const off[] = { "LinkPreconnect", "LinkDNSPrefetch",
                                        "LinkPreconnectEarlyHints", "LinkPrefetch" };
    g_autoptr(WebKitFeatureList) features = webkit_settings_get_all_features ();

    for (gsize i = 0; i < webkit_feature_list_get_length (features); i++)
      {
        WebKitFeature *feature = webkit_feature_list_get (features, i);

        for (guint j = 0; j < G_N_ELEMENTS (off); j++)
          if (g_strcmp0 (webkit_feature_get_identifier (feature), off[j]) == 0)
            webkit_settings_set_feature_enabled (settings, feature, FALSE);
      }
  }
#endif

  content_manager = webkit_user_content_manager_new ();

  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "network-session", session,
                                 "settings", settings,
                                 "user-content-manager", content_manager,
                                 "default-content-security-policy", VIEW_CSP,
                                 "hexpand", TRUE,
                                 "vexpand", TRUE,
                                 NULL);
  webkit_web_view_set_zoom_level (self->web_view, self->zoom);

  g_signal_connect_object (self->web_view, "decide-policy",
                           G_CALLBACK (on_decide_policy), self, 0);
  g_signal_connect_object (self->web_view, "create", G_CALLBACK (on_create), self, 0);
  g_signal_connect_object (self->web_view, "load-changed",
                           G_CALLBACK (on_load_changed), self, 0);
  g_signal_connect_object (self->web_view, "load-failed",
                           G_CALLBACK (on_load_failed), self, 0);
  g_signal_connect_object (self->web_view, "load-failed-with-tls-errors",
                           G_CALLBACK (on_load_failed_with_tls_errors), self, 0);
  g_signal_connect_object (self->web_view, "permission-request",
                           G_CALLBACK (on_permission_request), self, 0);
  g_signal_connect_object (self->web_view, "query-permission-state",
                           G_CALLBACK (on_query_permission_state), self, 0);
  g_signal_connect_object (self->web_view, "authenticate",
                           G_CALLBACK (on_authenticate), self, 0);
  g_signal_connect_object (self->web_view, "run-file-chooser",
                           G_CALLBACK (on_run_file_chooser), self, 0);
  g_signal_connect_object (self->web_view, "show-notification",
                           G_CALLBACK (on_show_notification), self, 0);
  g_signal_connect_object (self->web_view, "script-dialog",
                           G_CALLBACK (on_script_dialog), self, 0);
  g_signal_connect_object (self->web_view, "context-menu",
                           G_CALLBACK (on_context_menu), self, 0);
  g_signal_connect_object (self->web_view, "mouse-target-changed",
                           G_CALLBACK (on_mouse_target_changed), self, 0);
  g_signal_connect_object (self->web_view, "web-process-terminated",
                           G_CALLBACK (on_web_process_terminated), self, 0);
  g_signal_connect_object (webkit_web_view_get_find_controller (self->web_view),
                           "failed-to-find-text",
                           G_CALLBACK (on_failed_to_find_text), self, 0);

  gtk_stack_add_named (self->stack, GTK_WIDGET (self->web_view), "article");
  update_theme (self);
}

static gboolean
images_allowed (TidingsArticleView *self)
{
  return self->load_images || self->images_for_article;
}

static void
render (TidingsArticleView *self)
{
  WebKitUserContentManager *content_manager;
  g_autofree char *html = NULL;
  gboolean images = images_allowed (self);

  g_clear_handle_id (&self->render_idle, g_source_remove);

  if (self->item == NULL || self->web_view == NULL)
    return;

  /* Never show a page with images off before the filter is in place. */
  if (!images && media_filter == NULL && !media_filter_failed)
    {
      if (!self->waiting_for_filter)
        media_filter_request (self);
      return;
    }

  content_manager = webkit_web_view_get_user_content_manager (self->web_view);
  webkit_user_content_manager_remove_all_filters (content_manager);
  if (!images && media_filter != NULL)
    webkit_user_content_manager_add_filter (content_manager, media_filter);

  html = build_page (self, images);
  expect_own_load (self, page_base (self));
  self->page_ready = FALSE;
  webkit_web_view_load_html (self->web_view, html, self->pending_base);
}

/* ---- Public ---- */

GtkWidget *
tidings_article_view_new (void)
{
  return g_object_new (TIDINGS_TYPE_ARTICLE_VIEW, NULL);
}

void
tidings_article_view_show (TidingsArticleView   *self,
                           const TidingsArticle *article,
                           const char           *feed_title)
{
  gboolean same;

  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));
  g_return_if_fail (article != NULL);
  g_return_if_fail (article->item != NULL);

  ensure_web_view (self);

  same = self->item != NULL && article->id != 0 && article->id == self->article_id;
  g_clear_pointer (&self->item, tidings_item_free);
  self->item = tidings_item_copy (article->item);
  g_free (self->feed_title);
  self->feed_title = g_strdup (feed_title);
  self->date = article->date;
  if (!same)
    self->images_for_article = FALSE;
  self->crashes = 0;
  self->base_fallback = FALSE;

  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->web_view));
  render (self);

  if (self->article_id != article->id)
    {
      self->article_id = article->id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARTICLE_ID]);
    }
}

void
tidings_article_view_clear (TidingsArticleView *self)
{
  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));

  g_clear_pointer (&self->item, tidings_item_free);
  g_clear_pointer (&self->feed_title, g_free);
  g_clear_handle_id (&self->render_idle, g_source_remove);
  self->images_for_article = FALSE;
  gtk_stack_set_visible_child_name (self->stack, "empty");
  gtk_widget_set_visible (self->link_preview, FALSE);

  if (self->web_view != NULL)
    {
      /* An empty page stops whatever the last one was playing. */
      expect_own_load (self, g_strdup (BLANK_BASE));
      self->page_ready = FALSE;
      webkit_web_view_load_html (self->web_view, "", BLANK_BASE);
    }

  if (self->article_id != 0)
    {
      self->article_id = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARTICLE_ID]);
    }
}

static gboolean
showing_article (TidingsArticleView *self)
{
  return self->web_view != NULL && self->item != NULL
         && gtk_stack_get_visible_child (self->stack) == GTK_WIDGET (self->web_view);
}

static void
scrolled_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JSCValue) value = NULL;

  value = webkit_web_view_call_async_javascript_function_finish (WEBKIT_WEB_VIEW (source),
                                                                 result, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, jsc_value_to_boolean (value));
}

void
tidings_article_view_scroll_async (TidingsArticleView  *self,
                                   double               pages,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GVariantDict arguments;
  g_autoptr(GVariant) args = NULL;

  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tidings_article_view_scroll_async);

  /* Nothing to scroll is as good as being at the end. */
  if (!showing_article (self) || pages == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* WebKit only reads the arguments: a floating one would never be freed. */
  g_variant_dict_init (&arguments, NULL);
  g_variant_dict_insert (&arguments, "pages", "d", pages);
  args = g_variant_ref_sink (g_variant_dict_end (&arguments));
  webkit_web_view_call_async_javascript_function (self->web_view, scroll_script, -1, args,
                                                  SCRIPT_WORLD, NULL, cancellable,
                                                  scrolled_cb, g_steal_pointer (&task));
}

gboolean
tidings_article_view_scroll_finish (TidingsArticleView  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_VIEW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == tidings_article_view_scroll_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tidings_article_view_open_in_browser (TidingsArticleView *self)
{
  g_autofree char *vetted = NULL;

  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));

  vetted = article_link (self->item);
  if (vetted != NULL)
    launch_uri (self, vetted);
}

void
tidings_article_view_set_highlight (TidingsArticleView *self,
                                    const char         *search)
{
  g_autofree char *trimmed = NULL;
  g_auto(GStrv) words = NULL;
  const char *longest = NULL;

  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));

  trimmed = g_strstrip (g_strdup (search != NULL ? search : ""));
  g_clear_pointer (&self->highlight, g_free);
  g_clear_pointer (&self->highlight_word, g_free);

  if (*trimmed != '\0')
    {
      /* Search syntax (quotes, a trailing star) is not in the text. */
      g_strdelimit (trimmed, "\"*()", ' ');
      words = g_strsplit_set (trimmed, " \t\n", -1);
      for (guint i = 0; words[i] != NULL; i++)
        if (longest == NULL || strlen (words[i]) > strlen (longest))
          longest = words[i];
      g_strstrip (trimmed);
      if (*trimmed != '\0')
        {
          self->highlight = g_strdup (trimmed);
          if (longest != NULL && *longest != '\0' && strcmp (longest, trimmed) != 0)
            self->highlight_word = g_strdup (longest);
        }
    }

  apply_highlight (self);
}

double
tidings_article_view_get_zoom (TidingsArticleView *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_VIEW (self), 1.0);

  return self->zoom;
}

void
tidings_article_view_set_zoom (TidingsArticleView *self,
                               double              zoom)
{
  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (G_APPROX_VALUE (zoom, self->zoom, 1e-9))
    return;

  self->zoom = zoom;
  if (self->web_view != NULL)
    webkit_web_view_set_zoom_level (self->web_view, zoom);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

gboolean
tidings_article_view_get_load_images (TidingsArticleView *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_VIEW (self), TRUE);

  return self->load_images;
}

void
tidings_article_view_set_load_images (TidingsArticleView *self,
                                      gboolean            load_images)
{
  gboolean before;

  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));

  load_images = !!load_images;
  if (load_images == self->load_images)
    return;

  before = images_allowed (self);
  self->load_images = load_images;
  if (before != images_allowed (self))
    render (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_IMAGES]);
}

gint64
tidings_article_view_get_article_id (TidingsArticleView *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_VIEW (self), 0);

  return self->article_id;
}

int
tidings_article_view_get_font_size (TidingsArticleView *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_VIEW (self), 0);

  return self->font_size;
}

void
tidings_article_view_set_font_size (TidingsArticleView *self,
                                    int                 font_size)
{
  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));

  font_size = CLAMP (font_size, 0, FONT_SIZE_MAX);
  if (font_size == self->font_size)
    return;

  self->font_size = font_size;
  update_font_size (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FONT_SIZE]);
}

GtkWidget *
_tidings_article_view_get_web_view (TidingsArticleView *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_VIEW (self), NULL);

  return self->web_view != NULL ? GTK_WIDGET (self->web_view) : NULL;
}

void
_tidings_article_view_set_launch_disabled (TidingsArticleView *self,
                                           gboolean            disabled)
{
  g_return_if_fail (TIDINGS_IS_ARTICLE_VIEW (self));

  self->launch_disabled = !!disabled;
}

/* ---- GObject ---- */

static gboolean
tidings_article_view_grab_focus (GtkWidget *widget)
{
  TidingsArticleView *self = TIDINGS_ARTICLE_VIEW (widget);

  /* Focus goes into the page, where the arrow keys and Page Down scroll. */
  if (showing_article (self))
    return gtk_widget_grab_focus (GTK_WIDGET (self->web_view));
  return FALSE;
}

static void
tidings_article_view_dispose (GObject *object)
{
  TidingsArticleView *self = TIDINGS_ARTICLE_VIEW (object);

  g_clear_handle_id (&self->render_idle, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIDINGS_TYPE_ARTICLE_VIEW);
  self->web_view = NULL;

  G_OBJECT_CLASS (tidings_article_view_parent_class)->dispose (object);
}

static void
tidings_article_view_finalize (GObject *object)
{
  TidingsArticleView *self = TIDINGS_ARTICLE_VIEW (object);

  g_clear_pointer (&self->item, tidings_item_free);
  g_free (self->feed_title);
  g_free (self->pending_base);
  g_free (self->token);
  g_free (self->highlight);
  g_free (self->highlight_word);
  g_free (self->searched);

  G_OBJECT_CLASS (tidings_article_view_parent_class)->finalize (object);
}

static void
tidings_article_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TidingsArticleView *self = TIDINGS_ARTICLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_LOAD_IMAGES:
      g_value_set_boolean (value, self->load_images);
      break;
    case PROP_ARTICLE_ID:
      g_value_set_int64 (value, self->article_id);
      break;
    case PROP_FONT_SIZE:
      g_value_set_int (value, self->font_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_article_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TidingsArticleView *self = TIDINGS_ARTICLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      tidings_article_view_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_LOAD_IMAGES:
      tidings_article_view_set_load_images (self, g_value_get_boolean (value));
      break;
    case PROP_FONT_SIZE:
      tidings_article_view_set_font_size (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_article_view_class_init (TidingsArticleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tidings_article_view_dispose;
  object_class->finalize = tidings_article_view_finalize;
  object_class->get_property = tidings_article_view_get_property;
  object_class->set_property = tidings_article_view_set_property;
  widget_class->grab_focus = tidings_article_view_grab_focus;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOAD_IMAGES] =
    g_param_spec_boolean ("load-images", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ARTICLE_ID] =
    g_param_spec_int64 ("article-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FONT_SIZE] =
    g_param_spec_int ("font-size", NULL, NULL, 0, FONT_SIZE_MAX, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OPEN_URI] =
    g_signal_new ("open-uri", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /* The status page's type must be known before the template is built. */
  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               APP_PATH "tidings-article-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleView, overlay);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleView, stack);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleView, link_preview);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleView, link_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tidings-article-view");
}

static void
tidings_article_view_init (TidingsArticleView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->zoom = 1.0;
  self->load_images = TRUE;
  self->article_id = 0;
  self->date = TIDINGS_DATE_UNSET;
  self->token = random_token ();

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, 0);
}
