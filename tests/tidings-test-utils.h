/* tidings-test-utils.h: helpers shared by the core's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>

#include "tidings-date.h"
#include "tidings-parser.h"

/* Parses a document held in memory; fails the test when it is unreadable. */
static inline TidingsFeed *
parse_string (const char  *document,
              gssize       len,
              const char  *base_url,
              GPtrArray  **items)
{
  g_autoptr(GError) error = NULL;
  TidingsFeed *feed;

  if (len < 0)
    len = strlen (document);
  feed = tidings_parse_data (document, len, base_url, items, &error);
  g_assert_no_error (error);
  g_assert_nonnull (feed);
  return feed;
}

static inline TidingsFeed *
parse_fixture (const char  *name,
               const char  *base_url,
               GPtrArray  **items)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "xml", name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return parse_string (contents, len, base_url, items);
}

static inline TidingsItem *
item_at (GPtrArray *items,
         guint      index)
{
  g_assert_cmpuint (index, <, items->len);
  return items->pdata[index];
}

/* Asserts that @usec is the instant written as RFC 3339 in @expected. */
#define assert_date(usec, expected) \
  G_STMT_START { \
    g_autofree char *_formatted = tidings_date_format (usec); \
    g_assert_cmpstr (_formatted, ==, expected); \
  } G_STMT_END

static inline gboolean
has_warning (TidingsFeed *feed,
             const char  *fragment)
{
  for (guint i = 0; i < feed->warnings->len; i++)
    if (strstr (feed->warnings->pdata[i], fragment) != NULL)
      return TRUE;
  return FALSE;
}
