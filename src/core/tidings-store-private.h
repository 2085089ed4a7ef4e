/* tidings-store-private.h: what the store's tests and benchmark reach into
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "tidings-store.h"

G_BEGIN_DECLS

/* One step of the schema's forward migration; step N (0-based) takes a
 * database from user_version N to N + 1. A step is SQL, a function, or both
 * (SQL first). Steps run in one transaction with foreign keys off, which is
 * what SQLite's documented way of rebuilding a table needs; the foreign keys
 * are checked before the commit. */
typedef struct
{
  const char *sql;
  gboolean  (*run) (sqlite3  *db,
                    GError  **error);
} TidingsStoreMigration;

/* The steps this build knows: TIDINGS_STORE_SCHEMA_VERSION of them. */
const TidingsStoreMigration *_tidings_store_get_migrations (guint *n_steps);

/* tidings_store_open() with another list of steps (the tests add a step to
 * check that the next version's migration will run on today's data). */
TidingsStore *_tidings_store_open_with_migrations (const char                  *path,
                                                   const TidingsStoreMigration *steps,
                                                   guint                        n_steps,
                                                   GError                     **error);

/* Writes a database at schema @version, as the Tidings that knew only the
 * first @version steps left it (version 0: an empty database). */
gboolean      _tidings_store_create_at_version (const char  *path,
                                                guint        version,
                                                GError     **error);

sqlite3      *_tidings_store_get_db            (TidingsStore *self);
void          _tidings_store_set_busy_timeout  (TidingsStore *self,
                                                int           milliseconds);

/* How many search matches make a search walk the date index rather than
 * sort the matches (both ways must give the same answers). */
void          _tidings_store_set_many_matches  (TidingsStore *self,
                                                gint64        n);

/* Runs @sql (any number of statements), mapping failures as every other
 * call does. */
gboolean      _tidings_store_exec              (TidingsStore  *self,
                                                const char    *sql,
                                                GError       **error);

/* The FTS5 query that the words in @search become, NULL when they hold no
 * word. */
char         *_tidings_store_search_to_match   (const char *search);

G_END_DECLS
