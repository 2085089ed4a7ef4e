/* tidings-library-test-utils.h: helpers shared by the library and model tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Waiting on the main context with a hang guard, synchronous wrappers around
 * the library's reads and writes, and fixture building on a store of one's
 * own (before the library opens, or through its writer).
 */

#pragma once

#include <string.h>

#include <glib/gstdio.h>

#include "tidings-library.h"
#include "tidings-store-private.h"

/* A hang guard, not a speed assertion: a loaded machine gets all of it. */
#define WAIT_SECONDS 90

static gboolean
wait_tick (gpointer user_data)
{
  (void) user_data;
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @cond holds; fails after WAIT_SECONDS. */
#define WAIT_UNTIL(cond) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    guint _tick = g_timeout_add (20, wait_tick, NULL); \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > _deadline) \
          g_error ("Timed out waiting for %s", #cond); \
        g_main_context_iteration (NULL, TRUE); \
      } \
    g_source_remove (_tick); \
  } G_STMT_END

/* Lets the main context run for @milliseconds. */
static inline void
run_for (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  WAIT_UNTIL (g_get_monotonic_time () >= end);
}

static inline char *
make_test_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("tidings-library-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes the files in @dir (the database, its -wal and -shm, the backup),
 * then @dir. */
static inline void
remove_test_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

typedef struct
{
  gboolean  done;
  gpointer  result;
  GError   *error;
} CallWait;

static void
read_waited (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = tidings_library_read_finish (TIDINGS_LIBRARY (source), result, &wait->error);
  wait->done = TRUE;
}

static void
write_waited (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = tidings_library_write_finish (TIDINGS_LIBRARY (source), result, &wait->error);
  wait->done = TRUE;
}

/* Runs @func on the reader and waits for its result (which must come). */
static inline gpointer
library_read (TidingsLibrary   *library,
              TidingsStoreFunc  func,
              gpointer          data,
              GDestroyNotify    data_free)
{
  CallWait wait = { 0 };

  tidings_library_read_async (library, func, data, data_free, NULL, read_waited, &wait);
  WAIT_UNTIL (wait.done);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.result);
  return wait.result;
}

static inline gpointer
library_write (TidingsLibrary       *library,
               TidingsStoreFunc      func,
               gpointer              data,
               GDestroyNotify        data_free,
               TidingsLibraryChange  changes)
{
  CallWait wait = { 0 };

  tidings_library_write_async (library, func, data, data_free, changes, NULL, write_waited,
                               &wait);
  WAIT_UNTIL (wait.done);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.result);
  return wait.result;
}

static gpointer
nothing_func (TidingsStore  *store,
              gpointer       data,
              GError       **error)
{
  (void) store;
  (void) data;
  (void) error;
  return GINT_TO_POINTER (TRUE);
}

/* Every read asked for before has been answered. */
static inline void
library_sync (TidingsLibrary *library)
{
  library_read (library, nothing_func, NULL, NULL);
}

/* Waits for the library's own work (the backup, the first settings read)
 * and drops it, checking that nothing else holds it. */
static inline void
library_close (TidingsLibrary *library)
{
  gpointer alive = library;
  gint64 deadline;

  run_for (100);
  library_sync (library);
  /* Gone once what it still had in flight (a look for other programs'
   * changes, a backup) has come back: at once here, seconds later under
   * valgrind. */
  g_object_add_weak_pointer (G_OBJECT (library), &alive);
  g_object_unref (library);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (alive != NULL && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_null (alive);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gpointer
exec_func (TidingsStore  *store,
           gpointer       data,
           GError       **error)
{
  if (!_tidings_store_exec (store, data, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/* Runs @sql on the writer, announcing @changes. */
static inline void
library_exec (TidingsLibrary       *library,
              const char           *sql,
              TidingsLibraryChange  changes)
{
  library_write (library, exec_func, g_strdup (sql), g_free, changes);
}

static gpointer
count_func (TidingsStore  *store,
            gpointer       data,
            GError       **error)
{
  guint count = 0;

  if (!tidings_store_count_articles (store, data, &count, error))
    return NULL;
  return GUINT_TO_POINTER (count + 1);
}

/* How many articles @query matches, read on the library's reader. */
static inline guint
library_count (TidingsLibrary            *library,
               const TidingsArticleQuery *query)
{
  return GPOINTER_TO_UINT (library_read (library, count_func, (gpointer) query, NULL)) - 1;
}

static inline TidingsItem *
test_item (const char *guid,
           const char *title,
           gint64      date)
{
  TidingsItem *item = tidings_item_new ();

  item->id = g_strdup (guid);
  item->url = g_strdup_printf ("https://example.org/%s", guid);
  item->title = g_strdup (title);
  item->content_html = g_strdup_printf ("<p>%s</p>", title);
  item->date_published = date;
  return item;
}

/* Adds @n articles to @subscription_id on @store: guids PREFIX-FIRST…,
 * titles "TITLE N", dated @date + N minutes, first seen at @fetched_at. */
static inline void
store_add_articles (TidingsStore *store,
                    gint64        subscription_id,
                    const char   *prefix,
                    const char   *title,
                    guint         first,
                    guint         n,
                    gint64        date,
                    gint64        fetched_at)
{
  g_autoptr(TidingsFeedUpdate) update = tidings_feed_update_new (subscription_id);
  g_autoptr(GError) error = NULL;

  update->fetched_at = fetched_at;
  update->next_poll = fetched_at + G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  update->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_item_free);
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *guid = g_strdup_printf ("%s-%u", prefix, i);
      g_autofree char *item_title = g_strdup_printf ("%s %u", title, i);

      g_ptr_array_add (update->items,
                       test_item (guid, item_title, date + (gint64) i * 60 * G_USEC_PER_SEC));
    }
  g_assert_true (tidings_store_apply_update (store, update, NULL, &error));
  g_assert_no_error (error);
}

static inline TidingsStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  TidingsStore *store = tidings_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static inline gint64
store_add_section (TidingsStore *store,
                   const char   *title,
                   gint64        parent_id)
{
  g_autoptr(GError) error = NULL;
  gint64 id = tidings_store_add_section (store, title, parent_id, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static inline gint64
store_add_subscription (TidingsStore *store,
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

static inline TidingsLibrary *
open_library (const char *path)
{
  g_autoptr(GError) error = NULL;
  TidingsLibrary *library = tidings_library_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (library);
  /* Quick backups, so that no test leaves one owed when it ends. */
  _tidings_library_set_backup_delay (library, 20);
  return library;
}
