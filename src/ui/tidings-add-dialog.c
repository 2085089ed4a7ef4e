/* tidings-add-dialog.c: subscribing from the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One window, three steps that show in place: the address, the feeds found
 * behind it (a choice only when there are several), then subscribing. The
 * header's main button says what Enter does next: "Find Feeds", then
 * "Subscribe". Editing the address goes back to the first step.
 */

#define G_LOG_DOMAIN "tidings-add-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tidings-add-dialog.h"

/* TidingsSidebarKind's value for a user's section (tidings-sidebar-model.h);
 * the items are read through their properties only. */
#define SIDEBAR_KIND_SECTION 4

typedef enum
{
  STATE_EDITING,
  STATE_FINDING,
  STATE_CHOOSING,
  STATE_SUBSCRIBING,
} State;

struct _TidingsAddDialog
{
  AdwWindow parent_instance;

  TidingsLibrary *library;
  GListModel     *sections;
  GArray         *section_ids;     /* gint64 per row of section_list; 0 is "No section" */
  gint64          wanted_section;
  GCancellable   *cancellable;
  GPtrArray      *feeds;           /* TidingsFeedLink found for the address */
  GPtrArray      *feed_checks;     /* GtkCheckButton per feed, same order */
  GPtrArray      *feed_rows;
  State           state;
  gboolean        disposed;        /* a late answer finds no widgets to fill */

  GtkButton            *action_button;
  GtkSpinner           *spinner;
  AdwEntryRow          *address_row;
  GtkLabel             *message_label;
  AdwPreferencesGroup  *feeds_group;
  AdwPreferencesGroup  *section_group;
  AdwComboRow          *section_row;
  GtkStringList        *section_list;
};

G_DEFINE_FINAL_TYPE (TidingsAddDialog, tidings_add_dialog, ADW_TYPE_WINDOW)

enum {
  SUBSCRIBED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What a person types or a desktop hands over, as an http(s) address:
 * "example.org" gets https://, "feed://host/x" is the http one and
 * "feed:https://host/x" the address it wraps. NULL for nothing at all. */
static char *
normalize_address (const char *text)
{
  g_autofree char *address = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *rest = address;

  /* A link can wrap "feed:" around an address any number of times: unwrap
   * in a loop, since a copy per level made a long chain exhaust memory. */
  while (g_ascii_strncasecmp (rest, "feed:", 5) == 0)
    {
      rest += 5;
      if (g_str_has_prefix (rest, "//"))
        return g_strconcat ("http:", rest, NULL);
      while (g_ascii_isspace (*rest))
        rest++;
    }
  if (rest[0] == '\0')
    return NULL;
  if (strstr (rest, "://") == NULL)
    return g_strconcat ("https://", rest, NULL);
  return g_strdup (rest);
}

static void
show_message (TidingsAddDialog *self,
              const char       *message,
              gboolean          is_error)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  if (is_error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
}

static void
set_state (TidingsAddDialog *self,
           State             state)
{
  gboolean busy = state == STATE_FINDING || state == STATE_SUBSCRIBING;
  g_autofree char *address = normalize_address (gtk_editable_get_text (GTK_EDITABLE (self->address_row)));

  self->state = state;

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);

  if (state == STATE_CHOOSING || state == STATE_SUBSCRIBING)
    gtk_button_set_label (self->action_button, _("_Subscribe"));
  else
    gtk_button_set_label (self->action_button, _("_Find Feeds"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), !busy && address != NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->feeds_group), state != STATE_SUBSCRIBING);
  gtk_widget_set_sensitive (GTK_WIDGET (self->section_group), state != STATE_SUBSCRIBING);
  gtk_widget_set_visible (GTK_WIDGET (self->feeds_group),
                          state == STATE_CHOOSING || state == STATE_SUBSCRIBING);
}

static void
cancel_pending (TidingsAddDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
clear_feeds (TidingsAddDialog *self)
{
  for (guint i = 0; i < self->feed_rows->len; i++)
    adw_preferences_group_remove (self->feeds_group, self->feed_rows->pdata[i]);
  g_ptr_array_set_size (self->feed_rows, 0);
  g_ptr_array_set_size (self->feed_checks, 0);
  g_clear_pointer (&self->feeds, g_ptr_array_unref);
}

static void
show_feeds (TidingsAddDialog *self,
            GPtrArray        *feeds)
{
  GtkCheckButton *group = NULL;

  clear_feeds (self);
  self->feeds = g_ptr_array_ref (feeds);

  for (guint i = 0; i < feeds->len; i++)
    {
      const TidingsFeedLink *link = feeds->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      const char *title = link->title != NULL && link->title[0] != '\0' ? link->title : link->url;

      /* Titles come from the site: plain text, not markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), link->url);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      if (group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      else
        group = GTK_CHECK_BUTTON (check);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), i == 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      /* One feed is no choice: show it, without a radio button. */
      gtk_widget_set_visible (check, feeds->len > 1);

      adw_preferences_group_add (self->feeds_group, row);
      g_ptr_array_add (self->feed_rows, row);
      g_ptr_array_add (self->feed_checks, check);
    }

  if (feeds->len == 1)
    adw_preferences_group_set_description (self->feeds_group,
                                           _("Subscribe to this feed?"));
  else
    {
      g_autofree char *description =
        g_strdup_printf (ngettext ("This site offers %u feed. Choose one.",
                                   "This site offers %u feeds. Choose one.", feeds->len),
                         feeds->len);
      adw_preferences_group_set_description (self->feeds_group, description);
    }
}

static void
discover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TidingsAddDialog) self = user_data;
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(GError) error = NULL;

  feeds = tidings_library_discover_finish (TIDINGS_LIBRARY (source), result, &error);
  if (self->disposed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (feeds == NULL || feeds->len == 0)
    {
      set_state (self, STATE_EDITING);
      show_message (self, error != NULL ? error->message : _("No feed was found at this address."),
                    TRUE);
      return;
    }

  g_debug ("Found %u feeds", feeds->len);
  show_message (self, NULL, FALSE);
  show_feeds (self, feeds);
  set_state (self, STATE_CHOOSING);
}

static void
find_feeds (TidingsAddDialog *self)
{
  g_autofree char *address = normalize_address (gtk_editable_get_text (GTK_EDITABLE (self->address_row)));

  if (address == NULL)
    return;

  cancel_pending (self);
  clear_feeds (self);

  if (self->library == NULL)
    {
      show_message (self, _("There is no library to add the feed to."), TRUE);
      return;
    }

  show_message (self, NULL, FALSE);
  self->cancellable = g_cancellable_new ();
  set_state (self, STATE_FINDING);
  tidings_library_discover_async (self->library, address, self->cancellable, discover_cb,
                                  g_object_ref (self));
}

static void
subscribe_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TidingsAddDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = tidings_library_subscribe_finish (TIDINGS_LIBRARY (source), result, &error);
  if (self->disposed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS))
    {
      set_state (self, STATE_CHOOSING);
      show_message (self, _("You already follow this feed: it is in the sidebar."), FALSE);
      return;
    }
  if (error != NULL)
    {
      set_state (self, STATE_CHOOSING);
      show_message (self, error->message, TRUE);
      return;
    }

  g_debug ("Subscribed, id %" G_GINT64_FORMAT, id);
  g_signal_emit (self, signals[SUBSCRIBED], 0, id);
  gtk_window_close (GTK_WINDOW (self));
}

static gint64
selected_section (TidingsAddDialog *self)
{
  guint index = adw_combo_row_get_selected (self->section_row);

  if (index == GTK_INVALID_LIST_POSITION || index >= self->section_ids->len)
    return 0;
  return g_array_index (self->section_ids, gint64, index);
}

static void
subscribe (TidingsAddDialog *self)
{
  const TidingsFeedLink *link = NULL;

  g_assert (self->feeds != NULL);

  for (guint i = 0; i < self->feed_checks->len; i++)
    if (gtk_check_button_get_active (self->feed_checks->pdata[i]))
      link = self->feeds->pdata[i];
  if (link == NULL || self->library == NULL)
    return;

  cancel_pending (self);
  show_message (self, NULL, FALSE);
  self->cancellable = g_cancellable_new ();
  set_state (self, STATE_SUBSCRIBING);
  tidings_library_subscribe_async (self->library, link->url, link->title, selected_section (self),
                                   self->cancellable, subscribe_cb, g_object_ref (self));
}

static void
on_action_clicked (TidingsAddDialog *self)
{
  switch (self->state)
    {
    case STATE_EDITING:
      find_feeds (self);
      break;
    case STATE_CHOOSING:
      subscribe (self);
      break;
    case STATE_FINDING:
    case STATE_SUBSCRIBING:
    default:
      break;
    }
}

static void
on_address_changed (TidingsAddDialog *self)
{
  /* A new address: what was found for the old one no longer holds. */
  if (self->state != STATE_EDITING)
    {
      cancel_pending (self);
      clear_feeds (self);
    }
  show_message (self, NULL, FALSE);
  set_state (self, STATE_EDITING);
}

/* Sections */

static void
add_sections (TidingsAddDialog *self,
              GListModel       *model,
              const char       *parent_title)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autoptr(GListModel) children = NULL;
      g_autofree char *title = NULL;
      g_autofree char *label = NULL;
      gint64 id = 0;
      int kind = -1;

      g_object_get (item, "kind", &kind, NULL);
      if (kind != SIDEBAR_KIND_SECTION)
        continue;
      g_object_get (item, "id", &id, "title", &title, "children", &children, NULL);
      if (title == NULL)
        title = g_strdup ("");
      /* A child section reads as its path. */
      label = parent_title != NULL ? g_strdup_printf ("%s / %s", parent_title, title)
                                   : g_strdup (title);
      gtk_string_list_append (self->section_list, label);
      g_array_append_val (self->section_ids, id);
      if (children != NULL)
        add_sections (self, children, label);
    }
}

static void
rebuild_sections (TidingsAddDialog *self)
{
  gint64 wanted = self->wanted_section;
  gint64 none = 0;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->section_list));
  guint select = 0;

  gtk_string_list_splice (self->section_list, 0, n_old, NULL);
  g_array_set_size (self->section_ids, 0);

  gtk_string_list_append (self->section_list, _("No section"));
  g_array_append_val (self->section_ids, none);
  if (self->sections != NULL)
    add_sections (self, self->sections, NULL);

  for (guint i = 0; i < self->section_ids->len; i++)
    if (g_array_index (self->section_ids, gint64, i) == wanted)
      select = i;
  adw_combo_row_set_selected (self->section_row, select);
  self->wanted_section = wanted;

  gtk_widget_set_visible (GTK_WIDGET (self->section_group), self->section_ids->len > 1);
}

static void
on_sections_changed (GListModel       *model,
                     guint             position,
                     guint             removed,
                     guint             added,
                     TidingsAddDialog *self)
{
  rebuild_sections (self);
}

static void
on_section_selected (TidingsAddDialog *self)
{
  guint index = adw_combo_row_get_selected (self->section_row);

  if (index != GTK_INVALID_LIST_POSITION && index < self->section_ids->len)
    self->wanted_section = g_array_index (self->section_ids, gint64, index);
}

void
tidings_add_dialog_set_section (TidingsAddDialog *self,
                                gint64            section_id)
{
  g_return_if_fail (TIDINGS_IS_ADD_DIALOG (self));

  for (guint i = 0; i < self->section_ids->len; i++)
    if (g_array_index (self->section_ids, gint64, i) == section_id)
      {
        adw_combo_row_set_selected (self->section_row, i);
        break;
      }
  self->wanted_section = section_id;
}

void
tidings_add_dialog_set_url (TidingsAddDialog *self,
                            const char       *url)
{
  g_autofree char *address = NULL;

  g_return_if_fail (TIDINGS_IS_ADD_DIALOG (self));

  address = normalize_address (url);
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address != NULL ? address : "");
  if (address != NULL && self->library != NULL)
    find_feeds (self);
}

static gboolean
tidings_add_dialog_close_request (GtkWindow *window)
{
  TidingsAddDialog *self = TIDINGS_ADD_DIALOG (window);

  cancel_pending (self);
  return FALSE;
}

static void
tidings_add_dialog_dispose (GObject *object)
{
  TidingsAddDialog *self = TIDINGS_ADD_DIALOG (object);

  self->disposed = TRUE;
  cancel_pending (self);
  if (self->sections != NULL)
    g_signal_handlers_disconnect_by_func (self->sections, on_sections_changed, self);
  g_clear_object (&self->sections);
  g_clear_object (&self->library);
  g_clear_pointer (&self->feeds, g_ptr_array_unref);

  G_OBJECT_CLASS (tidings_add_dialog_parent_class)->dispose (object);
}

static void
tidings_add_dialog_finalize (GObject *object)
{
  TidingsAddDialog *self = TIDINGS_ADD_DIALOG (object);

  g_array_unref (self->section_ids);
  g_ptr_array_unref (self->feed_checks);
  g_ptr_array_unref (self->feed_rows);

  G_OBJECT_CLASS (tidings_add_dialog_parent_class)->finalize (object);
}

static void
tidings_add_dialog_class_init (TidingsAddDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tidings_add_dialog_dispose;
  object_class->finalize = tidings_add_dialog_finalize;
  window_class->close_request = tidings_add_dialog_close_request;

  signals[SUBSCRIBED] =
    g_signal_new ("subscribed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "tidings-add-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, action_button);
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, feeds_group);
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, section_group);
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, section_row);
  gtk_widget_class_bind_template_child (widget_class, TidingsAddDialog, section_list);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tidings_add_dialog_init (TidingsAddDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->section_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->feed_checks = g_ptr_array_new ();
  self->feed_rows = g_ptr_array_new ();

  g_signal_connect_swapped (self->action_button, "clicked",
                            G_CALLBACK (on_action_clicked), self);
  g_signal_connect_swapped (self->address_row, "changed",
                            G_CALLBACK (on_address_changed), self);
  g_signal_connect_swapped (self->section_row, "notify::selected",
                            G_CALLBACK (on_section_selected), self);

  rebuild_sections (self);
  set_state (self, STATE_EDITING);
}

TidingsAddDialog *
tidings_add_dialog_new (GtkWindow      *parent,
                        TidingsLibrary *library,
                        GListModel     *sections)
{
  TidingsAddDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (library == NULL || TIDINGS_IS_LIBRARY (library), NULL);
  g_return_val_if_fail (sections == NULL || G_IS_LIST_MODEL (sections), NULL);

  self = g_object_new (TIDINGS_TYPE_ADD_DIALOG, "transient-for", parent, NULL);
  g_set_object (&self->library, library);
  if (sections != NULL)
    {
      self->sections = g_object_ref (sections);
      g_signal_connect_object (sections, "items-changed", G_CALLBACK (on_sections_changed), self,
                               0);
      rebuild_sections (self);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
  return self;
}
