/* tidings-sidebar-row.c: one row of the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows are recycled by the GtkListView: a row follows whichever item its
 * list-row holds, so every signal it takes from an item is dropped when the
 * list-row changes.
 */

#define G_LOG_DOMAIN "tidings-sidebar-row"

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-sidebar-row.h"
#include "tidings-window.h"

struct _TidingsSidebarRow
{
  GtkWidget           parent_instance;

  GtkTreeListRow     *list_row;
  TidingsSidebarItem *item;       /* the list-row's item, watched */
  GtkWidget          *menu;       /* GtkPopoverMenu, made on first use */

  GtkTreeExpander    *expander;
  GtkImage           *icon;
  GtkLabel           *title_label;
  GtkImage           *warning_icon;
  GtkLabel           *count_label;
};

G_DEFINE_FINAL_TYPE (TidingsSidebarRow, tidings_sidebar_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LIST_ROW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_title (TidingsSidebarRow *self)
{
  const char *title = tidings_sidebar_item_get_title (self->item);

  gtk_label_set_label (self->title_label, title != NULL ? title : "");
}

static void
update_icon (TidingsSidebarRow *self)
{
  const char *icon_name = tidings_sidebar_item_get_icon_name (self->item);

  /* Feeds have no icon name; their favicon is for later. */
  if (icon_name == NULL || *icon_name == '\0')
    icon_name = "application-rss+xml-symbolic";
  gtk_image_set_from_icon_name (self->icon, icon_name);
}

static void
update_count (TidingsSidebarRow *self)
{
  guint unread = tidings_sidebar_item_get_unread_count (self->item);
  g_autofree char *text = NULL;

  /* The Starred count would be a count of unread starred articles, which
   * means little to a reader: the smart Starred row shows none. */
  if (unread == 0 || tidings_sidebar_item_get_kind (self->item) == TIDINGS_SIDEBAR_STARRED)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->count_label), FALSE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->title_label), "has-unread");
      return;
    }

  text = g_strdup_printf ("%u", unread);
  gtk_label_set_label (self->count_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "has-unread");
}

static void
update_error (TidingsSidebarRow *self)
{
  const char *error = tidings_sidebar_item_get_error (self->item);
  gboolean failing = error != NULL && *error != '\0';

  gtk_widget_set_visible (GTK_WIDGET (self->warning_icon), failing);
  /* Only on a change: setting a tooltip asks the X server where the
   * pointer is, and rows are bound by the hundred. */
  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->warning_icon)),
                 failing ? error : NULL) != 0)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->warning_icon), failing ? error : NULL);
  /* A screen reader says why the feed fails along with the row. */
  if (failing)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->warning_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, error, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error, -1);
    }
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
item_notify_cb (TidingsSidebarRow *self,
                GParamSpec        *pspec,
                TidingsSidebarItem *item)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "title"))
    update_title (self);
  else if (g_str_equal (name, "unread-count"))
    update_count (self);
  else if (g_str_equal (name, "error"))
    update_error (self);
  else if (g_str_equal (name, "icon-name"))
    update_icon (self);
}

static void
set_item (TidingsSidebarRow  *self,
          TidingsSidebarItem *item)
{
  if (self->item == item)
    return;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, item_notify_cb, self);
  g_set_object (&self->item, item);
  if (self->menu != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->menu));

  if (item == NULL)
    return;

  g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb), self,
                           G_CONNECT_SWAPPED);
  update_title (self);
  update_icon (self);
  update_count (self);
  update_error (self);

  if (tidings_sidebar_item_get_kind (item) == TIDINGS_SIDEBAR_SECTION)
    gtk_widget_add_css_class (GTK_WIDGET (self), "section");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "section");
}

/* ---- Context menu ---- */

static void
popup_menu_at (TidingsSidebarRow *self,
               double             x,
               double             y)
{
  GtkWidget *window;
  GMenuModel *model;

  if (self->item == NULL)
    return;

  window = gtk_widget_get_ancestor (GTK_WIDGET (self), TIDINGS_TYPE_WINDOW);
  if (window == NULL)
    return;

  model = _tidings_window_get_item_menu (TIDINGS_WINDOW (window), self->item);
  if (model == NULL)
    return;

  if (self->menu == NULL)
    {
      self->menu = gtk_popover_menu_new_from_model (NULL);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
      gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
      gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
    }
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->menu), model);

  if (x >= 0 && y >= 0)
    gtk_popover_set_pointing_to (GTK_POPOVER (self->menu),
                                 &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  else
    gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), NULL);
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

void
tidings_sidebar_row_popup_menu (TidingsSidebarRow *self)
{
  g_return_if_fail (TIDINGS_IS_SIDEBAR_ROW (self));

  popup_menu_at (self, -1, -1);
}

static void
secondary_click_cb (GtkGestureClick   *gesture,
                    int                n_press,
                    double             x,
                    double             y,
                    TidingsSidebarRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_menu_at (self, x, y);
}

static void
long_press_cb (GtkGestureLongPress *gesture,
               double               x,
               double               y,
               TidingsSidebarRow   *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_menu_at (self, x, y);
}

/* ---- Drag and drop: feeds onto sections ---- */

static GdkContentProvider *
drag_prepare_cb (GtkDragSource     *source,
                 double             x,
                 double             y,
                 TidingsSidebarRow *self)
{
  if (self->item == NULL
      || tidings_sidebar_item_get_kind (self->item) != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return NULL;

  return gdk_content_provider_new_typed (TIDINGS_TYPE_SIDEBAR_ITEM, self->item);
}

static void
drag_begin_cb (GtkDragSource     *source,
               GdkDrag           *drag,
               TidingsSidebarRow *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

/* The section a feed dropped on this row goes to, or -1 when it takes none. */
static gint64
drop_section (TidingsSidebarRow *self)
{
  if (self->item == NULL)
    return -1;

  switch (tidings_sidebar_item_get_kind (self->item))
    {
    case TIDINGS_SIDEBAR_SECTION:
      return tidings_sidebar_item_get_id (self->item);
    case TIDINGS_SIDEBAR_SUBSCRIPTION:
      /* Onto a feed: beside it, in its section. */
      return tidings_sidebar_item_get_parent_id (self->item);
    case TIDINGS_SIDEBAR_ALL:
    case TIDINGS_SIDEBAR_UNREAD:
    case TIDINGS_SIDEBAR_STARRED:
    case TIDINGS_SIDEBAR_TODAY:
    default:
      return -1;
    }
}

static gboolean
drop_accept_cb (GtkDropTarget     *target,
                GdkDrop           *drop,
                TidingsSidebarRow *self)
{
  return drop_section (self) >= 0
         && gdk_content_formats_contain_gtype (gdk_drop_get_formats (drop),
                                               TIDINGS_TYPE_SIDEBAR_ITEM);
}

static gboolean
drop_cb (GtkDropTarget     *target,
         const GValue      *value,
         double             x,
         double             y,
         TidingsSidebarRow *self)
{
  TidingsSidebarItem *feed;
  gint64 section_id = drop_section (self);

  if (section_id < 0 || !G_VALUE_HOLDS (value, TIDINGS_TYPE_SIDEBAR_ITEM))
    return FALSE;

  feed = g_value_get_object (value);
  if (feed == NULL || feed == self->item
      || tidings_sidebar_item_get_kind (feed) != TIDINGS_SIDEBAR_SUBSCRIPTION)
    return FALSE;
  if (tidings_sidebar_item_get_parent_id (feed) == section_id)
    return FALSE;

  return gtk_widget_activate_action (GTK_WIDGET (self), "win.move-feed", "(xx)",
                                     tidings_sidebar_item_get_id (feed), section_id);
}

/* ---- GObject ---- */

static void
tidings_sidebar_row_dispose (GObject *object)
{
  GtkWidget *child;
  TidingsSidebarRow *self = TIDINGS_SIDEBAR_ROW (object);

  set_item (self, NULL);
  g_clear_object (&self->list_row);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIDINGS_TYPE_SIDEBAR_ROW);
  /* The template's top box is not bound to a field: unparent it too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tidings_sidebar_row_parent_class)->dispose (object);
}

static void
tidings_sidebar_row_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  TidingsSidebarRow *self = TIDINGS_SIDEBAR_ROW (widget);

  GTK_WIDGET_CLASS (tidings_sidebar_row_parent_class)->size_allocate (widget, width, height,
                                                                      baseline);
  if (self->menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
tidings_sidebar_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TidingsSidebarRow *self = TIDINGS_SIDEBAR_ROW (object);

  switch (prop_id)
    {
    case PROP_LIST_ROW:
      g_value_set_object (value, self->list_row);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_sidebar_row_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TidingsSidebarRow *self = TIDINGS_SIDEBAR_ROW (object);

  switch (prop_id)
    {
    case PROP_LIST_ROW:
      tidings_sidebar_row_set_list_row (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_sidebar_row_class_init (TidingsSidebarRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tidings_sidebar_row_dispose;
  object_class->get_property = tidings_sidebar_row_get_property;
  object_class->set_property = tidings_sidebar_row_set_property;
  widget_class->size_allocate = tidings_sidebar_row_size_allocate;

  properties[PROP_LIST_ROW] =
    g_param_spec_object ("list-row", NULL, NULL, GTK_TYPE_TREE_LIST_ROW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "tidings-sidebar-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TidingsSidebarRow, expander);
  gtk_widget_class_bind_template_child (widget_class, TidingsSidebarRow, icon);
  gtk_widget_class_bind_template_child (widget_class, TidingsSidebarRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TidingsSidebarRow, warning_icon);
  gtk_widget_class_bind_template_child (widget_class, TidingsSidebarRow, count_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tidings-sidebar-row");
}

static void
tidings_sidebar_row_init (TidingsSidebarRow *self)
{
  GtkGesture *click;
  GtkGesture *long_press;
  GtkDragSource *drag;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (secondary_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect (long_press, "pressed", G_CALLBACK (long_press_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));

  drag = gtk_drag_source_new ();
  gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
  g_signal_connect (drag, "prepare", G_CALLBACK (drag_prepare_cb), self);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  drop = gtk_drop_target_new (TIDINGS_TYPE_SIDEBAR_ITEM, GDK_ACTION_MOVE);
  g_signal_connect (drop, "accept", G_CALLBACK (drop_accept_cb), self);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

GtkWidget *
tidings_sidebar_row_new (void)
{
  return g_object_new (TIDINGS_TYPE_SIDEBAR_ROW, NULL);
}

GtkTreeListRow *
tidings_sidebar_row_get_list_row (TidingsSidebarRow *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ROW (self), NULL);

  return self->list_row;
}

TidingsSidebarItem *
tidings_sidebar_row_get_item (TidingsSidebarRow *self)
{
  g_return_val_if_fail (TIDINGS_IS_SIDEBAR_ROW (self), NULL);

  return self->item;
}

void
tidings_sidebar_row_set_list_row (TidingsSidebarRow *self,
                                  GtkTreeListRow    *list_row)
{
  g_autoptr(GObject) item = NULL;

  g_return_if_fail (TIDINGS_IS_SIDEBAR_ROW (self));
  g_return_if_fail (list_row == NULL || GTK_IS_TREE_LIST_ROW (list_row));

  if (!g_set_object (&self->list_row, list_row))
    return;

  gtk_tree_expander_set_list_row (self->expander, list_row);
  if (list_row != NULL)
    item = gtk_tree_list_row_get_item (list_row);
  set_item (self, TIDINGS_IS_SIDEBAR_ITEM (item) ? TIDINGS_SIDEBAR_ITEM (item) : NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST_ROW]);
}
