/* test-article-view.c: the article view in a real WebKitWebView
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb with a session bus (build-aux/test). The page is read back
 * through JavaScript in an isolated world (and, to look for a page script
 * that ran, in the main world). Hostile content is rendered both as the
 * sanitiser leaves it and raw, straight into content_html, so that the
 * view's own defences are tested even where the sanitiser would have caught
 * everything. A loopback canary server counts every request; the web view's
 * network session also uses it as its proxy, so that nothing a vector names
 * can leave the machine.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif
#include <libsoup/soup.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <webkit/webkit.h>

#include "tidings-article-view.h"
#include "tidings-sanitize.h"
#include "tidings-ui-test-utils.h"
#include "tidings-web-test-utils.h"

/* The fixture is the shared one: a window holding the view, the canary. */
typedef TidingsTestWebFixture Fixture;

static guint n_dialogs;            /* script dialogs asked for, in any view */

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  /* Every .png is served: a 64×40 orange that shows in the screenshots. */
  tidings_test_web_fixture_setup (fixture, canary_new ("*.png", 64, 40, 0xe66100), 900, 700);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  tidings_test_web_fixture_teardown (fixture);
}

/* ---- Articles ---- */

static TidingsArticle *
article_new (gint64      id,
             const char *title,
             const char *url,
             const char *content_html)
{
  TidingsArticle *article = g_new0 (TidingsArticle, 1);

  article->id = id;
  article->subscription_id = 1;
  article->item = tidings_item_new ();
  article->item->id = g_strdup_printf ("guid-%" G_GINT64_FORMAT, id);
  article->item->title = g_strdup (title);
  article->item->url = g_strdup (url);
  article->item->content_html = g_strdup (content_html);
  /* 2024-03-05T14:30:00Z */
  article->date = G_GINT64_CONSTANT (1709649000) * G_USEC_PER_SEC;
  article->first_seen = article->date;
  return article;
}

/* Shows @article and waits until its page has loaded. */
static void
show_and_wait (Fixture              *fixture,
               const TidingsArticle *article,
               const char           *feed_title)
{
  guint finished;

  /* The web view is created on the first article: hook it up at once, before
   * the main loop runs and its page starts. */
  tidings_article_view_show (fixture->view, article, feed_title);
  tidings_test_web_fixture_attach (fixture);

  /* Loaded, and the title (every page has one) has come through; a web
   * process that ends on the way is waited through. */
  finished = fixture->n_finished;
  if (!tidings_test_web_fixture_wait_for_page (fixture, finished, NULL))
    g_error ("Timed out loading article %" G_GINT64_FORMAT, article->id);
}

/* ---- JavaScript ---- */

/* The value of @script in Tidings' isolated test world, as a string. */
static char *
js_string (Fixture    *fixture,
           const char *script)
{
  return tidings_test_js_string (fixture, script, "tidings-test");
}

static char *
page_text (Fixture *fixture)
{
  return js_string (fixture, "document.body.innerText");
}

/* ---- Rendering ---- */

static void
test_lazy_web_view (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (7, "Lazy", "https://example.org/lazy", "<p>x</p>");

  /* The window maps without WebKit. */
  g_assert_null (_tidings_article_view_get_web_view (fixture->view));
  g_assert_cmpint (tidings_article_view_get_article_id (fixture->view), ==, 0);

  show_and_wait (fixture, article, "Feed");
  g_assert_cmpint (tidings_article_view_get_article_id (fixture->view), ==, 7);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->web_view)));

  /* Focusing the view puts the keyboard in the page. */
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (fixture->view)));
  g_assert_true (gtk_window_get_focus (fixture->window) == GTK_WIDGET (fixture->web_view));

  tidings_article_view_clear (fixture->view);
  g_assert_cmpint (tidings_article_view_get_article_id (fixture->view), ==, 0);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (fixture->web_view)));
  /* The same web view serves the next article. */
  show_and_wait (fixture, article, "Feed");
  g_assert_true (_tidings_article_view_get_web_view (fixture->view) == GTK_WIDGET (fixture->web_view));
}

static void
test_render (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (42, "Rockets & <Rivets> \"today\"",
                                                   "https://news.example.org/rockets",
                                                   "<p>The <em>body</em> of the article.</p>");
  TidingsAttachment *attachment = tidings_attachment_new ();
  TidingsAuthor *author = tidings_author_new ();
  g_autofree char *text = NULL;
  g_autofree char *size = g_format_size (12345678);
  g_autofree char *datetime = NULL;
  g_autofree char *href = NULL;
  g_autofree char *csp = NULL;
  g_autofree char *title = NULL;

  author->name = g_strdup ("Ada Lovelace");
  g_ptr_array_add (article->item->authors, author);
  attachment->url = g_strdup ("https://news.example.org/episode-12.mp3");
  attachment->mime_type = g_strdup ("audio/mpeg");
  attachment->size_in_bytes = 12345678;
  attachment->duration_in_seconds = 3725;
  g_ptr_array_add (article->item->attachments, attachment);

  show_and_wait (fixture, article, "Launch <News>");

  /* The title, from the page itself and as WebKit reports it. */
  title = js_string (fixture, "document.title");
  g_assert_cmpstr (title, ==, "Rockets & <Rivets> \"today\"");
  g_assert_cmpstr (webkit_web_view_get_title (fixture->web_view), ==, article->item->title);

  text = page_text (fixture);
  g_test_message ("page text: %s", text);
  /* The feed's name is styled in capitals; innerText shows them so. */
  g_assert_nonnull (strstr (text, "LAUNCH <NEWS>"));
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.querySelector ('.tidings-feed').textContent === "
                                       "'Launch <News>'", "tidings-test"));
  g_assert_nonnull (strstr (text, "Ada Lovelace"));
  g_assert_nonnull (strstr (text, "The body of the article."));
  g_assert_nonnull (strstr (text, "episode-12.mp3"));
  g_assert_nonnull (strstr (text, "audio/mpeg"));
  g_assert_nonnull (strstr (text, size));
  g_assert_nonnull (strstr (text, "1:02:05"));
  g_assert_nonnull (strstr (text, "2024"));
  g_assert_nonnull (strstr (text, "Open in Browser"));

  /* The date in the reader's zone, and the instant in the markup. */
  datetime = js_string (fixture, "document.querySelector ('time').getAttribute ('datetime')");
  g_assert_true (g_str_has_prefix (datetime, "2024-03-05T14:30:00"));

  href = js_string (fixture, "document.querySelector ('a.tidings-open').href");
  g_assert_cmpstr (href, ==, "https://news.example.org/rockets");
  g_free (href);
  href = js_string (fixture, "document.querySelector ('.tidings-attachments a').href");
  g_assert_cmpstr (href, ==, "https://news.example.org/episode-12.mp3");

  csp = js_string (fixture, "document.querySelector ('meta[http-equiv=\"Content-Security-Policy\"]')"
                            ".content");
  g_assert_nonnull (strstr (csp, "default-src 'none'"));
  g_assert_nonnull (strstr (csp, "form-action 'none'"));
  g_assert_nonnull (strstr (csp, "base-uri 'none'"));

  /* The stylesheet applied despite the policy: the measure is capped. */
  g_assert_true (tidings_test_js_bool (fixture,
                                       "getComputedStyle (document.querySelector ('article'))"
                                       ".maxWidth.endsWith ('px')", "tidings-test"));
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.querySelector ('article').offsetWidth < 900",
                                       "tidings-test"));
}

/* Two articles shown back to back, before WebKit has asked about the first
 * page: the second is the one the reader sees, also when both pages have
 * the same base (one article's link, the other's the same). */
static void
test_render_twice (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TidingsArticle) first = article_new (1, "First", "https://news.example.org/same",
                                                 "<p>One</p>");
  g_autoptr(TidingsArticle) second = article_new (2, "Second", "https://news.example.org/same",
                                                  "<p>Two</p>");
  g_autoptr(TidingsArticle) third = article_new (3, "Third", "https://news.example.org/same",
                                                 "<p>Three</p>");
  g_autofree char *title = NULL;

  show_and_wait (fixture, first, "Feed");
  tidings_article_view_show (fixture->view, second, "Feed");
  show_and_wait (fixture, third, "Feed");
  /* Whatever else WebKit still had to say has been said. */
  tidings_test_wait_ms (300);

  title = js_string (fixture, "document.title");
  g_assert_cmpstr (title, ==, "Third");
  g_assert_cmpint (tidings_article_view_get_article_id (fixture->view), ==, 3);
}

static void
test_render_text (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (5, "Plain", NULL, NULL);
  g_autofree char *text = NULL;
  g_autofree char *paragraphs = NULL;

  article->item->content_text = g_strdup ("First <b>line</b> & more.\n\nSecond paragraph.");
  show_and_wait (fixture, article, NULL);

  text = page_text (fixture);
  g_assert_nonnull (strstr (text, "First <b>line</b> & more."));
  paragraphs = js_string (fixture, "String (document.querySelectorAll ('.tidings-content p').length)");
  g_assert_cmpstr (paragraphs, ==, "2");
  /* No address, no link to open. */
  g_assert_false (tidings_test_js_bool (fixture,
                                        "document.querySelector ('a.tidings-open') !== null",
                                        "tidings-test"));
  g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, "about:blank");

  /* A summary when there is no content at all. */
  g_clear_pointer (&article->item->content_text, g_free);
  article->item->summary = g_strdup ("Only a summary.");
  show_and_wait (fixture, article, NULL);
  g_free (text);
  text = page_text (fixture);
  g_assert_nonnull (strstr (text, "Only a summary."));
}

/* The page's base is the article's address when WebKit takes it as it is,
 * else about:blank; either way the page shows. */
static void
test_base (Fixture       *fixture,
           gconstpointer  data)
{
  static const struct { const char *url; const char *base; } cases[] = {
    { "https://example.org/posts/1?x=2", "https://example.org/posts/1?x=2" },
    { "http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a" },
    { "https://example.org/%7euser/", "https://example.org/%7euser/" },
    /* WebKit would rewrite these (the first is caught on the way back): */
    { "https://example.org/a/../b", "about:blank" },
    { "HTTPS://Example.ORG/", "about:blank" },
    { "https://example.org", "about:blank" },
    { "https://example.org:443/x", "about:blank" },
    { "https://user@example.org/x", "about:blank" },
    { "https://bücher.example/x", "about:blank" },
    { "https://example.org/x#frag", "about:blank" },
    { "javascript:alert(1)", "about:blank" },
    { "file:///etc/passwd", "about:blank" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TidingsArticle) article = article_new (200 + i, "Base", cases[i].url,
                                                       "<p>based</p>");
      g_autofree char *text = NULL;

      show_and_wait (fixture, article, "Feed");
      text = page_text (fixture);
      g_assert_nonnull (strstr (text, "based"));
      g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, cases[i].base);
    }
}

/* ---- Hostile content ---- */

/* A payload that shows whether it ran: it sets a flag in the main world,
 * changes the title and asks for a dialog, each carrying the vector's
 * number (N). */
#define PWN "window.tidingsPwned=N;document.title=N;alert(N)"

/* CANARY is the loopback canary; IMG paths are images and media (the only
 * requests allowed, and only when remote images are on), NO paths must never
 * be requested. Relative references resolve against the canary too. */
static const char * const vectors[] = {
  /* Scripts */
  "<script>" PWN "</script>ok",
  "<SCRIPT SRC=CANARY/no/script.js></SCRIPT>ok",
  "<script type=\"module\">" PWN "</script>",
  "<script>/*</script><img src=img/x.png onerror=" PWN ">*/</script>",
  "<scr<script>ipt>" PWN "</script>",
  "<div><scr<script>ipt>" PWN "</scr</script>ipt></div>",
  "<script", "<script>never closed " PWN,
  "<template><script>" PWN "</script></template>t",
  "<textarea><script>" PWN "</script></textarea>t",
  "<title><script>" PWN "</script></title>t",
  "<noscript><p title=\"</noscript><img src=img/n.png onerror=" PWN ">\"></noscript>",
  "<!--<script>" PWN "</script>-->x",
  "<![CDATA[<script>" PWN "</script>]]>y",
  "<xmp><script>" PWN "</script></xmp>",
  /* Event handlers */
  "<img src=img/e.png onerror=" PWN ">",
  "<img src=CANARY/img/onload.png onload=" PWN ">",
  "<IMG SRC=img/x.png OnErRoR=" PWN ">",
  "<img src=\"x:x\" onerror=\"" PWN "\"",
  "<body onload=" PWN ">text</body>",
  "<div\tonclick=" PWN ">t</div>",
  "<div/onclick=" PWN ">t</div>",
  "<p ONCLICK=\"" PWN "\" OnMouseOver=" PWN " onfocus=" PWN " tabindex=0 autofocus>x</p>",
  "<a href=\"CANARY/no/link\" onmouseover=\"" PWN "\" onclick=\"" PWN "\">ok</a>",
  "<details open ontoggle=" PWN ">d</details>",
  "<input autofocus onfocus=" PWN ">",
  "<marquee onstart=" PWN ">m</marquee>",
  "<video><source src=img/v.mp4 onerror=" PWN "></video>",
  "<audio src=img/a.mp3 onerror=" PWN " onloadstart=" PWN "></audio>",
  "<select onfocus=" PWN " autofocus><option>pick</option></select>",
  "<button onclick=" PWN ">b</button>",
  "<form><button formaction=\"javascript:" PWN "\">f</button></form>",
  /* SVG */
  "<svg onload=" PWN ">",
  "<svg><script>" PWN "</script></svg>after",
  "<svg><script href=\"CANARY/no/svg.js\"/></svg>",
  "<svg width=100 height=50><a xlink:href=\"javascript:" PWN "\"><text x=5 y=20>x</text></a></svg>",
  "<svg width=100 height=50><a href=\"jAvAsCrIpT:" PWN "\"><circle r=20 cx=25 cy=25></circle></a></svg>",
  "<svg><use href=\"CANARY/img/use.svg#a\"/></svg>",
  "<svg><image href=\"CANARY/img/svgimage.png\" width=10 height=10/></svg>",
  "<svg><foreignObject><iframe src=\"CANARY/no/fo\"></iframe><p>f</p></foreignObject></svg>",
  "<svg><rect fill=\"url(CANARY/no/fill#a)\" width=1 height=1/></svg>",
  "<svg><set attributeName=\"href\" to=\"javascript:" PWN "\"/></svg>",
  "<svg><a><animate attributeName=href values=\"javascript:" PWN "\"/><text x=5 y=20>c</text></a></svg>",
  "<svg><style>@import url(CANARY/no/svgimport.css);</style></svg>",
  "<svg><animate onbegin=" PWN " attributeName=x dur=1s>",
  "<svg><title><script>" PWN "</script>t</title></svg>",
  "<svg><desc><![CDATA[</desc><script>" PWN "</script>]]></desc></svg>",
  "<svg><p><style><img src=img/s.png onerror=" PWN "></style></p></svg>",
  "<svg><filter><feImage href=\"CANARY/img/feimage.png\"/></filter></svg>",
  "<svg id=\"x\" onmouseover=\"" PWN "\" style=\"x\">",
  /* MathML */
  "<math href=\"javascript:" PWN "\">CLICKME</math>",
  "<math><mi xlink:href=\"javascript:" PWN "\">x</mi></math>",
  "<math><annotation-xml encoding=\"text/html\"><img src=img/m.png onerror=" PWN ">"
    "</annotation-xml></math>",
  "<math><mtext><table><mglyph><style><img src=img/g.png onerror=" PWN ">",
  /* srcset, picture, style and url() */
  "<img srcset=\"CANARY/img/s1.png 1x, CANARY/img/s2.png 2x\">",
  "<img srcset=\"javascript:" PWN " 1x, img/ok.png 2x\">",
  "<img src=img/ok.png srcset=\",,,javascript:" PWN "\">",
  "<picture><source srcset=\"CANARY/img/p.png\"><img src=\"img/fallback.png\"></picture>",
  "<p style=\"background:url(CANARY/img/bg.png)\">s</p>",
  "<p style=\"background:url(javascript:" PWN ")\">s</p>",
  "<div style=\"width: expression(" PWN ")\">e</div>",
  "<div style=\"background-image:image-set('CANARY/img/set.png' 1x)\">x</div>",
  "<style>@import url(CANARY/no/import.css);</style>ok",
  "<style>@import 'CANARY/no/import2.css';</style>ok",
  "<style>body{background:url(CANARY/img/body.png)}</style>ok",
  "<style>@font-face{font-family:x;src:url(CANARY/no/font.woff)}p{font-family:x}</style><p>f</p>",
  "<style>*{cursor:url(CANARY/img/cursor.cur),auto}</style>c",
  "<style>li{list-style-image:url(CANARY/img/li.png)}</style><ul><li>x</li></ul>",
  "<style>body{display:none}</style>hidden",
  "<link rel=stylesheet href=\"CANARY/no/link.css\">ok",
  "<link rel=prefetch href=\"CANARY/no/prefetch\">",
  "<link rel=preload as=image href=\"CANARY/img/preload.png\">",
  "<link rel=preload as=script href=\"CANARY/no/preload.js\">",
  "<link rel=icon href=\"CANARY/no/icon.ico\">",
  "<link rel=manifest href=\"CANARY/no/manifest.json\">",
  "<link rel=import href=\"CANARY/no/import.html\">",
  /* <base> and <meta> */
  "<base href=\"CANARY/no/base/\"><a href=\"rel\">l</a><img src=\"img/rel.png\">",
  "<base href=\"javascript:" PWN "//\"><a href=\"x\">l</a>",
  "<meta http-equiv=\"refresh\" content=\"0;url=CANARY/no/refresh\">after",
  "<meta http-equiv=\"refresh\" content=\"0;url=javascript:" PWN "\">after",
  "<meta http-equiv=\"refresh\" content=\"0;url=data:text/html,<script>alert(1)</script>\">",
  "<meta http-equiv=\"refresh\" content=\"1; URL='CANARY/no/refresh1'\">late",
  "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'unsafe-inline'\">"
    "<script>" PWN "</script>",
  "<meta http-equiv=\"set-cookie\" content=\"a=b\"><meta name=referrer content=unsafe-url>",
  /* Link schemes, encoded and mixed-case */
  "<a href=\"&#106;avascript:" PWN "\">e</a>",
  "<a href=\"&#x6A;&#x61;&#x76;&#x61;script&#x3A;" PWN "\">e</a>",
  "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105"
    "&#0000112&#0000116&#0000058alert(1)\">x</a>",
  "<a href=\"jav&#x09;ascript:" PWN "\">t</a>",
  "<a href=\"jav&#x0A;ascript:" PWN "\">t</a>",
  "<a href=\"jav\tascript:" PWN "\">t</a>",
  "<a href=\"  \x01javascript:" PWN "\">t</a>",
  "<a href=\"JaVaScRiPt:" PWN "\">m</a>",
  "<a href='javascript:" PWN "'>q</a>",
  "<a href=javascript:" PWN ">u</a>",
  "<a href=\"javascript&colon;" PWN "\">c</a>",
  "<a href=\"vbscript:msgbox(1)\">v</a>",
  "<a href=\"feed:javascript:" PWN "\">f</a>",
  "<a href=\"feed://CANARY/no/feedloop\">loop</a>",
  "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">d</a>",
  "<a href=\"file:///etc/passwd\">p</a>",
  "<a href=\"FILE:///etc/shadow\">P</a>",
  "<a href=\"about:config\">a</a>",
  "<a href=\"tidings:load-images\">fake load images</a>",
  "<a href=\"tidings:load-images?0123456789abcdef\">guessed load images</a>",
  "<a href=\"https://example.org/$(touch /tmp/tidings-pwned)`id`;rm -rf ~\">shell</a>",
  "<a href=\"CANARY/no/ping\" ping=\"CANARY/no/pinged\">ping</a>",
  "<a href=\"CANARY/no/dl\" download>dl</a>",
  "<a href=\"CANARY/no/blank\" target=_blank>blank</a>",
  "<map name=m><area shape=rect coords=0,0,50,50 href=\"javascript:" PWN "\"></map>"
    "<img usemap=#m src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" width=50 height=50>",
  /* Frames, objects, forms */
  "<iframe src=\"CANARY/no/iframe\">inner</iframe>after",
  "<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>ok",
  "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
  "<iframe src=\"javascript:" PWN "\"></iframe>",
  "<frameset onload=" PWN "><frame src=\"CANARY/no/frame\"></frameset>",
  "<object data=\"CANARY/no/object\"></object>ok",
  "<object data=\"data:text/html,<script>alert(1)</script>\"></object>",
  "<object data=\"javascript:" PWN "\"></object>",
  "<object type=\"application/x-shockwave-flash\" data=\"CANARY/no/f.swf\"><param name=x value=y>"
    "</object>",
  "<embed src=\"CANARY/no/embed\">",
  "<embed src=\"javascript:" PWN "\">after",
  "<embed src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>\">",
  "<applet code=\"Evil.class\" codebase=\"CANARY/no/applet\">fallback</applet>ok",
  "<form action=\"CANARY/no/form\" method=post><input name=a value=b>"
    "<input type=submit value=go></form>",
  "<form action=\"javascript:" PWN "\"><input type=submit value=go>"
    "<button formaction=\"CANARY/no/formaction\">b</button></form>ok",
  "<isindex action=\"javascript:" PWN "\" type=image>",
  "<input type=image src=\"CANARY/img/input.png\">",
  /* Media and the rest */
  "<video src=\"CANARY/img/v.mp4\" poster=\"CANARY/img/poster.png\" controls></video>",
  "<video poster=\"javascript:" PWN "\" src=\"javascript:" PWN "\" autoplay onplay=" PWN ">"
    "<source src=\"javascript:" PWN "\"></video>",
  "<video controls><track src=\"CANARY/no/track.vtt\" default></video>",
  "<audio src=\"CANARY/img/a.mp3\" autoplay></audio>",
  "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
  "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>\">",
  "<img src=\"javascript:" PWN "\">",
  "<IMG SRC=javascript:" PWN ">",
  "<img dynsrc=\"CANARY/no/dyn\" lowsrc=\"CANARY/no/low\">",
  "<img src=\"CANARY/img/lazy.png\" loading=lazy referrerpolicy=unsafe-url>",
  "<table background=\"CANARY/img/tbg.png\"><tr><td background=\"javascript:x\">c</td></tr></table>",
  "<body background=\"CANARY/img/bodybg.png\">b</body>",
  "<bgsound src=\"CANARY/no/bg.mid\">",
  "<dialog open>modal</dialog>ok",
  "<xml><i>data island</i></xml>ok",
  "<a name=\"location\" id=\"cookie\" target=\"_top\">dom clobbering</a>",
  "<head><title>t</title><meta name=x><script>" PWN "</script><style>c</style><link rel=x></head>b",
  "<!DOCTYPE html><html><head><title>t</title></head><body>b</body></html>",
  "<?xml-stylesheet href=\"CANARY/no/xsl\"?>z",
  "</div></article><script>" PWN "</script><footer>escape</footer>",
};

/* The whole run's results, for the closing message. */
static guint n_vectors_rendered;
static guint n_images_loaded;   /* IMG requests seen while they were allowed */

typedef struct
{
  const char *what;
  gboolean    images;    /* remote images on */
  gboolean    allow_img; /* IMG paths may be requested */
} HostileRun;

/* Renders @html as an article's content and checks that nothing ran, nothing
 * navigated and that the canary heard only what it may. */
static gboolean
check_hostile_once (Fixture          *fixture,
                    const char       *label,
                    const char       *html,
                    const HostileRun *run)
{
  guint crashes = fixture->n_crashes;
  static gint64 next_id = 1000;
  g_autoptr(TidingsArticle) article = NULL;
  g_autofree char *base = g_strconcat (fixture->canary->base, "/", NULL);
  g_autofree char *title = NULL;
  guint dialogs = n_dialogs;
  guint started;
  guint opened = fixture->opened->len;
  gboolean refresh;
  gboolean clicked;

  tidings_article_view_set_load_images (fixture->view, run->images);
  article = article_new (next_id++, "Hostile", base, html);
  canary_reset (fixture->canary);
  started = fixture->n_started;

  show_and_wait (fixture, article, "Hostile feed");
  if (fixture->n_crashes != crashes)
    return FALSE;
  g_assert_cmpuint (fixture->n_started, ==, started + 1);

  /* What a reader might do: point at, focus and click everything in the
   * content (links included; their targets are vetted, not followed). */
  clicked = tidings_test_js_bool (fixture,
    "(function () {\n"
    "  const root = document.querySelector ('.tidings-content');\n"
    "  if (root === null) return true;\n"
    "  for (const e of root.querySelectorAll ('*')) {\n"
    "    e.dispatchEvent (new MouseEvent ('mouseover', { bubbles: true }));\n"
    "    if (typeof e.focus === 'function') e.focus ();\n"
    "    if (typeof e.click === 'function') e.click ();\n"
    "    else e.dispatchEvent (new MouseEvent ('click', { bubbles: true, cancelable: true }));\n"
    "  }\n"
    "  return true;\n"
    "}) ()", "tidings-test");
  if (fixture->n_crashes != crashes)
    return FALSE;
  g_assert_true (clicked);

  /* Time for refreshes, timers and clicked links to come through; the
   * refresh with a delay of a second gets longer. */
  refresh = strstr (html, "refresh") != NULL;
  tidings_test_wait_ms (refresh && strstr (html, "content=\"1") != NULL ? 1500
                        : refresh ? 400 : 120);

  title = js_string (fixture, "document.title");
  if (fixture->n_crashes != crashes)
    return FALSE;

  if (g_strcmp0 (title, "Hostile") != 0 || g_strcmp0 (webkit_web_view_get_title (fixture->web_view),
                                                      "Hostile") != 0)
    g_error ("%s (%s): the title became %s: a script ran:\n%s", label, run->what, title, html);
  if (n_dialogs != dialogs)
    g_error ("%s (%s): a script asked for a dialog:\n%s", label, run->what, html);
  if (tidings_test_js_bool (fixture, "typeof window.tidingsPwned !== 'undefined'", NULL))
    g_error ("%s (%s): a script set its flag:\n%s", label, run->what, html);
  if (fixture->n_started != started + 1 || webkit_web_view_is_loading (fixture->web_view))
    g_error ("%s (%s): the page navigated:\n%s", label, run->what, html);
  if (g_strcmp0 (webkit_web_view_get_uri (fixture->web_view), base) != 0)
    g_error ("%s (%s): the page is now %s:\n%s", label, run->what,
             webkit_web_view_get_uri (fixture->web_view), html);

  for (guint i = 0; i < fixture->canary->paths->len; i++)
    {
      const char *request = fixture->canary->paths->pdata[i];

      if (run->allow_img && g_str_has_prefix (request, "GET /img/"))
        n_images_loaded++;
      else
        {
          g_autofree char *seen = canary_describe (fixture->canary);

          g_error ("%s (%s): the canary heard %s:\n%s", label, run->what, seen, html);
        }
    }
  if (!run->allow_img && fixture->canary->started != 0)
    g_error ("%s (%s): %u requests began at the canary:\n%s", label, run->what,
             fixture->canary->started, html);

  for (guint i = opened; i < fixture->opened->len; i++)
    {
      const char *uri = fixture->opened->pdata[i];

      if (!g_str_has_prefix (uri, "http://") && !g_str_has_prefix (uri, "https://")
          && !g_str_has_prefix (uri, "mailto:"))
        g_error ("%s (%s): opened %s:\n%s", label, run->what, uri, html);
    }

  n_vectors_rendered++;
  return TRUE;
}

/* A web process that ends on its own (in this environment, WebKit's media
 * code without all of GStreamer's plugins) is not a verdict on the content:
 * that content is tried once more in a fresh process. Twice is a failure. */
static void
check_hostile (Fixture          *fixture,
               const char       *label,
               const char       *html,
               const HostileRun *run)
{
  if (check_hostile_once (fixture, label, html, run))
    return;

  g_test_message ("%s (%s): the web process ended; trying again", label, run->what);
  /* Let the view's own recovery load settle first. */
  tidings_test_wait_ms (500);
  if (!check_hostile_once (fixture, label, html, run))
    g_error ("%s (%s): the web process ended twice:\n%s", label, run->what, html);
}

static char *
expand_vector (const char *vector,
               guint       number,
               Canary     *canary)
{
  g_autoptr(GString) html = g_string_new (vector);
  g_autofree char *n = g_strdup_printf ("%u", number + 1);

  g_string_replace (html, "CANARY", canary->base, 0);
  /* The payload's number: only in PWN ("=N;", "(N)" and "=N" at its end). */
  g_string_replace (html, "=N;", "=__N__;", 0);
  g_string_replace (html, "(N)", "(__N__)", 0);
  g_string_replace (html, "__N__", n, 0);
  return g_strdup (html->str);
}

static void
test_hostile_vectors (Fixture       *fixture,
                      gconstpointer  data)
{
  const HostileRun *run = data;
  g_autofree char *base = NULL;

  fixture->canary->started = 0;
  base = g_strconcat (fixture->canary->base, "/", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *raw = expand_vector (vectors[i], i, fixture->canary);
      g_autofree char *label = g_strdup_printf ("vector %u", i + 1);
      g_autofree char *sanitised = NULL;

      /* Straight in, as if the sanitiser had missed everything... */
      check_hostile (fixture, label, raw, run);

      /* ...and as the sanitiser really leaves it. */
      if (!run->images)
        {
          g_autofree char *sanitised_label = g_strdup_printf ("vector %u sanitised", i + 1);

          sanitised = tidings_sanitize_html (raw, -1, base);
          check_hostile (fixture, sanitised_label, sanitised, run);
        }
    }

  g_test_message ("%s: %u vectors, %u pages rendered, %u image requests", run->what,
                  (guint) G_N_ELEMENTS (vectors), n_vectors_rendered, n_images_loaded);
  g_assert_cmpuint (G_N_ELEMENTS (vectors), >=, 100);
  /* With images on, the image vectors did reach the canary: the harness
   * hears what it should. */
  if (run->allow_img)
    g_assert_cmpuint (n_images_loaded, >=, 20);
}

/* The HTML a feedparser corpus file carries: the longest escaped or inline
 * markup in it. */
static void
collect_markup (xmlNode  *node,
                char    **best)
{
  for (xmlNode *child = node; child != NULL; child = child->next)
    {
      g_autofree char *found = NULL;

      if (child->type != XML_ELEMENT_NODE)
        continue;

      if (child->children != NULL && child->children->type == XML_ELEMENT_NODE)
        {
          xmlBuffer *buffer = xmlBufferCreate ();

          for (xmlNode *inner = child->children; inner != NULL; inner = inner->next)
            xmlNodeDump (buffer, child->doc, inner, 0, 0);
          found = g_strdup ((const char *) xmlBufferContent (buffer));
          xmlBufferFree (buffer);
        }
      else
        {
          xmlChar *content = xmlNodeGetContent (child);

          if (content != NULL && strchr ((const char *) content, '<') != NULL)
            found = g_strdup ((const char *) content);
          xmlFree (content);
        }

      if (found != NULL && (*best == NULL || strlen (found) > strlen (*best)))
        {
          g_free (*best);
          *best = g_steal_pointer (&found);
        }

      collect_markup (child->children, best);
    }
}

static void
test_hostile_corpus (Fixture       *fixture,
                     gconstpointer  data)
{
  static const HostileRun run = { "feedparser corpus, images off", FALSE, FALSE };
  g_autofree char *dir_path = NULL;
  g_autoptr(GPtrArray) names = tidings_test_sanitize_corpus (NULL, &dir_path);
  g_autoptr(GRegex) hosts = NULL;
  g_autoptr(GRegex) dangerous = NULL;
  g_autofree char *base = g_strconcat (fixture->canary->base, "/", NULL);
  g_autoptr(GString) raw_batch = g_string_new (NULL);
  g_autoptr(GString) clean_batch = g_string_new (NULL);
  guint n_vectors = 0;
  guint in_batch = 0;

  if (names == NULL)
    {
      g_test_skip ("The feedparser corpus is not beside the checkout");
      return;
    }

  /* Every address the corpus names points at the canary instead. */
  hosts = g_regex_new ("(?i)(https?:)?//[a-z0-9-]+(\\.[a-z0-9-]+)+(:[0-9]+)?", 0, 0, NULL);
  dangerous = g_regex_new ("(?i)script|on[a-z]+\\s*=|<(iframe|object|embed|meta|link|base|form|"
                           "svg|math|style|frame|applet|img|a)\\b|style\\s*=|url\\(|expression|"
                           "data:", 0, 0, NULL);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      g_autofree char *contents = NULL;
      g_autofree char *markup = NULL;
      g_autofree char *rewritten = NULL;
      g_autofree char *clean = NULL;
      gsize len;
      xmlDoc *doc;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      doc = xmlReadMemory (contents, len, NULL, NULL,
                           XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR
                           | XML_PARSE_NOWARNING);
      if (doc == NULL)
        continue;
      collect_markup (xmlDocGetRootElement (doc), &markup);
      xmlFreeDoc (doc);

      if (markup == NULL || !g_regex_match (dangerous, markup, 0, NULL))
        continue;

      rewritten = g_regex_replace_literal (hosts, markup, -1, 0, fixture->canary->base, 0, NULL);
      clean = tidings_sanitize_html (rewritten, -1, base);
      n_vectors++;

      /* Ten files to a page, each closed off in its own block. */
      g_string_append_printf (raw_batch, "<div data-file=\"%s\">%s</div>\n",
                              (char *) names->pdata[i], rewritten);
      g_string_append_printf (clean_batch, "<div>%s</div>\n", clean);
      if (++in_batch == 10 || i + 1 == names->len)
        {
          g_autofree char *label = g_strdup_printf ("corpus files up to %s",
                                                    (char *) names->pdata[i]);

          check_hostile (fixture, label, raw_batch->str, &run);
          check_hostile (fixture, label, clean_batch->str, &run);
          g_string_truncate (raw_batch, 0);
          g_string_truncate (clean_batch, 0);
          in_batch = 0;
        }
    }

  if (in_batch > 0)
    {
      check_hostile (fixture, "last corpus files", raw_batch->str, &run);
      check_hostile (fixture, "last corpus files", clean_batch->str, &run);
    }

  g_test_message ("feedparser corpus: %u hostile files of %u rendered raw and sanitised",
                  n_vectors, names->len);
  g_assert_cmpuint (n_vectors, >, 100);
}

/* Each detector the hostile tests rely on does fire when something runs:
 * here Tidings runs the payload in the page's own world itself. */
static void
test_hostile_controls (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *base = g_strconcat (fixture->canary->base, "/", NULL);
  g_autofree char *html = g_strdup_printf ("<p><img src=\"%s/img/control.png\"></p>",
                                           fixture->canary->base);
  g_autoptr(TidingsArticle) article = article_new (99, "Hostile", base, html);
  g_autoptr(JSCValue) value = NULL;
  guint dialogs = n_dialogs;

  show_and_wait (fixture, article, "Feed");
  g_assert_true (canary_saw (fixture->canary, "/img/control.png"));
  g_assert_false (tidings_test_js_bool (fixture,
                                        "typeof window.tidingsPwned !== 'undefined'", NULL));

  value = tidings_test_run_js (fixture, "window.tidingsPwned = 1; document.title = 'changed'; "
                                        "alert (1); true", NULL);
  g_assert_true (tidings_test_js_bool (fixture,
                                       "typeof window.tidingsPwned !== 'undefined'", NULL));
  /* The isolated world shares the DOM but not the page's globals. */
  g_assert_false (tidings_test_js_bool (fixture, "typeof window.tidingsPwned !== 'undefined'",
                                        "tidings-test"));
  g_assert_cmpuint (n_dialogs, ==, dialogs + 1);
  while (g_strcmp0 (webkit_web_view_get_title (fixture->web_view), "changed") != 0)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- Links ---- */

static void
click (Fixture    *fixture,
       const char *selector)
{
  g_autofree char *script = g_strdup_printf ("document.querySelector ('%s').click (); true",
                                             selector);

  g_assert_true (tidings_test_js_bool (fixture, script, "tidings-test"));
}

static void
test_links (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (
    9, "Links", "https://example.org/post",
    "<p><a id=https href=\"https://example.org/x\">web</a> "
    "<a id=js href=\"javascript:window.tidingsPwned=1\">js</a> "
    "<a id=file href=\"file:///etc/passwd\">file</a> "
    "<a id=mail href=\"mailto:a@b.example\">mail</a> "
    "<a id=data href=\"data:text/html,hi\">data</a> "
    "<a id=feed href=\"feed:https://example.org/feed\">feed</a> "
    "<a id=blank target=_blank href=\"HTTPS://example.org/new\">new</a> "
    "<a id=frag href=\"#end\">down</a></p>"
    "<p id=end>end</p>");
  guint started;

  show_and_wait (fixture, article, "Feed");
  started = fixture->n_started;

  click (fixture, "#https");
  click (fixture, "#js");
  click (fixture, "#file");
  click (fixture, "#mail");
  click (fixture, "#data");
  click (fixture, "#feed");
  click (fixture, "#blank");
  click (fixture, "#frag");
  tidings_test_wait_ms (300);

  g_assert_cmpuint (fixture->opened->len, ==, 3);
  g_assert_cmpstr (fixture->opened->pdata[0], ==, "https://example.org/x");
  g_assert_cmpstr (fixture->opened->pdata[1], ==, "mailto:a@b.example");
  g_assert_cmpstr (fixture->opened->pdata[2], ==, "https://example.org/new");

  /* Nothing navigated and nothing ran. */
  g_assert_cmpuint (fixture->n_started, ==, started);
  g_assert_false (tidings_test_js_bool (fixture,
                                        "typeof window.tidingsPwned !== 'undefined'", NULL));
  g_assert_true (g_str_has_prefix (webkit_web_view_get_uri (fixture->web_view),
                                   "https://example.org/post"));
  g_assert_cmpstr (webkit_web_view_get_title (fixture->web_view), ==, "Links");

  /* The article's own link. */
  tidings_article_view_open_in_browser (fixture->view);
  g_assert_cmpuint (fixture->opened->len, ==, 4);
  g_assert_cmpstr (fixture->opened->pdata[3], ==, "https://example.org/post");

  /* The template's "Open in Browser" is a link like any other. */
  click (fixture, "a.tidings-open");
  tidings_test_wait_ms (200);
  g_assert_cmpuint (fixture->opened->len, ==, 5);
  g_assert_cmpstr (fixture->opened->pdata[4], ==, "https://example.org/post");
}

static void
test_open_in_browser_vetted (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char * const refused[] = {
    "javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "feed:https://x.example/",
    "ftp://x.example/", "https://x.example/a b", "http:///nohost", "mailto:a@b.example",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(TidingsArticle) article = article_new (100 + i, "Vetted", refused[i], "<p>x</p>");

      show_and_wait (fixture, article, "Feed");
      tidings_article_view_open_in_browser (fixture->view);
      g_assert_cmpuint (fixture->opened->len, ==, 0);
      /* No address, no link in the page either. */
      g_assert_false (tidings_test_js_bool (fixture,
                                            "document.querySelector ('a.tidings-open') !== null",
                                            "tidings-test"));
    }
}

/* ---- Remote images ---- */

static void
test_images (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *base = g_strconcat (fixture->canary->base, "/", NULL);
  g_autofree char *html = g_strdup_printf ("<p>Picture:</p><p><img id=pic src=\"%s/img/one.png\" "
                                           "alt=\"one\"></p><p>data: <img id=inline "
                                           "src=\"data:image/gif;base64,R0lGODlhAQABAIAAAP8A"
                                           "AAAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==\"></p>",
                                           fixture->canary->base);
  g_autoptr(TidingsArticle) article = article_new (77, "Images", base, html);
  g_autoptr(TidingsArticle) other = article_new (78, "Other", base, html);
  guint started;

  /* Off: nothing requested, the button is offered, data: images still show. */
  tidings_article_view_set_load_images (fixture->view, FALSE);
  canary_reset (fixture->canary);
  show_and_wait (fixture, article, "Pictures");
  tidings_test_wait_ms (200);
  g_assert_cmpuint (fixture->canary->started, ==, 0);
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.querySelector ('.tidings-banner a') !== null",
                                       "tidings-test"));
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.getElementById ('pic').naturalWidth === 0",
                                       "tidings-test"));
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.getElementById ('inline').naturalWidth === 1",
                                       "tidings-test"));

  /* Following the button loads them, for this article only. */
  started = fixture->n_started;
  click (fixture, ".tidings-banner a");
  while (fixture->n_started == started || webkit_web_view_is_loading (fixture->web_view))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (canary_saw (fixture->canary, "/img/one.png"));
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.getElementById ('pic').naturalWidth === 64",
                                       "tidings-test"));
  g_assert_false (tidings_test_js_bool (fixture,
                                        "document.querySelector ('.tidings-banner') !== null",
                                        "tidings-test"));
  g_assert_false (tidings_article_view_get_load_images (fixture->view));
  g_assert_cmpuint (fixture->opened->len, ==, 0);

  canary_reset (fixture->canary);
  show_and_wait (fixture, other, "Pictures");
  tidings_test_wait_ms (200);
  g_assert_cmpuint (fixture->canary->started, ==, 0);
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.querySelector ('.tidings-banner a') !== null",
                                       "tidings-test"));

  /* On: they load without asking and there is no button. */
  canary_reset (fixture->canary);
  tidings_article_view_set_load_images (fixture->view, TRUE);
  while (webkit_web_view_is_loading (fixture->web_view) || !canary_saw (fixture->canary, "/img/one.png"))
    g_main_context_iteration (NULL, TRUE);
  show_and_wait (fixture, other, "Pictures");
  g_assert_true (tidings_test_js_bool (fixture,
                                       "document.getElementById ('pic').naturalWidth === 64",
                                       "tidings-test"));
  g_assert_false (tidings_test_js_bool (fixture,
                                        "document.querySelector ('.tidings-banner') !== null",
                                        "tidings-test"));
}

/* ---- Scrolling ---- */

typedef struct
{
  gboolean done;
  gboolean at_end;
  GError  *error;
} ScrollResult;

static void
scrolled (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ScrollResult *scroll = user_data;

  scroll->at_end = tidings_article_view_scroll_finish (TIDINGS_ARTICLE_VIEW (source), result,
                                                       &scroll->error);
  scroll->done = TRUE;
}

static gboolean
scroll (Fixture *fixture,
        double   pages)
{
  ScrollResult result = { 0 };

  tidings_article_view_scroll_async (fixture->view, pages, NULL, scrolled, &result);
  tidings_test_wait_for_flag (&result.done, "a scroll");
  g_assert_no_error (result.error);
  return result.at_end;
}

static void
test_scroll (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TidingsArticle) short_article = article_new (1, "Short", NULL, "<p>Short.</p>");
  g_autoptr(TidingsArticle) long_article = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  guint steps = 0;

  /* Nothing shown: as good as the end. */
  g_assert_true (scroll (fixture, 1));

  show_and_wait (fixture, short_article, "Feed");
  g_assert_true (scroll (fixture, 1));
  g_assert_true (scroll (fixture, -1));

  for (guint i = 0; i < 120; i++)
    g_string_append_printf (body, "<p>Paragraph %u of a long article, with enough words in it "
                                  "to wrap over a line or two in the view.</p>", i);
  long_article = article_new (2, "Long", NULL, body->str);
  show_and_wait (fixture, long_article, "Feed");

  g_assert_true (scroll (fixture, -1));
  while (!scroll (fixture, 1))
    {
      steps++;
      g_assert_cmpuint (steps, <, 200);
    }
  g_test_message ("%u pages to the end", steps);
  g_assert_cmpuint (steps, >, 2);
  g_assert_true (tidings_test_js_bool (fixture, "window.scrollY > 0", "tidings-test"));

  /* Half a page back, then back to the start. */
  g_assert_false (scroll (fixture, -0.5));
  while (!scroll (fixture, -1))
    g_assert_cmpuint (steps--, >, 0);
  g_assert_true (tidings_test_js_bool (fixture, "window.scrollY === 0", "tidings-test"));

  /* Isolated-world scripts run with page scripts off. */
  g_assert_false (webkit_settings_get_enable_javascript_markup (
    webkit_web_view_get_settings (fixture->web_view)));
}

/* ---- Zoom, highlight ---- */

static void
on_found_text (WebKitFindController *finder,
               guint                 count,
               guint                *found)
{
  *found = count;
}

static void
on_not_found (WebKitFindController *finder,
              gboolean             *failed)
{
  *failed = TRUE;
}

static void
test_zoom_and_highlight (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (3, "Zoom", NULL,
                                                   "<p>A needle in a haystack; another Needle.</p>");
  WebKitFindController *finder;
  guint found = 0;
  gboolean failed = FALSE;

  tidings_article_view_set_zoom (fixture->view, 1.5);
  show_and_wait (fixture, article, "Feed");
  g_assert_cmpfloat (webkit_web_view_get_zoom_level (fixture->web_view), ==, 1.5);
  tidings_article_view_set_zoom (fixture->view, 10);
  g_assert_cmpfloat (tidings_article_view_get_zoom (fixture->view), ==, 3.0);
  g_assert_cmpfloat (webkit_web_view_get_zoom_level (fixture->web_view), ==, 3.0);
  tidings_article_view_set_zoom (fixture->view, 0.1);
  g_assert_cmpfloat (webkit_web_view_get_zoom_level (fixture->web_view), ==, 0.5);
  tidings_article_view_set_zoom (fixture->view, 1.0);

  finder = webkit_web_view_get_find_controller (fixture->web_view);
  g_signal_connect (finder, "found-text", G_CALLBACK (on_found_text), &found);
  g_signal_connect (finder, "failed-to-find-text", G_CALLBACK (on_not_found), &failed);

  tidings_article_view_set_highlight (fixture->view, "needle");
  while (found == 0 && !failed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (failed);
  g_assert_cmpuint (found, ==, 2);

  /* A phrase that is not in the page falls back to its longest word. */
  found = 0;
  tidings_article_view_set_highlight (fixture->view, "a haystack nowhere");
  while (found == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (webkit_find_controller_get_search_text (finder), ==, "haystack");

  tidings_article_view_set_highlight (fixture->view, NULL);
}

/* The selected text of the page, as the reader sees it. */
static char *
page_selection (Fixture *fixture)
{
  return js_string (fixture, "window.getSelection ().toString ()");
}

/* Polls for up to @ms until the page's selection is empty; what remains. */
static char *
wait_for_no_selection (Fixture *fixture,
                       guint    ms)
{
  char *selection = page_selection (fixture);

  for (guint waited = 0; *selection != '\0' && waited < ms; waited += 50)
    {
      tidings_test_wait_ms (50);
      g_free (selection);
      selection = page_selection (fixture);
    }
  return selection;
}

/* Closing the search leaves no match selected in the page. */
static void
test_highlight_cleared (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (4, "Cleared", NULL,
                                                   "<p>A needle in a haystack; another Needle.</p>");
  g_autoptr(TidingsArticle) other = article_new (5, "Other", NULL,
                                                 "<p>More needles, and a haystack.</p>");
  WebKitFindController *finder;
  g_autofree char *selection = NULL;
  guint found = 0;
  gboolean failed = FALSE;

  show_and_wait (fixture, article, "Feed");
  finder = webkit_web_view_get_find_controller (fixture->web_view);
  g_signal_connect (finder, "found-text", G_CALLBACK (on_found_text), &found);
  g_signal_connect (finder, "failed-to-find-text", G_CALLBACK (on_not_found), &failed);

  tidings_article_view_set_highlight (fixture->view, "haystack");
  while (found == 0 && !failed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (failed);
  /* The find controller selects the match it found (the blue the reader
   * saw stay behind). */
  selection = page_selection (fixture);
  g_assert_cmpstr (selection, ==, "haystack");
  g_clear_pointer (&selection, g_free);

  tidings_article_view_set_highlight (fixture->view, NULL);
  selection = wait_for_no_selection (fixture, 3000);
  g_assert_cmpstr (selection, ==, "");
  g_clear_pointer (&selection, g_free);

  /* A selection the reader makes themselves is not theirs to lose to a
   * search that was never there: clearing without a search is a no-op. */
  g_assert_true (tidings_test_js_bool (fixture,
                                       "const range = document.createRange ();\n"
                                       "range.selectNodeContents ("
                                       "document.querySelector ('.tidings-content p'));\n"
                                       "window.getSelection ().addRange (range);\n"
                                       "window.getSelection ().toString ().length > 0",
                                       "tidings-test"));
  tidings_article_view_set_highlight (fixture->view, NULL);
  tidings_test_wait_ms (300);
  selection = page_selection (fixture);
  g_assert_cmpstr (selection, !=, "");
  g_clear_pointer (&selection, g_free);

  /* A search kept across articles, then closed on the next one. */
  found = 0;
  tidings_article_view_set_highlight (fixture->view, "needle");
  while (found == 0 && !failed)
    g_main_context_iteration (NULL, TRUE);
  show_and_wait (fixture, other, "Feed");
  found = 0;
  while (found == 0 && !failed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (failed);
  tidings_article_view_set_highlight (fixture->view, NULL);
  selection = wait_for_no_selection (fixture, 3000);
  g_assert_cmpstr (selection, ==, "");
}

/* ---- Real pointer events (xdotool under Xvfb) ---- */

/* Runs xdotool on the window; FALSE when it cannot (no X11, no xdotool). */
static gboolean
xdotool (Fixture    *fixture,
         const char *first,
         ...)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (fixture->window));
  g_autofree char *program = g_find_program_in_path ("xdotool");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  if (!GDK_IS_X11_SURFACE (surface) || program == NULL)
    return FALSE;

  g_ptr_array_add (argv, g_strdup (program));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    {
      if (strcmp (arg, "WINDOW") == 0)
        g_ptr_array_add (argv, g_strdup_printf ("%lu", (unsigned long)
                                                gdk_x11_surface_get_xid (surface)));
      else
        g_ptr_array_add (argv, g_strdup (arg));
    }
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return TRUE;
#else
  return FALSE;
#endif
}

/* Moves the real pointer over the middle of the element @selector. */
static gboolean
point_at (Fixture    *fixture,
          const char *selector)
{
  g_autofree char *script = g_strdup_printf (
    "(function () {\n"
    "  const r = document.querySelector ('%s').getBoundingClientRect ();\n"
    "  return Math.round (r.left + r.width / 2) + ' ' + Math.round (r.top + r.height / 2);\n"
    "}) ()", selector);
  g_autofree char *where = js_string (fixture, script);
  g_auto(GStrv) xy = g_strsplit (where, " ", 2);
  graphene_point_t point;

  /* From the page's CSS pixels to the window's, through the zoom. */
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (fixture->web_view),
                                           GTK_WIDGET (fixture->window),
                                           &GRAPHENE_POINT_INIT (g_ascii_strtod (xy[0], NULL),
                                                                 g_ascii_strtod (xy[1], NULL)),
                                           &point));
  {
    g_autofree char *x = g_strdup_printf ("%d", (int) point.x);
    g_autofree char *y = g_strdup_printf ("%d", (int) point.y);

    if (!xdotool (fixture, "mousemove", "--window", "WINDOW", x, y, NULL))
      return FALSE;
  }
  tidings_test_wait_ms (150);
  return TRUE;
}

static void
on_context_menu (WebKitWebView       *web_view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit_test_result,
                 GArray              *actions)
{
  for (GList *l = webkit_context_menu_get_items (menu); l != NULL; l = l->next)
    {
      WebKitContextMenuAction action = webkit_context_menu_item_get_stock_action (l->data);

      g_array_append_val (actions, action);
    }
  /* A marker that the menu was seen (it may be empty). */
  {
    WebKitContextMenuAction seen = WEBKIT_CONTEXT_MENU_ACTION_CUSTOM;

    g_array_append_val (actions, seen);
  }
}

static void
test_context_menu (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (
    13, "Menus", "https://example.org/menus",
    "<p>Text <a id=link href=\"https://example.org/elsewhere\">a link somewhere</a> and "
    "<img id=img width=80 height=40 src=\"data:image/gif;base64,R0lGODlhAQABAIAAAP8A"
    "AAAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==\"></p>");
  g_autoptr(GArray) actions = g_array_new (FALSE, FALSE, sizeof (WebKitContextMenuAction));
  /* (Elsewhere in the page nothing would be left: no menu, no signal.) */
  static const char * const targets[] = { "#link", "#img" };

  show_and_wait (fixture, article, "Feed");
  g_signal_connect_after (fixture->web_view, "context-menu", G_CALLBACK (on_context_menu),
                          actions);

  for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
    {
      guint seen = actions->len;

      if (!point_at (fixture, targets[t]))
        {
          g_test_skip ("No xdotool or not on X11");
          return;
        }
      xdotool (fixture, "click", "3", NULL);
      while (actions->len == seen)
        g_main_context_iteration (NULL, TRUE);
      tidings_test_wait_ms (100);
      xdotool (fixture, "key", "Escape", NULL);
      tidings_test_wait_ms (100);
    }

  for (guint i = 0; i < actions->len; i++)
    {
      WebKitContextMenuAction action = g_array_index (actions, WebKitContextMenuAction, i);

      g_test_message ("context menu action %d", action);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_OPEN_LINK);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_OPEN_LINK_IN_NEW_WINDOW);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_LINK_TO_DISK);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_OPEN_IMAGE_IN_NEW_WINDOW);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_IMAGE_TO_DISK);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_RELOAD);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_GO_BACK);
      g_assert_cmpint (action, !=, WEBKIT_CONTEXT_MENU_ACTION_GO_FORWARD);
    }
  /* Copying a link stays. */
  for (guint i = 0; i < actions->len; i++)
    if (g_array_index (actions, WebKitContextMenuAction, i)
        == WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD)
      return;
  g_assert_not_reached ();
}

/* ---- Light and dark, with screenshots ---- */

/* TRUE when every pixel of @texture is the same. */
static gboolean
is_blank (GdkTexture *texture)
{
  gsize stride = gdk_texture_get_width (texture) * 4;
  gsize size = stride * gdk_texture_get_height (texture);
  g_autofree guint32 *pixels = g_malloc (size);

  gdk_texture_download (texture, (guchar *) pixels, stride);
  for (gsize i = 1; i < size / 4; i++)
    if (pixels[i] != pixels[0])
      return FALSE;
  return TRUE;
}

/* Saves what the view draws, rendered by the window's own renderer: what a
 * reader sees, WebKit's page included, whatever other test windows may be
 * on the display at the time. */
static GdkTexture *
render_view (Fixture *fixture)
{
  GtkWidget *widget = GTK_WIDGET (fixture->view);
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width, height;

  /* Let WebKit paint what it has loaded; while it swaps its surfaces a
   * frame may come out as a blank page, so take another. */
  for (guint attempt = 0; attempt < 10; attempt++)
    {
      gtk_widget_queue_draw (widget);
      tidings_test_wait_ms (700);

      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      g_assert_cmpint (width, >, 0);
      g_clear_pointer (&node, gsk_render_node_unref);
      g_clear_object (&texture);
      snapshot = gtk_snapshot_new ();
      GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      g_assert_nonnull (node);
      texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)),
                                             node, &GRAPHENE_RECT_INIT (0, 0, width, height));
      if (!is_blank (texture))
        break;
    }
  return g_steal_pointer (&texture);
}

static void
save_screenshot (Fixture    *fixture,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = render_view (fixture);

  tidings_test_save_texture (texture, name);
}

static TidingsArticle *
showcase_article (void)
{
  TidingsArticle *article = article_new (
    11, "Starship flies again after a year of fixes", "https://news.example.org/starship",
    "<p>The launch vehicle lifted off on Tuesday morning, <a href=\"https://example.org/\">"
    "watched by thousands</a> along the coast. Engineers had spent a year on the changes "
    "that the last flight showed were needed.</p>"
    "<blockquote><p>We learned more from that flight than from the three before it.</p>"
    "</blockquote>"
    "<h2>What changed</h2><ul><li>A new heat shield</li><li>Faster <code>valves</code></li>"
    "</ul><p>The next attempt is planned for the spring, weather permitting.</p>"
    "<pre><code>T-10 s: terminal count\nT-0: liftoff</code></pre>");
  TidingsAttachment *attachment = tidings_attachment_new ();
  TidingsAuthor *author = tidings_author_new ();

  author->name = g_strdup ("Grace Hopper");
  g_ptr_array_add (article->item->authors, author);
  attachment->url = g_strdup ("https://news.example.org/podcast/episode-12.mp3");
  attachment->mime_type = g_strdup ("audio/mpeg");
  attachment->size_in_bytes = 48213125;
  attachment->duration_in_seconds = 2712;
  g_ptr_array_add (article->item->attachments, attachment);
  return article;
}

static void
test_dark (Fixture       *fixture,
           gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(TidingsArticle) article = showcase_article ();
  g_autoptr(TidingsArticle) blocked = NULL;
  g_autofree char *theme = NULL;
  g_autofree char *background = NULL;
  g_autofree char *html = NULL;
  GdkRGBA color;
  guint started;

  save_screenshot (fixture, "article-view-empty");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  show_and_wait (fixture, article, "Space News");
  theme = js_string (fixture, "document.documentElement.className");
  g_assert_cmpstr (theme, ==, "dark");
  background = js_string (fixture, "getComputedStyle (document.documentElement).backgroundColor");
  g_assert_cmpstr (background, ==, "rgb(30, 30, 30)");
  webkit_web_view_get_background_color (fixture->web_view, &color);
  g_assert_cmpfloat (color.red, <, 0.2);
  /* A new web process takes a while for its first frame under Xvfb's
   * software GL; until then the window's own dark background shows. */
  tidings_test_wait_ms (2500);
  save_screenshot (fixture, "article-view-dark");

  /* Switching needs no reload. */
  started = fixture->n_started;
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_clear_pointer (&theme, g_free);
  while (theme == NULL || strcmp (theme, "light") != 0)
    {
      g_free (theme);
      tidings_test_wait_ms (20);
      theme = js_string (fixture, "document.documentElement.className");
    }
  g_assert_cmpuint (fixture->n_started, ==, started);
  webkit_web_view_get_background_color (fixture->web_view, &color);
  g_assert_cmpfloat (color.red, >, 0.9);
  g_free (background);
  background = js_string (fixture, "getComputedStyle (document.documentElement).backgroundColor");
  g_assert_cmpstr (background, ==, "rgb(255, 255, 255)");
  save_screenshot (fixture, "article-view-light");

  tidings_article_view_set_highlight (fixture->view, "heat shield");
  save_screenshot (fixture, "article-view-search");
  tidings_article_view_set_highlight (fixture->view, NULL);

  /* Images off, with the button. */
  html = g_strdup_printf ("<p>A photo from the pad:</p><p><img src=\"%s/img/pad.png\"></p>",
                          fixture->canary->base);
  blocked = article_new (12, "Photos from the pad", "https://news.example.org/pad", html);
  tidings_article_view_set_load_images (fixture->view, FALSE);
  show_and_wait (fixture, blocked, "Space News");
  save_screenshot (fixture, "article-view-images-blocked");
  tidings_article_view_set_load_images (fixture->view, TRUE);
  while (webkit_web_view_is_loading (fixture->web_view) || !canary_saw (fixture->canary, "/img/pad.png"))
    g_main_context_iteration (NULL, TRUE);
  save_screenshot (fixture, "article-view-images");
}

/* ---- Font size ---- */

static char *
body_font_size (Fixture *fixture)
{
  return js_string (fixture, "getComputedStyle (document.body).fontSize");
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_font_size (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = showcase_article ();
  g_autoptr(TidingsArticle) second = article_new (13, "Second", NULL, "<p>Another page.</p>");
  g_autofree char *initial = NULL;
  g_autofree char *size = NULL;
  g_autofree char *title_size = NULL;
  guint notified = 0;
  guint started;
  int value = -1;

  g_assert_cmpint (tidings_article_view_get_font_size (fixture->view), ==, 0);
  g_signal_connect (fixture->view, "notify::font-size", G_CALLBACK (on_notify), &notified);

  show_and_wait (fixture, article, "Space News");
  initial = body_font_size (fixture);
  g_test_message ("default body font size: %s", initial);
  g_assert_cmpstr (initial, !=, "24px");

  /* Applied to the page shown, without a reload. */
  started = fixture->n_started;
  tidings_article_view_set_font_size (fixture->view, 24);
  g_assert_cmpint (tidings_article_view_get_font_size (fixture->view), ==, 24);
  g_assert_cmpuint (notified, ==, 1);
  tidings_article_view_set_font_size (fixture->view, 24);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (fixture->view, "font-size", &value, NULL);
  g_assert_cmpint (value, ==, 24);
  size = body_font_size (fixture);
  for (guint waited = 0; strcmp (size, "24px") != 0 && waited < 3000; waited += 20)
    {
      tidings_test_wait_ms (20);
      g_free (size);
      size = body_font_size (fixture);
    }
  g_assert_cmpstr (size, ==, "24px");
  g_assert_cmpuint (fixture->n_started, ==, started);
  /* Everything is sized from the body: the title grows with it. */
  title_size = js_string (fixture, "getComputedStyle (document.querySelector ('h1')).fontSize");
  g_assert_cmpfloat (g_ascii_strtod (title_size, NULL), >, 24 * 1.5);
  save_screenshot (fixture, "article-view-font-size-24");

  /* The next page comes with it. */
  g_object_set (fixture->view, "font-size", 30, NULL);
  show_and_wait (fixture, second, "Space News");
  g_free (size);
  size = body_font_size (fixture);
  g_assert_cmpstr (size, ==, "30px");

  /* 0: back to the stylesheet's own size. */
  tidings_article_view_set_font_size (fixture->view, 0);
  g_free (size);
  size = body_font_size (fixture);
  for (guint waited = 0; strcmp (size, initial) != 0 && waited < 3000; waited += 20)
    {
      tidings_test_wait_ms (20);
      g_free (size);
      size = body_font_size (fixture);
    }
  g_assert_cmpstr (size, ==, initial);
  g_assert_cmpuint (notified, ==, 3);
}

/* Coloured pixels (the search marks' yellow, the selection's blue) in the
 * rectangle the page gives for @selector's @index-th element (CSS px, the
 * widget's at zoom 1); its text and background are black, white and grey. */
static guint
count_marked (Fixture    *fixture,
              GdkTexture *texture,
              const char *selector,
              guint       index)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  g_autofree char *script = NULL;
  g_autofree char *rect = NULL;
  double x, y, w, h;
  guint marked = 0;

  script = g_strdup_printf ("(() => { const r = document.querySelectorAll ('%s')[%u]"
                            ".getBoundingClientRect ();\n"
                            "return [r.x, r.y, r.width, r.height].join (' '); }) ()",
                            selector, index);
  rect = js_string (fixture, script);
  g_assert_cmpint (sscanf (rect, "%lf %lf %lf %lf", &x, &y, &w, &h), ==, 4);
  gdk_texture_download (texture, pixels, stride);
  for (int row = MAX (0, (int) y); row < MIN (height, (int) (y + h)); row++)
    for (int col = MAX (0, (int) x); col < MIN (width, (int) (x + w)); col++)
      {
        const guchar *pixel = pixels + row * stride + col * 4;
        int high = MAX (pixel[0], MAX (pixel[1], pixel[2]));
        int low = MIN (pixel[0], MIN (pixel[1], pixel[2]));

        if (high - low > 0x30)
          marked++;
      }
  return marked;
}

/* Every match is marked, not only the one found first; closing the search
 * takes the marks away. */
static void
test_highlight_all (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = article_new (
    21, "Haystacks", NULL,
    "<p>First needle here.</p><p>Second needle there.</p><p>A third NEEDLE and a needle.</p>"
    "<p>Nothing to find.</p>");
  g_autoptr(GdkTexture) texture = NULL;
  WebKitFindController *finder;
  guint found = 0;
  gboolean failed = FALSE;

  /* As the window does it: the search first, then the article. */
  tidings_article_view_set_highlight (fixture->view, "needle");
  tidings_article_view_show (fixture->view, article, "Feed");
  tidings_test_web_fixture_attach (fixture);
  finder = webkit_web_view_get_find_controller (fixture->web_view);
  g_signal_connect (finder, "found-text", G_CALLBACK (on_found_text), &found);
  g_signal_connect (finder, "failed-to-find-text", G_CALLBACK (on_not_found), &failed);
  while (found == 0 && !failed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (failed);
  g_assert_cmpuint (found, ==, 4);

  texture = render_view (fixture);
  tidings_test_save_texture (texture, "article-view-search-all");
  for (guint i = 0; i < 3; i++)
    {
      guint marked = count_marked (fixture, texture, ".tidings-content p", i);

      g_test_message ("paragraph %u: %u marked pixels", i, marked);
      g_assert_cmpuint (marked, >, 100);
    }
  g_assert_cmpuint (count_marked (fixture, texture, ".tidings-content p", 3), ==, 0);
  g_clear_object (&texture);

  tidings_article_view_set_highlight (fixture->view, NULL);
  tidings_test_wait_ms (300);
  texture = render_view (fixture);
  tidings_test_save_texture (texture, "article-view-search-closed");
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (count_marked (fixture, texture, ".tidings-content p", i), ==, 0);
}

/* Pointing at a link shows where it really goes. */
static void
test_link_hover (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TidingsArticle) article = showcase_article ();

  show_and_wait (fixture, article, "Space News");
  if (!point_at (fixture, ".tidings-content a"))
    {
      g_test_skip ("No xdotool or not on X11");
      return;
    }
  while (!tidings_test_js_bool (fixture,
                                "document.querySelector ('.tidings-content a').matches (':hover')",
                                "tidings-test"))
    tidings_test_wait_ms (20);
  save_screenshot (fixture, "article-view-link-hover");
}

int
main (int   argc,
      char *argv[])
{
  static const HostileRun images_off = { "images off", FALSE, FALSE };
  static const HostileRun images_on = { "images on", TRUE, TRUE };

  g_autofree char *home = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  home = tidings_test_web_init ("tidings-article-view-XXXXXX");
  tidings_test_count_script_dialogs (&n_dialogs);

#define ADD(path, func, data) \
  g_test_add ("/article-view/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("lazy", test_lazy_web_view, NULL);
  ADD ("render", test_render, NULL);
  ADD ("render-twice", test_render_twice, NULL);
  ADD ("render-text", test_render_text, NULL);
  ADD ("base", test_base, NULL);
  ADD ("links", test_links, NULL);
  ADD ("open-in-browser-vetted", test_open_in_browser_vetted, NULL);
  ADD ("images", test_images, NULL);
  ADD ("scroll", test_scroll, NULL);
  ADD ("zoom-highlight", test_zoom_and_highlight, NULL);
  ADD ("highlight-cleared", test_highlight_cleared, NULL);
  ADD ("font-size", test_font_size, NULL);
  ADD ("highlight-all", test_highlight_all, NULL);
  ADD ("dark", test_dark, NULL);
  /* These move the display's one pointer: meson runs them apart. */
  ADD ("pointer/context-menu", test_context_menu, NULL);
  ADD ("pointer/link-hover", test_link_hover, NULL);
  ADD ("hostile/controls", test_hostile_controls, NULL);
  ADD ("hostile/images-off", test_hostile_vectors, &images_off);
  ADD ("hostile/images-on", test_hostile_vectors, &images_on);
  ADD ("hostile/feedparser-corpus", test_hostile_corpus, NULL);

#undef ADD

  status = g_test_run ();
  tidings_test_remove_tree (home);
  return status;
}
