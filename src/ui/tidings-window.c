/* tidings-window.c: the reading window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three panes: the sidebar (smart sections, sections, feeds), the article
 * list and the article view. On libadwaita 1.2 they are two nested
 * AdwLeaflets, so a narrow window first drops to sidebar + one pane, then
 * to one pane at a time with back buttons.
 *
 * Everything the window shows comes from models that load on the library's
 * reader thread (TidingsSidebarModel, TidingsArticleList), so mapping the
 * window waits on no SQLite; the WebKitWebView appears with the first
 * article. Every key binding is an action installed here; the keys come
 * from the table in tidings-shortcuts.c.
 */

#define G_LOG_DOMAIN "tidings-window"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "tidings-add-dialog.h"
#include "tidings-article-list.h"
#include "tidings-article-row.h"
#include "tidings-web.h"
#include "tidings-shortcuts.h"
#include "tidings-sidebar-dnd.h"
#include "tidings-sidebar-model.h"
#include "tidings-sidebar-row.h"
#include "tidings-window.h"

#define MIN_PANE_WIDTH   200
#define MAX_PANE_WIDTH   640
#define RESIZE_EDGE      6     /* px at a pane's right edge that resize it */
#define HISTORY_MAX      100
#define ZOOM_STEP        0.1
#define ZOOM_MIN         0.5
#define ZOOM_MAX         3.0
#define SETTLE_DELAY_MS  1500  /* quiet time before memory is given back */

typedef enum
{
  PENDING_NONE,
  PENDING_FIRST_UNREAD,   /* once the list has loaded: select its first unread */
  PENDING_LAST_UNREAD,
  PENDING_FIRST,
  PENDING_LAST,
} PendingSelect;

struct _TidingsWindow
{
  AdwApplicationWindow  parent_instance;

  TidingsLibrary       *library;
  GSettings            *settings;

  /* Sidebar */
  TidingsSidebarModel  *sidebar_model;
  TidingsIconCache     *icon_cache;
  GtkTreeListModel     *sidebar_tree;
  GtkSingleSelection   *sidebar_selection;
  GtkCustomFilter      *removal_filter;
  GHashTable           *pending_removals;  /* TidingsSidebarItem -> itself */
  TidingsSidebarItem   *current_item;      /* what the list shows */
  TidingsSidebarItem   *menu_item;         /* what the context menu is about */
  char                 *pending_key;       /* selected-item to select once it exists */
  gboolean              restoring;

  /* Article list */
  TidingsArticleList   *article_list;
  GtkSingleSelection   *article_selection;
  PendingSelect         pending_select;
  TidingsArticleItem   *waiting_item;      /* selected placeholder, waiting for its page */
  TidingsArticleItem   *scan_item;         /* next/previous unread waits for this page */
  int                   scan_direction;
  guint                 scan_position;
  gboolean              unread_only;
  gboolean              oldest_first;
  char                 *search;
  gboolean              search_everywhere;

  /* Article view */
  gint64                shown_id;
  gint64                shown_subscription_id;
  gboolean              shown_read;
  gboolean              shown_starred;
  char                 *shown_url;
  TidingsArticleItem   *shown_item;        /* the list's item for it, when there is one */
  GCancellable         *article_cancellable;
  GCancellable         *scroll_cancellable;
  guint                 mark_read_source;
  guint                 settle_source;     /* gives memory back once quiet */
  gint64                mark_read_id;
  GArray               *history;           /* gint64 article ids */
  guint                 history_pos;       /* index of the shown article in history */
  gboolean              from_history;

  /* Refresh and notifications */
  guint                 new_for_notification;
  gboolean              sidebar_visible;

  /* Template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwLeaflet           *outer_leaflet;
  AdwLeaflet           *inner_leaflet;
  GtkWidget            *sidebar_pane;
  GtkWidget            *sidebar_separator;
  AdwHeaderBar         *sidebar_header;
  GtkStack             *refresh_stack;
  GtkSpinner           *refresh_spinner;
  GtkListView          *sidebar_view;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkWidget            *list_pane;
  AdwHeaderBar         *list_header;
  AdwWindowTitle       *list_title;
  GtkMenuButton        *sort_button;
  GtkMenuButton        *primary_menu_button;
  GtkMenuButton        *welcome_menu_button;
  GMenuModel           *primary_menu;
  GMenuModel           *list_menu;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkToggleButton      *everywhere_button;
  GtkStack             *list_stack;
  GtkListView          *article_list_view;
  AdwStatusPage        *list_empty_page;
  GtkWidget            *view_pane;
  AdwHeaderBar         *view_header;
  AdwWindowTitle       *view_title;
  GtkWidget            *star_button;
  GtkWidget            *read_button;
  /* The article view comes from its module (tidings-web.h): NULL until
   * then. */
  AdwBin               *article_view_slot;
  GtkWidget            *article_view;
  const TidingsWebFuncs *web;
  GCancellable         *web_cancellable;

  /* Benchmark hook (TIDINGS_BENCH_FD, see bench_init) */
  int                   bench_fd;
  gboolean              bench_pending;
  gboolean              bench_drawn;
  guint                 bench_source;
  gint64                bench_due;
  gint64                bench_stall_max;
};

G_DEFINE_FINAL_TYPE (TidingsWindow, tidings_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_UNREAD_ONLY,
  PROP_OLDEST_FIRST,
  PROP_SIDEBAR_VISIBLE,
  PROP_LIBRARY,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_query            (TidingsWindow *self);
static void open_item               (TidingsWindow      *self,
                                     TidingsArticleItem *item);
static void select_article_position (TidingsWindow *self,
                                     guint          position);
static void scan_unread             (TidingsWindow *self);
static void start_unread_scan       (TidingsWindow *self,
                                     guint          from,
                                     int            direction);
static void update_title_buttons    (TidingsWindow *self);
static gboolean ensure_article_view      (TidingsWindow *self);
static void     view_settings_changed_cb (TidingsWindow *self,
                                          const char    *key);
static void bench_write             (TidingsWindow *self,
                                     const char    *what,
                                     gint64         value);

/* ---- Small helpers ---- */

/* A number from a key of any numeric type, so that the window does not
 * depend on the exact type the schema gives a number. */
static double
settings_get_number (GSettings  *settings,
                     const char *key)
{
  g_autoptr(GVariant) value = g_settings_get_value (settings, key);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return g_variant_get_double (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    return g_variant_get_int32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return (double) g_variant_get_int64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return (double) g_variant_get_uint64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return 0;
}

/* Takes @toast; a window already disposed (a store call finishing after it
 * closed) drops it. */
static void
add_toast (TidingsWindow *self,
           AdwToast      *toast)
{
  if (self->toast_overlay == NULL)
    {
      g_object_unref (toast);
      return;
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
tidings_window_add_toast (TidingsWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (TIDINGS_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  add_toast (self, toast);
}

static void
toast_message (TidingsWindow *self,
               const char    *message)
{
  add_toast (self, adw_toast_new (message));
}

static gboolean
focus_is_inside (TidingsWindow *self,
                 GtkWidget     *ancestor)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  return focus != NULL && (focus == ancestor || gtk_widget_is_ancestor (focus, ancestor));
}

/* Write calls on the store, run on the library's writer. */
typedef struct
{
  gint64  id;
  gint64  target;
  char   *title;
  GArray *ids;
  TidingsArticleQuery query;
  char   *query_search;
} StoreOp;

static void
store_op_free (gpointer data)
{
  StoreOp *op = data;

  g_free (op->title);
  g_free (op->query_search);
  g_clear_pointer (&op->ids, g_array_unref);
  g_free (op);
}

static StoreOp *
store_op_new (gint64      id,
              gint64      target,
              const char *title)
{
  StoreOp *op = g_new0 (StoreOp, 1);

  op->id = id;
  op->target = target;
  op->title = g_strdup (title);
  return op;
}

static gpointer
rename_section_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;

  return tidings_store_rename_section (store, op->id, op->title, error) ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
rename_subscription_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;

  return tidings_store_rename_subscription (store, op->id, op->title, error)
         ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
remove_section_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;

  return tidings_store_remove_section (store, op->id, error) ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
remove_subscription_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;

  return tidings_store_remove_subscription (store, op->id, error) ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
move_subscription_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;

  return tidings_store_move_subscription (store, op->id, op->target, -1, error)
         ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
add_section_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;
  gint64 *id = g_new (gint64, 1);

  *id = tidings_store_add_section (store, op->title, 0, error);
  if (*id <= 0)
    g_clear_pointer (&id, g_free);
  return id;
}

/* Marks the query's articles read and returns the ids of those that were
 * unread, in one transaction, so that Undo gives back exactly those. */
static gpointer
mark_read_remembering_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;
  TidingsArticleQuery query = op->query;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  query.unread_only = TRUE;
  query.search = NULL;

  if (!tidings_store_begin (store, error))
    return NULL;
  rows = tidings_store_query_articles (store, &query, 0, G_MAXUINT, error);
  if (rows == NULL || !tidings_store_mark_read (store, &query, error))
    {
      tidings_store_rollback (store);
      return NULL;
    }
  if (!tidings_store_commit (store, error))
    {
      tidings_store_rollback (store);
      return NULL;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      TidingsArticleRow *row = g_ptr_array_index (rows, i);

      g_array_append_val (ids, row->id);
    }
  return g_steal_pointer (&ids);
}

static gpointer
mark_unread_ids_func (TidingsStore *store, gpointer data, GError **error)
{
  StoreOp *op = data;

  if (!tidings_store_begin (store, error))
    return NULL;
  for (guint i = 0; i < op->ids->len; i++)
    {
      if (!tidings_store_set_read (store, g_array_index (op->ids, gint64, i), FALSE, error))
        {
          tidings_store_rollback (store);
          return NULL;
        }
    }
  if (!tidings_store_commit (store, error))
    {
      tidings_store_rollback (store);
      return NULL;
    }
  return GINT_TO_POINTER (1);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TidingsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast_message (self, error->message);
}

static void
write_op (TidingsWindow        *self,
          TidingsStoreFunc      func,
          StoreOp              *op,
          TidingsLibraryChange  changes)
{
  tidings_library_write_async (self->library, func, op, store_op_free, changes, NULL,
                               write_done_cb, g_object_ref (self));
}

/* ---- Sidebar ---- */

static gboolean
removal_filter_func (gpointer item,
                     gpointer user_data)
{
  TidingsWindow *self = user_data;

  return !g_hash_table_contains (self->pending_removals, item);
}

static GListModel *
create_sidebar_children (gpointer item,
                         gpointer user_data)
{
  TidingsWindow *self = user_data;
  GListModel *children = tidings_sidebar_item_get_children (TIDINGS_SIDEBAR_ITEM (item));

  if (children == NULL)
    return NULL;

  return G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (children),
                                                  GTK_FILTER (g_object_ref (self->removal_filter))));
}

static TidingsSidebarItem *
sidebar_item_at (TidingsWindow *self,
                 guint          position)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->sidebar_tree),
                                                         position);

  if (row == NULL)
    return NULL;
  /* The row holds a reference to its item as long as it lives in the tree. */
  return TIDINGS_SIDEBAR_ITEM (gtk_tree_list_row_get_item (row));
}

static guint
sidebar_position_of (TidingsWindow      *self,
                     TidingsSidebarItem *item)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sidebar_tree));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TidingsSidebarItem) other = sidebar_item_at (self, i);

      if (other == item)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static char *
item_key (TidingsSidebarItem *item)
{
  switch (tidings_sidebar_item_get_kind (item))
    {
    case TIDINGS_SIDEBAR_ALL:
      return g_strdup ("all");
    case TIDINGS_SIDEBAR_UNREAD:
      return g_strdup ("unread");
    case TIDINGS_SIDEBAR_STARRED:
      return g_strdup ("starred");
    case TIDINGS_SIDEBAR_TODAY:
      return g_strdup ("today");
    case TIDINGS_SIDEBAR_SECTION:
      return g_strdup_printf ("section:%" G_GINT64_FORMAT, tidings_sidebar_item_get_id (item));
    case TIDINGS_SIDEBAR_SUBSCRIPTION:
    default:
      return g_strdup_printf ("feed:%" G_GINT64_FORMAT, tidings_sidebar_item_get_id (item));
    }
}

static gboolean
parse_item_key (const char         *key,
                TidingsSidebarKind *kind,
                gint64             *id)
{
  const char *number = NULL;
  char *end = NULL;

  *id = 0;
  if (g_strcmp0 (key, "all") == 0)
    *kind = TIDINGS_SIDEBAR_ALL;
  else if (g_strcmp0 (key, "unread") == 0)
    *kind = TIDINGS_SIDEBAR_UNREAD;
  else if (g_strcmp0 (key, "starred") == 0)
    *kind = TIDINGS_SIDEBAR_STARRED;
  else if (g_strcmp0 (key, "today") == 0)
    *kind = TIDINGS_SIDEBAR_TODAY;
  else if (key != NULL && g_str_has_prefix (key, "section:"))
    {
      *kind = TIDINGS_SIDEBAR_SECTION;
      number = key + strlen ("section:");
    }
  else if (key != NULL && g_str_has_prefix (key, "feed:"))
    {
      *kind = TIDINGS_SIDEBAR_SUBSCRIPTION;
      number = key + strlen ("feed:");
    }
  else
    return FALSE;

  if (number != NULL)
    {
      *id = g_ascii_strtoll (number, &end, 10);
      if (end == number || *end != '\0' || *id <= 0)
        return FALSE;
    }
  return TRUE;
}

/* Expands the sections above @item so that its row exists. */
static void
expand_ancestors (TidingsWindow      *self,
                  TidingsSidebarItem *item)
{
  gint64 parent_id = tidings_sidebar_item_get_parent_id (item);
  TidingsSidebarItem *parent;
  guint position;

  if (parent_id <= 0)
    return;
  parent = tidings_sidebar_model_find (self->sidebar_model, TIDINGS_SIDEBAR_SECTION, parent_id);
  if (parent == NULL || parent == item)
    return;

  expand_ancestors (self, parent);
  position = sidebar_position_of (self, parent);
  if (position != GTK_INVALID_LIST_POSITION)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->sidebar_tree),
                                                             position);
      gtk_tree_list_row_set_expanded (row, TRUE);
    }
}

gboolean
_tidings_window_select_item (TidingsWindow      *self,
                             TidingsSidebarKind  kind,
                             gint64              id)
{
  TidingsSidebarItem *item;
  guint position;

  g_return_val_if_fail (TIDINGS_IS_WINDOW (self), FALSE);

  item = tidings_sidebar_model_find (self->sidebar_model, kind, id);
  if (item == NULL || g_hash_table_contains (self->pending_removals, item))
    return FALSE;

  expand_ancestors (self, item);
  position = sidebar_position_of (self, item);
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;

  gtk_single_selection_set_selected (self->sidebar_selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->sidebar_view), "list.scroll-to-item", "u",
                              position);
  return TRUE;
}

static gboolean
select_item_by_key (TidingsWindow *self,
                    const char    *key)
{
  TidingsSidebarKind kind;
  gint64 id;

  if (!parse_item_key (key, &kind, &id))
    return FALSE;
  return _tidings_window_select_item (self, kind, id);
}

/* Selects @key now, or once the sidebar has loaded it. */
static void
select_item_later (TidingsWindow *self,
                   const char    *key)
{
  if (select_item_by_key (self, key))
    {
      g_clear_pointer (&self->pending_key, g_free);
      return;
    }
  g_free (self->pending_key);
  self->pending_key = g_strdup (key);
}

static void
update_list_title (TidingsWindow *self)
{
  g_autofree char *subtitle = NULL;
  guint unread;

  if (self->search != NULL && self->search_everywhere)
    {
      adw_window_title_set_title (self->list_title, _("Search"));
      adw_window_title_set_subtitle (self->list_title, _("All sections"));
      return;
    }
  if (self->current_item == NULL)
    {
      adw_window_title_set_title (self->list_title, "");
      adw_window_title_set_subtitle (self->list_title, "");
      return;
    }

  unread = tidings_sidebar_item_get_unread_count (self->current_item);
  if (self->unread_only && unread > 0)
    /* Translators: the list's subtitle when it shows only unread articles */
    subtitle = g_strdup_printf (ngettext ("%u unread, only unread shown",
                                          "%u unread, only unread shown", unread), unread);
  else if (self->unread_only)
    subtitle = g_strdup (_("Only unread shown"));
  else if (unread > 0
           && tidings_sidebar_item_get_kind (self->current_item) != TIDINGS_SIDEBAR_STARRED)
    subtitle = g_strdup_printf (ngettext ("%u unread", "%u unread", unread), unread);
  adw_window_title_set_title (self->list_title,
                              tidings_sidebar_item_get_title (self->current_item));
  adw_window_title_set_subtitle (self->list_title, subtitle != NULL ? subtitle : "");
}

static void
current_item_notify_cb (TidingsWindow *self)
{
  update_list_title (self);
}

static void
set_current_item (TidingsWindow      *self,
                  TidingsSidebarItem *item)
{
  if (self->current_item == item)
    return;

  if (self->current_item != NULL)
    g_signal_handlers_disconnect_by_func (self->current_item, current_item_notify_cb, self);
  g_set_object (&self->current_item, item);
  if (item != NULL)
    g_signal_connect_object (item, "notify", G_CALLBACK (current_item_notify_cb), self,
                             G_CONNECT_SWAPPED);
  update_list_title (self);
}

static void
sidebar_selection_changed_cb (TidingsWindow *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->sidebar_selection);
  g_autoptr(TidingsSidebarItem) item = NULL;
  g_autofree char *key = NULL;

  if (row == NULL)
    {
      /* The selected row went away: its section was collapsed (then the
       * section takes over) or the feed was removed (then All does). */
      guint position = GTK_INVALID_LIST_POSITION;

      if (self->current_item != NULL)
        {
          gint64 parent_id = tidings_sidebar_item_get_parent_id (self->current_item);
          TidingsSidebarItem *parent = NULL;

          if (parent_id > 0)
            parent = tidings_sidebar_model_find (self->sidebar_model, TIDINGS_SIDEBAR_SECTION,
                                                 parent_id);
          if (parent != NULL)
            position = sidebar_position_of (self, parent);
        }
      if (position == GTK_INVALID_LIST_POSITION && g_list_model_get_n_items (G_LIST_MODEL (self->sidebar_tree)) > 0)
        position = 0;
      if (position != GTK_INVALID_LIST_POSITION)
        gtk_single_selection_set_selected (self->sidebar_selection, position);
      return;
    }

  item = gtk_tree_list_row_get_item (row);
  if (item == self->current_item)
    return;

  set_current_item (self, item);
  g_clear_pointer (&self->pending_key, g_free);
  key = item_key (item);
  if (!self->restoring)
    g_settings_set_string (self->settings, "selected-item", key);

  update_query (self);
}

static void
sidebar_activate_cb (TidingsWindow *self,
                     guint          position)
{
  /* Enter on a section: on to its articles. */
  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
  if (adw_leaflet_get_folded (self->inner_leaflet))
    adw_leaflet_set_visible_child (self->inner_leaflet, self->list_pane);
  gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
}

static void
sidebar_click_released_cb (GtkGestureClick *gesture,
                           int              n_press,
                           double           x,
                           double           y,
                           TidingsWindow   *self)
{
  /* In a folded window a click on a section is a choice: show its list. */
  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
}

static void
update_welcome (TidingsWindow *self)
{
  guint n;
  gboolean empty;

  if (!tidings_sidebar_model_get_loaded (self->sidebar_model))
    return;

  /* The four smart items are always there; anything more is the user's. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->sidebar_model));
  empty = n <= 4;
  gtk_stack_set_visible_child_name (self->main_stack, empty ? "welcome" : "reader");
  /* The first choice is no change to animate; later ones (the first feed
   * subscribed) are. */
  gtk_stack_set_transition_type (self->main_stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
}

static void
sidebar_items_changed_cb (TidingsWindow *self)
{
  update_welcome (self);
  if (self->pending_key != NULL)
    {
      g_autofree char *key = g_strdup (self->pending_key);

      select_item_later (self, key);
    }
}

/* ---- Memory ---- */

static void
create_menu_cb (GtkMenuButton *button,
                gpointer       user_data)
{
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (user_data));
}

/* A menu button builds its whole popover, an item widget per entry, as
 * soon as it has a model: give the model when the menu first opens. */
static void
set_menu_later (GtkMenuButton *button,
                GMenuModel    *model)
{
  gtk_menu_button_set_create_popup_func (button, create_menu_cb, g_object_ref (model),
                                         g_object_unref);
}

static void
settle_cb (gpointer user_data)
{
  TidingsWindow *self = user_data;

  self->settle_source = 0;
  tidings_library_release_memory (self->library);
}

/* A list load, an article or a refresh leaves caches full and freed memory
 * behind; once nothing has happened for a moment, give it back. */
static void
settle_later (TidingsWindow *self)
{
  g_clear_handle_id (&self->settle_source, g_source_remove);
  self->settle_source = g_timeout_add_once (SETTLE_DELAY_MS, settle_cb, self);
}

static void
sidebar_loaded_cb (TidingsWindow *self)
{
  update_welcome (self);
  if (self->pending_key != NULL)
    {
      g_autofree char *key = g_strdup (self->pending_key);

      select_item_later (self, key);
      /* The section or feed remembered is gone: All, then. */
      if (self->pending_key != NULL && self->restoring)
        {
          g_clear_pointer (&self->pending_key, g_free);
          _tidings_window_select_item (self, TIDINGS_SIDEBAR_ALL, 0);
        }
    }
  self->restoring = FALSE;
}

/* Collects the subscription ids under @item (a feed, or a section and all
 * its feeds). */
static void
collect_subscriptions (TidingsSidebarItem *item,
                       GArray             *ids)
{
  GListModel *children;

  if (tidings_sidebar_item_get_kind (item) == TIDINGS_SIDEBAR_SUBSCRIPTION)
    {
      gint64 id = tidings_sidebar_item_get_id (item);

      g_array_append_val (ids, id);
      return;
    }

  children = tidings_sidebar_item_get_children (item);
  if (children == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(TidingsSidebarItem) child = g_list_model_get_item (children, i);

      collect_subscriptions (child, ids);
    }
}

/* ---- Context menu actions (on self->menu_item) ---- */

GMenuModel *
_tidings_window_get_item_menu (TidingsWindow      *self,
                               TidingsSidebarItem *item)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) first = g_menu_new ();
  g_autoptr(GMenu) second = g_menu_new ();
  TidingsSidebarKind kind;

  g_return_val_if_fail (TIDINGS_IS_WINDOW (self), NULL);
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (item), NULL);

  g_set_object (&self->menu_item, item);
  kind = tidings_sidebar_item_get_kind (item);

  g_menu_append (first, _("Mark All as _Read"), "win.mark-item-read");
  g_menu_append (first, _("Re_fresh"), "win.refresh-item");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));

  if (kind == TIDINGS_SIDEBAR_SECTION || kind == TIDINGS_SIDEBAR_SUBSCRIPTION)
    {
      g_menu_append (second, _("Re_name…"), "win.rename-item");
      if (kind == TIDINGS_SIDEBAR_SUBSCRIPTION)
        {
          g_autoptr(GMenu) sections = g_menu_new ();
          gint64 current = tidings_sidebar_item_get_parent_id (item);
          guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sidebar_model));

          for (guint i = 0; i < n; i++)
            {
              g_autoptr(TidingsSidebarItem) section = g_list_model_get_item (G_LIST_MODEL (self->sidebar_model), i);
              GListModel *children;
              g_autoptr(GMenuItem) entry = NULL;

              if (tidings_sidebar_item_get_kind (section) != TIDINGS_SIDEBAR_SECTION)
                continue;
              if (tidings_sidebar_item_get_id (section) != current)
                {
                  entry = g_menu_item_new (tidings_sidebar_item_get_title (section), NULL);
                  g_menu_item_set_action_and_target (entry, "win.move-item", "x",
                                                     tidings_sidebar_item_get_id (section));
                  g_menu_append_item (sections, entry);
                }
              /* Child sections, one level down. */
              children = tidings_sidebar_item_get_children (section);
              for (guint j = 0; children != NULL && j < g_list_model_get_n_items (children); j++)
                {
                  g_autoptr(TidingsSidebarItem) child = g_list_model_get_item (children, j);
                  g_autoptr(GMenuItem) child_entry = NULL;
                  g_autofree char *label = NULL;

                  if (tidings_sidebar_item_get_kind (child) != TIDINGS_SIDEBAR_SECTION
                      || tidings_sidebar_item_get_id (child) == current)
                    continue;
                  label = g_strdup_printf ("%s › %s", tidings_sidebar_item_get_title (section),
                                           tidings_sidebar_item_get_title (child));
                  child_entry = g_menu_item_new (label, NULL);
                  g_menu_item_set_action_and_target (child_entry, "win.move-item", "x",
                                                     tidings_sidebar_item_get_id (child));
                  g_menu_append_item (sections, child_entry);
                }
            }
          if (current > 0)
            {
              g_autoptr(GMenuItem) none = g_menu_item_new (_("No Section"), NULL);

              g_menu_item_set_action_and_target (none, "win.move-item", "x", (gint64) 0);
              g_menu_append_item (sections, none);
            }
          g_menu_append_submenu (second, _("_Move to"), G_MENU_MODEL (sections));
        }
      _tidings_sidebar_dnd_append_moves (self, item, second);
      g_menu_append (second, _("Remo_ve"), "win.remove-item");
      g_menu_append_section (menu, NULL, G_MENU_MODEL (second));
    }

  /* The popover keeps the model alive; the window keeps the last one. */
  g_object_set_data_full (G_OBJECT (self), "tidings-item-menu", g_object_ref (menu),
                          g_object_unref);
  return G_MENU_MODEL (menu);
}

static void
item_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  GtkTreeListRow *row;
  GtkWidget *child;

  /* Shift+F10 / Menu: the selected row's menu. The row widget is found
   * among the list view's children, as GTK 4.8 has no API for it. */
  row = gtk_single_selection_get_selected_item (self->sidebar_selection);
  if (row == NULL)
    return;

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *inner = gtk_widget_get_first_child (child);

      if (TIDINGS_IS_SIDEBAR_ROW (inner)
          && tidings_sidebar_row_get_list_row (TIDINGS_SIDEBAR_ROW (inner)) == row)
        {
          tidings_sidebar_row_popup_menu (TIDINGS_SIDEBAR_ROW (inner));
          return;
        }
    }
}

static void
mark_read_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data);

static void
mark_item_read (TidingsWindow      *self,
                TidingsSidebarItem *item)
{
  StoreOp *op = store_op_new (0, 0, tidings_sidebar_item_get_title (item));

  tidings_sidebar_item_get_query (item, &op->query);
  op->query.search = NULL;
  op->query.unread_only = FALSE;
  tidings_library_write_async (self->library, mark_read_remembering_func, op, store_op_free,
                               TIDINGS_LIBRARY_CHANGED_STATE, NULL, mark_read_done_cb,
                               g_object_ref (self));
}

static void
undo_mark_read_cb (AdwToast *toast,
                   gpointer  user_data)
{
  TidingsWindow *self = TIDINGS_WINDOW (user_data);
  GArray *ids = g_object_get_data (G_OBJECT (toast), "tidings-ids");
  StoreOp *op;

  if (ids == NULL || ids->len == 0)
    return;
  op = store_op_new (0, 0, NULL);
  op->ids = g_array_ref (ids);
  write_op (self, mark_unread_ids_func, op, TIDINGS_LIBRARY_CHANGED_STATE);
}

static void
mark_read_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TidingsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  AdwToast *toast;
  g_autofree char *title = NULL;

  ids = tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error);
  if (ids == NULL)
    {
      if (error != NULL)
        toast_message (self, error->message);
      return;
    }
  if (ids->len == 0)
    {
      toast_message (self, _("No unread articles here"));
      return;
    }

  title = g_strdup_printf (ngettext ("%u article marked as read", "%u articles marked as read",
                                     ids->len), ids->len);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "tidings-ids", g_steal_pointer (&ids),
                          (GDestroyNotify) g_array_unref);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_mark_read_cb), self, 0);
  add_toast (self, toast);
}

static void
mark_item_read_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  if (self->menu_item != NULL)
    mark_item_read (self, self->menu_item);
}

static void
refresh_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TidingsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  TidingsRefreshSummary summary = { 0 };

  if (!tidings_library_refresh_finish (TIDINGS_LIBRARY (source), result, &summary, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast_message (self, error->message);
}

static void
refresh_item (TidingsWindow      *self,
              TidingsSidebarItem *item)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  TidingsSidebarKind kind = item != NULL ? tidings_sidebar_item_get_kind (item)
                                         : TIDINGS_SIDEBAR_ALL;

  if (kind == TIDINGS_SIDEBAR_SECTION || kind == TIDINGS_SIDEBAR_SUBSCRIPTION)
    {
      collect_subscriptions (item, ids);
      /* An empty section has nothing to refresh (and an empty array would
       * mean everything). */
      if (ids->len == 0)
        return;
    }

  tidings_library_refresh_async (self->library, ids->len > 0 ? ids : NULL, NULL,
                                 refresh_done_cb, g_object_ref (self));
}

static void
refresh_item_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  refresh_item (self, self->menu_item);
}

typedef struct
{
  TidingsWindow      *window;
  TidingsSidebarItem *item;
  GtkEditable        *entry;
} RenameData;

static void
rename_data_free (gpointer data)
{
  RenameData *rename = data;

  g_object_unref (rename->window);
  g_object_unref (rename->item);
  g_free (rename);
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    RenameData       *rename)
{
  g_autofree char *title = NULL;
  StoreOp *op;

  if (!g_str_equal (response, "rename"))
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (rename->entry)));
  if (*title == '\0')
    return;

  op = store_op_new (tidings_sidebar_item_get_id (rename->item), 0, title);
  write_op (rename->window,
            tidings_sidebar_item_get_kind (rename->item) == TIDINGS_SIDEBAR_SECTION
              ? rename_section_func : rename_subscription_func,
            op, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
}

static void
rename_entry_activate_cb (GtkEntry         *entry,
                          AdwMessageDialog *dialog)
{
  adw_message_dialog_response (dialog, "rename");
}

/* A dialog with one entry: renaming, or naming a new section. */
static AdwMessageDialog *
name_dialog_new (TidingsWindow *self,
                 const char    *heading,
                 const char    *text,
                 const char    *action_label,
                 GtkEditable  **entry_out)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, NULL));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", action_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");

  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  g_signal_connect (entry, "activate", G_CALLBACK (rename_entry_activate_cb), dialog);
  adw_message_dialog_set_extra_child (dialog, entry);
  *entry_out = GTK_EDITABLE (entry);
  return dialog;
}

static void
rename_item_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  TidingsSidebarItem *item = self->menu_item;
  AdwMessageDialog *dialog;
  RenameData *rename;
  GtkEditable *entry;
  gboolean section;

  if (item == NULL)
    return;
  section = tidings_sidebar_item_get_kind (item) == TIDINGS_SIDEBAR_SECTION;
  if (!section && tidings_sidebar_item_get_kind (item) != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return;

  dialog = name_dialog_new (self, section ? _("Rename Section") : _("Rename Feed"),
                            tidings_sidebar_item_get_title (item), _("_Rename"), &entry);
  rename = g_new0 (RenameData, 1);
  rename->window = g_object_ref (self);
  rename->item = g_object_ref (item);
  rename->entry = entry;
  g_signal_connect_data (dialog, "response", G_CALLBACK (rename_response_cb), rename,
                         (GClosureNotify) (void (*) (void)) rename_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (entry));
}

static void
new_section_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TidingsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *id = NULL;
  g_autofree char *key = NULL;

  id = tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &error);
  if (id == NULL)
    {
      if (error != NULL)
        toast_message (self, error->message);
      return;
    }
  key = g_strdup_printf ("section:%" G_GINT64_FORMAT, *id);
  select_item_later (self, key);
}

static void
new_section_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         TidingsWindow    *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "tidings-entry");
  g_autofree char *title = NULL;

  if (!g_str_equal (response, "rename"))
    return;
  title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  if (*title == '\0')
    return;

  tidings_library_write_async (self->library, add_section_func, store_op_new (0, 0, title),
                               store_op_free, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, NULL,
                               new_section_done_cb, g_object_ref (self));
}

static void
new_section_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  AdwMessageDialog *dialog;
  GtkEditable *entry;

  dialog = name_dialog_new (self, _("New Section"), "", _("C_reate"), &entry);
  g_object_set_data (G_OBJECT (dialog), "tidings-entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (new_section_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (entry));
}

static void
move_feed (TidingsWindow *self,
           gint64         feed_id,
           gint64         section_id)
{
  write_op (self, move_subscription_func, store_op_new (feed_id, section_id, NULL),
            TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
}

static void
move_item_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  if (self->menu_item == NULL
      || tidings_sidebar_item_get_kind (self->menu_item) != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return;
  move_feed (self, tidings_sidebar_item_get_id (self->menu_item), g_variant_get_int64 (parameter));
}

static void
move_feed_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  gint64 feed_id;
  gint64 section_id;

  g_variant_get (parameter, "(xx)", &feed_id, &section_id);
  move_feed (self, feed_id, section_id);
}

/* Removal waits for its toast: Undo within it costs nothing, and the
 * removal happens only once the toast is gone. */
static void
commit_removal (TidingsWindow      *self,
                TidingsSidebarItem *item)
{
  StoreOp *op;

  if (!g_hash_table_contains (self->pending_removals, item))
    return;

  op = store_op_new (tidings_sidebar_item_get_id (item), 0, NULL);
  write_op (self,
            tidings_sidebar_item_get_kind (item) == TIDINGS_SIDEBAR_SECTION
              ? remove_section_func : remove_subscription_func,
            op, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS | TIDINGS_LIBRARY_CHANGED_ARTICLES);
  /* The filter keeps hiding it until the model drops it. */
}

static gboolean
removal_commit_idle_cb (gpointer data)
{
  AdwToast *toast = data;
  TidingsWindow *self = g_object_get_data (G_OBJECT (toast), "tidings-window");
  TidingsSidebarItem *item = g_object_get_data (G_OBJECT (toast), "tidings-item");

  if (self != NULL && item != NULL
      && g_object_get_data (G_OBJECT (toast), "tidings-undone") == NULL)
    {
      commit_removal (self, item);
      g_hash_table_remove (self->pending_removals, item);
    }
  return G_SOURCE_REMOVE;
}

static void
removal_toast_dismissed_cb (AdwToast      *toast,
                            TidingsWindow *self)
{
  /* The Undo button dismisses its toast before it says it was clicked:
   * decide once both have been heard. */
  g_object_set_data_full (G_OBJECT (toast), "tidings-window", g_object_ref (self),
                          g_object_unref);
  g_idle_add_full (G_PRIORITY_DEFAULT, removal_commit_idle_cb, g_object_ref (toast),
                   g_object_unref);
}

static void
removal_toast_undo_cb (AdwToast      *toast,
                       TidingsWindow *self)
{
  TidingsSidebarItem *item = g_object_get_data (G_OBJECT (toast), "tidings-item");

  g_object_set_data (G_OBJECT (toast), "tidings-undone", GINT_TO_POINTER (1));
  if (item != NULL && g_hash_table_remove (self->pending_removals, item))
    gtk_filter_changed (GTK_FILTER (self->removal_filter), GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
remove_item_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  TidingsSidebarItem *item = self->menu_item;
  TidingsSidebarKind kind;
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (item == NULL)
    return;
  kind = tidings_sidebar_item_get_kind (item);
  if (kind != TIDINGS_SIDEBAR_SECTION && kind != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return;

  g_hash_table_add (self->pending_removals, g_object_ref (item));
  gtk_filter_changed (GTK_FILTER (self->removal_filter), GTK_FILTER_CHANGE_MORE_STRICT);

  title = g_strdup_printf (kind == TIDINGS_SIDEBAR_SECTION ? _("Section “%s” removed")
                                                           : _("Feed “%s” removed"),
                           tidings_sidebar_item_get_title (item));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "tidings-item", g_object_ref (item), g_object_unref);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (removal_toast_undo_cb), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (removal_toast_dismissed_cb), self, 0);
  add_toast (self, toast);
}

/* ---- Article list ---- */

static void
build_query (TidingsWindow       *self,
             TidingsArticleQuery *query)
{
  memset (query, 0, sizeof *query);

  if (self->search != NULL && self->search_everywhere)
    query->kind = TIDINGS_SCOPE_ALL;
  else if (self->current_item != NULL)
    tidings_sidebar_item_get_query (self->current_item, query);
  else
    query->kind = TIDINGS_SCOPE_ALL;

  query->unread_only = query->unread_only || self->unread_only;
  query->oldest_first = self->oldest_first;
  query->search = self->search;
}

static TidingsScopeKind
scope_of_kind (TidingsSidebarKind kind)
{
  switch (kind)
    {
    case TIDINGS_SIDEBAR_UNREAD:
      return TIDINGS_SCOPE_UNREAD;
    case TIDINGS_SIDEBAR_STARRED:
      return TIDINGS_SCOPE_STARRED;
    case TIDINGS_SIDEBAR_TODAY:
      return TIDINGS_SCOPE_TODAY;
    case TIDINGS_SIDEBAR_SECTION:
      return TIDINGS_SCOPE_SECTION;
    case TIDINGS_SIDEBAR_SUBSCRIPTION:
      return TIDINGS_SCOPE_SUBSCRIPTION;
    case TIDINGS_SIDEBAR_ALL:
    default:
      return TIDINGS_SCOPE_ALL;
    }
}

static gboolean
query_equal (const TidingsArticleQuery *a,
             const TidingsArticleQuery *b)
{
  return a->kind == b->kind && a->id == b->id
         && !a->unread_only == !b->unread_only && !a->oldest_first == !b->oldest_first
         && g_strcmp0 (a->search, b->search) == 0;
}

static void
cancel_unread_scan (TidingsWindow *self)
{
  if (self->scan_item != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->scan_item, scan_unread, self);
      g_clear_object (&self->scan_item);
    }
  self->scan_direction = 0;
}

static void
update_query (TidingsWindow *self)
{
  TidingsArticleQuery query;

  cancel_unread_scan (self);
  build_query (self, &query);
  /* Restoring the selection at startup asks again for the query the list
   * was made with: no need to load it twice. */
  if (!query_equal (&query, tidings_article_list_get_query (self->article_list)))
    {
      if (self->bench_fd >= 0)
        {
          self->bench_pending = TRUE;
          bench_write (self, "list-query", g_get_monotonic_time ());
        }
      tidings_article_list_set_query (self->article_list, &query);
    }
  update_list_title (self);
}

static void
update_list_empty (TidingsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->article_list));
  const char *title;
  const char *description = NULL;
  const char *icon = "mail-read-symbolic";

  if (n > 0 || !tidings_article_list_get_loaded (self->article_list))
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }

  if (self->search != NULL)
    {
      title = _("No Results");
      description = _("No article has these words");
      icon = "system-search-symbolic";
    }
  else if (self->current_item != NULL
           && tidings_sidebar_item_get_kind (self->current_item) == TIDINGS_SIDEBAR_STARRED)
    {
      title = _("No Starred Articles");
      description = _("Articles you star with S stay here, and are never removed");
      icon = "non-starred-symbolic";
    }
  else if (self->unread_only || (self->current_item != NULL
                                 && tidings_sidebar_item_get_kind (self->current_item) == TIDINGS_SIDEBAR_UNREAD))
    title = _("All Read");
  else
    {
      title = _("No Articles");
      description = _("Articles appear here once the feeds are refreshed");
    }

  adw_status_page_set_title (self->list_empty_page, title);
  adw_status_page_set_description (self->list_empty_page, description);
  adw_status_page_set_icon_name (self->list_empty_page, icon);
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static gboolean
item_is_unread (TidingsArticleItem *item)
{
  return tidings_article_item_get_loaded (item) && !tidings_article_item_get_read (item);
}

static void
run_pending_select (TidingsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->article_list));
  PendingSelect pending = self->pending_select;

  self->pending_select = PENDING_NONE;
  if (n == 0)
    return;

  switch (pending)
    {
    case PENDING_FIRST_UNREAD:
      start_unread_scan (self, 0, 1);
      break;
    case PENDING_LAST_UNREAD:
      start_unread_scan (self, n - 1, -1);
      break;
    case PENDING_FIRST:
      select_article_position (self, 0);
      break;
    case PENDING_LAST:
      select_article_position (self, n - 1);
      break;
    case PENDING_NONE:
    default:
      break;
    }
}

static void
article_list_loaded_cb (TidingsWindow *self)
{
  update_list_empty (self);
  if (tidings_article_list_get_loaded (self->article_list))
    {
      settle_later (self);
      /* A reload may bring back the article shown: select it again. */
      if (self->pending_select == PENDING_NONE && self->shown_id > 0
          && gtk_single_selection_get_selected (self->article_selection) == GTK_INVALID_LIST_POSITION)
        {
          guint position = tidings_article_list_find (self->article_list, self->shown_id);

          if (position != G_MAXUINT)
            {
              self->from_history = TRUE;
              gtk_single_selection_set_selected (self->article_selection, position);
              self->from_history = FALSE;
            }
        }
      run_pending_select (self);
    }
}

static void
article_items_changed_cb (TidingsWindow *self)
{
  update_list_empty (self);
}

static void
select_article_position (TidingsWindow *self,
                         guint          position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->article_list));

  if (position >= n)
    return;

  gtk_single_selection_set_selected (self->article_selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->article_list_view), "list.scroll-to-item", "u",
                              position);
}

static void
update_view_buttons (TidingsWindow *self)
{
  gboolean starred = self->shown_starred;
  gboolean read = self->shown_read;

  gtk_button_set_icon_name (GTK_BUTTON (self->star_button),
                            starred ? "starred-symbolic" : "non-starred-symbolic");
  gtk_widget_set_tooltip_text (self->star_button, starred ? _("Unstar") : _("Star"));
  gtk_button_set_icon_name (GTK_BUTTON (self->read_button),
                            read ? "mail-unread-symbolic" : "mail-read-symbolic");
  gtk_widget_set_tooltip_text (self->read_button,
                               read ? _("Mark as Unread") : _("Mark as Read"));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-star", self->shown_id > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-read", self->shown_id > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-in-browser",
                                 self->shown_url != NULL);
}

static void
shown_item_notify_cb (TidingsWindow      *self,
                      GParamSpec         *pspec,
                      TidingsArticleItem *item)
{
  /* The list has the store's latest marks (a change from elsewhere, or
   * Mark All as Read). */
  if (tidings_article_item_get_loaded (item))
    {
      self->shown_read = tidings_article_item_get_read (item);
      self->shown_starred = tidings_article_item_get_starred (item);
    }
  update_view_buttons (self);
}

static void
set_shown_item (TidingsWindow      *self,
                TidingsArticleItem *item)
{
  if (self->shown_item == item)
    return;
  if (self->shown_item != NULL)
    g_signal_handlers_disconnect_by_func (self->shown_item, shown_item_notify_cb, self);
  g_set_object (&self->shown_item, item);
  if (item != NULL)
    {
      g_signal_connect_object (item, "notify::read", G_CALLBACK (shown_item_notify_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (item, "notify::starred", G_CALLBACK (shown_item_notify_cb), self,
                               G_CONNECT_SWAPPED);
    }
}

static gboolean
mark_read_timeout_cb (gpointer user_data)
{
  TidingsWindow *self = user_data;

  self->mark_read_source = 0;
  if (self->mark_read_id > 0 && self->mark_read_id == self->shown_id && !self->shown_read)
    {
      tidings_library_set_read (self->library, self->mark_read_id, TRUE);
      self->shown_read = TRUE;
      update_view_buttons (self);
    }
  self->mark_read_id = 0;
  return G_SOURCE_REMOVE;
}

static void
schedule_mark_read (TidingsWindow *self)
{
  double delay;

  g_clear_handle_id (&self->mark_read_source, g_source_remove);
  g_clear_handle_id (&self->settle_source, g_source_remove);
  self->mark_read_id = 0;

  if (self->shown_read || !g_settings_get_boolean (self->settings, "mark-read-on-select"))
    return;

  self->mark_read_id = self->shown_id;
  delay = settings_get_number (self->settings, "mark-read-delay");
  if (delay <= 0)
    {
      mark_read_timeout_cb (self);
      return;
    }
  self->mark_read_source = g_timeout_add ((guint) (delay * 1000), mark_read_timeout_cb, self);
}

static void
history_push (TidingsWindow *self,
              gint64         id)
{
  if (self->history->len > 0
      && g_array_index (self->history, gint64, self->history_pos) == id)
    return;

  /* Reading something new from the middle of the history drops what was
   * ahead, as a browser does. */
  if (self->history->len > 0)
    g_array_set_size (self->history, self->history_pos + 1);
  g_array_append_val (self->history, id);
  if (self->history->len > HISTORY_MAX)
    g_array_remove_index (self->history, 0);
  self->history_pos = self->history->len - 1;
}

static void
update_history_actions (TidingsWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.history-back",
                                 self->history->len > 0 && self->history_pos > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.history-forward",
                                 self->history->len > 0
                                 && self->history_pos + 1 < self->history->len);
}

typedef struct
{
  TidingsWindow      *window;
  TidingsArticleItem *item;        /* NULL when shown from the history only */
  gboolean            push_history;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_object_unref (data->window);
  g_clear_object (&data->item);
  g_free (data);
}

static void
update_window_title (TidingsWindow *self,
                     const char    *article_title)
{
  g_autofree char *title = NULL;

  if (article_title == NULL || *article_title == '\0')
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Tidings"));
      return;
    }
  /* Translators: the window's title: an article's title, then the app's name */
  title = g_strdup_printf (_("%s – Tidings"), article_title);
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
article_fetched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  OpenData *data = user_data;
  TidingsWindow *self = data->window;
  g_autoptr(TidingsArticle) article = NULL;
  g_autoptr(GError) error = NULL;
  const char *feed_title = NULL;
  TidingsSidebarItem *feed;

  article = tidings_library_get_article_finish (TIDINGS_LIBRARY (source), result, &error);
  if (article == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_message (self, error->message);
      open_data_free (data);
      return;
    }

  if (data->item != NULL)
    feed_title = tidings_article_item_get_feed_title (data->item);
  if (feed_title == NULL)
    {
      feed = tidings_sidebar_model_find (self->sidebar_model, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                         article->subscription_id);
      if (feed != NULL)
        feed_title = tidings_sidebar_item_get_title (feed);
    }

  self->shown_id = article->id;
  self->shown_subscription_id = article->subscription_id;
  self->shown_read = article->read;
  self->shown_starred = article->starred;
  g_free (self->shown_url);
  self->shown_url = g_strdup (article->item->url);
  set_shown_item (self, data->item);

  if (ensure_article_view (self))
    {
      self->web->show (self->article_view, article, feed_title);
      if (self->search != NULL)
        self->web->set_highlight (self->article_view, self->search);
    }
  update_window_title (self, article->item->title);

  if (data->push_history)
    history_push (self, article->id);
  update_history_actions (self);
  update_view_buttons (self);
  schedule_mark_read (self);
  settle_later (self);

  open_data_free (data);
}

static void
open_article_id (TidingsWindow      *self,
                 gint64              id,
                 TidingsArticleItem *item,
                 gboolean            push_history)
{
  OpenData *data;

  if (id <= 0)
    return;

  g_cancellable_cancel (self->article_cancellable);
  g_clear_object (&self->article_cancellable);
  self->article_cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->scroll_cancellable);

  /* A pending mark belongs to the article being left. */
  g_clear_handle_id (&self->mark_read_source, g_source_remove);
  self->mark_read_id = 0;

  data = g_new0 (OpenData, 1);
  data->window = g_object_ref (self);
  data->item = item != NULL ? g_object_ref (item) : NULL;
  data->push_history = push_history;
  tidings_library_get_article_async (self->library, id, self->article_cancellable,
                                     article_fetched_cb, data);
}

static void
waiting_item_loaded_cb (TidingsWindow *self)
{
  TidingsArticleItem *item = self->waiting_item;

  if (item == NULL || !tidings_article_item_get_loaded (item))
    return;
  g_signal_handlers_disconnect_by_func (item, waiting_item_loaded_cb, self);
  self->waiting_item = NULL;
  if (gtk_single_selection_get_selected_item (self->article_selection) == (gpointer) item)
    open_item (self, item);
  g_object_unref (item);
}

static void
clear_waiting_item (TidingsWindow *self)
{
  if (self->waiting_item == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->waiting_item, waiting_item_loaded_cb, self);
  g_clear_object (&self->waiting_item);
}

static void
open_item (TidingsWindow      *self,
           TidingsArticleItem *item)
{
  gint64 id;

  clear_waiting_item (self);
  if (!tidings_article_item_get_loaded (item))
    {
      /* Its page is on the way. */
      self->waiting_item = g_object_ref (item);
      g_signal_connect_swapped (item, "notify::loaded", G_CALLBACK (waiting_item_loaded_cb),
                                self);
      return;
    }

  id = tidings_article_item_get_id (item);
  if (id == self->shown_id)
    {
      set_shown_item (self, item);
      update_view_buttons (self);
      return;
    }
  open_article_id (self, id, item, !self->from_history);
}

static void
article_selection_changed_cb (TidingsWindow *self)
{
  TidingsArticleItem *item = gtk_single_selection_get_selected_item (self->article_selection);

  if (item == NULL)
    {
      clear_waiting_item (self);
      return;
    }
  open_item (self, item);
}

static void
show_view_pane (TidingsWindow *self,
                gboolean       focus)
{
  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
  if (adw_leaflet_get_folded (self->inner_leaflet))
    adw_leaflet_set_visible_child (self->inner_leaflet, self->view_pane);
  if (focus && self->article_view != NULL)
    gtk_widget_grab_focus (self->article_view);
}

static void
article_activate_cb (TidingsWindow *self,
                     guint          position)
{
  TidingsArticleItem *item;

  if (gtk_single_selection_get_selected (self->article_selection) != position)
    gtk_single_selection_set_selected (self->article_selection, position);
  item = gtk_single_selection_get_selected_item (self->article_selection);
  if (item != NULL)
    open_item (self, item);
  show_view_pane (self, TRUE);
}

static void
article_click_released_cb (GtkGestureClick *gesture,
                           int              n_press,
                           double           x,
                           double           y,
                           TidingsWindow   *self)
{
  /* A click on an article in a folded window opens the view; the selection
   * (which opens the article) is the list's own doing. */
  if (adw_leaflet_get_folded (self->inner_leaflet))
    show_view_pane (self, FALSE);
}

/* ---- Next / previous unread ---- */

/* Sidebar rows after (or before) the current one that have unread articles,
 * skipping what the current row already contains and expanded sections
 * (their feeds follow). */
static gboolean
item_is_inside (TidingsWindow      *self,
                TidingsSidebarItem *item,
                TidingsSidebarItem *section)
{
  gint64 parent_id = tidings_sidebar_item_get_parent_id (item);
  int depth = 0;

  if (tidings_sidebar_item_get_kind (section) != TIDINGS_SIDEBAR_SECTION)
    return FALSE;

  while (parent_id > 0 && depth++ < 8)
    {
      TidingsSidebarItem *parent;

      if (parent_id == tidings_sidebar_item_get_id (section))
        return TRUE;
      parent = tidings_sidebar_model_find (self->sidebar_model, TIDINGS_SIDEBAR_SECTION,
                                           parent_id);
      if (parent == NULL)
        break;
      parent_id = tidings_sidebar_item_get_parent_id (parent);
    }
  return FALSE;
}

static gboolean
cross_to_next_feed (TidingsWindow *self,
                    int            direction)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sidebar_tree));
  guint current = gtk_single_selection_get_selected (self->sidebar_selection);
  TidingsSidebarKind kind;

  if (self->current_item == NULL || current == GTK_INVALID_LIST_POSITION)
    return FALSE;
  kind = tidings_sidebar_item_get_kind (self->current_item);
  /* A smart section holds every feed's articles: nothing to cross into. */
  if (kind != TIDINGS_SIDEBAR_SECTION && kind != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return FALSE;
  if (self->search != NULL)
    return FALSE;

  for (guint i = direction > 0 ? current + 1 : current - 1;
       i < n;  /* wraps to G_MAXUINT below 0 */
       i = direction > 0 ? i + 1 : i - 1)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->sidebar_tree), i);
      g_autoptr(TidingsSidebarItem) item = gtk_tree_list_row_get_item (row);
      TidingsSidebarKind item_kind = tidings_sidebar_item_get_kind (item);

      if (item_kind != TIDINGS_SIDEBAR_SECTION && item_kind != TIDINGS_SIDEBAR_SUBSCRIPTION)
        continue;
      if (tidings_sidebar_item_get_unread_count (item) == 0)
        continue;
      if (item_is_inside (self, item, self->current_item)
          || item_is_inside (self, self->current_item, item))
        continue;
      if (item_kind == TIDINGS_SIDEBAR_SECTION && gtk_tree_list_row_get_expanded (row))
        continue;

      self->pending_select = direction > 0 ? PENDING_FIRST_UNREAD : PENDING_LAST_UNREAD;
      gtk_single_selection_set_selected (self->sidebar_selection, i);
      gtk_widget_activate_action (GTK_WIDGET (self->sidebar_view), "list.scroll-to-item", "u", i);
      return TRUE;
    }
  return FALSE;
}

static void
scan_unread (TidingsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->article_list));
  int direction = self->scan_direction;
  guint position = self->scan_position;

  if (self->scan_item != NULL)
    {
      if (!tidings_article_item_get_loaded (self->scan_item))
        return;
      g_signal_handlers_disconnect_by_func (self->scan_item, scan_unread, self);
      g_clear_object (&self->scan_item);
    }
  if (direction == 0)
    return;

  while (position < n)
    {
      g_autoptr(TidingsArticleItem) item = g_list_model_get_item (G_LIST_MODEL (self->article_list),
                                                                  position);

      if (!tidings_article_item_get_loaded (item))
        {
          /* Wait for its page, then go on from here. */
          self->scan_position = position;
          self->scan_item = g_object_ref (item);
          g_signal_connect_swapped (item, "notify::loaded", G_CALLBACK (scan_unread), self);
          return;
        }
      if (item_is_unread (item))
        {
          self->scan_direction = 0;
          select_article_position (self, position);
          return;
        }
      if (direction < 0 && position == 0)
        break;
      position = direction > 0 ? position + 1 : position - 1;
    }

  self->scan_direction = 0;
  if (!cross_to_next_feed (self, direction))
    toast_message (self, direction > 0 ? _("No more unread articles")
                                       : _("No earlier unread articles"));
}

static void
start_unread_scan (TidingsWindow *self,
                   guint          from,
                   int            direction)
{
  cancel_unread_scan (self);
  self->scan_direction = direction;
  self->scan_position = from;
  scan_unread (self);
}

static void
next_unread (TidingsWindow *self,
             int            direction)
{
  guint selected = gtk_single_selection_get_selected (self->article_selection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->article_list));

  if (!tidings_article_list_get_loaded (self->article_list))
    {
      self->pending_select = direction > 0 ? PENDING_FIRST_UNREAD : PENDING_LAST_UNREAD;
      return;
    }

  if (selected == GTK_INVALID_LIST_POSITION)
    {
      if (n == 0)
        {
          if (!cross_to_next_feed (self, direction))
            toast_message (self, _("No more unread articles"));
          return;
        }
      start_unread_scan (self, direction > 0 ? 0 : n - 1, direction);
      return;
    }

  if (direction < 0 && selected == 0)
    {
      if (!cross_to_next_feed (self, direction))
        toast_message (self, _("No earlier unread articles"));
      return;
    }
  start_unread_scan (self, direction > 0 ? selected + 1 : selected - 1, direction);
}

/* ---- Actions ---- */

static void
move_article (TidingsWindow *self,
              int            delta)
{
  guint selected = gtk_single_selection_get_selected (self->article_selection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->article_list));

  cancel_unread_scan (self);
  if (n == 0)
    {
      if (!tidings_article_list_get_loaded (self->article_list))
        self->pending_select = delta > 0 ? PENDING_FIRST : PENDING_LAST;
      return;
    }

  if (selected == GTK_INVALID_LIST_POSITION)
    {
      /* Nothing selected: the article shown, if the list has it, is where
       * we are; else start at the top. */
      guint shown = self->shown_id > 0 ? tidings_article_list_find (self->article_list,
                                                                     self->shown_id)
                                        : G_MAXUINT;
      if (shown != G_MAXUINT)
        selected = shown;
      else
        {
          select_article_position (self, delta > 0 ? 0 : n - 1);
          return;
        }
    }

  if (delta < 0 && selected == 0)
    return;
  if (delta > 0 && selected + 1 >= n)
    return;
  select_article_position (self, delta > 0 ? selected + 1 : selected - 1);
}

static void
next_article_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  move_article (TIDINGS_WINDOW (widget), 1);
}

static void
previous_article_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  move_article (TIDINGS_WINDOW (widget), -1);
}

static void
next_unread_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  next_unread (TIDINGS_WINDOW (widget), 1);
}

static void
previous_unread_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  next_unread (TIDINGS_WINDOW (widget), -1);
}

static void
first_article_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  cancel_unread_scan (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->article_list)) > 0)
    select_article_position (self, 0);
}

static void
last_article_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->article_list));

  cancel_unread_scan (self);
  if (n > 0)
    select_article_position (self, n - 1);
}

typedef struct
{
  TidingsWindow *window;
  gboolean       next_unread_at_end;
} ScrollData;

static void
scroll_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ScrollData *data = user_data;
  g_autoptr(TidingsWindow) self = data->window;
  gboolean at_end;
  g_autoptr(GError) error = NULL;

  at_end = self->web->scroll_finish (GTK_WIDGET (source), result, &error);
  if (at_end && data->next_unread_at_end)
    next_unread (self, 1);
  g_free (data);
}

static void
scroll_view (TidingsWindow *self,
             double         pages,
             gboolean       next_unread_at_end)
{
  ScrollData *data;

  if (self->shown_id <= 0)
    {
      /* Nothing to scroll yet: Space starts reading. */
      if (pages > 0)
        next_unread (self, 1);
      return;
    }

  g_cancellable_cancel (self->scroll_cancellable);
  g_clear_object (&self->scroll_cancellable);
  self->scroll_cancellable = g_cancellable_new ();

  data = g_new0 (ScrollData, 1);
  data->window = g_object_ref (self);
  data->next_unread_at_end = next_unread_at_end;
  self->web->scroll_async (self->article_view, pages, self->scroll_cancellable, scroll_done_cb,
                           data);
}

static void
scroll_down_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  scroll_view (TIDINGS_WINDOW (widget), 1, TRUE);
}

static void
scroll_up_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  scroll_view (TIDINGS_WINDOW (widget), -1, FALSE);
}

static void
half_page_down_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  scroll_view (TIDINGS_WINDOW (widget), 0.5, FALSE);
}

static void
half_page_up_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  scroll_view (TIDINGS_WINDOW (widget), -0.5, FALSE);
}

/* The panes in reading order, for h / l. */
static void
focus_pane (TidingsWindow *self,
            int            delta)
{
  GtkWidget *panes[] = {
    GTK_WIDGET (self->sidebar_view),
    GTK_WIDGET (self->article_list_view),
    GTK_WIDGET (self->article_view_slot),
  };
  int current = 1;
  int target;

  for (int i = 0; i < (int) G_N_ELEMENTS (panes); i++)
    if (focus_is_inside (self, panes[i]))
      current = i;

  target = CLAMP (current + delta, 0, (int) G_N_ELEMENTS (panes) - 1);
  if (target == 0 && !gtk_widget_get_visible (self->sidebar_pane))
    target = 1;

  if (target == 0)
    {
      if (adw_leaflet_get_folded (self->outer_leaflet))
        adw_leaflet_set_visible_child (self->outer_leaflet, self->sidebar_pane);
    }
  else
    {
      if (adw_leaflet_get_folded (self->outer_leaflet))
        adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
      if (adw_leaflet_get_folded (self->inner_leaflet))
        adw_leaflet_set_visible_child (self->inner_leaflet,
                                       target == 1 ? self->list_pane : self->view_pane);
    }
  gtk_widget_grab_focus (panes[target]);
}

static void
focus_left_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  focus_pane (TIDINGS_WINDOW (widget), -1);
}

static void
focus_right_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  focus_pane (TIDINGS_WINDOW (widget), 1);
}

static void
open_article_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  TidingsArticleItem *item;

  /* Enter keeps its usual meaning on buttons and in the sidebar. */
  if (focus != NULL && (GTK_IS_BUTTON (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_BUTTON)))
    {
      gtk_widget_activate (GTK_IS_BUTTON (focus) ? focus
                                                 : gtk_widget_get_ancestor (focus, GTK_TYPE_BUTTON));
      return;
    }
  if (focus_is_inside (self, GTK_WIDGET (self->sidebar_view)))
    {
      sidebar_activate_cb (self, gtk_single_selection_get_selected (self->sidebar_selection));
      return;
    }
  if (focus_is_inside (self, GTK_WIDGET (self->search_bar)))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
      return;
    }

  item = gtk_single_selection_get_selected_item (self->article_selection);
  if (item == NULL)
    {
      if (g_list_model_get_n_items (G_LIST_MODEL (self->article_list)) == 0)
        return;
      select_article_position (self, 0);
      item = gtk_single_selection_get_selected_item (self->article_selection);
    }
  if (item != NULL)
    open_item (self, item);
  show_view_pane (self, TRUE);
}

static void
open_in_browser_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  if (self->shown_id > 0)
    self->web->open_in_browser (self->article_view);
}

/* The article s and m act on: the one shown (which is the selected one
 * whenever the list has it). */
static gboolean
current_article (TidingsWindow *self,
                 gint64        *id,
                 gboolean      *read,
                 gboolean      *starred)
{
  TidingsArticleItem *item = gtk_single_selection_get_selected_item (self->article_selection);

  if (self->shown_id <= 0 && item != NULL && tidings_article_item_get_loaded (item))
    {
      *id = tidings_article_item_get_id (item);
      *read = tidings_article_item_get_read (item);
      *starred = tidings_article_item_get_starred (item);
      return TRUE;
    }
  if (self->shown_id <= 0)
    return FALSE;

  /* What the window last did or heard, not the list's item, which follows
   * the store a moment later: s s in quick succession must toggle twice. */
  *id = self->shown_id;
  *read = self->shown_read;
  *starred = self->shown_starred;
  return TRUE;
}

static void
set_starred (TidingsWindow *self,
             gint64         id,
             gboolean       starred)
{
  tidings_library_set_starred (self->library, id, starred);
  if (id == self->shown_id)
    {
      self->shown_starred = starred;
      update_view_buttons (self);
    }
}

static void
toggle_star_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  gint64 id;
  gboolean read;
  gboolean starred;

  if (current_article (self, &id, &read, &starred))
    set_starred (self, id, !starred);
}

static void
set_starred_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  gint64 id;
  gboolean starred;

  g_variant_get (parameter, "(xb)", &id, &starred);
  set_starred (self, id, starred);
}

static void
toggle_read_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  gint64 id;
  gboolean read;
  gboolean starred;

  if (!current_article (self, &id, &read, &starred))
    return;

  /* Marking it unread by hand must not be undone by the pending mark. */
  if (self->mark_read_id == id)
    {
      g_clear_handle_id (&self->mark_read_source, g_source_remove);
      self->mark_read_id = 0;
    }
  tidings_library_set_read (self->library, id, !read);
  if (id == self->shown_id)
    {
      self->shown_read = !read;
      update_view_buttons (self);
    }
}

static void
mark_all_read_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  if (self->current_item != NULL)
    mark_item_read (self, self->current_item);
}

static void
move_sidebar (TidingsWindow *self,
              int            delta)
{
  guint selected = gtk_single_selection_get_selected (self->sidebar_selection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sidebar_tree));
  guint target;

  if (n == 0)
    return;
  if (selected == GTK_INVALID_LIST_POSITION)
    target = 0;
  else if (delta < 0)
    target = selected > 0 ? selected - 1 : 0;
  else
    target = MIN (selected + 1, n - 1);

  gtk_single_selection_set_selected (self->sidebar_selection, target);
  gtk_widget_activate_action (GTK_WIDGET (self->sidebar_view), "list.scroll-to-item", "u", target);
}

static void
next_feed_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  move_sidebar (TIDINGS_WINDOW (widget), 1);
}

static void
previous_feed_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  move_sidebar (TIDINGS_WINDOW (widget), -1);
}

static void
go_smart (TidingsWindow      *self,
          TidingsSidebarKind  kind)
{
  if (_tidings_window_select_item (self, kind, 0))
    {
      if (adw_leaflet_get_folded (self->outer_leaflet))
        adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
      if (!focus_is_inside (self, GTK_WIDGET (self->article_view_slot)))
        gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
    }
}

static void
go_all_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go_smart (TIDINGS_WINDOW (widget), TIDINGS_SIDEBAR_ALL);
}

static void
go_unread_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go_smart (TIDINGS_WINDOW (widget), TIDINGS_SIDEBAR_UNREAD);
}

static void
go_starred_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go_smart (TIDINGS_WINDOW (widget), TIDINGS_SIDEBAR_STARRED);
}

static void
go_today_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  go_smart (TIDINGS_WINDOW (widget), TIDINGS_SIDEBAR_TODAY);
}

static void
history_go (TidingsWindow *self,
            int            delta)
{
  gint64 id;
  guint position;

  if (self->history->len == 0)
    return;
  if (delta < 0 && self->history_pos == 0)
    return;
  if (delta > 0 && self->history_pos + 1 >= self->history->len)
    return;

  self->history_pos += delta;
  id = g_array_index (self->history, gint64, self->history_pos);
  update_history_actions (self);

  position = tidings_article_list_find (self->article_list, id);
  self->from_history = TRUE;
  if (position != G_MAXUINT)
    select_article_position (self, position);
  else
    {
      /* Not in this list (another section, or not loaded): show it alone. */
      gtk_single_selection_set_selected (self->article_selection, GTK_INVALID_LIST_POSITION);
      open_article_id (self, id, NULL, FALSE);
    }
  self->from_history = FALSE;
}

static void
history_back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  history_go (TIDINGS_WINDOW (widget), -1);
}

static void
history_forward_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  history_go (TIDINGS_WINDOW (widget), 1);
}

static void
refresh_selected_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  refresh_item (self, self->current_item);
}

static void
refresh_all_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  refresh_item (TIDINGS_WINDOW (widget), NULL);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  if (adw_leaflet_get_folded (self->outer_leaflet))
    adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
  if (adw_leaflet_get_folded (self->inner_leaflet))
    adw_leaflet_set_visible_child (self->inner_leaflet, self->list_pane);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
add_feed_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  tidings_window_add_feed (TIDINGS_WINDOW (widget), NULL);
}

static void
set_zoom (TidingsWindow *self,
          double         zoom)
{
  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  /* Steps of a tenth, without drift from adding 0.1 many times. */
  zoom = ((int) (zoom * 10 + 0.5)) / 10.0;
  if (self->article_view != NULL)
    self->web->set_zoom (self->article_view, zoom);
  g_settings_set_double (self->settings, "article-zoom", zoom);
}

static void
zoom_in_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  set_zoom (self, g_settings_get_double (self->settings, "article-zoom") + ZOOM_STEP);
}

static void
zoom_out_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  set_zoom (self, g_settings_get_double (self->settings, "article-zoom") - ZOOM_STEP);
}

static void
zoom_reset_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  set_zoom (TIDINGS_WINDOW (widget), 1.0);
}

static void
set_sidebar_visible (TidingsWindow *self,
                     gboolean       visible)
{
  if (self->sidebar_visible == visible)
    return;

  self->sidebar_visible = visible;
  gtk_widget_set_visible (self->sidebar_pane, visible);
  gtk_widget_set_visible (self->sidebar_separator, visible);
  if (!visible && focus_is_inside (self, self->sidebar_pane))
    gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
  update_title_buttons (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIDEBAR_VISIBLE]);
}

static void
toggle_sidebar_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  /* Folded, the sidebar is a page of its own: F9 goes there and back. */
  if (adw_leaflet_get_folded (self->outer_leaflet))
    {
      if (adw_leaflet_get_visible_child (self->outer_leaflet) == self->sidebar_pane)
        adw_leaflet_set_visible_child (self->outer_leaflet, GTK_WIDGET (self->inner_leaflet));
      else
        {
          set_sidebar_visible (self, TRUE);
          adw_leaflet_set_visible_child (self->outer_leaflet, self->sidebar_pane);
          gtk_widget_grab_focus (GTK_WIDGET (self->sidebar_view));
        }
      return;
    }
  set_sidebar_visible (self, !self->sidebar_visible);
}

static void
escape_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);

  /* Escape goes back a step: from the article to the list, from the list
   * (in a folded window) to the sidebar. */
  if (focus_is_inside (self, self->view_pane))
    {
      if (adw_leaflet_get_folded (self->inner_leaflet))
        adw_leaflet_set_visible_child (self->inner_leaflet, self->list_pane);
      gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
    }
  else if (focus_is_inside (self, self->list_pane))
    {
      /* From the results, Escape ends the search first. */
      if (gtk_search_bar_get_search_mode (self->search_bar))
        {
          gtk_search_bar_set_search_mode (self->search_bar, FALSE);
          gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
          return;
        }
      if (adw_leaflet_get_folded (self->outer_leaflet))
        {
          set_sidebar_visible (self, TRUE);
          adw_leaflet_set_visible_child (self->outer_leaflet, self->sidebar_pane);
        }
      if (gtk_widget_get_visible (self->sidebar_pane))
        gtk_widget_grab_focus (GTK_WIDGET (self->sidebar_view));
    }
}

/* ---- Welcome and suggestions ---- */

static void
import_suggested_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(TidingsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;
  guint added;

  added = tidings_library_import_opml_finish (TIDINGS_LIBRARY (source), result, NULL, &error);
  if (error != NULL)
    {
      toast_message (self, error->message);
      return;
    }

  title = g_strdup_printf (ngettext ("%u suggested feed added", "%u suggested feeds added", added),
                           added);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Refresh Now"));
  adw_toast_set_action_name (toast, "win.refresh-all");
  adw_toast_set_timeout (toast, 10);
  add_toast (self, toast);
  select_item_later (self, "all");
}

static void
add_suggested_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TidingsWindow *self = TIDINGS_WINDOW (widget);
  g_autoptr(GBytes) opml = NULL;
  g_autoptr(GError) error = NULL;

  opml = g_resources_lookup_data (APP_PATH "suggested-feeds.opml", G_RESOURCE_LOOKUP_FLAGS_NONE,
                                  &error);
  if (opml == NULL)
    {
      g_critical ("The suggested feeds are missing from the resources: %s", error->message);
      return;
    }
  /* Only subscribing: nothing is fetched until the user refreshes. */
  tidings_library_import_opml_async (self->library, opml, NULL, import_suggested_done_cb,
                                     g_object_ref (self));
}

/* ---- Add dialog ---- */

static void
subscribed_cb (GtkWidget     *dialog,
               gint64         subscription_id,
               TidingsWindow *self)
{
  g_autofree char *key = g_strdup_printf ("feed:%" G_GINT64_FORMAT, subscription_id);

  select_item_later (self, key);
}

void
tidings_window_add_feed (TidingsWindow *self,
                         const char    *url)
{
  GtkWidget *dialog;

  g_return_if_fail (TIDINGS_IS_WINDOW (self));

  dialog = GTK_WIDGET (tidings_add_dialog_new (GTK_WINDOW (self), self->library,
                                               G_LIST_MODEL (self->sidebar_model)));
  /* New feeds go where the reader is: the selected section, or the
   * selected feed's. */
  if (self->current_item != NULL)
    {
      TidingsSidebarKind kind = tidings_sidebar_item_get_kind (self->current_item);

      if (kind == TIDINGS_SIDEBAR_SECTION)
        tidings_add_dialog_set_section (TIDINGS_ADD_DIALOG (dialog),
                                        tidings_sidebar_item_get_id (self->current_item));
      else if (kind == TIDINGS_SIDEBAR_SUBSCRIPTION)
        tidings_add_dialog_set_section (TIDINGS_ADD_DIALOG (dialog),
                                        tidings_sidebar_item_get_parent_id (self->current_item));
    }
  if (url != NULL)
    tidings_add_dialog_set_url (TIDINGS_ADD_DIALOG (dialog), url);
  g_signal_connect_object (dialog, "subscribed", G_CALLBACK (subscribed_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Search ---- */

static void
search_changed_cb (TidingsWindow  *self,
                   GtkSearchEntry *entry)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  char *search = *text != '\0' ? g_steal_pointer (&text) : NULL;

  if (g_strcmp0 (search, self->search) == 0)
    {
      g_free (search);
      return;
    }
  g_free (self->search);
  self->search = search;
  update_query (self);
  if (self->shown_id > 0 && self->article_view != NULL)
    self->web->set_highlight (self->article_view, self->search);
}

static void
search_activate_cb (TidingsWindow *self)
{
  /* Enter or Down in the entry: on to the results. */
  if (gtk_single_selection_get_selected (self->article_selection) == GTK_INVALID_LIST_POSITION
      && g_list_model_get_n_items (G_LIST_MODEL (self->article_list)) > 0)
    select_article_position (self, 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
}

static void
everywhere_toggled_cb (TidingsWindow   *self,
                       GtkToggleButton *button)
{
  self->search_everywhere = gtk_toggle_button_get_active (button);
  if (self->search != NULL)
    update_query (self);
}

static void
search_mode_cb (TidingsWindow *self)
{
  if (gtk_search_bar_get_search_mode (self->search_bar))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  if (self->search != NULL)
    {
      g_clear_pointer (&self->search, g_free);
      update_query (self);
    }
  if (self->shown_id > 0 && self->article_view != NULL)
    self->web->set_highlight (self->article_view, NULL);
  if (focus_is_inside (self, GTK_WIDGET (self->search_bar)) || gtk_root_get_focus (GTK_ROOT (self)) == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
}

/* ---- Benchmark hook ---- */

/* bench/window learns from outside when frames are drawn: when the variable
 * TIDINGS_BENCH_FD names an open file descriptor, the window writes to it
 * "list-query T" when the list is asked for other articles, "list-drawn T"
 * after the first frame painted with the first list's rows loaded,
 * "section-drawn T" after the first such frame following each later change,
 * and "stall-max US" when a refresh ends: the longest a 10 ms timeout fired
 * late while it ran, that is the longest the main loop was busy. T is
 * g_get_monotonic_time(). Nothing of this runs unless the variable is set. */
static void
bench_write (TidingsWindow *self,
             const char    *what,
             gint64         value)
{
  char line[64];
  int n = g_snprintf (line, sizeof line, "%s %" G_GINT64_FORMAT "\n", what, value);

  if (self->bench_fd >= 0 && write (self->bench_fd, line, n) != n)
    self->bench_fd = -1;
}

static void
bench_after_paint_cb (TidingsWindow *self)
{
  if (!self->bench_pending || !tidings_article_list_get_loaded (self->article_list)
      || g_list_model_get_n_items (G_LIST_MODEL (self->article_list)) == 0)
    return;
  self->bench_pending = FALSE;
  bench_write (self, self->bench_drawn ? "section-drawn" : "list-drawn", g_get_monotonic_time ());
  self->bench_drawn = TRUE;
}

static void
bench_realize_cb (TidingsWindow *self)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                           G_CALLBACK (bench_after_paint_cb), self, G_CONNECT_SWAPPED);
}


static gboolean
bench_tick_cb (gpointer data)
{
  TidingsWindow *self = data;
  gint64 now = g_get_monotonic_time ();

  self->bench_stall_max = MAX (self->bench_stall_max, now - self->bench_due);
  self->bench_due = now + 10000;
  return G_SOURCE_CONTINUE;
}

static void
bench_refreshing_cb (TidingsWindow *self)
{
  if (tidings_library_get_refreshing (self->library) && self->bench_source == 0)
    {
      self->bench_stall_max = 0;
      self->bench_due = g_get_monotonic_time () + 10000;
      self->bench_source = g_timeout_add (10, bench_tick_cb, self);
    }
  else if (!tidings_library_get_refreshing (self->library) && self->bench_source != 0)
    {
      g_clear_handle_id (&self->bench_source, g_source_remove);
      bench_write (self, "stall-max", self->bench_stall_max);
    }
}

static void
bench_init (TidingsWindow *self)
{
  const char *fd = g_getenv ("TIDINGS_BENCH_FD");

  if (fd == NULL || !g_ascii_string_to_signed (fd, 10, 0, G_MAXINT, NULL, NULL))
    return;
  self->bench_fd = (int) g_ascii_strtoll (fd, NULL, 10);
  self->bench_pending = TRUE;
  g_signal_connect_after (self, "realize", G_CALLBACK (bench_realize_cb), NULL);
  g_signal_connect_object (self->library, "notify::refreshing", G_CALLBACK (bench_refreshing_cb),
                           self, G_CONNECT_SWAPPED);
}

/* ---- Refresh progress and notifications ---- */

static void
refresh_progress_cb (TidingsWindow *self)
{
  gboolean refreshing = tidings_library_get_refreshing (self->library);
  guint done = tidings_library_get_refresh_done (self->library);
  guint total = tidings_library_get_refresh_total (self->library);
  g_autofree char *text = NULL;

  gtk_stack_set_visible_child_name (self->refresh_stack, refreshing ? "spinner" : "button");
  gtk_spinner_set_spinning (self->refresh_spinner, refreshing);
  gtk_revealer_set_reveal_child (self->progress_revealer, refreshing && total > 0);
  if (!refreshing || total == 0)
    return;

  /* Translators: refresh progress, e.g. "12 of 40 feeds" */
  text = g_strdup_printf (ngettext ("%u of %u feed", "%u of %u feeds", total), done, total);
  gtk_label_set_label (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
}

static gboolean
notify_for_feed (TidingsWindow *self,
                 gint64         subscription_id)
{
  g_autoptr(GVariant) chosen = g_settings_get_value (self->settings, "notify-sections");
  gsize n = 0;
  const gint64 *sections = g_variant_get_fixed_array (chosen, &n, sizeof (gint64));
  TidingsSidebarItem *item;
  gint64 parent_id;
  int depth = 0;

  if (n == 0)
    return TRUE;

  item = tidings_sidebar_model_find (self->sidebar_model, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                     subscription_id);
  parent_id = item != NULL ? tidings_sidebar_item_get_parent_id (item) : 0;
  while (parent_id > 0 && depth++ < 8)
    {
      TidingsSidebarItem *parent;

      for (gsize i = 0; i < n; i++)
        if (sections[i] == parent_id)
          return TRUE;
      parent = tidings_sidebar_model_find (self->sidebar_model, TIDINGS_SIDEBAR_SECTION, parent_id);
      parent_id = parent != NULL ? tidings_sidebar_item_get_parent_id (parent) : 0;
    }
  return FALSE;
}

static void
feed_refreshed_cb (TidingsWindow         *self,
                   TidingsRefreshOutcome *outcome)
{
  if (outcome == NULL || outcome->stats.added == 0)
    return;
  if (notify_for_feed (self, outcome->subscription_id))
    self->new_for_notification += outcome->stats.added;
}

static void
refresh_finished_cb (TidingsWindow         *self,
                     TidingsRefreshSummary *summary)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  guint count = self->new_for_notification;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;

  self->new_for_notification = 0;
  settle_later (self);
  if (count == 0 || app == NULL || gtk_window_is_active (GTK_WINDOW (self))
      || !g_settings_get_boolean (self->settings, "notifications"))
    return;

  body = g_strdup_printf (ngettext ("%u new article", "%u new articles", count), count);
  notification = g_notification_new (_("New Articles"));
  g_notification_set_body (notification, body);
  /* With no default action, clicking it activates the application, which
   * presents this window. */
  g_application_send_notification (app, "new-articles", notification);
}

static void
active_cb (TidingsWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  /* Once the reader is back, the notification has done its job. */
  if (app != NULL && gtk_window_is_active (GTK_WINDOW (self)))
    g_application_withdraw_notification (app, "new-articles");
}

/* ---- Layout: folding, title buttons, pane widths ---- */

static void
update_title_buttons (TidingsWindow *self)
{
  gboolean outer_folded = adw_leaflet_get_folded (self->outer_leaflet);
  gboolean inner_folded = adw_leaflet_get_folded (self->inner_leaflet);
  gboolean sidebar_shown = !outer_folded && gtk_widget_get_visible (self->sidebar_pane);

  adw_header_bar_set_show_start_title_buttons (self->list_header, !sidebar_shown);
  adw_header_bar_set_show_end_title_buttons (self->list_header, inner_folded);
  adw_header_bar_set_show_start_title_buttons (self->view_header, inner_folded);
  adw_header_bar_set_show_end_title_buttons (self->view_header, TRUE);
}

static void
folded_cb (TidingsWindow *self)
{
  update_title_buttons (self);

  /* Unfolding brings back a sidebar F9 had hidden only while folded. */
  if (!adw_leaflet_get_folded (self->outer_leaflet))
    {
      gtk_widget_set_visible (self->sidebar_pane, self->sidebar_visible);
      gtk_widget_set_visible (self->sidebar_separator, self->sidebar_visible);
    }
  else
    {
      /* Folded, the sidebar is a page one can go back to. */
      gtk_widget_set_visible (self->sidebar_pane, TRUE);
      gtk_widget_set_visible (self->sidebar_separator, TRUE);
    }
}

static void
list_back_clicked_cb (TidingsWindow *self)
{
  adw_leaflet_navigate (self->outer_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
view_back_clicked_cb (TidingsWindow *self)
{
  adw_leaflet_navigate (self->inner_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
}

/* The sidebar and the list are AdwBins with a layout of their own: their
 * minimum is what their content needs (so that the window folds only when
 * even that does not fit) and their natural width is the one the reader
 * chose by dragging their edge (sidebar-width, list-width). */
typedef struct
{
  TidingsWindow *window;
  GtkWidget     *pane;
  AdwLeaflet    *leaflet;     /* the leaflet the pane is a child of */
  const char    *key;
  int            floor;       /* the least minimum */
  int            width;       /* the natural width */
  int            start_width;
  gboolean       active;
} PaneResize;

static void
pane_measure (GtkWidget      *widget,
              GtkOrientation  orientation,
              int             for_size,
              int            *minimum,
              int            *natural,
              int            *minimum_baseline,
              int            *natural_baseline)
{
  PaneResize *resize = g_object_get_data (G_OBJECT (widget), "tidings-resize");
  GtkWidget *child = gtk_widget_get_first_child (widget);
  int child_min = 0;
  int child_nat = 0;

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);

  if (orientation == GTK_ORIENTATION_HORIZONTAL && resize != NULL)
    {
      *minimum = MAX (child_min, resize->floor);
      *natural = MAX (*minimum, resize->width);
    }
  else
    {
      *minimum = child_min;
      *natural = child_nat;
    }
  *minimum_baseline = -1;
  *natural_baseline = -1;
}

static void
pane_allocate (GtkWidget *widget,
               int        width,
               int        height,
               int        baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static gboolean
near_edge (PaneResize *resize,
           double      x)
{
  int width = gtk_widget_get_width (resize->pane);

  if (gtk_widget_get_direction (resize->pane) == GTK_TEXT_DIR_RTL)
    return x <= RESIZE_EDGE;
  return x >= width - RESIZE_EDGE;
}

static void
pane_drag_begin_cb (GtkGestureDrag *gesture,
                    double          x,
                    double          y,
                    PaneResize     *resize)
{
  if (adw_leaflet_get_folded (resize->leaflet) || !near_edge (resize, x))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  resize->active = TRUE;
  resize->start_width = gtk_widget_get_width (resize->pane);
}

static void
pane_drag_update_cb (GtkGestureDrag *gesture,
                     double          offset_x,
                     double          offset_y,
                     PaneResize     *resize)
{
  if (!resize->active)
    return;
  if (gtk_widget_get_direction (resize->pane) == GTK_TEXT_DIR_RTL)
    offset_x = -offset_x;
  resize->width = CLAMP (resize->start_width + (int) offset_x, MIN_PANE_WIDTH, MAX_PANE_WIDTH);
  gtk_widget_queue_resize (resize->pane);
}

static void
pane_drag_end_cb (GtkGestureDrag *gesture,
                  double          offset_x,
                  double          offset_y,
                  PaneResize     *resize)
{
  if (!resize->active)
    return;
  resize->active = FALSE;
  g_settings_set_int (resize->window->settings, resize->key, resize->width);
}

static void
pane_motion_cb (GtkEventControllerMotion *motion,
                double                    x,
                double                    y,
                PaneResize               *resize)
{
  gboolean edge = resize->active
                  || (!adw_leaflet_get_folded (resize->leaflet) && near_edge (resize, x));

  gtk_widget_set_cursor_from_name (resize->pane, edge ? "col-resize" : NULL);
}

static void
setup_pane_resize (TidingsWindow *self,
                   GtkWidget     *pane,
                   AdwLeaflet    *leaflet,
                   const char    *key,
                   int            floor)
{
  PaneResize *resize = g_new0 (PaneResize, 1);
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  resize->window = self;
  resize->pane = pane;
  resize->leaflet = leaflet;
  resize->key = key;
  resize->floor = floor;
  resize->width = CLAMP ((int) settings_get_number (self->settings, key), MIN_PANE_WIDTH,
                         MAX_PANE_WIDTH);
  g_object_set_data_full (G_OBJECT (pane), "tidings-resize", resize, g_free);
  gtk_widget_set_layout_manager (pane, gtk_custom_layout_new (NULL, pane_measure, pane_allocate));

  /* Capture phase: the edge belongs to the handle, not to the row under it. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (pane_drag_begin_cb), resize);
  g_signal_connect (drag, "drag-update", G_CALLBACK (pane_drag_update_cb), resize);
  g_signal_connect (drag, "drag-end", G_CALLBACK (pane_drag_end_cb), resize);
  gtk_widget_add_controller (pane, GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (motion, "motion", G_CALLBACK (pane_motion_cb), resize);
  gtk_widget_add_controller (pane, motion);
}

/* ---- Settings ---- */

static void
keymap_changed_cb (TidingsWindow *self)
{
  g_autofree char *name = g_settings_get_string (self->settings, "keymap");

  tidings_shortcuts_install (GTK_WINDOW (self), tidings_keymap_from_string (name));
}

/* Creates the article view, loading its module first if the preload has
 * not; FALSE (with a toast) when it cannot be loaded. */
static gboolean
ensure_article_view (TidingsWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->article_view != NULL)
    return TRUE;

  self->web = tidings_web_get (&error);
  if (self->web == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return FALSE;
    }

  self->article_view = self->web->view_new ();
  gtk_widget_set_hexpand (self->article_view, TRUE);
  gtk_widget_set_vexpand (self->article_view, TRUE);
  adw_bin_set_child (self->article_view_slot, self->article_view);
  view_settings_changed_cb (self, NULL);
  /* In px, 0 for the stylesheet's own size: the view's property as is. */
  g_settings_bind (self->settings, "article-font-size", self->article_view, "font-size",
                   G_SETTINGS_BIND_GET);
  return TRUE;
}

static void
web_loaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  TidingsWindow *self;
  const TidingsWebFuncs *funcs;
  g_autoptr(GError) error = NULL;

  funcs = tidings_web_load_finish (result, &error);
  /* Cancelled: the window is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  g_clear_object (&self->web_cancellable);
  /* A failure is told when an article is opened. */
  if (funcs != NULL)
    ensure_article_view (self);
}

/* After each frame until the first one with the list filled: then the
 * module loads, while the reader looks at the list. */
static void
preload_after_paint_cb (GdkFrameClock *clock,
                        TidingsWindow *self)
{
  if (self->article_list != NULL && !tidings_article_list_get_loaded (self->article_list))
    return;

  g_signal_handlers_disconnect_by_func (clock, preload_after_paint_cb, self);
  if (self->article_view != NULL || self->web_cancellable != NULL)
    return;
  self->web_cancellable = g_cancellable_new ();
  tidings_web_load_async (self->web_cancellable, web_loaded_cb, self);
}

static void
preload_article_view (TidingsWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->article_view != NULL || clock == NULL)
    return;
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (preload_after_paint_cb), self, 0);
}

static void
view_settings_changed_cb (TidingsWindow *self,
                          const char    *key)
{
  if (self->article_view == NULL)
    return;
  if (key == NULL || g_str_equal (key, "article-zoom"))
    self->web->set_zoom (self->article_view,
                         CLAMP (g_settings_get_double (self->settings, "article-zoom"),
                                ZOOM_MIN, ZOOM_MAX));
  if (key == NULL || g_str_equal (key, "load-images"))
    self->web->set_load_images (self->article_view,
                                g_settings_get_boolean (self->settings, "load-images"));
}

static void
save_window_state (TidingsWindow *self)
{
  int width;
  int height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);
}

static void
commit_pending_removals (TidingsWindow *self)
{
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, self->pending_removals);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    commit_removal (self, item);
  g_hash_table_remove_all (self->pending_removals);
}

static gboolean
tidings_window_close_request (GtkWindow *window)
{
  TidingsWindow *self = TIDINGS_WINDOW (window);

  save_window_state (self);
  /* Removals still waiting on their toast happen now. */
  commit_pending_removals (self);

  return GTK_WINDOW_CLASS (tidings_window_parent_class)->close_request (window);
}

/* ---- GObject ---- */

static void
update_sort_button (TidingsWindow *self)
{
  /* The button shows the order, and whether the list is filtered. */
  gtk_menu_button_set_icon_name (self->sort_button,
                                 self->oldest_first ? "view-sort-ascending-symbolic"
                                                    : "view-sort-descending-symbolic");
  if (self->unread_only)
    gtk_widget_add_css_class (GTK_WIDGET (self->sort_button), "accent");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->sort_button), "accent");
}


/* Rows made in code rather than by a GtkBuilderListItemFactory, which
 * parses its interface again for every row (a list view keeps 200). The
 * factory's user data is the row type. */
static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  row_type)
{
  gtk_list_item_set_child (list_item, g_object_new (GPOINTER_TO_SIZE (row_type), NULL));
}

static void
row_bind (GtkListItem *list_item,
          gpointer     item)
{
  GtkWidget *row = gtk_list_item_get_child (list_item);

  if (TIDINGS_IS_ARTICLE_LIST_ROW (row))
    tidings_article_list_row_set_item (TIDINGS_ARTICLE_LIST_ROW (row), item);
  else
    tidings_sidebar_row_set_list_row (TIDINGS_SIDEBAR_ROW (row), item);
}

static void
row_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item)
{
  row_bind (list_item, gtk_list_item_get_item (list_item));
}

static void
row_unbind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item)
{
  row_bind (list_item, NULL);
}

static void
set_row_factory (GtkListView *view,
                 GType        row_type)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_cb), GSIZE_TO_POINTER (row_type));
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (row_unbind_cb), NULL);
  gtk_list_view_set_factory (view, factory);
}

static void
tidings_window_constructed (GObject *object)
{
  TidingsWindow *self = TIDINGS_WINDOW (object);
  GtkFilterListModel *root;
  GtkGesture *click;
  g_autofree char *selected = NULL;
  TidingsArticleQuery query = { 0 };
  TidingsSidebarKind kind;
  gint64 id;

  G_OBJECT_CLASS (tidings_window_parent_class)->constructed (object);

  g_assert (TIDINGS_IS_LIBRARY (self->library));
  g_assert (G_IS_SETTINGS (self->settings));

  /* Size first, so that the window maps at its final size. */
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* Sidebar */
  self->icon_cache = tidings_icon_cache_new (self->library);
  self->sidebar_model = tidings_sidebar_model_new (self->library);
  self->removal_filter = gtk_custom_filter_new (removal_filter_func, self, NULL);
  root = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->sidebar_model)),
                                    GTK_FILTER (g_object_ref (self->removal_filter)));
  self->sidebar_tree = gtk_tree_list_model_new (G_LIST_MODEL (root), FALSE, FALSE,
                                                create_sidebar_children, self, NULL);
  self->sidebar_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sidebar_tree)));
  gtk_single_selection_set_autoselect (self->sidebar_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->sidebar_selection, FALSE);
  gtk_list_view_set_model (self->sidebar_view, GTK_SELECTION_MODEL (self->sidebar_selection));
  set_row_factory (self->sidebar_view, TIDINGS_TYPE_SIDEBAR_ROW);
  _tidings_sidebar_dnd_attach (self, self->sidebar_view);

  g_signal_connect_object (self->sidebar_selection, "notify::selected-item",
                           G_CALLBACK (sidebar_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sidebar_model, "items-changed",
                           G_CALLBACK (sidebar_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sidebar_model, "notify::loaded",
                           G_CALLBACK (sidebar_loaded_cb), self, G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "released", G_CALLBACK (sidebar_click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->sidebar_view), GTK_EVENT_CONTROLLER (click));

  /* Article list: it starts on the remembered section's query at once,
   * in parallel with the sidebar's first load. */
  self->unread_only = g_settings_get_boolean (self->settings, "unread-only");
  self->oldest_first = g_settings_get_boolean (self->settings, "sort-oldest-first");
  selected = g_settings_get_string (self->settings, "selected-item");
  if (!parse_item_key (selected, &kind, &id))
    {
      g_free (selected);
      selected = g_strdup ("all");
      kind = TIDINGS_SIDEBAR_ALL;
      id = 0;
    }
  build_query (self, &query);
  query.kind = scope_of_kind (kind);
  query.id = id;
  query.unread_only = query.unread_only || kind == TIDINGS_SIDEBAR_UNREAD;
  self->article_list = tidings_article_list_new (self->library, &query);
  self->article_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->article_list)));
  gtk_single_selection_set_autoselect (self->article_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->article_selection, TRUE);
  gtk_list_view_set_model (self->article_list_view, GTK_SELECTION_MODEL (self->article_selection));
  set_row_factory (self->article_list_view, TIDINGS_TYPE_ARTICLE_LIST_ROW);
  g_signal_connect_object (self->article_selection, "notify::selected-item",
                           G_CALLBACK (article_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->article_list, "notify::loaded",
                           G_CALLBACK (article_list_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->article_list, "items-changed",
                           G_CALLBACK (article_items_changed_cb), self, G_CONNECT_SWAPPED);

  /* The smart items are there from the start; a section or a feed once the
   * sidebar has loaded. */
  self->restoring = TRUE;
  select_item_later (self, selected);

  click = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "released", G_CALLBACK (article_click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->article_list_view), GTK_EVENT_CONTROLLER (click));

  /* Layout */
  set_sidebar_visible (self, g_settings_get_boolean (self->settings, "sidebar-visible"));
  g_settings_bind (self->settings, "sidebar-visible", self, "sidebar-visible",
                   G_SETTINGS_BIND_SET);
  g_settings_bind (self->settings, "unread-only", self, "unread-only", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sort-oldest-first", self, "oldest-first",
                   G_SETTINGS_BIND_DEFAULT);
  setup_pane_resize (self, self->sidebar_pane, self->outer_leaflet, "sidebar-width", 180);
  setup_pane_resize (self, self->list_pane, self->inner_leaflet, "list-width", 280);
  g_signal_connect_object (self->outer_leaflet, "notify::folded", G_CALLBACK (folded_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->inner_leaflet, "notify::folded", G_CALLBACK (folded_cb), self,
                           G_CONNECT_SWAPPED);
  update_title_buttons (self);
  update_view_buttons (self);
  update_history_actions (self);
  update_sort_button (self);
  /* The header's toggles learn the values read from the settings. */
  g_object_notify_by_pspec (object, properties[PROP_UNREAD_ONLY]);
  g_object_notify_by_pspec (object, properties[PROP_OLDEST_FIRST]);
  g_object_notify_by_pspec (object, properties[PROP_SIDEBAR_VISIBLE]);

  /* Article view settings */
  view_settings_changed_cb (self, NULL);
  g_signal_connect_object (self->settings, "changed::article-zoom",
                           G_CALLBACK (view_settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::load-images",
                           G_CALLBACK (view_settings_changed_cb), self, G_CONNECT_SWAPPED);
  /* The article view's module, once the window is on screen. */
  g_signal_connect (self, "realize", G_CALLBACK (preload_article_view), NULL);

  /* Keys (again once the window has its application, for the app.
   * accelerators) */
  keymap_changed_cb (self);
  g_signal_connect (self, "notify::application", G_CALLBACK (keymap_changed_cb), NULL);
  g_signal_connect_object (self->settings, "changed::keymap", G_CALLBACK (keymap_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* Refresh */
  g_signal_connect_object (self->library, "notify::refreshing", G_CALLBACK (refresh_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->library, "notify::refresh-done", G_CALLBACK (refresh_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->library, "notify::refresh-total",
                           G_CALLBACK (refresh_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->library, "feed-refreshed", G_CALLBACK (feed_refreshed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->library, "refresh-finished", G_CALLBACK (refresh_finished_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (active_cb), NULL);
  refresh_progress_cb (self);
  bench_init (self);

  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_widget_grab_focus (GTK_WIDGET (self->article_list_view));
}

static void
tidings_window_dispose (GObject *object)
{
  TidingsWindow *self = TIDINGS_WINDOW (object);

  if (self->pending_removals != NULL && self->library != NULL)
    commit_pending_removals (self);

  g_cancellable_cancel (self->article_cancellable);
  g_cancellable_cancel (self->scroll_cancellable);
  g_clear_object (&self->article_cancellable);
  g_cancellable_cancel (self->web_cancellable);
  g_clear_object (&self->web_cancellable);
  g_clear_object (&self->scroll_cancellable);
  g_clear_handle_id (&self->mark_read_source, g_source_remove);
  g_clear_handle_id (&self->bench_source, g_source_remove);
  cancel_unread_scan (self);
  clear_waiting_item (self);
  set_shown_item (self, NULL);

  if (self->article_list_view != NULL)
    gtk_list_view_set_model (self->article_list_view, NULL);
  if (self->sidebar_view != NULL)
    gtk_list_view_set_model (self->sidebar_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), TIDINGS_TYPE_WINDOW);

  if (self->current_item != NULL)
    g_signal_handlers_disconnect_by_func (self->current_item, current_item_notify_cb, self);
  g_clear_object (&self->current_item);
  g_clear_object (&self->menu_item);
  g_clear_object (&self->icon_cache);
  g_clear_object (&self->article_selection);
  g_clear_object (&self->article_list);
  g_clear_object (&self->sidebar_selection);
  g_clear_object (&self->sidebar_tree);
  g_clear_object (&self->removal_filter);
  g_clear_object (&self->sidebar_model);
  g_clear_object (&self->settings);
  g_clear_object (&self->library);

  G_OBJECT_CLASS (tidings_window_parent_class)->dispose (object);
}

static void
tidings_window_finalize (GObject *object)
{
  TidingsWindow *self = TIDINGS_WINDOW (object);

  g_clear_pointer (&self->pending_removals, g_hash_table_unref);
  g_clear_pointer (&self->history, g_array_unref);
  g_free (self->pending_key);
  g_free (self->search);
  g_free (self->shown_url);

  G_OBJECT_CLASS (tidings_window_parent_class)->finalize (object);
}

static void
tidings_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TidingsWindow *self = TIDINGS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_UNREAD_ONLY:
      g_value_set_boolean (value, self->unread_only);
      break;
    case PROP_OLDEST_FIRST:
      g_value_set_boolean (value, self->oldest_first);
      break;
    case PROP_SIDEBAR_VISIBLE:
      g_value_set_boolean (value, self->sidebar_visible);
      break;
    case PROP_LIBRARY:
      g_value_set_object (value, self->library);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TidingsWindow *self = TIDINGS_WINDOW (object);
  gboolean flag;

  switch (prop_id)
    {
    case PROP_LIBRARY:
      self->library = g_value_dup_object (value);
      return;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      return;
    default:
      break;
    }

  flag = g_value_get_boolean (value);
  switch (prop_id)
    {
    case PROP_UNREAD_ONLY:
      if (self->unread_only != flag)
        {
          self->unread_only = flag;
          update_sort_button (self);
          if (self->article_list != NULL)
            update_query (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_OLDEST_FIRST:
      if (self->oldest_first != flag)
        {
          self->oldest_first = flag;
          update_sort_button (self);
          if (self->article_list != NULL)
            update_query (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_SIDEBAR_VISIBLE:
      set_sidebar_visible (self, flag);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_window_class_init (TidingsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = tidings_window_constructed;
  object_class->dispose = tidings_window_dispose;
  object_class->finalize = tidings_window_finalize;
  object_class->get_property = tidings_window_get_property;
  object_class->set_property = tidings_window_set_property;
  window_class->close_request = tidings_window_close_request;

  properties[PROP_UNREAD_ONLY] =
    g_param_spec_boolean ("unread-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OLDEST_FIRST] =
    g_param_spec_boolean ("oldest-first", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SIDEBAR_VISIBLE] =
    g_param_spec_boolean ("sidebar-visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LIBRARY] =
    g_param_spec_object ("library", NULL, NULL, TIDINGS_TYPE_LIBRARY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TIDINGS_TYPE_ARTICLE_LIST_ROW);
  g_type_ensure (TIDINGS_TYPE_SIDEBAR_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "tidings-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, outer_leaflet);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, inner_leaflet);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, sidebar_separator);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, sidebar_header);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, refresh_stack);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, refresh_spinner);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, sidebar_view);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, list_header);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, sort_button);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, welcome_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, list_menu);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, everywhere_button);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, article_list_view);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, list_empty_page);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, view_pane);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, view_header);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, view_title);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, star_button);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, read_button);
  gtk_widget_class_bind_template_child (widget_class, TidingsWindow, article_view_slot);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, article_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, everywhere_toggled_cb);

  /* The actions of tidings-shortcuts.h */
  gtk_widget_class_install_action (widget_class, "win.next-article", NULL, next_article_action);
  gtk_widget_class_install_action (widget_class, "win.previous-article", NULL,
                                   previous_article_action);
  gtk_widget_class_install_action (widget_class, "win.next-unread", NULL, next_unread_action);
  gtk_widget_class_install_action (widget_class, "win.previous-unread", NULL,
                                   previous_unread_action);
  gtk_widget_class_install_action (widget_class, "win.scroll-down", NULL, scroll_down_action);
  gtk_widget_class_install_action (widget_class, "win.scroll-up", NULL, scroll_up_action);
  gtk_widget_class_install_action (widget_class, "win.half-page-down", NULL,
                                   half_page_down_action);
  gtk_widget_class_install_action (widget_class, "win.half-page-up", NULL, half_page_up_action);
  gtk_widget_class_install_action (widget_class, "win.first-article", NULL, first_article_action);
  gtk_widget_class_install_action (widget_class, "win.last-article", NULL, last_article_action);
  gtk_widget_class_install_action (widget_class, "win.focus-left", NULL, focus_left_action);
  gtk_widget_class_install_action (widget_class, "win.focus-right", NULL, focus_right_action);
  gtk_widget_class_install_action (widget_class, "win.open-article", NULL, open_article_action);
  gtk_widget_class_install_action (widget_class, "win.open-in-browser", NULL,
                                   open_in_browser_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-star", NULL, toggle_star_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-read", NULL, toggle_read_action);
  gtk_widget_class_install_action (widget_class, "win.mark-all-read", NULL, mark_all_read_action);
  gtk_widget_class_install_action (widget_class, "win.next-feed", NULL, next_feed_action);
  gtk_widget_class_install_action (widget_class, "win.previous-feed", NULL, previous_feed_action);
  gtk_widget_class_install_action (widget_class, "win.go-all", NULL, go_all_action);
  gtk_widget_class_install_action (widget_class, "win.go-unread", NULL, go_unread_action);
  gtk_widget_class_install_action (widget_class, "win.go-starred", NULL, go_starred_action);
  gtk_widget_class_install_action (widget_class, "win.go-today", NULL, go_today_action);
  gtk_widget_class_install_action (widget_class, "win.history-back", NULL, history_back_action);
  gtk_widget_class_install_action (widget_class, "win.history-forward", NULL,
                                   history_forward_action);
  gtk_widget_class_install_action (widget_class, "win.refresh-selected", NULL,
                                   refresh_selected_action);
  gtk_widget_class_install_action (widget_class, "win.refresh-all", NULL, refresh_all_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.add-feed", NULL, add_feed_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, zoom_reset_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL,
                                   toggle_sidebar_action);

  /* The window's own */
  gtk_widget_class_install_action (widget_class, "win.set-starred", "(xb)", set_starred_action);
  gtk_widget_class_install_action (widget_class, "win.add-suggested", NULL, add_suggested_action);
  gtk_widget_class_install_action (widget_class, "win.new-section", NULL, new_section_action);
  gtk_widget_class_install_action (widget_class, "win.item-menu", NULL, item_menu_action);
  gtk_widget_class_install_action (widget_class, "win.mark-item-read", NULL,
                                   mark_item_read_action);
  gtk_widget_class_install_action (widget_class, "win.refresh-item", NULL, refresh_item_action);
  gtk_widget_class_install_action (widget_class, "win.rename-item", NULL, rename_item_action);
  gtk_widget_class_install_action (widget_class, "win.remove-item", NULL, remove_item_action);
  gtk_widget_class_install_action (widget_class, "win.move-item", "x", move_item_action);
  gtk_widget_class_install_action (widget_class, "win.move-feed", "(xx)", move_feed_action);
  gtk_widget_class_install_action (widget_class, "win.escape", NULL, escape_action);
  gtk_widget_class_install_property_action (widget_class, "win.unread-only", "unread-only");
  gtk_widget_class_install_property_action (widget_class, "win.oldest-first", "oldest-first");
  gtk_widget_class_install_property_action (widget_class, "win.sidebar-visible",
                                            "sidebar-visible");

  /* Keys that are not the user's to remap: the context menu of the
   * selected sidebar row, and Escape (bubbling, so that the search entry
   * and dialogs have it first). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "win.item-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.item-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.escape", NULL);
}

static void
tidings_window_init (TidingsWindow *self)
{
  /* Before the template: its toggle reads the state as it binds. */
  self->sidebar_visible = TRUE;
  self->bench_fd = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
  set_menu_later (self->primary_menu_button, self->primary_menu);
  set_menu_later (self->welcome_menu_button, self->primary_menu);
  set_menu_later (self->sort_button, self->list_menu);

  self->pending_removals = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->history = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (search_mode_cb), self, G_CONNECT_SWAPPED);
}

TidingsWindow *
tidings_window_new (TidingsApplication *app)
{
  g_return_val_if_fail (TIDINGS_IS_APPLICATION (app), NULL);

  return g_object_new (TIDINGS_TYPE_WINDOW,
                       "application", app,
                       "library", tidings_application_get_library (app),
                       "settings", tidings_application_get_settings (app),
                       NULL);
}

TidingsIconCache *
_tidings_window_get_icon_cache (TidingsWindow *self)
{
  g_return_val_if_fail (TIDINGS_IS_WINDOW (self), NULL);

  return self->icon_cache;
}

TidingsSidebarModel *
_tidings_window_get_sidebar_model (TidingsWindow *self)
{
  return self->sidebar_model;
}

GtkSelectionModel *
_tidings_window_get_sidebar_selection (TidingsWindow *self)
{
  return GTK_SELECTION_MODEL (self->sidebar_selection);
}

GtkSelectionModel *
_tidings_window_get_article_selection (TidingsWindow *self)
{
  return GTK_SELECTION_MODEL (self->article_selection);
}

GtkWidget *
_tidings_window_get_article_view (TidingsWindow *self)
{
  return self->article_view;
}

GtkWidget *
_tidings_window_get_sidebar_view (TidingsWindow *self)
{
  return GTK_WIDGET (self->sidebar_view);
}

GtkWidget *
_tidings_window_get_article_list_view (TidingsWindow *self)
{
  return GTK_WIDGET (self->article_list_view);
}

const char *
_tidings_window_get_page (TidingsWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}
