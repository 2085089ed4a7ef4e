/* tidings-feed.c: the normalised form of a feed and its items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-feed"

#include "config.h"

#include "tidings-feed.h"
#include "tidings-sanitize.h"
#include "tidings-uri.h"

#define MAX_WARNING_CHARS 200

const char *
tidings_feed_format_to_string (TidingsFeedFormat format)
{
  switch (format)
    {
    case TIDINGS_FEED_FORMAT_RSS090: return "rss0.90";
    case TIDINGS_FEED_FORMAT_RSS091: return "rss0.91";
    case TIDINGS_FEED_FORMAT_RSS092: return "rss0.92";
    case TIDINGS_FEED_FORMAT_RSS093: return "rss0.93";
    case TIDINGS_FEED_FORMAT_RSS094: return "rss0.94";
    case TIDINGS_FEED_FORMAT_RSS20:  return "rss2.0";
    case TIDINGS_FEED_FORMAT_RSS:    return "rss";
    case TIDINGS_FEED_FORMAT_RDF:    return "rdf";
    case TIDINGS_FEED_FORMAT_ATOM03: return "atom0.3";
    case TIDINGS_FEED_FORMAT_ATOM10: return "atom1.0";
    case TIDINGS_FEED_FORMAT_JSON10: return "json1.0";
    case TIDINGS_FEED_FORMAT_JSON11: return "json1.1";
    case TIDINGS_FEED_FORMAT_CDF:    return "cdf";
    case TIDINGS_FEED_FORMAT_UNKNOWN:
    default:
      return "unknown";
    }
}

TidingsAuthor *
tidings_author_new (void)
{
  return g_new0 (TidingsAuthor, 1);
}

void
tidings_author_free (TidingsAuthor *author)
{
  if (author == NULL)
    return;
  g_free (author->name);
  g_free (author->url);
  g_free (author->avatar);
  g_free (author);
}

static TidingsAuthor *
tidings_author_copy (const TidingsAuthor *author)
{
  TidingsAuthor *copy = tidings_author_new ();

  copy->name = g_strdup (author->name);
  copy->url = g_strdup (author->url);
  copy->avatar = g_strdup (author->avatar);
  return copy;
}

TidingsAttachment *
tidings_attachment_new (void)
{
  TidingsAttachment *attachment = g_new0 (TidingsAttachment, 1);

  attachment->size_in_bytes = -1;
  attachment->duration_in_seconds = -1;
  return attachment;
}

void
tidings_attachment_free (TidingsAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->url);
  g_free (attachment->mime_type);
  g_free (attachment->title);
  g_free (attachment);
}

static TidingsAttachment *
tidings_attachment_copy (const TidingsAttachment *attachment)
{
  TidingsAttachment *copy = tidings_attachment_new ();

  copy->url = g_strdup (attachment->url);
  copy->mime_type = g_strdup (attachment->mime_type);
  copy->title = g_strdup (attachment->title);
  copy->size_in_bytes = attachment->size_in_bytes;
  copy->duration_in_seconds = attachment->duration_in_seconds;
  return copy;
}

G_DEFINE_BOXED_TYPE (TidingsItem, tidings_item, tidings_item_copy, tidings_item_free)

TidingsItem *
tidings_item_new (void)
{
  TidingsItem *item = g_new0 (TidingsItem, 1);

  item->date_published = TIDINGS_DATE_UNSET;
  item->date_modified = TIDINGS_DATE_UNSET;
  item->authors = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_author_free);
  item->tags = g_ptr_array_new_with_free_func (g_free);
  item->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_attachment_free);
  return item;
}

TidingsItem *
tidings_item_copy (const TidingsItem *item)
{
  TidingsItem *copy;

  g_return_val_if_fail (item != NULL, NULL);

  copy = tidings_item_new ();
  copy->id = g_strdup (item->id);
  copy->url = g_strdup (item->url);
  copy->external_url = g_strdup (item->external_url);
  copy->title = g_strdup (item->title);
  copy->content_html = g_strdup (item->content_html);
  copy->content_text = g_strdup (item->content_text);
  copy->summary = g_strdup (item->summary);
  copy->image = g_strdup (item->image);
  copy->language = g_strdup (item->language);
  copy->date_published = item->date_published;
  copy->date_modified = item->date_modified;
  for (guint i = 0; i < item->authors->len; i++)
    g_ptr_array_add (copy->authors, tidings_author_copy (item->authors->pdata[i]));
  for (guint i = 0; i < item->tags->len; i++)
    g_ptr_array_add (copy->tags, g_strdup (item->tags->pdata[i]));
  for (guint i = 0; i < item->attachments->len; i++)
    g_ptr_array_add (copy->attachments, tidings_attachment_copy (item->attachments->pdata[i]));
  copy->base = g_strdup (item->base);
  copy->summary_is_html = item->summary_is_html;
  return copy;
}

void
tidings_item_free (TidingsItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->url);
  g_free (item->external_url);
  g_free (item->title);
  g_free (item->content_html);
  g_free (item->content_text);
  g_free (item->summary);
  g_free (item->image);
  g_free (item->language);
  g_free (item->base);
  g_ptr_array_unref (item->authors);
  g_ptr_array_unref (item->tags);
  g_ptr_array_unref (item->attachments);
  g_free (item);
}

void
tidings_item_add_tag (TidingsItem *item,
                      const char  *tag)
{
  g_return_if_fail (item != NULL);

  if (tag == NULL || *tag == '\0')
    return;
  /* A hostile feed could send thousands; no reader needs more than this. */
  if (item->tags->len >= TIDINGS_MAX_TAGS)
    return;
  for (guint i = 0; i < item->tags->len; i++)
    if (g_strcmp0 (item->tags->pdata[i], tag) == 0)
      return;
  g_ptr_array_add (item->tags, g_strdup (tag));
}

gboolean
tidings_item_is_empty (const TidingsItem *item)
{
  return item->id == NULL && item->url == NULL && item->external_url == NULL &&
         item->title == NULL && item->content_html == NULL && item->content_text == NULL &&
         item->summary == NULL && item->image == NULL &&
         item->date_published == TIDINGS_DATE_UNSET &&
         item->date_modified == TIDINGS_DATE_UNSET && item->authors->len == 0 &&
         item->tags->len == 0 && item->attachments->len == 0;
}

static void
vet_uri (char          **uri,
         const char     *base,
         TidingsUriUse   use)
{
  char *vetted;

  if (*uri == NULL)
    return;
  vetted = tidings_uri_resolve_allowed (base, *uri, use);
  g_free (*uri);
  *uri = vetted;
}

static void
clear_if_blank (char **text)
{
  if (*text != NULL && **text == '\0')
    g_clear_pointer (text, g_free);
}

void
tidings_item_normalise (TidingsItem *item)
{
  const char *base;

  g_return_if_fail (item != NULL);

  base = item->base;

  vet_uri (&item->url, base, TIDINGS_URI_LINK);
  vet_uri (&item->external_url, base, TIDINGS_URI_LINK);
  vet_uri (&item->image, base, TIDINGS_URI_IMAGE);
  for (guint i = 0; i < item->authors->len; i++)
    {
      TidingsAuthor *author = item->authors->pdata[i];

      vet_uri (&author->url, base, TIDINGS_URI_LINK);
      vet_uri (&author->avatar, base, TIDINGS_URI_IMAGE);
    }
  for (guint i = item->attachments->len; i > 0; i--)
    {
      TidingsAttachment *attachment = item->attachments->pdata[i - 1];

      /* A download must come from the web, never file: or a script. */
      vet_uri (&attachment->url, base, TIDINGS_URI_LINK);
      if (attachment->url == NULL || g_str_has_prefix (attachment->url, "mailto:"))
        g_ptr_array_remove_index (item->attachments, i - 1);
    }

  if (item->title != NULL)
    tidings_collapse_space (item->title);
  clear_if_blank (&item->title);

  /* The same item must keep the same id on every refresh: without one from
   * the publisher, its link is the next most stable thing, then a digest of
   * what it says (as published, so that a change in our sanitiser does not
   * change ids). */
  if (item->id != NULL)
    tidings_collapse_space (item->id);
  clear_if_blank (&item->id);
  if (item->id == NULL && item->url != NULL)
    item->id = g_strdup (item->url);
  if (item->id == NULL)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      char date[32];

      g_snprintf (date, sizeof date, "%" G_GINT64_FORMAT, item->date_published != TIDINGS_DATE_UNSET
                  ? item->date_published : item->date_modified);
      if (item->title != NULL)
        g_checksum_update (checksum, (const guchar *) item->title, -1);
      g_checksum_update (checksum, (const guchar *) "", 1);
      g_checksum_update (checksum, (const guchar *) date, -1);
      g_checksum_update (checksum, (const guchar *) "", 1);
      if (item->content_html != NULL)
        g_checksum_update (checksum, (const guchar *) item->content_html, -1);
      else if (item->content_text != NULL)
        g_checksum_update (checksum, (const guchar *) item->content_text, -1);
      if (item->attachments->len > 0)
        {
          TidingsAttachment *attachment = item->attachments->pdata[0];

          g_checksum_update (checksum, (const guchar *) attachment->url, -1);
        }
      item->id = g_strconcat ("tidings:", g_checksum_get_string (checksum), NULL);
    }


  if (item->content_html != NULL)
    {
      char *clean = tidings_sanitize_html (item->content_html, -1, base);

      g_free (item->content_html);
      item->content_html = clean;
      clear_if_blank (&item->content_html);
    }
  clear_if_blank (&item->content_text);
  if (item->content_html == NULL && item->content_text != NULL)
    item->content_html = tidings_text_to_html (item->content_text);

  if (item->summary != NULL)
    {
      if (item->summary_is_html)
        {
          char *text = tidings_html_to_text (item->summary, -1);

          g_free (item->summary);
          item->summary = text;
        }
      else
        tidings_collapse_space (item->summary);
      clear_if_blank (&item->summary);
    }
  item->summary_is_html = FALSE;

  if (item->date_published == TIDINGS_DATE_UNSET)
    item->date_published = item->date_modified;

  g_clear_pointer (&item->base, g_free);
}

TidingsFeed *
tidings_feed_new (void)
{
  TidingsFeed *feed = g_new0 (TidingsFeed, 1);

  feed->date_modified = TIDINGS_DATE_UNSET;
  feed->authors = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_author_free);
  feed->warnings = g_ptr_array_new_with_free_func (g_free);
  return feed;
}

void
tidings_feed_free (TidingsFeed *feed)
{
  if (feed == NULL)
    return;
  g_free (feed->title);
  g_free (feed->home_page_url);
  g_free (feed->feed_url);
  g_free (feed->description);
  g_free (feed->icon);
  g_free (feed->favicon);
  g_free (feed->language);
  g_ptr_array_unref (feed->authors);
  g_ptr_array_unref (feed->warnings);
  g_free (feed);
}

void
tidings_feed_normalise (TidingsFeed *feed,
                        const char  *base)
{
  g_return_if_fail (feed != NULL);

  vet_uri (&feed->home_page_url, base, TIDINGS_URI_LINK);
  vet_uri (&feed->feed_url, base, TIDINGS_URI_LINK);
  if (feed->feed_url != NULL && g_str_has_prefix (feed->feed_url, "mailto:"))
    g_clear_pointer (&feed->feed_url, g_free);
  vet_uri (&feed->icon, base, TIDINGS_URI_IMAGE);
  vet_uri (&feed->favicon, base, TIDINGS_URI_IMAGE);
  for (guint i = 0; i < feed->authors->len; i++)
    {
      TidingsAuthor *author = feed->authors->pdata[i];

      vet_uri (&author->url, base, TIDINGS_URI_LINK);
      vet_uri (&author->avatar, base, TIDINGS_URI_IMAGE);
    }

  if (feed->title != NULL)
    tidings_collapse_space (feed->title);
  clear_if_blank (&feed->title);
  if (feed->description != NULL)
    tidings_collapse_space (feed->description);
  clear_if_blank (&feed->description);
  if (feed->language != NULL)
    g_strdelimit (g_strstrip (feed->language), "_", '-');
  clear_if_blank (&feed->language);
}

void
tidings_feed_add_warning (TidingsFeed *feed,
                          const char  *format,
                          ...)
{
  va_list args;
  g_autofree char *formatted = NULL;
  char *message;

  g_return_if_fail (feed != NULL);

  va_start (args, format);
  formatted = g_strdup_vprintf (format, args);
  va_end (args);

  /* Messages quote the document (libxml2 cuts its excerpts anywhere, even
   * inside a character): keep them short and valid UTF-8. */
  message = g_utf8_make_valid (formatted, -1);
  if (g_utf8_strlen (message, -1) > MAX_WARNING_CHARS)
    {
      char *cut = g_utf8_offset_to_pointer (message, MAX_WARNING_CHARS);
      char *shortened;

      *cut = '\0';
      shortened = g_strconcat (message, "\xe2\x80\xa6", NULL);
      g_free (message);
      message = shortened;
    }

  /* A broken feed can repeat the same fault thousands of times; one line each
   * is enough, and a cap keeps a hostile document from growing the list. */
  for (guint i = 0; i < feed->warnings->len; i++)
    if (g_str_equal (feed->warnings->pdata[i], message))
      {
        g_free (message);
        return;
      }
  if (feed->warnings->len >= 50)
    {
      g_free (message);
      return;
    }
  g_ptr_array_add (feed->warnings, message);
}
