/* test-sidebar-model.c: sections and feeds with their unread counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fixture library with nested sections, feeds in and out of them, read,
 * starred and today's articles. The model must count right, keep the same
 * objects across reloads, notify only what changed and emit items-changed
 * only for real insertions, removals and moves.
 */

#include "config.h"

#include "tidings-library-test-utils.h"
#include "tidings-sidebar-model.h"

#define DAY (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

typedef struct
{
  char                *dir;
  char                *path;
  TidingsLibrary      *library;
  TidingsSidebarModel *model;

  gint64               news, local, empty;   /* sections */
  gint64               one, two, three;      /* subscriptions */
  gint64               three_unread;         /* an unread, unstarred article of feed three */

  GString             *events;               /* items-changed and notify, in order */
  GPtrArray           *watched;              /* objects whose signals go to events */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  gint64 old = g_get_real_time () - 3 * DAY;
  gint64 now = g_get_real_time ();

  (void) data;
  fixture->dir = make_test_dir ();
  fixture->path = g_build_filename (fixture->dir, "tidings.db", NULL);
  fixture->events = g_string_new (NULL);
  fixture->watched = g_ptr_array_new_with_free_func (g_object_unref);

  {
    g_autoptr(TidingsStore) store = open_store (fixture->path);
    g_autoptr(GPtrArray) rows = NULL;
    TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_SUBSCRIPTION };
    g_autoptr(GError) error = NULL;

    fixture->news = store_add_section (store, "News", 0);
    fixture->local = store_add_section (store, "Local", fixture->news);
    fixture->empty = store_add_section (store, "Empty", 0);
    fixture->one = store_add_subscription (store, "https://one.example.org/feed", "Feed One",
                                           fixture->news);
    fixture->two = store_add_subscription (store, "https://two.example.org/feed", "Feed Two",
                                           fixture->local);
    fixture->three = store_add_subscription (store, "https://three.example.org/feed", NULL, 0);

    /* Three days old, seen three days ago; feed two has one from today. */
    store_add_articles (store, fixture->one, "one", "One", 0, 3, old, old);
    store_add_articles (store, fixture->two, "two", "Two", 0, 1, old, old);
    store_add_articles (store, fixture->two, "two", "Two", 1, 1, now - 60 * G_USEC_PER_SEC, old);
    store_add_articles (store, fixture->three, "three", "Three", 0, 4, old, old);

    query.id = fixture->one;
    rows = tidings_store_query_articles (store, &query, 0, 10, &error);
    g_assert_no_error (error);
    g_assert_true (tidings_store_set_read (store, ((TidingsArticleRow *) rows->pdata[0])->id,
                                           TRUE, &error));
    g_clear_pointer (&rows, g_ptr_array_unref);

    query.id = fixture->three;
    rows = tidings_store_query_articles (store, &query, 0, 10, &error);
    g_assert_no_error (error);
    g_assert_true (tidings_store_set_starred (store, ((TidingsArticleRow *) rows->pdata[0])->id,
                                              TRUE, &error));
    fixture->three_unread = ((TidingsArticleRow *) rows->pdata[1])->id;
  }

  fixture->library = open_library (fixture->path);
  fixture->model = tidings_sidebar_model_new (fixture->library);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  (void) data;

  WAIT_UNTIL (!_tidings_sidebar_model_is_busy (fixture->model));
  for (guint i = 0; i < fixture->watched->len; i++)
    g_signal_handlers_disconnect_by_data (fixture->watched->pdata[i], fixture);
  g_ptr_array_unref (fixture->watched);
  g_assert_finalize_object (fixture->model);
  library_close (fixture->library);
  remove_test_dir (fixture->dir);
  g_string_free (fixture->events, TRUE);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
wait_loaded (Fixture *fixture)
{
  WAIT_UNTIL (tidings_sidebar_model_get_loaded (fixture->model)
              && !_tidings_sidebar_model_is_busy (fixture->model));
}

/* Runs a write that announces @changes, then waits for the model's reload. */
static void
change_and_wait (Fixture              *fixture,
                 TidingsStoreFunc      func,
                 gpointer              data,
                 GDestroyNotify        data_free,
                 TidingsLibraryChange  changes)
{
  library_write (fixture->library, func, data, data_free, changes);
  g_assert_true (_tidings_sidebar_model_is_busy (fixture->model));
  WAIT_UNTIL (!_tidings_sidebar_model_is_busy (fixture->model));
}

static TidingsSidebarItem *
item_at (GListModel *model,
         guint       position)
{
  g_autoptr(TidingsSidebarItem) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  /* The list holds it too. */
  return item;
}

static TidingsSidebarItem *
find (Fixture            *fixture,
      TidingsSidebarKind  kind,
      gint64              id)
{
  TidingsSidebarItem *item = tidings_sidebar_model_find (fixture->model, kind, id);

  g_assert_nonnull (item);
  return item;
}

static const char *
name_of (Fixture *fixture,
         gpointer object)
{
  if (object == fixture->model)
    return "top";
  if (TIDINGS_IS_SIDEBAR_ITEM (object))
    return tidings_sidebar_item_get_title (object);
  for (guint i = 0; i < fixture->watched->len; i++)
    {
      TidingsSidebarItem *item = fixture->watched->pdata[i];

      if (TIDINGS_IS_SIDEBAR_ITEM (item) && tidings_sidebar_item_get_children (item) == object)
        return tidings_sidebar_item_get_title (item);
    }
  return "?";
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  g_string_append_printf (fixture->events, "%s%s:%u-%u+%u", fixture->events->len > 0 ? " " : "",
                          name_of (fixture, model), position, removed, added);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           Fixture    *fixture)
{
  g_string_append_printf (fixture->events, "%s%s.%s", fixture->events->len > 0 ? " " : "",
                          name_of (fixture, object), pspec->name);
}

static void
watch (Fixture  *fixture,
       gpointer  object)
{
  if (g_ptr_array_find (fixture->watched, object, NULL))
    return;
  g_ptr_array_add (fixture->watched, g_object_ref (object));
  if (G_IS_LIST_MODEL (object))
    g_signal_connect (object, "items-changed", G_CALLBACK (on_items_changed), fixture);
  else
    g_signal_connect (object, "notify", G_CALLBACK (on_notify), fixture);
}

/* Every item in the tree and every list, so that any signal is seen. */
static void
watch_tree (Fixture    *fixture,
            GListModel *model)
{
  watch (fixture, model);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      TidingsSidebarItem *item = item_at (model, i);
      GListModel *children = tidings_sidebar_item_get_children (item);

      watch (fixture, item);
      if (children != NULL)
        watch_tree (fixture, children);
    }
}

static void
assert_titles (GListModel *model,
               const char *expected)
{
  g_autoptr(GString) titles = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_string_append_printf (titles, "%s%s", i > 0 ? ", " : "",
                            tidings_sidebar_item_get_title (item_at (model, i)));
  g_assert_cmpstr (titles->str, ==, expected);
}

static void
assert_count (Fixture            *fixture,
              TidingsSidebarKind  kind,
              gint64              id,
              guint               expected)
{
  g_assert_cmpuint (tidings_sidebar_item_get_unread_count (find (fixture, kind, id)), ==,
                    expected);
}

/* ---- Cases ---- */

static void
test_counts (Fixture       *fixture,
             gconstpointer  data)
{
  GListModel *top = G_LIST_MODEL (fixture->model);
  TidingsSidebarItem *news, *local, *three;
  TidingsArticleQuery query;

  (void) data;
  /* The smart items are there before anything is read. */
  g_assert_false (tidings_sidebar_model_get_loaded (fixture->model));
  assert_titles (top, "All Articles, Unread, Starred, Today");
  g_assert_true (g_list_model_get_item_type (top) == TIDINGS_TYPE_SIDEBAR_ITEM);

  wait_loaded (fixture);
  assert_titles (top, "All Articles, Unread, Starred, Today, News, Empty, three.example.org");
  news = find (fixture, TIDINGS_SIDEBAR_SECTION, fixture->news);
  local = find (fixture, TIDINGS_SIDEBAR_SECTION, fixture->local);
  three = find (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->three);
  assert_titles (tidings_sidebar_item_get_children (news), "Local, Feed One");
  assert_titles (tidings_sidebar_item_get_children (local), "Feed Two");
  assert_titles (tidings_sidebar_item_get_children (find (fixture, TIDINGS_SIDEBAR_SECTION,
                                                          fixture->empty)), "");
  g_assert_null (tidings_sidebar_item_get_children (three));

  /* 2 + 2 + 4 unread; one starred; one unread from today; sections count
   * their child sections. */
  assert_count (fixture, TIDINGS_SIDEBAR_ALL, 0, 8);
  assert_count (fixture, TIDINGS_SIDEBAR_UNREAD, 0, 8);
  assert_count (fixture, TIDINGS_SIDEBAR_STARRED, 0, 1);
  assert_count (fixture, TIDINGS_SIDEBAR_TODAY, 0, 1);
  assert_count (fixture, TIDINGS_SIDEBAR_SECTION, fixture->news, 4);
  assert_count (fixture, TIDINGS_SIDEBAR_SECTION, fixture->local, 2);
  assert_count (fixture, TIDINGS_SIDEBAR_SECTION, fixture->empty, 0);
  assert_count (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->one, 2);
  assert_count (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->two, 2);
  assert_count (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->three, 4);

  /* What the rows show. */
  g_assert_cmpint (tidings_sidebar_item_get_kind (news), ==, TIDINGS_SIDEBAR_SECTION);
  g_assert_cmpstr (tidings_sidebar_item_get_icon_name (news), ==, "folder-symbolic");
  g_assert_cmpint (tidings_sidebar_item_get_parent_id (local), ==, fixture->news);
  g_assert_cmpint (tidings_sidebar_item_get_parent_id (news), ==, 0);
  g_assert_cmpstr (tidings_sidebar_item_get_url (three), ==, "https://three.example.org/feed");
  g_assert_null (tidings_sidebar_item_get_error (three));
  g_assert_cmpint (tidings_sidebar_item_get_parent_id (
                     find (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->two)), ==,
                   fixture->local);
  g_assert_nonnull (tidings_sidebar_item_get_icon_name (
                      find (fixture, TIDINGS_SIDEBAR_STARRED, 0)));
  g_assert_null (tidings_sidebar_model_find (fixture->model, TIDINGS_SIDEBAR_SECTION, 9999));

  /* The queries they stand for. */
  tidings_sidebar_item_get_query (news, &query);
  g_assert_cmpint (query.kind, ==, TIDINGS_SCOPE_SECTION);
  g_assert_cmpint (query.id, ==, fixture->news);
  g_assert_false (query.unread_only);
  g_assert_null (query.search);
  tidings_sidebar_item_get_query (three, &query);
  g_assert_cmpint (query.kind, ==, TIDINGS_SCOPE_SUBSCRIPTION);
  g_assert_cmpint (query.id, ==, fixture->three);
  tidings_sidebar_item_get_query (find (fixture, TIDINGS_SIDEBAR_TODAY, 0), &query);
  g_assert_cmpint (query.kind, ==, TIDINGS_SCOPE_TODAY);
  tidings_sidebar_item_get_query (find (fixture, TIDINGS_SIDEBAR_UNREAD, 0), &query);
  g_assert_cmpint (query.kind, ==, TIDINGS_SCOPE_UNREAD);
}

static gpointer
set_read_func (TidingsStore  *store,
               gpointer       data,
               GError       **error)
{
  if (!tidings_store_set_read (store, *(gint64 *) data, TRUE, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
test_identity (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *top = G_LIST_MODEL (fixture->model);

  (void) data;
  wait_loaded (fixture);
  for (guint i = 0; i < g_list_model_get_n_items (top); i++)
    g_ptr_array_add (before, g_list_model_get_item (top, i));
  watch_tree (fixture, top);

  /* A reload that finds nothing new says nothing at all. */
  change_and_wait (fixture, nothing_func, NULL, NULL,
                   TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS | TIDINGS_LIBRARY_CHANGED_ARTICLES
                   | TIDINGS_LIBRARY_CHANGED_STATE);
  g_assert_cmpstr (fixture->events->str, ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (top), ==, before->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_true (item_at (top, i) == before->pdata[i]);

  /* Reading one article of feed three moves its count and the library's,
   * and nothing else. */
  change_and_wait (fixture, set_read_func, g_memdup2 (&fixture->three_unread, sizeof (gint64)),
                   g_free, TIDINGS_LIBRARY_CHANGED_STATE);
  g_assert_cmpstr (fixture->events->str, ==,
                   "All Articles.unread-count Unread.unread-count three.example.org.unread-count");
  assert_count (fixture, TIDINGS_SIDEBAR_ALL, 0, 7);
  assert_count (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->three, 3);
  for (guint i = 0; i < before->len; i++)
    g_assert_true (item_at (top, i) == before->pdata[i]);
}

typedef struct
{
  gint64  id;
  gint64  parent;
  int     position;
} Move;

static gpointer
move_subscription_func (TidingsStore  *store,
                        gpointer       data,
                        GError       **error)
{
  Move *move = data;

  if (!tidings_store_move_subscription (store, move->id, move->parent, move->position, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
move_section_func (TidingsStore  *store,
                   gpointer       data,
                   GError       **error)
{
  Move *move = data;

  if (!tidings_store_move_section (store, move->id, move->parent, move->position, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
rename_section_func (TidingsStore  *store,
                     gpointer       data,
                     GError       **error)
{
  if (!tidings_store_rename_section (store, *(gint64 *) data, "Renamed", error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
remove_subscription_func (TidingsStore  *store,
                          gpointer       data,
                          GError       **error)
{
  if (!tidings_store_remove_subscription (store, *(gint64 *) data, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
remove_section_func (TidingsStore  *store,
                     gpointer       data,
                     GError       **error)
{
  if (!tidings_store_remove_section (store, *(gint64 *) data, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
add_subscription_func (TidingsStore  *store,
                       gpointer       data,
                       GError       **error)
{
  gint64 id = tidings_store_add_subscription (store, data, "Feed Four", 0, error);

  return id != 0 ? g_memdup2 (&id, sizeof id) : NULL;
}

static void
change (Fixture          *fixture,
        TidingsStoreFunc  func,
        gpointer          data,
        GDestroyNotify    data_free)
{
  g_string_truncate (fixture->events, 0);
  change_and_wait (fixture, func, data, data_free,
                   TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS | TIDINGS_LIBRARY_CHANGED_ARTICLES);
}

static void
test_structure (Fixture       *fixture,
                gconstpointer  data)
{
  GListModel *top = G_LIST_MODEL (fixture->model);
  TidingsSidebarItem *news, *empty, *one;
  GListModel *news_children, *empty_children;
  Move move;

  (void) data;
  wait_loaded (fixture);
  news = find (fixture, TIDINGS_SIDEBAR_SECTION, fixture->news);
  empty = find (fixture, TIDINGS_SIDEBAR_SECTION, fixture->empty);
  one = find (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->one);
  news_children = tidings_sidebar_item_get_children (news);
  empty_children = tidings_sidebar_item_get_children (empty);
  watch_tree (fixture, top);

  /* A new feed outside the sections comes in after the last one. */
  {
    g_autofree gint64 *four = NULL;

    g_string_truncate (fixture->events, 0);
    four = library_write (fixture->library, add_subscription_func,
                          g_strdup ("https://four.example.org/feed"), g_free,
                          TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
    WAIT_UNTIL (!_tidings_sidebar_model_is_busy (fixture->model));
    g_assert_cmpstr (fixture->events->str, ==, "top:7-0+1");
    assert_titles (top, "All Articles, Unread, Starred, Today, News, Empty, three.example.org, "
                        "Feed Four");
  }

  /* Removed: one removal (after the counts, which are notified first). */
  change (fixture, remove_subscription_func, g_memdup2 (&fixture->three, sizeof (gint64)),
          g_free);
  g_assert_cmpstr (fixture->events->str, ==,
                   "All Articles.unread-count Unread.unread-count Starred.unread-count "
                   "top:6-1+0");
  g_assert_null (tidings_sidebar_model_find (fixture->model, TIDINGS_SIDEBAR_SUBSCRIPTION,
                                             fixture->three));

  /* Renamed: a notification, no move. */
  change (fixture, rename_section_func, g_memdup2 (&fixture->empty, sizeof (gint64)), g_free);
  g_assert_cmpstr (fixture->events->str, ==, "Renamed.title");
  g_assert_true (find (fixture, TIDINGS_SIDEBAR_SECTION, fixture->empty) == empty);

  /* A feed moved into another section: out of one list, into the other,
   * the same object. */
  move = (Move) { fixture->one, fixture->empty, 0 };
  change (fixture, move_subscription_func, g_memdup2 (&move, sizeof move), g_free);
  g_assert_cmpstr (fixture->events->str, ==,
                   "News.unread-count Renamed.unread-count Feed One.parent-id "
                   "News:1-1+0 Renamed:0-0+1");
  g_assert_true (item_at (empty_children, 0) == one);
  assert_titles (news_children, "Local");
  g_assert_cmpint (tidings_sidebar_item_get_parent_id (one), ==, fixture->empty);

  /* A section moved first: one item out and back in, the rest untouched. */
  move = (Move) { fixture->empty, 0, 0 };
  change (fixture, move_section_func, g_memdup2 (&move, sizeof move), g_free);
  g_assert_cmpstr (fixture->events->str, ==, "top:4-1+0 top:5-0+1");
  assert_titles (top, "All Articles, Unread, Starred, Today, Renamed, News, Feed Four");
  g_assert_true (item_at (top, 4) == empty);
  g_assert_true (item_at (top, 5) == news);

  /* A section removed, with its child section and their feeds. */
  change (fixture, remove_section_func, g_memdup2 (&fixture->news, sizeof (gint64)), g_free);
  g_test_message ("removing a section: %s", fixture->events->str);
  g_assert_nonnull (strstr (fixture->events->str, "top:5-1+0"));
  g_assert_null (strstr (fixture->events->str, "+1"));
  assert_titles (top, "All Articles, Unread, Starred, Today, Renamed, Feed Four");
  g_assert_null (tidings_sidebar_model_find (fixture->model, TIDINGS_SIDEBAR_SECTION,
                                             fixture->local));
  /* Whoever still holds the removed section (here the test) sees it
   * emptied. */
  g_assert_cmpuint (g_list_model_get_n_items (news_children), ==, 0);
  assert_count (fixture, TIDINGS_SIDEBAR_ALL, 0, 2);
}

static gpointer
fail_feed_func (TidingsStore  *store,
                gpointer       data,
                GError       **error)
{
  g_autoptr(TidingsFeedUpdate) update = tidings_feed_update_new (*(gint64 *) data);

  update->fetched_at = g_get_real_time ();
  update->error = g_strdup ("The server answered 404 Not Found");
  if (!tidings_store_apply_update (store, update, NULL, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
heal_feed_func (TidingsStore  *store,
                gpointer       data,
                GError       **error)
{
  g_autoptr(TidingsFeedUpdate) update = tidings_feed_update_new (*(gint64 *) data);

  update->fetched_at = g_get_real_time ();
  if (!tidings_store_apply_update (store, update, NULL, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
test_error (Fixture       *fixture,
            gconstpointer  data)
{
  TidingsSidebarItem *two;

  (void) data;
  wait_loaded (fixture);
  two = find (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->two);
  watch (fixture, two);
  g_assert_null (tidings_sidebar_item_get_error (two));

  change (fixture, fail_feed_func, g_memdup2 (&fixture->two, sizeof (gint64)), g_free);
  g_assert_cmpstr (tidings_sidebar_item_get_error (two), ==,
                   "The server answered 404 Not Found");
  g_assert_cmpstr (fixture->events->str, ==, "Feed Two.error");

  change (fixture, heal_feed_func, g_memdup2 (&fixture->two, sizeof (gint64)), g_free);
  g_assert_null (tidings_sidebar_item_get_error (two));
  g_assert_cmpstr (fixture->events->str, ==, "Feed Two.error");
}

static void
test_coalesced (Fixture       *fixture,
                gconstpointer  data)
{
  (void) data;
  wait_loaded (fixture);

  /* A burst of changes: one load runs, one more is queued, and the end
   * state is right. */
  for (guint i = 0; i < 20; i++)
    tidings_library_write_async (fixture->library, nothing_func, NULL, NULL,
                                 TIDINGS_LIBRARY_CHANGED_STATE, NULL, NULL, NULL);
  tidings_library_set_read (fixture->library, fixture->three_unread, TRUE);
  WAIT_UNTIL (tidings_sidebar_item_get_unread_count (
                find (fixture, TIDINGS_SIDEBAR_SUBSCRIPTION, fixture->three)) == 3
              && !_tidings_sidebar_model_is_busy (fixture->model));
  assert_count (fixture, TIDINGS_SIDEBAR_ALL, 0, 7);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/sidebar-model/counts", test_counts);
  ADD ("/sidebar-model/identity", test_identity);
  ADD ("/sidebar-model/structure", test_structure);
  ADD ("/sidebar-model/error", test_error);
  ADD ("/sidebar-model/coalesced", test_coalesced);

#undef ADD

  return g_test_run ();
}
