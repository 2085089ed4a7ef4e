/* tidings-preferences.c: the preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "tidings-preferences.h"
#include "tidings-shortcuts.h"

/* TidingsSidebarKind's value for a user's section (tidings-sidebar-model.h);
 * the items are read through their properties only. */
#define SIDEBAR_KIND_SECTION 4

struct _TidingsPreferences
{
  AdwPreferencesWindow parent_instance;

  GSettings  *settings;
  GListModel *sections;
  GPtrArray  *section_rows;      /* AdwActionRow added to sections_row */
  GPtrArray  *bound;             /* object, property name, ... bound to settings */
  gboolean    updating_sections; /* while the checks follow the setting */

  GtkSwitch     *mark_read_switch;
  AdwActionRow  *mark_read_delay_row;
  GtkSpinButton *mark_read_delay_spin;
  GtkSwitch     *load_images_switch;
  GtkSpinButton *font_size_spin;
  AdwComboRow   *sort_row;
  GtkSwitch     *unread_only_switch;
  AdwComboRow   *interval_row;
  GtkStringList *interval_list;
  GtkSwitch     *refresh_on_start_switch;
  GtkSwitch     *notifications_switch;
  GtkSwitch     *feed_icons_switch;
  AdwExpanderRow *sections_row;
  GtkSpinButton *retention_days_spin;
  GtkSpinButton *retention_count_spin;
  AdwComboRow   *keymap_row;
  AdwActionRow  *shortcuts_row;
};

G_DEFINE_FINAL_TYPE (TidingsPreferences, tidings_preferences, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The refresh intervals offered, in minutes (the key allows 5 to 1440). */
static const int intervals[] = { 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440 };

static char *
interval_label (int minutes)
{
  if (minutes == 1440)
    return g_strdup (_("Once a day"));
  if (minutes == 60)
    return g_strdup (_("Every hour"));
  if (minutes % 60 == 0)
    return g_strdup_printf (ngettext ("Every %d hour", "Every %d hours", minutes / 60),
                            minutes / 60);
  return g_strdup_printf (ngettext ("Every %d minute", "Every %d minutes", minutes), minutes);
}

/* A value set elsewhere (gsettings, an older version) shows as the nearest
 * choice. */
static gboolean
interval_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  int minutes = g_variant_get_int32 (variant);
  guint best = 0;

  for (guint i = 1; i < G_N_ELEMENTS (intervals); i++)
    if (ABS (intervals[i] - minutes) < ABS (intervals[best] - minutes))
      best = i;
  g_value_set_uint (value, best);
  return TRUE;
}

static GVariant *
interval_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  if (index >= G_N_ELEMENTS (intervals))
    return NULL;
  return g_variant_new_int32 (intervals[index]);
}

static gboolean
bool_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_value_set_uint (value, g_variant_get_boolean (variant) ? 1 : 0);
  return TRUE;
}

static GVariant *
bool_set_mapping (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  if (index > 1)
    return NULL;
  return g_variant_new_boolean (index == 1);
}

static gboolean
keymap_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_uint (value, tidings_keymap_from_string (g_variant_get_string (variant, NULL)));
  return TRUE;
}

static GVariant *
keymap_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  if (index > TIDINGS_KEYMAP_LIFEREA)
    return NULL;
  return g_variant_new_string (tidings_keymap_to_string (index));
}

static void
update_keymap_subtitle (TidingsPreferences *self)
{
  const char *subtitle;

  switch (adw_combo_row_get_selected (self->keymap_row))
    {
    case TIDINGS_KEYMAP_VIM:
      subtitle = _("Tidings’ keys, plus h and l between panes, g g and G for the first and "
                   "last article, Ctrl+D and Ctrl+U for half pages");
      break;
    case TIDINGS_KEYMAP_LIFEREA:
      subtitle = _("F and B for the next and previous article, Ctrl+N for the next unread, "
                   "Ctrl+T to star, Ctrl+M for read, Ctrl+D for the browser, Ctrl+U to "
                   "refresh");
      break;
    case TIDINGS_KEYMAP_TIDINGS:
    default:
      subtitle = _("J and K for the next and previous article, N and P for unread ones, "
                   "S to star, M for read, G then A, U, S or T to go to a list");
      break;
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->keymap_row), subtitle);
}

static void
on_keymap_selected (TidingsPreferences *self)
{
  update_keymap_subtitle (self);
}

static void
on_shortcuts_row_activated (TidingsPreferences *self)
{
  TidingsKeymap keymap = adw_combo_row_get_selected (self->keymap_row);
  GtkWindow *window = tidings_shortcuts_window_new (keymap);

  gtk_window_set_transient_for (window, GTK_WINDOW (self));
  gtk_window_present (window);
}

/* Spin buttons whose 0 means "no limit" show it in words. */
static gboolean
on_spin_output (GtkSpinButton *spin,
                gpointer       user_data)
{
  const char *zero_label = user_data;
  int value = (int) gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = NULL;

  if (value == 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (spin), _(zero_label));
      return TRUE;
    }
  text = g_strdup_printf ("%d", value);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static int
on_spin_input (GtkSpinButton *spin,
               double        *new_value,
               gpointer       user_data)
{
  const char *zero_label = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  g_autofree char *folded_text = g_utf8_casefold (text, -1);
  g_autofree char *folded_zero = g_utf8_casefold (_(zero_label), -1);
  char *end = NULL;
  gint64 value;

  if (g_strcmp0 (g_strstrip (folded_text), folded_zero) == 0)
    {
      *new_value = 0;
      return TRUE;
    }
  value = g_ascii_strtoll (text, &end, 10);
  if (end == text || *g_strchug (end) != '\0')
    return GTK_INPUT_ERROR;
  *new_value = value;
  return TRUE;
}

static void
setup_zero_label (GtkSpinButton *spin,
                  const char    *zero_label)
{
  g_signal_connect (spin, "output", G_CALLBACK (on_spin_output), (gpointer) zero_label);
  g_signal_connect (spin, "input", G_CALLBACK (on_spin_input), (gpointer) zero_label);
}

/* Notifications by section */

static gboolean
section_is_chosen (GVariant *chosen,
                   gint64    id)
{
  gsize n = 0;
  const gint64 *ids = g_variant_get_fixed_array (chosen, &n, sizeof (gint64));

  for (gsize i = 0; i < n; i++)
    if (ids[i] == id)
      return TRUE;
  return FALSE;
}

static void
update_sections_subtitle (TidingsPreferences *self,
                          GVariant           *chosen)
{
  gsize n = g_variant_n_children (chosen);
  g_autofree char *subtitle = NULL;

  if (n == 0)
    subtitle = g_strdup (_("New articles in every section"));
  else
    subtitle = g_strdup_printf (ngettext ("New articles in %u chosen section",
                                          "New articles in %u chosen sections", n),
                                (guint) n);
  adw_expander_row_set_subtitle (self->sections_row, subtitle);
}

static void
sync_section_checks (TidingsPreferences *self)
{
  g_autoptr(GVariant) chosen = NULL;

  if (self->section_rows == NULL)
    return;
  chosen = g_settings_get_value (self->settings, "notify-sections");
  self->updating_sections = TRUE;
  for (guint i = 0; i < self->section_rows->len; i++)
    {
      GtkWidget *row = self->section_rows->pdata[i];
      GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");
      gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (row), "section-id");

      gtk_check_button_set_active (check, section_is_chosen (chosen, id));
    }
  self->updating_sections = FALSE;
  update_sections_subtitle (self, chosen);
}

static void
on_section_toggled (GtkCheckButton     *check,
                    TidingsPreferences *self)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (self->updating_sections || self->section_rows == NULL)
    return;

  /* The setting is exactly the checked rows: checking none means every
   * section again. */
  for (guint i = 0; i < self->section_rows->len; i++)
    {
      GtkWidget *row = self->section_rows->pdata[i];
      GtkCheckButton *row_check = g_object_get_data (G_OBJECT (row), "check");

      if (gtk_check_button_get_active (row_check))
        g_array_append_val (ids, *(gint64 *) g_object_get_data (G_OBJECT (row), "section-id"));
    }
  g_settings_set_value (self->settings, "notify-sections",
                        g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids->data, ids->len,
                                                   sizeof (gint64)));
}

static void
on_notify_sections_changed (GSettings          *settings,
                            const char         *key,
                            TidingsPreferences *self)
{
  sync_section_checks (self);
}

static void
add_section_row (TidingsPreferences *self,
                 GObject            *item,
                 const char         *parent_title)
{
  g_autofree char *title = NULL;
  gint64 id = 0;
  GtkWidget *row;
  GtkWidget *check;

  g_object_get (item, "id", &id, "title", &title, NULL);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : "");
  if (parent_title != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), parent_title);
  check = gtk_check_button_new ();
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data_full (G_OBJECT (row), "section-id", g_memdup2 (&id, sizeof id), g_free);
  g_signal_connect (check, "toggled", G_CALLBACK (on_section_toggled), self);

  adw_expander_row_add_row (self->sections_row, row);
  g_ptr_array_add (self->section_rows, row);
}

static void
add_sections (TidingsPreferences *self,
              GListModel         *model,
              const char         *parent_title)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autoptr(GListModel) children = NULL;
      g_autofree char *title = NULL;
      int kind = -1;

      g_object_get (item, "kind", &kind, NULL);
      if (kind != SIDEBAR_KIND_SECTION)
        continue;
      add_section_row (self, item, parent_title);
      g_object_get (item, "children", &children, "title", &title, NULL);
      if (children != NULL)
        add_sections (self, children, title);
    }
}

static void
rebuild_sections (TidingsPreferences *self)
{
  for (guint i = 0; i < self->section_rows->len; i++)
    adw_expander_row_remove (self->sections_row, self->section_rows->pdata[i]);
  g_ptr_array_set_size (self->section_rows, 0);

  if (self->sections != NULL)
    add_sections (self, self->sections, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sections_row), self->section_rows->len > 0);
  sync_section_checks (self);
}

static void
on_sections_changed (GListModel         *model,
                     guint               position,
                     guint               removed,
                     guint               added,
                     TidingsPreferences *self)
{
  rebuild_sections (self);
}

void
tidings_preferences_set_sections (TidingsPreferences *self,
                                  GListModel         *sections)
{
  g_return_if_fail (TIDINGS_IS_PREFERENCES (self));
  g_return_if_fail (sections == NULL || G_IS_LIST_MODEL (sections));

  if (self->sections == sections)
    return;
  if (self->sections != NULL)
    g_signal_handlers_disconnect_by_func (self->sections, on_sections_changed, self);
  g_set_object (&self->sections, sections);
  if (sections != NULL)
    g_signal_connect_object (sections, "items-changed", G_CALLBACK (on_sections_changed), self,
                             0);
  rebuild_sections (self);
}

/* Bindings are undone when the window goes, not when its rows are
 * finalized: a row that outlives the window must not follow the setting
 * into the window's freed state. */
static void
bind (TidingsPreferences      *self,
      const char              *key,
      gpointer                 object,
      const char              *property,
      GSettingsBindFlags       flags,
      GSettingsBindGetMapping  get_mapping,
      GSettingsBindSetMapping  set_mapping)
{
  if (get_mapping != NULL)
    g_settings_bind_with_mapping (self->settings, key, object, property, flags, get_mapping,
                                  set_mapping, NULL, NULL);
  else
    g_settings_bind (self->settings, key, object, property, flags);
  g_ptr_array_add (self->bound, object);
  g_ptr_array_add (self->bound, (gpointer) property);
}

static void
tidings_preferences_constructed (GObject *object)
{
  TidingsPreferences *self = TIDINGS_PREFERENCES (object);
  GSettings *settings = self->settings;

  G_OBJECT_CLASS (tidings_preferences_parent_class)->constructed (object);

  g_return_if_fail (G_IS_SETTINGS (settings));

  bind (self, "mark-read-on-select", self->mark_read_switch, "active",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "mark-read-on-select", self->mark_read_delay_row, "sensitive",
        G_SETTINGS_BIND_GET, NULL, NULL);
  bind (self, "mark-read-delay", self->mark_read_delay_spin, "value",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "load-images", self->load_images_switch, "active",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "article-font-size", self->font_size_spin, "value",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "sort-oldest-first", self->sort_row, "selected",
        G_SETTINGS_BIND_DEFAULT, bool_get_mapping, bool_set_mapping);
  bind (self, "unread-only", self->unread_only_switch, "active",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);

  bind (self, "refresh-interval", self->interval_row, "selected",
        G_SETTINGS_BIND_DEFAULT, interval_get_mapping, interval_set_mapping);
  bind (self, "refresh-on-start", self->refresh_on_start_switch, "active",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "feed-icons", self->feed_icons_switch, "active",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "notifications", self->notifications_switch, "active",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "notifications", self->sections_row, "sensitive",
        G_SETTINGS_BIND_GET, NULL, NULL);
  g_signal_connect_object (settings, "changed::notify-sections",
                           G_CALLBACK (on_notify_sections_changed), self, 0);

  bind (self, "retention-days", self->retention_days_spin, "value",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);
  bind (self, "retention-count", self->retention_count_spin, "value",
        G_SETTINGS_BIND_DEFAULT, NULL, NULL);

  bind (self, "keymap", self->keymap_row, "selected",
        G_SETTINGS_BIND_DEFAULT, keymap_get_mapping, keymap_set_mapping);
  update_keymap_subtitle (self);
  rebuild_sections (self);
}

static void
tidings_preferences_dispose (GObject *object)
{
  TidingsPreferences *self = TIDINGS_PREFERENCES (object);

  if (self->sections != NULL)
    g_signal_handlers_disconnect_by_func (self->sections, on_sections_changed, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_func (self->settings, on_notify_sections_changed, self);
  for (guint i = 0; self->bound != NULL && i + 1 < self->bound->len; i += 2)
    g_settings_unbind (self->bound->pdata[i], self->bound->pdata[i + 1]);
  g_clear_pointer (&self->bound, g_ptr_array_unref);
  if (self->keymap_row != NULL)
    g_signal_handlers_disconnect_by_data (self->keymap_row, self);
  if (self->shortcuts_row != NULL)
    g_signal_handlers_disconnect_by_data (self->shortcuts_row, self);
  g_clear_object (&self->sections);
  g_clear_pointer (&self->section_rows, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tidings_preferences_parent_class)->dispose (object);
}

static void
tidings_preferences_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TidingsPreferences *self = TIDINGS_PREFERENCES (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_preferences_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TidingsPreferences *self = TIDINGS_PREFERENCES (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tidings_preferences_class_init (TidingsPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tidings_preferences_constructed;
  object_class->dispose = tidings_preferences_dispose;
  object_class->get_property = tidings_preferences_get_property;
  object_class->set_property = tidings_preferences_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "tidings-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, mark_read_switch);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, mark_read_delay_row);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, mark_read_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, load_images_switch);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, font_size_spin);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, sort_row);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, unread_only_switch);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, interval_row);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, interval_list);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences,
                                        refresh_on_start_switch);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, feed_icons_switch);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, sections_row);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, retention_days_spin);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, retention_count_spin);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, keymap_row);
  gtk_widget_class_bind_template_child (widget_class, TidingsPreferences, shortcuts_row);
}

static void
tidings_preferences_init (TidingsPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->section_rows = g_ptr_array_new ();
  self->bound = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (intervals); i++)
    {
      g_autofree char *label = interval_label (intervals[i]);

      gtk_string_list_append (self->interval_list, label);
    }

  setup_zero_label (self->font_size_spin, N_("Default"));
  setup_zero_label (self->retention_days_spin, N_("Forever"));
  setup_zero_label (self->retention_count_spin, N_("No limit"));

  g_signal_connect_swapped (self->keymap_row, "notify::selected",
                            G_CALLBACK (on_keymap_selected), self);
  g_signal_connect_swapped (self->shortcuts_row, "activated",
                            G_CALLBACK (on_shortcuts_row_activated), self);
}

TidingsPreferences *
tidings_preferences_new (GtkWindow *parent,
                         GSettings *settings)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (TIDINGS_TYPE_PREFERENCES,
                       "transient-for", parent,
                       "settings", settings,
                       NULL);
}
