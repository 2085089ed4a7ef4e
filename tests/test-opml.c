/* test-opml.c: reading and writing subscription lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gio/gio.h>

#include "tidings-opml.h"

static char *
load_fixture (const char *name,
              gsize      *len)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "opml", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static TidingsOpml *
parse_fixture (const char *name)
{
  gsize len = 0;
  g_autofree char *data = load_fixture (name, &len);
  g_autoptr(GError) error = NULL;
  TidingsOpml *opml = tidings_opml_parse (data, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (opml);
  return opml;
}

static GError *
parse_error (const char *data,
             gsize       len)
{
  GError *error = NULL;
  TidingsOpml *opml = tidings_opml_parse (data, len, &error);

  g_assert_null (opml);
  g_assert_nonnull (error);
  g_assert_true (error->domain == TIDINGS_OPML_ERROR);
  return error;
}

static GError *
fixture_error (const char *name)
{
  gsize len = 0;
  g_autofree char *data = load_fixture (name, &len);

  return parse_error (data, len);
}

static TidingsOpmlFeed *
feed_at (TidingsOpml *opml,
         guint        index)
{
  g_assert_cmpuint (index, <, opml->feeds->len);
  return opml->feeds->pdata[index];
}

static TidingsOpmlSection *
section_at (TidingsOpml *opml,
            guint        index)
{
  g_assert_cmpuint (index, <, opml->sections->len);
  return opml->sections->pdata[index];
}

static TidingsOpmlFeed *
find_feed (TidingsOpml *opml,
           const char  *url)
{
  for (guint i = 0; i < opml->feeds->len; i++)
    {
      TidingsOpmlFeed *feed = opml->feeds->pdata[i];

      if (g_strcmp0 (feed->url, url) == 0)
        return feed;
    }
  return NULL;
}

static gboolean
has_warning (TidingsOpml *opml,
             const char  *fragment1,
             const char  *fragment2)
{
  for (guint i = 0; i < opml->warnings->len; i++)
    {
      const char *warning = opml->warnings->pdata[i];

      if (strstr (warning, fragment1) != NULL &&
          (fragment2 == NULL || strstr (warning, fragment2) != NULL))
        return TRUE;
    }
  return FALSE;
}

#define assert_feed(opml, index, url_, title_, site_, section_, parent_) \
  G_STMT_START { \
    TidingsOpmlFeed *_feed = feed_at (opml, index); \
    g_assert_cmpstr (_feed->url, ==, url_); \
    g_assert_cmpstr (_feed->title, ==, title_); \
    g_assert_cmpstr (_feed->site_url, ==, site_); \
    g_assert_cmpstr (_feed->section, ==, section_); \
    g_assert_cmpstr (_feed->parent, ==, parent_); \
  } G_STMT_END

#define assert_section(opml, index, title_, parent_) \
  G_STMT_START { \
    TidingsOpmlSection *_section = section_at (opml, index); \
    g_assert_cmpstr (_section->title, ==, title_); \
    g_assert_cmpstr (_section->parent, ==, parent_); \
  } G_STMT_END

/* ---- reading ------------------------------------------------------------ */

static void
test_opml10_flat (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("opml10-flat.opml");

  g_assert_cmpstr (opml->title, ==, "My subscriptions");
  g_assert_cmpuint (opml->sections->len, ==, 0);
  g_assert_cmpuint (opml->feeds->len, ==, 5);
  /* The title attribute wins over text. */
  assert_feed (opml, 0, "https://harbour.example/feed.xml", "The Harbour Gazette",
               "https://harbour.example/", NULL, NULL);
  /* xmlurl, XMLURL: the attribute names exporters really use. */
  assert_feed (opml, 1, "http://lighthouse.example/rss", "Lighthouse Log", NULL, NULL, NULL);
  /* A javascript: site address is dropped; the feed stays. */
  assert_feed (opml, 2, "https://tides.example/atom.xml", "Tide Tables", NULL, NULL, NULL);
  /* Text that only repeats the address is no title. */
  assert_feed (opml, 3, "https://untitled.example/feed", NULL, NULL, NULL, NULL);
  assert_feed (opml, 4, "https://spaced.example/feed", "Spaced", "https://spaced.example/",
               NULL, NULL);
  g_assert_cmpuint (opml->warnings->len, ==, 0);
}

static void
test_opml20_nested (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("opml20-nested.opml");

  g_assert_cmpstr (opml->title, ==, "Nested");

  /* Parents before children, in document order; Europe and North fold into
   * World, the second level; an untitled folder is no section. */
  g_assert_cmpuint (opml->sections->len, ==, 4);
  assert_section (opml, 0, "News", NULL);
  assert_section (opml, 1, "World", "News");
  assert_section (opml, 2, "Tech", NULL);
  assert_section (opml, 3, "Empty folder", NULL);

  g_assert_cmpuint (opml->feeds->len, ==, 9);
  assert_feed (opml, 0, "https://top.example/feed", "Top Feed", NULL, NULL, NULL);
  /* A section's title comes from text first. */
  assert_feed (opml, 1, "https://daily.example/rss", "Daily", NULL, "News", NULL);
  assert_feed (opml, 2, "https://globe.example/atom", "Globe", NULL, "World", "News");
  assert_feed (opml, 3, "https://continental.example/feed", "Continental", NULL, "World", "News");
  assert_feed (opml, 4, "https://fjord.example/feed", "Fjord", NULL, "World", "News");
  assert_feed (opml, 5, "https://evening.example/rss", "Evening", NULL, "News", NULL);
  /* ... else from title. */
  assert_feed (opml, 6, "https://kernel.example/feed", "Kernel", NULL, "Tech", NULL);
  /* What an untitled folder holds goes to the enclosing level. */
  assert_feed (opml, 7, "https://orphan.example/feed", "Orphan", NULL, NULL, NULL);
  assert_feed (opml, 8, "https://last.example/feed", "Last", NULL, NULL, NULL);

  /* type="link" is passed over quietly; an include is named. */
  g_assert_cmpuint (opml->warnings->len, ==, 1);
  g_assert_true (has_warning (opml, "Outline “Elsewhere” was skipped", "includes"));
}

static void
test_liferea (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("liferea.opml");

  /* Search folders and news bins are not sections, nor their rules feeds. */
  g_assert_cmpuint (opml->sections->len, ==, 1);
  assert_section (opml, 0, "Linux", NULL);

  g_assert_cmpuint (opml->feeds->len, ==, 2);
  assert_feed (opml, 0, "https://lwn.example/headlines/rss", "LWN.net", "https://lwn.example/",
               "Linux", NULL);
  assert_feed (opml, 1, "https://messy.example/feed", "Cleaned up", NULL, "Linux", NULL);

  g_assert_true (has_warning (opml, "Outline “Local script” was skipped", "program"));
  g_assert_true (has_warning (opml, "Outline “Command source” was skipped", "program"));
  g_assert_true (has_warning (opml, "Outline “Old exec” was skipped", "program"));
  g_assert_true (has_warning (opml, "Outline “Local file” was skipped",
                              "“file:///home/ada/feed.xml” is not a web address"));
  g_assert_true (has_warning (opml, "“Cleaned up”", "without its filter program"));
  g_assert_cmpuint (opml->warnings->len, ==, 5);
}

static void
test_newsboat (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("newsboat.opml");

  g_assert_cmpstr (opml->title, ==, "newsboat - Exported Feeds");
  g_assert_cmpuint (opml->feeds->len, ==, 2);
  assert_feed (opml, 0, "https://blog.example/index.xml", "A Blog", "https://blog.example/",
               NULL, NULL);
  /* Empty title and htmlUrl are absent ones. */
  assert_feed (opml, 1, "https://quiet.example/feed", NULL, NULL, NULL, NULL);

  g_assert_true (has_warning (opml, "Outline “Weather” was skipped", "program"));
  /* filter: runs a program on an ordinary address: refused all the same. */
  g_assert_true (has_warning (opml, "Outline “Fixed up” was skipped", "program"));
  g_assert_true (has_warning (opml, "Outline “Unread Articles” was skipped",
                              "not a web address"));
  g_assert_true (has_warning (opml, "Outline “Sneaky” was skipped", "“javascript:"));
  g_assert_true (has_warning (opml, "Outline “Inline” was skipped", "“data:"));
  /* GUri reads a host and a path without a slash into this one. */
  g_assert_true (has_warning (opml, "Outline “Mangled” was skipped", "not a web address"));
  g_assert_cmpuint (opml->warnings->len, ==, 6);
}

static void
test_feed_aliases (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("aliases.opml");

  g_assert_cmpuint (opml->feeds->len, ==, 3);
  assert_feed (opml, 0, "http://alias.example/rss.xml", "Double slash", NULL, NULL, NULL);
  assert_feed (opml, 1, "https://secure.example/atom.xml", "Wrapped https", NULL, NULL, NULL);
  assert_feed (opml, 2, "http://plain.example/feed", "Wrapped http", NULL, NULL, NULL);
  g_assert_true (has_warning (opml, "Outline “Nothing behind” was skipped",
                              "“feed:nothing-here” is not a web address"));
  g_assert_true (has_warning (opml, "Outline “Shell” was skipped", "program"));
  g_assert_cmpuint (opml->warnings->len, ==, 2);
}

/* Tabs and line breaks inside an address are left out, as a browser reads
 * it (found by fuzz-opml: the address was checked without them and kept
 * with them). */
static void
test_tabs_in_addresses (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("tabs-in-addresses.opml");

  g_assert_cmpuint (opml->feeds->len, ==, 1);
  assert_feed (opml, 0, "https://strasse.example/feed", "s", "http://a.example/", NULL, NULL);
}

static void
test_duplicates (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("duplicates.opml");

  /* The first wins; the host's case and the default port do not make
   * another address, a different scheme does. A repeated section is one. */
  g_assert_cmpuint (opml->feeds->len, ==, 4);
  assert_feed (opml, 0, "https://dup.example/feed", "First", NULL, NULL, NULL);
  assert_feed (opml, 1, "https://other.example/feed", "Other", NULL, "Folder", NULL);
  assert_feed (opml, 2, "https://third.example/feed", "Third", NULL, "Folder", NULL);
  assert_feed (opml, 3, "http://dup.example/feed", "Plain http is another address", NULL,
               NULL, NULL);
  g_assert_cmpuint (opml->sections->len, ==, 1);
  assert_section (opml, 0, "Folder", NULL);

  g_assert_cmpuint (opml->warnings->len, ==, 2);
  g_assert_true (has_warning (opml, "Outline “Second” was skipped", "repeats"));
  g_assert_true (has_warning (opml, "Outline “Other again” was skipped", "repeats"));
}

static void
test_entities (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("entities.opml");

  g_assert_cmpstr (opml->title, ==, "Café & Co");
  g_assert_cmpuint (opml->feeds->len, ==, 4);
  assert_feed (opml, 0, "https://fish.example/feed?a=1&b=2",
               "Fish & Chips <daily> \"fresh\" é€", NULL, NULL, NULL);
  /* A bare ampersand in an address is read, not refused. */
  assert_feed (opml, 1, "https://bare.example/feed?x=1&y=2", "Bare ampersand", NULL, NULL, NULL);
  assert_feed (opml, 2, "https://space.example/feed", "Tab\tand\nnewline", NULL, NULL, NULL);
  /* HTML's entities, undeclared in XML, are read as the characters. */
  assert_feed (opml, 3, "https://nbsp.example/feed", "\u00a0Non-breaking\u00a0", NULL, NULL,
               NULL);
}

static void
test_latin1 (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("latin1.opml");

  g_assert_cmpstr (opml->title, ==, "Abonnements été");
  g_assert_cmpuint (opml->sections->len, ==, 1);
  assert_section (opml, 0, "Cafés", NULL);
  g_assert_cmpuint (opml->feeds->len, ==, 2);
  assert_feed (opml, 0, "https://cafe.example/flûx", "Le Café du Coin", NULL, "Cafés", NULL);
  assert_feed (opml, 1, "https://strasse.example/feed", "Straße", NULL, NULL, NULL);
}

static void
test_utf16 (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("utf16.opml");

  g_assert_cmpstr (opml->title, ==, "新聞");
  g_assert_cmpuint (opml->feeds->len, ==, 1);
  assert_feed (opml, 0, "https://nihongo.example/feed", "日本語のニュース", NULL, NULL,
               NULL);
}

static void
test_empty_body (void)
{
  g_autoptr(TidingsOpml) opml = parse_fixture ("empty-body.opml");

  g_assert_cmpstr (opml->title, ==, "Nothing yet");
  g_assert_cmpuint (opml->sections->len, ==, 0);
  g_assert_cmpuint (opml->feeds->len, ==, 0);
  g_assert_cmpuint (opml->warnings->len, ==, 0);
}

/* ---- what is refused ---------------------------------------------------- */

static void
test_billion_laughs (void)
{
  g_autoptr(GError) error = fixture_error ("billion-laughs.opml");

  /* Refused at the first declaration, before anything is expanded. */
  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "entity “lol”"));
  g_assert_null (strstr (error->message, "lollol"));
}

static void
test_external_entity (void)
{
  g_autoptr(GError) error = fixture_error ("xxe.opml");
  g_autofree char *passwd = NULL;

  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "entity “secret”"));
  g_assert_null (strstr (error->message, "root:"));

  /* Were the file read, its first line would show up somewhere. */
  if (g_file_get_contents ("/etc/passwd", &passwd, NULL, NULL))
    {
      char *newline = strchr (passwd, '\n');

      if (newline != NULL)
        *newline = '\0';
      if (*passwd != '\0')
        g_assert_null (strstr (error->message, passwd));
    }
}

static void
test_external_dtd (void)
{
  /* The DTD named is not loaded (nothing to see), the outlines are read. */
  g_autoptr(TidingsOpml) opml = parse_fixture ("external-dtd.opml");

  g_assert_cmpstr (opml->title, ==, "External DTD");
  g_assert_cmpuint (opml->feeds->len, ==, 1);
  assert_feed (opml, 0, "https://dtd.example/feed", "Still read", NULL, NULL, NULL);
}

static void
test_malformed (void)
{
  g_autoptr(GError) error = fixture_error ("malformed.opml");
  g_autoptr(GError) truncated = fixture_error ("truncated.opml");

  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_true (g_str_has_prefix (error->message,
                                   "The file is not well-formed XML: line 6, column "));
  g_assert_nonnull (strstr (error->message, "outline"));

  g_assert_error (truncated, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_nonnull (strstr (truncated->message, "line "));
}

static void
test_malformed_message_is_text (void)
{
  g_autoptr(GString) data = g_string_new ("<opml><body>\n<!-- ");
  g_autoptr(GError) error = NULL;

  /* libxml2 quotes an unterminated comment after a line break, cut at a
   * byte count that may split a character; only its first line is kept. */
  for (guint i = 0; i < 100; i++)
    g_string_append (data, "•");
  error = parse_error (data->str, data->len);
  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, "line 2"));
}

static void
test_not_opml (void)
{
  g_autoptr(GError) feed = fixture_error ("not-opml.xml");
  g_autoptr(GError) other = fixture_error ("other-xml.xml");
  g_autoptr(GError) no_body = fixture_error ("no-body.opml");

  g_assert_error (feed, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_NOT_OPML);
  g_assert_cmpstr (feed->message, ==, "The file is a feed, not a subscription list (OPML)");
  g_assert_error (other, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_NOT_OPML);
  g_assert_nonnull (strstr (other->message, "<bookmarks>"));
  g_assert_error (no_body, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_NOT_OPML);
  g_assert_nonnull (strstr (no_body->message, "<body>"));
}

static void
test_empty_and_text (void)
{
  g_autoptr(GError) empty = parse_error ("", 0);
  g_autoptr(GError) blank = parse_error (" \n\t\n", 4);
  g_autoptr(GError) text = parse_error ("just some words", 15);

  g_assert_error (empty, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_cmpstr (empty->message, ==, "The file is empty");
  g_assert_error (blank, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_error (text, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  g_assert_nonnull (strstr (text->message, "not XML"));
}

static GString *
opml_with_feeds (guint n)
{
  GString *data = g_string_new ("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (data, "<outline text=\"Feed %u\" xmlUrl=\"https://f%u.example/\"/>\n",
                            i, i);
  g_string_append (data, "</body></opml>\n");
  return data;
}

static void
test_too_many_feeds (void)
{
  g_autoptr(GString) at_cap = opml_with_feeds (TIDINGS_OPML_MAX_FEEDS);
  g_autoptr(GString) over_cap = opml_with_feeds (TIDINGS_OPML_MAX_FEEDS + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsOpml) opml = tidings_opml_parse (at_cap->str, at_cap->len, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (opml->feeds->len, ==, TIDINGS_OPML_MAX_FEEDS);

  error = parse_error (over_cap->str, over_cap->len);
  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "more than 10000 feeds"));
}

static GString *
opml_nested (guint depth)
{
  GString *data = g_string_new ("<opml version=\"2.0\"><body>");

  for (guint i = 0; i < depth; i++)
    g_string_append_printf (data, "<outline text=\"Level %u\">", i + 1);
  g_string_append (data, "<outline text=\"Deep\" xmlUrl=\"https://deep.example/\"/>");
  for (guint i = 0; i < depth; i++)
    g_string_append (data, "</outline>");
  g_string_append (data, "</body></opml>");
  return data;
}

static void
test_deep_nesting (void)
{
  /* The feed's own outline counts: depth - 1 folders and a feed are fine. */
  g_autoptr(GString) at_cap = opml_nested (TIDINGS_OPML_MAX_DEPTH - 1);
  g_autoptr(GString) over_cap = opml_nested (TIDINGS_OPML_MAX_DEPTH);
  g_autoptr(GString) abyss = opml_nested (100000);
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsOpml) opml = tidings_opml_parse (at_cap->str, at_cap->len, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (opml->feeds->len, ==, 1);
  assert_feed (opml, 0, "https://deep.example/", "Deep", NULL, "Level 2", "Level 1");
  g_assert_cmpuint (opml->sections->len, ==, 2);

  error = parse_error (over_cap->str, over_cap->len);
  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "64 levels"));
  g_clear_error (&error);

  error = parse_error (abyss->str, abyss->len);
  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_TOO_LARGE);
}

static void
test_too_many_bytes (void)
{
  gsize len = TIDINGS_OPML_MAX_BYTES + 1;
  g_autofree char *data = g_malloc (len);
  g_autoptr(GError) error = NULL;

  /* Refused on its size alone, before anything is read. */
  memset (data, ' ', len);
  memcpy (data, "<opml><body>", 12);
  error = parse_error (data, len);
  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "too large"));
}

static void
test_many_warnings (void)
{
  GString *data = g_string_new ("<opml version=\"2.0\"><body>\n");
  g_autoptr(GString) owned = data;
  g_autoptr(TidingsOpml) opml = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 250; i++)
    g_string_append_printf (data, "<outline text=\"Bad %u\" xmlUrl=\"file:///%u\"/>\n", i, i);
  g_string_append (data, "<outline text=\"Good\" xmlUrl=\"https://good.example/\"/>\n"
                   "</body></opml>");

  opml = tidings_opml_parse (data->str, data->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opml->feeds->len, ==, 1);
  /* A hundred named, the rest counted. */
  g_assert_cmpuint (opml->warnings->len, ==, 101);
  g_assert_true (has_warning (opml, "Outline “Bad 0” was skipped", NULL));
  g_assert_true (has_warning (opml, "Outline “Bad 99” was skipped", NULL));
  g_assert_false (has_warning (opml, "Outline “Bad 100” was skipped", NULL));
  g_assert_cmpstr (opml->warnings->pdata[100], ==, "150 more outlines were skipped");
}

static void
test_long_names_shortened (void)
{
  g_autoptr(GString) data = g_string_new ("<opml version=\"2.0\"><body><outline text=\"");
  g_autoptr(TidingsOpml) opml = NULL;
  g_autoptr(GError) error = NULL;
  const char *warning;

  for (guint i = 0; i < 200; i++)
    g_string_append (data, "é");
  g_string_append (data, "\" xmlUrl=\"ftp://files.example/\"/></body></opml>");

  opml = tidings_opml_parse (data->str, data->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opml->warnings->len, ==, 1);
  warning = opml->warnings->pdata[0];
  g_assert_true (g_utf8_validate (warning, -1, NULL));
  g_assert_nonnull (strstr (warning, "é…”"));
  g_assert_cmpuint (g_utf8_strlen (warning, -1), <, 200);
}

/* ---- writing ------------------------------------------------------------ */

static void
add_section (TidingsOpml *opml,
             const char  *title,
             const char  *parent)
{
  TidingsOpmlSection *section = g_new0 (TidingsOpmlSection, 1);

  section->title = g_strdup (title);
  section->parent = g_strdup (parent);
  g_ptr_array_add (opml->sections, section);
}

static void
add_feed (TidingsOpml *opml,
          const char  *url,
          const char  *title,
          const char  *site_url,
          const char  *section,
          const char  *parent)
{
  TidingsOpmlFeed *feed = g_new0 (TidingsOpmlFeed, 1);

  feed->url = g_strdup (url);
  feed->title = g_strdup (title);
  feed->site_url = g_strdup (site_url);
  feed->section = g_strdup (section);
  feed->parent = g_strdup (parent);
  g_ptr_array_add (opml->feeds, feed);
}

/* The same sections, in order, and the same feeds; the writer groups feeds
 * by section, so their order may differ from the one they were given in. */
static void
assert_same_subscriptions (TidingsOpml *a,
                           TidingsOpml *b)
{
  g_assert_cmpuint (a->sections->len, ==, b->sections->len);
  for (guint i = 0; i < a->sections->len; i++)
    {
      TidingsOpmlSection *x = a->sections->pdata[i];
      TidingsOpmlSection *y = b->sections->pdata[i];

      g_assert_cmpstr (x->title, ==, y->title);
      g_assert_cmpstr (x->parent, ==, y->parent);
    }
  g_assert_cmpuint (a->feeds->len, ==, b->feeds->len);
  for (guint i = 0; i < a->feeds->len; i++)
    {
      TidingsOpmlFeed *x = a->feeds->pdata[i];
      TidingsOpmlFeed *y = find_feed (b, x->url);

      g_assert_nonnull (y);
      g_assert_cmpstr (x->title, ==, y->title);
      g_assert_cmpstr (x->site_url, ==, y->site_url);
      g_assert_cmpstr (x->section, ==, y->section);
      g_assert_cmpstr (x->parent, ==, y->parent);
    }
}

static TidingsOpml *
write_and_read (TidingsOpml  *opml,
                char        **text)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *written = tidings_opml_write (opml, &len);
  TidingsOpml *read;

  g_assert_nonnull (written);
  g_assert_cmpuint (strlen (written), ==, len);
  g_assert_true (g_utf8_validate (written, len, NULL));
  read = tidings_opml_parse (written, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read);
  g_assert_cmpuint (read->warnings->len, ==, 0);
  if (text != NULL)
    *text = g_steal_pointer (&written);
  return read;
}

static void
test_write_shape (void)
{
  g_autoptr(TidingsOpml) opml = tidings_opml_new ();
  g_autoptr(TidingsOpml) read = NULL;
  g_autofree char *text = NULL;

  add_section (opml, "News", NULL);
  add_feed (opml, "https://a.example/feed", "A", "https://a.example/", "News", NULL);
  add_feed (opml, "https://b.example/feed", NULL, NULL, NULL, NULL);
  read = write_and_read (opml, &text);

  g_assert_true (g_str_has_prefix (text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                         "<opml version=\"2.0\">\n"));
  g_assert_nonnull (strstr (text, "<title>Tidings subscriptions</title>"));
  g_assert_true (g_regex_match_simple ("<dateCreated>(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
                                       "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                                       "[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT</dateCreated>",
                                       text, 0, 0));
  g_assert_nonnull (strstr (text, "<outline text=\"News\" title=\"News\">"));
  g_assert_nonnull (strstr (text, "<outline type=\"rss\" text=\"A\" title=\"A\" "
                                  "xmlUrl=\"https://a.example/feed\" "
                                  "htmlUrl=\"https://a.example/\"/>"));
  /* OPML 2.0 wants text: a feed without a title shows its address. */
  g_assert_nonnull (strstr (text, "<outline type=\"rss\" text=\"https://b.example/feed\" "
                                  "xmlUrl=\"https://b.example/feed\"/>"));
  g_assert_cmpstr (read->title, ==, "Tidings subscriptions");
  assert_same_subscriptions (opml, read);
}

static void
test_round_trip_escaping (void)
{
  g_autoptr(TidingsOpml) opml = tidings_opml_new ();
  g_autoptr(TidingsOpml) read = NULL;
  g_autofree char *text = NULL;

  add_section (opml, "<News> & \"Views\" 'quoted'", NULL);
  add_section (opml, "Ünïcødé 日本 😀", "<News> & \"Views\" 'quoted'");
  add_section (opml, "Empty", NULL);
  add_feed (opml, "https://a.example/feed?x=1&y=<2>", "Tom & Jerry's \"<b>bold</b>\"",
            "https://a.example/?q=\"&\"", "<News> & \"Views\" 'quoted'", NULL);
  add_feed (opml, "https://b.example/rss", "Tab\there\nnewline\rreturn", NULL,
            "Ünïcødé 日本 😀", "<News> & \"Views\" 'quoted'");
  add_feed (opml, "https://c.example/atom", "]]> --> <!-- &amp;", NULL, NULL, NULL);
  /* A carriage return in element text too (a reader would turn a raw one,
   * or a CR LF, into a line feed); found by fuzz-opml. */
  g_free (opml->title);
  opml->title = g_strdup ("Lines\r\nand\rreturns");
  read = write_and_read (opml, &text);

  assert_same_subscriptions (opml, read);
  g_assert_cmpstr (read->title, ==, opml->title);
  /* Non-ASCII is written as it is, in UTF-8. */
  g_assert_nonnull (strstr (text, "Ünïcødé 日本 😀"));
}

static void
test_round_trip_fixture (void)
{
  g_autoptr(TidingsOpml) nested = parse_fixture ("opml20-nested.opml");
  g_autoptr(TidingsOpml) read = NULL;
  g_autoptr(TidingsOpml) again = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  read = write_and_read (nested, &first);
  /* Grouped by section: the same sections, the same feeds in each. */
  g_assert_cmpuint (read->sections->len, ==, nested->sections->len);
  g_assert_cmpuint (read->feeds->len, ==, nested->feeds->len);
  for (guint i = 0; i < nested->feeds->len; i++)
    {
      TidingsOpmlFeed *feed = nested->feeds->pdata[i];
      TidingsOpmlFeed *copy = find_feed (read, feed->url);

      g_assert_nonnull (copy);
      g_assert_cmpstr (copy->title, ==, feed->title);
      g_assert_cmpstr (copy->section, ==, feed->section);
      g_assert_cmpstr (copy->parent, ==, feed->parent);
    }
  for (guint i = 0; i < nested->sections->len; i++)
    {
      TidingsOpmlSection *section = nested->sections->pdata[i];
      gboolean found = FALSE;

      for (guint j = 0; j < read->sections->len && !found; j++)
        {
          TidingsOpmlSection *copy = read->sections->pdata[j];

          found = g_strcmp0 (copy->title, section->title) == 0 &&
                  g_strcmp0 (copy->parent, section->parent) == 0;
        }
      g_assert_true (found);
    }

  /* Once written, what is read back is written again the same way. */
  again = write_and_read (read, &second);
  assert_same_subscriptions (read, again);
}

static void
test_write_sanitises (void)
{
  g_autoptr(TidingsOpml) opml = tidings_opml_new ();
  g_autoptr(TidingsOpml) read = NULL;
  TidingsOpmlFeed *feed;

  /* Control characters cannot be written in XML 1.0; invalid UTF-8 is
   * repaired. Either would make a file no reader accepts. */
  add_feed (opml, "https://ctl.example/", "Bell\a and \x01 \xff\xfe bytes", NULL, "Sec\x02tion",
            NULL);
  /* A section named only by its feeds is written all the same. */
  add_feed (opml, "https://implied.example/", "Implied", NULL, "Child", "Parent");
  read = write_and_read (opml, NULL);

  g_assert_cmpuint (read->feeds->len, ==, 2);
  feed = find_feed (read, "https://ctl.example/");
  g_assert_nonnull (feed);
  g_assert_true (g_utf8_validate (feed->title, -1, NULL));
  g_assert_true (g_str_has_prefix (feed->title, "Bell and  "));
  g_assert_cmpstr (feed->section, ==, "Section");
  feed = find_feed (read, "https://implied.example/");
  g_assert_cmpstr (feed->section, ==, "Child");
  g_assert_cmpstr (feed->parent, ==, "Parent");
  g_assert_cmpuint (read->sections->len, ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/opml/read/opml10-flat", test_opml10_flat);
  g_test_add_func ("/opml/read/opml20-nested", test_opml20_nested);
  g_test_add_func ("/opml/read/tabs-in-addresses", test_tabs_in_addresses);
  g_test_add_func ("/opml/read/liferea", test_liferea);
  g_test_add_func ("/opml/read/newsboat", test_newsboat);
  g_test_add_func ("/opml/read/feed-aliases", test_feed_aliases);
  g_test_add_func ("/opml/read/duplicates", test_duplicates);
  g_test_add_func ("/opml/read/entities", test_entities);
  g_test_add_func ("/opml/read/latin1", test_latin1);
  g_test_add_func ("/opml/read/utf16", test_utf16);
  g_test_add_func ("/opml/read/empty-body", test_empty_body);
  g_test_add_func ("/opml/read/many-warnings", test_many_warnings);
  g_test_add_func ("/opml/read/long-names", test_long_names_shortened);
  g_test_add_func ("/opml/refuse/billion-laughs", test_billion_laughs);
  g_test_add_func ("/opml/refuse/external-entity", test_external_entity);
  g_test_add_func ("/opml/refuse/external-dtd", test_external_dtd);
  g_test_add_func ("/opml/refuse/malformed", test_malformed);
  g_test_add_func ("/opml/refuse/malformed-message", test_malformed_message_is_text);
  g_test_add_func ("/opml/refuse/not-opml", test_not_opml);
  g_test_add_func ("/opml/refuse/empty", test_empty_and_text);
  g_test_add_func ("/opml/refuse/too-many-feeds", test_too_many_feeds);
  g_test_add_func ("/opml/refuse/deep-nesting", test_deep_nesting);
  g_test_add_func ("/opml/refuse/too-many-bytes", test_too_many_bytes);
  g_test_add_func ("/opml/write/shape", test_write_shape);
  g_test_add_func ("/opml/write/round-trip-escaping", test_round_trip_escaping);
  g_test_add_func ("/opml/write/round-trip-fixture", test_round_trip_fixture);
  g_test_add_func ("/opml/write/sanitises", test_write_sanitises);

  return g_test_run ();
}
