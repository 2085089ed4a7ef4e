/* tidings-article-row.c: one row of the article list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A row shows whichever item the list view binds to it and follows that
 * item's notifications (a placeholder fills in when its page arrives; read
 * and starred marks change in place).
 *
 * GtkListView keeps 200 rows alive around what it shows, whatever its
 * height, and builds and measures them all when a section opens. So the row
 * is cheap where it can be: no template, its text drawn from Pango layouts
 * rather than four labels, a height that follows from the fonts' metrics
 * without laying any text out (the title and the excerpt share three
 * lines), and the text laid out only once the row is drawn on screen. The
 * star is drawn too, from the icon theme's shared paintable, and the row
 * itself takes its clicks and tooltip: a button in each of the 200 rows
 * cost a megabyte. Only the unread dot is a widget.
 */

#define G_LOG_DOMAIN "tidings-article-row"

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-article-row.h"
#include "tidings-window.h"

/* Geometry, in pixels, as the labels of the earlier template had it. */
#define DOT_SIZE       8
#define DOT_TOP        7
#define SPACING        6
#define META_SPACING   2
/* The star's square at the row's end, and its icon inside */
#define STAR_SIZE      28
#define STAR_ICON      16
/* The title takes up to two of them, the excerpt the rest. */
#define TEXT_LINES     3
/* libadwaita's .caption and .dim-label */
#define CAPTION_POINTS 9
#define DIM_ALPHA      0.55f
/* The feed's icon, before its name; no taller than the caption's line. */
#define ICON_SIZE      16
#define ICON_SPACING   4

struct _TidingsArticleListRow
{
  GtkWidget           parent_instance;

  TidingsArticleItem *item;

  GtkWidget          *unread_dot;
  gboolean            shown_starred;

  /* The text, laid out at layout_width (-1: not yet, or stale) */
  PangoLayout        *feed_layout;
  PangoLayout        *time_layout;
  PangoLayout        *title_layout;
  PangoLayout        *excerpt_layout;
  int                 layout_width;

  /* Off-screen rows skip their text; the list's adjustment says when they
   * may have come into view. */
  gboolean            culled;
  GtkAdjustment      *vadjustment;

  /* The window's, while mapped: one texture per feed for every row. */
  TidingsIconCache   *icon_cache;
  GdkTexture         *drawn_icon;   /* what the last snapshot drew, NULL: the fallback */
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
    /* Translators: a weekday, see g_date_time_format()
     * xgettext:no-c-format */
    return g_date_time_format (then, _("%A"));
  if (g_date_time_get_year (then) == g_date_time_get_year (local_now))
    /* Translators: a day of this year, see g_date_time_format()
     * xgettext:no-c-format */
    return g_date_time_format (then, _("%-e %B"));
  /* Translators: a day of another year, see g_date_time_format()
   * xgettext:no-c-format */
  return g_date_time_format (then, _("%-e %B %Y"));
}

/* Line heights of the body and caption fonts for @widget's font, kept
 * across rows: every row of a list shares them, and asking Pango for
 * metrics lays out a sample text. */
typedef struct
{
  PangoFontDescription *font;
  int                   body;
  int                   caption;
} LineHeights;

static LineHeights line_heights;

static PangoFontDescription *
caption_font (const PangoFontDescription *body)
{
  PangoFontDescription *caption = pango_font_description_copy_static (body);

  pango_font_description_set_size (caption, CAPTION_POINTS * PANGO_SCALE);
  return caption;
}

static const LineHeights *
get_line_heights (GtkWidget *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  const PangoFontDescription *font = pango_context_get_font_description (context);
  g_autoptr(PangoFontDescription) caption = NULL;
  PangoFontMetrics *metrics;

  if (line_heights.font != NULL && pango_font_description_equal (line_heights.font, font))
    return &line_heights;

  g_clear_pointer (&line_heights.font, pango_font_description_free);
  line_heights.font = pango_font_description_copy (font);
  metrics = pango_context_get_metrics (context, font, NULL);
  line_heights.body = PANGO_PIXELS_CEIL (pango_font_metrics_get_height (metrics));
  pango_font_metrics_unref (metrics);
  caption = caption_font (font);
  metrics = pango_context_get_metrics (context, caption, NULL);
  line_heights.caption = PANGO_PIXELS_CEIL (pango_font_metrics_get_height (metrics));
  pango_font_metrics_unref (metrics);

  return &line_heights;
}

static void
clear_layouts (TidingsArticleListRow *self)
{
  g_clear_object (&self->feed_layout);
  g_clear_object (&self->time_layout);
  g_clear_object (&self->title_layout);
  g_clear_object (&self->excerpt_layout);
  self->layout_width = -1;
}

static PangoLayout *
new_caption_layout (TidingsArticleListRow *self,
                    const char            *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoContext *context = pango_layout_get_context (layout);
  g_autoptr(PangoFontDescription) caption =
    caption_font (pango_context_get_font_description (context));

  pango_layout_set_font_description (layout, caption);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  return layout;
}

static gboolean
item_is_unread (TidingsArticleListRow *self)
{
  return self->item != NULL && tidings_article_item_get_loaded (self->item)
         && !tidings_article_item_get_read (self->item);
}

static int
icon_size (TidingsArticleListRow *self)
{
  return MIN (ICON_SIZE, get_line_heights (GTK_WIDGET (self))->caption);
}

/* Lays the text out for a text column @width pixels wide. */
static void
ensure_layouts (TidingsArticleListRow *self,
                int                    width)
{
  const char *title = NULL;
  const char *feed = NULL;
  const char *excerpt = NULL;
  g_autofree char *when = NULL;
  PangoAttrList *attrs;
  int time_width;
  int title_lines;

  if (self->layout_width == width && self->title_layout != NULL)
    return;
  clear_layouts (self);
  self->layout_width = width;

  if (self->item != NULL)
    {
      gboolean loaded = tidings_article_item_get_loaded (self->item);

      title = tidings_article_item_get_title (self->item);
      feed = tidings_article_item_get_feed_title (self->item);
      excerpt = tidings_article_item_get_excerpt (self->item);
      if (loaded && (title == NULL || *title == '\0'))
        title = _("Untitled");
      when = _tidings_format_relative_time (tidings_article_item_get_date (self->item),
                                            g_get_real_time ());
    }

  /* Feed name and time share the first line; the time keeps its width. */
  self->time_layout = new_caption_layout (self, when != NULL ? when : "");
  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (self->time_layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (self->time_layout, &time_width, NULL);

  self->feed_layout = new_caption_layout (self, feed != NULL ? feed : "");
  pango_layout_set_ellipsize (self->feed_layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (self->feed_layout,
                          MAX (0, width - time_width - SPACING - icon_size (self) - ICON_SPACING)
                          * PANGO_SCALE);

  self->title_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                       title != NULL ? title : "");
  if (item_is_unread (self))
    {
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (self->title_layout, attrs);
      pango_attr_list_unref (attrs);
    }
  pango_layout_set_single_paragraph_mode (self->title_layout, TRUE);
  pango_layout_set_wrap (self->title_layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize (self->title_layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (self->title_layout, width * PANGO_SCALE);
  pango_layout_set_height (self->title_layout, -(TEXT_LINES - 1));
  title_lines = MAX (1, pango_layout_get_line_count (self->title_layout));

  if (excerpt != NULL && *excerpt != '\0')
    {
      self->excerpt_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), excerpt);
      pango_layout_set_single_paragraph_mode (self->excerpt_layout, TRUE);
      pango_layout_set_wrap (self->excerpt_layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_ellipsize (self->excerpt_layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_width (self->excerpt_layout, width * PANGO_SCALE);
      pango_layout_set_height (self->excerpt_layout, -(TEXT_LINES - title_lines));
    }
}

/* The text changed: lay it out again when next drawn. */
static void
text_changed (TidingsArticleListRow *self)
{
  clear_layouts (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_accessible_label (TidingsArticleListRow *self)
{
  g_autofree char *label = NULL;
  const char *title;
  const char *feed;

  if (self->item == NULL || !tidings_article_item_get_loaded (self->item))
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }

  title = tidings_article_item_get_title (self->item);
  feed = tidings_article_item_get_feed_title (self->item);
  /* Translators: an article in the list, read by screen readers: its title,
   * then its feed */
  label = g_strdup_printf (_("%s, %s"),
                           title != NULL && *title != '\0' ? title : _("Untitled"),
                           feed != NULL ? feed : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
update_read (TidingsArticleListRow *self)
{
  gboolean unread = item_is_unread (self);

  gtk_widget_set_opacity (self->unread_dot, unread ? 1.0 : 0.0);
  if (unread)
    gtk_widget_add_css_class (GTK_WIDGET (self), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unread");
  /* The title is bold while unread. */
  text_changed (self);
}

static gboolean
item_is_starred (TidingsArticleListRow *self)
{
  return self->item != NULL && tidings_article_item_get_starred (self->item);
}

static void
update_starred (TidingsArticleListRow *self)
{
  gboolean starred = item_is_starred (self);

  /* Redrawn only on a change: the list binds rows by the hundred. */
  if (starred == self->shown_starred)
    return;
  self->shown_starred = starred;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_all (TidingsArticleListRow *self)
{
  update_accessible_label (self);
  /* Lays the text out again and redraws, the star with it. */
  update_read (self);
  update_starred (self);
}

static void
item_notify_cb (TidingsArticleListRow *self,
                GParamSpec            *pspec,
                TidingsArticleItem    *item)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "read"))
    update_read (self);
  else if (g_str_equal (name, "starred"))
    update_starred (self);
  else
    update_all (self);
}

/* ---- The star ---- */

static gboolean
item_is_loaded (TidingsArticleListRow *self)
{
  return self->item != NULL && tidings_article_item_get_loaded (self->item);
}

static graphene_rect_t
star_bounds (TidingsArticleListRow *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  graphene_rect_t bounds;

  graphene_rect_init (&bounds, width - STAR_SIZE, (height - STAR_SIZE) / 2, STAR_SIZE, STAR_SIZE);
  return bounds;
}

/* A starred row says so with its filled star; an outline star on every
 * other row would be noise, so theirs shows only under the pointer. */
static gboolean
star_shown (TidingsArticleListRow *self)
{
  return item_is_loaded (self)
         && (item_is_starred (self)
             || (gtk_widget_get_state_flags (GTK_WIDGET (self)) & GTK_STATE_FLAG_PRELIGHT) != 0);
}

static gboolean
over_star (TidingsArticleListRow *self,
           double                 x,
           double                 y)
{
  graphene_rect_t bounds = star_bounds (self);

  return item_is_loaded (self)
         && graphene_rect_contains_point (&bounds, &GRAPHENE_POINT_INIT ((float) x, (float) y));
}

/* A click on the star stars or unstars without selecting the row: the
 * gesture claims the press before the list item's own click sees it. */
static void
star_pressed_cb (GtkGestureClick       *gesture,
                 int                    n_press,
                 double                 x,
                 double                 y,
                 TidingsArticleListRow *self)
{
  if (!over_star (self, x, y))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (n_press == 1)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.set-starred", "(xb)",
                                tidings_article_item_get_id (self->item),
                                !item_is_starred (self));
}

/* The tooltip is asked for when shown: setting one on every bound row
 * would ask the X server where the pointer is, row after row. */
static gboolean
tidings_article_list_row_query_tooltip (GtkWidget  *widget,
                                        int         x,
                                        int         y,
                                        gboolean    keyboard,
                                        GtkTooltip *tooltip)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (widget);
  graphene_rect_t bounds = star_bounds (self);

  if (keyboard || !over_star (self, x, y))
    return FALSE;

  gtk_tooltip_set_text (tooltip, item_is_starred (self) ? _("Unstar") : _("Star"));
  gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) { (int) bounds.origin.x,
                                                       (int) bounds.origin.y,
                                                       STAR_SIZE, STAR_SIZE });
  return TRUE;
}

static void
tidings_article_list_row_state_flags_changed (GtkWidget     *widget,
                                              GtkStateFlags  previous)
{
  GtkStateFlags now = gtk_widget_get_state_flags (widget);

  GTK_WIDGET_CLASS (tidings_article_list_row_parent_class)->state_flags_changed (widget,
                                                                                  previous);
  if ((now ^ previous) & GTK_STATE_FLAG_PRELIGHT)
    gtk_widget_queue_draw (widget);
}

static void
snapshot_star (TidingsArticleListRow *self,
               GtkSnapshot           *snapshot,
               const GdkRGBA         *color)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(GtkIconPaintable) icon = NULL;
  graphene_rect_t bounds = star_bounds (self);
  GdkRGBA colors[4] = { *color, *color, *color, *color };

  /* The theme keeps the icons it looked up: every row shares these two. */
  icon = gtk_icon_theme_lookup_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (widget)),
                                     item_is_starred (self) ? "starred-symbolic"
                                                            : "non-starred-symbolic",
                                     NULL, STAR_ICON, gtk_widget_get_scale_factor (widget),
                                     gtk_widget_get_direction (widget), 0);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (bounds.origin.x + (STAR_SIZE - STAR_ICON) / 2,
                                                bounds.origin.y + (STAR_SIZE - STAR_ICON) / 2));
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                            STAR_ICON, STAR_ICON, colors, G_N_ELEMENTS (colors));
  gtk_snapshot_restore (snapshot);
}

/* ---- Size, position and drawing ---- */

static void
tidings_article_list_row_measure (GtkWidget      *widget,
                                  GtkOrientation  orientation,
                                  int             for_size,
                                  int            *minimum,
                                  int            *natural,
                                  int            *minimum_baseline,
                                  int            *natural_baseline)
{
  /* The text is taller than the star. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Room for a few characters of text; the list gives the rest. */
      *minimum = DOT_SIZE + SPACING + 48 + SPACING + STAR_SIZE;
      *natural = DOT_SIZE + SPACING + 240 + SPACING + STAR_SIZE;
    }
  else
    {
      const LineHeights *heights = get_line_heights (widget);

      *minimum = *natural = heights->caption + META_SPACING + TEXT_LINES * heights->body;
    }
}

static void
tidings_article_list_row_size_allocate (GtkWidget *widget,
                                        int        width,
                                        int        height,
                                        int        baseline)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (widget);
  int dot_height;

  gtk_widget_measure (self->unread_dot, GTK_ORIENTATION_VERTICAL, -1, &dot_height, NULL,
                      NULL, NULL);
  gtk_widget_size_allocate (self->unread_dot,
                            &(GtkAllocation) { 0, DOT_TOP, DOT_SIZE, MAX (dot_height, DOT_SIZE) },
                            -1);
}

static int
text_column_width (TidingsArticleListRow *self)
{
  int star = item_is_loaded (self) ? STAR_SIZE : 0;

  return MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - DOT_SIZE - 2 * SPACING - star);
}

/* FALSE when the row lies wholly outside what its list view shows. */
static gboolean
is_on_screen (TidingsArticleListRow *self)
{
  GtkWidget *list = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_LIST_VIEW);
  graphene_rect_t bounds;

  if (list == NULL || !gtk_widget_compute_bounds (GTK_WIDGET (self), list, &bounds))
    return TRUE;

  return bounds.origin.y + bounds.size.height > 0
         && bounds.origin.y < gtk_widget_get_height (list);
}

static void
get_color (GtkWidget *widget,
           GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

/* The feed's icon at the start of the caption line, centred on it; the
 * snapshot is left translated past it. Shared textures, no widget. */
static void
snapshot_icon (TidingsArticleListRow *self,
               GtkSnapshot           *snapshot,
               int                    line_height,
               const GdkRGBA         *dim)
{
  static GtkIconPaintable *fallback;
  static int fallback_size;
  static int fallback_scale;
  int size = icon_size (self);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  GdkTexture *texture = NULL;
  float y = (float) (line_height - size) / 2;
  gboolean loaded = self->item != NULL && tidings_article_item_get_loaded (self->item);

  if (self->icon_cache != NULL && loaded)
    texture = tidings_icon_cache_lookup (self->icon_cache,
                                         tidings_article_item_get_subscription_id (self->item));
  g_set_object (&self->drawn_icon, texture);

  /* A row waiting for its page keeps the place, empty like its text. */
  if (texture != NULL)
    {
      /* Wider or taller icons keep their shape inside the square. */
      float w = gdk_texture_get_width (texture);
      float h = gdk_texture_get_height (texture);
      float ratio = size / MAX (w, h);

      gtk_snapshot_append_texture (snapshot, texture,
                                   &GRAPHENE_RECT_INIT ((size - w * ratio) / 2,
                                                        y + (size - h * ratio) / 2,
                                                        w * ratio, h * ratio));
    }
  else if (loaded)
    {
      if (fallback == NULL || fallback_size != size || fallback_scale != scale)
        {
          GtkIconTheme *theme =
            gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));

          g_clear_object (&fallback);
          fallback = gtk_icon_theme_lookup_icon (theme, tidings_icon_cache_get_fallback_name (),
                                                 NULL, size, scale, GTK_TEXT_DIR_NONE, 0);
          fallback_size = size;
          fallback_scale = scale;
        }
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, y));
      gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (fallback), snapshot,
                                                size, size, dim, 1);
      gtk_snapshot_restore (snapshot);
    }
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (size + ICON_SPACING, 0));
}

static void
tidings_article_list_row_snapshot (GtkWidget   *widget,
                                   GtkSnapshot *snapshot)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (widget);
  const LineHeights *heights;
  GdkRGBA color;
  GdkRGBA dim;
  int width;
  int time_width;
  int title_height;

  gtk_widget_snapshot_child (widget, self->unread_dot, snapshot);

  self->culled = !is_on_screen (self);
  if (self->culled)
    return;

  width = text_column_width (self);
  ensure_layouts (self, width);
  heights = get_line_heights (widget);
  get_color (widget, &color);
  dim = color;
  dim.alpha *= DIM_ALPHA;

  if (star_shown (self))
    snapshot_star (self, snapshot, item_is_starred (self) ? &color : &dim);

  gtk_snapshot_push_clip (snapshot,
                          &GRAPHENE_RECT_INIT (DOT_SIZE + SPACING, 0, width,
                                               gtk_widget_get_height (widget)));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (DOT_SIZE + SPACING, 0));

  pango_layout_get_pixel_size (self->time_layout, &time_width, NULL);
  gtk_snapshot_save (snapshot);
  snapshot_icon (self, snapshot, heights->caption, &dim);
  gtk_snapshot_append_layout (snapshot, self->feed_layout, &dim);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (width - time_width, 0));
  gtk_snapshot_append_layout (snapshot, self->time_layout, &dim);
  gtk_snapshot_restore (snapshot);

  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (0, heights->caption + META_SPACING));
  gtk_snapshot_append_layout (snapshot, self->title_layout, &color);

  if (self->excerpt_layout != NULL)
    {
      title_height = MAX (1, pango_layout_get_line_count (self->title_layout)) * heights->body;
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, title_height));
      gtk_snapshot_append_layout (snapshot, self->excerpt_layout, &dim);
    }

  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

/* A row skipped while off screen is drawn once the list may show it. */
static void
adjustment_changed_cb (TidingsArticleListRow *self)
{
  if (self->culled)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Icons came in: drawn again only when this row's changed. */
static void
icon_changed_cb (TidingsArticleListRow *self)
{
  if (self->item != NULL && !self->culled && tidings_article_item_get_loaded (self->item)
      && tidings_icon_cache_lookup (self->icon_cache,
                                    tidings_article_item_get_subscription_id (self->item))
         != self->drawn_icon)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
tidings_article_list_row_map (GtkWidget *widget)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (widget);
  GtkWidget *list = gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_VIEW);
  GtkWidget *window = gtk_widget_get_ancestor (widget, TIDINGS_TYPE_WINDOW);

  GTK_WIDGET_CLASS (tidings_article_list_row_parent_class)->map (widget);

  if (window != NULL)
    {
      self->icon_cache = g_object_ref (_tidings_window_get_icon_cache (TIDINGS_WINDOW (window)));
      g_signal_connect_swapped (self->icon_cache, "changed", G_CALLBACK (icon_changed_cb), self);
    }

  if (list != NULL)
    {
      self->vadjustment = g_object_ref (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list)));
      if (self->vadjustment != NULL)
        {
          g_signal_connect_swapped (self->vadjustment, "value-changed",
                                    G_CALLBACK (adjustment_changed_cb), self);
          g_signal_connect_swapped (self->vadjustment, "changed",
                                    G_CALLBACK (adjustment_changed_cb), self);
        }
    }
}

static void
tidings_article_list_row_unmap (GtkWidget *widget)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (widget);

  if (self->vadjustment != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->vadjustment, adjustment_changed_cb, self);
      g_clear_object (&self->vadjustment);
    }
  if (self->icon_cache != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->icon_cache, icon_changed_cb, self);
      g_clear_object (&self->icon_cache);
    }

  GTK_WIDGET_CLASS (tidings_article_list_row_parent_class)->unmap (widget);
}

/* Fonts and text direction come from the style: lay out again. */
static void
tidings_article_list_row_css_changed (GtkWidget         *widget,
                                      GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (tidings_article_list_row_parent_class)->css_changed (widget, change);
  text_changed (TIDINGS_ARTICLE_LIST_ROW (widget));
}

static void
tidings_article_list_row_dispose (GObject *object)
{
  TidingsArticleListRow *self = TIDINGS_ARTICLE_LIST_ROW (object);

  tidings_article_list_row_set_item (self, NULL);
  clear_layouts (self);
  g_clear_object (&self->drawn_icon);
  g_clear_pointer (&self->unread_dot, gtk_widget_unparent);

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

  widget_class->measure = tidings_article_list_row_measure;
  widget_class->size_allocate = tidings_article_list_row_size_allocate;
  widget_class->snapshot = tidings_article_list_row_snapshot;
  widget_class->map = tidings_article_list_row_map;
  widget_class->unmap = tidings_article_list_row_unmap;
  widget_class->css_changed = tidings_article_list_row_css_changed;
  widget_class->state_flags_changed = tidings_article_list_row_state_flags_changed;
  widget_class->query_tooltip = tidings_article_list_row_query_tooltip;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, TIDINGS_TYPE_ARTICLE_ITEM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "tidings-article-row");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tidings_article_list_row_init (TidingsArticleListRow *self)
{
  GtkGesture *click;

  self->layout_width = -1;

  self->unread_dot = g_object_new (GTK_TYPE_BOX,
                                   "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                   "css-classes", (const char *[]) { "unread-dot", NULL },
                                   NULL);
  gtk_widget_set_parent (self->unread_dot, GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (star_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
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
tidings_article_list_row_set_item (TidingsArticleListRow *self,
                                   TidingsArticleItem    *item)
{
  g_return_if_fail (TIDINGS_IS_ARTICLE_LIST_ROW (self));
  g_return_if_fail (item == NULL || TIDINGS_IS_ARTICLE_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, item_notify_cb, self);
  g_set_object (&self->item, item);

  if (item != NULL)
    g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb), self,
                             G_CONNECT_SWAPPED);
  if (self->unread_dot != NULL)
    update_all (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}
