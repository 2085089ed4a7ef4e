/* tidings-sidebar-model.c: sections and feeds with their unread counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each load reads everything the sidebar shows in one call on the library's
 * reader thread (a few milliseconds for a thousand feeds, all from the
 * counters the store keeps), then brings the items in line with it: the same
 * object for the same section or feed, a notification for each property
 * that changed, and items-changed only for what really moved. A load in
 * which nothing changed emits nothing at all, so a refresh that touches a
 * few counts repaints a few labels, and selection and expansion in a
 * GtkTreeListModel above never notice.
 *
 * Every list (the top level and each section's children) is a GListStore;
 * the model forwards its top-level store's signals as its own.
 */

#define G_LOG_DOMAIN "tidings-sidebar"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tidings-sidebar-model.h"

/* ---- The items ---- */

struct _TidingsSidebarItem
{
  GObject             parent_instance;

  TidingsSidebarKind  kind;
  gint64              id;
  gint64              parent_id;
  char               *title;
  char               *icon_name;
  char               *icon_url;
  char               *url;
  char               *error;
  guint               unread_count;
  GListStore         *children;     /* sections only */
};

G_DEFINE_FINAL_TYPE (TidingsSidebarItem, tidings_sidebar_item, G_TYPE_OBJECT)

enum
{
  ITEM_PROP_0,
  ITEM_PROP_KIND,
  ITEM_PROP_ID,
  ITEM_PROP_TITLE,
  ITEM_PROP_ICON_NAME,
  ITEM_PROP_ICON_URL,
  ITEM_PROP_URL,
  ITEM_PROP_UNREAD_COUNT,
  ITEM_PROP_ERROR,
  ITEM_PROP_CHILDREN,
  ITEM_PROP_PARENT_ID,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
item_set_string (TidingsSidebarItem  *self,
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
item_set_unread_count (TidingsSidebarItem *self,
                       guint               unread_count)
{
  if (self->unread_count == unread_count)
    return;
  self->unread_count = unread_count;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_UNREAD_COUNT]);
}

static void
item_set_parent_id (TidingsSidebarItem *self,
                    gint64              parent_id)
{
  if (self->parent_id == parent_id)
    return;
  self->parent_id = parent_id;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_PARENT_ID]);
}

static TidingsSidebarItem *
item_new (TidingsSidebarKind  kind,
          gint64              id)
{
  TidingsSidebarItem *self = g_object_new (TIDINGS_TYPE_SIDEBAR_ITEM, NULL);

  self->kind = kind;
  self->id = id;
  if (kind == TIDINGS_SIDEBAR_SECTION)
    self->children = g_list_store_new (TIDINGS_TYPE_SIDEBAR_ITEM);
  return self;
}

TidingsSidebarKind
tidings_sidebar_item_get_kind (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), TIDINGS_SIDEBAR_ALL);

  return self->kind;
}

gint64
tidings_sidebar_item_get_id (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), 0);

  return self->id;
}

const char *
tidings_sidebar_item_get_title (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), NULL);

  return self->title;
}

const char *
tidings_sidebar_item_get_icon_name (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), NULL);

  return self->icon_name;
}

const char *
tidings_sidebar_item_get_icon_url (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), NULL);

  return self->icon_url;
}

const char *
tidings_sidebar_item_get_url (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), NULL);

  return self->url;
}

guint
tidings_sidebar_item_get_unread_count (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), 0);

  return self->unread_count;
}

const char *
tidings_sidebar_item_get_error (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), NULL);

  return self->error;
}

GListModel *
tidings_sidebar_item_get_children (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), NULL);

  return self->children != NULL ? G_LIST_MODEL (self->children) : NULL;
}

gint64
tidings_sidebar_item_get_parent_id (TidingsSidebarItem *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self), 0);

  return self->parent_id;
}

void
tidings_sidebar_item_get_query (TidingsSidebarItem  *self,
                                TidingsArticleQuery *query)
{
  g_return_if_fail (TIDINGS_IS_SIDEBAR_ITEM (self));
  g_return_if_fail (query != NULL);

  memset (query, 0, sizeof *query);
  switch (self->kind)
    {
    case TIDINGS_SIDEBAR_UNREAD:
      query->kind = TIDINGS_SCOPE_UNREAD;
      break;
    case TIDINGS_SIDEBAR_STARRED:
      query->kind = TIDINGS_SCOPE_STARRED;
      break;
    case TIDINGS_SIDEBAR_TODAY:
      query->kind = TIDINGS_SCOPE_TODAY;
      break;
    case TIDINGS_SIDEBAR_SECTION:
      query->kind = TIDINGS_SCOPE_SECTION;
      query->id = self->id;
      break;
    case TIDINGS_SIDEBAR_SUBSCRIPTION:
      query->kind = TIDINGS_SCOPE_SUBSCRIPTION;
      query->id = self->id;
      break;
    case TIDINGS_SIDEBAR_ALL:
    default:
      query->kind = TIDINGS_SCOPE_ALL;
      break;
    }
}

static void
tidings_sidebar_item_finalize (GObject *object)
{
  TidingsSidebarItem *self = TIDINGS_SIDEBAR_ITEM (object);

  g_free (self->title);
  g_free (self->icon_name);
  g_free (self->icon_url);
  g_free (self->url);
  g_free (self->error);
  g_clear_object (&self->children);

  G_OBJECT_CLASS (tidings_sidebar_item_parent_class)->finalize (object);
}

static void
tidings_sidebar_item_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TidingsSidebarItem *self = TIDINGS_SIDEBAR_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    case ITEM_PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case ITEM_PROP_ICON_NAME:
      g_value_set_string (value, self->icon_name);
      break;
    case ITEM_PROP_ICON_URL:
      g_value_set_string (value, self->icon_url);
      break;
    case ITEM_PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case ITEM_PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case ITEM_PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case ITEM_PROP_CHILDREN:
      g_value_set_object (value, self->children);
      break;
    case ITEM_PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_sidebar_item_class_init (TidingsSidebarItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = tidings_sidebar_item_finalize;
  object_class->get_property = tidings_sidebar_item_get_property;

  item_properties[ITEM_PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, TIDINGS_SIDEBAR_ALL, TIDINGS_SIDEBAR_SUBSCRIPTION,
                      TIDINGS_SIDEBAR_ALL, flags);
  item_properties[ITEM_PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_ICON_URL] =
    g_param_spec_string ("icon-url", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  item_properties[ITEM_PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_CHILDREN] =
    g_param_spec_object ("children", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  item_properties[ITEM_PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
tidings_sidebar_item_init (TidingsSidebarItem *self)
{
  (void) self;
}

/* ---- What one load reads ---- */

typedef struct
{
  GPtrArray *sections;        /* TidingsSection, parents each followed by their children */
  GPtrArray *subscriptions;   /* TidingsSubscription, in order */
  GArray    *section_unread;  /* TidingsUnreadCount */
  GArray    *feed_unread;     /* TidingsUnreadCount */
  guint      all_unread;
  guint      starred;
  guint      today_unread;
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  g_clear_pointer (&snapshot->sections, g_ptr_array_unref);
  g_clear_pointer (&snapshot->subscriptions, g_ptr_array_unref);
  g_clear_pointer (&snapshot->section_unread, g_array_unref);
  g_clear_pointer (&snapshot->feed_unread, g_array_unref);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static gpointer
read_snapshot (TidingsStore  *store,
               gpointer       data,
               GError       **error)
{
  g_autoptr(Snapshot) snapshot = g_new0 (Snapshot, 1);
  TidingsArticleQuery starred = { .kind = TIDINGS_SCOPE_STARRED };
  TidingsArticleQuery today = { .kind = TIDINGS_SCOPE_TODAY, .unread_only = TRUE };

  (void) data;
  snapshot->sections = tidings_store_list_sections (store, error);
  if (snapshot->sections == NULL)
    return NULL;
  snapshot->subscriptions = tidings_store_list_subscriptions (store, error);
  if (snapshot->subscriptions == NULL)
    return NULL;
  if (!tidings_store_unread_counts (store, &snapshot->feed_unread, &snapshot->section_unread,
                                    &snapshot->all_unread, error)
      || !tidings_store_count_articles (store, &starred, &snapshot->starred, error)
      || !tidings_store_count_articles (store, &today, &snapshot->today_unread, error))
    return NULL;
  return g_steal_pointer (&snapshot);
}

/* ---- The model ---- */

#define N_SMART 4

struct _TidingsSidebarModel
{
  GObject             parent_instance;

  TidingsLibrary     *library;
  gulong              changed_id;
  GCancellable       *cancellable;

  GListStore         *top;
  TidingsSidebarItem *smart[N_SMART];
  GHashTable         *sections;        /* gint64 * -> TidingsSidebarItem */
  GHashTable         *subscriptions;   /* gint64 * -> TidingsSidebarItem */

  gboolean            loading;
  gboolean            reload_again;
  gboolean            loaded;
};

static void tidings_sidebar_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TidingsSidebarModel, tidings_sidebar_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tidings_sidebar_model_list_model_init))

enum
{
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
tidings_sidebar_model_get_item_type (GListModel *model)
{
  (void) model;
  return TIDINGS_TYPE_SIDEBAR_ITEM;
}

static guint
tidings_sidebar_model_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (TIDINGS_SIDEBAR_MODEL (model)->top));
}

static gpointer
tidings_sidebar_model_get_item (GListModel *model,
                                guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (TIDINGS_SIDEBAR_MODEL (model)->top), position);
}

static void
tidings_sidebar_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tidings_sidebar_model_get_item_type;
  iface->get_n_items = tidings_sidebar_model_get_n_items;
  iface->get_item = tidings_sidebar_model_get_item;
}

static void
top_items_changed (GListModel *top,
                   guint       position,
                   guint       removed,
                   guint       added,
                   gpointer    user_data)
{
  (void) top;
  g_list_model_items_changed (G_LIST_MODEL (user_data), position, removed, added);
}

/* ---- Bringing a list in line ---- */

/* The longest run of @values (indices into the new list, -1 for items that
 * leave) that only increases: the items that can stay where they are while
 * the others are taken out and put back. Marks them in @keep. */
static void
longest_increasing (const int *values,
                    guint      n,
                    gboolean  *keep)
{
  g_autofree guint *tails = g_new (guint, n + 1);   /* index of the smallest tail per length */
  g_autofree int *before = g_new (int, n);
  guint length = 0;

  for (guint i = 0; i < n; i++)
    {
      guint low = 0, high = length;

      keep[i] = FALSE;
      before[i] = -1;
      if (values[i] < 0)
        continue;
      while (low < high)
        {
          guint middle = (low + high) / 2;

          if (values[tails[middle]] < values[i])
            low = middle + 1;
          else
            high = middle;
        }
      if (low > 0)
        before[i] = (int) tails[low - 1];
      tails[low] = i;
      if (low == length)
        length++;
    }
  if (length == 0)
    return;
  for (int i = (int) tails[length - 1]; i >= 0; i = before[i])
    keep[i] = TRUE;
}

/* First pass: takes out of @store the items that are not in @wanted, or not
 * in its order. Runs of neighbours go in one signal. */
static void
sync_remove (GListStore *store,
             GPtrArray  *wanted)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);
  g_autofree int *values = NULL;
  g_autofree gboolean *keep = NULL;
  guint i;

  if (n == 0)
    return;
  for (i = 0; i < wanted->len; i++)
    g_hash_table_insert (index, wanted->pdata[i], GUINT_TO_POINTER (i + 1));
  values = g_new (int, n);
  keep = g_new (gboolean, n);
  for (i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      values[i] = (int) GPOINTER_TO_UINT (g_hash_table_lookup (index, item)) - 1;
    }
  longest_increasing (values, n, keep);

  for (i = n; i > 0; i--)
    {
      guint end = i;

      if (keep[i - 1])
        continue;
      while (i > 1 && !keep[i - 2])
        i--;
      g_list_store_splice (store, i - 1, end - (i - 1), NULL, 0);
    }
}

/* Second pass: puts into @store, which now holds some of @wanted in order,
 * the rest of it. */
static void
sync_insert (GListStore *store,
             GPtrArray  *wanted)
{
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  guint i = 0;

  for (guint j = 0; j < n; j++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), j);

      g_hash_table_add (present, item);
    }
  while (i < wanted->len)
    {
      guint start = i;

      if (g_hash_table_contains (present, wanted->pdata[i]))
        {
          i++;
          continue;
        }
      while (i < wanted->len && !g_hash_table_contains (present, wanted->pdata[i]))
        i++;
      g_list_store_splice (store, start, 0, &wanted->pdata[start], i - start);
    }
}

/* ---- Applying a load ---- */

static GHashTable *
counts_table (GArray *counts)
{
  GHashTable *table = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; counts != NULL && i < counts->len; i++)
    {
      TidingsUnreadCount *count = &g_array_index (counts, TidingsUnreadCount, i);

      g_hash_table_insert (table, &count->id, count);
    }
  return table;
}

static guint
table_count (GHashTable *table,
             gint64      id)
{
  TidingsUnreadCount *count = g_hash_table_lookup (table, &id);

  return count != NULL ? count->unread : 0;
}

/* The title a feed shows before its first fetch has named it. */
static char *
fallback_title (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
    return g_strdup (g_uri_get_host (uri));
  return g_strdup (url);
}

static TidingsSidebarItem *
take_item (GHashTable         *old,
           GHashTable         *fresh,
           TidingsSidebarKind  kind,
           gint64              id)
{
  TidingsSidebarItem *item = g_hash_table_lookup (old, &id);

  if (item != NULL)
    g_object_ref (item);
  else
    item = item_new (kind, id);
  g_hash_table_insert (fresh, &item->id, item);
  return item;
}

static void
apply_snapshot (TidingsSidebarModel *self,
                Snapshot            *snapshot)
{
  g_autoptr(GHashTable) sections = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                          g_object_unref);
  g_autoptr(GHashTable) subscriptions = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                               NULL, g_object_unref);
  g_autoptr(GHashTable) section_counts = counts_table (snapshot->section_unread);
  g_autoptr(GHashTable) feed_counts = counts_table (snapshot->feed_unread);
  /* Each list's wanted contents: the top level, then one per section. */
  g_autoptr(GPtrArray) top = g_ptr_array_new ();
  g_autoptr(GHashTable) children = g_hash_table_new_full (NULL, NULL, NULL,
                                                          (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < N_SMART; i++)
    g_ptr_array_add (top, self->smart[i]);
  item_set_unread_count (self->smart[TIDINGS_SIDEBAR_ALL], snapshot->all_unread);
  item_set_unread_count (self->smart[TIDINGS_SIDEBAR_UNREAD], snapshot->all_unread);
  item_set_unread_count (self->smart[TIDINGS_SIDEBAR_STARRED], snapshot->starred);
  item_set_unread_count (self->smart[TIDINGS_SIDEBAR_TODAY], snapshot->today_unread);

  /* Sections: parents come before their children. */
  for (guint i = 0; i < snapshot->sections->len; i++)
    {
      TidingsSection *section = snapshot->sections->pdata[i];
      TidingsSidebarItem *item = take_item (self->sections, sections, TIDINGS_SIDEBAR_SECTION,
                                            section->id);
      TidingsSidebarItem *parent = NULL;

      item_set_string (item, &item->title, section->title, ITEM_PROP_TITLE);
      item_set_string (item, &item->icon_name, "folder-symbolic", ITEM_PROP_ICON_NAME);
      item_set_unread_count (item, snapshot->section_unread != NULL
                                   ? table_count (section_counts, section->id)
                                   : section->unread_count);
      item_set_parent_id (item, section->parent_id);
      g_hash_table_insert (children, item, g_ptr_array_new ());

      if (section->parent_id != 0)
        parent = g_hash_table_lookup (sections, &section->parent_id);
      if (parent != NULL)
        g_ptr_array_add (g_hash_table_lookup (children, parent), item);
      else
        g_ptr_array_add (top, item);
    }

  for (guint i = 0; i < snapshot->subscriptions->len; i++)
    {
      TidingsSubscription *subscription = snapshot->subscriptions->pdata[i];
      TidingsSidebarItem *item = take_item (self->subscriptions, subscriptions,
                                            TIDINGS_SIDEBAR_SUBSCRIPTION, subscription->id);
      TidingsSidebarItem *section = NULL;
      g_autofree char *fallback = NULL;
      const char *title = subscription->title;

      if (title == NULL || *title == '\0')
        title = fallback = fallback_title (subscription->url);
      item_set_string (item, &item->title, title, ITEM_PROP_TITLE);
      item_set_string (item, &item->icon_name, "application-rss+xml-symbolic",
                       ITEM_PROP_ICON_NAME);
      item_set_string (item, &item->icon_url, subscription->icon_url, ITEM_PROP_ICON_URL);
      item_set_string (item, &item->url, subscription->url, ITEM_PROP_URL);
      item_set_string (item, &item->error, subscription->last_error, ITEM_PROP_ERROR);
      item_set_unread_count (item, snapshot->feed_unread != NULL
                                   ? table_count (feed_counts, subscription->id)
                                   : subscription->unread_count);
      item_set_parent_id (item, subscription->section_id);

      if (subscription->section_id != 0)
        section = g_hash_table_lookup (sections, &subscription->section_id);
      if (section != NULL)
        g_ptr_array_add (g_hash_table_lookup (children, section), item);
      else
        g_ptr_array_add (top, item);
    }

  /* Out first everywhere, then in, so that an item moving from one list to
   * another is never in both. Sections that left are emptied too, in case
   * someone still holds them. */
  g_hash_table_iter_init (&iter, self->sections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TidingsSidebarItem *item = value;
      GPtrArray *wanted = g_hash_table_lookup (children, item);
      g_autoptr(GPtrArray) none = g_ptr_array_new ();

      sync_remove (item->children, wanted != NULL ? wanted : none);
    }
  sync_remove (self->top, top);

  sync_insert (self->top, top);
  g_hash_table_iter_init (&iter, children);
  while (g_hash_table_iter_next (&iter, (gpointer *) &value, NULL))
    {
      TidingsSidebarItem *item = value;

      sync_insert (item->children, g_hash_table_lookup (children, item));
    }

  g_hash_table_unref (self->sections);
  self->sections = g_steal_pointer (&sections);
  g_hash_table_unref (self->subscriptions);
  self->subscriptions = g_steal_pointer (&subscriptions);
}

static void start_load (TidingsSidebarModel *self);

static void
loaded (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(TidingsSidebarModel) self = user_data;
  g_autoptr(Snapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  snapshot = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &error);
  self->loading = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (snapshot == NULL)
    g_warning ("Could not read the sections and feeds: %s", error->message);
  else
    apply_snapshot (self, snapshot);

  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_load (self);
    }
}

/* One load at a time, and at most one more after it: changes that come
 * while a load runs are all seen by the next. */
static void
start_load (TidingsSidebarModel *self)
{
  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }
  self->loading = TRUE;
  tidings_library_read_async (self->library, read_snapshot, NULL, NULL, self->cancellable,
                              loaded, g_object_ref (self));
}

static void
library_changed (TidingsLibrary *library,
                 guint           changes,
                 gpointer        user_data)
{
  (void) library;
  /* Every change moves some count: articles and marks the unread ones,
   * subscriptions the rest. Icons are the window's icon cache's. */
  if (changes == TIDINGS_LIBRARY_CHANGED_ICONS)
    return;
  start_load (user_data);
}

TidingsSidebarModel *
tidings_sidebar_model_new (TidingsLibrary *library)
{
  TidingsSidebarModel *self;

  g_return_val_if_fail (TIDINGS_IS_LIBRARY (library), NULL);

  self = g_object_new (TIDINGS_TYPE_SIDEBAR_MODEL, NULL);
  self->library = g_object_ref (library);
  self->changed_id = g_signal_connect (library, "changed", G_CALLBACK (library_changed), self);
  start_load (self);
  return self;
}

gboolean
tidings_sidebar_model_get_loaded (TidingsSidebarModel *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_MODEL (self), FALSE);

  return self->loaded;
}

TidingsSidebarItem *
tidings_sidebar_model_find (TidingsSidebarModel *self,
                            TidingsSidebarKind   kind,
                            gint64               id)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_MODEL (self), NULL);

  switch (kind)
    {
    case TIDINGS_SIDEBAR_ALL:
    case TIDINGS_SIDEBAR_UNREAD:
    case TIDINGS_SIDEBAR_STARRED:
    case TIDINGS_SIDEBAR_TODAY:
      return self->smart[kind];
    case TIDINGS_SIDEBAR_SECTION:
      return g_hash_table_lookup (self->sections, &id);
    case TIDINGS_SIDEBAR_SUBSCRIPTION:
      return g_hash_table_lookup (self->subscriptions, &id);
    default:
      return NULL;
    }
}

gboolean
_tidings_sidebar_model_is_busy (TidingsSidebarModel *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_MODEL (self), FALSE);

  return self->loading || self->reload_again;
}

static void
tidings_sidebar_model_dispose (GObject *object)
{
  TidingsSidebarModel *self = TIDINGS_SIDEBAR_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  if (self->changed_id != 0)
    g_clear_signal_handler (&self->changed_id, self->library);
  g_clear_object (&self->library);

  G_OBJECT_CLASS (tidings_sidebar_model_parent_class)->dispose (object);
}

static void
tidings_sidebar_model_finalize (GObject *object)
{
  TidingsSidebarModel *self = TIDINGS_SIDEBAR_MODEL (object);

  g_signal_handlers_disconnect_by_data (self->top, self);
  g_object_unref (self->top);
  for (guint i = 0; i < N_SMART; i++)
    g_object_unref (self->smart[i]);
  g_hash_table_unref (self->sections);
  g_hash_table_unref (self->subscriptions);
  g_object_unref (self->cancellable);

  G_OBJECT_CLASS (tidings_sidebar_model_parent_class)->finalize (object);
}

static void
tidings_sidebar_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TidingsSidebarModel *self = TIDINGS_SIDEBAR_MODEL (object);

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
tidings_sidebar_model_class_init (TidingsSidebarModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tidings_sidebar_model_dispose;
  object_class->finalize = tidings_sidebar_model_finalize;
  object_class->get_property = tidings_sidebar_model_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tidings_sidebar_model_init (TidingsSidebarModel *self)
{
  static const struct
  {
    const char *title;
    const char *icon_name;
  } smart[N_SMART] = {
    [TIDINGS_SIDEBAR_ALL] = { N_("All Articles"), "view-list-bullet-symbolic" },
    [TIDINGS_SIDEBAR_UNREAD] = { N_("Unread"), "mail-unread-symbolic" },
    [TIDINGS_SIDEBAR_STARRED] = { N_("Starred"), "starred-symbolic" },
    [TIDINGS_SIDEBAR_TODAY] = { N_("Today"), "x-office-calendar-symbolic" },
  };

  self->cancellable = g_cancellable_new ();
  self->sections = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  self->subscriptions = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                               g_object_unref);
  self->top = g_list_store_new (TIDINGS_TYPE_SIDEBAR_ITEM);
  for (guint i = 0; i < N_SMART; i++)
    {
      self->smart[i] = item_new ((TidingsSidebarKind) i, 0);
      self->smart[i]->title = g_strdup (_(smart[i].title));
      self->smart[i]->icon_name = g_strdup (smart[i].icon_name);
    }
  g_list_store_splice (self->top, 0, 0, (gpointer *) self->smart, N_SMART);
  g_signal_connect (self->top, "items-changed", G_CALLBACK (top_items_changed), self);
}
