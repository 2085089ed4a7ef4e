/* tidings-parser.c: any feed document in, normalised items out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Detects the format from the content (never the file name), drives the XML
 * or JSON Feed parser, and normalises the items they produce. Normalising
 * (mostly sanitising HTML) costs more than parsing, so with more than one
 * thread items go to a pool in batches while the parser reads on; batches
 * are delivered in document order, and only a few are ever in flight, so a
 * feed of any size is never held whole.
 */

#define G_LOG_DOMAIN "tidings-parser"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tidings-jsonfeed.h"
#include "tidings-parser.h"
#include "tidings-xml-input.h"
#include "tidings-xml-parser.h"

G_DEFINE_QUARK (tidings-parse-error-quark, tidings_parse_error)

#define BATCH_SIZE 32
/* JSON Feeds are parsed whole; beyond this they are refused. */
#define MAX_JSON_SIZE (512 * 1024 * 1024)

typedef enum
{
  KIND_UNKNOWN,
  KIND_XML,
  KIND_JSON,
} Kind;

typedef struct
{
  GPtrArray *items;
  guint      refs;      /* the queue's and the pool task's; under the lock */
  gboolean   claimed;   /* a thread is normalising it */
  gboolean   done;
} Batch;

struct _TidingsParser
{
  char             *base_url;
  TidingsItemFunc   item_func;
  gpointer          user_data;
  TidingsFeed      *feed;
  Kind              kind;
  GByteArray       *pending;    /* bytes before the kind is known; the whole JSON document */
  gboolean          finished;
  GError           *error;

  TidingsXmlInput  *input;
  TidingsXmlParser *xml;
  GString          *decoded;

  guint             n_threads;
  GThreadPool      *pool;
  GMutex            lock;
  GCond             cond;
  GQueue            batches;    /* Batch, oldest first */
  Batch            *current;
};

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->items);
  g_free (batch);
}

/* Drops one reference; call with the lock held. The batch outlives its
 * delivery while the pool still holds its task, and the other way round. */
static gboolean
batch_release (Batch *batch)
{
  g_assert (batch->refs > 0);
  return --batch->refs == 0;
}

/* Called with the lock held, which it drops while working. */
static void
normalise_claimed_batch (TidingsParser *self,
                         Batch         *batch)
{
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < batch->items->len; i++)
    tidings_item_normalise (batch->items->pdata[i]);
  g_mutex_lock (&self->lock);
  batch->done = TRUE;
  g_cond_broadcast (&self->cond);
}

static void
normalise_batch (gpointer data,
                 gpointer user_data)
{
  Batch *batch = data;
  TidingsParser *self = user_data;

  gboolean last;

  g_mutex_lock (&self->lock);
  /* The parsing thread may have taken it while waiting. */
  if (!batch->claimed)
    {
      batch->claimed = TRUE;
      normalise_claimed_batch (self, batch);
    }
  last = batch_release (batch);
  g_mutex_unlock (&self->lock);

  if (last)
    batch_free (batch);
}

/* Rather than sit idle, the parsing thread normalises the oldest batch no
 * worker has started. Called with the lock held. */
static gboolean
help_with_a_batch (TidingsParser *self)
{
  for (GList *l = self->batches.head; l != NULL; l = l->next)
    {
      Batch *batch = l->data;

      if (!batch->claimed)
        {
          batch->claimed = TRUE;
          normalise_claimed_batch (self, batch);
          return TRUE;
        }
    }
  return FALSE;
}

/* Hands finished batches to the caller, in order. With @wait_for > 0, waits
 * until at most that many batches are still in flight. */
static void
deliver_batches (TidingsParser *self,
                 guint          wait_for)
{
  for (;;)
    {
      Batch *head;
      gboolean last;

      g_mutex_lock (&self->lock);
      head = g_queue_peek_head (&self->batches);
      while (head != NULL && !head->done && self->batches.length > wait_for)
        {
          if (!help_with_a_batch (self))
            g_cond_wait (&self->cond, &self->lock);
        }
      if (head == NULL || !head->done)
        {
          g_mutex_unlock (&self->lock);
          return;
        }
      g_queue_pop_head (&self->batches);
      g_mutex_unlock (&self->lock);

      for (guint i = 0; i < head->items->len; i++)
        self->item_func (g_steal_pointer (&head->items->pdata[i]), self->user_data);

      g_mutex_lock (&self->lock);
      last = batch_release (head);
      g_mutex_unlock (&self->lock);
      if (last)
        batch_free (head);
    }
}

static void
submit_batch (TidingsParser *self)
{
  Batch *batch = g_steal_pointer (&self->current);

  if (batch == NULL)
    return;

  g_mutex_lock (&self->lock);
  batch->refs = 2;
  g_queue_push_tail (&self->batches, batch);
  g_mutex_unlock (&self->lock);
  g_thread_pool_push (self->pool, batch, NULL);

  deliver_batches (self, 4 * self->n_threads);
}

/* JSON has no xml:base: relative URLs in a JSON Feed are taken relative to
 * where it was fetched, else to the addresses it gives for itself. */
static const char *
json_base (TidingsParser *self)
{
  if (self->base_url != NULL && (g_str_has_prefix (self->base_url, "http://") ||
                                 g_str_has_prefix (self->base_url, "https://")))
    return self->base_url;
  if (self->feed->feed_url != NULL)
    return self->feed->feed_url;
  return self->feed->home_page_url;
}

static void
on_item (TidingsItem *item,
         gpointer     user_data)
{
  TidingsParser *self = user_data;

  if (self->kind == KIND_JSON && item->base == NULL)
    item->base = g_strdup (json_base (self));

  if (self->pool == NULL)
    {
      tidings_item_normalise (item);
      self->item_func (item, self->user_data);
      return;
    }

  if (self->current == NULL)
    {
      self->current = g_new0 (Batch, 1);
      self->current->items = g_ptr_array_new_full (BATCH_SIZE,
                                                   (GDestroyNotify) tidings_item_free);
    }
  g_ptr_array_add (self->current->items, item);
  if (self->current->items->len >= BATCH_SIZE)
    submit_batch (self);
}

TidingsParser *
tidings_parser_new (const char      *base_url,
                    TidingsItemFunc  item_func,
                    gpointer         user_data)
{
  TidingsParser *self;

  g_return_val_if_fail (item_func != NULL, NULL);

  self = g_new0 (TidingsParser, 1);
  self->base_url = g_strdup (base_url);
  self->item_func = item_func;
  self->user_data = user_data;
  self->feed = tidings_feed_new ();
  self->pending = g_byte_array_new ();
  self->n_threads = 1;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->batches);
  return self;
}

void
tidings_parser_free (TidingsParser *self)
{
  if (self == NULL)
    return;

  if (self->pool != NULL)
    {
      /* Every task runs (and drops its reference) before this returns. */
      g_thread_pool_free (self->pool, FALSE, TRUE);
      g_queue_clear_full (&self->batches, (GDestroyNotify) batch_free);
    }
  g_clear_pointer (&self->current, batch_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_clear_pointer (&self->xml, _tidings_xml_parser_free);
  g_clear_pointer (&self->input, _tidings_xml_input_free);
  if (self->decoded != NULL)
    g_string_free (self->decoded, TRUE);
  g_byte_array_unref (self->pending);
  g_clear_pointer (&self->feed, tidings_feed_free);
  g_clear_error (&self->error);
  g_free (self->base_url);
  g_free (self);
}

void
tidings_parser_set_threads (TidingsParser *self,
                            guint          n_threads)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->pool == NULL);

  /* The calling thread is one of them: it parses, and normalises when the
   * others are behind. One thread per core, no more, is what runs best. */
  self->n_threads = MAX (n_threads, 1);
  if (self->n_threads > 1)
    self->pool = g_thread_pool_new (normalise_batch, self, self->n_threads - 1, FALSE, NULL);
}

/* The first byte that is not white space, a NUL of a wide encoding or part
 * of a byte order mark tells JSON (`{`) from XML (`<`). */
static Kind
sniff_kind (const guint8 *data,
            gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      switch (data[i])
        {
        case ' ': case '\t': case '\r': case '\n': case '\0':
        case 0xEF: case 0xBB: case 0xBF: case 0xFE: case 0xFF:
          continue;
        case '{':
        case '[':
          return KIND_JSON;
        default:
          return KIND_XML;
        }
    }
  return KIND_UNKNOWN;
}

static gboolean
push_xml (TidingsParser  *self,
          const char     *data,
          gsize           len,
          gboolean        last,
          GError        **error)
{
  gboolean ok;

  if (self->xml == NULL)
    {
      self->input = _tidings_xml_input_new ();
      self->decoded = g_string_sized_new (128 * 1024);
      self->xml = _tidings_xml_parser_new (self->feed, self->base_url, on_item, self);
    }

  _tidings_xml_input_push (self->input, data, len, last, self->decoded);
  ok = _tidings_xml_parser_push (self->xml, self->decoded->str, self->decoded->len, last, error);
  g_string_truncate (self->decoded, 0);
  return ok;
}

gboolean
tidings_parser_push (TidingsParser  *self,
                     const char     *data,
                     gsize           len,
                     GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  if (self->error != NULL)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }

  if (self->kind == KIND_UNKNOWN)
    {
      g_byte_array_append (self->pending, (const guint8 *) data, len);
      self->kind = sniff_kind (self->pending->data, self->pending->len);
      if (self->kind == KIND_XML)
        {
          g_autoptr(GByteArray) pending = g_steal_pointer (&self->pending);

          self->pending = g_byte_array_new ();
          if (!push_xml (self, (const char *) pending->data, pending->len, FALSE, &self->error))
            goto failed;
        }
      return TRUE;
    }

  if (self->kind == KIND_JSON)
    {
      if (self->pending->len + len > MAX_JSON_SIZE)
        {
          g_set_error (&self->error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_TOO_LARGE,
                       _("JSON Feed larger than %d MB"), MAX_JSON_SIZE / (1024 * 1024));
          goto failed;
        }
      g_byte_array_append (self->pending, (const guint8 *) data, len);
      return TRUE;
    }

  if (!push_xml (self, data, len, FALSE, &self->error))
    goto failed;
  return TRUE;

failed:
  if (error != NULL)
    *error = g_error_copy (self->error);
  return FALSE;
}

TidingsFeed *
tidings_parser_finish (TidingsParser  *self,
                       GError        **error)
{
  g_autofree char *base = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (!self->finished, NULL);

  self->finished = TRUE;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return NULL;
    }

  switch (self->kind)
    {
    case KIND_UNKNOWN:
      g_set_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_EMPTY,
                   /* Translators: said of a document with nothing in it. */
                   _("empty"));
      return NULL;

    case KIND_JSON:
      ok = _tidings_jsonfeed_parse ((const char *) self->pending->data, self->pending->len,
                                    self->feed, on_item, self, error);
      g_byte_array_set_size (self->pending, 0);
      break;

    case KIND_XML:
    default:
      ok = push_xml (self, NULL, 0, TRUE, error);
      if (!ok && !_tidings_xml_input_seen_markup (self->input))
        {
          g_clear_error (error);
          g_set_error (error, TIDINGS_PARSE_ERROR, TIDINGS_PARSE_ERROR_NOT_A_FEED,
                       _("not a feed: neither XML nor JSON"));
        }
      break;
    }

  if (self->pool != NULL)
    {
      submit_batch (self);
      deliver_batches (self, 0);
    }

  if (!ok)
    return NULL;

  /* A copy: the base may be the feed's own address, which normalising
   * replaces. */
  base = self->kind == KIND_JSON ? g_strdup (json_base (self)) : NULL;
  tidings_feed_normalise (self->feed, base);

  if (self->input != NULL)
    {
      TidingsXmlRepair repairs = _tidings_xml_input_get_repairs (self->input);

      /* A wrong charset label leaves the XML itself well-formed. */
      if ((repairs & ~TIDINGS_XML_REPAIR_WRONG_CHARSET) != 0)
        self->feed->recovered = TRUE;
      if (repairs & TIDINGS_XML_REPAIR_WRONG_CHARSET)
        tidings_feed_add_warning (self->feed, "Declared a single-byte character set, "
                                  "but is UTF-8; read as UTF-8");
      if (repairs & TIDINGS_XML_REPAIR_INVALID_BYTES)
        tidings_feed_add_warning (self->feed, "Bytes that are not %s were read as windows-1252",
                                  _tidings_xml_input_get_charset (self->input));
      if (repairs & TIDINGS_XML_REPAIR_UNKNOWN_CHARSET)
        tidings_feed_add_warning (self->feed, "Unknown character set, read as UTF-8");
      if (repairs & TIDINGS_XML_REPAIR_CONTROL_CHARS)
        tidings_feed_add_warning (self->feed, "Control characters removed");
      if (repairs & TIDINGS_XML_REPAIR_AMPERSAND)
        tidings_feed_add_warning (self->feed, "Bare “&” read as text");
      if (repairs & TIDINGS_XML_REPAIR_HTML_ENTITIES)
        tidings_feed_add_warning (self->feed, "Undeclared HTML entities read as characters");
      if (repairs & TIDINGS_XML_REPAIR_CHAR_REFS)
        tidings_feed_add_warning (self->feed, "Character references to control characters "
                                  "read as windows-1252");
      if (repairs & TIDINGS_XML_REPAIR_LEADING_JUNK)
        tidings_feed_add_warning (self->feed, "Text before the first tag ignored");
    }

  return g_steal_pointer (&self->feed);
}

static void
collect_item (TidingsItem *item,
              gpointer     user_data)
{
  g_ptr_array_add (user_data, item);
}

TidingsFeed *
tidings_parse_data (const char  *data,
                    gsize        len,
                    const char  *base_url,
                    GPtrArray  **items,
                    GError     **error)
{
  g_autoptr(GPtrArray) collected = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
  g_autoptr(TidingsParser) parser = tidings_parser_new (base_url, collect_item, collected);
  TidingsFeed *feed;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!tidings_parser_push (parser, data, len, error))
    return NULL;
  feed = tidings_parser_finish (parser, error);
  if (feed != NULL && items != NULL)
    *items = g_steal_pointer (&collected);
  return feed;
}
