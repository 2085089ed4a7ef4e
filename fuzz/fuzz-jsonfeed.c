/* fuzz-jsonfeed.c: libFuzzer target for the JSON Feed reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-fuzz"

#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tidings-jsonfeed.h"
#include "tidings-parser.h"
#include "tidings-fuzz.h"

/* Touches every string the reader produced, so that ASan sees a read of any
 * one that is dangling or unterminated, then frees the item. */
static void
check_item (TidingsItem *item,
            gpointer     user_data)
{
  gsize *total = user_data;
  const char *strings[] = {
    item->id, item->url, item->external_url, item->title, item->content_html,
    item->content_text, item->summary, item->image, item->language,
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i] != NULL)
      {
        g_assert (g_utf8_validate (strings[i], -1, NULL));
        *total += strlen (strings[i]);
      }
  for (guint i = 0; i < item->authors->len; i++)
    {
      TidingsAuthor *author = item->authors->pdata[i];

      g_assert (author->name != NULL || author->url != NULL || author->avatar != NULL);
    }
  for (guint i = 0; i < item->tags->len; i++)
    g_assert (g_utf8_validate (item->tags->pdata[i], -1, NULL));
  for (guint i = 0; i < item->attachments->len; i++)
    {
      TidingsAttachment *attachment = item->attachments->pdata[i];

      g_assert (attachment->url != NULL);
      g_assert (attachment->size_in_bytes >= -1);
      g_assert (attachment->duration_in_seconds >= -1);
    }
  g_assert (item->base == NULL);

  tidings_item_free (item);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(TidingsFeed) feed = tidings_feed_new ();
  g_autoptr(GError) error = NULL;
  gsize total = 0;
  gboolean ok;

  ok = _tidings_jsonfeed_parse ((const char *) data, size, feed, check_item, &total, &error);
  g_assert (ok == (error == NULL));
  for (guint i = 0; i < feed->warnings->len; i++)
    g_assert (g_utf8_validate (feed->warnings->pdata[i], -1, NULL));
  if (ok)
    {
      g_assert (feed->format == TIDINGS_FEED_FORMAT_JSON10 ||
                feed->format == TIDINGS_FEED_FORMAT_JSON11);
      if (feed->title != NULL)
        g_assert (g_utf8_validate (feed->title, -1, NULL));
    }
  else
    {
      g_assert (error->domain == TIDINGS_PARSE_ERROR);
    }

  return 0;
}
