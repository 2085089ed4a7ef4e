/* test-library-world.c: the library as the window holds it, in a hostile world
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A damaged library at start: the window opens the library with tidings_library_new(); when that fails
 * because the file is damaged, tidings_library_recover() puts the file aside
 * and starts a new library from the backup of the subscriptions that
 * TidingsLibrary itself wrote. Here that backup comes from a real
 * TidingsLibrary, and the new library is opened as the window opens it.
 * (tests/hostile/test-corrupt-start.py does the same through the command
 * line.)
 *
 * Another program writing to the library while the window runs (a
 * `tidings --refresh` from cron, say): the library announces what it
 * committed with "changed", as it does its own writes, and only those.
 */

#include <string.h>

#include "tidings-library-test-utils.h"
#include "tidings-opml-store.h"

static gpointer
add_func (TidingsStore  *store,
          gpointer       data,
          GError       **error)
{
  gint64 section = tidings_store_add_section (store, "Harbour News", 0, error);

  (void) data;
  if (section == 0
      || tidings_store_add_subscription (store, "https://example.org/one.xml", "One", section,
                                         error) == 0
      || tidings_store_add_subscription (store, "https://example.org/two.xml", "Two", section,
                                         error) == 0
      || tidings_store_add_subscription (store, "https://example.org/three.xml", NULL, 0,
                                         error) == 0)
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
list_func (TidingsStore  *store,
           gpointer       data,
           GError       **error)
{
  (void) data;
  return tidings_store_list_subscriptions (store, error);
}

static GBytes *
read_bytes (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

/* The one file in @dir whose name starts with "tidings.db.damaged-" and
 * does not end in -wal or -shm. */
static char *
find_damaged (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;

  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "tidings.db.damaged-") && !g_str_has_suffix (name, "-wal")
        && !g_str_has_suffix (name, "-shm"))
      {
        g_assert_null (found);
        found = g_build_filename (dir, name, NULL);
      }
  return found;
}

static void
test_recover_from_library_backup (void)
{
  g_autofree char *dir = make_test_dir ();
  g_autofree char *path = g_build_filename (dir, "tidings.db", NULL);
  g_autofree char *backup = tidings_library_get_backup_path (path);
  g_autofree char *found = NULL;
  g_autoptr(TidingsLibraryRecovery) recovery = NULL;
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GBytes) garbage = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) recover_error = NULL;
  TidingsLibrary *library;
  char noise[16384];

  /* A library as the window keeps it, with its backup written. */
  library = tidings_library_new (path, &error);
  g_assert_no_error (error);
  _tidings_library_set_backup_delay (library, 10);
  library_write (library, add_func, NULL, NULL, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  WAIT_UNTIL (g_file_test (backup, G_FILE_TEST_EXISTS));
  library_close (library);

  /* Damaged while the app was away. */
  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = (char) g_random_int_range (0, 256);
  g_assert_true (g_file_set_contents (path, noise, sizeof noise, NULL));
  garbage = g_bytes_new (noise, sizeof noise);

  library = tidings_library_new (path, &error);
  g_assert_null (library);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT);

  recovery = tidings_library_recover (path, error, &recover_error);
  g_assert_no_error (recover_error);
  g_assert_nonnull (recovery);
  g_clear_error (&error);
  g_test_message ("%s", recovery->message);

  found = find_damaged (dir);
  g_assert_cmpstr (recovery->damaged_path, ==, found);
  kept = read_bytes (recovery->damaged_path);
  g_assert_true (g_bytes_equal (kept, garbage));
  g_assert_cmpstr (recovery->backup_path, ==, backup);
  g_assert_null (recovery->backup_error);
  g_assert_cmpuint (recovery->n_restored, ==, 3);
  /* The sentence says what happened, where the file went and how many
   * subscriptions came back. */
  g_assert_nonnull (strstr (recovery->message, "damaged"));
  g_assert_nonnull (strstr (recovery->message, recovery->damaged_path));
  g_assert_nonnull (strstr (recovery->message, "3 subscriptions"));

  /* The window opens the new library, sections and all. */
  library = tidings_library_new (path, &error);
  g_assert_no_error (error);
  subscriptions = library_read (library, list_func, NULL, NULL);
  g_assert_cmpuint (subscriptions->len, ==, 3);
  for (guint i = 0; i < subscriptions->len; i++)
    {
      TidingsSubscription *subscription = subscriptions->pdata[i];

      if (g_str_equal (subscription->url, "https://example.org/three.xml"))
        g_assert_cmpint (subscription->section_id, ==, 0);
      else
        g_assert_cmpint (subscription->section_id, !=, 0);
    }
  library_close (library);

  /* The damaged copy stays for the user; the test's folder goes. */
  remove_test_dir (dir);
}

static void
test_recover_leaves_other_errors (void)
{
  g_autofree char *dir = make_test_dir ();
  g_autofree char *path = g_build_filename (dir, "tidings.db", NULL);
  g_autoptr(TidingsLibraryRecovery) recovery = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) recover_error = NULL;
  TidingsStore *store;

  /* A library from a newer Tidings. */
  store = tidings_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (_tidings_store_exec (store, "PRAGMA user_version = 99", &error));
  g_assert_no_error (error);
  g_assert_finalize_object (store);
  before = read_bytes (path);

  store = tidings_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_TOO_NEW);

  recovery = tidings_library_recover (path, error, &recover_error);
  g_assert_null (recovery);
  g_assert_error (recover_error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_TOO_NEW);
  g_assert_cmpstr (recover_error->message, ==, error->message);
  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_null (find_damaged (dir));

  remove_test_dir (dir);
}

static void
on_changed (TidingsLibrary *library,
            guint           changes,
            guint          *mask)
{
  (void) library;
  *mask |= changes;
  mask[1]++;
}

static gpointer
add_articles_func (TidingsStore  *store,
                   gpointer       data,
                   GError       **error)
{
  gint64 id = tidings_store_add_subscription (store, "https://example.org/articles.xml", NULL,
                                              0, error);

  (void) data;
  if (id == 0)
    return NULL;
  store_add_articles (store, id, "searchable", "Lighthouse keeper", 0, 50,
                      g_get_real_time (), g_get_real_time ());
  return GINT_TO_POINTER (TRUE);
}

/* What a search in the window does: the reader brings the search index up
 * to date (a commit of its own), then searches. */
static gpointer
search_func (TidingsStore  *store,
             gpointer       data,
             GError       **error)
{
  TidingsArticleQuery query = { .kind = TIDINGS_SCOPE_ALL, .search = "lighthouse" };

  (void) data;
  return tidings_store_query_articles (store, &query, 0, 100, error);
}

static void
test_changes_by_another_program (void)
{
  g_autofree char *dir = make_test_dir ();
  g_autofree char *path = g_build_filename (dir, "tidings.db", NULL);
  g_autoptr(GError) error = NULL;
  TidingsLibrary *library;
  TidingsStore *other;
  guint seen[2] = { 0, 0 };   /* the changes announced, and how many times */
  gint64 id;

  library = tidings_library_new (path, &error);
  g_assert_no_error (error);
  g_signal_connect (library, "changed", G_CALLBACK (on_changed), seen);
  /* The library's own writes are announced once each, and not again when
   * the watch for other programs looks at the file. */
  library_write (library, add_func, NULL, NULL, TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS);
  g_assert_cmpuint (seen[1], ==, 1);
  run_for (5000);
  g_assert_cmpuint (seen[1], ==, 1);

  /* Nor is a search, although the reader commits the search index for it. */
  library_write (library, add_articles_func, NULL, NULL,
                 TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS | TIDINGS_LIBRARY_CHANGED_ARTICLES);
  g_assert_cmpuint (seen[1], ==, 2);
  {
    g_autoptr(GPtrArray) found = library_read (library, search_func, NULL, NULL);

    g_assert_cmpuint (found->len, ==, 50);
  }
  run_for (5000);
  g_assert_cmpuint (seen[1], ==, 2);

  /* Another connection (another process would be the same to SQLite)
   * subscribes and marks: the library says so within a few seconds. */
  seen[0] = seen[1] = 0;
  other = tidings_store_open (path, &error);
  g_assert_no_error (error);
  id = tidings_store_add_subscription (other, "https://example.org/other.xml", "Other", 0,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_finalize_object (other);
  WAIT_UNTIL (seen[1] > 0);
  g_assert_cmpuint (seen[0] & TIDINGS_LIBRARY_CHANGED_SUBSCRIPTIONS, !=, 0);
  g_assert_cmpuint (seen[0] & TIDINGS_LIBRARY_CHANGED_ARTICLES, !=, 0);
  run_for (3000);
  g_assert_cmpuint (seen[1], ==, 1);

  g_signal_handlers_disconnect_by_data (library, seen);
  library_close (library);
  remove_test_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/library-world/recover/from-library-backup",
                   test_recover_from_library_backup);
  g_test_add_func ("/library-world/recover/other-errors-untouched",
                   test_recover_leaves_other_errors);
  g_test_add_func ("/library-world/changes-by-another-program",
                   test_changes_by_another_program);

  return g_test_run ();
}
