/* tidings-article-list.c: a page-loading list of articles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list knows its length (a count) and keeps items only for the pages
 * that were asked for lately: a position is a key in a table of at most
 * about MAX_PAGES pages of items. A row asked for before its page is in is a
 * placeholder that the page fills in place when it arrives. Pages nobody
 * looked at for a while go, except for the items someone (a list view's
 * row) still holds, which stay so that they keep following the library.
 *
 * When the library changes, the count and the first page are read again
 * and compared with what the list had: new articles above the old first
 * row become an insertion at the top (newest first), new ones after the old
 * last row an insertion at the end (oldest first), and anything else a
 * reset. The other pages that hold items are read again to check the guess;
 * a row that turns out to be another article resets the list.
 */

#define G_LOG_DOMAIN "tidings-article-list"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tidings-article-list.h"
#include "tidings-store-private.h"

/* Pages of items kept while nobody holds them. */
#define MAX_PAGES 10

/* ---- The items ---- */

struct _TidingsArticleItem
{
  GObject   parent_instance;

  gboolean  loaded;
  gboolean  read;
  gboolean  starred;
  gint64    id;
  gint64    subscription_id;
  gint64    date;
  char     *title;
  char     *feed_title;    /* a GRefString shared by the rows of one feed */
  char     *author;
  char     *excerpt;
  char     *url;
};

G_DEFINE_FINAL_TYPE (TidingsArticleItem, tidings_article_item, G_TYPE_OBJECT)

enum
{
  ITEM_PROP_0,
  ITEM_PROP_LOADED,
  ITEM_PROP_ID,
  ITEM_PROP_SUBSCRIPTION_ID,
  ITEM_PROP_TITLE,
  ITEM_PROP_FEED_TITLE,
  ITEM_PROP_AUTHOR,
  ITEM_PROP_EXCERPT,
  ITEM_PROP_URL,
  ITEM_PROP_DATE,
  ITEM_PROP_READ,
  ITEM_PROP_STARRED,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
item_set_string (TidingsArticleItem  *self,
                 char               **field,
                 const char          *value,
                 guint                prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[prop_id]);
}

static void
item_set_int64 (TidingsArticleItem *self,
                gint64             *field,
                gint64              value,
                guint               prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[prop_id]);
}

static void
item_set_boolean (TidingsArticleItem *self,
                  gboolean           *field,
                  gboolean            value,
                  guint               prop_id)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[prop_id]);
}

static void
item_set_feed_title (TidingsArticleItem *self,
                     char               *feed_title)
{
  if (g_strcmp0 (self->feed_title, feed_title) == 0)
    return;
  g_clear_pointer (&self->feed_title, g_ref_string_release);
  if (feed_title != NULL)
    self->feed_title = g_ref_string_acquire (feed_title);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_FEED_TITLE]);
}

/* Gives @self the row's values, notifying those that changed. */
static void
item_fill (TidingsArticleItem      *self,
           const TidingsArticleRow *row,
           char                    *feed_title)
{
  /* Not frozen: a thaw does not keep the order, and "loaded" must come
   * last. */
  item_set_int64 (self, &self->id, row->id, ITEM_PROP_ID);
  item_set_int64 (self, &self->subscription_id, row->subscription_id,
                  ITEM_PROP_SUBSCRIPTION_ID);
  item_set_string (self, &self->title, row->title, ITEM_PROP_TITLE);
  item_set_feed_title (self, feed_title);
  item_set_string (self, &self->author, row->author, ITEM_PROP_AUTHOR);
  item_set_string (self, &self->excerpt, row->excerpt, ITEM_PROP_EXCERPT);
  item_set_string (self, &self->url, row->url, ITEM_PROP_URL);
  item_set_int64 (self, &self->date, row->date, ITEM_PROP_DATE);
  item_set_boolean (self, &self->read, row->read, ITEM_PROP_READ);
  item_set_boolean (self, &self->starred, row->starred, ITEM_PROP_STARRED);
  /* Last, so that whoever waits for it finds everything else in place. */
  item_set_boolean (self, &self->loaded, TRUE, ITEM_PROP_LOADED);
}

gboolean
tidings_article_item_get_loaded (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), FALSE);

  return self->loaded;
}

gint64
tidings_article_item_get_id (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), 0);

  return self->id;
}

gint64
tidings_article_item_get_subscription_id (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), 0);

  return self->subscription_id;
}

const char *
tidings_article_item_get_title (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), NULL);

  return self->title;
}

const char *
tidings_article_item_get_feed_title (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), NULL);

  return self->feed_title;
}

const char *
tidings_article_item_get_author (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), NULL);

  return self->author;
}

const char *
tidings_article_item_get_excerpt (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), NULL);

  return self->excerpt;
}

const char *
tidings_article_item_get_url (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), NULL);

  return self->url;
}

gint64
tidings_article_item_get_date (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), 0);

  return self->date;
}

gboolean
tidings_article_item_get_read (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), FALSE);

  return self->read;
}

gboolean
tidings_article_item_get_starred (TidingsArticleItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_ITEM (self), FALSE);

  return self->starred;
}

static void
tidings_article_item_finalize (GObject *object)
{
  TidingsArticleItem *self = TIDINGS_ARTICLE_ITEM (object);

  g_free (self->title);
  g_clear_pointer (&self->feed_title, g_ref_string_release);
  g_free (self->author);
  g_free (self->excerpt);
  g_free (self->url);

  G_OBJECT_CLASS (tidings_article_item_parent_class)->finalize (object);
}

static void
tidings_article_item_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TidingsArticleItem *self = TIDINGS_ARTICLE_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case ITEM_PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case ITEM_PROP_SUBSCRIPTION_ID:
      g_value_set_int64 (value, self->subscription_id);
      break;
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case ITEM_PROP_FEED_TITLE:
      g_value_set_string (value, self->feed_title);
      break;
    case ITEM_PROP_AUTHOR:
      g_value_set_string (value, self->author);
      break;
    case ITEM_PROP_EXCERPT:
      g_value_set_string (value, self->excerpt);
      break;
    case ITEM_PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case ITEM_PROP_DATE:
      g_value_set_int64 (value, self->date);
      break;
    case ITEM_PROP_READ:
      g_value_set_boolean (value, self->read);
      break;
    case ITEM_PROP_STARRED:
      g_value_set_boolean (value, self->starred);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_article_item_class_init (TidingsArticleItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = tidings_article_item_finalize;
  object_class->get_property = tidings_article_item_get_property;

  item_properties[ITEM_PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  item_properties[ITEM_PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_SUBSCRIPTION_ID] =
    g_param_spec_int64 ("subscription-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_FEED_TITLE] =
    g_param_spec_string ("feed-title", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_AUTHOR] =
    g_param_spec_string ("author", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_EXCERPT] =
    g_param_spec_string ("excerpt", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_DATE] =
    g_param_spec_int64 ("date", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_READ] =
    g_param_spec_boolean ("read", NULL, NULL, FALSE, flags);
  item_properties[ITEM_PROP_STARRED] =
    g_param_spec_boolean ("starred", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
tidings_article_item_init (TidingsArticleItem *self)
{
  (void) self;
}

/* ---- Reads ---- */

/* The count, the feeds' titles and the first page. */
typedef struct
{
  guint       count;
  GHashTable *titles;   /* gint64 * -> GRefString */
  GPtrArray  *rows;     /* TidingsArticleRow */
  /* Where the list's first article of before the change stands now (-1:
   * not asked, or gone). */
  gint64      top_position;
} Head;

typedef struct
{
  TidingsArticleQuery *query;
  gint64               top_id;   /* the list's first article, 0 for none */
} HeadRead;

static void
head_read_free (HeadRead *read)
{
  tidings_article_query_free (read->query);
  g_free (read);
}

static void
head_free (Head *head)
{
  g_clear_pointer (&head->titles, g_hash_table_unref);
  g_clear_pointer (&head->rows, g_ptr_array_unref);
  g_free (head);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Head, head_free)

static GHashTable *
titles_table_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                (GDestroyNotify) g_ref_string_release);
}

/* The title a feed shows before its first fetch has named it, as the
 * sidebar shows it. */
static char *
fallback_title (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
    return g_strdup (g_uri_get_host (uri));
  return g_strdup (url);
}

static gpointer
read_head (TidingsStore  *store,
           gpointer       data,
           GError       **error)
{
  HeadRead *read = data;
  TidingsArticleQuery *copy = read->query;
  g_autoptr(Head) head = g_new0 (Head, 1);
  g_autoptr(GPtrArray) subscriptions = NULL;
  gboolean found = FALSE;
  guint position = 0;

  if (!tidings_store_count_articles (store, copy, &head->count, error))
    return NULL;
  subscriptions = tidings_store_list_subscriptions (store, error);
  if (subscriptions == NULL)
    return NULL;
  head->titles = titles_table_new ();
  for (guint i = 0; i < subscriptions->len; i++)
    {
      TidingsSubscription *subscription = subscriptions->pdata[i];
      g_autofree char *fallback = NULL;
      const char *title = subscription->title;

      if (title == NULL || *title == '\0')
        title = fallback = fallback_title (subscription->url);
      g_hash_table_insert (head->titles, g_memdup2 (&subscription->id, sizeof (gint64)),
                           g_ref_string_new (title));
    }
  head->rows = tidings_store_query_articles (store, copy, 0,
                                             TIDINGS_ARTICLE_LIST_PAGE, error);
  if (head->rows == NULL)
    return NULL;

  /* Where the old first article went tells whether the new ones only came
   * above it: in the first page, or (more than a page of them, a refresh of
   * many feeds) further down. */
  head->top_position = -1;
  if (read->top_id != 0)
    {
      for (guint i = 0; i < head->rows->len; i++)
        if (((TidingsArticleRow *) head->rows->pdata[i])->id == read->top_id)
          {
            head->top_position = i;
            return g_steal_pointer (&head);
          }
      if (!tidings_store_find_article_position (store, copy, read->top_id, &found, &position,
                                                error))
        return NULL;
      if (found)
        head->top_position = position;
    }
  return g_steal_pointer (&head);
}

typedef struct
{
  TidingsArticleQuery *query;
  guint                offset;
} PageRead;

static void
page_read_free (PageRead *read)
{
  tidings_article_query_free (read->query);
  g_free (read);
}

static gpointer
read_page (TidingsStore  *store,
           gpointer       data,
           GError       **error)
{
  PageRead *read = data;

  return tidings_store_query_articles (store, read->query, read->offset,
                                       TIDINGS_ARTICLE_LIST_PAGE, error);
}

/* Read and starred marks of the articles whose ids are in @data. The store
 * has no call for marks alone, and the article lists cannot give them: an
 * article read in an "unread only" list is no longer in its query. So this
 * reads the state table itself, one indexed look-up per article on the
 * reader's connection. */
typedef struct
{
  gint64   id;
  gboolean read;
  gboolean starred;
  gboolean found;
} Mark;

static gpointer
read_marks (TidingsStore  *store,
            gpointer       data,
            GError       **error)
{
  GArray *marks = data;
  sqlite3 *db = _tidings_store_get_db (store);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT read, starred FROM article_states WHERE article_id = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                   _("Could not read the marks of the articles: %s"), sqlite3_errmsg (db));
      return NULL;
    }
  for (guint i = 0; i < marks->len; i++)
    {
      Mark *mark = &g_array_index (marks, Mark, i);
      int rc;

      sqlite3_bind_int64 (stmt, 1, mark->id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          mark->found = TRUE;
          mark->read = sqlite3_column_int (stmt, 0) != 0;
          mark->starred = sqlite3_column_int (stmt, 1) != 0;
        }
      else if (rc != SQLITE_DONE)
        {
          g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                       _("Could not read the marks of the articles: %s"), sqlite3_errmsg (db));
          sqlite3_finalize (stmt);
          return NULL;
        }
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return g_array_ref (marks);
}

/* ---- The list ---- */

typedef struct
{
  guint64  stamp;       /* when a row of it was last asked for */
  gboolean loading;
  guint    generation;  /* of the read in flight */
} Page;

typedef enum
{
  RELOAD_NONE,
  RELOAD_UPDATE,    /* recount, and keep what can be kept */
  RELOAD_RESET,     /* recount, and start again */
} Reload;

struct _TidingsArticleList
{
  GObject             parent_instance;

  TidingsLibrary     *library;
  gulong              changed_id;
  TidingsArticleQuery *query;

  guint               n_items;
  gboolean            loaded;
  GHashTable         *items;        /* position -> TidingsArticleItem */
  GHashTable         *pages;        /* page index -> Page */
  guint64             clock;
  GHashTable         *titles;       /* gint64 * -> GRefString */
  gint64              top_id;       /* the first row at the last count, 0 when none */
  /* Bumped whenever positions stop meaning what they meant: replies to
   * reads made before are dropped. */
  guint               generation;

  gboolean            head_loading;
  Reload              reload_wanted;
  gboolean            reset_pending;
  gboolean            marks_loading;
  gboolean            marks_again;
  guint               pages_in_flight;

  /* Pages asked for by get_item(), loaded from an idle callback only when
   * someone still holds one of their placeholders (see want_page()). */
  GHashTable         *wanted;       /* page index set */
  guint               wanted_source;
};

static void tidings_article_list_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TidingsArticleList, tidings_article_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tidings_article_list_list_model_init))

enum
{
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void queue_reload (TidingsArticleList *self,
                          Reload              reload);

static char *
title_of (TidingsArticleList *self,
          gint64              subscription_id)
{
  return g_hash_table_lookup (self->titles, &subscription_id);
}

static Page *
touch_page (TidingsArticleList *self,
            guint               index)
{
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));

  if (page == NULL)
    {
      page = g_new0 (Page, 1);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
    }
  page->stamp = ++self->clock;
  return page;
}

/* Whether a position of page @index < n_items has no loaded item. */
static gboolean
page_has_holes (TidingsArticleList *self,
                guint               index)
{
  guint start = index * TIDINGS_ARTICLE_LIST_PAGE;
  guint end = MIN (start + TIDINGS_ARTICLE_LIST_PAGE, self->n_items);

  for (guint position = start; position < end; position++)
    {
      TidingsArticleItem *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (position));

      if (item != NULL && !item->loaded)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  TidingsArticleList *self;
  guint               index;
  guint               generation;
} PageLoad;

static void page_loaded (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data);

static void
request_page (TidingsArticleList *self,
              guint               index)
{
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  PageRead *read;
  PageLoad *load;

  if (page == NULL)
    page = touch_page (self, index);
  if (page->loading || self->reset_pending)
    return;
  page->loading = TRUE;
  page->generation = self->generation;

  read = g_new0 (PageRead, 1);
  read->query = tidings_article_query_copy (self->query);
  read->offset = index * TIDINGS_ARTICLE_LIST_PAGE;
  load = g_new0 (PageLoad, 1);
  load->self = g_object_ref (self);
  load->index = index;
  load->generation = self->generation;
  self->pages_in_flight++;
  tidings_library_read_async (self->library, read_page, read, (GDestroyNotify) page_read_free,
                              NULL, page_loaded, load);
}

/* Whether anything beside the list holds an unloaded item of page @index. */
static gboolean
page_is_wanted (TidingsArticleList *self,
                guint               index)
{
  guint start = index * TIDINGS_ARTICLE_LIST_PAGE;
  guint end = MIN (start + TIDINGS_ARTICLE_LIST_PAGE, self->n_items);
  gboolean held = FALSE;

  for (guint position = start; position < end; position++)
    {
      TidingsArticleItem *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (position));

      if (item != NULL && !item->loaded && G_OBJECT (item)->ref_count > 1)
        {
          held = TRUE;
          break;
        }
    }
  if (held)
    return TRUE;

  /* Nobody kept them: forget the placeholders, so that a later get_item()
   * asks again. */
  for (guint position = start; position < end; position++)
    {
      TidingsArticleItem *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (position));

      if (item != NULL && !item->loaded)
        g_hash_table_remove (self->items, GUINT_TO_POINTER (position));
    }
  return FALSE;
}

static gboolean
load_wanted_pages (gpointer user_data)
{
  TidingsArticleList *self = user_data;
  g_autoptr(GHashTable) wanted = g_steal_pointer (&self->wanted);
  GHashTableIter iter;
  gpointer key;

  self->wanted = g_hash_table_new (NULL, NULL);
  self->wanted_source = 0;
  g_hash_table_iter_init (&iter, wanted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (page_is_wanted (self, GPOINTER_TO_UINT (key)))
      request_page (self, GPOINTER_TO_UINT (key));
  return G_SOURCE_REMOVE;
}

/* get_item() does not read at once: GTK asks for items it drops straight
 * away (GtkSingleSelection looks for its selected item among every row a
 * reset adds, which would mean reading a 100,000-row list page by page).
 * The pages are read after the frame is laid out, for the placeholders the
 * list's rows still hold. */
static void
want_page (TidingsArticleList *self,
           guint               index)
{
  g_hash_table_add (self->wanted, GUINT_TO_POINTER (index));
  if (self->wanted_source == 0)
    {
      self->wanted_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, load_wanted_pages,
                                             self, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->wanted_source),
                                "[tidings] article list pages");
    }
}

typedef struct
{
  guint   index;
  guint64 stamp;
} Candidate;

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *first = a;
  const Candidate *second = b;

  return first->stamp < second->stamp ? -1 : first->stamp > second->stamp;
}

/* Lets go of the items of the pages asked for least lately, while there are
 * more than MAX_PAGES pages' worth; items that someone else holds stay. */
static void
evict (TidingsArticleList *self)
{
  g_autoptr(GArray) candidates = NULL;
  g_autoptr(GHashTable) seen = NULL;
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (self->items) <= MAX_PAGES * TIDINGS_ARTICLE_LIST_PAGE)
    return;

  candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  seen = g_hash_table_new (NULL, NULL);
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint index = GPOINTER_TO_UINT (key) / TIDINGS_ARTICLE_LIST_PAGE;
      Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
      Candidate candidate = { index, page != NULL ? page->stamp : 0 };

      if (page != NULL && page->loading)
        continue;
      if (!g_hash_table_add (seen, GUINT_TO_POINTER (index)))
        continue;
      g_array_append_val (candidates, candidate);
    }
  g_array_sort (candidates, compare_candidates);

  for (guint i = 0; i < candidates->len
       && g_hash_table_size (self->items) > MAX_PAGES * TIDINGS_ARTICLE_LIST_PAGE; i++)
    {
      Candidate *candidate = &g_array_index (candidates, Candidate, i);
      guint start = candidate->index * TIDINGS_ARTICLE_LIST_PAGE;
      gboolean kept = FALSE;

      for (guint position = start; position < start + TIDINGS_ARTICLE_LIST_PAGE; position++)
        {
          GObject *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (position));

          if (item == NULL)
            continue;
          /* One reference is the table's. */
          if (g_atomic_int_get (&item->ref_count) > 1)
            kept = TRUE;
          else
            g_hash_table_remove (self->items, GUINT_TO_POINTER (position));
        }
      if (!kept)
        g_hash_table_remove (self->pages, GUINT_TO_POINTER (candidate->index));
    }
}

/* Puts @rows, read from @offset, into the items at their positions. Returns
 * FALSE when a loaded item turns out to hold another article: positions
 * have moved under the list. */
static gboolean
fill_rows (TidingsArticleList *self,
           guint               offset,
           GPtrArray          *rows)
{
  gboolean consistent = TRUE;

  for (guint i = 0; i < rows->len; i++)
    {
      TidingsArticleRow *row = rows->pdata[i];
      guint position = offset + i;
      TidingsArticleItem *item;

      if (position >= self->n_items)
        break;
      item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (position));
      if (item == NULL)
        {
          item = g_object_new (TIDINGS_TYPE_ARTICLE_ITEM, NULL);
          g_hash_table_insert (self->items, GUINT_TO_POINTER (position), item);
        }
      else if (item->loaded && item->id != row->id)
        {
          consistent = FALSE;
          continue;
        }
      item_fill (item, row, title_of (self, row->subscription_id));
    }
  return consistent;
}

static void
page_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autofree PageLoad *load = user_data;
  g_autoptr(TidingsArticleList) self = load->self;
  guint index = load->index;
  gboolean current = load->generation == self->generation;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  Page *page;
  guint start = index * TIDINGS_ARTICLE_LIST_PAGE;

  rows = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &error);
  self->pages_in_flight--;
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page != NULL && page->loading && page->generation == load->generation)
    page->loading = FALSE;

  if (!current)
    {
      /* Positions moved since it was asked for: ask again for what is
       * still missing. */
      if (page_has_holes (self, index))
        request_page (self, index);
      return;
    }
  if (rows == NULL)
    {
      g_warning ("Could not read articles: %s", error->message);
      return;
    }

  if (!fill_rows (self, start, rows))
    queue_reload (self, RELOAD_RESET);
  else if (rows->len < TIDINGS_ARTICLE_LIST_PAGE && start + rows->len < self->n_items)
    queue_reload (self, RELOAD_UPDATE);   /* fewer rows than counted */
  evict (self);
}

static void
set_loaded (TidingsArticleList *self,
            gboolean            loaded)
{
  if (self->loaded == loaded)
    return;
  self->loaded = loaded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
replace_titles (TidingsArticleList *self,
                GHashTable         *titles)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_unref (self->titles);
  self->titles = g_hash_table_ref (titles);
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TidingsArticleItem *item = value;

      if (item->loaded)
        item_set_feed_title (item, title_of (self, item->subscription_id));
    }
}

static void
emit_items_changed (TidingsArticleList *self,
                    guint               position,
                    guint               removed,
                    guint               added)
{
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* Starts again from @head. */
static void
apply_reset (TidingsArticleList *self,
             Head               *head)
{
  guint old_n = self->n_items;

  self->generation++;
  g_hash_table_remove_all (self->items);
  g_hash_table_remove_all (self->pages);
  self->reset_pending = FALSE;

  /* Told as two changes, everything gone and then everything new: when one
   * change removes a row a list view shows and adds others, GTK looks for
   * that row among every added item, asking the model for all of them
   * (20,000 placeholders for a section, all thrown away again). */
  self->n_items = 0;
  emit_items_changed (self, 0, old_n, 0);

  self->n_items = head->count;
  if (head->rows->len > 0)
    touch_page (self, 0);
  fill_rows (self, 0, head->rows);
  emit_items_changed (self, 0, 0, self->n_items);
}

/* Moves every item @shift positions down, for new rows above them. */
static void
shift_items (TidingsArticleList *self,
             guint               shift)
{
  g_autoptr(GHashTable) moved = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  self->generation++;
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_insert (moved, GUINT_TO_POINTER (GPOINTER_TO_UINT (key) + shift), value);
      g_hash_table_iter_steal (&iter);
    }
  g_hash_table_unref (self->items);
  self->items = g_steal_pointer (&moved);
  /* The pages' bounds moved too: they are found again as rows are asked
   * for. */
  g_hash_table_remove_all (self->pages);
}

/* The other pages that hold items, read again to check that their rows are
 * still where the list thinks they are (and to bring their values up to
 * date). */
static void
recheck_pages (TidingsArticleList *self)
{
  g_autoptr(GHashTable) indices = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint index = GPOINTER_TO_UINT (key) / TIDINGS_ARTICLE_LIST_PAGE;

      if (index > 0 && g_hash_table_add (indices, GUINT_TO_POINTER (index)))
        request_page (self, index);
    }
}

/* Keeps what can be kept of the list after the library changed. */
static void
apply_update (TidingsArticleList *self,
              Head               *head)
{
  guint old_n = self->n_items;
  guint new_n = head->count;
  GPtrArray *rows = head->rows;
  /* Read for self->top_id: an update is read only for a loaded list. */
  gint found = head->top_position <= G_MAXINT ? (gint) head->top_position : -1;

  if (old_n == 0 || self->top_id == 0)
    {
      apply_reset (self, head);
      return;
    }

  if (!self->query->oldest_first && found >= 0 && new_n == old_n + (guint) found)
    {
      /* New rows above the first one: where newest first puts new articles. */
      if (found > 0)
        shift_items (self, (guint) found);
      self->n_items = new_n;
      touch_page (self, 0);
      if (!fill_rows (self, 0, rows))
        {
          /* Not only new rows at the top after all; the reset replaces
           * every item, shifted or not. */
          self->n_items = old_n;
          apply_reset (self, head);
          return;
        }
      emit_items_changed (self, 0, 0, (guint) found);
    }
  else if (self->query->oldest_first && found == 0 && new_n >= old_n)
    {
      /* New rows after the last one: where oldest first puts them. */
      self->n_items = new_n;
      touch_page (self, 0);
      if (!fill_rows (self, 0, rows))
        {
          self->n_items = old_n;
          apply_reset (self, head);
          return;
        }
      emit_items_changed (self, old_n, 0, new_n - old_n);
    }
  else
    {
      apply_reset (self, head);
      return;
    }
  recheck_pages (self);
}

typedef struct
{
  TidingsArticleList *self;
  Reload              reload;
  guint               generation;
} HeadLoad;

static void start_head (TidingsArticleList *self);

static void
head_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  HeadLoad *load = user_data;
  g_autoptr(TidingsArticleList) self = load->self;
  Reload reload = load->reload;
  gboolean current = load->generation == self->generation;
  g_autoptr(Head) head = NULL;
  g_autoptr(GError) error = NULL;

  g_free (load);
  head = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &error);
  self->head_loading = FALSE;

  if (head == NULL)
    {
      g_warning ("Could not count articles: %s", error->message);
      /* The next change tries again; meanwhile pages may still load. */
      self->reset_pending = self->reload_wanted == RELOAD_RESET;
    }
  else if (!current)
    {
      /* Positions moved while it was read (the query changed, or the
       * list moved): read again. */
      self->reload_wanted = MAX (self->reload_wanted, reload);
    }
  else
    {
      replace_titles (self, head->titles);
      if (reload == RELOAD_RESET || !self->loaded)
        apply_reset (self, head);
      else
        apply_update (self, head);
      self->top_id = head->rows->len > 0 ? ((TidingsArticleRow *) head->rows->pdata[0])->id : 0;
      set_loaded (self, TRUE);
      evict (self);
    }

  if (self->reload_wanted != RELOAD_NONE)
    start_head (self);
}

static void
start_head (TidingsArticleList *self)
{
  HeadLoad *load;
  HeadRead *read;

  g_assert (!self->head_loading);
  load = g_new0 (HeadLoad, 1);
  load->self = g_object_ref (self);
  load->reload = self->reload_wanted;
  load->generation = self->generation;
  self->reload_wanted = RELOAD_NONE;
  self->head_loading = TRUE;
  read = g_new0 (HeadRead, 1);
  read->query = tidings_article_query_copy (self->query);
  /* For an update: a reset starts from the top anyway. */
  read->top_id = load->reload == RELOAD_UPDATE && self->loaded ? self->top_id : 0;
  tidings_library_read_async (self->library, read_head, read, (GDestroyNotify) head_read_free,
                              NULL, head_loaded, load);
}

static void
queue_reload (TidingsArticleList *self,
              Reload              reload)
{
  self->reload_wanted = MAX (self->reload_wanted, reload);
  if (reload == RELOAD_RESET)
    self->reset_pending = TRUE;
  if (!self->head_loading)
    start_head (self);
}

static void start_marks (TidingsArticleList *self);

static void
marks_loaded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TidingsArticleList) self = user_data;
  g_autoptr(GArray) marks = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  marks = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &error);
  self->marks_loading = FALSE;
  if (marks == NULL)
    g_warning ("Could not read the marks of the articles: %s", error->message);
  else
    {
      for (guint i = 0; i < marks->len; i++)
        {
          Mark *mark = &g_array_index (marks, Mark, i);

          if (mark->found)
            g_hash_table_insert (by_id, &mark->id, mark);
        }
      g_hash_table_iter_init (&iter, self->items);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          TidingsArticleItem *item = value;
          Mark *mark = item->loaded ? g_hash_table_lookup (by_id, &item->id) : NULL;

          if (mark == NULL)
            continue;
          g_object_freeze_notify (G_OBJECT (item));
          item_set_boolean (item, &item->read, mark->read, ITEM_PROP_READ);
          item_set_boolean (item, &item->starred, mark->starred, ITEM_PROP_STARRED);
          g_object_thaw_notify (G_OBJECT (item));
        }
    }
  if (self->marks_again)
    {
      self->marks_again = FALSE;
      start_marks (self);
    }
}

/* Reads the read and starred marks of every loaded item again. */
static void
start_marks (TidingsArticleList *self)
{
  GArray *marks;
  GHashTableIter iter;
  gpointer value;

  if (self->marks_loading)
    {
      self->marks_again = TRUE;
      return;
    }
  marks = g_array_new (FALSE, TRUE, sizeof (Mark));
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TidingsArticleItem *item = value;
      Mark mark = { item->id, FALSE, FALSE, FALSE };

      if (item->loaded)
        g_array_append_val (marks, mark);
    }
  if (marks->len == 0)
    {
      g_array_unref (marks);
      return;
    }
  self->marks_loading = TRUE;
  tidings_library_read_async (self->library, read_marks, marks, (GDestroyNotify) g_array_unref,
                              NULL, marks_loaded, g_object_ref (self));
}

static void
library_changed (TidingsLibrary *library,
                 guint           changes,
                 gpointer        user_data)
{
  TidingsArticleList *self = user_data;

  (void) library;
  /* Removing a feed removes its articles; renaming it renames rows. */
  if (changes & (TIDINGS_LIBRARY_CHANGED_ARTICLES | TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS))
    queue_reload (self, RELOAD_UPDATE);
  if (changes & TIDINGS_LIBRARY_CHANGED_STATE)
    start_marks (self);
}

/* ---- GListModel ---- */

static GType
tidings_article_list_get_item_type (GListModel *model)
{
  (void) model;
  return TIDINGS_TYPE_ARTICLE_ITEM;
}

static guint
tidings_article_list_get_n_items (GListModel *model)
{
  return TIDINGS_ARTICLE_LIST (model)->n_items;
}

static gpointer
tidings_article_list_get_item (GListModel *model,
                               guint       position)
{
  TidingsArticleList *self = TIDINGS_ARTICLE_LIST (model);
  guint index = position / TIDINGS_ARTICLE_LIST_PAGE;
  TidingsArticleItem *item;

  if (position >= self->n_items)
    return NULL;
  touch_page (self, index);
  item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (position));
  if (item == NULL)
    {
      item = g_object_new (TIDINGS_TYPE_ARTICLE_ITEM, NULL);
      g_hash_table_insert (self->items, GUINT_TO_POINTER (position), item);
      want_page (self, index);
    }
  return g_object_ref (item);
}

static void
tidings_article_list_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tidings_article_list_get_item_type;
  iface->get_n_items = tidings_article_list_get_n_items;
  iface->get_item = tidings_article_list_get_item;
}

/* ---- The object ---- */

TidingsArticleList *
tidings_article_list_new (TidingsLibrary            *library,
                          const TidingsArticleQuery *query)
{
  TidingsArticleList *self;

  g_return_val_if_fail (TIDINGS_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  self = g_object_new (TIDINGS_TYPE_ARTICLE_LIST, NULL);
  self->library = g_object_ref (library);
  self->query = tidings_article_query_copy (query);
  self->changed_id = g_signal_connect (library, "changed", G_CALLBACK (library_changed), self);
  queue_reload (self, RELOAD_RESET);
  return self;
}

const TidingsArticleQuery *
tidings_article_list_get_query (TidingsArticleList *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_LIST (self), NULL);

  return self->query;
}

void
tidings_article_list_set_query (TidingsArticleList        *self,
                                const TidingsArticleQuery *query)
{
  g_return_if_fail (TIDINGS_IS_ARTICLE_LIST (self));
  g_return_if_fail (query != NULL);

  tidings_article_query_free (self->query);
  self->query = tidings_article_query_copy (query);
  /* Until the new count is in, the old rows stay on screen (no flash of
   * an empty list); replies to what was asked for the old query go. */
  self->generation++;
  set_loaded (self, FALSE);
  queue_reload (self, RELOAD_RESET);
}

gboolean
tidings_article_list_get_loaded (TidingsArticleList *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_LIST (self), FALSE);

  return self->loaded;
}

guint
tidings_article_list_find (TidingsArticleList *self,
                           gint64              article_id)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (TIDINGS_IS_ARTICLE_LIST (self), G_MAXUINT);

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      TidingsArticleItem *item = value;

      if (item->loaded && item->id == article_id)
        return GPOINTER_TO_UINT (key);
    }
  return G_MAXUINT;
}

guint
_tidings_article_list_get_n_live_items (TidingsArticleList *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_LIST (self), 0);

  return g_hash_table_size (self->items);
}

gboolean
_tidings_article_list_is_busy (TidingsArticleList *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_LIST (self), FALSE);

  return self->head_loading || self->marks_loading || self->pages_in_flight > 0
         || self->wanted_source != 0;
}

static void
tidings_article_list_dispose (GObject *object)
{
  TidingsArticleList *self = TIDINGS_ARTICLE_LIST (object);

  if (self->changed_id != 0)
    g_clear_signal_handler (&self->changed_id, self->library);
  g_clear_handle_id (&self->wanted_source, g_source_remove);
  g_clear_object (&self->library);

  G_OBJECT_CLASS (tidings_article_list_parent_class)->dispose (object);
}

static void
tidings_article_list_finalize (GObject *object)
{
  TidingsArticleList *self = TIDINGS_ARTICLE_LIST (object);

  g_hash_table_unref (self->items);
  g_hash_table_unref (self->pages);
  g_hash_table_unref (self->wanted);
  g_hash_table_unref (self->titles);
  tidings_article_query_free (self->query);

  G_OBJECT_CLASS (tidings_article_list_parent_class)->finalize (object);
}

static void
tidings_article_list_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TidingsArticleList *self = TIDINGS_ARTICLE_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_article_list_class_init (TidingsArticleListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tidings_article_list_dispose;
  object_class->finalize = tidings_article_list_finalize;
  object_class->get_property = tidings_article_list_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tidings_article_list_init (TidingsArticleList *self)
{
  self->items = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->wanted = g_hash_table_new (NULL, NULL);
  self->titles = titles_table_new ();
}
