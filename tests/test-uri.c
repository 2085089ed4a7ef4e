/* test-uri.c: resolving and vetting URIs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tidings-uri.h"

typedef struct
{
  const char *base;
  const char *ref;
  const char *expected;  /* NULL: nothing absolute can be made */
} ResolveCase;

static const ResolveCase resolve_cases[] = {
  { "http://example.com/a/b/c", "../x", "http://example.com/a/x" },
  { "http://example.com/a/b/c", "./y/z", "http://example.com/a/b/y/z" },
  { "http://example.com/", "../../../x", "http://example.com/x" },
  { "http://example.com/a/b", "/root", "http://example.com/root" },
  { "http://example.com/a/b/c?q#f", "?y", "http://example.com/a/b/c?y" },
  { "http://example.com/a/b/c?q#f", "#z", "http://example.com/a/b/c?q#z" },
  /* An empty reference is the base itself, without its fragment. */
  { "http://example.com/a/b?q#f", "", "http://example.com/a/b?q" },
  { "http://example.com/a/b", "  x \n", "http://example.com/a/x" },
  { "http://example.com/a/b", "a b", "http://example.com/a/a%20b" },
  /* Protocol-relative references take the base's scheme, or https. */
  { "http://example.com/a", "//cdn.example.net/p.png", "http://cdn.example.net/p.png" },
  { "https://example.com/a", "//cdn.example.net/p.png", "https://cdn.example.net/p.png" },
  { NULL, "//cdn.example.net/p.png", "https://cdn.example.net/p.png" },
  /* Absolute references stand on their own, dot segments removed. */
  { "http://example.com/a/", "https://other.org/x/../y", "https://other.org/y" },
  { "http://example.com/a/", "mailto:someone@example.org", "mailto:someone@example.org" },
  { NULL, "http://example.org/feed", "http://example.org/feed" },
  { NULL, "  https://example.org/x  ", "https://example.org/x" },
  { "HTTP://EXAMPLE.COM/a/", "b", "http://EXAMPLE.COM/a/b" },
  /* Tabs and line breaks inside are dropped, as browsers do. */
  { "http://example.com/", "java\tscript:alert(1)", "javascript:alert(1)" },
  { "http://example.com/", "/a\n/b", "http://example.com/a/b" },
  /* What is left of white space and controls is percent-encoded. */
  { NULL, "http://exa mple.com/a\x01" "b", "http://exa%20mple.com/a%01b" },
  { "http://example.com/", "a\x7f b", "http://example.com/a%7F%20b" },
  /* International domain names become punycode. */
  { NULL, "http://b\xc3\xbc" "cher.de/", "http://xn--bcher-kva.de/" },
  /* Without a usable base, relative references go nowhere. */
  { NULL, "relative/x", NULL },
  { NULL, "", NULL },
  { NULL, "/rooted", NULL },
  { "not a base", "x", NULL },
  { "not a base", "http://example.org/y", "http://example.org/y" },
  /* Garbage. */
  { "http://example.com/a/b", "http://[::1", NULL },
  { NULL, "http://exa%mple.com:99999999/", NULL },
  /* What GUri parses but will not put back together. */
  { "https://example.com/x", "//;a", NULL },
  { NULL, "https:..///", NULL },
  { "https://example.com/x", "http:;%x'80/..//", NULL },
  { NULL, NULL, NULL },
};

static void
test_resolve (gconstpointer data)
{
  const ResolveCase *c = data;
  g_autofree char *resolved = tidings_uri_resolve (c->base, c->ref);

  g_assert_cmpstr (resolved, ==, c->expected);
}

typedef struct
{
  const char *uri;
  gboolean link;
  gboolean image;
  gboolean media;
} AllowedCase;

static const AllowedCase allowed_cases[] = {
  { "http://example.com/", TRUE, TRUE, TRUE },
  { "https://example.com/x.png", TRUE, TRUE, TRUE },
  { "HTTPS://EXAMPLE.COM/", TRUE, TRUE, TRUE },
  { "mailto:x@example.com", TRUE, FALSE, FALSE },
  { "MailTo:x@example.com", TRUE, FALSE, FALSE },
  { "javascript:alert(1)", FALSE, FALSE, FALSE },
  { "JaVaScRiPt:alert(1)", FALSE, FALSE, FALSE },
  { " javascript:alert(1)", FALSE, FALSE, FALSE },
  { "\x01javascript:alert(1)", FALSE, FALSE, FALSE },
  { "java\nscript:alert(1)", FALSE, FALSE, FALSE },
  { "java\tscript:alert(1)", FALSE, FALSE, FALSE },
  { "java\x7fscript:alert(1)", FALSE, FALSE, FALSE },
  { "vbscript:msgbox(1)", FALSE, FALSE, FALSE },
  { "data:image/png;base64,iVBORw0KGgo=", FALSE, TRUE, FALSE },
  { "DATA:IMAGE/PNG;base64,iVBORw0KGgo=", FALSE, TRUE, FALSE },
  { "data:image/gif,GIF89a", FALSE, TRUE, FALSE },
  { "data:image/jpeg;base64,/9j/", FALSE, TRUE, FALSE },
  { "data:image/webp;base64,UklGR", FALSE, TRUE, FALSE },
  { "data:image/x-icon;base64,AAAB", FALSE, TRUE, FALSE },
  { "data:image/svg+xml;base64,PHN2Zz4=", FALSE, FALSE, FALSE },
  { "data:image/svg+xml,<svg onload=alert(1)>", FALSE, FALSE, FALSE },
  { "data: image/svg+xml,<svg>", FALSE, FALSE, FALSE },
  { "data:text/html,<script>alert(1)</script>", FALSE, FALSE, FALSE },
  { "data:text/html;base64,PHNjcmlwdD4=", FALSE, FALSE, FALSE },
  { "data:image/png", FALSE, FALSE, FALSE },
  { "data:image/pngx;base64,AAAA", FALSE, FALSE, FALSE },
  { "file:///etc/passwd", FALSE, FALSE, FALSE },
  { "feed:http://example.com/", FALSE, FALSE, FALSE },
  { "ftp://example.com/file", FALSE, FALSE, FALSE },
  { "about:blank", FALSE, FALSE, FALSE },
  { "relative/path", FALSE, FALSE, FALSE },
  { "/rooted/path", FALSE, FALSE, FALSE },
  { "//host/protocol-relative", FALSE, FALSE, FALSE },
  { "?query", FALSE, FALSE, FALSE },
  { "#fragment", FALSE, FALSE, FALSE },
  { ":nothing", FALSE, FALSE, FALSE },
  { "", FALSE, FALSE, FALSE },
  { NULL, FALSE, FALSE, FALSE },
};

static void
test_is_allowed (gconstpointer data)
{
  const AllowedCase *c = data;

  g_assert_cmpint (tidings_uri_is_allowed (c->uri, TIDINGS_URI_LINK), ==, c->link);
  g_assert_cmpint (tidings_uri_is_allowed (c->uri, TIDINGS_URI_IMAGE), ==, c->image);
  g_assert_cmpint (tidings_uri_is_allowed (c->uri, TIDINGS_URI_MEDIA), ==, c->media);
}

static void
test_resolve_allowed (void)
{
  const char *base = "https://example.com/blog/post.html";
  char *uri;

  uri = tidings_uri_resolve_allowed (base, "../img/a.png", TIDINGS_URI_IMAGE);
  g_assert_cmpstr (uri, ==, "https://example.com/img/a.png");
  g_free (uri);

  uri = tidings_uri_resolve_allowed (base, "other.html#top", TIDINGS_URI_LINK);
  g_assert_cmpstr (uri, ==, "https://example.com/blog/other.html#top");
  g_free (uri);

  uri = tidings_uri_resolve_allowed (base, "mailto:me@example.com", TIDINGS_URI_LINK);
  g_assert_cmpstr (uri, ==, "mailto:me@example.com");
  g_free (uri);

  g_assert_null (tidings_uri_resolve_allowed (base, "mailto:me@example.com", TIDINGS_URI_IMAGE));
  g_assert_null (tidings_uri_resolve_allowed (base, "javascript:alert(1)", TIDINGS_URI_LINK));
  g_assert_null (tidings_uri_resolve_allowed (base, " JAVA\tSCRIPT:alert(1)", TIDINGS_URI_LINK));
  g_assert_null (tidings_uri_resolve_allowed (base, "data:image/svg+xml,<svg/>",
                                              TIDINGS_URI_IMAGE));
  g_assert_null (tidings_uri_resolve_allowed (NULL, "relative.png", TIDINGS_URI_IMAGE));
  g_assert_null (tidings_uri_resolve_allowed (base, NULL, TIDINGS_URI_LINK));
}

/* The shortcut for plain absolute http(s) URIs must give what GUri gives. */
static void
test_plain_absolute (void)
{
  static const char * const uris[] = {
    "https://example.com/a/b?c=d&e=f#g",
    "http://example.com",
    "https://example.com/%7Euser/",
    "https://example.com/a/./b/../c",
    "https://example.com/a/.hidden",
    "https://user@example.com:8080/x",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(GUri) parsed = g_uri_parse (uris[i], G_URI_FLAGS_PARSE_RELAXED
                                            | G_URI_FLAGS_ENCODED, NULL);
      g_autofree char *expected = g_uri_to_string (parsed);
      g_autofree char *resolved = tidings_uri_resolve ("http://base.example/", uris[i]);

      g_assert_cmpstr (resolved, ==, expected);
    }
}

/* Plain relative paths are joined without GUri: the result must be GUri's. */
static void
test_resolve_agrees_with_guri (void)
{
  static const char * const bases[] = {
    "http://example.com", "http://example.com/", "https://example.com/dir/page.html",
    "https://example.com/dir/sub/", "http://example.com:8080/a/b?q=1#f", "HTTPS://Example.COM/A/B",
    "https://example.com/a/./b/../c", "http://user@example.com/x/y",
  };
  static const char * const refs[] = {
    "img/a.png", "/about", "/", "x", "a/b/c.html", "dir/", "~user/p", "a-b_c.d~e",
    "./x", "../x", "a/../b", ".", "..", "a/.", "?q", "#frag", "//other.example/p", "a%20b",
    "../../../../x", "/a/./b/../../c", "a/..", "../", "./", ".../x", "a/..b/c", "..a",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    for (guint j = 0; j < G_N_ELEMENTS (refs); j++)
      {
        g_autofree char *ours = tidings_uri_resolve (bases[i], refs[j]);
        g_autofree char *guri = g_uri_resolve_relative (bases[i], refs[j],
                                                        G_URI_FLAGS_PARSE_RELAXED |
                                                        G_URI_FLAGS_ENCODED, NULL);

        g_assert_cmpstr (ours, ==, guri);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (resolve_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/uri/resolve/%02zu", i);

      g_test_add_data_func (path, &resolve_cases[i], test_resolve);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (allowed_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/uri/is-allowed/%02zu", i);

      g_test_add_data_func (path, &allowed_cases[i], test_is_allowed);
    }

  g_test_add_func ("/uri/resolve-allowed", test_resolve_allowed);
  g_test_add_func ("/uri/plain-absolute", test_plain_absolute);

  g_test_add_func ("/uri/resolve-agrees-with-guri", test_resolve_agrees_with_guri);

  return g_test_run ();
}
