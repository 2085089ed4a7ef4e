/* tidings-article-row.c: one row of the article list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A row shows whichever item the list view binds to it and follows that
 * item's notifications (a placeholder fills in when its page arrives; read
 * and starred marks change in place).
 */

#define G_LOG_DOMAIN "tidings-article-row"

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-article-row.h"

struct _TidingsArticleListRow
{
  GtkWidget           parent_instance;

  TidingsArticleItem *item;

  GtkWidget          *unread_dot;
  GtkLabel           *feed_label;
  GtkLabel           *time_label;
  GtkLabel           *title_label;
  GtkLabel           *excerpt_label;
  GtkToggleButton    *star_button;
  gboolean            updating_star;
};

G_DEFINE_FINAL_TYPE (TidingsArticleListRow, tidings_article_list_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
_tidings_format_relative_time (gint64 date,
                               gint64 now)
{
  g_autoptr(GDateTime) then = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  gint64 minutes;
  int days;

  if (date <= 0)
    return g_strdup ("");

  minutes = (now - date) / G_USEC_PER_SEC / 60;
  /* A date a little in the future (a clock off by a minute or two, or a
   * publisher's) reads as now. */
  if (minutes < 1)
    return g_strdup (_("Just now"));
  if (minutes < 60)
    return g_strdup_printf (ngettext ("%d min ago", "%d min ago", (int) minutes), (int) minutes);

  then = g_date_time_new_from_unix_local (date / G_USEC_PER_SEC);
  local_now = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);
  if (then == NULL || local_now == NULL)
    return g_strdup ("");
  today = g_date_time_new_local (g_date_time_get_year (local_now),
                                 g_date_time_get_month (local_now),
                                 g_date_time_get_day_of_month (local_now), 0, 0, 0);

  if (g_date_time_compare (then, today) >= 0 || minutes < 6 * 60)
    return g_strdup_printf (ngettext ("%d h ago", "%d h ago", (int) (minutes / 60)),
                            (int) (minutes / 60));

  /* Whole days back from today's midnight: 0 is yesterday. */
  days = (int) (g_date_time_difference (today, then) / G_TIME_SPAN_DAY);
  if (days == 0)
    return g_strdup (_("Yesterday"));
  if (days < 6)
    /* Translators: a weekday, see g_date_time_format() */
    return g_date_time_format (then, _("%A"));
  if (g_date_time_get_year (then) == g_date_time_get_year (local_now))
    /* Translators: a day of this year, see g_date_time_format() */
    return g_date_time_format (then, _("%e %B"));
  /* Translators: a day of another year, see g_date_time_format() */
  return g_date_time_format (then, _("%e %B %Y"));
}

static void
update_read (TidingsArticleListRow *self)
{
  gboolean unread = tidings_article_item_get_loaded (self->item)
                    && !tidings_article_item_get_read (self->item);

  gtk_widget_set_opacity (self->unread_dot, unread ? 1.0 : 0.0);
  if (unread)
    gtk_widget_add_css_class (GTK_WIDGET (self), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unread");
}

static void
update_starred (TidingsArticleListRow *self)
{
  gboolean starred = tidings_article_item_get_starred (self->item);

  self->updating_star = TRUE;
  gtk_toggle_button_set_active (self->star_button, starred);
  self->updating_star = FALSE;
  gtk_button_set_icon_name (GTK_BUTTON (self->star_button),
                            starred ? "starred-symbolic" : "non-starred-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->star_button),
                               starred ? _("Unstar") : _("Star"));
  /* Unstarred rows show their star only on hover (style.css), so that a
   * long list is not a column of outlines. */
  if (starred)
    gtk_widget_add_css_class (GTK_WIDGET (self), "starred");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "starred");
}

static void
update_all (TidingsArticleListRow *self)
{
  const char *title;
  const char *feed;
  const char *excerpt;
  g_autofree char *when = NULL;
  gboolean loaded = tidings_article_item_get_loaded (self->item);

  title = tidings_article_item_get_title (self->item);
  feed = tidings_article_item_get_feed_title (self->item);
  excerpt = tidings_article_item_get_excerpt (self->item);
  if (loaded && (title == NULL || *title == '\0'))
    title = _("Untitled");
  when = _tidings_format_relative_time (tidings_article_item_get_date (self->item),
                                        g_get_real_time ());

  gtk_label_set_label (self->title_label, title != NULL ? title : "");
  gtk_label_set_label (self->feed_label, feed != NULL ? feed : "");
  gtk_label_set_label (self->excerpt_label, excerpt != NULL ? excerpt : "");
  gtk_widget_set_visible (GTK_WIDGET (self->excerpt_label), excerpt != NULL && *excerpt != '\0');
  gtk_label_set_label (self->time_label, when);
  gtk_widget_set_visible (GTK_WIDGET (self->star_button), loaded);

  update_read (self);
  update_starred (self);
}

static void
item_notify_cb (TidingsArticleListRow *self,
                GParamSpec        *pspec,
                TidingsArticleItem *item)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "read"))
    update_read (self);
  else if (g_str_equal (name, "starred"))
    update_starred (self);
  else
    update_all (self);
}

static void
star_toggled_cb (TidingsArticleListRow *self,
                 GtkToggleButton   *button)
{
  if (self->updating_star || self->item == NULL
      || !tidings_article_item_get_loaded (self->item))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.set-starred", "(xb)",
                              tidings_article_item_get_id (self->item),
                              gtk_toggle_button_get_active (button));
}

static void
tidings_article_list_row_dispose (GObject *object)
{
  GtkWidget *child;
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (object);

  tidings_article_list_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIDINGS_TYPE_ARTICLE_LIST_ROW);
  /* The template's top box is not bound to a field: unparent it too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tidings_article_list_row_parent_class)->dispose (object);
}

static void
tidings_article_list_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_article_list_row_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      tidings_article_list_row_set_item (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_article_list_row_class_init (TidingsArticleListRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tidings_article_list_row_dispose;
  object_class->get_property = tidings_article_list_row_get_property;
  object_class->set_property = tidings_article_list_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, TIDINGS_TYPE_ARTICLE_ITEM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "tidings-article-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleListRow, unread_dot);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleListRow, feed_label);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleListRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleListRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleListRow, excerpt_label);
  gtk_widget_class_bind_template_child (widget_class, TidingsArticleListRow, star_button);
  gtk_widget_class_bind_template_callback (widget_class, star_toggled_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tidings-article-row");
}

static void
tidings_article_list_row_init (TidingsArticleListRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tidings_article_list_row_new (void)
{
  return g_object_new (TIDINGS_TYPE_ARTICLE_LIST_ROW, NULL);
}

TidingsArticleItem *
tidings_article_list_row_get_item (TidingsArticleListRow *self)
{
  g_return_val_if_fail (TIDINGS_IS_ARTICLE_LIST_ROW (self), NULL);

  return self->item;
}

void
tidings_article_list_row_set_item (TidingsArticleListRow  *self,
                              TidingsArticleItem *item)
{
  g_return_if_fail (TIDINGS_IS_ARTICLE_LIST_ROW (self));
  g_return_if_fail (item == NULL || TIDINGS_IS_ARTICLE_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, item_notify_cb, self);
  g_set_object (&self->item, item);

  if (item != NULL)
    {
      g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb), self,
                               G_CONNECT_SWAPPED);
      update_all (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}
