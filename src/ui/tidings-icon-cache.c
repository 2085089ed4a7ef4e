/* tidings-icon-cache.c: feeds' icons as textures, shared by the window's lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One texture per feed, made on first asking and kept: the sidebar's row
 * and every article row of that feed draw the same one. Asking is cheap
 * (a hash lookup); what is asked for in one main-loop turn is read from the
 * library's reader in one call, then decoded on a worker thread, and the
 * rows are told through "changed". When a refresh stores new icons
 * (TIDINGS_LIBRARY_CHANGED_ICONS), the icons held are compared with the
 * store's by the time their bytes changed, and only those are read again.
 *
 * The bytes come from the web: they are decoded with a size set before any
 * pixel is, images of more than MAX_PIXELS are refused from their header,
 * and a GIF is cut to its first frame before the loader sees it, so that
 * no icon can take more than a few megabytes or long to decode.
 */

#define G_LOG_DOMAIN "tidings-icon-cache"

#include "config.h"

#include <string.h>

#include "tidings-icon-cache.h"
#include "tidings-icons.h"

/* The largest image decoded at all (4 MB of pixels while decoding). */
#define MAX_PIXELS (1024 * 1024)
#define FALLBACK_ICON "application-rss+xml-symbolic"

typedef struct
{
  gint64      id;
  GdkTexture *texture;      /* NULL: none, not decodable, or not loaded yet */
  gint64      changed_at;   /* of the bytes the texture came from */
  gboolean    queued;       /* a read for it is queued or under way */
} Entry;

struct _TidingsIconCache
{
  GObject         parent_instance;

  TidingsLibrary *library;
  GHashTable     *entries;        /* &Entry.id -> Entry */
  GArray         *queue;          /* gint64: ids to read next */
  guint           queue_source;
  guint           busy;           /* reads and decodes under way */
  gboolean        checking;       /* comparing with the store */
  gboolean        check_again;
};

G_DEFINE_FINAL_TYPE (TidingsIconCache, tidings_icon_cache, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->texture);
  g_free (entry);
}

/* ---- Decoding ---- */

/* The GIF in @data up to the end of its first image, with a trailer: an
 * animation of thousands of frames is then one frame. NULL when the
 * structure runs off the end before the first image is whole. */
static GBytes *
first_gif_frame (GBytes *data)
{
  gsize len;
  const guchar *p = g_bytes_get_data (data, &len);
  gsize at = 13;
  GByteArray *out;

  if (len < 13)
    return NULL;
  if (p[10] & 0x80)
    at += 3 * ((gsize) 1 << ((p[10] & 0x07) + 1));

  while (at < len)
    {
      guchar kind = p[at];

      if (kind == 0x21)            /* an extension: label, then sub-blocks */
        at += 2;
      else if (kind == 0x2c)       /* an image: descriptor, colours, LZW size, sub-blocks */
        {
          if (at + 10 > len)
            return NULL;
          if (p[at + 9] & 0x80)
            at += 3 * ((gsize) 1 << ((p[at + 9] & 0x07) + 1));
          at += 11;
        }
      else
        return NULL;

      while (at < len && p[at] != 0)
        at += (gsize) p[at] + 1;
      if (at >= len)
        return NULL;
      at++;   /* the block terminator */

      if (kind == 0x2c)
        {
          out = g_byte_array_sized_new (at + 1);
          g_byte_array_append (out, p, at);
          g_byte_array_append (out, (const guint8 *) "\x3b", 1);
          return g_byte_array_free_to_bytes (out);
        }
    }
  return NULL;
}

typedef struct
{
  int      size;
  gboolean refused;
} SizeRequest;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  SizeRequest     *request)
{
  double scale;

  /* Zero tells the loader to stop before it allocates anything. */
  if (width <= 0 || height <= 0 || (gint64) width * height > MAX_PIXELS)
    {
      request->refused = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }
  if (width <= request->size && height <= request->size)
    return;
  scale = (double) request->size / MAX (width, height);
  gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale + 0.5)),
                              MAX (1, (int) (height * scale + 0.5)));
}

GdkTexture *
_tidings_icon_cache_decode (GBytes  *data,
                            int      size,
                            GError **error)
{
  static const struct { const char *mime_type; const char *loader; } loaders[] = {
    { "image/png", "png" },
    { "image/vnd.microsoft.icon", "ico" },
    { "image/gif", "gif" },
    { "image/jpeg", "jpeg" },
    { "image/webp", "webp" },
  };
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) local_error = NULL;
  SizeRequest request = { size, FALSE };
  const char *mime_type;
  const char *type = NULL;
  GdkPixbuf *pixbuf;
  gboolean written;
  gboolean closed;
  gsize len;
  const void *bytes;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (size > 0, NULL);

  bytes = g_bytes_get_data (data, &len);
  mime_type = tidings_icon_sniff (bytes, len);
  for (guint i = 0; mime_type != NULL && i < G_N_ELEMENTS (loaders); i++)
    if (g_str_equal (mime_type, loaders[i].mime_type))
      type = loaders[i].loader;
  if (type == NULL)
    {
      g_set_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE,
                   "Not an image format icons come in");
      return NULL;
    }
  if (g_str_equal (type, "gif"))
    {
      frame = first_gif_frame (data);
      if (frame == NULL)
        {
          g_set_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE,
                       "The GIF ends before its first image");
          return NULL;
        }
      bytes = g_bytes_get_data (frame, &len);
    }

  loader = gdk_pixbuf_loader_new_with_type (type, error);
  if (loader == NULL)
    return NULL;
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &request);
  written = gdk_pixbuf_loader_write (loader, bytes, len, &local_error);
  /* Closed in any case, which a loader needs before it goes. */
  closed = gdk_pixbuf_loader_close (loader, written ? &local_error : NULL);
  if (request.refused)
    {
      g_set_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY,
                   "The image is too large to be an icon");
      return NULL;
    }
  if (!written || !closed)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE,
                   "The image holds no picture");
      return NULL;
    }
  /* Loaders that do not scale themselves leave it to the loader object,
   * which did; one that ignored the request is scaled here. */
  if (gdk_pixbuf_get_width (pixbuf) > size || gdk_pixbuf_get_height (pixbuf) > size)
    {
      g_autoptr(GdkPixbuf) scaled = NULL;
      int width = gdk_pixbuf_get_width (pixbuf);
      int height = gdk_pixbuf_get_height (pixbuf);
      double scale = (double) size / MAX (width, height);

      scaled = gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) (width * scale)),
                                        MAX (1, (int) (height * scale)), GDK_INTERP_BILINEAR);
      return gdk_texture_new_for_pixbuf (scaled);
    }
  return gdk_texture_new_for_pixbuf (pixbuf);
}

/* ---- Reading and decoding a batch ---- */

typedef struct
{
  gint64      id;
  gint64      changed_at;
  GdkTexture *texture;
} Decoded;

static void
decoded_free (Decoded *decoded)
{
  g_clear_object (&decoded->texture);
  g_free (decoded);
}

/* On the reader thread: the icons of the ids in @data, one TidingsIcon
 * each (without data when there is no image). */
static gpointer
read_icons (TidingsStore  *store,
            gpointer       data,
            GError       **error)
{
  GArray *ids = data;
  GPtrArray *icons = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_icon_free);

  (void) error;
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(GError) local_error = NULL;
      TidingsIcon *icon = tidings_store_get_icon (store, id, &local_error);

      if (icon == NULL)
        {
          if (local_error != NULL)
            g_debug ("Cannot read the icon of feed %" G_GINT64_FORMAT ": %s", id,
                     local_error->message);
          icon = g_new0 (TidingsIcon, 1);
          icon->subscription_id = id;
        }
      g_ptr_array_add (icons, icon);
    }
  return icons;
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GPtrArray *icons = task_data;
  GPtrArray *decoded = g_ptr_array_new_with_free_func ((GDestroyNotify) decoded_free);

  for (guint i = 0; i < icons->len; i++)
    {
      TidingsIcon *icon = icons->pdata[i];
      Decoded *one = g_new0 (Decoded, 1);

      one->id = icon->subscription_id;
      one->changed_at = icon->changed_at;
      if (icon->data != NULL)
        {
          g_autoptr(GError) error = NULL;

          one->texture = _tidings_icon_cache_decode (icon->data, TIDINGS_ICON_CACHE_SIZE, &error);
          if (one->texture == NULL)
            g_debug ("Cannot show the icon of feed %" G_GINT64_FORMAT ": %s", one->id,
                     error->message);
        }
      g_ptr_array_add (decoded, one);
    }
  g_task_return_pointer (task, decoded, (GDestroyNotify) g_ptr_array_unref);
}

static void
decoded_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  TidingsIconCache *self = TIDINGS_ICON_CACHE (source);
  g_autoptr(GPtrArray) decoded = g_task_propagate_pointer (G_TASK (result), NULL);
  gboolean changed = FALSE;

  (void) user_data;
  self->busy--;
  for (guint i = 0; decoded != NULL && i < decoded->len; i++)
    {
      Decoded *one = decoded->pdata[i];
      Entry *entry = g_hash_table_lookup (self->entries, &one->id);

      if (entry == NULL)
        continue;
      entry->queued = FALSE;
      entry->changed_at = one->changed_at;
      changed |= g_set_object (&entry->texture, one->texture);
    }
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
icons_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TidingsIconCache) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *icons;
  GTask *task;

  icons = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &error);
  if (icons == NULL)
    {
      g_warning ("Cannot read the feeds' icons: %s", error->message);
      self->busy--;
      return;
    }
  task = g_task_new (self, NULL, decoded_cb, NULL);
  g_task_set_source_tag (task, icons_read_cb);
  g_task_set_task_data (task, icons, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, decode_in_thread);
  g_object_unref (task);
}

static gboolean
read_queue (gpointer user_data)
{
  TidingsIconCache *self = user_data;
  GArray *ids = g_steal_pointer (&self->queue);

  self->queue_source = 0;
  self->queue = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->busy++;
  tidings_library_read_async (self->library, read_icons, ids, (GDestroyNotify) g_array_unref,
                              NULL, icons_read_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
queue_read (TidingsIconCache *self,
            Entry            *entry)
{
  if (entry->queued)
    return;
  entry->queued = TRUE;
  g_array_append_val (self->queue, entry->id);
  /* A list binds its rows in one go: one read for all of them. */
  if (self->queue_source == 0)
    self->queue_source = g_idle_add_full (G_PRIORITY_DEFAULT, read_queue, self, NULL);
}

/* ---- Following the store ---- */

static gpointer
list_icons (TidingsStore  *store,
            gpointer       data,
            GError       **error)
{
  (void) data;
  return tidings_store_list_icons (store, error);
}

static void check_icons (TidingsIconCache *self);

static void
icons_listed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TidingsIconCache) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) rows = NULL;
  GHashTableIter iter;
  gpointer value;

  self->checking = FALSE;
  rows = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &error);
  if (rows == NULL)
    g_warning ("Cannot read the feeds' icons: %s", error->message);
  else
    {
      g_hash_table_iter_init (&iter, self->entries);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Entry *entry = value;
          TidingsIcon *row = g_hash_table_lookup (rows, &entry->id);
          gint64 changed_at = row != NULL && row->url != NULL ? row->changed_at : 0;

          if (changed_at != entry->changed_at)
            queue_read (self, entry);
        }
    }
  if (self->check_again)
    {
      self->check_again = FALSE;
      check_icons (self);
    }
}

static void
check_icons (TidingsIconCache *self)
{
  if (self->checking)
    {
      self->check_again = TRUE;
      return;
    }
  if (g_hash_table_size (self->entries) == 0)
    return;
  self->checking = TRUE;
  tidings_library_read_async (self->library, list_icons, NULL, NULL, NULL, icons_listed_cb,
                              g_object_ref (self));
}

static void
library_changed_cb (TidingsIconCache *self,
                    guint             changes)
{
  /* A subscription removed takes its icon along; one added may reuse an
   * id only after a new library, so icons and subscriptions are enough. */
  if (changes & (TIDINGS_LIBRARY_CHANGED_ICONS | TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS))
    check_icons (self);
}

/* ---- API ---- */

GdkTexture *
tidings_icon_cache_lookup (TidingsIconCache *self,
                           gint64            subscription_id)
{
  Entry *entry;

  g_return_val_if_fail (TIDINGS_IS_ICON_CACHE (self), NULL);

  if (subscription_id <= 0)
    return NULL;
  entry = g_hash_table_lookup (self->entries, &subscription_id);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->id = subscription_id;
      g_hash_table_insert (self->entries, &entry->id, entry);
      queue_read (self, entry);
    }
  return entry->texture;
}

const char *
tidings_icon_cache_get_fallback_name (void)
{
  return FALLBACK_ICON;
}

gboolean
_tidings_icon_cache_is_busy (TidingsIconCache *self)
{
  g_return_val_if_fail (TIDINGS_IS_ICON_CACHE (self), FALSE);

  return self->busy > 0 || self->queue_source != 0 || self->checking;
}

static void
tidings_icon_cache_dispose (GObject *object)
{
  TidingsIconCache *self = TIDINGS_ICON_CACHE (object);

  g_clear_handle_id (&self->queue_source, g_source_remove);
  if (self->library != NULL)
    g_signal_handlers_disconnect_by_func (self->library, library_changed_cb, self);
  g_clear_object (&self->library);

  G_OBJECT_CLASS (tidings_icon_cache_parent_class)->dispose (object);
}

static void
tidings_icon_cache_finalize (GObject *object)
{
  TidingsIconCache *self = TIDINGS_ICON_CACHE (object);

  g_hash_table_unref (self->entries);
  g_array_unref (self->queue);

  G_OBJECT_CLASS (tidings_icon_cache_parent_class)->finalize (object);
}

static void
tidings_icon_cache_class_init (TidingsIconCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tidings_icon_cache_dispose;
  object_class->finalize = tidings_icon_cache_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tidings_icon_cache_init (TidingsIconCache *self)
{
  self->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                         (GDestroyNotify) entry_free);
  self->queue = g_array_new (FALSE, FALSE, sizeof (gint64));
}

TidingsIconCache *
tidings_icon_cache_new (TidingsLibrary *library)
{
  TidingsIconCache *self;

  g_return_val_if_fail (TIDINGS_IS_LIBRARY (library), NULL);

  self = g_object_new (TIDINGS_TYPE_ICON_CACHE, NULL);
  self->library = g_object_ref (library);
  g_signal_connect_swapped (library, "changed", G_CALLBACK (library_changed_cb), self);
  return self;
}
