/* test-article-list.c: the page-loading list of articles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 5,000 articles in five feeds (built in one transaction: 100,000 would take
 * too long for a test, and the list's costs are per page anyway). The list
 * must count right for every scope, hand out placeholders that fill in place,
 * hold only the pages asked for, follow read and starred marks without
 * moving, insert new articles at the top, and search.
 *
 * The oracle for which article sits at a position is the store itself:
 * tidings_store_query_articles() with the same query at that offset.
 */

#include "config.h"

#include "tidings-article-list.h"
#include "tidings-library-test-utils.h"

#define MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define DAY (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)
#define N_FEEDS 5
#define PER_FEED 1000
#define N_ARTICLES (N_FEEDS * PER_FEED)
#define PAGE TIDINGS_ARTICLE_LIST_PAGE

typedef struct
{
  char               *dir;
  char               *path;
  TidingsLibrary     *library;
  TidingsArticleList *list;
  gint64              section;
  gint64              feeds[N_FEEDS];
  gint64              base;            /* the oldest article's date */
  GString            *events;          /* items-changed of the list */
} Fixture;

/* Feed f's article i is dated base + (5 i + f) minutes, so that feeds
 * interleave; the last 50 of the last feed are from today. Titles of a few
 * carry the word "zebra" (three in feed 0, four in feed 2). */
static void
build_library (Fixture *fixture)
{
  g_autoptr(TidingsStore) store = open_store (fixture->path);
  g_autoptr(GError) error = NULL;
  TidingsArticleQuery read_feed = { .kind = TIDINGS_SCOPE_SUBSCRIPTION };
  gint64 now = g_get_real_time ();

  fixture->base = now - 30 * DAY;
  fixture->section = store_add_section (store, "Section", 0);
  for (guint f = 0; f < N_FEEDS; f++)
    {
      g_autofree char *url = g_strdup_printf ("https://feed%u.example.org/feed", f);
      g_autofree char *title = g_strdup_printf ("Feed %u", f);

      fixture->feeds[f] = store_add_subscription (store, url, title,
                                                  f < 2 ? fixture->section : 0);
    }

  g_assert_true (tidings_store_begin (store, &error));
  for (guint f = 0; f < N_FEEDS; f++)
    {
      g_autoptr(TidingsFeedUpdate) update = tidings_feed_update_new (fixture->feeds[f]);

      update->fetched_at = fixture->base;
      update->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
      for (guint i = 0; i < PER_FEED; i++)
        {
          g_autofree char *guid = g_strdup_printf ("f%u-%u", f, i);
          g_autofree char *title = NULL;
          gint64 date = fixture->base + (gint64) (5 * i + f) * MINUTE;
          gboolean zebra = (f == 0 && i % 400 == 7) || (f == 2 && i % 250 == 11);

          if (f == N_FEEDS - 1 && i >= PER_FEED - 50)
            date = now - (gint64) (PER_FEED - i) * MINUTE;
          title = g_strdup_printf ("Feed %u article %u%s", f, i, zebra ? " zebra" : "");
          g_ptr_array_add (update->items, test_item (guid, title, date));
        }
      g_assert_true (tidings_store_apply_update (store, update, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (tidings_store_commit (store, &error));

  /* Feed 3 read; ten of feed 2 starred. */
  read_feed.id = fixture->feeds[3];
  g_assert_true (tidings_store_mark_read (store, &read_feed, &error));
  {
    TidingsArticleQuery starred_feed = { .kind = TIDINGS_SCOPE_SUBSCRIPTION };
    g_autoptr(GPtrArray) rows = NULL;

    starred_feed.id = fixture->feeds[2];
    rows = tidings_store_query_articles (store, &starred_feed, 0, 10, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < rows->len; i++)
      g_assert_true (tidings_store_set_starred (store, ((TidingsArticleRow *) rows->pdata[i])->id,
                                                TRUE, &error));
  }
  g_assert_true (tidings_store_update_search_index (store, &error));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  (void) data;
  fixture->dir = make_test_dir ();
  fixture->path = g_build_filename (fixture->dir, "tidings.db", NULL);
  fixture->events = g_string_new (NULL);
  build_library (fixture);
  fixture->library = open_library (fixture->path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  (void) data;

  if (fixture->list != NULL)
    {
      WAIT_UNTIL (!_tidings_article_list_is_busy (fixture->list));
      g_signal_handlers_disconnect_by_data (fixture->list, fixture);
      g_assert_finalize_object (fixture->list);
    }
  library_close (fixture->library);
  remove_test_dir (fixture->dir);
  g_string_free (fixture->events, TRUE);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  (void) model;
  g_string_append_printf (fixture->events, "%s%u-%u+%u", fixture->events->len > 0 ? " " : "",
                          position, removed, added);
}

static void
wait_idle (Fixture *fixture)
{
  WAIT_UNTIL (tidings_article_list_get_loaded (fixture->list)
              && !_tidings_article_list_is_busy (fixture->list));
}

static void
open_list (Fixture                   *fixture,
           const TidingsArticleQuery *query)
{
  fixture->list = tidings_article_list_new (fixture->library, query);
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (on_items_changed), fixture);
  wait_idle (fixture);
  g_string_truncate (fixture->events, 0);
}

static TidingsArticleItem *
get_item (Fixture *fixture,
          guint    position)
{
  TidingsArticleItem *item = g_list_model_get_item (G_LIST_MODEL (fixture->list), position);

  g_assert_nonnull (item);
  return item;
}

typedef struct
{
  TidingsArticleQuery query;
  guint               offset;
} Oracle;

static gpointer
oracle_func (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  Oracle *oracle = data;

  return tidings_store_query_articles (store, &oracle->query, oracle->offset, 1, error);
}

/* The article at @position of the list's query, as the store has it. */
static gint64
article_at (Fixture *fixture,
            guint    position)
{
  Oracle oracle = { *tidings_article_list_get_query (fixture->list), position };
  g_autoptr(GPtrArray) rows = library_read (fixture->library, oracle_func, &oracle, NULL);

  g_assert_cmpuint (rows->len, ==, 1);
  return ((TidingsArticleRow *) rows->pdata[0])->id;
}

/* ---- Cases ---- */

static void
test_counts (Fixture       *fixture,
             gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL };
  struct
  {
    TidingsScopeKind kind;
    int              feed;       /* -1: none, -2: the section */
    gboolean         unread_only;
    guint            expected;
  } cases[] = {
    { TIDINGS_SCOPE_ALL, -1, FALSE, N_ARTICLES },
    { TIDINGS_SCOPE_ALL, -1, TRUE, N_ARTICLES - PER_FEED },
    { TIDINGS_SCOPE_UNREAD, -1, FALSE, N_ARTICLES - PER_FEED },
    { TIDINGS_SCOPE_STARRED, -1, FALSE, 10 },
    { TIDINGS_SCOPE_TODAY, -1, FALSE, 50 },
    { TIDINGS_SCOPE_SECTION, -2, FALSE, 2 * PER_FEED },
    { TIDINGS_SCOPE_SUBSCRIPTION, 3, FALSE, PER_FEED },
    { TIDINGS_SCOPE_SUBSCRIPTION, 3, TRUE, 0 },
    { TIDINGS_SCOPE_SUBSCRIPTION, 4, TRUE, PER_FEED },
  };
  guint previous;

  (void) data;
  open_list (fixture, &query);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, N_ARTICLES);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (fixture->list))
                 == TIDINGS_TYPE_ARTICLE_ITEM);
  previous = N_ARTICLES;

  /* The same list through every scope: each new query is one reset. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *expected_event = NULL;

      query.kind = cases[i].kind;
      query.unread_only = cases[i].unread_only;
      query.id = cases[i].feed == -2 ? fixture->section
                 : cases[i].feed >= 0 ? fixture->feeds[cases[i].feed] : 0;
      g_string_truncate (fixture->events, 0);
      tidings_article_list_set_query (fixture->list, &query);
      g_assert_false (tidings_article_list_get_loaded (fixture->list));
      g_assert_cmpint (tidings_article_list_get_query (fixture->list)->kind, ==, query.kind);
      wait_idle (fixture);

      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==,
                        cases[i].expected);
      /* A new query is told as all rows gone, then all rows new. */
      if (previous > 0 && cases[i].expected > 0)
        expected_event = g_strdup_printf ("0-%u+0 0-0+%u", previous, cases[i].expected);
      else if (previous > 0)
        expected_event = g_strdup_printf ("0-%u+0", previous);
      else if (cases[i].expected > 0)
        expected_event = g_strdup_printf ("0-0+%u", cases[i].expected);
      else
        expected_event = g_strdup ("");
      g_assert_cmpstr (fixture->events->str, ==, expected_event);
      g_assert_cmpuint (library_count (fixture->library, &query), ==, cases[i].expected);
      previous = cases[i].expected;
    }

  /* Beyond the end there is nothing. */
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (fixture->list), previous));
}

static void
on_item_notify (GObject    *object,
                GParamSpec *pspec,
                GString    *log)
{
  (void) object;
  g_string_append_printf (log, "%s%s", log->len > 0 ? " " : "", pspec->name);
}

static void
test_placeholders (Fixture       *fixture,
                   gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL };
  g_autoptr(TidingsArticleItem) first = NULL;
  g_autoptr(TidingsArticleItem) far = NULL;
  g_autoptr(TidingsArticleItem) again = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  gint64 expected;

  (void) data;
  open_list (fixture, &query);
  /* The count came with the first page: it is there at once. */
  g_assert_cmpuint (_tidings_article_list_get_n_live_items (fixture->list), ==, PAGE);
  first = get_item (fixture, 0);
  g_assert_true (tidings_article_item_get_loaded (first));
  g_assert_cmpint (tidings_article_item_get_id (first), ==, article_at (fixture, 0));
  /* Newest first: today's articles of the last feed lead. */
  g_assert_cmpstr (tidings_article_item_get_title (first), ==, "Feed 4 article 999");
  g_assert_cmpstr (tidings_article_item_get_feed_title (first), ==, "Feed 4");
  g_assert_cmpint (tidings_article_item_get_subscription_id (first), ==, fixture->feeds[4]);
  g_assert_cmpstr (tidings_article_item_get_url (first), ==, "https://example.org/f4-999");
  g_assert_nonnull (tidings_article_item_get_excerpt (first));
  g_assert_cmpint (tidings_article_item_get_date (first), >, fixture->base);
  g_assert_false (tidings_article_item_get_read (first));

  /* Far down: a placeholder that fills in place. */
  far = get_item (fixture, 3000);
  g_assert_false (tidings_article_item_get_loaded (far));
  g_assert_null (tidings_article_item_get_title (far));
  g_signal_connect (far, "notify", G_CALLBACK (on_item_notify), log);
  again = get_item (fixture, 3001);
  g_assert_false (tidings_article_item_get_loaded (again));
  g_clear_object (&again);
  WAIT_UNTIL (tidings_article_item_get_loaded (far));
  g_signal_handlers_disconnect_by_data (far, log);

  expected = article_at (fixture, 3000);
  g_assert_cmpint (tidings_article_item_get_id (far), ==, expected);
  g_assert_nonnull (strstr (log->str, "title"));
  g_assert_true (g_str_has_suffix (log->str, "loaded"));
  again = get_item (fixture, 3000);
  g_assert_true (again == far);
  g_assert_cmpstr (fixture->events->str, ==, "");
  g_assert_cmpuint (_tidings_article_list_get_n_live_items (fixture->list), ==, 2 * PAGE);
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL };
  g_autoptr(TidingsArticleItem) held = NULL;
  guint positions[] = { 1000, N_ARTICLES - 1 };
  gint64 held_id;

  (void) data;
  open_list (fixture, &query);

  /* Only the pages asked for, and still held when the list gets to them,
   * are read and kept: GTK asks for items it drops at once (a selection
   * looking for its item among a reset's rows), and those are not read. */
  g_object_unref (get_item (fixture, 2000));
  {
    g_autoptr(GPtrArray) holding = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
      g_ptr_array_add (holding, get_item (fixture, positions[i]));
    wait_idle (fixture);
  }
  g_assert_cmpuint (_tidings_article_list_get_n_live_items (fixture->list), ==, 3 * PAGE);

  held = get_item (fixture, 1000);
  g_assert_true (tidings_article_item_get_loaded (held));
  held_id = tidings_article_item_get_id (held);

  /* Scrolling through every page keeps no more than about ten pages, plus
   * the item someone holds, which stays the same object. */
  for (guint position = 0; position < N_ARTICLES; position += PAGE)
    {
      g_autoptr(TidingsArticleItem) row = get_item (fixture, position);

      wait_idle (fixture);
      g_assert_cmpuint (_tidings_article_list_get_n_live_items (fixture->list), <=,
                        10 * PAGE + 1);
    }
  {
    g_autoptr(TidingsArticleItem) same = get_item (fixture, 1000);

    g_assert_true (same == held);
    g_assert_cmpint (tidings_article_item_get_id (same), ==, held_id);
  }
  g_assert_cmpstr (fixture->events->str, ==, "");
}

static void
test_marks (Fixture       *fixture,
            gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_UNREAD };
  g_autoptr(TidingsArticleItem) item = NULL;
  g_autoptr(TidingsArticleItem) other = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  guint n;

  (void) data;
  open_list (fixture, &query);
  n = g_list_model_get_n_items (G_LIST_MODEL (fixture->list));
  item = get_item (fixture, 5);
  other = get_item (fixture, 6);
  g_signal_connect (other, "notify", G_CALLBACK (on_item_notify), log);

  /* Read in an "unread only" list: the item says so and stays. */
  tidings_library_set_read (fixture->library, tidings_article_item_get_id (item), TRUE);
  WAIT_UNTIL (tidings_article_item_get_read (item));
  tidings_library_set_starred (fixture->library, tidings_article_item_get_id (item), TRUE);
  WAIT_UNTIL (tidings_article_item_get_starred (item));
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, n);
  {
    g_autoptr(TidingsArticleItem) same = get_item (fixture, 5);

    g_assert_true (same == item);
  }
  g_assert_cmpstr (fixture->events->str, ==, "");
  /* Its neighbour did not change, and was not told it did. */
  g_assert_cmpstr (log->str, ==, "");

  /* Back to unread. */
  tidings_library_set_read (fixture->library, tidings_article_item_get_id (item), FALSE);
  WAIT_UNTIL (!tidings_article_item_get_read (item));
  g_signal_handlers_disconnect_by_data (other, log);
}

typedef struct
{
  gint64  feed;
  gint64  date;
  guint   n;
  char   *prefix;
} NewArticles;

static void
new_articles_free (NewArticles *articles)
{
  g_free (articles->prefix);
  g_free (articles);
}

static gpointer
add_articles_func (TidingsStore  *store,
                   gpointer       data,
                   GError       **error)
{
  NewArticles *articles = data;

  (void) error;
  store_add_articles (store, articles->feed, articles->prefix, articles->prefix, 0,
                      articles->n, articles->date, g_get_real_time ());
  return GINT_TO_POINTER (TRUE);
}

static void
add_articles (Fixture    *fixture,
              guint       feed,
              const char *prefix,
              gint64      date,
              guint       n)
{
  NewArticles *articles = g_new0 (NewArticles, 1);

  articles->feed = fixture->feeds[feed];
  articles->prefix = g_strdup (prefix);
  articles->date = date;
  articles->n = n;
  g_string_truncate (fixture->events, 0);
  library_write (fixture->library, add_articles_func, articles,
                 (GDestroyNotify) new_articles_free, TIDINGS_LIBRARY_CHANGED_ARTICLES);
  WAIT_UNTIL (!_tidings_article_list_is_busy (fixture->list));
}

static void
test_new_at_top (Fixture       *fixture,
                 gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL };
  g_autoptr(TidingsArticleItem) top = NULL;
  g_autoptr(TidingsArticleItem) deeper = NULL;
  gint64 deeper_id;

  (void) data;
  open_list (fixture, &query);
  top = get_item (fixture, 0);
  deeper = get_item (fixture, PAGE + 50);
  WAIT_UNTIL (tidings_article_item_get_loaded (deeper));
  deeper_id = tidings_article_item_get_id (deeper);

  /* Three newer than any: inserted above, everything else kept. */
  add_articles (fixture, 1, "fresh", g_get_real_time () + MINUTE, 3);
  g_assert_cmpstr (fixture->events->str, ==, "0-0+3");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==,
                    N_ARTICLES + 3);
  {
    g_autoptr(TidingsArticleItem) moved = get_item (fixture, 3);
    g_autoptr(TidingsArticleItem) moved_deeper = get_item (fixture, PAGE + 53);
    g_autoptr(TidingsArticleItem) newest = get_item (fixture, 0);

    g_assert_true (moved == top);
    g_assert_true (moved_deeper == deeper);
    g_assert_cmpint (tidings_article_item_get_id (deeper), ==, deeper_id);
    g_assert_true (tidings_article_item_get_loaded (newest));
    g_assert_cmpstr (tidings_article_item_get_title (newest), ==, "fresh 2");
    g_assert_cmpint (tidings_article_item_get_id (newest), ==, article_at (fixture, 0));
    g_assert_cmpint (tidings_article_item_get_id (moved_deeper), ==,
                     article_at (fixture, PAGE + 53));
  }
  g_assert_cmpuint (tidings_article_list_find (fixture->list, deeper_id), ==, PAGE + 53);

  /* More than a page of them (a refresh of many feeds): the old first row
   * is past the first page now, and found there; still only an insertion. */
  add_articles (fixture, 2, "flood", g_get_real_time () + 10 * MINUTE, PAGE + 20);
  {
    g_autofree char *expected = g_strdup_printf ("0-0+%u", PAGE + 20);
    g_autoptr(TidingsArticleItem) moved = get_item (fixture, PAGE + 23);
    g_autoptr(TidingsArticleItem) newest = get_item (fixture, 0);

    g_assert_cmpstr (fixture->events->str, ==, expected);
    g_assert_true (moved == top);
    g_assert_cmpint (tidings_article_item_get_id (moved), ==, article_at (fixture, PAGE + 23));
    WAIT_UNTIL (tidings_article_item_get_loaded (newest));
    g_assert_cmpint (tidings_article_item_get_id (newest), ==, article_at (fixture, 0));
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==,
                    N_ARTICLES + 3 + PAGE + 20);

  /* One dated in the middle cannot be placed without reading everything:
   * the list starts again. */
  add_articles (fixture, 1, "backdated", fixture->base + 10 * DAY, 1);
  {
    g_autofree char *expected = g_strdup_printf ("0-%u+0 0-0+%u", N_ARTICLES + 3 + PAGE + 20,
                                                 N_ARTICLES + 3 + PAGE + 21);

    g_assert_cmpstr (fixture->events->str, ==, expected);
  }
  {
    g_autoptr(TidingsArticleItem) newest = get_item (fixture, 0);

    g_assert_cmpint (tidings_article_item_get_id (newest), ==, article_at (fixture, 0));
  }
}

static void
test_new_at_end (Fixture       *fixture,
                 gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL, .oldest_first = TRUE };
  g_autoptr(TidingsArticleItem) first = NULL;
  g_autoptr(TidingsArticleItem) last = NULL;

  (void) data;
  open_list (fixture, &query);
  first = get_item (fixture, 0);
  g_assert_cmpstr (tidings_article_item_get_title (first), ==, "Feed 0 article 0");

  add_articles (fixture, 2, "fresh", g_get_real_time () + MINUTE, 2);
  g_assert_cmpstr (fixture->events->str, ==, "5000-0+2");
  last = get_item (fixture, N_ARTICLES + 1);
  WAIT_UNTIL (tidings_article_item_get_loaded (last));
  g_assert_cmpstr (tidings_article_item_get_title (last), ==, "fresh 1");
  {
    g_autoptr(TidingsArticleItem) same = get_item (fixture, 0);

    g_assert_true (same == first);
  }
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL, .search = "zebra" };
  guint n;

  (void) data;
  open_list (fixture, &query);
  /* The list keeps its own copy of the words. */
  g_assert_true (tidings_article_list_get_query (fixture->list)->search != query.search);
  n = g_list_model_get_n_items (G_LIST_MODEL (fixture->list));
  g_assert_cmpuint (n, ==, 7);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TidingsArticleItem) item = get_item (fixture, i);

      g_assert_true (tidings_article_item_get_loaded (item));
      g_assert_nonnull (strstr (tidings_article_item_get_title (item), "zebra"));
    }

  /* Within the section (feeds 0 and 1): feed 0's three. */
  query.kind = TIDINGS_SCOPE_SECTION;
  query.id = fixture->section;
  tidings_article_list_set_query (fixture->list, &query);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 3);
  query.search = "nothing-like-this";
  tidings_article_list_set_query (fixture->list, &query);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
}

static void
test_find (Fixture       *fixture,
           gconstpointer  data)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL };
  g_autoptr(TidingsArticleItem) tenth = NULL;

  (void) data;
  open_list (fixture, &query);
  tenth = get_item (fixture, 10);
  g_assert_cmpuint (tidings_article_list_find (fixture->list, tidings_article_item_get_id (tenth)),
                    ==, 10);
  /* Among the rows loaded only. */
  g_assert_cmpuint (tidings_article_list_find (fixture->list, article_at (fixture, 4000)), ==,
                    G_MAXUINT);
  {
    g_autoptr(TidingsArticleItem) row = get_item (fixture, 4000);

    wait_idle (fixture);
  }
  g_assert_cmpuint (tidings_article_list_find (fixture->list, article_at (fixture, 4000)), ==,
                    4000);
  g_assert_cmpuint (tidings_article_list_find (fixture->list, -1), ==, G_MAXUINT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/article-list/counts", test_counts);
  ADD ("/article-list/placeholders", test_placeholders);
  ADD ("/article-list/pages", test_pages);
  ADD ("/article-list/marks", test_marks);
  ADD ("/article-list/new-at-top", test_new_at_top);
  ADD ("/article-list/new-at-end", test_new_at_end);
  ADD ("/article-list/search", test_search);
  ADD ("/article-list/find", test_find);

#undef ADD

  return g_test_run ();
}
