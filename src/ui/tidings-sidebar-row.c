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

#include "tidings-icon-cache.h"
#include "tidings-sidebar-row.h"
#include "tidings-window.h"

struct _TidingsSidebarRow
{
  GtkWidget           parent_instance;

  GtkTreeListRow     *list_row;
  TidingsSidebarItem *item;       /* the list-row's item, watched */
  GtkWidget          *menu;       /* GtkPopoverMenu, made on first use */
  TidingsIconCache   *icon_cache; /* the window's, while the row is in one */

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
  GdkTexture *texture = NULL;

  /* Feeds have no icon name: their own icon, once the cache has it. */
  if (self->icon_cache != NULL
      && tidings_sidebar_item_get_kind (self->item) == TIDINGS_SIDEBAR_SUBSCRIPTION)
    texture = tidings_icon_cache_lookup (self->icon_cache,
                                         tidings_sidebar_item_get_id (self->item));
  /* Set only on a change: every row hears of every batch of icons. */
  if (texture != NULL)
    {
      if (gtk_image_get_storage_type (self->icon) != GTK_IMAGE_PAINTABLE
          || gtk_image_get_paintable (self->icon) != GDK_PAINTABLE (texture))
        gtk_image_set_from_paintable (self->icon, GDK_PAINTABLE (texture));
      return;
    }
  if (icon_name == NULL || *icon_name == '\0')
    icon_name = tidings_icon_cache_get_fallback_name ();
  if (gtk_image_get_storage_type (self->icon) != GTK_IMAGE_ICON_NAME
      || g_strcmp0 (gtk_image_get_icon_name (self->icon), icon_name) != 0)
    gtk_image_set_from_icon_name (self->icon, icon_name);
}

static void
icon_changed_cb (TidingsSidebarRow *self)
{
  if (self->item != NULL)
    update_icon (self);
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

/* The icon cache is the window's: found when the row joins one. */
static void
tidings_sidebar_row_root (GtkWidget *widget)
{
  TidingsSidebarRow *self = TIDINGS_SIDEBAR_ROW (widget);
  GtkWidget *window;

  GTK_WIDGET_CLASS (tidings_sidebar_row_parent_class)->root (widget);

  window = gtk_widget_get_ancestor (widget, TIDINGS_TYPE_WINDOW);
  if (window == NULL)
    return;
  self->icon_cache = g_object_ref (_tidings_window_get_icon_cache (TIDINGS_WINDOW (window)));
  g_signal_connect_swapped (self->icon_cache, "changed", G_CALLBACK (icon_changed_cb), self);
  if (self->item != NULL)
    update_icon (self);
}

static void
tidings_sidebar_row_unroot (GtkWidget *widget)
{
  TidingsSidebarRow *self = TIDINGS_SIDEBAR_ROW (widget);

  if (self->icon_cache != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->icon_cache, icon_changed_cb, self);
      g_clear_object (&self->icon_cache);
    }

  GTK_WIDGET_CLASS (tidings_sidebar_row_parent_class)->unroot (widget);
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
  widget_class->root = tidings_sidebar_row_root;
  widget_class->unroot = tidings_sidebar_row_unroot;

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

  gtk_widget_init_template (GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (secondary_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect (long_press, "pressed", G_CALLBACK (long_press_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));
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
