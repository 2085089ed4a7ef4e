/* test-hostile-view.c: hostile article HTML rendered in the real WebKitWebView
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each vector travels the whole way a published article does: it is written
 * into a feed document (JSON Feed for content vectors, Atom or RSS where the
 * attack lives in the feed's own markup), parsed and sanitised by
 * tidings_parse_data(), merged into a real SQLite store, read back with
 * tidings_store_get_article() and shown by TidingsArticleView, which builds
 * its page from the template and loads it into a real WebKitWebView. Every
 * vector is shown as stored with remote images off and with them on; the
 * content vectors also unsanitised, straight into the article's content
 * (the view takes content as it is: no API needed), so that the view's own
 * lock-down (policy, JavaScript markup off, decide-policy) is seen to hold
 * by itself.
 *
 * Each payload tries to run (it sets top.tidingsPwned, changes the title,
 * fetches from and navigates to the canary and asks for a dialog), and each
 * address it names carries its number, so that whatever reaches the loopback
 * canary names the vector. The web view's network session uses the canary as
 * its proxy as well, so nothing can leave the machine.
 *
 * Beyond the JavaScript flag, title, dialog, navigation and canary checks,
 * every stored page is audited from an isolated script world: no element,
 * attribute or address the sanitiser should have removed may be in it, and
 * decide-policy (watched through an emission hook, ahead of the view's own
 * handler) must never have been asked for a navigation but our own page and
 * the reader's clicks.
 *
 * test-article-view.c has its own list of vectors (sanitised directly, not
 * through the store) and runs the feedparser corpus markup through the
 * sanitiser; the vectors here are others (a few plain forms aside), every
 * event handler attribute is tried on its own, and the corpus files are
 * parsed here as the feeds they are, titles and all.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <webkit/webkit.h>

#include "tidings-article-view.h"
#include "tidings-parser.h"
#include "tidings-store.h"
#include "tidings-ui-test-utils.h"
#include "tidings-web-test-utils.h"

/* How long a page is given, after it loaded and was clicked through, for
 * timers, refreshes and requests to come through. */
#define SETTLE_MS 200
#define SETTLE_REFRESH_MS 1300

/* ---- Navigations, as WebKit asks the view about them ---- */

typedef struct
{
  WebKitNavigationType type;
  char                *uri;
} Navigation;

static GArray *navigations;   /* Navigation, of every web view, in order */

static void
navigation_clear (Navigation *navigation)
{
  g_free (navigation->uri);
}

/* Runs before any handler, the view's included, so that it sees every
 * navigation WebKit considered, also the ones the view refused. */
static gboolean
decide_policy_hook (GSignalInvocationHint *hint,
                    guint                  n_params,
                    const GValue          *params,
                    gpointer               user_data)
{
  WebKitPolicyDecision *decision = g_value_get_object (&params[1]);
  WebKitNavigationAction *action;
  WebKitURIRequest *request;
  Navigation navigation;

  if (!WEBKIT_IS_NAVIGATION_POLICY_DECISION (decision))
    return TRUE;

  action = webkit_navigation_policy_decision_get_navigation_action (
    WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  navigation.type = webkit_navigation_action_get_navigation_type (action);
  request = webkit_navigation_action_get_request (action);
  navigation.uri = g_strdup (webkit_uri_request_get_uri (request));
  g_array_append_val (navigations, navigation);
  return TRUE;
}

static guint n_dialogs;   /* script dialogs asked for, in any view */

/* ---- The fixture: a store, and the shared window holding the view ---- */

typedef struct
{
  TidingsTestWebFixture web;             /* the window, the view, the canary */

  char               *store_dir;
  TidingsStore       *store;
  guint               n_documents;
  guint               number;            /* of the vector shown */

  /* Counts for the closing message. */
  guint               n_pages;
  guint               n_image_requests;
  guint               n_refused;         /* navigations the view refused (raw) */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  /* Paths under /img/ are served: a 48×32 green that shows in the
   * screenshot. */
  tidings_test_web_fixture_setup (&fixture->web, canary_new ("/img/*", 48, 32, 0x26a269),
                                  800, 640);

  fixture->store_dir = g_dir_make_tmp ("tidings-hostile-view-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->store_dir, "tidings.db", NULL);
  fixture->store = tidings_store_open (path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->store_dir, "tidings.db", NULL);

  tidings_test_web_fixture_teardown (&fixture->web);

  g_assert_finalize_object (g_steal_pointer (&fixture->store));
  for (guint i = 0; i < 3; i++)
    {
      static const char * const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (fixture->store_dir);
  g_free (fixture->store_dir);
}

/* ---- Through the parser and the store ---- */

/* Parses @document as a new feed fetched from the canary, merges it into the
 * store and returns the articles it added, oldest first, with the title of
 * the feed as the store now has it in @feed_title. */
static GPtrArray *
store_document (Fixture     *fixture,
                const char  *document,
                gsize        len,
                char       **feed_title)
{
  g_autoptr(TidingsFeedUpdate) update = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(TidingsSubscription) subscription = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_strdup_printf ("%s/feed/%u", fixture->web.canary->base,
                                           ++fixture->n_documents);
  GPtrArray *articles = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_article_free);
  TidingsArticleQuery query = { TIDINGS_SCOPE_SUBSCRIPTION, 0, FALSE, TRUE, NULL };

  /* Each document is a feed of its own, as if subscribed to: items of
   * different documents never meet as the same item. */
  query.id = tidings_store_add_subscription (fixture->store, base, NULL, 0, &error);
  g_assert_no_error (error);
  update = tidings_feed_update_new (query.id);
  update->fetched_at = g_get_real_time ();
  update->feed = tidings_parse_data (document, len, base, &update->items, &error);
  if (update->feed == NULL)
    {
      /* Refusing a document is a fine outcome for an attack; the caller
       * decides whether this one had to parse. */
      g_test_message ("Not a feed: %s", error->message);
      g_clear_error (&error);
      return articles;
    }
  tidings_feed_update_prepare (update);
  g_assert_true (tidings_store_apply_update (fixture->store, update, NULL, &error));
  g_assert_no_error (error);

  subscription = tidings_store_get_subscription (fixture->store, query.id, &error);
  g_assert_no_error (error);
  *feed_title = g_strdup (subscription->title);

  rows = tidings_store_query_articles (fixture->store, &query, 0, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      TidingsArticleRow *row = rows->pdata[i];
      TidingsArticle *article = tidings_store_get_article (fixture->store, row->id, &error);

      g_assert_no_error (error);
      g_assert_nonnull (article);
      g_ptr_array_add (articles, article);
    }
  return articles;
}

/* ---- JavaScript ---- */

/* Points at, focuses and clicks every element of the content, as a reader
 * might (links are vetted by the view, not followed). */
static const char click_everything[] =
  "(function () {\n"
  "  const root = document.querySelector ('.tidings-content');\n"
  "  if (root === null) return 'no content';\n"
  "  for (const e of root.querySelectorAll ('*')) {\n"
  "    e.dispatchEvent (new MouseEvent ('mouseover', { bubbles: true }));\n"
  "    if (typeof e.focus === 'function') e.focus ();\n"
  "    if (typeof e.click === 'function') e.click ();\n"
  "    else e.dispatchEvent (new MouseEvent ('click', { bubbles: true, cancelable: true }));\n"
  "  }\n"
  "  return 'ok';\n"
  "}) ()";

/* What the sanitiser must never leave in a page: every element, attribute
 * and address of the whole document is looked at (the template's own head
 * and links included). Returns "" or a list of findings. */
static const char audit_page[] =
  "(function () {\n"
  "  const bad = [];\n"
  "  const never = ['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet',\n"
  "    'form', 'input', 'button', 'textarea', 'select', 'base', 'link', 'template', 'portal',\n"
  "    'foreignobject', 'use', 'animate', 'animatemotion', 'animatetransform', 'set',\n"
  "    'image', 'feimage', 'handler', 'discard', 'annotation-xml', 'maction', 'mglyph',\n"
  "    'noscript', 'param', 'bgsound', 'marquee', 'dialog', 'isindex', 'keygen', 'xml'];\n"
  "  const links = ['href', 'src', 'srcset', 'poster', 'action', 'formaction', 'data',\n"
  "    'background', 'cite', 'longdesc', 'ping', 'codebase', 'dynsrc', 'lowsrc', 'manifest',\n"
  "    'xlink:href', 'icon', 'profile', 'usemap', 'classid', 'archive', 'code'];\n"
  "  const allowed = (url, image) => {\n"
  "    url = url.trim ();\n"
  "    if (/^https?:/i.test (url)) return true;\n"
  "    if (!image && /^mailto:/i.test (url)) return true;\n"
  "    if (image && /^data:image\\/(png|gif|jpe?g|webp|avif|bmp|x-icon)[;,]/i.test (url))\n"
  "      return true;\n"
  "    return false;\n"
  "  };\n"
  "  for (const e of document.querySelectorAll ('*')) {\n"
  "    const tag = e.localName.toLowerCase ();\n"
  "    const inHead = e.closest ('head') !== null;\n"
  "    if (never.includes (tag)) bad.push ('<' + tag + '>');\n"
  "    if (tag === 'style' && !(inHead && e.hasAttribute ('nonce'))) bad.push ('<style>');\n"
  "    if (tag === 'meta' && !inHead) bad.push ('<meta> in the body');\n"
  "    const equiv = e.getAttribute ('http-equiv') || '';\n"
  "    if (tag === 'meta' && /refresh|set-cookie|link/i.test (equiv))\n"
  "      bad.push ('<meta http-equiv=' + equiv + '>');\n"
  "    for (const a of e.attributes) {\n"
  "      const name = a.name.toLowerCase ();\n"
  "      if (name.startsWith ('on')) bad.push (tag + '[' + name + ']');\n"
  "      if (name === 'style' && !(tag === 'html' && /^(--tidings-font-size:[^;]*;\\s*)?$/\n"
  "          .test (a.value))) bad.push (tag + '[' + name + '=' + a.value + ']');\n"
  "      if (name === 'nonce' && !inHead) bad.push (tag + '[' + name + ']');\n"
  "      if (name === 'srcdoc' || name === 'formaction' || name === 'ping')\n"
  "        bad.push (tag + '[' + name + ']');\n"
  "      if (!links.includes (name) && !name.endsWith (':href')) continue;\n"
  "      const image = ['src', 'srcset', 'poster'].includes (name) && tag !== 'a';\n"
  "      if (name === 'href' && e.classList.contains ('tidings-open')) {\n"
  "        if (!allowed (a.value, false)) bad.push ('open ' + a.value);\n"
  "        continue;\n"
  "      }\n"
  "      if (name === 'href' && /^tidings:load-images\\?[0-9a-f]{32}$/.test (a.value)\n"
  "          && e.closest ('.tidings-banner') !== null) continue;\n"
  "      if (name === 'href' && a.value.startsWith ('#')) continue;\n"
  "      if (name === 'srcset') {\n"
  "        for (const part of a.value.split (',')) {\n"
  "          const url = part.trim ().split (/\\s+/) [0];\n"
  "          if (/^[a-z][a-z0-9+.-]*:/i.test (url) && !allowed (part.trim (), true))\n"
  "            bad.push (tag + '[srcset=' + url + ']');\n"
  "        }\n"
  "        continue;\n"
  "      }\n"
  "      if (!allowed (a.value, image)) bad.push (tag + '[' + name + '=' + a.value + ']');\n"
  "    }\n"
  "  }\n"
  "  return bad.join (', ');\n"
  "}) ()";

/* ---- One page ---- */

typedef enum
{
  MODE_STORED_IMAGES_OFF,
  MODE_STORED_IMAGES_ON,
  MODE_RAW,                /* unsanitised, remote images off */
} Mode;

static const char * const mode_names[] = {
  "stored, images off", "stored, images on", "unsanitised, images off",
};

static gboolean
has_scheme (const char *uri,
            const char *scheme)
{
  const char *found = g_uri_peek_scheme (uri);

  return found != NULL && g_ascii_strcasecmp (found, scheme) == 0;
}

/* TRUE when @now is @before or a place in it (a clicked link to #x). */
static gboolean
same_document (const char *now,
               const char *before)
{
  gsize len = strlen (before);

  return now != NULL && strncmp (now, before, len) == 0 && (now[len] == '\0' || now[len] == '#');
}

static gboolean
same_unescaped (const char *a,
                const char *b)
{
  g_autofree char *a_text = a != NULL ? g_uri_unescape_string (a, NULL) : NULL;
  g_autofree char *b_text = b != NULL ? g_uri_unescape_string (b, NULL) : NULL;

  return a_text != NULL && g_strcmp0 (a_text, b_text) == 0;
}

/* Turning remote images on or off shows the article again at once; that
 * load is let finish first, so that the next one is the only one. (Two of
 * our own loads of the same address in one go leave the view with neither:
 * the first takes the one permission decide-policy gives.) */
static void
set_load_images (Fixture  *fixture,
                 gboolean  load_images)
{
  guint finished = fixture->web.n_finished;
  guint crashes = fixture->web.n_crashes;
  gboolean timed_out = FALSE;
  guint id;

  if (tidings_article_view_get_load_images (fixture->web.view) == load_images)
    return;
  tidings_article_view_set_load_images (fixture->web.view, load_images);
  if (fixture->web.web_view == NULL || tidings_article_view_get_article_id (fixture->web.view) == 0)
    return;

  id = g_timeout_add (TIDINGS_TEST_WAIT_MS, tidings_test_timeout_cb, &timed_out);
  while ((fixture->web.n_finished == finished || webkit_web_view_is_loading (fixture->web.web_view))
         && fixture->web.n_crashes == crashes && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out showing the article again with remote images %s",
             load_images ? "on" : "off");
  g_source_remove (id);
}

/* Shows @article and checks that nothing ran, nothing navigated and that
 * the canary heard only what it may. FALSE when the web process ended on the
 * way (not a verdict on the content: the caller tries once more). */
static gboolean
check_page_once (Fixture              *fixture,
                 const char           *label,
                 const TidingsArticle *article,
                 const char           *feed_title,
                 Mode                  mode)
{
  const char *what = mode_names[mode];
  const char *html = article->item->content_html != NULL ? article->item->content_html : "";
  guint crashes = fixture->web.n_crashes;
  guint dialogs = n_dialogs;
  guint opened = fixture->web.opened->len;
  guint started;
  guint finished;
  guint first_navigation;
  g_autofree char *uri = NULL;
  g_autofree char *title = NULL;
  g_autofree char *clicked = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *image_path = g_strdup_printf ("/img/%u-", fixture->number);
  gboolean own_load_seen = FALSE;

  set_load_images (fixture, mode == MODE_STORED_IMAGES_ON);
  canary_reset (fixture->web.canary);
  g_array_set_size (navigations, 0);
  started = fixture->web.n_started;
  finished = fixture->web.n_finished;

  tidings_article_view_show (fixture->web.view, article, feed_title);
  tidings_test_web_fixture_attach (&fixture->web);

  /* Loaded, with its title through, under a hang guard. */
  if (!tidings_test_web_fixture_wait_for_page (&fixture->web, finished, &crashes))
    {
      if (fixture->web.n_crashes != crashes)
        return FALSE;
      g_error ("%s (%s): the page did not load (%u finished, %s, title %s):\n%s", label, what,
               fixture->web.n_finished - finished,
               webkit_web_view_is_loading (fixture->web.web_view) ? "loading" : "not loading",
               webkit_web_view_get_title (fixture->web.web_view), html);
    }
  if (fixture->web.n_started != started + 1)
    g_error ("%s (%s): %u loads started instead of one:\n%s", label, what,
             fixture->web.n_started - started, html);
  uri = g_strdup (webkit_web_view_get_uri (fixture->web.web_view));
  first_navigation = navigations->len;

  clicked = tidings_test_js_string (&fixture->web, click_everything, "tidings-test");
  if (clicked == NULL)
    return FALSE;

  tidings_test_wait_ms (strstr (html, "refresh") != NULL || strstr (html, "REFRESH") != NULL
           ? SETTLE_REFRESH_MS : SETTLE_MS);

  /* Nothing ran: the title is the article's, no flag, no dialog. */
  title = tidings_test_js_string (&fixture->web, "document.title", "tidings-test");
  flag = tidings_test_js_string (&fixture->web, "typeof top.tidingsPwned", NULL);
  cookie = tidings_test_js_string (&fixture->web, "document.cookie", "tidings-test");
  if (title == NULL || flag == NULL || cookie == NULL || fixture->web.n_crashes != crashes)
    return FALSE;
  if (article->item->title != NULL && g_strcmp0 (title, article->item->title) != 0)
    g_error ("%s (%s): the title became \"%s\" (not \"%s\"): a script ran:\n%s", label, what,
             title, article->item->title, html);
  if (g_str_has_prefix (title, "PWNED")
      || g_strcmp0 (webkit_web_view_get_title (fixture->web.web_view), title) != 0)
    g_error ("%s (%s): the title became \"%s\": a script ran:\n%s", label, what,
             webkit_web_view_get_title (fixture->web.web_view), html);
  if (strcmp (flag, "undefined") != 0)
    g_error ("%s (%s): a script set its flag:\n%s", label, what, html);
  if (n_dialogs != dialogs)
    g_error ("%s (%s): a script asked for a dialog:\n%s", label, what, html);
  if (*cookie != '\0')
    g_error ("%s (%s): the page has a cookie (%s):\n%s", label, what, cookie, html);

  /* Nothing navigated: no other load, the same address, and nothing but our
   * own page and the reader's clicks ever asked to go anywhere. */
  if (fixture->web.n_started != started + 1 || webkit_web_view_is_loading (fixture->web.web_view))
    g_error ("%s (%s): the page navigated:\n%s", label, what, html);
  if (!same_document (webkit_web_view_get_uri (fixture->web.web_view), uri))
    g_error ("%s (%s): the page went from %s to %s:\n%s", label, what, uri,
             webkit_web_view_get_uri (fixture->web.web_view), html);
  if (!has_scheme (uri, "http") && g_strcmp0 (uri, "about:blank") != 0)
    g_error ("%s (%s): the page is at %s:\n%s", label, what, uri, html);
  for (guint i = 0; i < navigations->len; i++)
    {
      const Navigation *navigation = &g_array_index (navigations, Navigation, i);

      if (i < first_navigation && !own_load_seen && g_strcmp0 (navigation->uri, uri) == 0)
        {
          own_load_seen = TRUE;
          continue;
        }
      /* The view's first try at its own page, at the article's address as
       * WebKit rewrote it, which the view refuses and builds again at
       * about:blank. */
      if (i < first_navigation && navigation->type == WEBKIT_NAVIGATION_TYPE_OTHER
          && g_strcmp0 (uri, "about:blank") == 0 && same_unescaped (navigation->uri,
                                                                  article->item->url))
        continue;
      if (navigation->type == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED && i >= first_navigation)
        continue;
      /* Unsanitised content may try (a refresh, a form); the view must have
       * refused it, which the checks above and below see. Sanitised content
       * has nothing left that could. */
      if (mode == MODE_RAW)
        {
          fixture->n_refused++;
          continue;
        }
      g_error ("%s (%s): a navigation to %s (type %d) was attempted:\n%s", label, what,
               navigation->uri, navigation->type, html);
    }

  /* The canary: nothing at all with images off; with them on, images only,
   * asked for as images: addresses this vector names as images (/img/N-...,
   * also inside one it garbled) or relative ones, resolved against the
   * feed's address (/feed/...). */
  for (guint i = 0; i < fixture->web.canary->paths->len; i++)
    {
      const char *request = fixture->web.canary->paths->pdata[i];

      if (mode == MODE_STORED_IMAGES_ON && strstr (request, " [image/") != NULL
          && (g_str_has_prefix (request, "GET /feed/") || strstr (request, image_path) != NULL))
        fixture->n_image_requests++;
      else
        {
          g_autofree char *seen = canary_describe (fixture->web.canary);

          g_error ("%s (%s): the canary heard %s:\n%s", label, what, seen, html);
        }
    }
  if (mode != MODE_STORED_IMAGES_ON && fixture->web.canary->started != 0)
    g_error ("%s (%s): %u requests began at the canary:\n%s", label, what,
             fixture->web.canary->started, html);

  /* Only http(s) and mailto ever went out, and only on a click. */
  for (guint i = opened; i < fixture->web.opened->len; i++)
    {
      const char *target = fixture->web.opened->pdata[i];

      if (!has_scheme (target, "http") && !has_scheme (target, "https")
          && !has_scheme (target, "mailto"))
        g_error ("%s (%s): opened %s:\n%s", label, what, target, html);
    }

  /* What the sanitiser left: nothing that runs, loads or navigates. */
  if (mode != MODE_RAW)
    {
      g_autofree char *findings = tidings_test_js_string (&fixture->web, audit_page,
                                                          "tidings-test");

      if (findings == NULL)
        return FALSE;
      if (*findings != '\0')
        g_error ("%s (%s): the page holds %s:\n%s", label, what, findings, html);
    }

  fixture->n_pages++;
  return TRUE;
}

static void
check_page (Fixture              *fixture,
            const char           *label,
            const TidingsArticle *article,
            const char           *feed_title,
            Mode                  mode)
{
  if (check_page_once (fixture, label, article, feed_title, mode))
    return;

  /* A web process that ends on its own (WebKit's media code without all of
   * GStreamer's plugins does, here) is tried once more in a fresh one. */
  g_test_message ("%s (%s): the web process ended; trying again", label, mode_names[mode]);
  tidings_test_wait_ms (500);
  if (!check_page_once (fixture, label, article, feed_title, mode))
    g_error ("%s (%s): the web process ended twice", label, mode_names[mode]);
}

/* ---- Vectors ---- */

/* Placeholders, filled per vector: @N@ its number, @C@ the canary
 * ("http://127.0.0.1:PORT"), @H@ its host and port, @IMG@ an address at the
 * canary that may be loaded as an image when remote images are on, @NO@ one
 * that must never be requested. */
#define PWN "top.tidingsPwned=@N@;document.title='PWNED-@N@';fetch('@NO@js');" \
            "location='@NO@nav';alert(@N@)"
/* The same without quotes or spaces, for places that cannot hold them. */
#define PWNQ "top.tidingsPwned=@N@;document.title=@N@;alert(@N@)"

/* An SVG document that runs a script, and a page with a script, base64. */
#define B64_SVG \
  "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIGlkPSJ4IiBvbmxvYWQ9InRvcC50aWRp" \
  "bmdzUHduZWQ9MTthbGVydCgxKSI+PHNjcmlwdD50b3AudGlkaW5nc1B3bmVkPTE7YWxlcnQoMSk8L3Nj" \
  "cmlwdD48cmVjdCB3aWR0aD0iOSIgaGVpZ2h0PSI5Ii8+PC9zdmc+"
#define B64_HTML \
  "PHNjcmlwdD50b3AudGlkaW5nc1B3bmVkPTE7cGFyZW50LmRvY3VtZW50LnRpdGxlPTE7YWxlcnQoMSk8L3Nj" \
  "cmlwdD4="

static const char * const vectors[] = {
  /* The plain forms first: each must fail through the store as well. */
  "<script>" PWN "</script>plain script",
  "<img src=x onerror=" PWN ">",
  "<img src=@IMG@b1.png onload=" PWN ">",
  "<details open ontoggle=\"" PWN "\"><summary>s</summary>d</details>",
  "<a href=\"@C@/no/@N@-pinged-link\" ping=\"@NO@ping\">ping</a>",
  "<iframe src=\"data:text/html,<script>" PWN "</script>\"></iframe>",
  "<object data=\"data:text/html;base64," B64_HTML "\"></object>",
  "<link rel=\"import\" href=\"@NO@import.html\"><link rel=\"stylesheet\" href=\"@NO@sheet.css\">",
  "<base href=\"@NO@base/\"><img src=\"relative.png\"><a href=\"relative\">r</a>",
  "<meta http-equiv=\"refresh\" content=\"0;url=@NO@refresh\">refresh",
  "<video poster=\"@IMG@poster.png\" src=\"@IMG@video.webm\" controls></video>",
  "<form><button formaction=\"javascript:" PWN "\">b</button></form>",
  "<embed src=\"@NO@embed\"><frame src=\"@NO@frame\">",
  "<a href=\"javascript:" PWN "\">javascript: link</a>",
  "<p style=\"background:url(@NO@style-url)\">style url()</p>",
  "<div style=\"width:expression(" PWNQ ")\">expression()</div>",
  "<style>@import url(@NO@import.css);body{background:url(@NO@body)}</style>style element",

  /* Markup that libxml2's HTML 4 parser and WebKit's HTML 5 parser read
   * differently (mutation XSS): the sanitiser re-serialises, so WebKit must
   * see only what it wrote. */
  "<svg></p><style><a id=\"</style><img src=@IMG@m1.png onerror=" PWN ">\">",
  "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;/mglyph&gt;"
    "&lt;img src=1 onerror=" PWN "&gt;\">",
  "<form><math><mtext></form><form><mglyph><style></math><img src=@IMG@m3.png onerror=" PWN ">",
  "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror=" PWN " src=1>\">",
  "<svg><style><img src=@IMG@m5.png onerror=" PWN "></style></svg>",
  "<noscript><style></noscript><img src=@IMG@m6.png onerror=" PWN ">",
  "<p title=\"</p><script>" PWN "</script>\">attribute text</p>",
  "<!--><img src=@IMG@c1.png onerror=" PWN ">-->",
  "<!---><img src=@IMG@c2.png onerror=" PWN ">-->",
  "<!-- --!><img src=@IMG@c3.png onerror=" PWN "> -->",
  "<! foo=\"><img src=@IMG@c4.png onerror=" PWN ">\">",
  "<?xml foo=\"><img src=@IMG@c5.png onerror=" PWN ">\">",
  "</br foo=\"><img src=@IMG@c6.png onerror=" PWN ">\">",
  "<a href=\"http://ok.example/\" title=\"</a><img src=@IMG@c7.png onerror=" PWN ">\">t</a>",
  "<img src=`@IMG@q1.png`onerror=" PWN ">",
  "<img/src=\"@IMG@q2.png\"/onerror=\"" PWN "\">",
  "<img src=@IMG@q3.png onerror\n=" PWN ">",
  "<img \"\"\"><script>" PWN "</script>\">",
  "<img src=\"@IMG@q5.png\" onerror=\"" PWN "\"//",
  "<div id=\"x\"><img src=@IMG@q6.png onerror=" PWN,
  "<img src=@IMG@q7.png onerror=" PWN "<b>bold</b>",
  "<<img src=@IMG@q8.png onerror=" PWN ">",
  "<img src=@IMG@q9.png o&#110;error=" PWN ">",
  "<img src=\"@IMG@q10.png\" onerror=\"&#x74;op.tidingsPwned=@N@;&#97;lert(@N@)\">",
  "<scr\xc2\xadipt>" PWN "</scr\xc2\xadipt>",
  "\xef\xbc\x9cscript\xef\xbc\x9e" PWN "\xef\xbc\x9c/script\xef\xbc\x9e",
  "<table><tr><td><svg><td><img src=@IMG@t1.png onerror=" PWN "></td></svg></td></tr></table>",
  "<select><template><style><img src=@IMG@t2.png onerror=" PWN "></style></template></select>",
  "<table><caption><svg><title><table><img src=@IMG@t3.png onerror=" PWN ">",
  "<listing>&lt;img src=@IMG@t4.png onerror=" PWN "&gt;</listing>",
  "<plaintext><img src=@IMG@t5.png onerror=" PWN ">",
  "<noembed><img title=\"</noembed><img src=@IMG@t6.png onerror=" PWN ">\"></noembed>",
  "<noframes><img title=\"</noframes><img src=@IMG@t7.png onerror=" PWN ">\"></noframes>",
  "<iframe><img title=\"</iframe><img src=@IMG@t8.png onerror=" PWN ">\"></iframe>",
  "<style><img title=\"</style><img src=@IMG@t9.png onerror=" PWN ">\"></style>",

  /* Schemes in links: entities without ';', control characters, other
   * spellings and other schemes. */
  "<a href=\"javas&#99ript:" PWN "\">no semicolon</a>",
  "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A" PWN "\">hex</a>",
  "<a href=\"java&Tab;script:" PWN "\">Tab</a>",
  "<a href=\"java&NewLine;script:" PWN "\">NewLine</a>",
  "<a href=\"javascript&#58" PWN "\">colon</a>",
  "<a href=\"javascript&#x3a;" PWN "\">hex colon</a>",
  "<a href=\"&#0;javascript:" PWN "\">nul first</a>",
  "<a href=\"java&#0;script:" PWN "\">nul inside</a>",
  "<a href=\"&#x01;javascript:" PWN "\">control</a>",
  "<a href=\"\x0bjavascript:" PWN "\">vertical tab</a>",
  "<a href=\"java\rscript:" PWN "\">carriage return</a>",
  "<a href=\"javascript\t:" PWN "\">tab before colon</a>",
  "<a href=\" javascript:" PWN "\">leading space</a>",
  "<a href=\"JAVASCRIPT:" PWN "\">capitals</a>",
  "<a href=\"javascript://%0A" PWN "\">comment and newline</a>",
  "<a href=\"javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/"
    "onmouseover=1/+/[*/[]/+" PWNQ "//'>\">polyglot</a>",
  "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=" PWNQ " )//%0D%0A%0d%0a//</stYle/</titLe/"
    "</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=" PWNQ "//>\\x3e",
  "<a href=\"%6Aavascript:" PWN "\">percent</a>",
  "<a href=\"\xef\xbd\x8a" "avascript:" PWN "\">full-width j</a>",
  "<a href=\"livescript:" PWN "\">livescript</a>",
  "<a href=\"vbscript&#58;msgbox(@N@)\">vbscript</a>",
  "<a href=\"blob:@C@/no/@N@-blob\">blob</a>",
  "<a href=\"filesystem:@C@/temporary/@N@-fs\">filesystem</a>",
  "<a href=\"view-source:@NO@view-source\">view-source</a>",
  "<a href=\"about:srcdoc\">srcdoc</a>",
  "<a href=\"//@H@/no/@N@-protocol-relative\">protocol relative</a>",
  "<a href=\"\\\\@H@\\no\\@N@-backslashes\">backslashes</a>",
  "<a href=\"http:@H@/no/@N@-no-slashes\">no slashes</a>",
  "<a href=\"ws://@H@/no/@N@-websocket\">websocket</a>",
  "<a href=\"tidings:load-images?00000000000000000000000000000000\">fake button</a>",

  /* data: documents and data: images that are documents. */
  "<a href=\"data:text/html;charset=utf-8,<script>" PWN "</script>\">html</a>",
  "<a href=\"DATA:text/html,<script>" PWN "</script>\">capitals</a>",
  "<a href=\" data:text/html;base64," B64_HTML "\">space, base64</a>",
  "<a href=\"data:application/xhtml+xml,<html xmlns='http://www.w3.org/1999/xhtml'><script>"
    PWN "</script></html>\">xhtml</a>",
  "<a href=\"data:image/svg+xml;base64," B64_SVG "\">svg document</a>",
  "<a href=\"data:,@N@\">plain data</a>",
  "<img src=\"data:IMAGE/SVG+XML;base64," B64_SVG "\">",
  "<img src=\"data:image/svg+xml;charset=utf-8;base64," B64_SVG "\">",
  "<img src=\"data:image/svg%2Bxml;base64," B64_SVG "\">",
  "<img src=\"data:text/html;base64," B64_HTML "\">",
  "<img src=\"data:image/png;base64," B64_SVG "\">",
  "<img srcset=\"data:image/svg+xml;base64," B64_SVG " 1x\">",
  "<iframe src=\"data:image/svg+xml;base64," B64_SVG "\"></iframe>",
  "<object data=\"data:image/svg+xml;base64," B64_SVG "\" type=\"image/svg+xml\"></object>",
  "<embed src=\"data:text/html;base64," B64_HTML "\" type=\"text/html\">",
  "<video poster=\"data:image/svg+xml;base64," B64_SVG "\" controls></video>",

  /* SVG. */
  "<svg><use href=\"data:image/svg+xml;base64," B64_SVG "#x\"/></svg>",
  "<svg><use xlink:href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    "<image href='@NO@use-image' onerror='" PWNQ "'/></svg>#x\"/></svg>",
  "<svg><image xlink:href=\"javascript:" PWN "\" width=9 height=9/></svg>",
  "<svg><script xlink:href=\"data:,top.tidingsPwned=@N@\"/></svg>",
  "<svg width=60 height=30><a xlink:href=\"data:text/html,<script>" PWN "</script>\">"
    "<rect width=50 height=20/></a></svg>",
  "<svg width=60 height=30><a id=\"t@N@\"><text y=20>animated</text></a>"
    "<animate xlink:href=\"#t@N@\" attributeName=\"href\" values=\"javascript:" PWN "\"/></svg>",
  "<svg><a><set attributeName=\"xlink:href\" to=\"javascript:" PWN "\"/><text y=20>set</text>"
    "</a></svg>",
  "<svg><set attributeName=\"onmouseover\" to=\"" PWN "\"/></svg>",
  "<svg><animate attributeName=\"onload\" to=\"" PWN "\" begin=\"0s\"/></svg>",
  "<svg><handler xmlns:ev=\"http://www.w3.org/2001/xml-events\" ev:event=\"load\">" PWN
    "</handler></svg>",
  "<svg><discard onbegin=" PWN "></svg>",
  "<svg><animateTransform onbegin=" PWN " attributeName=transform dur=1s/></svg>",
  "<svg><animate onend=" PWN " attributeName=x dur=0.01s/></svg>",
  "<svg><foreignObject><script>" PWN "</script></foreignObject></svg>",
  "<svg><foreignObject width=50 height=50><img src=@IMG@fo.png onerror=" PWN ">"
    "</foreignObject></svg>",
  "<svg><filter id=\"f@N@\"><feImage href=\"javascript:" PWN "\"/></filter>"
    "<rect filter=\"url(#f@N@)\" width=9 height=9/></svg>",
  "<svg><rect style=\"fill:url(@NO@fill-style)\" width=9 height=9/></svg>",
  "<svg><rect fill=\"url('@NO@fill-quoted#a')\" width=9 height=9/></svg>",
  "<svg><text><tref xlink:href=\"@NO@tref\"/></text></svg>",
  "<svg><font-face><font-face-src><font-face-uri xlink:href=\"@NO@font\"/></font-face-src>"
    "</font-face></svg>",
  "<svg><textPath xlink:href=\"javascript:" PWN "\">path</textPath></svg>",
  "<svg><a xlink:href=\"&#106;avascript:" PWN "\"><text y=20>entity</text></a></svg>",
  "<svg><iframe src=\"@NO@svg-iframe\"></iframe></svg>",
  "<svg><![CDATA[><img src=@IMG@cdata.png onerror=" PWN ">]]></svg>",
  "<svg><desc><img src=@IMG@desc.png onerror=" PWN "></desc></svg>",
  "<svg><title><img src=@IMG@title.png onerror=" PWN "></title></svg>",
  "<svg><style>*{background:url(@NO@svg-style)}</style><rect width=1 height=1/></svg>",
  "<svg/onload=" PWN ">",
  "<svg><svg onload=" PWN "></svg></svg>",
  "<svg><g onload=" PWN "><rect width=5 height=5/></g></svg>",
  "<svg><animate attributeName=xlink:href begin=0 from=\"javascript:" PWN "\" to=\"&\"/></svg>",
  "<svg><pattern id=\"p@N@\" href=\"@NO@pattern\"/><rect fill=\"url(#p@N@)\"/></svg>",
  "<svg><a target=\"_top\" xlink:href=\"@C@/no/@N@-svg-target\"><text y=9>t</text></a></svg>",

  /* MathML. */
  "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:" PWN "\">CLICKME"
    "<mtext>http://ok.example/</mtext></maction></math>",
  "<math><maction actiontype=\"toggle\" selection=\"2\"><mi>a</mi><mi><a href=\"javascript:"
    PWN "\">b</a></mi></maction></math>",
  "<math><mtext><a href=\"javascript:" PWN "\">mtext link</a></mtext></math>",
  "<math><mi href=\"javascript:" PWN "\">x</mi></math>",
  "<math><semantics><annotation-xml encoding=\"application/xhtml+xml\"><script>" PWN
    "</script></annotation-xml></semantics></math>",
  "<math><annotation-xml encoding=\"text/html\"><svg onload=" PWN "></svg></annotation-xml></math>",
  "<math><mtext><img src=@IMG@mtext.png onerror=" PWN "></mtext></math>",
  "<math><style><img src=@IMG@mstyle.png onerror=" PWN "></style></math>",
  "<math><mglyph src=\"@IMG@mglyph.png\" alt=\"g\"/></math>",
  "<math xlink:href=\"javascript:" PWN "\"><mi>x</mi></math>",
  "<math><mi xlink:href=\"data:text/html,<script>" PWN "</script>\">d</mi></math>",
  "<math href=\"&#106;avascript:" PWN "\"><mi>y</mi></math>",

  /* srcset and <picture>. */
  "<img srcset=\"@IMG@s1.png 1x,javascript:" PWN " 2x\">",
  "<img srcset=\"@IMG@s2.png 100w\" sizes=\"(max-width: 1px) 1px, 100px\">",
  "<img srcset=\"@IMG@s3.png,@IMG@s4.png 2x\">",
  "<img srcset=\"@IMG@s5.png 1x, data:image/svg+xml;base64," B64_SVG " 2x\">",
  "<img srcset=\"@IMG@s6.png (onerror=" PWNQ ") 1x\">",
  "<img srcset=\"@IMG@s7.png 1x\" src=\"javascript:" PWN "\">",
  "<img src=\"@IMG@s8.png\" srcset=\"  \">",
  "<picture><source srcset=\"javascript:" PWN "\"><img src=\"@IMG@p1.png\"></picture>",
  "<picture><source srcset=\"@IMG@p2.webp\" type=\"image/webp\" media=\"(min-width: 1px)\">"
    "<img src=\"@IMG@p3.png\"></picture>",
  "<picture><source src=\"@NO@picture-src\"><img src=\"@IMG@p4.png\"></picture>",
  "<video><source srcset=\"@NO@video-srcset\"></video>",

  /* Style: attributes, sheets and the ways url() and expression() hide. */
  "<div style=\"background:\\75 rl(@NO@css-escape)\">escaped url</div>",
  "<div style=\"background:u\\72l(@NO@css-escape2)\">escaped r</div>",
  "<div style=\"behavior:url(@NO@behavior.htc)\">behavior</div>",
  "<div style=\"-moz-binding:url(@NO@binding.xml#x)\">binding</div>",
  "<div style=\"width:expr/**/ession(" PWNQ ")\">comment in expression</div>",
  "<div style=\"xss:\\65xpression(" PWNQ ")\">escaped expression</div>",
  "<div style=\"content:url(@NO@content)\">content</div>",
  "<div style=\"mask-image:url(@NO@mask);-webkit-mask-image:url(@NO@wmask)\">mask</div>",
  "<div style=\"border:9px solid;border-image:url(@NO@border) 30\">border</div>",
  "<div style=\"cursor:url(@NO@cursor),auto\">cursor</div>",
  "<p style=\"background:url('@NO@single-quoted')\">quoted</p>",
  "<p style=\"background:url(&quot;@NO@entity-quoted&quot;)\">entity quoted</p>",
  "<style>@import url(\"javascript:" PWN "\");</style>import js",
  "<style>@\\69mport '@NO@escaped-import';</style>escaped import",
  "<style>@import'@NO@no-space';</style>no space",
  "<style>@namespace url(@NO@namespace);</style>namespace",
  "<style type=\"text/javascript\">" PWN "</style>js style",
  "<style>/*</style><img src=@IMG@st1.png onerror=" PWN ">*/</style>",
  "<style><!--</style><img src=@IMG@st2.png onerror=" PWN ">--></style>",
  "<style>@keyframes k@N@{}</style><div style=\"animation-name:k@N@\" onanimationstart=" PWN ">"
    "animated</div>",
  "<link rel=\"stylesheet\" href=\"data:text/css,*{background:url(@NO@data-css)}\">",
  "<link rel=\"alternate stylesheet\" href=\"@NO@alternate.css\">",
  "<link rel=\"preconnect\" href=\"@NO@preconnect\"><link rel=\"modulepreload\" href=\"@NO@m.js\">",

  /* <base> and <meta>. */
  "<base href=\"//@H@/no/@N@-base/\"><a href=\"relative\">relative</a>",
  "<base target=\"_blank\"><a href=\"@C@/no/@N@-base-target\">target</a>",
  "<meta http-equiv=\"refresh\" content=\"0;url=&#106;avascript:" PWN "\">entity refresh",
  "<meta http-equiv=\"REFRESH\" content=\"0; URL=data:text/html;base64," B64_HTML "\">",
  "<meta http-equiv=\"refresh\" content=\"0\">reload",
  "<meta http-equiv=\"Set-Cookie\" content=\"tidings=pwned@N@; path=/\">cookie",
  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src *; img-src *; "
    "script-src * 'unsafe-inline'\"><img src=\"@IMG@widen.png\"><script>" PWN "</script>",
  "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-7\">"
    "+ADw-script+AD4-" PWNQ "+ADw-/script+AD4-",
  "<meta http-equiv=\"Link\" content=\"<@NO@link-header.css>; rel=stylesheet\">link header",
  "<meta name=\"referrer\" content=\"unsafe-url\"><img src=\"@IMG@referrer.png\">",

  /* Frames, objects, forms. */
  "<iframe srcdoc=\"&lt;img src=@IMG@srcdoc.png onerror=" PWN "&gt;\"></iframe>",
  "<iframe src=\"about:blank\" onload=" PWN "></iframe>",
  "<iframe src=\"view-source:@NO@iframe-view-source\"></iframe>",
  "<frame src=\"javascript:" PWN "\">",
  "<object data=\"@NO@object.svg\" type=\"image/svg+xml\"></object>",
  "<object classid=\"clsid:D27CDB6E-AE6D-11cf-96B8-444553540000\" codebase=\"@NO@cab\"></object>",
  "<embed src=\"@NO@embed.svg\" type=\"image/svg+xml\">",
  "<form><input type=\"submit\" formaction=\"@NO@formaction\" value=\"go\"></form>",
  "<form action=\"@NO@form\"><button>go</button></form>",
  "<form id=\"f@N@\" action=\"javascript:" PWN "\"></form><button form=\"f@N@\">outside</button>",
  "<keygen autofocus onfocus=" PWN ">",
  "<textarea autofocus onfocus=" PWN ">t</textarea>",
  "<isindex type=image src=@IMG@isindex.png onerror=" PWN ">",

  /* Event handlers on the document and on media. */
  "<body onpageshow=" PWN ">pageshow</body>",
  "<body onfocus=" PWN ">focus</body>",
  "<html onmouseover=" PWN "><body>html</body></html>",
  "<img src=@IMG@ev1.png onloadend=" PWN " onloadstart=" PWN ">",
  "<video autoplay onloadstart=" PWN "><source src=@IMG@ev2.webm></video>",
  "<audio controls autoplay onplay=" PWN " src=@IMG@ev3.ogg></audio>",
  "<div contenteditable onbeforeinput=" PWN " autofocus>edit</div>",
  "<div style=\"transition:all 1ms\" ontransitionend=" PWN ">transition</div>",
  "<marquee loop=1 onfinish=" PWN ">m</marquee>",
  "<a onfocusin=" PWN " autofocus tabindex=1 href=\"#x\">focusin</a>",
  "<a href=\"#\" onclick=\"" PWN "\">click me</a>",

  /* The page around the content: its marks and its elements. */
  "<p>{{csp}} {{nonce}} {{title}} {{content}}</p>",
  "</div></article></body></html><html><head><meta http-equiv=refresh "
    "content=\"0;url=@NO@after-html\"><script>" PWN "</script>",
  "<p class=\"tidings-banner\"><a href=\"@C@/no/@N@-fake-banner\">Load Images</a></p>",
  "<style nonce=\"\">body{background:url(@NO@nonce)}</style>guessed nonce",
};

/* Every event handler attribute WebKit knows of (and some it does not),
 * each on an image, a focusable paragraph and a <details> that opens. */
static const char * const handlers[] = {
  "onabort", "onafterprint", "onanimationcancel", "onanimationend", "onanimationiteration",
  "onanimationstart", "onauxclick", "onbeforecopy", "onbeforecut", "onbeforeinput",
  "onbeforepaste", "onbeforeprint", "onbeforeunload", "onbegin", "onblur", "oncancel",
  "oncanplay", "oncanplaythrough", "onchange", "onclick", "onclose", "oncontextmenu", "oncopy",
  "oncuechange", "oncut", "ondblclick", "ondrag", "ondragend", "ondragenter", "ondragleave",
  "ondragover", "ondragstart", "ondrop", "ondurationchange", "onemptied", "onend", "onended",
  "onerror", "onfocus", "onfocusin", "onfocusout", "onformdata", "onfullscreenchange",
  "ongotpointercapture", "onhashchange", "oninput", "oninvalid", "onkeydown", "onkeypress",
  "onkeyup", "onlanguagechange", "onload", "onloadeddata", "onloadedmetadata", "onloadend",
  "onloadstart", "onlostpointercapture", "onmessage", "onmousedown", "onmouseenter",
  "onmouseleave", "onmousemove", "onmouseout", "onmouseover", "onmouseup", "onmousewheel",
  "onoffline", "ononline", "onpagehide", "onpageshow", "onpaste", "onpause", "onplay",
  "onplaying", "onpointercancel", "onpointerdown", "onpointerenter", "onpointerleave",
  "onpointermove", "onpointerout", "onpointerover", "onpointerup", "onpopstate", "onprogress",
  "onratechange", "onrepeat", "onreset", "onresize", "onscroll", "onsearch", "onseeked",
  "onseeking", "onselect", "onselectionchange", "onselectstart", "onshow", "onstalled",
  "onstorage", "onsubmit", "onsuspend", "ontimeupdate", "ontoggle", "ontouchcancel",
  "ontouchend", "ontouchmove", "ontouchstart", "ontransitioncancel", "ontransitionend",
  "ontransitionrun", "ontransitionstart", "onunload", "onvolumechange", "onwaiting",
  "onwebkitanimationend", "onwebkitanimationiteration", "onwebkitanimationstart",
  "onwebkittransitionend", "onwheel", "onzoom", "onactivate", "onbeforeactivate",
  "onfocusable", "onreadystatechange",
};

/* Metadata: every other field of an item that reaches the page, through a
 * JSON Feed. Members: NULL ones are left out, "-" drops the default. */
typedef struct
{
  const char *feed_title;
  const char *title;
  const char *url;
  const char *external_url;
  const char *image;
  const char *language;
  const char *author;
  const char *attachment_url;
  const char *attachment_type;
  const char *attachment_title;
  const char *summary;
  const char *content_text;
  const char *content_html;
} Metadata;

static const Metadata metadata[] = {
  { .title = "<script>" PWN "</script>" },
  { .title = "</title><script>" PWN "</script>" },
  { .title = "\"><img src=@IMG@mt1.png onerror=" PWN ">" },
  { .title = "{{nonce}} {{csp}} {{content}}" },
  { .feed_title = "</p><script>" PWN "</script>" },
  { .feed_title = "<img src=@IMG@mt2.png onerror=" PWN ">" },
  { .author = "<script>" PWN "</script>" },
  { .author = "\"><img src=@IMG@mt3.png onerror=" PWN ">" },
  { .url = "javascript:" PWN },
  { .url = "data:text/html;base64," B64_HTML },
  { .url = "@C@/article/@N@\"><script>" PWN "</script>" },
  { .url = "-", .external_url = "javascript:" PWN },
  { .image = "javascript:" PWN },
  { .image = "@IMG@lead.png\" onerror=\"" PWN },
  { .image = "data:image/svg+xml;base64," B64_SVG },
  { .image = "@IMG@lead-ok.png" },
  { .language = "en\" onload=\"" PWN },
  { .language = "\"><script>" PWN "</script>" },
  { .attachment_url = "javascript:" PWN },
  { .attachment_url = "@C@/no/@N@-enclosure.mp3\"><script>" PWN "</script>" },
  { .attachment_url = "@C@/no/@N@-enclosure.mp3",
    .attachment_type = "\"><script>" PWN "</script>" },
  { .attachment_url = "@C@/no/@N@-enclosure.mp3",
    .attachment_title = "<img src=x onerror=" PWN ">" },
  { .content_html = "-", .summary = "<script>" PWN "</script>summary" },
  { .content_html = "-", .content_text = "<script>" PWN "</script>text" },
};

/* Attacks that live in a feed format's own markup. */
static const char * const documents[] = {
  /* xml:base that is not an address to resolve against. */
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Base</title><entry xml:base=\"javascript:"
    PWN "//\"><id>b1-@N@</id><title>javascript: base</title>"
    "<content type=\"html\">&lt;a href=\"x\"&gt;relative&lt;/a&gt;&lt;img src=\"y.png\"&gt;"
    "</content></entry></feed>",
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Base</title><entry "
    "xml:base=\"data:text/html,&lt;script&gt;" PWN "&lt;/script&gt;\"><id>b2-@N@</id>"
    "<title>data: base</title><content type=\"html\">&lt;a href=\"#x\"&gt;fragment&lt;/a&gt;"
    "&lt;a href=\"x\"&gt;relative&lt;/a&gt;</content></entry></feed>",
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Base</title><entry xml:base=\"file:///etc/\">"
    "<id>b3-@N@</id><title>file: base</title><content type=\"html\">&lt;a href=\"passwd\"&gt;"
    "passwd&lt;/a&gt;&lt;img src=\"shadow\"&gt;</content></entry></feed>",
  /* Inline XHTML content, whose elements are XML elements. */
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>XHTML</title><entry><id>x1-@N@</id>"
    "<title>xhtml</title><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
    "<script>" PWN "</script><a href=\"javascript:" PWN "\">x</a><img src=\"@IMG@x1.png\" "
    "onerror=\"" PWN "\"/><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"" PWN "\"/>"
    "</div></content></entry></feed>",
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>CDATA</title><entry><id>x2-@N@</id>"
    "<title>cdata</title><content type=\"html\"><![CDATA[<img src=@IMG@x2.png onerror=" PWN ">"
    "<script>" PWN "</script>]]></content></entry></feed>",
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Twice</title><entry><id>x3-@N@</id>"
    "<title>double escaped</title><content type=\"html\">&amp;lt;script&amp;gt;" PWN
    "&amp;lt;/script&amp;gt;</content></entry></feed>",
  /* Out-of-line content is never fetched. */
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Out of line</title><entry><id>x4-@N@</id>"
    "<title>src</title><content type=\"text/html\" src=\"@NO@out-of-line\"/>"
    "<summary type=\"html\">&lt;script&gt;" PWN "&lt;/script&gt;summary</summary></entry></feed>",
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title type=\"html\">&lt;script&gt;" PWN
    "&lt;/script&gt;Feed</title><entry><id>x5-@N@</id><title type=\"html\">&lt;img src=@IMG@x5.png "
    "onerror=" PWN "&gt;Entry</title><link rel=\"enclosure\" href=\"javascript:" PWN "\"/>"
    "<link rel=\"alternate\" href=\"javascript:" PWN "\"/><author><name>&lt;b onmouseover="
    PWN "&gt;Mallory&lt;/b&gt;</name></author><content type=\"html\">&lt;p&gt;body&lt;/p&gt;"
    "</content></entry></feed>",
  /* RSS: HTML in a description, a link and an enclosure that are scripts. */
  "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
    "xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>RSS</title>"
    "<link>@C@/</link><item><guid>r1-@N@</guid><title>rss</title>"
    "<link>javascript:" PWN "</link><description><![CDATA[<base href=\"@NO@rss-base/\">"
    "<img src=\"rel.png\" onerror=\"" PWN "\"><a href=\"rel\">rel</a>]]></description>"
    "<content:encoded><![CDATA[<iframe src=\"@NO@rss-iframe\"></iframe>"
    "<object data=\"@NO@rss-obj\"></object><img src=@IMG@r1.png onerror=" PWN ">]]>"
    "</content:encoded>"
    "<enclosure url=\"javascript:" PWN "\" type=\"audio/mpeg\" length=\"1\"/>"
    "<media:thumbnail url=\"javascript:" PWN "\"/></item></channel></rss>",
  "<rss version=\"2.0\"><channel><title>RSS</title><item><guid>r2-@N@</guid>"
    "<title>&lt;script&gt;" PWN "&lt;/script&gt;</title><description>&lt;svg onload=" PWN
    "&gt;&amp;lt;script&amp;gt;</description><author>x@example.org (&lt;img src=x onerror="
    PWN "&gt;)</author></item></channel></rss>",
};

static char *
expand (const char *text,
        guint       number,
        Canary     *canary)
{
  g_autoptr(GString) out = g_string_new (text);
  g_autofree char *n = g_strdup_printf ("%u", number);
  g_autofree char *img = g_strdup_printf ("%s/img/%u-", canary->base, number);
  g_autofree char *no = g_strdup_printf ("%s/no/%u-", canary->base, number);

  g_string_replace (out, "@IMG@", img, 0);
  g_string_replace (out, "@NO@", no, 0);
  g_string_replace (out, "@C@", canary->base, 0);
  g_string_replace (out, "@H@", canary->host, 0);
  g_string_replace (out, "@N@", n, 0);
  return g_strdup (out->str);
}

static void
add_member (JsonBuilder *builder,
            const char  *name,
            const char  *value,
            const char  *fallback,
            guint        number,
            Canary      *canary)
{
  g_autofree char *expanded = NULL;

  if (value == NULL)
    value = fallback;
  if (value == NULL || strcmp (value, "-") == 0)
    return;
  expanded = expand (value, number, canary);
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, expanded);
}

/* A JSON Feed of one item made of @meta, number @number. */
static char *
json_feed (const Metadata *meta,
           guint           number,
           Canary         *canary)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = g_strdup_printf ("vector-%u", number);
  g_autofree char *title = g_strdup_printf ("Hostile %u", number);

  json_builder_begin_object (builder);
  add_member (builder, "version", "https://jsonfeed.org/version/1.1", NULL, number, canary);
  add_member (builder, "title", meta->feed_title, "Hostile Feed", number, canary);
  add_member (builder, "home_page_url", "@C@/", NULL, number, canary);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_member (builder, "id", id, NULL, number, canary);
  add_member (builder, "url", meta->url, "@C@/article/@N@", number, canary);
  add_member (builder, "external_url", meta->external_url, NULL, number, canary);
  add_member (builder, "title", meta->title, title, number, canary);
  add_member (builder, "content_html", meta->content_html,
              meta->content_text != NULL ? "-" : "<p>Plain content.</p>", number, canary);
  add_member (builder, "content_text", meta->content_text, NULL, number, canary);
  add_member (builder, "summary", meta->summary, NULL, number, canary);
  add_member (builder, "image", meta->image, NULL, number, canary);
  add_member (builder, "language", meta->language, NULL, number, canary);
  add_member (builder, "date_published", "2024-03-05T14:30:00Z", NULL, number, canary);
  if (meta->author != NULL)
    {
      json_builder_set_member_name (builder, "authors");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      add_member (builder, "name", meta->author, NULL, number, canary);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  if (meta->attachment_url != NULL)
    {
      json_builder_set_member_name (builder, "attachments");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      add_member (builder, "url", meta->attachment_url, NULL, number, canary);
      add_member (builder, "mime_type", meta->attachment_type, "audio/mpeg", number, canary);
      add_member (builder, "title", meta->attachment_title, NULL, number, canary);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Stores @document and shows each article it adds with remote images off
 * and on; with @raw_html, also unsanitised: that HTML as the article's
 * content, with images off. */
static guint
check_document (Fixture    *fixture,
                const char *label,
                const char *document,
                const char *raw_html,
                gboolean    must_parse)
{
  g_autofree char *feed_title = NULL;
  g_autoptr(GPtrArray) articles = store_document (fixture, document, strlen (document),
                                                  &feed_title);

  if (must_parse && articles->len == 0)
    g_error ("%s: the feed gave no article:\n%s", label, document);

  for (guint i = 0; i < articles->len; i++)
    {
      TidingsArticle *article = articles->pdata[i];

      check_page (fixture, label, article, feed_title, MODE_STORED_IMAGES_OFF);
      check_page (fixture, label, article, feed_title, MODE_STORED_IMAGES_ON);

      /* The same article as if the sanitiser had let everything through:
       * the view on its own. */
      if (raw_html != NULL)
        {
          g_free (article->item->content_html);
          article->item->content_html = g_strdup (raw_html);
          check_page (fixture, label, article, feed_title, MODE_RAW);
        }
    }
  return articles->len;
}

static void
report (Fixture    *fixture,
        const char *what,
        guint       n_vectors)
{
  g_test_message ("%s: %u vectors, %u pages rendered, %u image requests while images were on, "
                  "%u navigations of unsanitised pages refused by the view", what, n_vectors,
                  fixture->n_pages, fixture->n_image_requests, fixture->n_refused);
}

static void
test_content_vectors (Fixture       *fixture,
                      gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      guint number = i + 1;
      g_autofree char *html = expand (vectors[i], number, fixture->web.canary);
      g_autofree char *label = g_strdup_printf ("vector %u", number);
      Metadata meta = { .content_html = vectors[i] };
      g_autofree char *document = json_feed (&meta, number, fixture->web.canary);

      fixture->number = number;
      check_document (fixture, label, document, html, TRUE);
    }

  report (fixture, "content vectors", G_N_ELEMENTS (vectors));
  g_assert_cmpuint (G_N_ELEMENTS (vectors), >=, 100);
  g_assert_cmpuint (fixture->n_pages, ==, 3 * G_N_ELEMENTS (vectors));
  /* The harness hears images when they are allowed. */
  g_assert_cmpuint (fixture->n_image_requests, >=, 10);
}

static void
test_event_handlers (Fixture       *fixture,
                     gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      guint number = 3000 + i;
      g_autofree char *vector = g_strdup_printf (
        "<img src=@IMG@h.png alt=\"%s\" %s=\"" PWN "\">"
        "<p tabindex=0 %s=\"" PWN "\">%s</p>"
        "<details open %s=\"" PWN "\"><summary>s</summary>d</details>",
        handlers[i], handlers[i], handlers[i], handlers[i], handlers[i]);
      g_autofree char *html = expand (vector, number, fixture->web.canary);
      g_autofree char *label = g_strdup_printf ("event handler %s (%u)", handlers[i], number);
      Metadata meta = { .content_html = vector };
      g_autofree char *document = json_feed (&meta, number, fixture->web.canary);

      fixture->number = number;
      check_document (fixture, label, document, html, TRUE);
    }

  report (fixture, "event handlers", G_N_ELEMENTS (handlers));
  g_assert_cmpuint (fixture->n_pages, ==, 3 * G_N_ELEMENTS (handlers));
}

static void
test_metadata_vectors (Fixture       *fixture,
                       gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (metadata); i++)
    {
      guint number = 1000 + i;
      g_autofree char *label = g_strdup_printf ("metadata vector %u", number);
      g_autofree char *document = json_feed (&metadata[i], number, fixture->web.canary);

      fixture->number = number;
      check_document (fixture, label, document, NULL, TRUE);
    }

  report (fixture, "metadata vectors", G_N_ELEMENTS (metadata));
  g_assert_cmpuint (fixture->n_pages, ==, 2 * G_N_ELEMENTS (metadata));
}

static void
test_document_vectors (Fixture       *fixture,
                       gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      guint number = 2000 + i;
      g_autofree char *label = g_strdup_printf ("document vector %u", number);
      g_autofree char *document = expand (documents[i], number, fixture->web.canary);

      fixture->number = number;
      check_document (fixture, label, document, NULL, TRUE);
    }

  report (fixture, "feed-markup vectors", G_N_ELEMENTS (documents));
  g_assert_cmpuint (fixture->n_pages, >=, 2 * G_N_ELEMENTS (documents));
}

/* The feedparser corpus's sanitize files, parsed as the feeds they are: the
 * ones whose hostile part reaches the page (content, summaries, titles of
 * entries and feeds, authors). */
static void
test_corpus (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const prefixes[] = { "entry_", "item_", "feed_title_", "blogger_",
                                           "large_", "xml_", NULL };
  g_autofree char *dir_path = NULL;
  g_autoptr(GPtrArray) names = tidings_test_sanitize_corpus (prefixes, &dir_path);
  guint n_files = 0;
  guint n_articles = 0;

  if (names == NULL)
    {
      g_test_skip ("The feedparser corpus is not beside the checkout");
      return;
    }

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      g_autofree char *contents = NULL;
      g_autofree char *label = g_strdup_printf ("feedparser %s", (char *) names->pdata[i]);
      g_autofree char *feed_title = NULL;
      g_autoptr(GPtrArray) articles = NULL;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      n_files++;
      articles = store_document (fixture, contents, len, &feed_title);
      if (articles->len == 0)
        {
          /* A feed of nothing but its title: the title is still shown, above
           * every article of the feed. */
          g_autoptr(TidingsArticle) article = g_new0 (TidingsArticle, 1);

          article->id = 999999;
          article->item = tidings_item_new ();
          article->item->title = g_strdup ("The feed's title");
          article->item->content_html = g_strdup ("<p>No items.</p>");
          check_page (fixture, label, article, feed_title, MODE_STORED_IMAGES_OFF);
          continue;
        }
      for (guint j = 0; j < articles->len; j++)
        {
          check_page (fixture, label, articles->pdata[j], feed_title, MODE_STORED_IMAGES_OFF);
          n_articles++;
        }
    }

  g_test_message ("feedparser corpus: %u files parsed, %u articles shown, %u pages", n_files,
                  n_articles, fixture->n_pages);
  g_assert_cmpuint (n_files, >, 200);
}

/* The detectors fire: a payload run by the test itself in the page's own
 * world is seen by every check the vectors rely on. */
static void
test_controls (Fixture       *fixture,
               gconstpointer  data)
{
  Metadata meta = { .content_html = "<p><img src=\"@IMG@control.png\" alt=\"control\"></p>" };
  g_autofree char *document = json_feed (&meta, 1, fixture->web.canary);
  g_autofree char *feed_title = NULL;
  g_autoptr(GPtrArray) articles = store_document (fixture, document, strlen (document),
                                                  &feed_title);
  TidingsArticle *article;
  g_autoptr(JSCValue) value = NULL;
  g_autofree char *flag = NULL;
  guint dialogs = n_dialogs;
  g_autofree char *script = NULL;
  g_autofree char *findings = NULL;

  g_assert_cmpuint (articles->len, ==, 1);
  article = articles->pdata[0];
  fixture->number = 1;
  g_assert_cmpstr (feed_title, ==, "Hostile Feed");
  check_page (fixture, "control", article, feed_title, MODE_STORED_IMAGES_ON);
  g_assert_cmpuint (fixture->n_image_requests, ==, 1);

  script = expand (PWN "; true", 1, fixture->web.canary);
  value = tidings_test_run_js (&fixture->web, script, NULL);
  g_assert_nonnull (value);
  flag = tidings_test_js_string (&fixture->web, "typeof top.tidingsPwned", NULL);
  g_assert_cmpstr (flag, ==, "number");
  g_assert_cmpuint (n_dialogs, ==, dialogs + 1);
  /* The script's navigation is refused, but it was asked for. */
  while (g_strcmp0 (webkit_web_view_get_title (fixture->web.web_view), "PWNED-1") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (navigations->len, >, 0);

  /* The audit sees what the sanitiser would have removed. */
  g_clear_pointer (&value, g_object_unref);
  /* (Made through the DOM: WebKit's parser, with JavaScript markup off,
   * would drop the handler itself.) */
  value = tidings_test_run_js (&fixture->web,
                               "const a = document.createElement ('a');\n"
                               "a.setAttribute ('href', 'javascript:x');\n"
                               "a.setAttribute ('onclick', 'x');\n"
                               "document.querySelector ('.tidings-content').append (a); true",
                               "tidings-test");
  findings = tidings_test_js_string (&fixture->web, audit_page, "tidings-test");
  g_assert_nonnull (strstr (findings, "a[onclick]"));
  g_assert_nonnull (strstr (findings, "a[href=javascript:x]"));
}

/* One hostile article as the reader sees it, saved for people to look at. */
static void
test_screenshot (Fixture       *fixture,
                 gconstpointer  data)
{
  Metadata meta = {
    .title = "<script>" PWN "</script> Hostile article",
    .feed_title = "</p><img src=x onerror=" PWN ">Hostile Feed",
    .author = "\"><b onmouseover=" PWN ">Mallory</b>",
    .image = "@IMG@lead.png",
    .attachment_url = "@C@/no/@N@-episode.mp3\"><script>" PWN "</script>",
    .content_html = "<p>Before.</p><script>" PWN "</script><img src=\"@IMG@pic.png\" "
                    "onerror=\"" PWN "\" alt=\"a picture\"><svg width=\"120\" height=\"40\">"
                    "<a xlink:href=\"javascript:" PWN "\"><rect width=\"120\" height=\"40\" "
                    "fill=\"#3584e4\"/><text x=\"8\" y=\"26\" fill=\"white\">SVG link</text></a>"
                    "<script>" PWN "</script></svg><math><mi>x</mi><mo>=</mo><mn>2</mn></math>"
                    "<p><a href=\"jav&#x09;ascript:" PWN "\">A javascript: link</a> and "
                    "<a href=\"@C@/ok\">a fine one</a>.</p><iframe src=\"@NO@frame\"></iframe>"
                    "<p style=\"color:red\">After.</p>",
  };
  g_autofree char *document = json_feed (&meta, 1, fixture->web.canary);
  g_autofree char *feed_title = NULL;
  g_autoptr(GPtrArray) articles = store_document (fixture, document, strlen (document),
                                                  &feed_title);
  GtkWidget *widget = GTK_WIDGET (fixture->web.view);
  g_autoptr(GdkTexture) texture = NULL;

  g_assert_cmpuint (articles->len, ==, 1);
  fixture->number = 1;
  check_page (fixture, "screenshot", articles->pdata[0], feed_title, MODE_STORED_IMAGES_ON);

  /* What WebKit draws is in the view's own snapshot; give it a moment. */
  for (guint attempt = 0; attempt < 5; attempt++)
    {
      GtkSnapshot *snapshot;
      GskRenderer *renderer;
      g_autoptr(GskRenderNode) node = NULL;

      gtk_widget_queue_draw (widget);
      tidings_test_wait_ms (500);
      snapshot = gtk_snapshot_new ();
      GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        continue;
      g_clear_object (&texture);
      renderer = gtk_native_get_renderer (GTK_NATIVE (fixture->web.window));
      texture = gsk_renderer_render_texture (renderer, node,
                                             &GRAPHENE_RECT_INIT (0, 0,
                                                                  gtk_widget_get_width (widget),
                                                                  gtk_widget_get_height (widget)));
    }
  g_assert_nonnull (texture);
  tidings_test_save_texture (texture, "hostile-view");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  home = tidings_test_web_init ("tidings-hostile-view-home-XXXXXX");

  /* Every script dialog and every navigation WebKit considers, before any
   * handler can answer it. */
  navigations = g_array_new (FALSE, TRUE, sizeof (Navigation));
  g_array_set_clear_func (navigations, (GDestroyNotify) navigation_clear);
  tidings_test_count_script_dialogs (&n_dialogs);
  g_signal_add_emission_hook (g_signal_lookup ("decide-policy", WEBKIT_TYPE_WEB_VIEW), 0,
                              decide_policy_hook, NULL, NULL);

#define ADD(path, func) \
  g_test_add ("/hostile-view/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("controls", test_controls);
  ADD ("content", test_content_vectors);
  ADD ("event-handlers", test_event_handlers);
  ADD ("metadata", test_metadata_vectors);
  ADD ("feed-markup", test_document_vectors);
  ADD ("feedparser-corpus", test_corpus);
  ADD ("screenshot", test_screenshot);

#undef ADD

  status = g_test_run ();
  g_array_unref (navigations);
  tidings_test_remove_tree (home);
  return status;
}
