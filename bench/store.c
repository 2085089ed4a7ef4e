/* store.c: how fast the library answers once it holds 100,000 articles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fills a store in a temporary folder through tidings_store_apply_update(),
 * as refreshes would (rounds of 20 new items for every feed), then times the
 * calls the reading window makes, each the median of several runs, against
 * the floors of issue 3. Run by hand (bench/store), never as a test.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib/gstdio.h>

#include "tidings-store-private.h"

#define ITEMS_PER_ROUND 20
#define N_WORDS 5000
#define N_AUTHORS 300

static int n_articles = 100000;
static int n_feeds = 1000;
static int n_sections = 50;
static int n_runs = 7;
static char *keep_dir;

static const GOptionEntry options[] = {
  { "articles", 0, 0, G_OPTION_ARG_INT, &n_articles, "Articles to fill the store with", "N" },
  { "feeds", 0, 0, G_OPTION_ARG_INT, &n_feeds, "Feeds they come from", "N" },
  { "sections", 0, 0, G_OPTION_ARG_INT, &n_sections, "Sections the feeds sit in", "N" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &n_runs, "Runs of each measure (the median counts)", "N" },
  { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep_dir,
    "Leave the database in DIR (and reuse one left there before)", "DIR" },
  { NULL }
};

typedef struct
{
  GRand      *rand;
  char      **words;
  double     *cumulative;   /* Zipf weights, summed */
  char      **authors;
} Generator;

static char *
make_word (GRand *rand)
{
  static const char *const syllables[] = {
    "ka", "lo", "mi", "ter", "sun", "va", "rel", "do", "quin", "ba", "so", "ne", "tor", "li",
    "ga", "pe", "ru", "sha", "win", "ex", "al", "mor", "ti", "zen", "cu", "fa", "ho", "ir",
  };
  GString *word = g_string_new (NULL);
  int n = g_rand_int_range (rand, 2, 5);

  for (int i = 0; i < n; i++)
    g_string_append (word, syllables[g_rand_int_range (rand, 0, G_N_ELEMENTS (syllables))]);
  return g_string_free (word, FALSE);
}

static void
generator_init (Generator *gen)
{
  double sum = 0;

  gen->rand = g_rand_new_with_seed (20240603);
  gen->words = g_new0 (char *, N_WORDS + 1);
  gen->cumulative = g_new (double, N_WORDS);
  for (int i = 0; i < N_WORDS; i++)
    {
      g_autofree char *stem = make_word (gen->rand);

      gen->words[i] = g_strdup_printf ("%s%d", stem, i % 97);
      sum += 1.0 / (i + 1);
      gen->cumulative[i] = sum;
    }
  for (int i = 0; i < N_WORDS; i++)
    gen->cumulative[i] /= sum;
  gen->authors = g_new0 (char *, N_AUTHORS + 1);
  for (int i = 0; i < N_AUTHORS; i++)
    {
      g_autofree char *first = make_word (gen->rand);
      g_autofree char *last = make_word (gen->rand);

      gen->authors[i] = g_strdup_printf ("%c%s %c%s", 'A' + i % 26, first,
                                         'A' + (i / 26) % 26, last);
    }
}

/* A word drawn with Zipf's law, as words are in prose. */
static const char *
random_word (Generator *gen)
{
  double x = g_rand_double (gen->rand);
  int lo = 0;
  int hi = N_WORDS - 1;

  while (lo < hi)
    {
      int mid = (lo + hi) / 2;

      if (gen->cumulative[mid] < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return gen->words[lo];
}

static void
append_words (Generator *gen,
              GString   *out,
              int        n)
{
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, random_word (gen));
    }
}

static TidingsItem *
make_item (Generator *gen,
           int        feed,
           int        serial,
           gint64     now)
{
  TidingsItem *item = tidings_item_new ();
  TidingsAuthor *author = tidings_author_new ();
  GString *text = g_string_new (NULL);
  int n_paragraphs = g_rand_int_range (gen->rand, 2, 6);

  item->id = g_strdup_printf ("https://feed%d.example/posts/%d", feed, serial);
  item->url = g_strdup (item->id);
  append_words (gen, text, g_rand_int_range (gen->rand, 4, 10));
  item->title = g_strdup (text->str);

  g_string_truncate (text, 0);
  for (int p = 0; p < n_paragraphs; p++)
    {
      g_string_append (text, "<p>");
      append_words (gen, text, g_rand_int_range (gen->rand, 20, 60));
      if (p == 0)
        g_string_append_printf (text, " <a href=\"https://feed%d.example/more/%d\">more</a>",
                                feed, serial);
      g_string_append (text, "</p>");
    }
  item->content_html = g_string_free (text, FALSE);
  /* What a refresh brings is mostly from the last days. */
  item->date_published = now - g_rand_int_range (gen->rand, 0, 14 * 24) *
                               G_GINT64_CONSTANT (3600000000);
  author->name = g_strdup (gen->authors[g_rand_int_range (gen->rand, 0, N_AUTHORS)]);
  g_ptr_array_add (item->authors, author);
  tidings_item_add_tag (item, random_word (gen));
  tidings_item_add_tag (item, random_word (gen));
  return item;
}

static gint64
now_usec (void)
{
  return g_get_monotonic_time ();
}

/* CPU time of this thread: on a shared machine wall time also counts
 * everyone else's work. */
static gint64
cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000) + ts.tv_nsec / 1000;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
median_ms (GArray *times)
{
  g_array_sort (times, compare_gint64);
  return g_array_index (times, gint64, times->len / 2) / 1000.0;
}

static gboolean all_pass = TRUE;

static void
report (const char *measure,
        double      ms,
        double      floor_ms)
{
  gboolean pass = floor_ms <= 0 || ms <= floor_ms;

  if (floor_ms > 0)
    printf ("%-48s %9.2f ms  %7.0f ms  %s\n", measure, ms, floor_ms, pass ? "PASS" : "FAIL");
  else
    printf ("%-48s %9.2f ms  %10s  %s\n", measure, ms, "-", "info");
  all_pass &= pass;
}

static void
check (gboolean    ok,
       GError     *error,
       const char *what)
{
  if (ok)
    return;
  g_printerr ("bench/store: %s failed: %s\n", what, error != NULL ? error->message : "?");
  exit (2);
}

typedef gboolean (*Measure) (TidingsStore *store, gpointer data, GError **error);

/* Times @measure @n_runs times; @before (untimed) runs ahead of each. */
static double
time_runs (TidingsStore *store,
           Measure       measure,
           Measure       before,
           gpointer      data,
           const char   *what)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (int run = 0; run < n_runs; run++)
    {
      GError *error = NULL;
      gint64 start;
      gint64 elapsed;

      if (before != NULL)
        check (before (store, data, &error), error, what);
      start = now_usec ();
      check (measure (store, data, &error), error, what);
      elapsed = now_usec () - start;
      g_array_append_val (times, elapsed);
    }
  return median_ms (times);
}

static gboolean
measure_unread_counts (TidingsStore  *store,
                       gpointer       data,
                       GError       **error)
{
  g_autoptr(GArray) feeds = NULL;
  g_autoptr(GArray) sections = NULL;
  guint all = 0;

  if (!tidings_store_unread_counts (store, &feeds, &sections, &all, error))
    return FALSE;
  g_assert (feeds->len == (guint) n_feeds);
  return TRUE;
}

static gboolean
measure_query (TidingsStore  *store,
               gpointer       data,
               GError       **error)
{
  g_autoptr(GPtrArray) rows = tidings_store_query_articles (store, data, 0, 200, error);

  return rows != NULL;
}

static gboolean
measure_count (TidingsStore  *store,
               gpointer       data,
               GError       **error)
{
  guint count;

  return tidings_store_count_articles (store, data, &count, error);
}

static gboolean
measure_mark_all_read (TidingsStore  *store,
                       gpointer       data,
                       GError       **error)
{
  TidingsArticleQuery all = { TIDINGS_SCOPE_ALL, };

  return tidings_store_mark_read (store, &all, error);
}

/* Untimed: everything unread again, counters included. */
static gboolean
mark_all_unread (TidingsStore  *store,
                 gpointer       data,
                 GError       **error)
{
  return _tidings_store_exec (store, "UPDATE article_states SET read = 0, read_at = 0;"
                              "UPDATE subscriptions SET unread_count = article_count", error);
}

static gboolean
measure_quick_check (TidingsStore  *store,
                     gpointer       data,
                     GError       **error)
{
  return _tidings_store_exec (store, "PRAGMA quick_check", error);
}

static gboolean
measure_open (TidingsStore  *unused,
              gpointer       data,
              GError       **error)
{
  TidingsArticleQuery all = { TIDINGS_SCOPE_ALL, };
  g_autoptr(TidingsStore) store = tidings_store_open (data, error);
  g_autoptr(GPtrArray) rows = NULL;

  if (store == NULL)
    return FALSE;
  rows = tidings_store_query_articles (store, &all, 0, 200, error);
  return rows != NULL;
}

/* Two words the generator uses about as often as a person would search
 * for: neither rare nor everywhere. */
static char *
pick_search (Generator *gen)
{
  return g_strdup_printf ("%s %s", gen->words[40], gen->words[120]);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- time the Tidings library");
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsStore) store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *search = NULL;
  g_autoptr(GArray) section_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) feed_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  Generator gen = { 0, };
  gint64 now = g_get_real_time ();
  gint64 prepare_time = 0;
  gint64 merge_time = 0;
  gint64 first_round_merge = 0;
  gint64 first_round_cpu = 0;
  gint64 merge_cpu = 0;
  int n_rounds;
  int serial = 0;
  gboolean reuse;
  guint count = 0;

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench/store: %s\n", error->message);
      return 2;
    }
  if (n_feeds < 1 || n_sections < 1 || n_runs < 1 || n_articles < n_feeds)
    {
      g_printerr ("bench/store: the counts must be positive, with at least one article a feed\n");
      return 2;
    }
  n_rounds = MAX (1, n_articles / (n_feeds * ITEMS_PER_ROUND));

  if (keep_dir != NULL)
    {
      g_mkdir_with_parents (keep_dir, 0700);
      dir = g_strdup (keep_dir);
    }
  else
    {
      dir = g_dir_make_tmp ("tidings-bench-store.XXXXXX", &error);
      check (dir != NULL, error, "creating a temporary folder");
    }
  path = g_build_filename (dir, "tidings.db", NULL);
  reuse = keep_dir != NULL && g_file_test (path, G_FILE_TEST_EXISTS);

  generator_init (&gen);
  store = tidings_store_open (path, &error);
  check (store != NULL, error, "opening the store");

  /* About a fifth of the sections sit inside another. */
  for (int i = 0; i < n_sections && !reuse; i++)
    {
      g_autofree char *title = g_strdup_printf ("Section %d", i);
      gint64 parent = 0;
      gint64 id;

      if (i >= n_sections - n_sections / 5)
        parent = g_array_index (section_ids, gint64, i % (n_sections - n_sections / 5));
      id = tidings_store_add_section (store, title, parent, &error);
      check (id != 0, error, "adding a section");
      g_array_append_val (section_ids, id);
    }
  for (int i = 0; i < n_feeds && !reuse; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://feed%d.example/feed.xml", i);
      g_autofree char *title = g_strdup_printf ("Feed %d", i);
      gint64 id = tidings_store_add_subscription (store, url, title,
                                                  g_array_index (section_ids, gint64,
                                                                 i % n_sections), &error);

      check (id != 0, error, "adding a subscription");
      g_array_append_val (feed_ids, id);
    }

  if (reuse)
    {
      g_autoptr(GPtrArray) sections = tidings_store_list_sections (store, &error);
      g_autoptr(GPtrArray) feeds = tidings_store_list_subscriptions (store, &error);

      check (sections != NULL && feeds != NULL, error, "listing");
      for (guint i = 0; i < sections->len; i++)
        g_array_append_val (section_ids, ((TidingsSection *) sections->pdata[i])->id);
      for (guint i = 0; i < feeds->len; i++)
        g_array_append_val (feed_ids, ((TidingsSubscription *) feeds->pdata[i])->id);
      n_feeds = feeds->len;
      n_rounds = 0;
      printf ("bench/store: reusing %s\n", path);
    }
  else
    printf ("bench/store: filling %s with %d articles over %d feeds in %d sections\n",
            path, n_rounds * n_feeds * ITEMS_PER_ROUND, n_feeds, n_sections);
  for (int round = 0; round < n_rounds; round++)
    {
      gint64 round_merge = 0;
      gint64 round_cpu = 0;

      for (int i = 0; i < n_feeds; i++)
        {
          g_autoptr(TidingsFeedUpdate) update =
            tidings_feed_update_new (g_array_index (feed_ids, gint64, i));
          TidingsMergeStats stats;
          gint64 start;
          gint64 cpu_start;
          gboolean ok;

          update->fetched_at = now - (n_rounds - round) * G_GINT64_CONSTANT (3600000000);
          update->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
          for (int k = 0; k < ITEMS_PER_ROUND; k++)
            g_ptr_array_add (update->items, make_item (&gen, i, serial++, update->fetched_at));
          update->etag = g_strdup_printf ("\"%d-%d\"", i, round);

          /* Refresh workers prepare updates in parallel; the writer only
           * merges. Both are timed, apart. */
          start = now_usec ();
          tidings_feed_update_prepare (update);
          prepare_time += now_usec () - start;

          start = now_usec ();
          cpu_start = cpu_usec ();
          ok = tidings_store_apply_update (store, update, &stats, &error);
          round_merge += now_usec () - start;
          round_cpu += cpu_usec () - cpu_start;
          check (ok, error, "merging an update");
          g_assert (stats.added == ITEMS_PER_ROUND);
        }
      if (round == 0)
        {
          first_round_merge = round_merge;
          first_round_cpu = round_cpu;
        }
      merge_time += round_merge;
      merge_cpu += round_cpu;
    }

  {
    TidingsArticleQuery all = { TIDINGS_SCOPE_ALL, };

    check (tidings_store_count_articles (store, &all, &count, &error), error, "counting");
  }
  printf ("filled in %.2f s: preparing %.2f s, merging %.2f s (CPU %.2f s)\n",
          (prepare_time + merge_time) / 1e6, prepare_time / 1e6, merge_time / 1e6,
          merge_cpu / 1e6);
  printf ("first round, %d feeds x %d new items merged into an empty store: %.0f ms "
          "(CPU %.0f ms)\n", n_feeds, ITEMS_PER_ROUND, first_round_merge / 1000.0,
          first_round_cpu / 1000.0);
  printf ("%u articles stored\n\n", count);

  /* Close and reopen, as the application starts on a library it has. */
  g_clear_object (&store);
  store = tidings_store_open (path, &error);
  check (store != NULL, error, "reopening the store");

  printf ("%-48s %12s  %10s  %s\n", "measure (median of runs)", "time", "floor", "result");
  {
    TidingsArticleQuery all = { TIDINGS_SCOPE_ALL, };
    TidingsArticleQuery unread = { TIDINGS_SCOPE_UNREAD, };
    TidingsArticleQuery section = { TIDINGS_SCOPE_SECTION, g_array_index (section_ids, gint64, 0) };
    TidingsArticleQuery feed = { TIDINGS_SCOPE_SUBSCRIPTION, g_array_index (feed_ids, gint64, 7) };
    TidingsArticleQuery today = { TIDINGS_SCOPE_TODAY, };
    TidingsArticleQuery starred = { TIDINGS_SCOPE_STARRED, };
    TidingsArticleQuery found = { TIDINGS_SCOPE_ALL, };
    g_autofree char *search_label = NULL;
    guint n_found = 0;

    search = pick_search (&gen);
    found.search = search;
    check (tidings_store_count_articles (store, &found, &n_found, &error), error, "counting");
    search_label = g_strdup_printf ("search for two words (%u matches)", n_found);
    g_debug ("Searching for “%s”", search);

    report ("unread counts, every feed and section",
            time_runs (store, measure_unread_counts, NULL, NULL, "unread counts"), 5);
    report ("first 200 rows of All, newest first",
            time_runs (store, measure_query, NULL, &all, "query"), 5);
    report (search_label, time_runs (store, measure_query, NULL, &found, "search"), 20);
    report ("mark all articles read",
            time_runs (store, measure_mark_all_read, mark_all_unread, NULL, "mark read"), 300);
    g_clear_object (&store);
    report ("open the library until a first query ran",
            time_runs (NULL, measure_open, NULL, path, "open"), 50);
    store = tidings_store_open (path, &error);
    check (store != NULL, error, "reopening the store");

    printf ("\nmore, without floors:\n");
    report ("first 200 rows of a section",
            time_runs (store, measure_query, NULL, &section, "query"), 0);
    report ("first 200 rows of a feed", time_runs (store, measure_query, NULL, &feed, "query"), 0);
    report ("first 200 rows of Today",
            time_runs (store, measure_query, NULL, &today, "query"), 0);
    report ("first 200 rows of Starred",
            time_runs (store, measure_query, NULL, &starred, "query"), 0);
    report ("first 200 rows of Unread (none unread)",
            time_runs (store, measure_query, NULL, &unread, "query"), 0);
    check (mark_all_unread (store, NULL, &error), error, "marking unread");
    report ("first 200 rows of Unread (all unread)",
            time_runs (store, measure_query, NULL, &unread, "query"), 0);
    report ("count of a search", time_runs (store, measure_count, NULL, &found, "count"), 0);
    {
      TidingsArticleQuery common = { TIDINGS_SCOPE_ALL, .search = gen.words[0] };
      TidingsArticleQuery rare = { TIDINGS_SCOPE_ALL, .search = gen.words[N_WORDS - 1] };
      g_autofree char *common_label = NULL;
      g_autofree char *rare_label = NULL;
      guint n_common = 0;
      guint n_rare = 0;

      check (tidings_store_count_articles (store, &common, &n_common, &error), error, "counting");
      check (tidings_store_count_articles (store, &rare, &n_rare, &error), error, "counting");
      common_label = g_strdup_printf ("search for a common word (%u matches)", n_common);
      rare_label = g_strdup_printf ("search for a rare word (%u matches)", n_rare);
      report (common_label, time_runs (store, measure_query, NULL, &common, "search"), 0);
      report (rare_label, time_runs (store, measure_query, NULL, &rare, "search"), 0);
    }
    report ("PRAGMA quick_check (not run when opening)",
            time_runs (store, measure_quick_check, NULL, NULL, "quick_check"), 0);
  }

  g_clear_object (&store);

  /* The same first round again into a new store, the way a refresh can
   * merge: a transaction around every 50 feeds, a savepoint for each. */
  {
    g_autofree char *batched_path = g_build_filename (dir, "batched.db", NULL);
    g_autoptr(TidingsStore) batched = NULL;
    gint64 wall = 0;
    gint64 cpu = 0;

    g_unlink (batched_path);
    batched = tidings_store_open (batched_path, &error);
    check (batched != NULL, error, "opening a second store");
    for (int i = 0; i < n_feeds; i++)
      {
        g_autofree char *url = g_strdup_printf ("https://feed%d.example/feed.xml", i);
        gint64 id = tidings_store_add_subscription (batched, url, NULL, 0, &error);

        check (id != 0, error, "adding a subscription");
        g_array_index (feed_ids, gint64, i) = id;
      }
    for (int i = 0; i < n_feeds; i++)
      {
        g_autoptr(TidingsFeedUpdate) update =
          tidings_feed_update_new (g_array_index (feed_ids, gint64, i));
        gint64 start;
        gint64 cpu_start;

        update->fetched_at = now;
        update->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
        for (int k = 0; k < ITEMS_PER_ROUND; k++)
          g_ptr_array_add (update->items, make_item (&gen, i, serial++, now));
        tidings_feed_update_prepare (update);

        start = now_usec ();
        cpu_start = cpu_usec ();
        if (i % 50 == 0)
          check (tidings_store_begin (batched, &error), error, "beginning");
        check (tidings_store_apply_update (batched, update, NULL, &error), error, "merging");
        if (i % 50 == 49 || i == n_feeds - 1)
          check (tidings_store_commit (batched, &error), error, "committing");
        if (i == n_feeds - 1)
          check (tidings_store_update_search_index (batched, &error), error, "indexing");
        wall += now_usec () - start;
        cpu += cpu_usec () - cpu_start;
      }
    printf ("\n%d feeds x %d new items merged in transactions of 50 feeds: %.0f ms (CPU %.0f ms)\n",
            n_feeds, ITEMS_PER_ROUND, wall / 1000.0, cpu / 1000.0);
    g_clear_object (&batched);
    if (keep_dir == NULL)
      {
        g_autofree char *wal = g_strconcat (batched_path, "-wal", NULL);
        g_autofree char *shm = g_strconcat (batched_path, "-shm", NULL);

        g_unlink (wal);
        g_unlink (shm);
        g_unlink (batched_path);
      }
  }

  if (keep_dir == NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (path);
      g_rmdir (dir);
    }
  printf ("\n%s\n", all_pass ? "all floors met" : "SOME FLOORS FAILED");
  return all_pass ? 0 : 1;
}
