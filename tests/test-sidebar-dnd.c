/* test-sidebar-dnd.c: moving sections and feeds in the sidebar by drag and drop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real window on a fixture library. What a drop means is checked on the
 * plan (tidings-sidebar-dnd.h) for the real sidebar items; drops are made
 * through the drop target's own handlers at points of the real rows (a drag
 * cannot be synthesised through GTK 4.8's API), and what they do is checked
 * in the store from a second connection, then in the sidebar. The pointer
 * case drags for real (xdotool under Xvfb) and runs on its own.
 *
 * The cases share the window and run in order; the fixture is laid out
 * again before each so that any one can run alone.
 */

#include "config.h"

#include "tidings-sidebar-dnd.h"
#include "tidings-ui-test-utils.h"
#include "tidings-window-test-utils.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

static char *home;
static TidingsApplication *app;
static TidingsWindow *window;

/* The fixture: sections Space (with Lunar inside), World, Energy; feeds
 * Orbit and Launch in Space, Crater in Lunar, Globe in World, Wind in
 * Energy, Loose in none. */
enum { SPACE, LUNAR, WORLD, ENERGY, N_SECTIONS };
enum { ORBIT, LAUNCH, CRATER, GLOBE, WIND, LOOSE, N_FEEDS };
static const char * const section_titles[N_SECTIONS] = { "Space", "Lunar", "World", "Energy" };
static const char * const feed_titles[N_FEEDS] = {
  "Orbit Weekly", "Launch Log", "Crater Notes", "Globe Desk", "Wind Report", "Loose Feed",
};
static gint64 section_ids[N_SECTIONS];
static gint64 feed_ids[N_FEEDS];

/* ---- The fixture ---- */

static gpointer
lay_out_fixture (TidingsStore  *store,
                 gpointer       data,
                 GError       **error)
{
  static const int feed_section[N_FEEDS] = { SPACE, SPACE, LUNAR, WORLD, ENERGY, -1 };

  /* The first time, made; later, put back where they started. */
  for (guint i = 0; i < N_SECTIONS; i++)
    {
      gint64 parent = i == LUNAR ? section_ids[SPACE] : 0;
      int position = i == LUNAR ? 0 : (i == SPACE ? 0 : (int) i - 1);

      if (section_ids[i] == 0)
        section_ids[i] = tidings_store_add_section (store, section_titles[i], parent, error);
      else if (!tidings_store_move_section (store, section_ids[i], parent, position, error))
        return NULL;
      if (section_ids[i] <= 0)
        return NULL;
    }
  for (guint i = 0; i < N_FEEDS; i++)
    {
      gint64 section = feed_section[i] >= 0 ? section_ids[feed_section[i]] : 0;

      if (feed_ids[i] == 0)
        {
          g_autofree char *url = g_strdup_printf ("https://feed%u.example/feed.xml", i);

          feed_ids[i] = tidings_store_add_subscription (store, url, feed_titles[i], section,
                                                        error);
        }
      else if (!tidings_store_move_subscription (store, feed_ids[i], section,
                                                 i == LAUNCH ? 1 : 0, error))
        return NULL;
      if (feed_ids[i] <= 0)
        return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

static TidingsSidebarModel *
model (void)
{
  return _tidings_window_get_sidebar_model (window);
}

static GtkListView *
view (void)
{
  return GTK_LIST_VIEW (_tidings_window_get_sidebar_view (window));
}

static TidingsSidebarItem *
section_item (guint i)
{
  TidingsSidebarItem *item = tidings_sidebar_model_find (model (), TIDINGS_SIDEBAR_SECTION,
                                                         section_ids[i]);

  g_assert_nonnull (item);
  return item;
}

static TidingsSidebarItem *
feed_item (guint i)
{
  TidingsSidebarItem *item = tidings_sidebar_model_find (model (), TIDINGS_SIDEBAR_SUBSCRIPTION,
                                                         feed_ids[i]);

  g_assert_nonnull (item);
  return item;
}

static gboolean
sidebar_settled (void)
{
  return tidings_sidebar_model_get_loaded (model ()) && !_tidings_sidebar_model_is_busy (model ());
}

/* Every section open, so that every row is there to drop on. */
static gboolean
all_rows_shown (void)
{
  GListModel *rows = G_LIST_MODEL (_tidings_window_get_sidebar_selection (window));
  gboolean all = TRUE;

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);

      if (gtk_tree_list_row_is_expandable (row) && !gtk_tree_list_row_get_expanded (row))
        {
          gtk_tree_list_row_set_expanded (row, TRUE);
          all = FALSE;
        }
    }
  for (guint i = 0; all && i < N_FEEDS; i++)
    all = tidings_test_sidebar_row (window, feed_titles[i]) != NULL;
  return all;
}

static gboolean
fixture_in_place (void)
{
  for (guint i = 0; i < N_FEEDS; i++)
    {
      TidingsSidebarItem *item = tidings_sidebar_model_find (model (),
                                                             TIDINGS_SIDEBAR_SUBSCRIPTION,
                                                             feed_ids[i]);
      gint64 expected = i == LOOSE ? 0 : section_ids[i == ORBIT || i == LAUNCH ? SPACE
                                                     : i == CRATER ? LUNAR
                                                     : i == GLOBE ? WORLD : ENERGY];

      if (item == NULL || tidings_sidebar_item_get_parent_id (item) != expected)
        return FALSE;
    }
  for (guint i = 0; i < N_SECTIONS; i++)
    {
      TidingsSidebarItem *item = tidings_sidebar_model_find (model (), TIDINGS_SIDEBAR_SECTION,
                                                             section_ids[i]);

      if (item == NULL
          || tidings_sidebar_item_get_parent_id (item) != (i == LUNAR ? section_ids[SPACE] : 0))
        return FALSE;
    }
  return sidebar_settled ();
}

/* The window on the fixture as it started, every section open. */
static void
set_up (void)
{
  TidingsLibrary *library = tidings_application_get_library (app);

  if (window == NULL)
    {
      window = tidings_window_new (app);
      gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
      gtk_window_present (GTK_WINDOW (window));
    }
  library_write (library, lay_out_fixture, NULL, NULL, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  WAIT_UNTIL (fixture_in_place ());
  WAIT_UNTIL (all_rows_shown ());
  run_for (100);
}

/* ---- Rows and points ---- */

/* The list's row (the GtkListView child) of the item titled @title. */
static GtkWidget *
list_row (const char *title)
{
  TidingsSidebarRow *row = tidings_test_sidebar_row (window, title);

  g_assert_nonnull (row);
  return gtk_widget_get_parent (GTK_WIDGET (row));
}

static void
painted_cb (GdkFrameClock *clock,
            gboolean      *painted)
{
  *painted = TRUE;
}

/* Lets the window lay out and draw what changed (rows that just appeared
 * are not yet where they will be). */
static void
next_frame (void)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gboolean painted = FALSE;
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (painted_cb), &painted);

  gtk_widget_queue_draw (GTK_WIDGET (window));
  WAIT_UNTIL (painted);
  g_signal_handler_disconnect (clock, handler);
}

/* The point @fraction of the way down @title's row, in the view's
 * coordinates. */
static graphene_point_t
point_on (const char *title,
          double      fraction)
{
  graphene_rect_t bounds;

  next_frame ();

  g_assert_true (gtk_widget_compute_bounds (list_row (title), GTK_WIDGET (view ()), &bounds));
  return GRAPHENE_POINT_INIT (bounds.origin.x + bounds.size.width / 2,
                              bounds.origin.y + bounds.size.height * fraction);
}

/* A point below every row. */
static graphene_point_t
point_below_rows (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  double bottom = 0;
  double x = 0;

  next_frame ();
  tidings_test_collect (GTK_WIDGET (view ()), TIDINGS_TYPE_SIDEBAR_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = gtk_widget_get_parent (g_ptr_array_index (rows, i));
      graphene_rect_t bounds;

      if (gtk_widget_get_mapped (row)
          && gtk_widget_compute_bounds (row, GTK_WIDGET (view ()), &bounds))
        {
          bottom = MAX (bottom, bounds.origin.y + bounds.size.height);
          x = bounds.origin.x + bounds.size.width / 2;
        }
    }
  g_assert_cmpfloat (bottom + 60, <, gtk_widget_get_height (GTK_WIDGET (view ())));
  return GRAPHENE_POINT_INIT (x, bottom + 60);
}

static GdkDragAction
hover (TidingsSidebarItem *dragged,
       graphene_point_t    point)
{
  return _tidings_sidebar_dnd_motion (view (), dragged, point.x, point.y);
}

static gboolean
drop (TidingsSidebarItem *dragged,
      graphene_point_t    point)
{
  /* As a drag does: motion over the place, then the drop. */
  hover (dragged, point);
  return _tidings_sidebar_dnd_drop (view (), dragged, point.x, point.y);
}

/* ---- The store ---- */

static gboolean
feed_is_at (guint  feed,
            gint64 section_id,
            int    position)
{
  g_autoptr(TidingsSubscription) subscription = tidings_test_stored_subscription (feed_ids[feed]);
  TidingsSidebarItem *item = feed_item (feed);

  /* And the sidebar has followed. */
  return subscription != NULL && subscription->section_id == section_id
         && (position < 0 || subscription->position == position)
         && tidings_sidebar_item_get_parent_id (item) == section_id && sidebar_settled ();
}

static gboolean
section_is_at (guint  section,
               gint64 parent_id,
               int    position)
{
  g_autoptr(TidingsSection) stored = tidings_test_stored_section (section_ids[section]);

  return stored != NULL && stored->parent_id == parent_id && stored->position == position
         && tidings_sidebar_item_get_parent_id (section_item (section)) == parent_id
         && sidebar_settled ();
}

/* The titles of the sidebar's rows of sections, top to bottom. */
static char *
section_order (void)
{
  GListModel *rows = G_LIST_MODEL (_tidings_window_get_sidebar_selection (window));
  g_autoptr(GString) order = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(TidingsSidebarItem) item = gtk_tree_list_row_get_item (row);

      if (tidings_sidebar_item_get_kind (item) != TIDINGS_SIDEBAR_SECTION)
        continue;
      if (order->len > 0)
        g_string_append_c (order, ' ');
      g_string_append (order, tidings_sidebar_item_get_title (item));
    }
  return g_string_free (g_steal_pointer (&order), FALSE);
}

static gboolean
sections_shown_as (const char *expected)
{
  g_autofree char *order = NULL;

  /* A section that moved comes back closed. */
  if (!all_rows_shown ())
    return FALSE;
  order = section_order ();
  return sidebar_settled () && g_strcmp0 (order, expected) == 0;
}

/* Whether the row of section @title is open. */
static gboolean
row_open (const char *title)
{
  GListModel *rows = G_LIST_MODEL (_tidings_window_get_sidebar_selection (window));

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(TidingsSidebarItem) item = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (tidings_sidebar_item_get_title (item), title) == 0)
        return gtk_tree_list_row_get_expanded (row);
    }
  return FALSE;
}

static gboolean
toast_says (const char *text)
{
  return tidings_test_shows_label (GTK_WIDGET (window), text);
}

/* The Undo of the toast that says @text. */
static GtkWidget *
undo_of (const char *text)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  tidings_test_collect (GTK_WIDGET (window), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), "_Undo") == 0
          && gtk_widget_get_mapped (button)
          && tidings_test_shows_label (gtk_widget_get_parent (button), text))
        return button;
    }
  return NULL;
}

/* ---- Cases ---- */

static void
assert_plan (TidingsSidebarItem      *dragged,
             TidingsSidebarItem      *target,
             double                   fraction,
             TidingsSidebarDropPlace  place,
             gint64                   target_id)
{
  TidingsSidebarDrop planned;
  gboolean ok = _tidings_sidebar_drop_plan (dragged, target, fraction * 30, 30, &planned);

  g_test_message ("%s onto %s at %.2f: place %d, target %" G_GINT64_FORMAT,
                  tidings_sidebar_item_get_title (dragged),
                  target != NULL ? tidings_sidebar_item_get_title (target) : "(below)",
                  fraction, planned.place, planned.target_id);
  g_assert_cmpint (ok, ==, place != TIDINGS_SIDEBAR_DROP_NONE);
  g_assert_cmpint (planned.place, ==, place);
  g_assert_cmpint (planned.target_id, ==, target_id);
  g_assert_cmpint (planned.id, ==, tidings_sidebar_item_get_id (dragged));
  g_assert_cmpint (planned.kind, ==, tidings_sidebar_item_get_kind (dragged));
}

static void
test_plan (void)
{
  TidingsSidebarItem *all = NULL;
  TidingsSidebarItem *space = NULL, *lunar = NULL, *world = NULL, *energy = NULL;
  TidingsSidebarItem *orbit = NULL, *launch = NULL, *crater = NULL, *loose = NULL;
  const TidingsSidebarDropPlace none = TIDINGS_SIDEBAR_DROP_NONE;
  const TidingsSidebarDropPlace into = TIDINGS_SIDEBAR_DROP_INTO;
  const TidingsSidebarDropPlace before = TIDINGS_SIDEBAR_DROP_BEFORE;
  const TidingsSidebarDropPlace after = TIDINGS_SIDEBAR_DROP_AFTER;

  set_up ();
  all = tidings_sidebar_model_find (model (), TIDINGS_SIDEBAR_ALL, 0);
  space = section_item (SPACE);
  lunar = section_item (LUNAR);
  world = section_item (WORLD);
  energy = section_item (ENERGY);
  orbit = feed_item (ORBIT);
  launch = feed_item (LAUNCH);
  crater = feed_item (CRATER);
  loose = feed_item (LOOSE);

  /* A feed: into a section wherever on its row; beside a feed by halves;
   * out of sections onto a smart section or below the rows. */
  assert_plan (loose, world, 0.05, into, section_ids[WORLD]);
  assert_plan (loose, world, 0.95, into, section_ids[WORLD]);
  assert_plan (crater, space, 0.5, into, section_ids[SPACE]);
  assert_plan (orbit, launch, 0.2, before, feed_ids[LAUNCH]);
  assert_plan (orbit, launch, 0.8, after, feed_ids[LAUNCH]);
  assert_plan (loose, crater, 0.3, before, feed_ids[CRATER]);
  assert_plan (orbit, all, 0.5, into, 0);
  assert_plan (orbit, NULL, 0, into, 0);
  /* Nothing to do: into its own section, out when in none, onto itself. */
  assert_plan (orbit, space, 0.5, none, 0);
  assert_plan (loose, all, 0.5, none, 0);
  assert_plan (loose, NULL, 0, none, 0);
  assert_plan (orbit, orbit, 0.2, none, 0);

  /* A section: before or after by quarters, into in the middle. */
  assert_plan (energy, space, 0.1, before, section_ids[SPACE]);
  assert_plan (energy, space, 0.9, after, section_ids[SPACE]);
  assert_plan (energy, space, 0.5, into, section_ids[SPACE]);
  assert_plan (lunar, world, 0.5, into, section_ids[WORLD]);
  assert_plan (lunar, all, 0.5, into, 0);
  assert_plan (lunar, NULL, 0, into, 0);
  /* Not into a section inside another: beside it, by halves. */
  assert_plan (energy, lunar, 0.4, before, section_ids[LUNAR]);
  assert_plan (energy, lunar, 0.6, after, section_ids[LUNAR]);
  /* Space holds Lunar: it stays at the top level, beside World. */
  assert_plan (space, world, 0.1, before, section_ids[WORLD]);
  assert_plan (space, world, 0.4, before, section_ids[WORLD]);
  assert_plan (space, world, 0.6, after, section_ids[WORLD]);
  assert_plan (space, lunar, 0.5, none, 0);
  assert_plan (world, lunar, 0.1, before, section_ids[LUNAR]);
  /* Refused: onto itself, into where it is, onto a feed; a smart row. */
  assert_plan (world, world, 0.5, none, 0);
  assert_plan (lunar, space, 0.5, none, 0);
  assert_plan (energy, all, 0.5, none, 0);
  assert_plan (energy, orbit, 0.5, none, 0);
  assert_plan (all, space, 0.5, none, 0);
}

static void
test_feed_into_section (void)
{
  GtkWidget *undo;

  set_up ();

  /* Hovering World's row with Loose Feed: that row is lit, nothing else. */
  g_assert_cmpint (hover (feed_item (LOOSE), point_on ("World", 0.5)), ==, GDK_ACTION_MOVE);
  g_assert_true (gtk_widget_has_css_class (list_row ("World"), "drop-into"));
  g_assert_false (gtk_widget_has_css_class (list_row ("Space"), "drop-into"));
  run_for (200);
  tidings_test_save_screenshot (GTK_WIDGET (window), "sidebar-drop-into");
  /* Moving on to another row takes the light along. */
  g_assert_cmpint (hover (feed_item (LOOSE), point_on ("Energy", 0.5)), ==, GDK_ACTION_MOVE);
  g_assert_false (gtk_widget_has_css_class (list_row ("World"), "drop-into"));
  g_assert_true (gtk_widget_has_css_class (list_row ("Energy"), "drop-into"));
  _tidings_sidebar_dnd_leave (view ());
  g_assert_false (gtk_widget_has_css_class (list_row ("Energy"), "drop-into"));

  g_assert_true (drop (feed_item (LOOSE), point_on ("World", 0.5)));
  WAIT_UNTIL (feed_is_at (LOOSE, section_ids[WORLD], 1));
  g_assert_false (gtk_widget_has_css_class (list_row ("World"), "drop-into"));
  WAIT_UNTIL (toast_says ("Moved “Loose Feed” to “World”"));

  /* Undo puts it back in no section. */
  undo = undo_of ("Moved “Loose Feed” to “World”");
  g_assert_nonnull (undo);
  gtk_widget_activate (undo);
  WAIT_UNTIL (feed_is_at (LOOSE, 0, 0));
}

static void
test_feed_beside_feed (void)
{
  set_up ();

  /* Globe onto the upper half of Orbit: first in Space. */
  g_assert_cmpint (hover (feed_item (GLOBE), point_on ("Orbit Weekly", 0.3)), ==,
                   GDK_ACTION_MOVE);
  g_assert_true (gtk_widget_has_css_class (list_row ("Orbit Weekly"), "drop-before"));
  run_for (200);
  tidings_test_save_screenshot (GTK_WIDGET (window), "sidebar-drop-before");
  g_assert_true (drop (feed_item (GLOBE), point_on ("Orbit Weekly", 0.3)));
  WAIT_UNTIL (feed_is_at (GLOBE, section_ids[SPACE], 0));
  WAIT_UNTIL (feed_is_at (ORBIT, section_ids[SPACE], 1));
  WAIT_UNTIL (feed_is_at (LAUNCH, section_ids[SPACE], 2));
  WAIT_UNTIL (toast_says ("Moved “Globe Desk” to “Space”"));

  /* Then onto the lower half of Launch: last, after it. */
  WAIT_UNTIL (tidings_test_sidebar_row (window, "Launch Log") != NULL);
  g_assert_cmpint (hover (feed_item (GLOBE), point_on ("Launch Log", 0.8)), ==, GDK_ACTION_MOVE);
  g_assert_true (gtk_widget_has_css_class (list_row ("Launch Log"), "drop-after"));
  g_assert_true (drop (feed_item (GLOBE), point_on ("Launch Log", 0.8)));
  WAIT_UNTIL (feed_is_at (ORBIT, section_ids[SPACE], 0));
  WAIT_UNTIL (feed_is_at (LAUNCH, section_ids[SPACE], 1));
  WAIT_UNTIL (feed_is_at (GLOBE, section_ids[SPACE], 2));

  /* Onto the lower half of the feed it follows already: nothing moves. */
  g_assert_true (drop (feed_item (GLOBE), point_on ("Launch Log", 0.8)));
  run_for (300);
  WAIT_UNTIL (sidebar_settled ());
  g_assert_true (feed_is_at (GLOBE, section_ids[SPACE], 2));
}

static void
test_feed_out_of_sections (void)
{
  set_up ();

  /* Onto a smart section: the whole list lights up, not the row. */
  g_assert_cmpint (hover (feed_item (WIND), point_on ("All Articles", 0.5)), ==, GDK_ACTION_MOVE);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (view ()), "drop-out"));
  g_assert_false (gtk_widget_has_css_class (list_row ("All Articles"), "drop-into"));
  run_for (200);
  tidings_test_save_screenshot (GTK_WIDGET (window), "sidebar-drop-out");
  g_assert_true (drop (feed_item (WIND), point_on ("All Articles", 0.5)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (view ()), "drop-out"));
  WAIT_UNTIL (feed_is_at (WIND, 0, -1));
  WAIT_UNTIL (toast_says ("Moved “Wind Report” out of its section"));

  /* Below every row. */
  g_assert_true (drop (feed_item (CRATER), point_below_rows ()));
  WAIT_UNTIL (feed_is_at (CRATER, 0, -1));

  /* In the gap between two rows, the row above takes it, not "out". */
  {
    graphene_point_t bottom = point_on ("World", 1.0);

    g_assert_true (drop (feed_item (ORBIT), GRAPHENE_POINT_INIT (bottom.x, bottom.y + 1)));
    WAIT_UNTIL (feed_is_at (ORBIT, section_ids[WORLD], -1));
  }
}

static void
test_refused (void)
{
  set_up ();

  /* Into its own section, a section onto a feed: no action, no light. */
  g_assert_cmpint (hover (feed_item (ORBIT), point_on ("Space", 0.5)), ==, 0);
  g_assert_false (gtk_widget_has_css_class (list_row ("Space"), "drop-into"));
  g_assert_cmpint (hover (section_item (WORLD), point_on ("Orbit Weekly", 0.5)), ==, 0);
  g_assert_false (gtk_widget_has_css_class (list_row ("Orbit Weekly"), "drop-before"));
  g_assert_false (gtk_widget_has_css_class (list_row ("Orbit Weekly"), "drop-after"));
  g_assert_false (_tidings_sidebar_dnd_drop (view (), section_item (WORLD),
                                             point_on ("Orbit Weekly", 0.5).x,
                                             point_on ("Orbit Weekly", 0.5).y));
  _tidings_sidebar_dnd_leave (view ());
  run_for (300);
  WAIT_UNTIL (sidebar_settled ());
  g_assert_true (section_is_at (WORLD, 0, 1));
  g_assert_true (feed_is_at (ORBIT, section_ids[SPACE], 0));
}

static void
test_section_order (void)
{
  GtkWidget *undo;

  set_up ();
  WAIT_UNTIL (sections_shown_as ("Space Lunar World Energy"));

  /* Energy onto the top quarter of Space: first. */
  g_assert_cmpint (hover (section_item (ENERGY), point_on ("Space", 0.1)), ==, GDK_ACTION_MOVE);
  g_assert_true (gtk_widget_has_css_class (list_row ("Space"), "drop-before"));
  run_for (200);
  tidings_test_save_screenshot (GTK_WIDGET (window), "sidebar-drop-section-before");
  g_assert_true (drop (section_item (ENERGY), point_on ("Space", 0.1)));
  WAIT_UNTIL (section_is_at (ENERGY, 0, 0));
  /* Open before, open after: its row is made anew, and opened again. */
  WAIT_UNTIL (row_open ("Energy"));
  WAIT_UNTIL (sections_shown_as ("Energy Space Lunar World"));
  WAIT_UNTIL (toast_says ("Moved “Energy”"));

  /* Space (holding Lunar) onto the middle of World: after it, not in it. */
  g_assert_true (drop (section_item (SPACE), point_on ("World", 0.6)));
  WAIT_UNTIL (section_is_at (SPACE, 0, 2));
  WAIT_UNTIL (row_open ("Space"));
  WAIT_UNTIL (sections_shown_as ("Energy World Space Lunar"));

  /* Undo: back between Energy and World. */
  WAIT_UNTIL (undo_of ("Moved “Space”") != NULL);
  undo = undo_of ("Moved “Space”");
  gtk_widget_activate (undo);
  WAIT_UNTIL (sections_shown_as ("Energy Space Lunar World"));
  g_assert_true (section_is_at (SPACE, 0, 1));
}

static void
test_section_nesting (void)
{
  set_up ();

  /* Energy onto the middle of World: inside it, after its feed. */
  g_assert_cmpint (hover (section_item (ENERGY), point_on ("World", 0.5)), ==, GDK_ACTION_MOVE);
  g_assert_true (gtk_widget_has_css_class (list_row ("World"), "drop-into"));
  g_assert_true (drop (section_item (ENERGY), point_on ("World", 0.5)));
  WAIT_UNTIL (section_is_at (ENERGY, section_ids[WORLD], 0));
  WAIT_UNTIL (toast_says ("Moved “Energy” to “World”"));
  WAIT_UNTIL (all_rows_shown ());
  run_for (200);
  tidings_test_save_screenshot (GTK_WIDGET (window), "sidebar-nested");

  /* Lunar out of Space, below the rows: last at the top level. */
  g_assert_true (drop (section_item (LUNAR), point_below_rows ()));
  WAIT_UNTIL (section_is_at (LUNAR, 0, 2));
  WAIT_UNTIL (toast_says ("Moved “Lunar” to the top level"));
  /* Its feed went with it. */
  g_assert_true (feed_is_at (CRATER, section_ids[LUNAR], 0));

  /* Space holds no section now: it may go inside one. */
  WAIT_UNTIL (all_rows_shown ());
  g_assert_true (drop (section_item (SPACE), point_on ("Lunar", 0.5)));
  WAIT_UNTIL (section_is_at (SPACE, section_ids[LUNAR], 0));
}

/* The target of the menu entry labelled @label in @menu or its sections. */
static GVariant *
menu_target (GMenuModel *menu,
             const char *label)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autofree char *text = NULL;

      if (section != NULL)
        {
          GVariant *target = menu_target (section, label);

          if (target != NULL)
            return target;
          continue;
        }
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &text)
          && g_strcmp0 (text, label) == 0)
        return g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET, NULL);
    }
  return NULL;
}

/* Activates the menu entry @label of @item's context menu, as a click on
 * it would (from the view, where the menu's popover sits); FALSE when the
 * menu has none. */
static gboolean
menu_move (TidingsSidebarItem *item,
           const char         *label)
{
  GMenuModel *menu = _tidings_window_get_item_menu (window, item);
  g_autoptr(GVariant) target = menu_target (menu, label);

  if (target == NULL)
    return FALSE;
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (view ()), "sidebar.move",
                                                     target));
  return TRUE;
}

static void
test_menu (void)
{
  set_up ();

  /* Up and down where there is a row of its kind to pass. */
  g_assert_nonnull (_tidings_window_get_item_menu (window, section_item (WORLD)));
  g_assert_false (menu_move (section_item (SPACE), "Move _Up"));
  g_assert_false (menu_move (section_item (ENERGY), "Move _Down"));
  g_assert_false (menu_move (section_item (LUNAR), "Move _Up"));
  g_assert_false (menu_move (section_item (LUNAR), "Move _Down"));
  g_assert_false (menu_move (feed_item (ORBIT), "Move _Up"));
  g_assert_false (menu_move (feed_item (LOOSE), "Move _Down"));
  g_assert_false (menu_move (tidings_sidebar_model_find (model (), TIDINGS_SIDEBAR_ALL, 0),
                             "Move _Down"));

  /* From the row's own popover, as a click in it does. */
  {
    TidingsSidebarRow *row = tidings_test_sidebar_row (window, "World");
    g_autoptr(GPtrArray) popovers = g_ptr_array_new ();
    g_autoptr(GVariant) target = NULL;

    tidings_sidebar_row_popup_menu (row);
    tidings_test_collect (GTK_WIDGET (row), GTK_TYPE_POPOVER_MENU, popovers);
    g_assert_cmpuint (popovers->len, ==, 1);
    target = menu_target (gtk_popover_menu_get_menu_model (g_ptr_array_index (popovers, 0)),
                          "Move _Up");
    g_assert_nonnull (target);
    run_for (200);
    tidings_test_save_screenshot (g_ptr_array_index (popovers, 0), "sidebar-section-menu");
    g_assert_true (gtk_widget_activate_action_variant (g_ptr_array_index (popovers, 0),
                                                       "sidebar.move", target));
    gtk_popover_popdown (g_ptr_array_index (popovers, 0));
  }
  WAIT_UNTIL (section_is_at (WORLD, 0, 0));
  WAIT_UNTIL (section_is_at (SPACE, 0, 1));
  WAIT_UNTIL (toast_says ("Moved “World”"));

  g_assert_true (menu_move (feed_item (ORBIT), "Move _Down"));
  WAIT_UNTIL (feed_is_at (ORBIT, section_ids[SPACE], 1));
  WAIT_UNTIL (feed_is_at (LAUNCH, section_ids[SPACE], 0));
}

static GtkAdjustment *
scrolled (void)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view ()));
}

static gboolean
list_overflows (void)
{
  GtkAdjustment *adjustment = scrolled ();

  return gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment) + 100;
}

static void
test_autoscroll (void)
{
  double height;
  double value;

  set_up ();
  /* A window too short for the whole sidebar. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 360);
  WAIT_UNTIL (list_overflows ());
  next_frame ();
  g_assert_cmpfloat (gtk_adjustment_get_value (scrolled ()), ==, 0);
  height = gtk_widget_get_height (GTK_WIDGET (view ()));

  /* Held at the bottom edge, the list scrolls down... */
  hover (feed_item (LOOSE), GRAPHENE_POINT_INIT (40, height - 4));
  WAIT_UNTIL (gtk_adjustment_get_value (scrolled ()) > 60);
  /* ...and stops when the drag leaves. */
  _tidings_sidebar_dnd_leave (view ());
  value = gtk_adjustment_get_value (scrolled ());
  run_for (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (scrolled ()), ==, value);

  /* Away from the edges, it stays put; at the top edge, up it goes. */
  hover (feed_item (LOOSE), GRAPHENE_POINT_INIT (40, height / 2));
  run_for (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (scrolled ()), ==, value);
  hover (feed_item (LOOSE), GRAPHENE_POINT_INIT (40, 2));
  WAIT_UNTIL (gtk_adjustment_get_value (scrolled ()) == 0);
  _tidings_sidebar_dnd_leave (view ());

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  WAIT_UNTIL (!list_overflows ());
}

/* ---- A real drag (xdotool under Xvfb) ---- */

#ifdef GDK_WINDOWING_X11
static gboolean
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, g_strdup ("xdotool"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL);
}

/* Moves the pointer to @point of the sidebar view, through the window's
 * X window. */
static void
pointer_to (graphene_point_t point)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  graphene_point_t in_window;
  double dx = 0;
  double dy = 0;

  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (view ()), GTK_WIDGET (window), &point,
                                           &in_window));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &dx, &dy);
  x = g_strdup_printf ("%d", (int) (in_window.x + dx));
  y = g_strdup_printf ("%d", (int) (in_window.y + dy));
  g_assert_true (xdotool ("mousemove", "--window", xid, x, y, NULL));
  run_for (30);
}
#endif

static void
test_pointer_drag (void)
{
#ifdef GDK_WINDOWING_X11
  g_autofree char *program = g_find_program_in_path ("xdotool");
  graphene_point_t from;
  graphene_point_t to;

  if (program == NULL || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("Needs an X11 display (Xvfb) and xdotool");
      return;
    }

  set_up ();
  run_for (300);

  /* Press on Loose Feed, move to Energy's row in steps, release. */
  from = point_on ("Loose Feed", 0.5);
  to = point_on ("Energy", 0.5);
  pointer_to (from);
  g_assert_true (xdotool ("mousedown", "1", NULL));
  run_for (100);
  for (int i = 1; i <= 12; i++)
    {
      double t = i / 12.0;

      pointer_to (GRAPHENE_POINT_INIT (from.x + (to.x - from.x) * t,
                                       from.y + (to.y - from.y) * t));
      run_for (30);
    }
  /* The drag is on, and the drop would land in Energy. */
  WAIT_UNTIL (gtk_widget_has_css_class (list_row ("Energy"), "drop-into"));
  tidings_test_save_screenshot (GTK_WIDGET (window), "sidebar-drag-pointer");
  g_assert_true (xdotool ("mouseup", "1", NULL));

  WAIT_UNTIL (feed_is_at (LOOSE, section_ids[ENERGY], 1));
  WAIT_UNTIL (toast_says ("Moved “Loose Feed” to “Energy”"));
  WAIT_UNTIL (!gtk_widget_has_css_class (list_row ("Energy"), "drop-into"));
  /* Away from the sidebar, for whatever runs next on this display. */
  pointer_to (GRAPHENE_POINT_INIT (gtk_widget_get_width (GTK_WIDGET (window)) - 20, 400));
#else
  g_test_skip ("Needs X11");
#endif
}

int
main (int   argc,
      char *argv[])
{
  int status;

  home = tidings_test_private_home ("tidings-sidebar-dnd-XXXXXX");
  g_test_init (&argc, &argv, NULL);

  app = tidings_test_application_new ();
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "refresh-on-start", FALSE);
    g_settings_set_boolean (settings, "notifications", FALSE);
  }

  g_test_add_func ("/sidebar-dnd/plan", test_plan);
  g_test_add_func ("/sidebar-dnd/feed-into-section", test_feed_into_section);
  g_test_add_func ("/sidebar-dnd/feed-beside-feed", test_feed_beside_feed);
  g_test_add_func ("/sidebar-dnd/feed-out-of-sections", test_feed_out_of_sections);
  g_test_add_func ("/sidebar-dnd/refused", test_refused);
  g_test_add_func ("/sidebar-dnd/section-order", test_section_order);
  g_test_add_func ("/sidebar-dnd/section-nesting", test_section_nesting);
  g_test_add_func ("/sidebar-dnd/menu", test_menu);
  g_test_add_func ("/sidebar-dnd/autoscroll", test_autoscroll);
  g_test_add_func ("/sidebar-dnd/pointer/drag", test_pointer_drag);

  status = g_test_run ();

  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  run_for (100);
  g_clear_object (&app);
  tidings_test_remove_tree (home);
  g_free (home);
  return status;
}
