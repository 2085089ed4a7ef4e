/* test-store.c: the SQLite library of sections, subscriptions and articles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every case works on real database files in its own temporary
 * XDG_DATA_HOME. After each change the counters the store keeps are checked
 * against counts made the slow way, and the search index against its
 * content.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tidings-store-private.h"

#define DAY (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)
#define HOUR (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

/* ---- Helpers ---- */

static TidingsStore *
open_default (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(GError) error = NULL;
  TidingsStore *store = tidings_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static char *
data_path (const char *name)
{
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  return g_build_filename (g_get_user_data_dir (), name, NULL);
}

static gint64 sql_int (TidingsStore *store,
                       const char   *format,
                       ...) G_GNUC_PRINTF (2, 3);

static gint64
sql_int (TidingsStore *store,
         const char   *format,
         ...)
{
  sqlite3 *db = _tidings_store_get_db (store);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  va_list args;
  gint64 value;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
sql_exec (TidingsStore *store,
          const char   *sql)
{
  g_autoptr(GError) error = NULL;

  _tidings_store_exec (store, sql, &error);
  g_assert_no_error (error);
}

/* The counters and the search index, against the slow truth. */
static void
check_counts (TidingsStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) feed_counts = NULL;
  g_autoptr(GArray) section_counts = NULL;
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GPtrArray) sections = NULL;
  TidingsArticleQuery unread = { TIDINGS_SCOPE_UNREAD, };
  guint all = 0;
  guint counted = 0;

  g_assert_true (tidings_store_unread_counts (store, &feed_counts, &section_counts, &all,
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpint (all, ==, sql_int (store, "SELECT count(*) FROM article_states WHERE read = 0"));
  tidings_store_count_articles (store, &unread, &counted, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counted, ==, all);

  /* No orphans on either side. */
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles"), ==,
                   sql_int (store, "SELECT count(*) FROM article_states"));
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles"), ==,
                   sql_int (store, "SELECT count(*) FROM article_contents"));
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM article_states s"
                            " JOIN articles a ON a.id = s.article_id"
                            " WHERE a.subscription_id <> s.subscription_id"), ==, 0);

  g_assert_cmpint (feed_counts->len, ==, sql_int (store, "SELECT count(*) FROM subscriptions"));
  for (guint i = 0; i < feed_counts->len; i++)
    {
      TidingsUnreadCount *count = &g_array_index (feed_counts, TidingsUnreadCount, i);
      g_autoptr(TidingsSubscription) subscription = NULL;

      g_assert_cmpint (count->unread, ==,
                       sql_int (store, "SELECT count(*) FROM articles a"
                                " JOIN article_states s ON s.article_id = a.id"
                                " WHERE a.subscription_id = %" G_GINT64_FORMAT
                                " AND s.read = 0", count->id));
      subscription = tidings_store_get_subscription (store, count->id, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (subscription->unread_count, ==, count->unread);
      g_assert_cmpint (subscription->article_count, ==,
                       sql_int (store, "SELECT count(*) FROM articles"
                                " WHERE subscription_id = %" G_GINT64_FORMAT, count->id));
    }

  g_assert_cmpint (section_counts->len, ==, sql_int (store, "SELECT count(*) FROM sections"));
  sections = tidings_store_list_sections (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sections->len, ==, section_counts->len);
  for (guint i = 0; i < section_counts->len; i++)
    {
      TidingsUnreadCount *count = &g_array_index (section_counts, TidingsUnreadCount, i);
      gint64 expected = sql_int (store, "SELECT count(*) FROM articles a"
                                 " JOIN article_states s ON s.article_id = a.id"
                                 " JOIN subscriptions f ON f.id = a.subscription_id"
                                 " WHERE s.read = 0 AND (f.section_id = %" G_GINT64_FORMAT
                                 " OR f.section_id IN (SELECT id FROM sections"
                                 "  WHERE parent_id = %" G_GINT64_FORMAT "))",
                                 count->id, count->id);

      g_assert_cmpint (count->unread, ==, expected);
      for (guint j = 0; j < sections->len; j++)
        {
          TidingsSection *section = sections->pdata[j];

          if (section->id == count->id)
            g_assert_cmpint (section->unread_count, ==, expected);
        }
    }

  /* Every article indexed once its turn comes, and nothing else. */
  g_assert_true (tidings_store_update_search_index (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM search_pending"), ==, 0);
  sql_exec (store, "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)");
}

static TidingsItem *
new_item (const char *guid,
          const char *title,
          const char *html,
          gint64      date)
{
  TidingsItem *item = tidings_item_new ();

  item->id = g_strdup (guid);
  item->url = g_strdup_printf ("https://example.org/%s", guid);
  item->title = g_strdup (title);
  item->content_html = g_strdup (html);
  item->date_published = date;
  return item;
}

static TidingsFeedUpdate *
new_update (gint64 subscription_id,
            gint64 fetched_at,
            ...)
{
  TidingsFeedUpdate *update = tidings_feed_update_new (subscription_id);
  TidingsItem *item;
  va_list args;

  update->fetched_at = fetched_at;
  update->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
  va_start (args, fetched_at);
  while ((item = va_arg (args, TidingsItem *)) != NULL)
    g_ptr_array_add (update->items, item);
  va_end (args);
  return update;
}

static TidingsMergeStats
apply (TidingsStore      *store,
       TidingsFeedUpdate *update)
{
  g_autoptr(GError) error = NULL;
  TidingsMergeStats stats = { 99, 99, 99 };

  g_assert_true (tidings_store_apply_update (store, update, &stats, &error));
  g_assert_no_error (error);
  tidings_feed_update_free (update);
  return stats;
}

#define assert_stats(stats, a, u, s) \
  G_STMT_START { \
    TidingsMergeStats _stats = (stats); \
    g_assert_cmpuint (_stats.added, ==, (a)); \
    g_assert_cmpuint (_stats.updated, ==, (u)); \
    g_assert_cmpuint (_stats.unchanged, ==, (s)); \
  } G_STMT_END

/* Checks what the last call failed with, and clears it for the next. */
#define assert_store_error(error, code) \
  G_STMT_START { \
    g_assert_error ((error), TIDINGS_STORE_ERROR, (code)); \
    g_clear_error (&(error)); \
  } G_STMT_END

static gint64
add_feed (TidingsStore *store,
          const char   *url,
          const char   *title,
          gint64        section_id)
{
  g_autoptr(GError) error = NULL;
  gint64 id = tidings_store_add_subscription (store, url, title, section_id, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
add_subscription (TidingsStore *store,
                  const char   *url,
                  gint64        section_id)
{
  return add_feed (store, url, NULL, section_id);
}

static gint64
add_section (TidingsStore *store,
             const char   *title,
             gint64        parent_id)
{
  g_autoptr(GError) error = NULL;
  gint64 id = tidings_store_add_section (store, title, parent_id, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
article_id (TidingsStore *store,
            gint64        subscription_id,
            const char   *guid)
{
  sqlite3 *db = _tidings_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM articles"
                                       " WHERE subscription_id = ?1 AND guid = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, subscription_id);
  sqlite3_bind_text (stmt, 2, guid, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return id;
}

static void
set_read (TidingsStore *store,
          gint64        subscription_id,
          const char   *guid,
          gboolean      read)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tidings_store_set_read (store, article_id (store, subscription_id, guid), read,
                                         &error));
  g_assert_no_error (error);
}

static void
set_starred (TidingsStore *store,
             gint64        subscription_id,
             const char   *guid)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tidings_store_set_starred (store, article_id (store, subscription_id, guid), TRUE,
                                            &error));
  g_assert_no_error (error);
}

static void
mark_read (TidingsStore              *store,
           const TidingsArticleQuery *q)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tidings_store_mark_read (store, q, &error));
  g_assert_no_error (error);
}

static TidingsSubscription *
get_subscription (TidingsStore *store,
                  gint64        id)
{
  g_autoptr(GError) error = NULL;
  TidingsSubscription *subscription = tidings_store_get_subscription (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (subscription);
  return subscription;
}

/* Applies @update and reads back what its subscription holds then. */
static TidingsSubscription *
apply_and_get (TidingsStore      *store,
               TidingsFeedUpdate *update)
{
  gint64 id = update->subscription_id;

  apply (store, update);
  return get_subscription (store, id);
}

/* What a fetch that brought no new body (not modified, or failed) leaves. */
static TidingsFeedUpdate *
bare_update (gint64 subscription_id,
             gint64 fetched_at)
{
  TidingsFeedUpdate *update = tidings_feed_update_new (subscription_id);

  update->fetched_at = fetched_at;
  return update;
}

static GPtrArray *
query (TidingsStore              *store,
       const TidingsArticleQuery *q,
       guint                      offset,
       guint                      limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = tidings_store_query_articles (store, q, offset, limit, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  return rows;
}

static guint
count (TidingsStore              *store,
       const TidingsArticleQuery *q)
{
  g_autoptr(GError) error = NULL;
  guint n = G_MAXUINT;

  g_assert_true (tidings_store_count_articles (store, q, &n, &error));
  g_assert_no_error (error);
  return n;
}

/* The guids of the rows, space-separated, for compact assertions. */
static char *
guids_of (GPtrArray *rows)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      TidingsArticleRow *row = rows->pdata[i];

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, row->guid);
    }
  return g_string_free (out, FALSE);
}

static char *
query_guids (TidingsStore              *store,
             const TidingsArticleQuery *q)
{
  g_autoptr(GPtrArray) rows = query (store, q, 0, 1000);

  g_assert_cmpuint (count (store, q), ==, rows->len);
  return guids_of (rows);
}

#define assert_query(store, q, expected) \
  G_STMT_START { \
    g_autofree char *_guids = query_guids ((store), (q)); \
    g_assert_cmpstr (_guids, ==, (expected)); \
  } G_STMT_END

/* A list and the guids it must show, for tables of cases. */
typedef struct
{
  TidingsArticleQuery query;
  const char         *expected;
} QueryCase;

static void
assert_queries (TidingsStore    *store,
                const QueryCase *cases,
                gsize            n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_test_message ("case %" G_GSIZE_FORMAT, i);
      assert_query (store, &cases[i].query, cases[i].expected);
    }
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
assert_file_unchanged (const char *path,
                       GBytes     *before)
{
  g_autoptr(GBytes) after = read_file (path);

  g_assert_true (g_bytes_equal (before, after));
}

static void
write_raw_db (const char *path,
              const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static char *
pragma_text (TidingsStore *store,
             const char   *pragma)
{
  sqlite3 *db = _tidings_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, pragma, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* ---- Opening and migrating ---- */

static void
test_open_create (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), DATA_DIR_NAME,
                                                "tidings.db", NULL);
  g_autofree char *journal = NULL;
  g_autoptr(TidingsStore) store = NULL;

  g_assert_cmpstr (path, ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  store = open_default ();
  g_assert_cmpstr (tidings_store_get_path (store), ==, path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  journal = pragma_text (store, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");
  g_assert_cmpint (sql_int (store, "PRAGMA synchronous"), ==, 1);
  g_assert_cmpint (sql_int (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (sql_int (store, "PRAGMA busy_timeout"), >=, 5000);
  g_assert_cmpint (sql_int (store, "PRAGMA user_version"), ==, TIDINGS_STORE_SCHEMA_VERSION);
  check_counts (store);

  /* Open again: the data is there and nothing is migrated twice. */
  add_section (store, "Kept", 0);
  g_clear_object (&store);
  store = open_default ();
  g_assert_cmpint (tidings_store_find_section (store, "Kept", 0), >, 0);
}

static void
test_open_empty_file (void)
{
  g_autofree char *path = data_path ("empty.db");
  g_autoptr(TidingsStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  store = tidings_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (store, "PRAGMA user_version"), ==, TIDINGS_STORE_SCHEMA_VERSION);
  add_subscription (store, "https://example.org/feed", 0);
  check_counts (store);
}

/* What a database at each older version holds, for the migration test.
 * When version N + 1 is added, add a filler and a check for version N. */
static void
fill_version (const char *path,
              guint       version)
{
  switch (version)
    {
    case 0:
      /* Nothing: a version-0 database is empty. */
      break;
    case 1:
      /* A subscription whose feed named an icon, as version 1 wrote it. */
      write_raw_db (path,
                    "INSERT INTO sections (id, parent_id, position, title)"
                    "  VALUES (1, NULL, 0, 'News');"
                    "INSERT INTO subscriptions (id, section_id, position, url, feed_title,"
                    "                           icon_url, etag)"
                    "  VALUES (7, 1, 0, 'https://v1.example/feed', 'Version one',"
                    "          'https://v1.example/icon.png', '\"v1\"');");
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
check_version (TidingsStore *store,
               guint         version)
{
  switch (version)
    {
    case 0:
      g_assert_cmpint (sql_int (store, "SELECT count(*) FROM subscriptions"), ==, 0);
      break;
    case 1:
      {
        g_autoptr(TidingsSubscription) feed = NULL;
        g_autoptr(GHashTable) icons = NULL;
        g_autoptr(TidingsIcon) stored = NULL;
        g_autoptr(GError) error = NULL;
        TidingsIcon icon = { 7, .url = (char *) "https://v1.example/icon.png",
                             .content_type = (char *) "image/png", .fetched_at = 1000 };

        feed = tidings_store_find_subscription (store, "https://v1.example/feed");
        g_assert_nonnull (feed);
        g_assert_cmpint (feed->id, ==, 7);
        g_assert_cmpstr (feed->icon_url, ==, "https://v1.example/icon.png");
        g_assert_cmpstr (feed->etag, ==, "\"v1\"");
        /* Version 2 adds the icons, none fetched yet. */
        icons = tidings_store_list_icons (store, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (g_hash_table_size (icons), ==, 0);
        icon.data = g_bytes_new_static ("\x89PNG", 4);
        g_assert_true (tidings_store_set_icon (store, &icon, &error));
        g_assert_no_error (error);
        g_bytes_unref (icon.data);
        stored = tidings_store_get_icon (store, 7, &error);
        g_assert_no_error (error);
        g_assert_nonnull (stored);
        g_assert_cmpuint (g_bytes_get_size (stored->data), ==, 4);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
test_migrate_every_version (void)
{
  for (guint version = 0; version < TIDINGS_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *name = g_strdup_printf ("version-%u.db", version);
      g_autofree char *path = data_path (name);
      g_autoptr(TidingsStore) store = NULL;
      g_autoptr(TidingsStore) fresh = NULL;
      g_autofree char *fresh_path = data_path ("fresh.db");
      g_autoptr(GError) error = NULL;
      const char *schema_sql = "SELECT group_concat (type || name || ifnull (sql, ''), ';')"
                               " FROM (SELECT * FROM sqlite_master ORDER BY name)";

      g_test_message ("from version %u", version);
      g_assert_true (_tidings_store_create_at_version (path, version, &error));
      g_assert_no_error (error);
      fill_version (path, version);

      store = tidings_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (sql_int (store, "PRAGMA user_version"), ==, TIDINGS_STORE_SCHEMA_VERSION);
      check_version (store, version);
      check_counts (store);

      /* The migrated schema is the one a new library gets. */
      fresh = tidings_store_open (fresh_path, &error);
      g_assert_no_error (error);
      {
        g_autofree char *migrated = pragma_text (store, schema_sql);
        g_autofree char *created = pragma_text (fresh, schema_sql);

        g_assert_cmpstr (migrated, ==, created);
      }
    }
}

/* A stand-in for the next version's migration: a column and a table. */
static gboolean
create_notes_table (sqlite3  *db,
                    GError  **error)
{
  if (sqlite3_exec (db, "CREATE TABLE notes (article_id INTEGER, note TEXT)",
                    NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED, "%s",
               sqlite3_errmsg (db));
  return FALSE;
}

static void
fill_library (TidingsStore *store,
              gint64        now)
{
  gint64 section = add_section (store, "News", 0);
  gint64 feed = add_subscription (store, "https://news.example/feed", section);

  apply (store, new_update (feed, now,
                            new_item ("a", "Harbour opens", "<p>Ships arrive</p>", now - HOUR),
                            new_item ("b", "Fog warning", "<p>Low visibility</p>", now - 2 * HOUR),
                            new_item ("c", "Market day", "<p>Fish and bread</p>", now - 3 * HOUR),
                            NULL));
  set_read (store, feed, "a", TRUE);
  set_starred (store, feed, "b");
}

static void
check_library (TidingsStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsSubscription) feed = NULL;
  g_autoptr(TidingsArticle) a = NULL;
  g_autoptr(TidingsArticle) b = NULL;
  TidingsArticleQuery search = { TIDINGS_SCOPE_ALL, .search = "harbour" };

  feed = tidings_store_find_subscription (store, "https://news.example/feed");
  g_assert_nonnull (feed);
  g_assert_cmpuint (feed->article_count, ==, 3);
  g_assert_cmpuint (feed->unread_count, ==, 2);
  a = tidings_store_get_article (store, article_id (store, feed->id, "a"), &error);
  g_assert_no_error (error);
  g_assert_true (a->read);
  b = tidings_store_get_article (store, article_id (store, feed->id, "b"), &error);
  g_assert_no_error (error);
  g_assert_true (b->starred);
  assert_query (store, &search, "a");
  check_counts (store);
}

static void
test_migrate_next_version (void)
{
  g_autofree char *path = data_path ("next.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  TidingsStoreMigration steps[TIDINGS_STORE_SCHEMA_VERSION + 2];
  const TidingsStoreMigration *known;
  TidingsStore *store;
  guint n_known;

  known = _tidings_store_get_migrations (&n_known);
  g_assert_cmpuint (n_known, ==, TIDINGS_STORE_SCHEMA_VERSION);
  memcpy (steps, known, n_known * sizeof *steps);
  steps[n_known].sql = "ALTER TABLE subscriptions ADD COLUMN note TEXT;"
                       "UPDATE subscriptions SET note = 'migrated'";
  steps[n_known].run = NULL;
  steps[n_known + 1].sql = NULL;
  steps[n_known + 1].run = create_notes_table;

  store = tidings_store_open (path, &error);
  g_assert_no_error (error);
  fill_library (store, g_get_real_time ());
  g_object_unref (store);

  /* A step that fails leaves the library as it was. */
  {
    TidingsStoreMigration broken[TIDINGS_STORE_SCHEMA_VERSION + 1];

    memcpy (broken, known, n_known * sizeof *broken);
    broken[n_known].sql = "ALTER TABLE subscriptions ADD COLUMN fine TEXT; NOT SQL AT ALL";
    broken[n_known].run = NULL;
    store = _tidings_store_open_with_migrations (path, broken, n_known + 1, &error);
    g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "Could not upgrade"));
    g_assert_null (store);
    g_clear_error (&error);
    store = tidings_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (sql_int (store, "PRAGMA user_version"), ==, n_known);
    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM pragma_table_info ('subscriptions')"
                              " WHERE name = 'fine'"), ==, 0);
    g_object_unref (store);
  }

  store = _tidings_store_open_with_migrations (path, steps, n_known + 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (store, "PRAGMA user_version"), ==, n_known + 2);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM subscriptions WHERE note = 'migrated'"),
                   ==, 1);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM notes"), ==, 0);
  check_library (store);
  g_object_unref (store);

  /* This build does not know that version: it refuses and touches
   * nothing. */
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  before = read_file (path);
  store = tidings_store_open (path, &error);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_TOO_NEW);
  g_assert_null (store);
  assert_file_unchanged (path, before);
}

static void
test_open_too_new (void)
{
  g_autofree char *path = data_path ("future.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE future (x); PRAGMA user_version = %d",
                                          TIDINGS_STORE_SCHEMA_VERSION + 5);
  TidingsStore *store;

  write_raw_db (path, sql);
  before = read_file (path);
  store = tidings_store_open (path, &error);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer version of Tidings"));
  g_assert_null (store);
  assert_file_unchanged (path, before);
}

static void
assert_refused_as_corrupt (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = read_file (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  TidingsStore *store;

  store = tidings_store_open (path, &error);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_test_message ("%s", error->message);
  assert_file_unchanged (path, before);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_open_garbage (void)
{
  g_autofree char *random_path = data_path ("random.db");
  g_autofree char *header_path = data_path ("header.db");
  g_autofree char *foreign_path = data_path ("foreign.db");
  g_autofree char *damaged_path = data_path ("damaged.db");
  g_autofree char *text_path = data_path ("notes.txt");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 noise[8192];

  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = g_rand_int_range (rand, 0, 256);

  /* Random bytes, and random bytes behind SQLite's magic. */
  g_assert_true (g_file_set_contents (random_path, (const char *) noise, sizeof noise, NULL));
  assert_refused_as_corrupt (random_path);
  memcpy (noise, "SQLite format 3", 16);
  g_assert_true (g_file_set_contents (header_path, (const char *) noise, sizeof noise, NULL));
  assert_refused_as_corrupt (header_path);

  /* A short text file. */
  g_assert_true (g_file_set_contents (text_path, "remember the milk\n", -1, NULL));
  assert_refused_as_corrupt (text_path);

  /* Another program's database. */
  write_raw_db (foreign_path, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('x')");
  assert_refused_as_corrupt (foreign_path);

  /* A Tidings library whose first page (the schema) was overwritten. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TidingsStore) store = tidings_store_open (damaged_path, &error);
    g_autoptr(GBytes) bytes = NULL;
    guint8 *data;
    gsize len;

    g_assert_no_error (error);
    fill_library (store, g_get_real_time ());
    g_clear_object (&store);
    bytes = read_file (damaged_path);
    data = g_bytes_unref_to_data (g_steal_pointer (&bytes), &len);
    g_assert_cmpuint (len, >, 4096);
    memset (data + 100, 0x5a, 4096 - 100);
    g_assert_true (g_file_set_contents (damaged_path, (const char *) data, len, NULL));
    g_free (data);
    assert_refused_as_corrupt (damaged_path);
  }
}

/* ---- Sections and subscriptions ---- */

static char *
section_order (TidingsStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sections = tidings_store_list_sections (store, &error);
  GString *out = g_string_new (NULL);
  gint64 parent = 0;
  int expected_position = 0;
  int expected_child_position = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < sections->len; i++)
    {
      TidingsSection *section = sections->pdata[i];

      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (section->parent_id == 0)
        {
          g_assert_cmpint (section->position, ==, expected_position++);
          parent = section->id;
          expected_child_position = 0;
          g_string_append (out, section->title);
        }
      else
        {
          /* Children follow their parent, in order. */
          g_assert_cmpint (section->parent_id, ==, parent);
          g_assert_cmpint (section->position, ==, expected_child_position++);
          g_string_append_printf (out, ">%s", section->title);
        }
    }
  return g_string_free (out, FALSE);
}

#define assert_sections(store, expected) \
  G_STMT_START { \
    g_autofree char *_order = section_order (store); \
    g_assert_cmpstr (_order, ==, (expected)); \
  } G_STMT_END

static void
test_sections (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 news, tech, linux_section, sport, kernel;

  news = add_section (store, "News", 0);
  tech = add_section (store, "Tech", 0);
  linux_section = add_section (store, "Linux", tech);
  assert_sections (store, "News Tech >Linux");

  /* One level only, and real parents. */
  g_assert_cmpint (tidings_store_add_section (store, "Deep", linux_section, &error), ==, 0);
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  g_assert_cmpint (tidings_store_add_section (store, "Orphan", 999, &error), ==, 0);
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (tidings_store_add_section (store, "", 0, &error), ==, 0);
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);

  /* One name once per parent. */
  g_assert_cmpint (tidings_store_add_section (store, "News", 0, &error), ==, 0);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "News"));
  g_clear_error (&error);
  kernel = add_section (store, "News", tech);
  g_assert_cmpint (tidings_store_find_section (store, "News", 0), ==, news);
  g_assert_cmpint (tidings_store_find_section (store, "News", tech), ==, kernel);
  g_assert_cmpint (tidings_store_find_section (store, "Nope", 0), ==, 0);

  g_assert_true (tidings_store_rename_section (store, kernel, "Kernel", &error));
  g_assert_no_error (error);
  g_assert_false (tidings_store_rename_section (store, kernel, "Linux", &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_EXISTS);
  g_assert_false (tidings_store_rename_section (store, 999, "X", &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  assert_sections (store, "News Tech >Linux >Kernel");

  /* Moving within the top level and between parents. */
  sport = add_section (store, "Sport", 0);
  g_assert_true (tidings_store_move_section (store, sport, 0, 0, &error));
  g_assert_no_error (error);
  assert_sections (store, "Sport News Tech >Linux >Kernel");
  g_assert_true (tidings_store_move_section (store, news, 0, -1, &error));
  assert_sections (store, "Sport Tech >Linux >Kernel News");
  g_assert_true (tidings_store_move_section (store, kernel, 0, 1, &error));
  g_assert_no_error (error);
  assert_sections (store, "Sport Kernel Tech >Linux News");
  g_assert_true (tidings_store_move_section (store, kernel, tech, 0, &error));
  g_assert_no_error (error);
  assert_sections (store, "Sport Tech >Kernel >Linux News");
  g_assert_true (tidings_store_move_section (store, news, sport, 99, &error));
  g_assert_no_error (error);
  assert_sections (store, "Sport >News Tech >Kernel >Linux");

  /* A parent cannot become a child, nor go inside itself or a child. */
  g_assert_false (tidings_store_move_section (store, tech, sport, 0, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  g_assert_false (tidings_store_move_section (store, sport, sport, 0, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  g_assert_false (tidings_store_move_section (store, linux_section, kernel, 0, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  g_assert_false (tidings_store_move_section (store, 999, 0, 0, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  assert_sections (store, "Sport >News Tech >Kernel >Linux");

  /* A name taken in the new parent. */
  add_section (store, "Linux", sport);
  g_assert_false (tidings_store_move_section (store, linux_section, sport, 0, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_EXISTS);
  assert_sections (store, "Sport >News >Linux Tech >Kernel >Linux");

  /* Removing a section takes its children and their subscriptions. */
  {
    gint64 feed = add_subscription (store, "https://kernel.example/feed", kernel);
    gint64 other = add_subscription (store, "https://sport.example/feed", sport);
    gint64 now = g_get_real_time ();

    apply (store, new_update (feed, now, new_item ("k1", "Kernel 9", "<p>Released</p>", now),
                              NULL));
    apply (store, new_update (other, now, new_item ("s1", "Match", "<p>Won</p>", now), NULL));
    check_counts (store);
    g_assert_true (tidings_store_remove_section (store, tech, &error));
    g_assert_no_error (error);
    assert_sections (store, "Sport >News >Linux");
    g_assert_null (tidings_store_get_subscription (store, feed, &error));
    assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles"), ==, 1);
    check_counts (store);
  }
  g_assert_false (tidings_store_remove_section (store, tech, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  g_assert_true (tidings_store_remove_section (store, news, &error));
  assert_sections (store, "Sport >Linux");
}

static char *
subscription_order (TidingsStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) subscriptions = tidings_store_list_subscriptions (store, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < subscriptions->len; i++)
    {
      TidingsSubscription *subscription = subscriptions->pdata[i];

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%s@%d", subscription->title, subscription->position);
    }
  return g_string_free (out, FALSE);
}

#define assert_subscriptions(store, expected) \
  G_STMT_START { \
    g_autofree char *_order = subscription_order (store); \
    g_assert_cmpstr (_order, ==, (expected)); \
  } G_STMT_END

static gint64
add_titled (TidingsStore *store,
            const char   *title,
            gint64        section_id)
{
  g_autofree char *url = g_strdup_printf ("https://%s.example/feed", title);

  return add_feed (store, url, title, section_id);
}

static void
test_subscriptions (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsSubscription) found = NULL;
  gint64 news = add_section (store, "News", 0);
  gint64 tech = add_section (store, "Tech", 0);
  gint64 linux_section = add_section (store, "Linux", tech);
  gint64 a, b, c, d, e;

  a = add_titled (store, "a", news);
  b = add_titled (store, "b", linux_section);
  c = add_titled (store, "c", tech);
  d = add_titled (store, "d", 0);
  e = add_titled (store, "e", news);
  /* No section first, then sections in their order, children after their
   * parent's own. */
  assert_subscriptions (store, "d@0 a@0 e@1 c@0 b@0");

  g_assert_cmpint (tidings_store_add_subscription (store, "https://a.example/feed", "again", 0,
                                                   &error), ==, 0);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "https://a.example/feed"));
  g_clear_error (&error);
  g_assert_cmpint (tidings_store_add_subscription (store, "", NULL, 0, &error), ==, 0);
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  g_assert_cmpint (tidings_store_add_subscription (store, "https://x.example/", NULL, 999,
                                                   &error), ==, 0);
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);

  found = tidings_store_find_subscription (store, "https://b.example/feed");
  g_assert_nonnull (found);
  g_assert_cmpint (found->id, ==, b);
  g_assert_cmpint (found->section_id, ==, linux_section);
  g_assert_cmpstr (found->title, ==, "b");
  g_assert_cmpint (found->retention_count, ==, -1);
  g_assert_cmpint (found->retention_days, ==, -1);
  g_assert_cmpint (found->interval_minutes, ==, 0);
  g_assert_false (found->gone);
  g_assert_null (tidings_store_find_subscription (store, "https://nowhere.example/"));
  g_assert_null (tidings_store_get_subscription (store, 999, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);

  /* The user's title stays over the feed's; clearing it shows the feed's. */
  g_assert_true (tidings_store_rename_subscription (store, a, "Mine", &error));
  g_assert_no_error (error);
  {
    TidingsFeedUpdate *update = new_update (a, g_get_real_time (), NULL);

    update->feed = tidings_feed_new ();
    update->feed->title = g_strdup ("Feed's own");
    apply (store, update);
  }
  {
    g_autoptr(TidingsSubscription) sub = get_subscription (store, a);

    g_assert_cmpstr (sub->title, ==, "Mine");
  }
  g_assert_true (tidings_store_rename_subscription (store, a, NULL, &error));
  {
    g_autoptr(TidingsSubscription) sub = get_subscription (store, a);

    g_assert_cmpstr (sub->title, ==, "Feed's own");
  }
  g_assert_true (tidings_store_rename_subscription (store, a, "a", &error));
  g_assert_false (tidings_store_rename_subscription (store, 999, "x", &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);

  /* Moving keeps positions 0..n-1 on both sides. */
  g_assert_true (tidings_store_move_subscription (store, e, linux_section, 0, &error));
  g_assert_no_error (error);
  assert_subscriptions (store, "d@0 a@0 c@0 e@0 b@1");
  g_assert_true (tidings_store_move_subscription (store, d, news, -1, &error));
  assert_subscriptions (store, "a@0 d@1 c@0 e@0 b@1");
  g_assert_true (tidings_store_move_subscription (store, d, news, 0, &error));
  assert_subscriptions (store, "d@0 a@1 c@0 e@0 b@1");
  g_assert_true (tidings_store_move_subscription (store, c, 0, 0, &error));
  assert_subscriptions (store, "c@0 d@0 a@1 e@0 b@1");
  g_assert_false (tidings_store_move_subscription (store, c, 999, 0, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  g_assert_false (tidings_store_move_subscription (store, 999, 0, 0, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);

  /* Settings. */
  g_assert_true (tidings_store_set_subscription_settings (store, b, 50, 30, 90, &error));
  g_assert_no_error (error);
  {
    g_autoptr(TidingsSubscription) sub = get_subscription (store, b);

    g_assert_cmpint (sub->retention_count, ==, 50);
    g_assert_cmpint (sub->retention_days, ==, 30);
    g_assert_cmpint (sub->interval_minutes, ==, 90);
  }
  g_assert_false (tidings_store_set_subscription_settings (store, b, -2, 30, 90, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  g_assert_false (tidings_store_set_subscription_settings (store, 999, 1, 1, 1, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);

  /* Removing takes the articles and tombstones along. */
  {
    gint64 now = g_get_real_time ();

    apply (store, new_update (e, now, new_item ("1", "One", "<p>x</p>", now),
                              new_item ("2", "Two", "<p>y</p>", now), NULL));
    g_assert_true (tidings_store_delete_article (store, article_id (store, e, "2"), &error));
    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM tombstones"), ==, 1);
    check_counts (store);
    g_assert_true (tidings_store_remove_subscription (store, e, &error));
    g_assert_no_error (error);
    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles"), ==, 0);
    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM tombstones"), ==, 0);
    assert_subscriptions (store, "c@0 d@0 a@1 b@0");
    check_counts (store);
  }
  g_assert_false (tidings_store_remove_subscription (store, e, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
}

/* ---- Merging ---- */

static void
test_merge (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 feed = add_subscription (store, "https://harbour.example/feed", 0);
  gint64 t1 = g_get_real_time () - 10 * DAY;
  gint64 t2 = t1 + DAY;
  gint64 read_at;

  assert_stats (apply (store, new_update (feed, t1,
                                          new_item ("a", "Alpha", "<p>First</p>", t1 - HOUR),
                                          new_item ("b", "Beta", "<p>Second</p>", t1 - 2 * HOUR),
                                          new_item ("c", "Gamma", "<p>Third</p>", t1 - 3 * HOUR),
                                          NULL)), 3, 0, 0);
  check_counts (store);
  {
    g_autoptr(TidingsArticle) a = tidings_store_get_article (store, article_id (store, feed, "a"),
                                                              &error);

    g_assert_no_error (error);
    g_assert_false (a->read);
    g_assert_false (a->starred);
    g_assert_cmpint (a->read_at, ==, 0);
    g_assert_cmpint (a->first_seen, ==, t1);
    g_assert_cmpint (a->date, ==, t1 - HOUR);
    g_assert_cmpint (a->subscription_id, ==, feed);
  }

  set_read (store, feed, "a", TRUE);
  set_starred (store, feed, "b");
  read_at = sql_int (store, "SELECT read_at FROM article_states WHERE article_id = %"
                     G_GINT64_FORMAT, article_id (store, feed, "a"));
  g_assert_cmpint (read_at, >, 0);
  check_counts (store);

  /* a changed, b the same, c dropped by the publisher, d new (listed
   * twice). */
  assert_stats (apply (store, new_update (feed, t2,
                                          new_item ("a", "Alpha", "<p>First, corrected</p>",
                                                    t1 - HOUR),
                                          new_item ("b", "Beta", "<p>Second</p>", t1 - 2 * HOUR),
                                          new_item ("d", "Delta", "<p>Fourth</p>", t2 - HOUR),
                                          new_item ("d", "Delta again", "<p>Dup</p>", t2),
                                          NULL)), 1, 1, 1);
  check_counts (store);
  {
    g_autoptr(TidingsArticle) a = tidings_store_get_article (store, article_id (store, feed, "a"),
                                                              &error);
    g_autoptr(TidingsArticle) b = tidings_store_get_article (store, article_id (store, feed, "b"),
                                                              &error);
    g_autoptr(TidingsArticle) d = tidings_store_get_article (store, article_id (store, feed, "d"),
                                                              &error);

    g_assert_no_error (error);
    g_assert_cmpstr (a->item->content_html, ==, "<p>First, corrected</p>");
    g_assert_true (a->read);
    g_assert_cmpint (a->read_at, ==, read_at);
    g_assert_cmpint (a->first_seen, ==, t1);
    g_assert_true (b->starred);
    g_assert_false (b->read);
    g_assert_cmpstr (d->item->title, ==, "Delta");
    g_assert_cmpint (d->first_seen, ==, t2);
    g_assert_false (d->read);
  }
  /* The dropped item stays. */
  g_assert_cmpint (article_id (store, feed, "c"), >, 0);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles"), ==, 4);

  /* Search follows the new text, not the old. */
  {
    TidingsArticleQuery corrected = { TIDINGS_SCOPE_ALL, .search = "corrected" };
    TidingsArticleQuery dup = { TIDINGS_SCOPE_ALL, .search = "dup" };

    assert_query (store, &corrected, "a");
    assert_query (store, &dup, "");
  }

  /* Prepared beforehand (as refresh workers do) or not, the same. */
  {
    TidingsFeedUpdate *update = new_update (feed, t2 + HOUR,
                                            new_item ("a", "Alpha", "<p>First, corrected</p>",
                                                      t1 - HOUR),
                                            new_item ("e", "Epsilon", "<p>Fifth</p>", t2),
                                            NULL);

    tidings_feed_update_prepare (update);
    g_assert_nonnull (update->prepared);
    g_assert_cmpuint (update->prepared->len, ==, update->items->len);
    assert_stats (apply (store, update), 1, 0, 1);
  }

  /* Only what a reader sees counts as a change: tags, attachments,
   * authors, dates. */
  {
    TidingsItem *tagged = new_item ("e", "Epsilon", "<p>Fifth</p>", t2);
    TidingsItem *with_file = new_item ("b", "Beta", "<p>Second</p>", t1 - 2 * HOUR);
    TidingsItem *moved = new_item ("a", "Alpha", "<p>First, corrected</p>", t1);
    TidingsAttachment *attachment = tidings_attachment_new ();

    tidings_item_add_tag (tagged, "boats");
    attachment->url = g_strdup ("https://harbour.example/a.mp3");
    g_ptr_array_add (with_file->attachments, attachment);
    assert_stats (apply (store, new_update (feed, t2 + 2 * HOUR, tagged, with_file, moved, NULL)),
                  0, 3, 0);
    g_assert_cmpint (sql_int (store, "SELECT date FROM articles WHERE guid = 'a'"), ==, t1);
  }
  check_counts (store);

  /* A subscription that is not there. */
  {
    g_autoptr(TidingsFeedUpdate) update = new_update (999, t2, new_item ("z", "Z", "z", t2),
                                                      NULL);

    g_assert_false (tidings_store_apply_update (store, update, NULL, &error));
    assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles WHERE guid = 'z'"), ==, 0);
  }
}

static void
test_merge_dates_and_fields (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsArticle) article = NULL;
  gint64 feed = add_subscription (store, "https://full.example/feed", 0);
  gint64 now = g_get_real_time ();
  TidingsItem *item = new_item ("full", "Everything \"quoted\" \\ here", NULL, TIDINGS_DATE_UNSET);
  TidingsItem *undated = new_item ("undated", "No date", "<p>x</p>", TIDINGS_DATE_UNSET);
  TidingsItem *modified = new_item ("modified", "Modified only", "<p>y</p>", TIDINGS_DATE_UNSET);
  TidingsAuthor *author = tidings_author_new ();
  TidingsAuthor *second = tidings_author_new ();
  TidingsAttachment *attachment = tidings_attachment_new ();
  TidingsAttachment *bare = tidings_attachment_new ();
  TidingsItem *got;

  item->external_url = g_strdup ("https://elsewhere.example/x");
  item->content_html = g_strdup ("<p>Body with <b>bold</b> and\nnewline</p>");
  item->content_text = g_strdup ("Body with bold");
  item->summary = g_strdup ("A summary");
  item->image = g_strdup ("https://full.example/i.png");
  item->language = g_strdup ("en-GB");
  item->date_published = now - DAY;
  item->date_modified = now - HOUR;
  author->name = g_strdup ("Ann \"Quill\" Writer");
  author->url = g_strdup ("https://ann.example/");
  author->avatar = g_strdup ("https://ann.example/me.png");
  second->name = g_strdup ("Bo");
  g_ptr_array_add (item->authors, author);
  g_ptr_array_add (item->authors, second);
  tidings_item_add_tag (item, "ships");
  tidings_item_add_tag (item, "tabs\tand \"quotes\"");
  attachment->url = g_strdup ("https://full.example/a.mp3");
  attachment->mime_type = g_strdup ("audio/mpeg");
  attachment->title = g_strdup ("Episode");
  attachment->size_in_bytes = 24986239;
  attachment->duration_in_seconds = 3600;
  bare->url = g_strdup ("https://full.example/b.pdf");
  g_ptr_array_add (item->attachments, attachment);
  g_ptr_array_add (item->attachments, bare);
  modified->date_modified = now - 2 * DAY;

  assert_stats (apply (store, new_update (feed, now, item, undated, modified, NULL)), 3, 0, 0);

  article = tidings_store_get_article (store, article_id (store, feed, "full"), &error);
  g_assert_no_error (error);
  got = article->item;
  g_assert_cmpstr (got->id, ==, "full");
  g_assert_cmpstr (got->url, ==, "https://example.org/full");
  g_assert_cmpstr (got->external_url, ==, "https://elsewhere.example/x");
  g_assert_cmpstr (got->title, ==, "Everything \"quoted\" \\ here");
  g_assert_cmpstr (got->content_html, ==, "<p>Body with <b>bold</b> and\nnewline</p>");
  g_assert_cmpstr (got->content_text, ==, "Body with bold");
  g_assert_cmpstr (got->summary, ==, "A summary");
  g_assert_cmpstr (got->image, ==, "https://full.example/i.png");
  g_assert_cmpstr (got->language, ==, "en-GB");
  g_assert_cmpint (got->date_published, ==, now - DAY);
  g_assert_cmpint (got->date_modified, ==, now - HOUR);
  g_assert_cmpint (article->date, ==, now - DAY);
  g_assert_cmpuint (got->authors->len, ==, 2);
  author = got->authors->pdata[0];
  g_assert_cmpstr (author->name, ==, "Ann \"Quill\" Writer");
  g_assert_cmpstr (author->url, ==, "https://ann.example/");
  g_assert_cmpstr (author->avatar, ==, "https://ann.example/me.png");
  second = got->authors->pdata[1];
  g_assert_cmpstr (second->name, ==, "Bo");
  g_assert_null (second->url);
  g_assert_cmpuint (got->tags->len, ==, 2);
  g_assert_cmpstr (got->tags->pdata[0], ==, "ships");
  g_assert_cmpstr (got->tags->pdata[1], ==, "tabs\tand \"quotes\"");
  g_assert_cmpuint (got->attachments->len, ==, 2);
  attachment = got->attachments->pdata[0];
  g_assert_cmpstr (attachment->url, ==, "https://full.example/a.mp3");
  g_assert_cmpstr (attachment->mime_type, ==, "audio/mpeg");
  g_assert_cmpstr (attachment->title, ==, "Episode");
  g_assert_cmpint (attachment->size_in_bytes, ==, 24986239);
  g_assert_cmpint (attachment->duration_in_seconds, ==, 3600);
  bare = got->attachments->pdata[1];
  g_assert_null (bare->mime_type);
  g_assert_cmpint (bare->size_in_bytes, ==, -1);
  g_assert_cmpint (bare->duration_in_seconds, ==, -1);

  /* The date falls back to modified, then to first seen. */
  {
    g_autoptr(TidingsArticle) a = tidings_store_get_article (store,
                                                              article_id (store, feed, "undated"),
                                                              &error);
    g_autoptr(TidingsArticle) b = tidings_store_get_article (store,
                                                              article_id (store, feed, "modified"),
                                                              &error);

    g_assert_cmpint (a->date, ==, now);
    g_assert_cmpint (a->item->date_published, ==, TIDINGS_DATE_UNSET);
    g_assert_cmpint (a->item->date_modified, ==, TIDINGS_DATE_UNSET);
    g_assert_cmpint (b->date, ==, now - 2 * DAY);
  }

  /* The light row: authors joined, an excerpt from the summary. */
  {
    TidingsArticleQuery all = { TIDINGS_SCOPE_SUBSCRIPTION, feed };
    g_autoptr(GPtrArray) rows = query (store, &all, 0, 10);
    TidingsArticleRow *row = rows->pdata[1];

    g_assert_cmpuint (rows->len, ==, 3);
    g_assert_cmpstr (row->guid, ==, "full");
    g_assert_cmpstr (row->author, ==, "Ann \"Quill\" Writer, Bo");
    g_assert_cmpstr (row->excerpt, ==, "A summary");
    g_assert_cmpstr (row->url, ==, "https://example.org/full");
    g_assert_cmpint (row->date, ==, now - DAY);
    g_assert_cmpint (row->subscription_id, ==, feed);
  }

  /* Searchable by author, tag-free text and title, ignoring accents. */
  {
    TidingsArticleQuery by_author = { TIDINGS_SCOPE_ALL, .search = "quill" };
    TidingsArticleQuery by_text = { TIDINGS_SCOPE_ALL, .search = "bold newline" };
    TidingsArticleQuery by_summary = { TIDINGS_SCOPE_ALL, .search = "summary" };

    assert_query (store, &by_author, "full");
    assert_query (store, &by_text, "full");
    assert_query (store, &by_summary, "full");
  }
}

static void
test_merge_excerpt (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GString) html = g_string_new ("<p>");
  gint64 feed = add_subscription (store, "https://long.example/feed", 0);
  gint64 now = g_get_real_time ();
  TidingsArticleQuery all = { TIDINGS_SCOPE_ALL, };
  TidingsItem *plain = new_item ("plain", "Plain", NULL, now - HOUR);
  g_autoptr(GPtrArray) rows = NULL;
  TidingsArticleRow *row;

  for (int i = 0; i < 100; i++)
    g_string_append_printf (html, "word%d ", i);
  g_string_append (html, "</p>");
  plain->content_text = g_strdup ("Line one\n\n  line two\tand three");
  apply (store, new_update (feed, now, new_item ("long", "Long", html->str, now), plain, NULL));

  rows = query (store, &all, 0, 10);
  row = rows->pdata[0];
  g_assert_cmpstr (row->guid, ==, "long");
  g_assert_true (g_str_has_prefix (row->excerpt, "word0 word1 word2"));
  g_assert_true (g_str_has_suffix (row->excerpt, "…"));
  g_assert_cmpuint (g_utf8_strlen (row->excerpt, -1), <=, 201);
  g_assert_cmpuint (g_utf8_strlen (row->excerpt, -1), >, 150);
  /* Cut between words. */
  g_assert_true (g_str_has_suffix (row->excerpt, " …") ||
                 g_ascii_isdigit (row->excerpt[strlen (row->excerpt) - strlen ("…") - 1]));
  g_assert_null (strchr (row->excerpt, '<'));
  row = rows->pdata[1];
  g_assert_cmpstr (row->excerpt, ==, "Line one line two and three");
}

static void
test_merge_deleted_not_resurrected (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 feed = add_subscription (store, "https://ghost.example/feed", 0);
  gint64 other = add_subscription (store, "https://other.example/feed", 0);
  gint64 t = g_get_real_time () - 200 * DAY;
  gint64 c;

  apply (store, new_update (feed, t, new_item ("a", "A", "a", t), new_item ("c", "C", "c", t),
                            NULL));
  apply (store, new_update (other, t, new_item ("c", "C elsewhere", "c", t), NULL));
  c = article_id (store, feed, "c");
  g_assert_true (tidings_store_delete_article (store, c, &error));
  g_assert_no_error (error);
  g_assert_null (tidings_store_get_article (store, c, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  g_assert_false (tidings_store_delete_article (store, c, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  check_counts (store);

  /* Listed again, changed or not: it stays deleted, in this feed only. */
  assert_stats (apply (store, new_update (feed, t + DAY, new_item ("a", "A", "a", t),
                                          new_item ("c", "C", "c, changed", t), NULL)), 0, 0, 1);
  g_assert_cmpint (article_id (store, feed, "c"), ==, 0);
  g_assert_cmpint (article_id (store, other, "c"), >, 0);

  /* A tombstone lives while the feed lists the guid... */
  apply (store, new_update (feed, t + 50 * DAY, new_item ("c", "C", "c", t), NULL));
  apply (store, new_update (feed, t + 100 * DAY, new_item ("a", "A", "a", t), NULL));
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM tombstones"), ==, 1);
  assert_stats (apply (store, new_update (feed, t + 101 * DAY, new_item ("c", "C", "c", t),
                                          NULL)), 0, 0, 0);
  /* ...and goes once it has not been listed for 60 days; after that the
   * guid is new again. */
  apply (store, new_update (feed, t + 162 * DAY, new_item ("a", "A", "a", t), NULL));
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM tombstones"), ==, 0);
  assert_stats (apply (store, new_update (feed, t + 163 * DAY, new_item ("c", "C", "c", t),
                                          NULL)), 1, 0, 0);
  check_counts (store);
}

static void
test_merge_fetch_state (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  gint64 feed = add_subscription (store, "https://state.example/feed", 0);
  gint64 taken = add_subscription (store, "https://taken.example/feed", 0);
  gint64 t = g_get_real_time ();
  TidingsFeedUpdate *update;
  TidingsSubscription *sub;

  /* A parsed body with validators and the feed's own fields. */
  update = new_update (feed, t, new_item ("a", "A", "a", t), NULL);
  update->etag = g_strdup ("\"v1\"");
  update->last_modified = g_strdup ("Mon, 03 Jun 2024 10:00:00 GMT");
  update->content_hash = g_strdup ("hash1");
  update->next_poll = t + HOUR;
  update->min_interval = 1800;
  update->feed = tidings_feed_new ();
  update->feed->title = g_strdup ("State News");
  update->feed->home_page_url = g_strdup ("https://state.example/");
  update->feed->icon = g_strdup ("https://state.example/banner.png");
  update->feed->favicon = g_strdup ("https://state.example/favicon.ico");
  sub = apply_and_get (store, update);
  g_assert_cmpstr (sub->etag, ==, "\"v1\"");
  g_assert_cmpstr (sub->last_modified, ==, "Mon, 03 Jun 2024 10:00:00 GMT");
  g_assert_cmpstr (sub->content_hash, ==, "hash1");
  g_assert_cmpstr (sub->title, ==, "State News");
  g_assert_cmpstr (sub->site_url, ==, "https://state.example/");
  g_assert_cmpstr (sub->icon_url, ==, "https://state.example/favicon.ico");
  g_assert_cmpint (sub->last_fetch, ==, t);
  g_assert_cmpint (sub->last_success, ==, t);
  g_assert_cmpint (sub->next_poll, ==, t + HOUR);
  g_assert_cmpint (sub->min_interval, ==, 1800);
  g_assert_null (sub->last_error);
  g_assert_cmpint (sub->last_error_time, ==, 0);
  g_assert_cmpuint (sub->article_count, ==, 1);
  tidings_subscription_free (sub);

  /* Not modified: NULL strings keep what is stored. */
  update = bare_update (feed, t + HOUR);
  update->next_poll = t + 2 * HOUR;
  sub = apply_and_get (store, update);
  g_assert_cmpstr (sub->etag, ==, "\"v1\"");
  g_assert_cmpstr (sub->content_hash, ==, "hash1");
  g_assert_cmpstr (sub->title, ==, "State News");
  g_assert_cmpint (sub->last_success, ==, t + HOUR);
  g_assert_cmpint (sub->next_poll, ==, t + 2 * HOUR);
  g_assert_cmpint (sub->min_interval, ==, 0);
  g_assert_cmpuint (sub->article_count, ==, 1);
  tidings_subscription_free (sub);

  /* A failure: the error and its time; the last success stays. */
  update = bare_update (feed, t + 2 * HOUR);
  update->error = g_strdup ("The server took longer than 30 s to answer");
  sub = apply_and_get (store, update);
  g_assert_cmpstr (sub->last_error, ==, "The server took longer than 30 s to answer");
  g_assert_cmpint (sub->last_error_time, ==, t + 2 * HOUR);
  g_assert_cmpint (sub->last_success, ==, t + HOUR);
  g_assert_cmpint (sub->last_fetch, ==, t + 2 * HOUR);
  g_assert_false (sub->gone);
  tidings_subscription_free (sub);

  /* Gone, and still gone after another failure... */
  update = bare_update (feed, t + 3 * HOUR);
  update->error = g_strdup ("The feed is gone (410)");
  update->gone = TRUE;
  apply (store, update);
  update = bare_update (feed, t + 4 * HOUR);
  update->error = g_strdup ("Cannot reach state.example");
  sub = apply_and_get (store, update);
  g_assert_true (sub->gone);
  g_assert_cmpstr (sub->last_error, ==, "Cannot reach state.example");
  tidings_subscription_free (sub);

  /* ...until a fetch works, which clears the error too. */
  sub = apply_and_get (store, bare_update (feed, t + 5 * HOUR));
  g_assert_false (sub->gone);
  g_assert_null (sub->last_error);
  g_assert_cmpint (sub->last_error_time, ==, t + 4 * HOUR);
  g_assert_cmpint (sub->last_success, ==, t + 5 * HOUR);
  tidings_subscription_free (sub);

  /* A permanent redirect moves the subscription... */
  update = bare_update (feed, t + 6 * HOUR);
  update->new_url = g_strdup ("https://state.example/new-feed");
  apply (store, update);
  g_assert_null (tidings_store_find_subscription (store, "https://state.example/feed"));
  sub = tidings_store_find_subscription (store, "https://state.example/new-feed");
  g_assert_nonnull (sub);
  g_assert_cmpint (sub->id, ==, feed);
  tidings_subscription_free (sub);

  /* ...unless another subscription has that address already. */
  update = bare_update (feed, t + 7 * HOUR);
  update->new_url = g_strdup ("https://taken.example/feed");
  sub = apply_and_get (store, update);
  g_assert_cmpstr (sub->url, ==, "https://state.example/new-feed");
  g_assert_cmpint (sub->last_fetch, ==, t + 7 * HOUR);
  tidings_subscription_free (sub);
  sub = get_subscription (store, taken);
  g_assert_cmpstr (sub->url, ==, "https://taken.example/feed");
  tidings_subscription_free (sub);
  check_counts (store);
}

/* ---- Retention ---- */

static gint64
retention_feed (TidingsStore *store,
                const char   *url,
                gint64        now,
                int           n)
{
  gint64 feed = add_subscription (store, url, 0);
  TidingsFeedUpdate *update = new_update (feed, now - 100 * DAY, NULL);

  /* Article i is i days old; all first seen 100 days ago. */
  for (int i = 0; i < n; i++)
    {
      g_autofree char *guid = g_strdup_printf ("%d", i);

      g_ptr_array_add (update->items, new_item (guid, guid, "<p>text</p>", now - i * DAY));
    }
  apply (store, update);
  return feed;
}

static void
test_retention (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  gint64 counted, aged, global, kept;
  guint removed = 99;

  counted = retention_feed (store, "https://counted.example/", now, 10);
  aged = retention_feed (store, "https://aged.example/", now, 10);
  global = retention_feed (store, "https://global.example/", now, 10);
  kept = retention_feed (store, "https://kept.example/", now, 10);
  set_read (store, counted, "9", TRUE);
  set_starred (store, counted, "8");
  set_starred (store, aged, "9");

  /* Nothing set: everything stays. */
  g_assert_true (tidings_store_apply_retention (store, now, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 0);

  /* Per feed: the 4 newest, and articles younger than 5 days; the global
   * count for the feeds without their own; one feed keeps everything
   * through a limit larger than what it has. */
  g_assert_true (tidings_store_set_subscription_settings (store, counted, 4, -1, 0, &error));
  g_assert_true (tidings_store_set_subscription_settings (store, aged, -1, 5, 0, &error));
  g_assert_true (tidings_store_set_subscription_settings (store, kept, 100, 1000, 0, &error));
  g_assert_true (tidings_store_set_setting (store, "retention-count", "7", &error));
  g_assert_no_error (error);
  g_assert_true (tidings_store_apply_retention (store, now, &removed, &error));
  g_assert_no_error (error);
  /* counted: 4..9 go but starred 8 stays (5); aged: the global count 7
   * keeps 0..6, the age 0..5 (5 days old is not older than 5 days), the
   * starred 9 stays (3 go); global: 7..9 go (3). */
  g_assert_cmpuint (removed, ==, 5 + 3 + 3);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles WHERE subscription_id = %"
                            G_GINT64_FORMAT, counted), ==, 5);
  g_assert_cmpint (article_id (store, counted, "8"), >, 0);
  g_assert_cmpint (article_id (store, counted, "4"), ==, 0);
  g_assert_cmpint (article_id (store, counted, "3"), >, 0);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles WHERE subscription_id = %"
                            G_GINT64_FORMAT, aged), ==, 7);
  g_assert_cmpint (article_id (store, aged, "9"), >, 0);
  g_assert_cmpint (article_id (store, aged, "5"), >, 0);
  g_assert_cmpint (article_id (store, aged, "6"), ==, 0);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles WHERE subscription_id = %"
                            G_GINT64_FORMAT, global), ==, 7);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles WHERE subscription_id = %"
                            G_GINT64_FORMAT, kept), ==, 10);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM tombstones"), ==, 11);
  check_counts (store);

  /* What retention removed does not come back. */
  {
    TidingsFeedUpdate *update = new_update (counted, now, NULL);

    for (int i = 0; i < 10; i++)
      {
        g_autofree char *guid = g_strdup_printf ("%d", i);

        g_ptr_array_add (update->items, new_item (guid, guid, "<p>text</p>", now - i * DAY));
      }
    assert_stats (apply (store, update), 0, 0, 5);
  }

  /* The global age; an old article first seen lately keeps its time; the
   * setting is ignored when it is not a number. */
  g_assert_true (tidings_store_set_setting (store, "retention-count", "junk", &error));
  g_assert_true (tidings_store_set_setting (store, "retention-days", "3", &error));
  apply (store, new_update (global, now - DAY, new_item ("old", "Old", "<p>old</p>",
                                                         now - 300 * DAY), NULL));
  g_assert_true (tidings_store_apply_retention (store, now, &removed, &error));
  g_assert_no_error (error);
  /* global: 4..6 go; counted keeps 0..3 (its own count, and the global
   * age) and the starred 8; aged keeps its own 5 days. */
  g_assert_cmpuint (removed, ==, 3);
  g_assert_cmpint (article_id (store, global, "old"), >, 0);
  g_assert_cmpint (article_id (store, global, "3"), >, 0);
  g_assert_cmpint (article_id (store, global, "4"), ==, 0);
  g_assert_cmpint (article_id (store, counted, "8"), >, 0);
  g_assert_cmpint (article_id (store, aged, "5"), >, 0);
  check_counts (store);

  /* Nothing set anywhere: nothing more goes, however late. */
  g_assert_true (tidings_store_set_setting (store, "retention-days", NULL, &error));
  g_assert_true (tidings_store_set_subscription_settings (store, counted, -1, -1, 0, &error));
  g_assert_true (tidings_store_set_subscription_settings (store, aged, -1, -1, 0, &error));
  g_assert_true (tidings_store_set_subscription_settings (store, kept, -1, -1, 0, &error));
  g_assert_true (tidings_store_apply_retention (store, now + 1000 * DAY, &removed, &error));
  g_assert_cmpuint (removed, ==, 0);
  g_assert_no_error (error);
}

/* ---- Reading state and lists ---- */

typedef struct
{
  TidingsStore *store;
  gint64        news;      /* a section with a child */
  gint64        local;     /* the child */
  gint64        tech;
  gint64        daily;     /* in news */
  gint64        town;      /* in local */
  gint64        gadgets;   /* in tech */
  gint64        loose;     /* in no section */
  gint64        now;
  gint64        midnight;
} Library;

static gint64
today_midnight (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                         g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now),
                                                         0, 0, 0);

  return g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
}

/* Guids say where they live: d = daily, t = town, g = gadgets, l = loose;
 * then the age. Articles from yesterday and before are "old"; "l-new-old"
 * is an old article first seen today. */
static void
library_init (Library *lib)
{
  gint64 yesterday;

  lib->store = open_default ();
  lib->now = g_get_real_time ();
  lib->midnight = today_midnight ();
  yesterday = lib->midnight - 12 * HOUR;
  lib->news = add_section (lib->store, "News", 0);
  lib->local = add_section (lib->store, "Local", lib->news);
  lib->tech = add_section (lib->store, "Tech", 0);
  lib->daily = add_subscription (lib->store, "https://daily.example/", lib->news);
  lib->town = add_subscription (lib->store, "https://town.example/", lib->local);
  lib->gadgets = add_subscription (lib->store, "https://gadgets.example/", lib->tech);
  lib->loose = add_subscription (lib->store, "https://loose.example/", 0);

  apply (lib->store, new_update (lib->daily, yesterday,
                                 new_item ("d1", "Harbour reopens", "<p>The harbour reopened"
                                           " after storms.</p>", yesterday - 3 * DAY),
                                 new_item ("d2", "Café prices", "<p>Coffee costs more</p>",
                                           yesterday - 2 * DAY),
                                 NULL));
  apply (lib->store, new_update (lib->town, yesterday,
                                 new_item ("t1", "Town hall", "<p>Harbour plans approved</p>",
                                           yesterday - DAY),
                                 NULL));
  apply (lib->store, new_update (lib->gadgets, yesterday,
                                 new_item ("g1", "New phone", "<p>A phone with a harbour"
                                           " mode</p>", yesterday - 4 * DAY),
                                 NULL));
  apply (lib->store, new_update (lib->daily, lib->now,
                                 new_item ("d3", "Today's news", "<p>Nothing happened</p>",
                                           lib->now - 1),
                                 NULL));
  apply (lib->store, new_update (lib->loose, lib->now,
                                 new_item ("l-new-old", "Archive", "<p>From the archive</p>",
                                           yesterday - 10 * DAY),
                                 NULL));
  set_starred (lib->store, lib->daily, "d2");
  set_starred (lib->store, lib->gadgets, "g1");
  check_counts (lib->store);
}

static void
library_clear (Library *lib)
{
  g_clear_object (&lib->store);
}

static void
test_query_scopes (void)
{
  Library lib;

  library_init (&lib);
  {
    const QueryCase cases[] = {
      /* Newest first, oldest first. */
      { { TIDINGS_SCOPE_ALL }, "d3 t1 d2 d1 g1 l-new-old" },
      { { TIDINGS_SCOPE_ALL, .oldest_first = TRUE }, "l-new-old g1 d1 d2 t1 d3" },
      { { TIDINGS_SCOPE_STARRED }, "d2 g1" },
      { { TIDINGS_SCOPE_TODAY }, "d3 l-new-old" },
      { { TIDINGS_SCOPE_SECTION, lib.news }, "d3 t1 d2 d1" },
      { { TIDINGS_SCOPE_SECTION, lib.local }, "t1" },
      { { TIDINGS_SCOPE_SECTION, 999 }, "" },
      { { TIDINGS_SCOPE_SUBSCRIPTION, lib.daily }, "d3 d2 d1" },
      { { TIDINGS_SCOPE_SUBSCRIPTION, lib.daily, .oldest_first = TRUE }, "d1 d2 d3" },
    };

    assert_queries (lib.store, cases, G_N_ELEMENTS (cases));
  }

  /* Read ones leave the unread lists. */
  set_read (lib.store, lib.daily, "d2", TRUE);
  set_read (lib.store, lib.town, "t1", TRUE);
  {
    const QueryCase cases[] = {
      { { TIDINGS_SCOPE_UNREAD }, "d3 d1 g1 l-new-old" },
      { { TIDINGS_SCOPE_SECTION, lib.news, .unread_only = TRUE }, "d3 d1" },
      { { TIDINGS_SCOPE_STARRED, .unread_only = TRUE }, "g1" },
      { { TIDINGS_SCOPE_TODAY, .unread_only = TRUE }, "d3 l-new-old" },
      { { TIDINGS_SCOPE_ALL, .unread_only = TRUE }, "d3 d1 g1 l-new-old" },
    };

    assert_queries (lib.store, cases, G_N_ELEMENTS (cases));
  }

  /* Paging. */
  {
    TidingsArticleQuery all = { TIDINGS_SCOPE_ALL, };
    g_autoptr(GPtrArray) page = query (lib.store, &all, 2, 3);
    g_autoptr(GPtrArray) none = query (lib.store, &all, 0, 0);
    g_autoptr(GPtrArray) past = query (lib.store, &all, 100, 10);
    g_autofree char *guids = guids_of (page);
    TidingsArticleRow *row = page->pdata[0];

    g_assert_cmpstr (guids, ==, "d2 d1 g1");
    g_assert_true (row->read);
    g_assert_true (row->starred);
    g_assert_cmpuint (none->len, ==, 0);
    g_assert_cmpuint (past->len, ==, 0);
  }

  /* A kind that does not exist. */
  {
    g_autoptr(GError) error = NULL;
    TidingsArticleQuery bad = { 42, };
    guint n;

    g_assert_null (tidings_store_query_articles (lib.store, &bad, 0, 10, &error));
    assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
    g_assert_false (tidings_store_count_articles (lib.store, &bad, &n, &error));
    g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID);
  }
  library_clear (&lib);
}

static void
test_query_search (void)
{
  Library lib;
  static const char *const hostile[] = {
    "\"", "\"\"", "*", "NEAR(", "NEAR(a b", "-", "- -harbour", "harbour\" OR \"phone",
    "title:phone", "{title}: x", "^harbour", "AND", "OR OR", "NOT", ")", "(", "'", "\\",
    "harbour*", "\"harbour", "a:b:c", "%_", "\x01\x02", "\xff\xfe invalid utf-8",
  };

  library_init (&lib);
  {
    const QueryCase cases[] = {
      /* Words are prefixes, all of them must match, accents do not matter. */
      { { TIDINGS_SCOPE_ALL, .search = "harbour" }, "t1 d1 g1" },
      { { TIDINGS_SCOPE_ALL, .search = "harb" }, "t1 d1 g1" },
      { { TIDINGS_SCOPE_ALL, .search = "  Harbour   PLANS " }, "t1" },
      { { TIDINGS_SCOPE_ALL, .search = "cafe" }, "d2" },
      { { TIDINGS_SCOPE_ALL, .search = "café prices" }, "d2" },
      { { TIDINGS_SCOPE_ALL, .search = "harbour zebra" }, "" },
      /* Together with scopes. */
      { { TIDINGS_SCOPE_SECTION, lib.news, .search = "harbour" }, "t1 d1" },
      { { TIDINGS_SCOPE_STARRED, .search = "harbour" }, "g1" },
      { { TIDINGS_SCOPE_SUBSCRIPTION, lib.gadgets, .search = "harbour" }, "g1" },
    };
    TidingsArticleQuery unread = { TIDINGS_SCOPE_ALL, .unread_only = TRUE, .search = "harbour" };

    assert_queries (lib.store, cases, G_N_ELEMENTS (cases));
    set_read (lib.store, lib.town, "t1", TRUE);
    assert_query (lib.store, &unread, "d1 g1");
  }

  /* Many matches or few, the same answers. */
  {
    const char *const searches[] = { "harbour", "a", "phone harbour", "the" };

    for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
      {
        TidingsArticleQuery few = { TIDINGS_SCOPE_ALL, .search = searches[i] };
        TidingsArticleQuery unread_few = { TIDINGS_SCOPE_ALL, .unread_only = TRUE,
                                           .search = searches[i] };
        TidingsArticleQuery oldest_few = { TIDINGS_SCOPE_SECTION, lib.news, .oldest_first = TRUE,
                                           .search = searches[i] };
        g_autofree char *a = query_guids (lib.store, &few);
        g_autofree char *b = query_guids (lib.store, &unread_few);
        g_autofree char *c = query_guids (lib.store, &oldest_few);

        _tidings_store_set_many_matches (lib.store, 1);
        assert_query (lib.store, &few, a);
        assert_query (lib.store, &unread_few, b);
        assert_query (lib.store, &oldest_few, c);
        _tidings_store_set_many_matches (lib.store, 2500);
      }
  }

  /* What the user types is never query syntax. */
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      TidingsArticleQuery q = { TIDINGS_SCOPE_ALL, .search = hostile[i] };
      guint n = 0;

      rows = tidings_store_query_articles (lib.store, &q, 0, 100, &error);
      g_assert_no_error (error);
      g_assert_nonnull (rows);
      g_assert_true (tidings_store_count_articles (lib.store, &q, &n, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, rows->len);
    }
  {
    const QueryCase cases[] = {
      { { TIDINGS_SCOPE_ALL, .search = "harbour\" OR \"phone" }, "" },
      { { TIDINGS_SCOPE_ALL, .search = "\"harbour" }, "t1 d1 g1" },
      { { TIDINGS_SCOPE_ALL, .search = "-harbour" }, "t1 d1 g1" },
      { { TIDINGS_SCOPE_ALL, .search = "title:phone" }, "" },
      /* No word at all: no filter. */
      { { TIDINGS_SCOPE_ALL, .search = "\" * -" }, "d3 t1 d2 d1 g1 l-new-old" },
    };

    assert_queries (lib.store, cases, G_N_ELEMENTS (cases));
  }

  {
    g_autofree char *match = _tidings_store_search_to_match ("NEAR( a \"b\" cd*");

    g_assert_cmpstr (match, ==, "\"NEAR\"* AND \"a\" AND \"b\" AND \"cd\"*");
    g_assert_null (_tidings_store_search_to_match ("\"*-()"));
    g_assert_null (_tidings_store_search_to_match (NULL));
  }

  /* Freshly merged articles are found at once. */
  {
    gint64 now = g_get_real_time ();
    TidingsArticleQuery seals = { TIDINGS_SCOPE_ALL, .search = "seals" };

    apply (lib.store, new_update (lib.loose, now,
                                  new_item ("l2", "Harbour seals", "<p>Seals</p>", now), NULL));
    assert_query (lib.store, &seals, "l2");
  }
  check_counts (lib.store);
  library_clear (&lib);
}

/* Enough articles that both ways of finding unread ones are taken: the
 * answers must not depend on which. */
static void
test_query_unread_plans (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  gint64 feed = add_subscription (store, "https://many.example/", 0);
  gint64 other = add_subscription (store, "https://few.example/", 0);
  gint64 now = g_get_real_time ();
  TidingsArticleQuery unread = { TIDINGS_SCOPE_UNREAD, };
  TidingsFeedUpdate *update = new_update (feed, now, NULL);

  for (int i = 0; i < 600; i++)
    {
      g_autofree char *guid = g_strdup_printf ("%03d", i);

      /* Some share a date: the id breaks the tie. */
      g_ptr_array_add (update->items, new_item (guid, guid, "<p>x</p>", now - (i / 2) * HOUR));
    }
  apply (store, update);
  apply (store, new_update (other, now, new_item ("x", "x", "x", now - 1000 * DAY), NULL));

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(GPtrArray) rows = NULL;
      g_autoptr(GPtrArray) first = NULL;
      g_autoptr(GPtrArray) second = NULL;
      gint64 expected;

      /* All unread (walked by date), then nearly all read (gathered from
       * the unread index). */
      if (round == 1)
        {
          TidingsArticleQuery all = { TIDINGS_SCOPE_SUBSCRIPTION, feed };

          mark_read (store, &all);
          for (int i = 0; i < 600; i += 37)
            {
              g_autofree char *guid = g_strdup_printf ("%03d", i);

              set_read (store, feed, guid, FALSE);
            }
        }
      else if (round == 2)
        {
          unread.kind = TIDINGS_SCOPE_SUBSCRIPTION;
          unread.id = feed;
          unread.unread_only = TRUE;
        }

      expected = sql_int (store, "SELECT count(*) FROM article_states s"
                          " JOIN articles a ON a.id = s.article_id WHERE s.read = 0 %s",
                          round == 2 ? "AND a.subscription_id = 1" : "");
      rows = query (store, &unread, 0, 1000);
      g_assert_cmpint (rows->len, ==, expected);
      g_assert_cmpuint (count (store, &unread), ==, expected);
      for (guint i = 1; i < rows->len; i++)
        {
          TidingsArticleRow *a = rows->pdata[i - 1];
          TidingsArticleRow *b = rows->pdata[i];

          g_assert_false (b->read);
          g_assert_true (a->date > b->date || (a->date == b->date && a->id > b->id));
        }
      /* Pages join up. */
      first = query (store, &unread, 0, 7);
      second = query (store, &unread, 7, 7);
      for (guint i = 0; i < first->len; i++)
        g_assert_cmpint (((TidingsArticleRow *) first->pdata[i])->id, ==,
                         ((TidingsArticleRow *) rows->pdata[i])->id);
      for (guint i = 0; i < second->len; i++)
        g_assert_cmpint (((TidingsArticleRow *) second->pdata[i])->id, ==,
                         ((TidingsArticleRow *) rows->pdata[7 + i])->id);
    }
  check_counts (store);
}

static gint64
unread_in (TidingsStore *store,
           gint64        subscription_id)
{
  return sql_int (store, "SELECT count(*) FROM article_states WHERE read = 0"
                  " AND subscription_id = %" G_GINT64_FORMAT, subscription_id);
}

static void
test_mark_read (void)
{
  Library lib;
  TidingsArticleQuery q = { TIDINGS_SCOPE_SUBSCRIPTION, };

  library_init (&lib);
  g_assert_cmpint (unread_in (lib.store, lib.daily), ==, 3);

  q.id = lib.town;
  mark_read (lib.store, &q);
  g_assert_cmpint (unread_in (lib.store, lib.town), ==, 0);
  g_assert_cmpint (unread_in (lib.store, lib.daily), ==, 3);
  g_assert_cmpint (sql_int (lib.store, "SELECT count(*) FROM article_states"
                            " WHERE read = 1 AND read_at = 0"), ==, 0);
  check_counts (lib.store);

  q.kind = TIDINGS_SCOPE_STARRED;
  mark_read (lib.store, &q);
  g_assert_cmpint (unread_in (lib.store, lib.daily), ==, 2);
  g_assert_cmpint (unread_in (lib.store, lib.gadgets), ==, 0);
  check_counts (lib.store);

  q.kind = TIDINGS_SCOPE_TODAY;
  mark_read (lib.store, &q);
  g_assert_cmpint (unread_in (lib.store, lib.daily), ==, 1);
  g_assert_cmpint (unread_in (lib.store, lib.loose), ==, 0);
  check_counts (lib.store);

  /* Unread again, then a section: its child sections come along. */
  set_read (lib.store, lib.town, "t1", FALSE);
  set_read (lib.store, lib.gadgets, "g1", FALSE);
  check_counts (lib.store);
  q.kind = TIDINGS_SCOPE_SECTION;
  q.id = lib.news;
  mark_read (lib.store, &q);
  g_assert_cmpint (unread_in (lib.store, lib.daily), ==, 0);
  g_assert_cmpint (unread_in (lib.store, lib.town), ==, 0);
  g_assert_cmpint (unread_in (lib.store, lib.gadgets), ==, 1);
  check_counts (lib.store);

  /* A search. */
  set_read (lib.store, lib.daily, "d3", FALSE);
  set_read (lib.store, lib.daily, "d1", FALSE);
  q.kind = TIDINGS_SCOPE_ALL;
  q.search = "harbour";
  mark_read (lib.store, &q);
  g_assert_cmpint (unread_in (lib.store, lib.daily), ==, 1);
  g_assert_cmpint (unread_in (lib.store, lib.gadgets), ==, 0);
  check_counts (lib.store);

  /* Everything. */
  q.search = NULL;
  mark_read (lib.store, &q);
  g_assert_cmpint (sql_int (lib.store, "SELECT count(*) FROM article_states WHERE read = 0"),
                   ==, 0);
  check_counts (lib.store);
  library_clear (&lib);
}

static void
test_set_read_starred (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 section = add_section (store, "S", 0);
  gint64 feed = add_subscription (store, "https://r.example/", section);
  gint64 other = add_subscription (store, "https://o.example/", 0);
  gint64 now = g_get_real_time ();
  gint64 a;

  apply (store, new_update (feed, now, new_item ("a", "A", "a", now), new_item ("b", "B", "b", now),
                            NULL));
  a = article_id (store, feed, "a");
  g_assert_true (tidings_store_set_read (store, a, TRUE, &error));
  g_assert_true (tidings_store_set_read (store, a, TRUE, &error));
  g_assert_no_error (error);
  check_counts (store);
  {
    g_autoptr(TidingsArticle) article = tidings_store_get_article (store, a, &error);

    g_assert_true (article->read);
    g_assert_cmpint (article->read_at, >=, now);
  }
  g_assert_true (tidings_store_set_read (store, a, FALSE, &error));
  g_assert_true (tidings_store_set_read (store, a, FALSE, &error));
  {
    g_autoptr(TidingsArticle) article = tidings_store_get_article (store, a, &error);

    g_assert_false (article->read);
    g_assert_cmpint (article->read_at, ==, 0);
  }
  check_counts (store);
  g_assert_true (tidings_store_set_starred (store, a, TRUE, &error));
  g_assert_true (tidings_store_set_starred (store, a, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (tidings_store_set_read (store, 999, TRUE, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
  g_assert_false (tidings_store_set_starred (store, 999, TRUE, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);

  /* Moving and removing keep every count right. */
  g_assert_true (tidings_store_move_subscription (store, feed, 0, 0, &error));
  check_counts (store);
  g_assert_true (tidings_store_move_subscription (store, other, section, 0, &error));
  check_counts (store);
  g_assert_true (tidings_store_remove_subscription (store, feed, &error));
  g_assert_no_error (error);
  check_counts (store);
}

static void
test_unread_counts (void)
{
  Library lib;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) feeds = NULL;
  g_autoptr(GArray) sections = NULL;
  guint all = 0;

  library_init (&lib);
  g_assert_true (tidings_store_unread_counts (lib.store, &feeds, &sections, &all, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (all, ==, 6);
  for (guint i = 0; i < sections->len; i++)
    {
      TidingsUnreadCount *c = &g_array_index (sections, TidingsUnreadCount, i);

      if (c->id == lib.news)
        g_assert_cmpuint (c->unread, ==, 4);
      else if (c->id == lib.local)
        g_assert_cmpuint (c->unread, ==, 1);
      else if (c->id == lib.tech)
        g_assert_cmpuint (c->unread, ==, 1);
      else
        g_assert_not_reached ();
    }
  /* Any out-argument may be left out. */
  g_assert_true (tidings_store_unread_counts (lib.store, NULL, NULL, &all, &error));
  g_assert_true (tidings_store_unread_counts (lib.store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* A subscription moved out of a child section. */
  g_assert_true (tidings_store_move_subscription (lib.store, lib.town, lib.tech, -1, &error));
  check_counts (lib.store);
  tidings_store_delete_article (lib.store, article_id (lib.store, lib.daily, "d3"), &error);
  g_assert_no_error (error);
  check_counts (lib.store);
  library_clear (&lib);
}

/* ---- Settings, back-offs, transactions, errors ---- */

static void
test_settings (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_null (tidings_store_get_setting (store, "retention-days"));
  g_assert_true (tidings_store_set_setting (store, "retention-days", "30", &error));
  g_assert_no_error (error);
  value = tidings_store_get_setting (store, "retention-days");
  g_assert_cmpstr (value, ==, "30");
  g_clear_pointer (&value, g_free);
  g_assert_true (tidings_store_set_setting (store, "retention-days", "60", &error));
  value = tidings_store_get_setting (store, "retention-days");
  g_assert_cmpstr (value, ==, "60");
  g_clear_pointer (&value, g_free);
  g_assert_true (tidings_store_set_setting (store, "retention-days", NULL, &error));
  g_assert_null (tidings_store_get_setting (store, "retention-days"));
  g_assert_true (tidings_store_set_setting (store, "retention-days", NULL, &error));
  g_assert_no_error (error);
}

static void
test_host_backoffs (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) backoffs = NULL;
  gint64 now = g_get_real_time ();
  gint64 *until;

  g_assert_true (tidings_store_set_host_backoff (store, "a.example", now + HOUR, &error));
  g_assert_true (tidings_store_set_host_backoff (store, "b.example", now + 2 * HOUR, &error));
  g_assert_true (tidings_store_set_host_backoff (store, "old.example", now - HOUR, &error));
  g_assert_no_error (error);

  backoffs = tidings_store_get_host_backoffs (store, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (backoffs), ==, 2);
  until = g_hash_table_lookup (backoffs, "a.example");
  g_assert_cmpint (*until, ==, now + HOUR);
  g_clear_pointer (&backoffs, g_hash_table_unref);

  backoffs = tidings_store_get_host_backoffs (store, now + HOUR, &error);
  g_assert_cmpuint (g_hash_table_size (backoffs), ==, 1);
  g_assert_true (g_hash_table_contains (backoffs, "b.example"));
  g_clear_pointer (&backoffs, g_hash_table_unref);

  /* A new time replaces the old; those run out are forgotten. */
  g_assert_true (tidings_store_set_host_backoff (store, "a.example", now + 3 * HOUR, &error));
  backoffs = tidings_store_get_host_backoffs (store, now, &error);
  until = g_hash_table_lookup (backoffs, "a.example");
  g_assert_cmpint (*until, ==, now + 3 * HOUR);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM host_backoffs"), ==, 2);
}

static void
test_transactions (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  gint64 feed;

  g_assert_true (tidings_store_begin (store, &error));
  add_section (store, "Gone", 0);
  add_subscription (store, "https://gone.example/", 0);
  tidings_store_rollback (store);
  g_assert_cmpint (tidings_store_find_section (store, "Gone", 0), ==, 0);
  g_assert_null (tidings_store_find_subscription (store, "https://gone.example/"));

  g_assert_true (tidings_store_begin (store, &error));
  g_assert_false (tidings_store_begin (store, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  feed = add_subscription (store, "https://kept.example/", 0);
  apply (store, new_update (feed, now, new_item ("a", "A", "<p>kept words</p>", now), NULL));
  /* A call that fails inside undoes only itself. */
  {
    g_autoptr(TidingsFeedUpdate) bad = new_update (999, now, new_item ("b", "B", "b", now), NULL);

    g_assert_false (tidings_store_apply_update (store, bad, NULL, &error));
    assert_store_error (error, TIDINGS_STORE_ERROR_NOT_FOUND);
    g_assert_false (tidings_store_add_section (store, "", 0, &error));
    g_clear_error (&error);
  }
  g_assert_true (tidings_store_commit (store, &error));
  g_assert_no_error (error);
  {
    g_autoptr(TidingsSubscription) kept = tidings_store_find_subscription (store,
                                                                          "https://kept.example/");

    g_assert_nonnull (kept);
  }
  g_assert_cmpint (article_id (store, feed, "a"), >, 0);
  check_counts (store);

  g_assert_false (tidings_store_commit (store, &error));
  assert_store_error (error, TIDINGS_STORE_ERROR_INVALID);
  tidings_store_rollback (store);
}

static void
test_second_connection (void)
{
  g_autoptr(TidingsStore) writer = open_default ();
  g_autoptr(TidingsStore) reader = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  TidingsArticleQuery all = { TIDINGS_SCOPE_ALL, };
  TidingsArticleQuery search = { TIDINGS_SCOPE_ALL, .search = "lighthouse" };
  gint64 feed = add_subscription (writer, "https://shared.example/", 0);

  apply (writer, new_update (feed, now, new_item ("a", "Lighthouse", "<p>Beam</p>", now), NULL));
  assert_query (reader, &all, "a");
  /* The reader brings the search index up to date itself. */
  assert_query (reader, &search, "a");

  /* Uncommitted work is the writer's alone. */
  g_assert_true (tidings_store_begin (writer, &error));
  apply (writer, new_update (feed, now, new_item ("b", "Lighthouse two", "<p>x</p>", now + 1),
                             NULL));
  assert_query (reader, &all, "a");
  g_assert_true (tidings_store_commit (writer, &error));
  g_assert_no_error (error);
  assert_query (reader, &all, "b a");
  check_counts (reader);
}

static void
test_error_busy (void)
{
  g_autoptr(TidingsStore) first = open_default ();
  g_autoptr(TidingsStore) second = open_default ();
  g_autoptr(GError) error = NULL;

  g_assert_true (tidings_store_begin (first, &error));
  add_section (first, "Held", 0);
  _tidings_store_set_busy_timeout (second, 50);
  g_assert_cmpint (tidings_store_add_section (second, "Waiting", 0, &error), ==, 0);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "busy"));
  g_clear_error (&error);
  g_assert_true (tidings_store_commit (first, &error));
  g_assert_cmpint (tidings_store_add_section (second, "Waiting", 0, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_error_full (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new ("<p>");
  g_autoptr(TidingsFeedUpdate) update = NULL;
  g_autofree char *limit = NULL;
  gint64 now = g_get_real_time ();
  gint64 feed = add_subscription (store, "https://big.example/", 0);

  for (int i = 0; i < 20000; i++)
    g_string_append_printf (big, "w%d ", i);
  update = new_update (feed, now, new_item ("big", "Big", big->str, now), NULL);

  /* A database that may not grow stands for a full disk. */
  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                           sql_int (store, "PRAGMA page_count"));
  sql_exec (store, limit);
  g_assert_false (tidings_store_apply_update (store, update, NULL, &error));
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FULL);
  g_assert_true (g_str_has_prefix (error->message, "The disk is full: "));
  g_clear_error (&error);

  /* Nothing half-written; the store goes on working. */
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM articles"), ==, 0);
  check_counts (store);
  sql_exec (store, "PRAGMA max_page_count = 1073741823");
  g_assert_true (tidings_store_apply_update (store, update, NULL, &error));
  g_assert_no_error (error);
  check_counts (store);
}

/* ---- The worker ---- */

typedef struct
{
  GMutex    lock;
  GArray   *ran;          /* indexes, in the order the worker ran them */
  GArray   *finished;     /* indexes, in the order the callbacks ran */
  GThread  *main_thread;
  GThread  *worker_thread;
  int       freed;
  int       delay_ms;
} Shared;

typedef struct
{
  Shared *shared;
  int     index;
} CallData;

static void
call_data_free (gpointer data)
{
  CallData *call = data;

  g_atomic_int_inc (&call->shared->freed);
  g_free (call);
}

static gpointer
worker_add_section (TidingsStore  *store,
                    gpointer       data,
                    GError       **error)
{
  CallData *call = data;
  g_autofree char *title = g_strdup_printf ("Section %d", call->index);

  if (call->shared->delay_ms > 0)
    g_usleep (call->shared->delay_ms * 1000);
  g_mutex_lock (&call->shared->lock);
  g_array_append_val (call->shared->ran, call->index);
  g_assert_true (call->shared->worker_thread == NULL ||
                 call->shared->worker_thread == g_thread_self ());
  call->shared->worker_thread = g_thread_self ();
  g_mutex_unlock (&call->shared->lock);

  /* Odd calls fail, as a store call can. */
  if (call->index % 2 == 1)
    {
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                   "Call %d fails on purpose", call->index);
      return NULL;
    }
  if (tidings_store_add_section (store, title, 0, error) == 0)
    return NULL;
  return g_strdup (title);
}

static void
worker_called (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Shared *shared = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  int index;

  g_assert_true (g_thread_self () == shared->main_thread);
  title = tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), result, &error);
  index = shared->finished->len;
  g_array_append_val (shared->finished, index);
  if (index % 2 == 1)
    {
      g_autofree char *message = g_strdup_printf ("Call %d fails on purpose", index);

      g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, message);
      g_assert_null (title);
    }
  else
    {
      g_autofree char *expected = g_strdup_printf ("Section %d", index);

      g_assert_no_error (error);
      g_assert_cmpstr (title, ==, expected);
    }
}

static void
shared_init (Shared *shared)
{
  g_mutex_init (&shared->lock);
  shared->ran = g_array_new (FALSE, FALSE, sizeof (int));
  shared->finished = g_array_new (FALSE, FALSE, sizeof (int));
  shared->main_thread = g_thread_self ();
  shared->worker_thread = NULL;
  shared->freed = 0;
  shared->delay_ms = 0;
}

static void
shared_clear (Shared *shared)
{
  g_array_unref (shared->ran);
  g_array_unref (shared->finished);
  g_mutex_clear (&shared->lock);
}

static void
queue_calls (TidingsStoreWorker *worker,
             Shared             *shared,
             int                 n)
{
  for (int i = 0; i < n; i++)
    {
      CallData *call = g_new0 (CallData, 1);

      call->shared = shared;
      call->index = i;
      tidings_store_worker_call_async (worker, worker_add_section, call, call_data_free, NULL,
                                       worker_called, shared);
    }
}

static void
test_worker_calls (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(GError) error = NULL;
  TidingsStoreWorker *worker;
  Shared shared;

  shared_init (&shared);
  worker = tidings_store_worker_new (path, &error);
  g_assert_no_error (error);
  queue_calls (worker, &shared, 20);
  while (shared.finished->len < 20)
    g_main_context_iteration (NULL, TRUE);

  /* In the order made, on one thread that is not this one; results and
   * errors come back to the callbacks. */
  g_assert_cmpuint (shared.ran->len, ==, 20);
  for (int i = 0; i < 20; i++)
    g_assert_cmpint (g_array_index (shared.ran, int, i), ==, i);
  g_assert_nonnull (shared.worker_thread);
  g_assert_true (shared.worker_thread != shared.main_thread);

  g_assert_finalize_object (worker);
  g_assert_cmpint (shared.freed, ==, 20);
  {
    g_autoptr(TidingsStore) store = open_default ();

    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM sections"), ==, 10);
  }
  shared_clear (&shared);
}

static void
test_worker_context (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsStoreWorker) worker = tidings_store_worker_new (path, &error);
  Shared shared;

  g_assert_no_error (error);
  shared_init (&shared);

  /* A call made under another thread-default context answers there, not
   * in the global default context. */
  g_main_context_push_thread_default (context);
  queue_calls (worker, &shared, 1);
  g_main_context_pop_thread_default (context);
  while (shared.ran->len < 1)
    g_usleep (1000);
  g_usleep (20000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (shared.finished->len, ==, 0);
  while (shared.finished->len < 1)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (shared.finished->len, ==, 1);
  shared_clear (&shared);
}

static void
worker_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  gboolean *finalized = data;

  *finalized = TRUE;
}

static void
test_worker_unref_waits (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(GError) error = NULL;
  TidingsStoreWorker *worker = tidings_store_worker_new (path, &error);
  gboolean finalized = FALSE;
  Shared shared;

  g_assert_no_error (error);
  shared_init (&shared);
  shared.delay_ms = 20;
  g_object_weak_ref (G_OBJECT (worker), worker_finalized, &finalized);

  /* Dropped at once: every call made still runs and answers, then the
   * connection closes (the last one to close removes the WAL file). */
  queue_calls (worker, &shared, 6);
  g_object_unref (worker);
  g_assert_false (finalized);
  while (!finalized)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (shared.ran->len, ==, 6);
  g_assert_cmpuint (shared.finished->len, ==, 6);
  g_assert_cmpint (shared.freed, ==, 6);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  {
    g_autoptr(TidingsStore) store = open_default ();

    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM sections"), ==, 3);
  }
  shared_clear (&shared);
}

static gpointer
never_called (TidingsStore  *store,
              gpointer       data,
              GError       **error)
{
  g_assert_not_reached ();
  return NULL;
}

static void
cancelled_call_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_null (tidings_store_worker_call_finish (TIDINGS_STORE_WORKER (source), result,
                                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
test_worker_cancel (void)
{
  g_autofree char *path = tidings_store_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TidingsStoreWorker *worker = tidings_store_worker_new (path, &error);
  gboolean done = FALSE;
  int freed_before;
  Shared shared;

  g_assert_no_error (error);
  shared_init (&shared);
  g_cancellable_cancel (cancellable);
  tidings_store_worker_call_async (worker, never_called, &shared, NULL, cancellable,
                                   cancelled_call_done, &done);
  freed_before = shared.freed;
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (shared.freed, ==, freed_before);
  g_assert_finalize_object (worker);
  shared_clear (&shared);
}

static void
test_worker_open_error (void)
{
  g_autofree char *path = data_path ("not-a-library.db");
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "plain text, not SQLite", -1, NULL));
  g_assert_null (tidings_store_worker_new (path, &error));
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT);
}

/* ---- Feed icons ---- */

static void
set_icon (TidingsStore *store,
          gint64        feed,
          const char   *url,
          const char   *data,
          const char   *etag,
          gint64        when)
{
  g_autoptr(GError) error = NULL;
  TidingsIcon icon = { feed, .url = (char *) url, .etag = (char *) etag, .fetched_at = when,
                       .content_type = data != NULL ? (char *) "image/png" : NULL };

  if (data != NULL)
    icon.data = g_bytes_new (data, strlen (data));
  g_assert_true (tidings_store_set_icon (store, &icon, &error));
  g_assert_no_error (error);
  g_clear_pointer (&icon.data, g_bytes_unref);
}

static void
test_icons (void)
{
  g_autoptr(TidingsStore) store = open_default ();
  g_autoptr(GError) error = NULL;
  gint64 feed = add_subscription (store, "https://icons.example/feed", 0);
  gint64 other = add_subscription (store, "https://other.example/feed", 0);
  TidingsIcon *icon;
  GHashTable *icons;

  /* Nothing stored: no icon, no error. */
  g_assert_null (tidings_store_get_icon (store, feed, &error));
  g_assert_no_error (error);

  /* A look that found nothing is remembered, with no image. */
  set_icon (store, other, NULL, NULL, NULL, 100);
  g_assert_null (tidings_store_get_icon (store, other, &error));
  g_assert_no_error (error);

  set_icon (store, feed, "https://icons.example/a.png", "first", "\"e1\"", 1000);
  icon = tidings_store_get_icon (store, feed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (icon->url, ==, "https://icons.example/a.png");
  g_assert_cmpstr (icon->content_type, ==, "image/png");
  g_assert_cmpstr (icon->etag, ==, "\"e1\"");
  g_assert_cmpint (icon->fetched_at, ==, 1000);
  g_assert_cmpint (icon->changed_at, ==, 1000);
  g_assert_cmpmem (g_bytes_get_data (icon->data, NULL), g_bytes_get_size (icon->data),
                   "first", 5);
  tidings_icon_free (icon);

  /* The same bytes again: looked for later, not changed. */
  set_icon (store, feed, "https://icons.example/a.png", "first", "\"e2\"", 2000);
  /* A 304: new validators, the image stays. */
  set_icon (store, feed, NULL, NULL, "\"e3\"", 3000);
  icon = tidings_store_get_icon (store, feed, &error);
  g_assert_cmpint (icon->fetched_at, ==, 3000);
  g_assert_cmpint (icon->changed_at, ==, 1000);
  g_assert_cmpstr (icon->etag, ==, "\"e3\"");
  g_assert_cmpmem (g_bytes_get_data (icon->data, NULL), g_bytes_get_size (icon->data),
                   "first", 5);
  tidings_icon_free (icon);

  /* Nothing found this time: the image and its validators stay. */
  set_icon (store, feed, NULL, NULL, NULL, 4000);
  /* New bytes move changed_at. */
  set_icon (store, feed, "https://icons.example/b.png", "second", NULL, 5000);
  icon = tidings_store_get_icon (store, feed, &error);
  g_assert_cmpint (icon->changed_at, ==, 5000);
  g_assert_null (icon->etag);
  g_assert_cmpstr (icon->url, ==, "https://icons.example/b.png");
  tidings_icon_free (icon);

  icons = tidings_store_list_icons (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (icons), ==, 2);
  icon = g_hash_table_lookup (icons, &other);
  g_assert_nonnull (icon);
  g_assert_null (icon->url);
  g_assert_cmpint (icon->fetched_at, ==, 100);
  g_assert_cmpint (icon->changed_at, ==, 0);
  icon = g_hash_table_lookup (icons, &feed);
  g_assert_null (icon->data);
  g_assert_cmpint (icon->fetched_at, ==, 5000);
  g_hash_table_unref (icons);

  /* The icon goes with its subscription. */
  g_assert_true (tidings_store_remove_subscription (store, feed, &error));
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM icons WHERE subscription_id = %"
                            G_GINT64_FORMAT, feed), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/open/create", test_open_create);
  g_test_add_func ("/store/open/empty-file", test_open_empty_file);
  g_test_add_func ("/store/open/too-new", test_open_too_new);
  g_test_add_func ("/store/open/garbage", test_open_garbage);
  g_test_add_func ("/store/migrate/every-version", test_migrate_every_version);
  g_test_add_func ("/store/migrate/next-version", test_migrate_next_version);
  g_test_add_func ("/store/sections", test_sections);
  g_test_add_func ("/store/subscriptions", test_subscriptions);
  g_test_add_func ("/store/merge/basic", test_merge);
  g_test_add_func ("/store/merge/fields", test_merge_dates_and_fields);
  g_test_add_func ("/store/merge/excerpt", test_merge_excerpt);
  g_test_add_func ("/store/merge/deleted-not-resurrected", test_merge_deleted_not_resurrected);
  g_test_add_func ("/store/merge/fetch-state", test_merge_fetch_state);
  g_test_add_func ("/store/retention", test_retention);
  g_test_add_func ("/store/query/scopes", test_query_scopes);
  g_test_add_func ("/store/query/search", test_query_search);
  g_test_add_func ("/store/query/unread-plans", test_query_unread_plans);
  g_test_add_func ("/store/mark-read", test_mark_read);
  g_test_add_func ("/store/set-read-starred", test_set_read_starred);
  g_test_add_func ("/store/unread-counts", test_unread_counts);
  g_test_add_func ("/store/settings", test_settings);
  g_test_add_func ("/store/host-backoffs", test_host_backoffs);
  g_test_add_func ("/store/icons", test_icons);
  g_test_add_func ("/store/transactions", test_transactions);
  g_test_add_func ("/store/second-connection", test_second_connection);
  g_test_add_func ("/store/error/busy", test_error_busy);
  g_test_add_func ("/store/error/full", test_error_full);
  g_test_add_func ("/store/worker/calls", test_worker_calls);
  g_test_add_func ("/store/worker/context", test_worker_context);
  g_test_add_func ("/store/worker/unref-waits", test_worker_unref_waits);
  g_test_add_func ("/store/worker/cancel", test_worker_cancel);
  g_test_add_func ("/store/worker/open-error", test_worker_open_error);

  return g_test_run ();
}
