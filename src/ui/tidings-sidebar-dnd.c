/* tidings-sidebar-dnd.c: moving sections and feeds in the sidebar by drag and drop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every row is a drag source of its TidingsSidebarItem (a local drag: the
 * item itself goes across). The list view, not each row, is the one drop
 * target: the rows of a navigation sidebar have gaps between them, and a
 * drop in a gap must mean the row beside it, not "out of every section".
 * The move itself is a write on the library's writer, read back by the
 * sidebar model like any other change.
 */

#define G_LOG_DOMAIN "tidings-sidebar-dnd"

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-sidebar-dnd.h"
#include "tidings-sidebar-row.h"

#define EXPAND_DELAY_MS 700  /* hovering a closed section this long opens it */
#define END_MARGIN      4    /* px below the last row that still belong to it */
#define SCROLL_EDGE     32   /* px at the top and bottom that scroll the list */
#define REOPEN_WAIT_US  (5 * G_USEC_PER_SEC)

typedef struct
{
  TidingsWindow      *window;         /* owns the view, which owns this */
  GtkListView        *view;
  GtkWidget          *highlighted;    /* the list row (or the view) showing the drop */
  const char         *highlight;      /* its class */
  GtkTreeListRow     *expand_row;     /* the closed section under the pointer */
  guint               expand_source;
  guint               scroll_tick;
  double              scroll_speed;   /* px a frame while the pointer is at an edge */
  TidingsSidebarItem *reopen;         /* an open section that moved: open it where it lands */
  gint64              reopen_until;
  guint               reopen_source;
} Dnd;

static Dnd *dnd_of (GtkListView *view);

/* ---- What a drop means ---- */

static gboolean
has_child_sections (TidingsSidebarItem *section)
{
  GListModel *children = tidings_sidebar_item_get_children (section);

  for (guint i = 0; children != NULL && i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(TidingsSidebarItem) child = g_list_model_get_item (children, i);

      if (tidings_sidebar_item_get_kind (child) == TIDINGS_SIDEBAR_SECTION)
        return TRUE;
    }
  return FALSE;
}

static gboolean
plan_into (TidingsSidebarItem *dragged,
           gint64              section_id,
           TidingsSidebarDrop *drop)
{
  /* Into the section it is in already: no move. */
  if (tidings_sidebar_item_get_parent_id (dragged) == section_id)
    return FALSE;
  drop->place = TIDINGS_SIDEBAR_DROP_INTO;
  drop->target_id = section_id;
  return TRUE;
}

static gboolean
plan_beside (TidingsSidebarItem *target,
             gboolean            before,
             TidingsSidebarDrop *drop)
{
  drop->place = before ? TIDINGS_SIDEBAR_DROP_BEFORE : TIDINGS_SIDEBAR_DROP_AFTER;
  drop->target_id = tidings_sidebar_item_get_id (target);
  return TRUE;
}

static gboolean
plan_section (TidingsSidebarItem *dragged,
              TidingsSidebarItem *target,
              double              fraction,
              TidingsSidebarDrop *drop)
{
  gint64 id = tidings_sidebar_item_get_id (dragged);
  gint64 target_parent;
  gboolean nests;

  if (target == NULL)
    return plan_into (dragged, 0, drop);

  switch (tidings_sidebar_item_get_kind (target))
    {
    case TIDINGS_SIDEBAR_ALL:
    case TIDINGS_SIDEBAR_UNREAD:
    case TIDINGS_SIDEBAR_STARRED:
    case TIDINGS_SIDEBAR_TODAY:
      return plan_into (dragged, 0, drop);
    case TIDINGS_SIDEBAR_SUBSCRIPTION:
      return FALSE;
    case TIDINGS_SIDEBAR_SECTION:
    default:
      break;
    }

  target_parent = tidings_sidebar_item_get_parent_id (target);
  /* Not beside or into itself, nor among its own children. */
  if (target == dragged || target_parent == id)
    return FALSE;
  /* Sections nest one level: one that holds sections stays at the top. */
  nests = !has_child_sections (dragged);
  if (target_parent != 0 && !nests)
    return FALSE;

  if (fraction < 0.25)
    return plan_beside (target, TRUE, drop);
  if (fraction > 0.75)
    return plan_beside (target, FALSE, drop);
  if (nests && target_parent == 0)
    return plan_into (dragged, tidings_sidebar_item_get_id (target), drop);
  return plan_beside (target, fraction < 0.5, drop);
}

static gboolean
plan_subscription (TidingsSidebarItem *dragged,
                   TidingsSidebarItem *target,
                   double              fraction,
                   TidingsSidebarDrop *drop)
{
  if (target == NULL)
    return plan_into (dragged, 0, drop);

  switch (tidings_sidebar_item_get_kind (target))
    {
    case TIDINGS_SIDEBAR_SECTION:
      return plan_into (dragged, tidings_sidebar_item_get_id (target), drop);
    case TIDINGS_SIDEBAR_SUBSCRIPTION:
      if (target == dragged)
        return FALSE;
      return plan_beside (target, fraction < 0.5, drop);
    case TIDINGS_SIDEBAR_ALL:
    case TIDINGS_SIDEBAR_UNREAD:
    case TIDINGS_SIDEBAR_STARRED:
    case TIDINGS_SIDEBAR_TODAY:
    default:
      return plan_into (dragged, 0, drop);
    }
}

gboolean
_tidings_sidebar_drop_plan (TidingsSidebarItem *dragged,
                            TidingsSidebarItem *target,
                            double              y,
                            double              height,
                            TidingsSidebarDrop *drop)
{
  double fraction = height > 0 ? CLAMP (y / height, 0.0, 1.0) : 0.5;
  gboolean planned = FALSE;

  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (dragged), FALSE);
  g_return_val_if_fail (target == NULL || TIDINGS_IS_SIDEBAR_ITEM (target), FALSE);
  g_return_val_if_fail (drop != NULL, FALSE);

  drop->kind = tidings_sidebar_item_get_kind (dragged);
  drop->id = tidings_sidebar_item_get_id (dragged);
  drop->place = TIDINGS_SIDEBAR_DROP_NONE;
  drop->target_id = 0;

  if (drop->kind == TIDINGS_SIDEBAR_SECTION)
    planned = plan_section (dragged, target, fraction, drop);
  else if (drop->kind == TIDINGS_SIDEBAR_SUBSCRIPTION)
    planned = plan_subscription (dragged, target, fraction, drop);

  if (!planned)
    {
      drop->place = TIDINGS_SIDEBAR_DROP_NONE;
      drop->target_id = 0;
    }
  return planned;
}

/* ---- The move, on the library's writer ---- */

typedef struct
{
  TidingsSidebarDrop drop;
  int                position;     /* INTO: where (-1: last) */
} MoveOp;

typedef struct
{
  gboolean  moved;
  gint64    old_parent;
  int       old_position;
  gint64    new_parent;
  char     *new_parent_title;
} MoveResult;

static void
move_result_free (MoveResult *result)
{
  g_free (result->new_parent_title);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MoveResult, move_result_free)

static const TidingsSection *
find_section (GPtrArray *sections,
              gint64     id)
{
  for (guint i = 0; i < sections->len; i++)
    {
      const TidingsSection *section = g_ptr_array_index (sections, i);

      if (section->id == id)
        return section;
    }
  return NULL;
}

/* Where row @id of @kind is now, from the store. */
static gboolean
locate (TidingsStore        *store,
        GPtrArray           *sections,
        TidingsSidebarKind   kind,
        gint64               id,
        gint64              *parent,
        int                 *position,
        GError             **error)
{
  if (kind == TIDINGS_SIDEBAR_SECTION)
    {
      const TidingsSection *section = find_section (sections, id);

      if (section == NULL)
        {
          g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_NOT_FOUND,
                               _("That section is gone"));
          return FALSE;
        }
      *parent = section->parent_id;
      *position = section->position;
    }
  else
    {
      g_autoptr(TidingsSubscription) subscription = NULL;

      subscription = tidings_store_get_subscription (store, id, error);
      if (subscription == NULL)
        return FALSE;
      *parent = subscription->section_id;
      *position = subscription->position;
    }
  return TRUE;
}

static MoveResult *
move_in_store (TidingsStore  *store,
               const MoveOp  *op,
               GError       **error)
{
  g_autoptr(MoveResult) result = g_new0 (MoveResult, 1);
  g_autoptr(GPtrArray) sections = NULL;
  const TidingsSidebarDrop *drop = &op->drop;
  const TidingsSection *parent;
  int position = op->position;
  gboolean ok;

  sections = tidings_store_list_sections (store, error);
  if (sections == NULL
      || !locate (store, sections, drop->kind, drop->id, &result->old_parent,
                  &result->old_position, error))
    return NULL;

  if (drop->place == TIDINGS_SIDEBAR_DROP_INTO)
    result->new_parent = drop->target_id;
  else
    {
      int sibling_position = 0;

      if (!locate (store, sections, drop->kind, drop->target_id, &result->new_parent,
                   &sibling_position, error))
        return NULL;
      /* Positions count the siblings without the row that moves. */
      if (result->new_parent == result->old_parent && result->old_position < sibling_position)
        sibling_position--;
      position = sibling_position + (drop->place == TIDINGS_SIDEBAR_DROP_AFTER ? 1 : 0);
    }

  if (drop->kind == TIDINGS_SIDEBAR_SECTION)
    ok = tidings_store_move_section (store, drop->id, result->new_parent, position, error);
  else
    ok = tidings_store_move_subscription (store, drop->id, result->new_parent, position, error);
  if (!ok)
    return NULL;

  {
    /* Dropped just beside where it was: nothing moved, and no toast. */
    g_autoptr(GPtrArray) now = tidings_store_list_sections (store, error);
    gint64 now_parent = 0;
    int now_position = 0;

    if (now == NULL || !locate (store, now, drop->kind, drop->id, &now_parent, &now_position,
                                error))
      return NULL;
    result->moved = now_parent != result->old_parent || now_position != result->old_position;
  }

  parent = find_section (sections, result->new_parent);
  result->new_parent_title = g_strdup (parent != NULL ? parent->title : NULL);
  return g_steal_pointer (&result);
}

static gpointer
move_func (TidingsStore  *store,
           gpointer       data,
           GError       **error)
{
  MoveResult *result;

  if (!tidings_store_begin (store, error))
    return NULL;
  result = move_in_store (store, data, error);
  if (result == NULL || !tidings_store_commit (store, error))
    {
      tidings_store_rollback (store);
      g_clear_pointer (&result, move_result_free);
    }
  return result;
}

/* ---- Toast and Undo ---- */

typedef struct
{
  TidingsWindow *window;
  char          *title;     /* of what moved */
  MoveOp         op;
  gboolean       undo;      /* this move is an Undo: no toast for it */
} MoveCall;

static void
move_call_free (MoveCall *call)
{
  g_clear_object (&call->window);
  g_free (call->title);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MoveCall, move_call_free)

static void start_move (TidingsWindow *window,
                        const char    *title,
                        const MoveOp  *op,
                        gboolean       undo);

static TidingsLibrary *
window_library (TidingsWindow *window)
{
  TidingsLibrary *library = NULL;

  g_object_get (window, "library", &library, NULL);
  /* The window holds it for as long as it lives. */
  g_object_unref (library);
  return library;
}

static void
undo_clicked_cb (AdwToast      *toast,
                 TidingsWindow *window)
{
  MoveCall *undo = g_object_get_data (G_OBJECT (toast), "tidings-undo");

  start_move (window, undo->title, &undo->op, TRUE);
}

static char *
toast_title (const MoveCall   *call,
             const MoveResult *result)
{
  if (result->new_parent != 0 && result->new_parent_title != NULL)
    /* Translators: a feed or a section was dragged into a section */
    return g_strdup_printf (_("Moved “%s” to “%s”"), call->title, result->new_parent_title);
  if (result->new_parent == 0 && result->old_parent != 0)
    return g_strdup_printf (call->op.drop.kind == TIDINGS_SIDEBAR_SECTION
                              ? _("Moved “%s” to the top level")
                              : _("Moved “%s” out of its section"),
                            call->title);
  return g_strdup_printf (_("Moved “%s”"), call->title);
}

static void
move_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(MoveCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MoveResult) result = NULL;
  g_autofree char *title = NULL;
  MoveCall *undo;
  AdwToast *toast;

  result = tidings_library_write_finish (TIDINGS_LIBRARY (source), res, &error);
  if (result == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tidings_window_add_toast (call->window, adw_toast_new (error->message));
      return;
    }
  if (!result->moved || call->undo)
    return;

  /* Undo puts it back where it was, at its old place among its siblings.
   * (The toast holds no reference to the window, which holds the toast.) */
  undo = g_new0 (MoveCall, 1);
  undo->title = g_strdup (call->title);
  undo->op.drop.kind = call->op.drop.kind;
  undo->op.drop.id = call->op.drop.id;
  undo->op.drop.place = TIDINGS_SIDEBAR_DROP_INTO;
  undo->op.drop.target_id = result->old_parent;
  undo->op.position = result->old_position;

  title = toast_title (call, result);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "tidings-undo", undo,
                          (GDestroyNotify) move_call_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), call->window,
                           0);
  tidings_window_add_toast (call->window, toast);
}

static GtkTreeListRow *
tree_row_of (GtkListView        *view,
             TidingsSidebarItem *item)
{
  GListModel *rows = G_LIST_MODEL (gtk_list_view_get_model (view));
  guint n = g_list_model_get_n_items (rows);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(GObject) row_item = gtk_tree_list_row_get_item (row);

      if (row_item == G_OBJECT (item))
        return g_steal_pointer (&row);
    }
  return NULL;
}

/* A section's row is made anew where it moves to, closed: one that was
 * open is opened again once it is there. */
static void
remember_open (TidingsWindow      *window,
               const MoveOp       *op)
{
  GtkListView *view = GTK_LIST_VIEW (_tidings_window_get_sidebar_view (window));
  Dnd *dnd = dnd_of (view);
  TidingsSidebarItem *item;
  g_autoptr(GtkTreeListRow) row = NULL;

  if (dnd == NULL || op->drop.kind != TIDINGS_SIDEBAR_SECTION)
    return;
  item = tidings_sidebar_model_find (_tidings_window_get_sidebar_model (window),
                                     TIDINGS_SIDEBAR_SECTION, op->drop.id);
  row = item != NULL ? tree_row_of (view, item) : NULL;
  g_clear_object (&dnd->reopen);
  if (row == NULL || !gtk_tree_list_row_get_expanded (row))
    return;
  dnd->reopen = g_object_ref (item);
  dnd->reopen_until = g_get_monotonic_time () + REOPEN_WAIT_US;
}

static gboolean
reopen_cb (gpointer data)
{
  Dnd *dnd = data;
  g_autoptr(GtkTreeListRow) row = NULL;

  dnd->reopen_source = 0;
  if (dnd->reopen == NULL)
    return G_SOURCE_REMOVE;
  if (g_get_monotonic_time () > dnd->reopen_until)
    {
      g_clear_object (&dnd->reopen);
      return G_SOURCE_REMOVE;
    }
  /* Its old row, still open, may be there until the model has reloaded. */
  row = tree_row_of (dnd->view, dnd->reopen);
  if (row != NULL && !gtk_tree_list_row_get_expanded (row))
    {
      gtk_tree_list_row_set_expanded (row, TRUE);
      g_clear_object (&dnd->reopen);
    }
  return G_SOURCE_REMOVE;
}

static void
rows_changed_cb (GListModel  *rows,
                 guint        position,
                 guint        removed,
                 guint        added,
                 GtkListView *view)
{
  Dnd *dnd = dnd_of (view);

  /* Not from within the model's signal: opening a row changes it again. */
  if (dnd->reopen != NULL && dnd->reopen_source == 0)
    dnd->reopen_source = g_idle_add (reopen_cb, dnd);
}

static void
start_move (TidingsWindow *window,
            const char    *title,
            const MoveOp  *op,
            gboolean       undo)
{
  MoveCall *call = g_new0 (MoveCall, 1);

  remember_open (window, op);

  call->window = g_object_ref (window);
  call->title = g_strdup (title);
  call->op = *op;
  call->undo = undo;
  tidings_library_write_async (window_library (window), move_func,
                               g_memdup2 (op, sizeof *op), g_free,
                               TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, NULL, move_done_cb, call);
}

/* ---- Moving by the menu ---- */

/* The row of @item's kind just before (@direction < 0) or after it among
 * its siblings, or NULL. The sidebar model holds it. */
static TidingsSidebarItem *
neighbour (TidingsWindow      *window,
           TidingsSidebarItem *item,
           int                 direction)
{
  TidingsSidebarModel *model = _tidings_window_get_sidebar_model (window);
  TidingsSidebarKind kind = tidings_sidebar_item_get_kind (item);
  gint64 parent_id = tidings_sidebar_item_get_parent_id (item);
  TidingsSidebarItem *parent = NULL;
  GListModel *siblings = G_LIST_MODEL (model);
  TidingsSidebarItem *previous = NULL;
  gboolean seen = FALSE;

  if (parent_id != 0)
    {
      parent = tidings_sidebar_model_find (model, TIDINGS_SIDEBAR_SECTION, parent_id);
      siblings = parent != NULL ? tidings_sidebar_item_get_children (parent) : NULL;
    }
  for (guint i = 0; siblings != NULL && i < g_list_model_get_n_items (siblings); i++)
    {
      g_autoptr(TidingsSidebarItem) sibling = g_list_model_get_item (siblings, i);

      if (tidings_sidebar_item_get_kind (sibling) != kind)
        continue;
      if (sibling == item)
        {
          if (direction < 0)
            return previous;
          seen = TRUE;
        }
      else if (seen)
        return sibling;
      else
        previous = sibling;
    }
  return NULL;
}

static void
move_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  TidingsWindow *window = user_data;
  MoveOp op = { { 0, }, -1 };
  TidingsSidebarItem *item;
  TidingsSidebarItem *other;
  int kind = 0;
  int direction = 0;

  g_variant_get (parameter, "(ixi)", &kind, &op.drop.id, &direction);
  item = tidings_sidebar_model_find (_tidings_window_get_sidebar_model (window), kind, op.drop.id);
  if (item == NULL || (kind != TIDINGS_SIDEBAR_SECTION && kind != TIDINGS_SIDEBAR_SUBSCRIPTION))
    return;
  other = neighbour (window, item, direction);
  if (other == NULL)
    return;

  op.drop.kind = kind;
  op.drop.place = direction < 0 ? TIDINGS_SIDEBAR_DROP_BEFORE : TIDINGS_SIDEBAR_DROP_AFTER;
  op.drop.target_id = tidings_sidebar_item_get_id (other);
  start_move (window, tidings_sidebar_item_get_title (item), &op, FALSE);
}

void
_tidings_sidebar_dnd_append_moves (TidingsWindow      *window,
                                   TidingsSidebarItem *item,
                                   GMenu              *menu)
{
  static const struct { int direction; const char *label; } moves[] = {
    { -1, N_("Move _Up") },
    { 1, N_("Move _Down") },
  };
  TidingsSidebarKind kind;

  g_return_if_fail (TIDINGS_IS_WINDOW (window));
  g_return_if_fail (TIDINGS_IS_SIDEBAR_ITEM (item));
  g_return_if_fail (G_IS_MENU (menu));

  kind = tidings_sidebar_item_get_kind (item);
  if (kind != TIDINGS_SIDEBAR_SECTION && kind != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      g_autoptr(GMenuItem) entry = NULL;

      if (neighbour (window, item, moves[i].direction) == NULL)
        continue;
      entry = g_menu_item_new (_(moves[i].label), NULL);
      g_menu_item_set_action_and_target (entry, "sidebar.move", "(ixi)", (int) kind,
                                         tidings_sidebar_item_get_id (item), moves[i].direction);
      g_menu_append_item (menu, entry);
    }
}

/* ---- Rows under the pointer ---- */

/* The list's row at @y of @view and the offset into it; NULL below the
 * last row. A gap between rows belongs to the row above it. */
static GtkWidget *
row_at (GtkListView *view,
        double       y,
        double      *row_y,
        double      *row_height)
{
  GtkWidget *best = NULL;
  graphene_rect_t best_bounds = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  GtkWidget *first = NULL;
  graphene_rect_t first_bounds = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  double last_top = -G_MAXDOUBLE;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *inner = gtk_widget_get_first_child (child);
      graphene_rect_t bounds;

      if (!TIDINGS_IS_SIDEBAR_ROW (inner)
          || tidings_sidebar_row_get_item (TIDINGS_SIDEBAR_ROW (inner)) == NULL
          || !gtk_widget_get_mapped (child)
          || !gtk_widget_compute_bounds (child, GTK_WIDGET (view), &bounds))
        continue;

      last_top = MAX (last_top, bounds.origin.y);
      if (first == NULL || bounds.origin.y < first_bounds.origin.y)
        {
          first = child;
          first_bounds = bounds;
        }
      if (bounds.origin.y <= y && (best == NULL || bounds.origin.y > best_bounds.origin.y))
        {
          best = child;
          best_bounds = bounds;
        }
    }

  if (best == NULL)
    {
      /* Above the first row: its margin. */
      best = first;
      best_bounds = first_bounds;
    }
  if (best == NULL
      || (best_bounds.origin.y >= last_top
          && y > best_bounds.origin.y + best_bounds.size.height + END_MARGIN))
    return NULL;

  *row_y = CLAMP (y - best_bounds.origin.y, 0, best_bounds.size.height);
  *row_height = best_bounds.size.height;
  return best;
}

static TidingsSidebarRow *
sidebar_row_of (GtkWidget *list_row)
{
  return TIDINGS_SIDEBAR_ROW (gtk_widget_get_first_child (list_row));
}

static Dnd *
dnd_of (GtkListView *view)
{
  return g_object_get_data (G_OBJECT (view), "tidings-sidebar-dnd");
}

static void
stop_expanding (Dnd *dnd)
{
  g_clear_handle_id (&dnd->expand_source, g_source_remove);
  g_clear_object (&dnd->expand_row);
}

static gboolean
expand_cb (gpointer data)
{
  Dnd *dnd = data;

  dnd->expand_source = 0;
  if (dnd->expand_row != NULL)
    gtk_tree_list_row_set_expanded (dnd->expand_row, TRUE);
  g_clear_object (&dnd->expand_row);
  return G_SOURCE_REMOVE;
}

/* A closed section held under the pointer opens, so that a feed can be
 * dropped beside the feeds in it. */
static void
expand_later (Dnd            *dnd,
              GtkTreeListRow *list_row)
{
  if (list_row == dnd->expand_row)
    return;
  stop_expanding (dnd);
  if (list_row == NULL || gtk_tree_list_row_get_expanded (list_row)
      || !gtk_tree_list_row_is_expandable (list_row))
    return;
  dnd->expand_row = g_object_ref (list_row);
  dnd->expand_source = g_timeout_add (EXPAND_DELAY_MS, expand_cb, dnd);
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  Dnd *dnd = data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (widget));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + dnd->scroll_speed);
  return G_SOURCE_CONTINUE;
}

/* Near the top or the bottom of the list, the list scrolls while the
 * pointer stays there, faster nearer the edge. */
static void
scroll_at_edge (Dnd    *dnd,
                double  y)
{
  double height = gtk_widget_get_height (GTK_WIDGET (dnd->view));

  dnd->scroll_speed = 0;
  if (y >= 0 && y < SCROLL_EDGE)
    dnd->scroll_speed = -(SCROLL_EDGE - y) / 4;
  else if (y <= height && y > height - SCROLL_EDGE)
    dnd->scroll_speed = (y - (height - SCROLL_EDGE)) / 4;

  if (dnd->scroll_speed != 0 && dnd->scroll_tick == 0)
    dnd->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (dnd->view), scroll_tick_cb,
                                                     dnd, NULL);
  else if (dnd->scroll_speed == 0 && dnd->scroll_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (dnd->view), dnd->scroll_tick);
      dnd->scroll_tick = 0;
    }
}

static void
set_highlight (Dnd        *dnd,
               GtkWidget  *widget,
               const char *css_class)
{
  if (dnd->highlighted == widget && g_strcmp0 (dnd->highlight, css_class) == 0)
    return;
  if (dnd->highlighted != NULL)
    {
      gtk_widget_remove_css_class (dnd->highlighted, dnd->highlight);
      g_clear_object (&dnd->highlighted);
    }
  dnd->highlight = css_class;
  if (widget != NULL && css_class != NULL)
    {
      dnd->highlighted = g_object_ref (widget);
      gtk_widget_add_css_class (widget, css_class);
    }
}

/* The plan for @dragged at (@x, @y), and the list row it lands on (NULL
 * below the rows). */
static gboolean
plan_at (GtkListView         *view,
         TidingsSidebarItem  *dragged,
         double               y,
         TidingsSidebarDrop  *drop,
         GtkWidget          **list_row)
{
  double row_y = 0;
  double row_height = 0;
  GtkWidget *row = row_at (view, y, &row_y, &row_height);
  TidingsSidebarItem *target = row != NULL ? tidings_sidebar_row_get_item (sidebar_row_of (row))
                                           : NULL;

  *list_row = row;
  return _tidings_sidebar_drop_plan (dragged, target, row_y, row_height, drop);
}

GdkDragAction
_tidings_sidebar_dnd_motion (GtkListView        *view,
                             TidingsSidebarItem *dragged,
                             double              x,
                             double              y)
{
  Dnd *dnd = dnd_of (view);
  TidingsSidebarDrop drop;
  GtkWidget *row = NULL;

  g_return_val_if_fail (dnd != NULL, 0);
  g_return_val_if_fail (dragged == NULL || TIDINGS_IS_SIDEBAR_ITEM (dragged), 0);

  scroll_at_edge (dnd, y);
  if (dragged == NULL || !plan_at (view, dragged, y, &drop, &row))
    {
      set_highlight (dnd, NULL, NULL);
      expand_later (dnd, row != NULL ? tidings_sidebar_row_get_list_row (sidebar_row_of (row))
                                     : NULL);
      return 0;
    }

  switch (drop.place)
    {
    case TIDINGS_SIDEBAR_DROP_BEFORE:
      set_highlight (dnd, row, "drop-before");
      break;
    case TIDINGS_SIDEBAR_DROP_AFTER:
      set_highlight (dnd, row, "drop-after");
      break;
    case TIDINGS_SIDEBAR_DROP_INTO:
      /* Out of every section: the whole list says so, not a row. */
      if (drop.target_id == 0)
        set_highlight (dnd, GTK_WIDGET (view), "drop-out");
      else
        set_highlight (dnd, row, "drop-into");
      break;
    case TIDINGS_SIDEBAR_DROP_NONE:
    default:
      g_assert_not_reached ();
    }
  expand_later (dnd, row != NULL ? tidings_sidebar_row_get_list_row (sidebar_row_of (row)) : NULL);
  return GDK_ACTION_MOVE;
}

void
_tidings_sidebar_dnd_leave (GtkListView *view)
{
  Dnd *dnd = dnd_of (view);

  g_return_if_fail (dnd != NULL);

  set_highlight (dnd, NULL, NULL);
  stop_expanding (dnd);
  scroll_at_edge (dnd, -1);
}

gboolean
_tidings_sidebar_dnd_drop (GtkListView        *view,
                           TidingsSidebarItem *dragged,
                           double              x,
                           double              y)
{
  Dnd *dnd = dnd_of (view);
  MoveOp op = { { 0, }, -1 };
  GtkWidget *row = NULL;

  g_return_val_if_fail (dnd != NULL, FALSE);
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ITEM (dragged), FALSE);

  _tidings_sidebar_dnd_leave (view);
  if (!plan_at (view, dragged, y, &op.drop, &row))
    return FALSE;

  g_debug ("Dropped %s %" G_GINT64_FORMAT ": place %d, target %" G_GINT64_FORMAT,
           op.drop.kind == TIDINGS_SIDEBAR_SECTION ? "section" : "feed", op.drop.id,
           op.drop.place, op.drop.target_id);
  start_move (dnd->window, tidings_sidebar_item_get_title (dragged), &op, FALSE);
  return TRUE;
}

/* ---- Controllers ---- */

static TidingsSidebarItem *
value_item (const GValue *value)
{
  if (value == NULL || !G_VALUE_HOLDS (value, TIDINGS_TYPE_SIDEBAR_ITEM))
    return NULL;
  return g_value_get_object (value);
}

static GdkDragAction
drop_motion_cb (GtkDropTarget *target,
                double         x,
                double         y,
                GtkListView   *view)
{
  /* The value is preloaded: it comes a moment after the drag enters. */
  return _tidings_sidebar_dnd_motion (view, value_item (gtk_drop_target_get_value (target)), x, y);
}

static void
drop_leave_cb (GtkDropTarget *target,
               GtkListView   *view)
{
  _tidings_sidebar_dnd_leave (view);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         GtkListView   *view)
{
  TidingsSidebarItem *item = value_item (value);

  return item != NULL && _tidings_sidebar_dnd_drop (view, item, x, y);
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 gpointer       user_data)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  TidingsSidebarItem *item = tidings_sidebar_row_get_item (TIDINGS_SIDEBAR_ROW (row));
  TidingsSidebarKind kind;

  if (item == NULL)
    return NULL;
  kind = tidings_sidebar_item_get_kind (item);
  if (kind != TIDINGS_SIDEBAR_SECTION && kind != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return NULL;

  /* The icon is held where it was taken. */
  g_object_set_data (G_OBJECT (source), "tidings-hot-x", GINT_TO_POINTER ((int) x));
  g_object_set_data (G_OBJECT (source), "tidings-hot-y", GINT_TO_POINTER ((int) y));
  return gdk_content_provider_new_typed (TIDINGS_TYPE_SIDEBAR_ITEM, item);
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               gpointer       user_data)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  g_autoptr(GdkPaintable) live = gtk_widget_paintable_new (row);
  /* A still image: the row itself dims while it is dragged. */
  g_autoptr(GdkPaintable) icon = gdk_paintable_get_current_image (live);
  int hot_x = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (source), "tidings-hot-x"));
  int hot_y = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (source), "tidings-hot-y"));

  gtk_drag_source_set_icon (source, icon, hot_x, hot_y);
  gtk_widget_add_css_class (row, "dragged");
}

static void
drag_end_cb (GtkDragSource *source,
             GdkDrag       *drag,
             gboolean       delete_data,
             gpointer       user_data)
{
  gtk_widget_remove_css_class (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source)),
                               "dragged");
}

static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkDragSource *source;

  g_return_if_fail (TIDINGS_IS_SIDEBAR_ROW (row));

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), NULL);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), NULL);
  g_signal_connect (source, "drag-end", G_CALLBACK (drag_end_cb), NULL);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
}

static void
dnd_free (gpointer data)
{
  Dnd *dnd = data;

  /* (The view's tick callback went with the view.) */
  stop_expanding (dnd);
  g_clear_handle_id (&dnd->reopen_source, g_source_remove);
  g_clear_object (&dnd->reopen);
  g_clear_object (&dnd->highlighted);
  g_free (dnd);
}

void
_tidings_sidebar_dnd_attach (TidingsWindow *window,
                             GtkListView   *view)
{
  g_autoptr(GSimpleActionGroup) actions = NULL;
  g_autoptr(GSimpleAction) move = NULL;
  GtkListItemFactory *factory;
  GtkDropTarget *target;
  Dnd *dnd;

  g_return_if_fail (TIDINGS_IS_WINDOW (window));
  g_return_if_fail (GTK_IS_LIST_VIEW (view));

  factory = gtk_list_view_get_factory (view);
  g_return_if_fail (GTK_IS_SIGNAL_LIST_ITEM_FACTORY (factory));

  dnd = g_new0 (Dnd, 1);
  dnd->window = window;
  dnd->view = view;
  g_object_set_data_full (G_OBJECT (view), "tidings-sidebar-dnd", dnd, dnd_free);
  g_signal_connect_object (gtk_list_view_get_model (view), "items-changed",
                           G_CALLBACK (rows_changed_cb), view, 0);

  /* After the window's own "setup", which makes the row. */
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_cb), NULL);

  /* The rows' menus (their popovers are inside the view) find it here. */
  actions = g_simple_action_group_new ();
  move = g_simple_action_new ("move", G_VARIANT_TYPE ("(ixi)"));
  g_signal_connect_object (move, "activate", G_CALLBACK (move_action_cb), window, 0);
  g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (move));
  gtk_widget_insert_action_group (GTK_WIDGET (view), "sidebar", G_ACTION_GROUP (actions));

  target = gtk_drop_target_new (TIDINGS_TYPE_SIDEBAR_ITEM, GDK_ACTION_MOVE);
  gtk_drop_target_set_preload (target, TRUE);
  g_signal_connect (target, "enter", G_CALLBACK (drop_motion_cb), view);
  g_signal_connect (target, "motion", G_CALLBACK (drop_motion_cb), view);
  g_signal_connect (target, "leave", G_CALLBACK (drop_leave_cb), view);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), view);
  gtk_widget_add_controller (GTK_WIDGET (view), GTK_EVENT_CONTROLLER (target));
  gtk_widget_add_css_class (GTK_WIDGET (view), "sidebar-dnd");
}
