/* fuzz-opml.c: subscription lists from arbitrary bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tidings_opml_parse() either refuses the input with a TIDINGS_OPML_ERROR or
 * gives sections and feeds that hold: valid UTF-8 everywhere, http(s)
 * addresses only, no address twice, every feed in a section that was read,
 * sections at most two deep. What tidings_opml_write() makes of them reads
 * back without a warning as the same sections and feeds.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "tidings-opml.h"
#include "tidings-fuzz.h"

G_GNUC_NORETURN static void
fail (const char *why,
      const char *detail)
{
  fprintf (stderr, "fuzz-opml: %s: %s\n", why, detail != NULL ? detail : "(null)");
  abort ();
}

static void
check_text (const char *text,
            gboolean    may_be_null)
{
  if (text == NULL)
    {
      if (!may_be_null)
        fail ("missing text", NULL);
      return;
    }
  if (!g_utf8_validate (text, -1, NULL))
    fail ("invalid UTF-8", text);
}

static gboolean
is_http (const char *url)
{
  return g_ascii_strncasecmp (url, "http://", 7) == 0 ||
         g_ascii_strncasecmp (url, "https://", 8) == 0;
}

static TidingsOpmlSection *
find_section (TidingsOpml *opml,
              const char  *title,
              const char  *parent)
{
  for (guint i = 0; i < opml->sections->len; i++)
    {
      TidingsOpmlSection *section = opml->sections->pdata[i];

      if (g_strcmp0 (section->title, title) == 0 && g_strcmp0 (section->parent, parent) == 0)
        return section;
    }
  return NULL;
}

static TidingsOpmlFeed *
find_feed (TidingsOpml *opml,
           const char  *url)
{
  for (guint i = 0; i < opml->feeds->len; i++)
    {
      TidingsOpmlFeed *feed = opml->feeds->pdata[i];

      if (strcmp (feed->url, url) == 0)
        return feed;
    }
  return NULL;
}

static void
check_opml (TidingsOpml *opml)
{
  g_autoptr(GHashTable) urls = g_hash_table_new (g_str_hash, g_str_equal);

  check_text (opml->title, TRUE);
  for (guint i = 0; i < opml->warnings->len; i++)
    check_text (opml->warnings->pdata[i], FALSE);

  for (guint i = 0; i < opml->sections->len; i++)
    {
      TidingsOpmlSection *section = opml->sections->pdata[i];

      check_text (section->title, FALSE);
      check_text (section->parent, TRUE);
      if (section->parent != NULL)
        {
          TidingsOpmlSection *parent = find_section (opml, section->parent, NULL);

          /* Parents come first, and are top-level. */
          if (parent == NULL)
            fail ("section without its parent", section->title);
          for (guint j = i; j < opml->sections->len; j++)
            if (opml->sections->pdata[j] == parent)
              fail ("parent after its child", section->title);
        }
    }

  if (opml->feeds->len > TIDINGS_OPML_MAX_FEEDS)
    fail ("more feeds than the cap", NULL);
  for (guint i = 0; i < opml->feeds->len; i++)
    {
      TidingsOpmlFeed *feed = opml->feeds->pdata[i];

      check_text (feed->url, FALSE);
      check_text (feed->title, TRUE);
      check_text (feed->site_url, TRUE);
      check_text (feed->section, TRUE);
      check_text (feed->parent, TRUE);
      if (!is_http (feed->url))
        fail ("feed address not http(s)", feed->url);
      if (feed->site_url != NULL && !is_http (feed->site_url))
        fail ("site address not http(s)", feed->site_url);
      if (!g_hash_table_add (urls, feed->url))
        fail ("address twice", feed->url);
      if (feed->section == NULL && feed->parent != NULL)
        fail ("parent without a section", feed->parent);
      if (feed->section != NULL && find_section (opml, feed->section, feed->parent) == NULL)
        fail ("feed in a section not read", feed->section);
    }
}

static void
check_round_trip (TidingsOpml *opml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsOpml) again = NULL;
  g_autofree char *written = NULL;
  gsize len = 0;

  written = tidings_opml_write (opml, &len);
  if (written == NULL || strlen (written) != len || !g_utf8_validate (written, len, NULL))
    fail ("write gave no valid text", written);

  again = tidings_opml_parse (written, len, &error);
  if (again == NULL)
    fail (error->message, written);
  check_opml (again);
  if (again->warnings->len > 0)
    fail ("warnings reading what was written", again->warnings->pdata[0]);
  if (opml->title != NULL && g_strcmp0 (opml->title, again->title) != 0)
    fail ("title changed", written);

  if (again->sections->len != opml->sections->len)
    fail ("not the same number of sections", written);
  for (guint i = 0; i < opml->sections->len; i++)
    {
      TidingsOpmlSection *section = opml->sections->pdata[i];

      if (find_section (again, section->title, section->parent) == NULL)
        fail ("section lost", section->title);
    }

  if (again->feeds->len != opml->feeds->len)
    fail ("not the same number of feeds", written);
  for (guint i = 0; i < opml->feeds->len; i++)
    {
      TidingsOpmlFeed *feed = opml->feeds->pdata[i];
      TidingsOpmlFeed *copy = find_feed (again, feed->url);

      if (copy == NULL)
        fail ("feed lost", feed->url);
      if (g_strcmp0 (feed->title, copy->title) != 0 ||
          g_strcmp0 (feed->site_url, copy->site_url) != 0 ||
          g_strcmp0 (feed->section, copy->section) != 0 ||
          g_strcmp0 (feed->parent, copy->parent) != 0)
        fail ("feed changed", feed->url);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsOpml) opml = NULL;

  /* Keep each run short: libFuzzer finds the same paths in small inputs. */
  if (size > 256 * 1024)
    return 0;

  opml = tidings_opml_parse ((const char *) data, size, &error);
  if (opml == NULL)
    {
      if (error == NULL || error->domain != TIDINGS_OPML_ERROR)
        fail ("refused without a TIDINGS_OPML_ERROR", error != NULL ? error->message : NULL);
      check_text (error->message, FALSE);
      return 0;
    }
  if (error != NULL)
    fail ("an error with a result", error->message);

  check_opml (opml);
  check_round_trip (opml);
  return 0;
}
