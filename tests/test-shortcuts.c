/* test-shortcuts.c: the keyboard maps, their shortcuts window, and the keys
 * as a window receives them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <gtk/gtk.h>

#include "tidings-shortcuts.h"
#include "tidings-shortcuts-private.h"
#include "tidings-ui-test-utils.h"

/* The actions tidings-shortcuts.h promises the window author, and nothing
 * else. */
static const char * const documented_actions[] = {
  "win.next-article", "win.previous-article",
  "win.next-unread", "win.previous-unread",
  "win.scroll-down", "win.scroll-up",
  "win.half-page-down", "win.half-page-up",
  "win.first-article", "win.last-article",
  "win.focus-left", "win.focus-right",
  "win.open-article", "win.open-in-browser",
  "win.toggle-star", "win.toggle-read", "win.mark-all-read",
  "win.next-feed", "win.previous-feed",
  "win.go-all", "win.go-unread", "win.go-starred", "win.go-today",
  "win.history-back", "win.history-forward",
  "win.refresh-selected", "win.refresh-all",
  "win.search", "win.add-feed",
  "win.zoom-in", "win.zoom-out", "win.zoom-reset",
  "win.toggle-sidebar",
  "app.shortcuts", "app.preferences", "app.quit",
  "window.close",
  NULL
};

static const TidingsKeymap all_keymaps[] = {
  TIDINGS_KEYMAP_TIDINGS, TIDINGS_KEYMAP_VIM, TIDINGS_KEYMAP_LIFEREA,
};

/* A key as the table writes it, in one canonical spelling, so that
 * "<Shift>a", "<shift>A" and "A" compare equal. */
static char *
canonical_key (const char *item)
{
  g_auto(GStrv) parts = g_strsplit (item, "+", -1);
  GString *out = g_string_new (NULL);

  g_assert_cmpuint (g_strv_length (parts), >=, 1);
  g_assert_cmpuint (g_strv_length (parts), <=, 2);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint keyval = 0;
      GdkModifierType mods = 0;
      g_autofree char *name = NULL;

      g_assert_true (gtk_accelerator_parse (parts[i], &keyval, &mods));
      g_assert_cmpuint (keyval, !=, 0);
      if (gdk_keyval_to_lower (keyval) != keyval)
        mods |= GDK_SHIFT_MASK;
      name = gtk_accelerator_name (gdk_keyval_to_lower (keyval), mods);
      if (i > 0)
        g_string_append_c (out, '+');
      g_string_append (out, name);
    }
  return g_string_free (out, FALSE);
}

/* The action @keymap binds to @item ("j", "g+a", "<Control>n"), or NULL. */
static const char *
action_for_key (TidingsKeymap keymap,
                const char   *item)
{
  const TidingsBinding *bindings = tidings_shortcuts_get_bindings (keymap);
  g_autofree char *wanted = canonical_key (item);

  for (guint i = 0; bindings[i].action != NULL; i++)
    {
      g_auto(GStrv) keys = g_strsplit (bindings[i].keys, " ", -1);

      for (guint k = 0; keys[k] != NULL; k++)
        {
          g_autofree char *key = canonical_key (keys[k]);

          if (g_str_equal (key, wanted))
            return bindings[i].action;
        }
    }
  return NULL;
}

static guint
count_bindings (TidingsKeymap keymap)
{
  const TidingsBinding *bindings = tidings_shortcuts_get_bindings (keymap);
  guint n = 0;

  while (bindings[n].action != NULL)
    n++;
  return n;
}

static void
test_table_actions (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (all_keymaps); m++)
    {
      const TidingsBinding *bindings = tidings_shortcuts_get_bindings (all_keymaps[m]);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      g_assert_cmpuint (count_bindings (all_keymaps[m]), >=, 30);
      for (guint i = 0; bindings[i].action != NULL; i++)
        {
          g_assert_true (g_strv_contains (documented_actions, bindings[i].action));
          /* One row per action: its keys are alternatives within it. */
          g_assert_true (g_hash_table_add (seen, (gpointer) bindings[i].action));
          g_assert_nonnull (bindings[i].keys);
          g_assert_cmpstr (bindings[i].keys, !=, "");
          g_assert_nonnull (bindings[i].title);
          g_assert_cmpstr (bindings[i].title, !=, "");
          g_assert_nonnull (bindings[i].section);
          g_assert_cmpstr (bindings[i].section, !=, "");
        }
    }
}

static void
test_table_no_duplicates (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (all_keymaps); m++)
    {
      const TidingsBinding *bindings = tidings_shortcuts_get_bindings (all_keymaps[m]);
      g_autoptr(GHashTable) keys_seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                               g_free, NULL);
      g_autoptr(GHashTable) prefixes = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                              g_free, NULL);
      g_autoptr(GHashTable) singles = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                             g_free, NULL);
      GHashTableIter iter;
      gpointer key;

      for (guint i = 0; bindings[i].action != NULL; i++)
        {
          g_auto(GStrv) keys = g_strsplit (bindings[i].keys, " ", -1);

          for (guint k = 0; keys[k] != NULL; k++)
            {
              char *canonical = canonical_key (keys[k]);
              char *plus = strchr (canonical, '+');

              if (!g_hash_table_add (keys_seen, canonical))
                g_error ("%s binds %s twice", tidings_keymap_to_string (all_keymaps[m]), keys[k]);
              if (plus != NULL)
                g_hash_table_add (prefixes, g_strndup (canonical, plus - canonical));
              else
                g_hash_table_add (singles, g_strdup (canonical));
            }
        }

      /* A key that starts a sequence cannot also be a binding of its own. */
      g_hash_table_iter_init (&iter, prefixes);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_assert_false (g_hash_table_contains (singles, key));
    }
}

static void
test_table_maps (void)
{
  /* The table, for the default map. */
  static const char * const tidings_map[][2] = {
    { "j", "win.next-article" }, { "k", "win.previous-article" },
    { "Down", "win.next-article" }, { "Up", "win.previous-article" },
    { "n", "win.next-unread" }, { "p", "win.previous-unread" },
    { "space", "win.scroll-down" }, { "<Shift>space", "win.scroll-up" },
    { "Return", "win.open-article" }, { "o", "win.open-in-browser" },
    { "s", "win.toggle-star" }, { "m", "win.toggle-read" },
    { "<Shift>a", "win.mark-all-read" },
    { "<Shift>j", "win.next-feed" }, { "<Shift>k", "win.previous-feed" },
    { "g+a", "win.go-all" }, { "g+u", "win.go-unread" },
    { "g+s", "win.go-starred" }, { "g+t", "win.go-today" },
    { "<Alt>Left", "win.history-back" }, { "<Alt>Right", "win.history-forward" },
    { "r", "win.refresh-selected" },
    { "<Control>r", "win.refresh-all" }, { "F5", "win.refresh-all" },
    { "slash", "win.search" }, { "<Control>f", "win.search" },
    { "<Control>n", "win.add-feed" },
    { "<Control>plus", "win.zoom-in" }, { "<Control>minus", "win.zoom-out" },
    { "<Control>0", "win.zoom-reset" },
    { "F9", "win.toggle-sidebar" },
    { "<Control>question", "app.shortcuts" }, { "<Control>comma", "app.preferences" },
    { "<Control>q", "app.quit" }, { "<Control>w", "window.close" },
  };
  static const char * const vim_extra[][2] = {
    { "h", "win.focus-left" }, { "l", "win.focus-right" },
    { "g+g", "win.first-article" }, { "<Shift>g", "win.last-article" },
    { "<Control>d", "win.half-page-down" }, { "<Control>u", "win.half-page-up" },
  };
  static const char * const liferea_map[][2] = {
    { "f", "win.next-article" }, { "b", "win.previous-article" },
    { "<Control>n", "win.next-unread" }, { "<Control>t", "win.toggle-star" },
    { "<Control>m", "win.toggle-read" }, { "<Control>d", "win.open-in-browser" },
    { "<Control>u", "win.refresh-all" },
    { "<Control><Shift>n", "win.add-feed" },
    /* the shared ones stay */
    { "g+a", "win.go-all" }, { "slash", "win.search" }, { "space", "win.scroll-down" },
    { "<Control>q", "app.quit" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tidings_map); i++)
    {
      g_assert_cmpstr (action_for_key (TIDINGS_KEYMAP_TIDINGS, tidings_map[i][0]), ==,
                       tidings_map[i][1]);
      /* Vim keeps all of them. */
      g_assert_cmpstr (action_for_key (TIDINGS_KEYMAP_VIM, tidings_map[i][0]), ==,
                       tidings_map[i][1]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (vim_extra); i++)
    {
      g_assert_cmpstr (action_for_key (TIDINGS_KEYMAP_VIM, vim_extra[i][0]), ==, vim_extra[i][1]);
      g_assert_null (action_for_key (TIDINGS_KEYMAP_TIDINGS, vim_extra[i][0]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (liferea_map); i++)
    g_assert_cmpstr (action_for_key (TIDINGS_KEYMAP_LIFEREA, liferea_map[i][0]), ==,
                     liferea_map[i][1]);
  g_assert_cmpuint (count_bindings (TIDINGS_KEYMAP_VIM), ==,
                    count_bindings (TIDINGS_KEYMAP_TIDINGS) + G_N_ELEMENTS (vim_extra));
}

static void
test_keymap_names (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (all_keymaps); m++)
    g_assert_cmpint (tidings_keymap_from_string (tidings_keymap_to_string (all_keymaps[m])), ==,
                     all_keymaps[m]);
  g_assert_cmpstr (tidings_keymap_to_string (TIDINGS_KEYMAP_VIM), ==, "vim");
  g_assert_cmpint (tidings_keymap_from_string ("emacs"), ==, TIDINGS_KEYMAP_TIDINGS);
  g_assert_cmpint (tidings_keymap_from_string (NULL), ==, TIDINGS_KEYMAP_TIDINGS);
}

static void
test_window_builds (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (all_keymaps); m++)
    {
      const TidingsBinding *bindings = tidings_shortcuts_get_bindings (all_keymaps[m]);
      GtkWindow *window = tidings_shortcuts_window_new (all_keymaps[m]);
      g_autoptr(GPtrArray) sections = g_ptr_array_new ();
      g_autoptr(GPtrArray) found = g_ptr_array_new ();
      g_autoptr(GHashTable) accelerators = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                  g_free, NULL);

      g_assert_true (GTK_IS_SHORTCUTS_WINDOW (window));
      /* The window keeps copies for its search page: count the sections'. */
      tidings_test_collect (GTK_WIDGET (window), GTK_TYPE_SHORTCUTS_SECTION, sections);
      g_assert_cmpuint (sections->len, ==, 2);
      for (guint i = 0; i < sections->len; i++)
        tidings_test_collect (sections->pdata[i], GTK_TYPE_SHORTCUTS_SHORTCUT, found);
      g_assert_cmpuint (found->len, ==, count_bindings (all_keymaps[m]));

      for (guint i = 0; i < found->len; i++)
        {
          g_autofree char *accelerator = NULL;
          g_autofree char *title = NULL;

          g_object_get (found->pdata[i], "accelerator", &accelerator, "title", &title, NULL);
          g_assert_nonnull (title);
          g_hash_table_add (accelerators, g_steal_pointer (&accelerator));
        }
      /* Every binding shows with all its keys, sequences included. */
      for (guint i = 0; bindings[i].action != NULL; i++)
        g_assert_true (g_hash_table_contains (accelerators, bindings[i].keys));

      gtk_window_destroy (window);
    }
}

static void
wait_ms (guint msec);

static void
test_window_screenshots (void)
{
  static const char * const pages[] = { "reading", "feeds" };

  for (guint m = 0; m < G_N_ELEMENTS (all_keymaps); m++)
    {
      GtkWindow *window = tidings_shortcuts_window_new (all_keymaps[m]);

      gtk_window_present (window);
      while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
        g_main_context_iteration (NULL, TRUE);

      for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
        {
          g_autoptr(GPtrArray) switchers = g_ptr_array_new ();
          g_autofree char *name = g_strdup_printf ("shortcuts-%s-%s",
                                                   tidings_keymap_to_string (all_keymaps[m]),
                                                   pages[p]);

          g_object_set (window, "section-name", pages[p], NULL);
          wait_ms (300);
          g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >, 200);
          /* Each page fits in one: GTK shows no page numbers. */
          tidings_test_collect (GTK_WIDGET (window), GTK_TYPE_STACK_SWITCHER, switchers);
          for (guint i = 0; i < switchers->len; i++)
            g_assert_false (gtk_widget_get_mapped (switchers->pdata[i]));
          tidings_test_save_screenshot (GTK_WIDGET (window), name);
        }
      gtk_window_destroy (window);
    }
}

/* A window with the documented actions, counting what fires. */

typedef struct
{
  GtkWindow  *window;
  GtkWidget  *list;
  GtkWidget  *entry;
  GtkWidget  *button;
  GHashTable *fired;      /* action name -> count */
  char       *xid;        /* the X window, for xdotool */
} Fixture;

static void
on_dummy_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  Fixture *fixture = g_object_get_data (G_OBJECT (action), "fixture");
  const char *prefix = user_data;
  g_autofree char *name = g_strconcat (prefix, ".", g_action_get_name (G_ACTION (action)), NULL);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (fixture->fired, name));

  g_hash_table_insert (fixture->fired, g_steal_pointer (&name), GUINT_TO_POINTER (count + 1));
}

static guint
fired (Fixture    *fixture,
       const char *action)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->fired, action));
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (string));
}

static void
wait_ms (guint msec)
{
  gint64 until = g_get_monotonic_time () + msec * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const items[] = { "one", "two", "three", NULL };
  g_autoptr(GSimpleActionGroup) win = g_simple_action_group_new ();
  g_autoptr(GSimpleActionGroup) app = g_simple_action_group_new ();
  GtkListItemFactory *factory;
  GtkSelectionModel *model;
  GtkWidget *box;

  fixture->fired = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; documented_actions[i] != NULL; i++)
    {
      g_autoptr(GSimpleAction) action = NULL;
      const char *dot = strchr (documented_actions[i], '.');
      gboolean is_app = g_str_has_prefix (documented_actions[i], "app.");

      /* window.close is GtkWindow's own. */
      if (g_str_has_prefix (documented_actions[i], "window."))
        continue;
      action = g_simple_action_new (dot + 1, NULL);
      g_object_set_data (G_OBJECT (action), "fixture", fixture);
      g_signal_connect (action, "activate", G_CALLBACK (on_dummy_action),
                        is_app ? (gpointer) "app" : (gpointer) "win");
      g_action_map_add_action (G_ACTION_MAP (is_app ? app : win), G_ACTION (action));
    }

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 400, 300);
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "win", G_ACTION_GROUP (win));
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app", G_ACTION_GROUP (app));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  fixture->entry = gtk_entry_new ();
  fixture->button = gtk_button_new_with_label ("Button");
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
  model = GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (gtk_string_list_new (items))));
  fixture->list = gtk_list_view_new (model, factory);
  gtk_widget_set_vexpand (fixture->list, TRUE);
  gtk_box_append (GTK_BOX (box), fixture->entry);
  gtk_box_append (GTK_BOX (box), fixture->button);
  gtk_box_append (GTK_BOX (box), fixture->list);
  gtk_window_set_child (fixture->window, box);

  gtk_window_present (fixture->window);
  while (!gtk_widget_get_mapped (fixture->list))
    g_main_context_iteration (NULL, TRUE);
  wait_ms (50);

  tidings_shortcuts_install (fixture->window, GPOINTER_TO_INT (data));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_hash_table_unref (fixture->fired);
  g_free (fixture->xid);
  _tidings_shortcuts_set_sequence_timeout (1000);
}

static gboolean
press (Fixture         *fixture,
       guint            keyval,
       GdkModifierType  state)
{
  GtkEventController *keys = _tidings_shortcuts_get_key_controller (fixture->window);
  gboolean handled = FALSE;

  g_assert_nonnull (keys);
  g_signal_emit_by_name (keys, "key-pressed", keyval, 0, state, &handled);
  return handled;
}

static void
focus_list (Fixture *fixture)
{
  g_assert_true (gtk_widget_grab_focus (fixture->list));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (fixture->window)),
                                         fixture->list) ||
                 gtk_root_get_focus (GTK_ROOT (fixture->window)) == fixture->list);
}

static void
test_keys_letters (Fixture       *fixture,
                   gconstpointer  data)
{
  focus_list (fixture);

  g_assert_true (press (fixture, GDK_KEY_j, 0));
  g_assert_cmpuint (fired (fixture, "win.next-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_k, 0));
  g_assert_cmpuint (fired (fixture, "win.previous-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_s, 0));
  g_assert_cmpuint (fired (fixture, "win.toggle-star"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_m, 0));
  g_assert_cmpuint (fired (fixture, "win.toggle-read"), ==, 1);

  /* Shift+letter, as the keyboard sends it (upper case with Shift) and as
   * Caps Lock does (upper case alone). */
  g_assert_true (press (fixture, GDK_KEY_A, GDK_SHIFT_MASK));
  g_assert_cmpuint (fired (fixture, "win.mark-all-read"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_J, GDK_SHIFT_MASK));
  g_assert_cmpuint (fired (fixture, "win.next-feed"), ==, 1);
  g_assert_cmpuint (fired (fixture, "win.next-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_K, GDK_LOCK_MASK));
  g_assert_cmpuint (fired (fixture, "win.previous-feed"), ==, 1);

  /* Space, Shift+Space, Enter and "/" (which needs Shift on some
   * keyboards). */
  g_assert_true (press (fixture, GDK_KEY_space, 0));
  g_assert_cmpuint (fired (fixture, "win.scroll-down"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_space, GDK_SHIFT_MASK));
  g_assert_cmpuint (fired (fixture, "win.scroll-up"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fired (fixture, "win.open-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_slash, 0));
  g_assert_true (press (fixture, GDK_KEY_slash, GDK_SHIFT_MASK));
  g_assert_cmpuint (fired (fixture, "win.search"), ==, 2);

  /* Keys this map does not bind, keys with Control (the shortcut
   * controller's), and arrows (the list's own) go on. */
  g_assert_false (press (fixture, GDK_KEY_z, 0));
  g_assert_false (press (fixture, GDK_KEY_h, 0));
  g_assert_false (press (fixture, GDK_KEY_j, GDK_CONTROL_MASK));
  g_assert_false (press (fixture, GDK_KEY_Down, 0));
  g_assert_false (press (fixture, GDK_KEY_Shift_L, GDK_SHIFT_MASK));
  g_assert_cmpuint (fired (fixture, "win.next-article"), ==, 1);
}

static void
test_keys_text_field (Fixture       *fixture,
                      gconstpointer  data)
{
  g_assert_true (gtk_widget_grab_focus (fixture->entry));
  g_assert_true (GTK_IS_TEXT (gtk_root_get_focus (GTK_ROOT (fixture->window))));

  g_assert_false (press (fixture, GDK_KEY_j, 0));
  g_assert_false (press (fixture, GDK_KEY_A, GDK_SHIFT_MASK));
  g_assert_false (press (fixture, GDK_KEY_slash, 0));
  g_assert_false (press (fixture, GDK_KEY_space, 0));
  g_assert_false (press (fixture, GDK_KEY_g, 0));
  g_assert_false (press (fixture, GDK_KEY_a, 0));
  g_assert_cmpuint (g_hash_table_size (fixture->fired), ==, 0);

  /* Back in the list, they work again. */
  focus_list (fixture);
  g_assert_true (press (fixture, GDK_KEY_j, 0));
  g_assert_cmpuint (fired (fixture, "win.next-article"), ==, 1);
}

static void
test_keys_button (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_true (gtk_widget_grab_focus (fixture->button));

  /* Space and Enter press the button; letters still read. */
  g_assert_false (press (fixture, GDK_KEY_space, 0));
  g_assert_false (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fired (fixture, "win.scroll-down"), ==, 0);
  g_assert_cmpuint (fired (fixture, "win.open-article"), ==, 0);
  g_assert_true (press (fixture, GDK_KEY_n, 0));
  g_assert_cmpuint (fired (fixture, "win.next-unread"), ==, 1);
}

static void
test_keys_sequences (Fixture       *fixture,
                     gconstpointer  data)
{
  focus_list (fixture);

  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_cmpuint (g_hash_table_size (fixture->fired), ==, 0);
  g_assert_true (press (fixture, GDK_KEY_a, 0));
  g_assert_cmpuint (fired (fixture, "win.go-all"), ==, 1);

  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_true (press (fixture, GDK_KEY_u, 0));
  g_assert_cmpuint (fired (fixture, "win.go-unread"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_true (press (fixture, GDK_KEY_s, 0));
  g_assert_cmpuint (fired (fixture, "win.go-starred"), ==, 1);
  g_assert_cmpuint (fired (fixture, "win.toggle-star"), ==, 0);
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_true (press (fixture, GDK_KEY_t, 0));
  g_assert_cmpuint (fired (fixture, "win.go-today"), ==, 1);

  /* A Shift in between does not break a sequence. */
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_false (press (fixture, GDK_KEY_Shift_L, 0));
  g_assert_true (press (fixture, GDK_KEY_a, 0));
  g_assert_cmpuint (fired (fixture, "win.go-all"), ==, 2);

  /* "g" then a key that ends no sequence: that key counts on its own. */
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_true (press (fixture, GDK_KEY_j, 0));
  g_assert_cmpuint (fired (fixture, "win.next-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_a, 0) == FALSE);
  g_assert_cmpuint (fired (fixture, "win.go-all"), ==, 2);

  /* "g", too long a pause, "a": nothing. */
  _tidings_shortcuts_set_sequence_timeout (100);
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  wait_ms (400);
  g_assert_false (press (fixture, GDK_KEY_a, 0));
  g_assert_cmpuint (fired (fixture, "win.go-all"), ==, 2);

  /* Within the time it still works. */
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  wait_ms (20);
  g_assert_true (press (fixture, GDK_KEY_a, 0));
  g_assert_cmpuint (fired (fixture, "win.go-all"), ==, 3);

  /* A text field taking the focus between the keys ends the sequence. */
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_true (gtk_widget_grab_focus (fixture->entry));
  g_assert_false (press (fixture, GDK_KEY_a, 0));
  focus_list (fixture);
  g_assert_false (press (fixture, GDK_KEY_a, 0));
  g_assert_cmpuint (fired (fixture, "win.go-all"), ==, 3);
}

static void
test_keys_vim (Fixture       *fixture,
               gconstpointer  data)
{
  focus_list (fixture);

  g_assert_true (press (fixture, GDK_KEY_h, 0));
  g_assert_cmpuint (fired (fixture, "win.focus-left"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_l, 0));
  g_assert_cmpuint (fired (fixture, "win.focus-right"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_cmpuint (fired (fixture, "win.first-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_G, GDK_SHIFT_MASK));
  g_assert_cmpuint (fired (fixture, "win.last-article"), ==, 1);
  g_assert_cmpuint (fired (fixture, "win.first-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_g, 0));
  g_assert_true (press (fixture, GDK_KEY_a, 0));
  g_assert_cmpuint (fired (fixture, "win.go-all"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_j, 0));
  g_assert_cmpuint (fired (fixture, "win.next-article"), ==, 1);
}

static void
test_keys_liferea (Fixture       *fixture,
                   gconstpointer  data)
{
  focus_list (fixture);

  g_assert_true (press (fixture, GDK_KEY_f, 0));
  g_assert_cmpuint (fired (fixture, "win.next-article"), ==, 1);
  g_assert_true (press (fixture, GDK_KEY_b, 0));
  g_assert_cmpuint (fired (fixture, "win.previous-article"), ==, 1);
  /* Liferea's map does not use j or s. */
  g_assert_false (press (fixture, GDK_KEY_j, 0));
  g_assert_false (press (fixture, GDK_KEY_s, 0));
  g_assert_cmpuint (fired (fixture, "win.toggle-star"), ==, 0);
}

/* Keys with Control or Alt, and F-keys, through the shortcut controller. */
static void
test_keys_modifiers (Fixture       *fixture,
                     gconstpointer  data)
{
  TidingsKeymap keymap = GPOINTER_TO_INT (data);
  const TidingsBinding *bindings = tidings_shortcuts_get_bindings (keymap);
  GtkEventController *controller = _tidings_shortcuts_get_shortcut_controller (fixture->window);
  GListModel *shortcuts = G_LIST_MODEL (controller);
  guint expected = 0;

  g_assert_true (GTK_IS_SHORTCUT_CONTROLLER (controller));
  g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==,
                   GTK_PHASE_CAPTURE);

  for (guint i = 0; bindings[i].action != NULL; i++)
    {
      g_auto(GStrv) keys = g_strsplit (bindings[i].keys, " ", -1);

      for (guint k = 0; keys[k] != NULL; k++)
        {
          guint keyval;
          GdkModifierType mods;

          if (strchr (keys[k], '+') != NULL)
            continue;
          g_assert_true (gtk_accelerator_parse (keys[k], &keyval, &mods));
          if ((mods & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0 ||
              (keyval >= GDK_KEY_F1 && keyval <= GDK_KEY_F35))
            expected++;
        }
    }
  g_assert_cmpuint (g_list_model_get_n_items (shortcuts), ==, expected);

  focus_list (fixture);
  for (guint i = 0; i < g_list_model_get_n_items (shortcuts); i++)
    {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (shortcuts, i);
      GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
      GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
      const char *name;
      g_autofree char *accel = NULL;
      guint before;

      g_assert_true (GTK_IS_KEYVAL_TRIGGER (trigger));
      g_assert_true (GTK_IS_NAMED_ACTION (action));
      name = gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
      accel = gtk_accelerator_name (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                                    gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));
      /* The trigger is one of the keys the table gives this action. */
      g_assert_cmpstr (action_for_key (keymap, accel), ==, name);

      if (g_str_has_prefix (name, "window."))
        continue;
      before = fired (fixture, name);
      g_assert_true (gtk_shortcut_action_activate (action, 0, GTK_WIDGET (fixture->window),
                                                   NULL));
      g_assert_cmpuint (fired (fixture, name), ==, before + 1);
    }
}

static guint
count_named_controllers (GtkWidget  *widget,
                         const char *name)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), name) == 0)
        n++;
    }
  return n;
}

static void
test_keys_reinstall (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);

  focus_list (fixture);
  g_assert_false (press (fixture, GDK_KEY_h, 0));

  tidings_shortcuts_install (fixture->window, TIDINGS_KEYMAP_VIM);
  tidings_shortcuts_install (fixture->window, TIDINGS_KEYMAP_LIFEREA);
  tidings_shortcuts_install (fixture->window, TIDINGS_KEYMAP_VIM);
  g_assert_cmpuint (count_named_controllers (window, "tidings-keys"), ==, 1);
  g_assert_cmpuint (count_named_controllers (window, "tidings-shortcuts"), ==, 1);

  g_assert_true (press (fixture, GDK_KEY_h, 0));
  g_assert_cmpuint (fired (fixture, "win.focus-left"), ==, 1);

  tidings_shortcuts_install (fixture->window, TIDINGS_KEYMAP_TIDINGS);
  g_assert_false (press (fixture, GDK_KEY_h, 0));
  g_assert_cmpuint (fired (fixture, "win.focus-left"), ==, 1);
}

/* A window without the actions lets every key through. */
static void
test_keys_missing_actions (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *list = gtk_list_box_new ();
  GtkEventController *keys;
  gboolean handled = TRUE;

  gtk_list_box_append (GTK_LIST_BOX (list), gtk_label_new ("row"));
  gtk_window_set_child (window, list);
  tidings_shortcuts_install (window, TIDINGS_KEYMAP_TIDINGS);
  keys = _tidings_shortcuts_get_key_controller (window);

  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_j, 0, 0, &handled);
  g_assert_false (handled);
  gtk_window_destroy (window);
}

static void
test_app_accels (void)
{
  g_autoptr(GtkApplication) app = gtk_application_new ("io.github.tidings.TestShortcuts",
                                                       G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  g_auto(GStrv) quit = NULL;
  g_auto(GStrv) shortcuts = NULL;
  g_auto(GStrv) preferences = NULL;

  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = GTK_WINDOW (gtk_application_window_new (app));
  tidings_shortcuts_install (window, TIDINGS_KEYMAP_LIFEREA);

  quit = gtk_application_get_accels_for_action (app, "app.quit");
  shortcuts = gtk_application_get_accels_for_action (app, "app.shortcuts");
  preferences = gtk_application_get_accels_for_action (app, "app.preferences");
  g_assert_cmpuint (g_strv_length (quit), ==, 1);
  g_assert_cmpuint (g_strv_length (shortcuts), ==, 1);
  g_assert_cmpuint (g_strv_length (preferences), ==, 1);
  g_assert_cmpstr (action_for_key (TIDINGS_KEYMAP_LIFEREA, quit[0]), ==, "app.quit");
  g_assert_cmpstr (action_for_key (TIDINGS_KEYMAP_LIFEREA, shortcuts[0]), ==, "app.shortcuts");
  g_assert_cmpstr (action_for_key (TIDINGS_KEYMAP_LIFEREA, preferences[0]), ==,
                   "app.preferences");

  gtk_window_destroy (window);
}

/* Real key presses through the X server (XTEST, into the focused window:
 * GTK reads keys through XInput 2, which ignores events sent to a window
 * that has no focus), when the display is X11 (Xvfb) and xdotool is there.
 * The test is registered is_parallel: false, so that no other test's window
 * takes the focus meanwhile. */
static gboolean
xdotool (const char * const  *args,
         char               **output)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, "xdotool");
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  if (!g_spawn_sync (NULL, argv, NULL,
                     G_SPAWN_SEARCH_PATH | (output == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0),
                     NULL, NULL, output, NULL, &status, &error))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

/* Presses @keys (xdotool names; a space between the keys of a sequence)
 * and waits until @action has fired @expected times in all. */
static void
real_key (Fixture    *fixture,
          const char *keys,
          const char *action,
          guint       expected)
{
  g_auto(GStrv) parts = g_strsplit (keys, " ", -1);
  gint64 deadline;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *focus[] = { "windowfocus", "--sync", fixture->xid, NULL };
      const char *one[] = { "key", parts[i], NULL };

      g_assert_true (xdotool (focus, NULL));
      g_assert_true (xdotool (one, NULL));
      wait_ms (30);
    }
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (fired (fixture, action) < expected && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  /* A little longer, to see that nothing fires twice. */
  wait_ms (100);
  g_assert_cmpuint (fired (fixture, action), ==, expected);
}

static void
test_real_keys (Fixture       *fixture,
                gconstpointer  data)
{
  const char *search_args[] = { "search", "--sync", "--name", "^tidings-real-keys$", NULL };
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");

  if (xdotool_path == NULL ||
      !g_str_equal (G_OBJECT_TYPE_NAME (gdk_display_get_default ()), "GdkX11Display"))
    {
      g_test_skip ("Needs an X11 display and xdotool");
      return;
    }

  gtk_window_set_title (fixture->window, "tidings-real-keys");
  wait_ms (100);
  g_assert_true (xdotool (search_args, &fixture->xid));
  g_strstrip (fixture->xid);
  g_assert_cmpstr (fixture->xid, !=, "");
  focus_list (fixture);
  wait_ms (100);

  real_key (fixture, "j", "win.next-article", 1);
  real_key (fixture, "shift+a", "win.mark-all-read", 1);
  real_key (fixture, "space", "win.scroll-down", 1);
  real_key (fixture, "shift+space", "win.scroll-up", 1);
  real_key (fixture, "g a", "win.go-all", 1);
  real_key (fixture, "slash", "win.search", 1);
  real_key (fixture, "ctrl+f", "win.search", 2);
  real_key (fixture, "ctrl+r", "win.refresh-all", 1);
  real_key (fixture, "F5", "win.refresh-all", 2);
  real_key (fixture, "ctrl+plus", "win.zoom-in", 1);
  real_key (fixture, "ctrl+equal", "win.zoom-in", 2);
  real_key (fixture, "ctrl+minus", "win.zoom-out", 1);
  real_key (fixture, "ctrl+question", "app.shortcuts", 1);
  real_key (fixture, "alt+Left", "win.history-back", 1);
  real_key (fixture, "F9", "win.toggle-sidebar", 1);

  /* Typing into the text field: the letters land there, nothing fires. */
  gtk_widget_grab_focus (fixture->entry);
  real_key (fixture, "j", "win.next-article", 1);
  real_key (fixture, "shift+a", "win.mark-all-read", 1);
  real_key (fixture, "g a", "win.go-all", 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (fixture->entry)), ==, "jAga");
  /* Keys with Control still work there. */
  real_key (fixture, "ctrl+r", "win.refresh-all", 3);
}

static void
add_fixture_test (const char    *path,
                  TidingsKeymap  keymap,
                  void         (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, GINT_TO_POINTER (keymap), fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  /* Screenshots without half-finished transitions. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/shortcuts/table/actions", test_table_actions);
  g_test_add_func ("/shortcuts/table/no-duplicates", test_table_no_duplicates);
  g_test_add_func ("/shortcuts/table/maps", test_table_maps);
  g_test_add_func ("/shortcuts/table/keymap-names", test_keymap_names);
  g_test_add_func ("/shortcuts/window/builds", test_window_builds);
  g_test_add_func ("/shortcuts/window/screenshots", test_window_screenshots);
  add_fixture_test ("/shortcuts/keys/letters", TIDINGS_KEYMAP_TIDINGS, test_keys_letters);
  add_fixture_test ("/shortcuts/keys/text-field", TIDINGS_KEYMAP_TIDINGS, test_keys_text_field);
  add_fixture_test ("/shortcuts/keys/button", TIDINGS_KEYMAP_TIDINGS, test_keys_button);
  add_fixture_test ("/shortcuts/keys/sequences", TIDINGS_KEYMAP_TIDINGS, test_keys_sequences);
  add_fixture_test ("/shortcuts/keys/vim", TIDINGS_KEYMAP_VIM, test_keys_vim);
  add_fixture_test ("/shortcuts/keys/liferea", TIDINGS_KEYMAP_LIFEREA, test_keys_liferea);
  add_fixture_test ("/shortcuts/keys/modifiers/tidings", TIDINGS_KEYMAP_TIDINGS,
                    test_keys_modifiers);
  add_fixture_test ("/shortcuts/keys/modifiers/vim", TIDINGS_KEYMAP_VIM, test_keys_modifiers);
  add_fixture_test ("/shortcuts/keys/modifiers/liferea", TIDINGS_KEYMAP_LIFEREA,
                    test_keys_modifiers);
  add_fixture_test ("/shortcuts/keys/reinstall", TIDINGS_KEYMAP_TIDINGS, test_keys_reinstall);
  g_test_add_func ("/shortcuts/keys/missing-actions", test_keys_missing_actions);
  add_fixture_test ("/shortcuts/keys/real", TIDINGS_KEYMAP_TIDINGS, test_real_keys);
  g_test_add_func ("/shortcuts/app-accels", test_app_accels);

  return g_test_run ();
}
