/* tidings-store.c: the library of sections, subscriptions and articles (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schema keeps an article's light columns (what a list shows) apart from
 * its content, and its read and starred state apart from both, so that lists
 * touch small rows and a content update never touches the state.
 *
 * Unread and article counts are kept on each subscription row and sections
 * add up their subscriptions', so no count ever scans articles. The
 * statements that insert articles or change read state adjust the counters
 * themselves (a trigger per row would cost as much again as marking 100,000
 * articles read); deletions, which come from cascades as often as from
 * direct statements, are counted by triggers.
 *
 * Merges do not index for search as they go: FTS5 writes a segment per
 * transaction, and indexing feed by feed cost four times what indexing a
 * few thousand articles at once does. New and changed articles wait in
 * search_pending until SEARCH_BATCH of them do, or until a search or
 * closing the store needs them indexed.
 *
 * Deleted articles leave a tombstone (subscription, guid) so that the next
 * refresh does not bring them back; a tombstone goes once its feed has not
 * listed the guid for TOMBSTONE_DAYS.
 */

#define G_LOG_DOMAIN "tidings-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tidings-sanitize.h"
#include "tidings-store-private.h"

G_DEFINE_QUARK (tidings-store-error-quark, tidings_store_error)

/* Two processes (the app and a command-line refresh) share the file; a
 * merge holds the write lock for milliseconds, a big import for seconds. */
#define BUSY_TIMEOUT_MS 10000
#define USEC_PER_DAY (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)
#define TOMBSTONE_DAYS 60
#define EXCERPT_CHARS 200
#define HASH_LEN 32
#define MAX_SEARCH_TERMS 16
/* Search matches beyond which walking the date index through the set of
 * matches beats looking each match up to sort it. */
#define MANY_MATCHES 2500
/* Merges index for search once this many articles wait. */
#define SEARCH_BATCH 2000

/* ---- Schema ---- */

static const char schema_v1[] =
  "CREATE TABLE settings ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  /* One level of nesting, enforced by the code that adds and moves them. */
  "CREATE TABLE sections ("
  "  id        INTEGER PRIMARY KEY,"
  "  parent_id INTEGER REFERENCES sections (id) ON DELETE CASCADE,"
  "  position  INTEGER NOT NULL,"
  "  title     TEXT NOT NULL"
  ");"
  "CREATE INDEX sections_by_parent ON sections (parent_id, position);"
  "CREATE UNIQUE INDEX sections_by_title ON sections (ifnull (parent_id, 0), title);"

  "CREATE TABLE subscriptions ("
  "  id               INTEGER PRIMARY KEY,"
  "  section_id       INTEGER REFERENCES sections (id) ON DELETE CASCADE,"
  "  position         INTEGER NOT NULL,"
  "  url              TEXT NOT NULL UNIQUE,"
  "  user_title       TEXT,"
  "  feed_title       TEXT,"
  "  site_url         TEXT,"
  "  icon_url         TEXT,"
  "  retention_count  INTEGER NOT NULL DEFAULT -1,"
  "  retention_days   INTEGER NOT NULL DEFAULT -1,"
  "  interval_minutes INTEGER NOT NULL DEFAULT 0,"
  "  etag             TEXT,"
  "  last_modified    TEXT,"
  "  content_hash     TEXT,"
  "  last_fetch       INTEGER NOT NULL DEFAULT 0,"
  "  last_success     INTEGER NOT NULL DEFAULT 0,"
  "  last_error       TEXT,"
  "  last_error_time  INTEGER NOT NULL DEFAULT 0,"
  "  next_poll        INTEGER NOT NULL DEFAULT 0,"
  "  min_interval     INTEGER NOT NULL DEFAULT 0,"
  "  gone             INTEGER NOT NULL DEFAULT 0,"
  "  article_count    INTEGER NOT NULL DEFAULT 0,"
  "  unread_count     INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX subscriptions_by_section ON subscriptions (section_id, position);"

  /* What lists show; date is published, else modified, else first seen. */
  "CREATE TABLE articles ("
  "  id              INTEGER PRIMARY KEY,"
  "  subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,"
  "  date            INTEGER NOT NULL,"
  "  first_seen      INTEGER NOT NULL,"
  "  guid            TEXT NOT NULL,"
  "  content_hash    BLOB NOT NULL,"
  "  url             TEXT,"
  "  title           TEXT,"
  "  author          TEXT,"
  "  excerpt         TEXT"
  ");"
  "CREATE UNIQUE INDEX articles_by_guid ON articles (subscription_id, guid);"
  "CREATE INDEX articles_by_date ON articles (date);"
  "CREATE INDEX articles_by_subscription_date ON articles (subscription_id, date);"
  "CREATE INDEX articles_by_first_seen ON articles (first_seen);"

  /* The rest of the item (lists of authors, tags and attachments as JSON)
   * and what search indexes: title, authors and body, the plain text. */
  "CREATE TABLE article_contents ("
  "  article_id     INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
  "  external_url   TEXT,"
  "  image          TEXT,"
  "  language       TEXT,"
  "  date_published INTEGER,"
  "  date_modified  INTEGER,"
  "  authors        TEXT,"
  "  tags           TEXT,"
  "  attachments    TEXT,"
  "  summary        TEXT,"
  "  content_text   TEXT,"
  "  content_html   TEXT,"
  "  title          TEXT,"
  "  author         TEXT,"
  "  body           TEXT"
  ");"

  /* The reader's marks, never written by a merge. subscription_id is a copy
   * (an article never changes feed) so that counts and bulk changes by feed
   * need no join. */
  "CREATE TABLE article_states ("
  "  article_id      INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
  "  subscription_id INTEGER NOT NULL,"
  "  read            INTEGER NOT NULL DEFAULT 0,"
  "  starred         INTEGER NOT NULL DEFAULT 0,"
  "  read_at         INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX article_states_unread ON article_states (subscription_id) WHERE read = 0;"
  "CREATE INDEX article_states_starred ON article_states (subscription_id) WHERE starred = 1;"

  "CREATE TABLE tombstones ("
  "  subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,"
  "  guid            TEXT NOT NULL,"
  "  last_listed     INTEGER NOT NULL,"
  "  PRIMARY KEY (subscription_id, guid)"
  ") WITHOUT ROWID;"

  "CREATE TABLE host_backoffs ("
  "  host  TEXT PRIMARY KEY NOT NULL,"
  "  until INTEGER NOT NULL"
  ") WITHOUT ROWID;"

  /* The index keeps no copy of the text: article_contents is its content
   * table. Articles whose text is not in the index yet are listed in
   * search_pending, for indexing a thousand at once costs a fraction of
   * indexing them feed by feed (FTS5 writes, and later merges, one segment
   * per transaction). The triggers keep "indexed = contents not pending"
   * true however a text changes or goes. */
  "CREATE TABLE search_pending ("
  "  article_id INTEGER PRIMARY KEY"
  ");"
  "CREATE VIRTUAL TABLE articles_fts USING fts5 ("
  "  title, author, body,"
  "  content = 'article_contents', content_rowid = 'article_id', columnsize = 0,"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "CREATE TRIGGER article_contents_inserted AFTER INSERT ON article_contents BEGIN"
  "  INSERT OR IGNORE INTO search_pending (article_id) VALUES (new.article_id);"
  "END;"
  "CREATE TRIGGER article_contents_updated BEFORE UPDATE ON article_contents BEGIN"
  "  INSERT INTO articles_fts (articles_fts, rowid, title, author, body)"
  "    SELECT 'delete', old.article_id, old.title, old.author, old.body"
  "    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE article_id = old.article_id);"
  "  INSERT OR IGNORE INTO search_pending (article_id) VALUES (old.article_id);"
  "END;"
  "CREATE TRIGGER article_contents_deleted AFTER DELETE ON article_contents BEGIN"
  "  INSERT INTO articles_fts (articles_fts, rowid, title, author, body)"
  "    SELECT 'delete', old.article_id, old.title, old.author, old.body"
  "    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE article_id = old.article_id);"
  "  DELETE FROM search_pending WHERE article_id = old.article_id;"
  "END;"

  "CREATE TRIGGER articles_deleted AFTER DELETE ON articles BEGIN"
  "  UPDATE subscriptions SET article_count = article_count - 1"
  "    WHERE id = old.subscription_id;"
  "END;"
  "CREATE TRIGGER article_states_deleted AFTER DELETE ON article_states"
  "  WHEN old.read = 0 BEGIN"
  "  UPDATE subscriptions SET unread_count = unread_count - 1"
  "    WHERE id = old.subscription_id;"
  "END;";

/* Feed icons, one per subscription, fetched by the refresh. data is the
 * file as served (NULL while none was found: the row then remembers when
 * it was looked for); changed_at moves only when the bytes change, which
 * is what the window's icon cache compares. */
static const char schema_v2[] =
  "CREATE TABLE icons ("
  "  subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,"
  "  url             TEXT,"
  "  data            BLOB,"
  "  content_type    TEXT,"
  "  etag            TEXT,"
  "  last_modified   TEXT,"
  "  fetched_at      INTEGER NOT NULL DEFAULT 0,"
  "  changed_at      INTEGER NOT NULL DEFAULT 0"
  ");";

/* Add a step here for every schema change; never edit a released one. */
static const TidingsStoreMigration migrations[] = {
  { schema_v1, NULL },
  { schema_v2, NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == TIDINGS_STORE_SCHEMA_VERSION);

/* ---- The object ---- */

struct _TidingsStore
{
  GObject     parent_instance;

  char       *path;
  char       *display_path;
  sqlite3    *db;
  GHashTable *statements;   /* SQL text -> sqlite3_stmt, prepared once per connection */
  int         busy_timeout_ms;
  gint64      many_matches;   /* MANY_MATCHES, lowered by tests */
};

G_DEFINE_FINAL_TYPE (TidingsStore, tidings_store, G_TYPE_OBJECT)

static void ensure_search_index (TidingsStore *self);

/* A cached statement, handed out reset; g_autoptr() resets it again (which
 * ends its read transaction) when it goes out of scope. */
typedef sqlite3_stmt Stmt;

static void
stmt_release (Stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stmt, stmt_release)

/* What the store holds of one guid a feed lists. */
typedef struct
{
  gint64   id;
  gboolean tombstoned;
  guint8   hash[HASH_LEN];
} Known;

/* What tidings_feed_update_prepare() works out for one item. */
typedef struct
{
  guint8  hash[HASH_LEN];
  char   *author;        /* names, joined */
  char   *excerpt;
  char   *text;          /* indexed for search */
  char   *authors_json;
  char   *tags_json;
  char   *attachments_json;
} Prepared;

static void
prepared_free (Prepared *prepared)
{
  g_free (prepared->author);
  g_free (prepared->excerpt);
  g_free (prepared->text);
  g_free (prepared->authors_json);
  g_free (prepared->tags_json);
  g_free (prepared->attachments_json);
  g_free (prepared);
}

/* ---- Errors ---- */

/* Below this much room a failed write is put down to a full disk. */
#define ROOM_MIN (1024 * 1024)

/* SQLite reports most failed writes as a bare I/O error, and the errno it
 * keeps is often gone by the time the error reaches us: look at the disk
 * and at the file size limit (RLIMIT_FSIZE) to tell the user whether there
 * is simply no room. Returns ENOSPC, EFBIG or 0. */
static int
diagnose_write_failure (sqlite3 *db)
{
  const char *path = sqlite3_db_filename (db, "main");
  g_autofree char *dir = NULL;
  struct statvfs fs;
  struct rlimit limit;

  if (path == NULL || *path == '\0')
    return 0;
  dir = g_path_get_dirname (path);
  if (statvfs (dir, &fs) == 0 && (guint64) fs.f_bavail * fs.f_frsize < ROOM_MIN)
    return ENOSPC;
  if (getrlimit (RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    {
      static const char * const suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
          GStatBuf st;

          if (g_stat (file, &st) == 0 && (guint64) st.st_size + ROOM_MIN > limit.rlim_cur)
            return EFBIG;
        }
    }
  return 0;
}

static void
set_db_error (sqlite3     *db,
              const char  *display_path,
              int          rc,
              GError     **error)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int system_errno = db != NULL ? sqlite3_system_errno (db) : 0;

  if (db != NULL && system_errno != ENOSPC && system_errno != EDQUOT && system_errno != EFBIG
      && (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_TRUNCATE || rc == SQLITE_IOERR_SHMSIZE))
    system_errno = diagnose_write_failure (db);

  /* SQLite says SQLITE_FULL only for ENOSPC met part-way through a write; a
   * write refused outright, or for a quota or the file size limit, comes
   * as an I/O error, which would hide the one thing the user can fix. */
  if ((rc & 0xff) == SQLITE_IOERR
      && (system_errno == ENOSPC || system_errno == EDQUOT || system_errno == EFBIG))
    {
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FULL,
                   /* Translators: in these messages %s is the path of the library file. */
                   system_errno == EFBIG
                   ? _("The library %s has grown as large as a file may be here: changes to it "
                       "could not be saved")
                   : system_errno == EDQUOT
                   ? _("The disk quota is used up: changes to the library %s could not be saved")
                   : _("The disk is full: changes to the library %s could not be saved"),
                   display_path);
      return;
    }

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FULL,
                   _("The disk is full: changes to the library %s could not be saved"),
                   display_path);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_BUSY,
                   _("Another program kept the library %s busy for too long; try again later"),
                   display_path);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT,
                   /* Translators: the second %s is SQLite's message (in English). */
                   _("The library %s is damaged or is not a Tidings library (%s)"),
                   display_path, detail);
      break;
    case SQLITE_READONLY:
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                   _("The library %s cannot be written to (%s)"), display_path, detail);
      break;
    case SQLITE_CANTOPEN:
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                   _("Cannot open the library %s (%s)"), display_path, detail);
      break;
    case SQLITE_IOERR:
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                   _("Cannot read or write the library %s (%s)"), display_path, detail);
      break;
    default:
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                   _("The library %s refused the change (%s)"), display_path, detail);
      break;
    }
}

static void
store_error (TidingsStore  *self,
             int            rc,
             GError       **error)
{
  set_db_error (self->db, self->display_path, rc, error);
}

static gboolean
is_unique_violation (int rc)
{
  return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

static gboolean
not_found (GError     **error,
           const char  *what,
           gint64       id)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  /* A whole sentence for each, so that translations can decline the noun. */
  if (g_str_equal (what, "section"))
    /* Translators: %s is a number. */
    g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_NOT_FOUND,
                 _("There is no section with the number %s in the library"), number);
  else if (g_str_equal (what, "subscription"))
    /* Translators: %s is a number. */
    g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_NOT_FOUND,
                 _("There is no subscription with the number %s in the library"), number);
  else
    /* Translators: %s is a number. */
    g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_NOT_FOUND,
                 _("There is no article with the number %s in the library"), number);
  return FALSE;
}

/* ---- Statements ---- */

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static Stmt *
stmt_get (TidingsStore  *self,
          const char    *sql,
          GError       **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

      if (rc != SQLITE_OK)
        {
          store_error (self, rc, error);
          return NULL;
        }
      g_hash_table_insert (self->statements, g_strdup (sql), stmt);
    }
  return stmt;
}

/* The bound text must outlive the step, not the statement. */
static void
bind_text (Stmt       *stmt,
           int         index,
           const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* 0 is "none" for ids that the schema keeps as NULL. */
static void
bind_id_or_null (Stmt   *stmt,
                 int     index,
                 gint64  id)
{
  if (id != 0)
    sqlite3_bind_int64 (stmt, index, id);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_date (Stmt   *stmt,
           int     index,
           gint64  date)
{
  if (date != TIDINGS_DATE_UNSET)
    sqlite3_bind_int64 (stmt, index, date);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_named_int64 (Stmt       *stmt,
                  const char *name,
                  gint64      value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_int64 (stmt, index, value);
}

static void
bind_named_text (Stmt       *stmt,
                 const char *name,
                 const char *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    bind_text (stmt, index, value);
}

/* Steps a statement that returns no row (or whose rows do not matter). */
static gboolean
stmt_run (TidingsStore  *self,
          Stmt          *stmt,
          GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  store_error (self, rc, error);
  return FALSE;
}

/* Steps to the next row: TRUE with a row, FALSE at the end or on error. */
static gboolean
stmt_next (TidingsStore  *self,
           Stmt          *stmt,
           gboolean      *failed,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    {
      store_error (self, rc, error);
      *failed = TRUE;
    }
  return FALSE;
}

/* A value for ?N: ARGS (arg_int (id), arg_text (title)) binds ?1 and ?2 of
 * the statements that run_sql() and query_row() run. */
typedef enum
{
  ARG_INT,
  ARG_TEXT,   /* NULL binds NULL */
  ARG_ID,     /* 0 binds NULL, as bind_id_or_null() */
} ArgKind;

typedef struct
{
  ArgKind     kind;
  gint64      number;
  const char *text;
} Arg;

#define ARGS(...) (const Arg[]) { __VA_ARGS__ }, G_N_ELEMENTS (((const Arg[]) { __VA_ARGS__ }))
#define NO_ARGS NULL, 0

static inline Arg
arg_int (gint64 number)
{
  return (Arg) { ARG_INT, number, NULL };
}

static inline Arg
arg_id (gint64 id)
{
  return (Arg) { ARG_ID, id, NULL };
}

static inline Arg
arg_text (const char *text)
{
  return (Arg) { ARG_TEXT, 0, text };
}

static void
bind_args (Stmt      *stmt,
           const Arg *args,
           guint      n_args)
{
  for (guint i = 0; i < n_args; i++)
    {
      switch (args[i].kind)
        {
        case ARG_TEXT:
          bind_text (stmt, i + 1, args[i].text);
          break;
        case ARG_ID:
          bind_id_or_null (stmt, i + 1, args[i].number);
          break;
        case ARG_INT:
        default:
          sqlite3_bind_int64 (stmt, i + 1, args[i].number);
          break;
        }
    }
}

/* Runs @sql once with @args bound. With @taken, a row that a UNIQUE
 * constraint refuses sets *taken and fails leaving @error to the caller,
 * which knows what name was taken. */
static gboolean
run_sql_full (TidingsStore  *self,
              const char    *sql,
              const Arg     *args,
              guint          n_args,
              gboolean      *taken,
              GError       **error)
{
  g_autoptr(Stmt) stmt = stmt_get (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_args (stmt, args, n_args);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  if (taken != NULL && is_unique_violation (rc))
    *taken = TRUE;
  else
    store_error (self, rc, error);
  return FALSE;
}

static gboolean
run_sql (TidingsStore  *self,
         const char    *sql,
         const Arg     *args,
         guint          n_args,
         GError       **error)
{
  return run_sql_full (self, sql, args, n_args, NULL, error);
}

/* run_sql() for a statement that must change the @what numbered @id. */
static gboolean
change_row (TidingsStore  *self,
            const char    *what,
            gint64         id,
            const char    *sql,
            const Arg     *args,
            guint          n_args,
            GError       **error)
{
  if (!run_sql (self, sql, args, n_args, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return not_found (error, what, id);
  return TRUE;
}

/* Runs a query with @args bound up to its first row: the statement on that
 * row (for a g_autoptr(Stmt)), else NULL, with *failed set when that is an
 * error rather than no row. */
static Stmt *
query_row (TidingsStore  *self,
           const char    *sql,
           const Arg     *args,
           guint          n_args,
           gboolean      *failed,
           GError       **error)
{
  Stmt *stmt = stmt_get (self, sql, error);

  *failed = stmt == NULL;
  if (stmt == NULL)
    return NULL;
  bind_args (stmt, args, n_args);
  if (stmt_next (self, stmt, failed, error))
    return stmt;
  stmt_release (stmt);
  return NULL;
}

/* query_row() for the row of the @what numbered @id (bound to ?1), which
 * must exist: NULL always comes with @error set. */
static Stmt *
query_found (TidingsStore  *self,
             const char    *what,
             gint64         id,
             const char    *sql,
             GError       **error)
{
  gboolean failed;
  Stmt *stmt = query_row (self, sql, ARGS (arg_int (id)), &failed, error);

  if (stmt == NULL && !failed)
    not_found (error, what, id);
  return stmt;
}

/* query_row() for the lookups that answer "none" rather than fail: an error
 * only shows in the debug log, as "Cannot @doing @key". */
static Stmt *
lookup_row (TidingsStore *self,
            const char   *doing,
            const char   *key,
            const char   *sql,
            const Arg    *args,
            guint         n_args)
{
  g_autoptr(GError) error = NULL;
  gboolean failed;
  Stmt *stmt = query_row (self, sql, args, n_args, &failed, &error);

  if (failed)
    g_debug ("Cannot %s %s: %s", doing, key, error->message);
  return stmt;
}

static char *
column_dup (Stmt *stmt,
            int   column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text);
}

static gint64
column_date (Stmt *stmt,
             int   column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return TIDINGS_DATE_UNSET;
  return sqlite3_column_int64 (stmt, column);
}

static gboolean
db_exec (TidingsStore  *self,
         const char    *sql,
         GError       **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      store_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* ---- Transactions ---- */

/* Every call is atomic on its own: a transaction of its own, or a savepoint
 * inside the caller's (tidings_store_begin()). Writers take the lock up front
 * (IMMEDIATE) so that a reader never has to be upgraded, which is the one
 * case where SQLite gives up without waiting. */
static gboolean
txn_begin (TidingsStore  *self,
           gboolean      *nested,
           GError       **error)
{
  *nested = !sqlite3_get_autocommit (self->db);
  return db_exec (self, *nested ? "SAVEPOINT tidings_call" : "BEGIN IMMEDIATE", error);
}

static void
txn_rollback (TidingsStore *self,
              gboolean      nested)
{
  /* An error such as SQLITE_FULL may have rolled the transaction back
   * already; then there is nothing left to undo. */
  if (sqlite3_get_autocommit (self->db))
    return;
  if (nested)
    sqlite3_exec (self->db, "ROLLBACK TO tidings_call; RELEASE tidings_call", NULL, NULL, NULL);
  else
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
txn_commit (TidingsStore  *self,
            gboolean       nested,
            GError       **error)
{
  if (db_exec (self, nested ? "RELEASE tidings_call" : "COMMIT", error))
    return TRUE;
  txn_rollback (self, nested);
  return FALSE;
}

/* Ends what txn_begin() began: keeps it when @ok, else undoes all of it. */
static gboolean
txn_end (TidingsStore  *self,
         gboolean       nested,
         gboolean       ok,
         GError       **error)
{
  if (ok)
    return txn_commit (self, nested, error);
  txn_rollback (self, nested);
  return FALSE;
}

gboolean
tidings_store_begin (TidingsStore  *self,
                     GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!sqlite3_get_autocommit (self->db))
    {
      g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                           _("A transaction is already open on this connection"));
      return FALSE;
    }
  return db_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
tidings_store_commit (TidingsStore  *self,
                      GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sqlite3_get_autocommit (self->db))
    {
      g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                           _("There is no transaction to commit: it was never begun or "
                             "an error undid it"));
      return FALSE;
    }
  return txn_commit (self, FALSE, error);
}

void
tidings_store_rollback (TidingsStore *self)
{
  g_return_if_fail (TIDINGS_IS_STORE (self));

  txn_rollback (self, FALSE);
}

/* txn_end() for a call that inserted a row: the row's id, or 0. */
static gint64
txn_end_inserted (TidingsStore  *self,
                  gboolean       nested,
                  gboolean       ok,
                  GError       **error)
{
  gint64 id = sqlite3_last_insert_rowid (self->db);

  return txn_end (self, nested, ok, error) ? id : 0;
}

/* ---- Opening ---- */

char *
tidings_store_default_path (void)
{
  /* "tidings", or "tidings-devel" for a .Devel build (meson.build). */
  return g_build_filename (g_get_user_data_dir (), DATA_DIR_NAME, "tidings.db", NULL);
}

static gboolean
raw_exec (sqlite3     *db,
          const char  *display_path,
          const char  *sql,
          GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (db, display_path, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Prepares @sql (before the store has its statement cache) and steps it to
 * its first row: the statement there, for the caller to finalize, or NULL
 * with @error set. */
static sqlite3_stmt *
raw_first_row (sqlite3     *db,
               const char  *display_path,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return stmt;
  set_db_error (db, display_path, rc, error);
  sqlite3_finalize (stmt);
  return NULL;
}

/* Reads user_version and whether the database holds anything; this is also
 * where SQLite first reads the file, so where damage shows. */
static gboolean
read_version (sqlite3     *db,
              const char  *display_path,
              gint64      *version,
              gint64      *n_objects,
              GError     **error)
{
  sqlite3_stmt *stmt = raw_first_row (db, display_path,
                                      "SELECT (SELECT user_version FROM pragma_user_version),"
                                      " (SELECT count(*) FROM sqlite_master)", error);

  if (stmt == NULL)
    return FALSE;
  *version = sqlite3_column_int64 (stmt, 0);
  *n_objects = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
quick_check (sqlite3     *db,
             const char  *display_path,
             GError     **error)
{
  sqlite3_stmt *stmt = raw_first_row (db, display_path, "PRAGMA quick_check", error);
  g_autofree char *problem = NULL;

  if (stmt == NULL)
    return FALSE;
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    problem = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  if (problem != NULL)
    {
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT,
                   /* Translators: the second %s is SQLite's finding (in English). */
                   _("The library %s is damaged (%s)"), display_path, problem);
      return FALSE;
    }
  return TRUE;
}

static gboolean
foreign_keys_hold (sqlite3     *db,
                   const char  *display_path,
                   GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA foreign_key_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_ROW)
    g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT,
                 _("The library %s holds rows that point nowhere after its upgrade"),
                 display_path);
  else
    set_db_error (db, display_path, rc, error);
  return FALSE;
}

static void
set_too_new (GError     **error,
             const char  *display_path,
             gint64       version,
             guint        known)
{
  g_autofree char *format = g_strdup_printf ("%" G_GINT64_FORMAT, version);

  /* Translators: the first %s is the path of the library, the second and %u
   * are numbers of versions of its format. */
  g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_TOO_NEW,
               _("The library %s was written by a newer version of Tidings (format %s, this "
                 "version reads up to %u); it has been left as it is"),
               display_path, format, known);
}

/* Runs steps [version, n_steps) in one transaction. The version is read
 * again under the write lock: another process may have just migrated. */
static gboolean
migrate (sqlite3                      *db,
         const char                   *display_path,
         const TidingsStoreMigration  *steps,
         guint                         n_steps,
         GError                      **error)
{
  g_autofree char *set_version = NULL;
  gint64 version;
  gint64 n_objects;

  if (!raw_exec (db, display_path, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!read_version (db, display_path, &version, &n_objects, error))
    goto failed;
  if (version > n_steps)
    {
      set_too_new (error, display_path, version, n_steps);
      goto failed;
    }

  for (gint64 v = version; v < n_steps; v++)
    {
      g_autoptr(GError) local_error = NULL;

      g_debug ("Migrating %s from version %" G_GINT64_FORMAT, display_path, v);
      if ((steps[v].sql != NULL && !raw_exec (db, display_path, steps[v].sql, &local_error)) ||
          (steps[v].run != NULL && !steps[v].run (db, &local_error)))
        {
          g_set_error (error, TIDINGS_STORE_ERROR,
                       local_error->domain == TIDINGS_STORE_ERROR
                       ? local_error->code : TIDINGS_STORE_ERROR_FAILED,
                       /* Translators: %s is the path of the library, the two %u are
                        * numbers of versions of its format, the last %s says why. */
                       _("Could not upgrade the library %s from format %u to %u: %s"),
                       display_path, (guint) v, (guint) (v + 1), local_error->message);
          goto failed;
        }
    }

  if (!foreign_keys_hold (db, display_path, error))
    goto failed;
  set_version = g_strdup_printf ("PRAGMA user_version = %u", n_steps);
  if (!raw_exec (db, display_path, set_version, error))
    goto failed;
  if (!raw_exec (db, display_path, "COMMIT", error))
    goto failed;
  return TRUE;

failed:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static sqlite3 *
open_connection (const char  *path,
                 const char  *display_path,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                        SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (db, display_path, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  return db;
}

/* Switches the file to WAL, which takes it whole for a moment. SQLite
 * answers BUSY at once rather than waiting when another process has it open
 * (two first starts at the same time, both creating the library): try
 * again for as long as the busy timeout. */
static gboolean
switch_to_wal (sqlite3     *db,
               const char  *display_path,
               GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) BUSY_TIMEOUT_MS * 1000;

  for (;;)
    {
      int rc = sqlite3_exec (db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);

      if (rc == SQLITE_OK)
        return TRUE;
      if ((rc & 0xff) != SQLITE_BUSY || g_get_monotonic_time () > deadline)
        {
          set_db_error (db, display_path, rc, error);
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
}

static TidingsStore *
open_store (const char                   *path,
            const TidingsStoreMigration  *steps,
            guint                         n_steps,
            GError                      **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *display_path = g_filename_display_name (path);
  g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);
  TidingsStore *self;
  sqlite3 *db;
  gint64 version;
  gint64 n_objects;
  gboolean had_wal;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display_dir = g_filename_display_name (dir);

      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_FAILED,
                   _("Cannot create the folder %s: %s"), display_dir, g_strerror (saved_errno));
      return NULL;
    }
  /* No peeking at the file's header with stdio here: closing any descriptor
   * of the file drops every POSIX lock this process holds on it, including
   * those of a connection already open (the writer's, when the reader
   * opens), and another process could then checkpoint and delete the WAL
   * under it. SQLite itself says SQLITE_NOTADB for a file that is not a
   * database, before anything is written. */
  had_wal = g_file_test (wal_path, G_FILE_TEST_EXISTS);
  db = open_connection (path, display_path, error);
  if (db == NULL)
    return NULL;

  /* Nothing may be written before these checks pass: switching to WAL
   * alone rewrites the header. */
  if (!read_version (db, display_path, &version, &n_objects, error))
    goto failed;
  if (version > n_steps)
    {
      set_too_new (error, display_path, version, n_steps);
      goto failed;
    }
  if (version == 0 && n_objects > 0)
    {
      g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_CORRUPT,
                   _("%s is not a Tidings library: it is another program's database"),
                   display_path);
      goto failed;
    }
  /* A full check reads every page: worth it before an upgrade rewrites
   * the file, too slow for every start of a big library (where SQLite
   * still reports damage as it meets it). */
  if (version > 0 && version < n_steps && !quick_check (db, display_path, error))
    goto failed;

  /* Pages of 8 KiB hold two articles' contents where 4 KiB pages hold one
   * and waste a quarter; only a new database can still choose. */
  if (version == 0 && !raw_exec (db, display_path, "PRAGMA page_size = 8192", error))
    goto failed;
  /* Checkpoints (copying the WAL into the database, with an fsync) are
   * the dearest part of a big refresh: fewer, larger ones, and a WAL file
   * cut back to size afterwards. */
  if (!switch_to_wal (db, display_path, error))
    goto failed;
  if (!raw_exec (db, display_path,
                 "PRAGMA synchronous = NORMAL;"
                 "PRAGMA wal_autocheckpoint = 4096;"
                 "PRAGMA journal_size_limit = 67108864;"
                 "PRAGMA temp_store = MEMORY;"
                 "PRAGMA cache_size = -16384", error))
    goto failed;

  if (version < n_steps && !migrate (db, display_path, steps, n_steps, error))
    goto failed;
  if (!raw_exec (db, display_path, "PRAGMA foreign_keys = ON", error))
    goto failed;

  self = g_object_new (TIDINGS_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->display_path = g_steal_pointer (&display_path);
  self->db = db;
  self->busy_timeout_ms = BUSY_TIMEOUT_MS;
  self->many_matches = MANY_MATCHES;
  return self;

failed:
  /* The last connection to close checkpoints the WAL into the file and
   * deletes it: not a WAL that was there before, with changes of its own,
   * beside a file refused as damaged or too new, which stays as it was for
   * whoever looks at it next. (One made by this open is empty: let it go.) */
  if (had_wal)
    sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_close (db);
  return NULL;
}

TidingsStore *
tidings_store_open (const char  *path,
                    GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_store (path, migrations, G_N_ELEMENTS (migrations), error);
}

TidingsStore *
_tidings_store_open_with_migrations (const char                   *path,
                                     const TidingsStoreMigration  *steps,
                                     guint                         n_steps,
                                     GError                      **error)
{
  return open_store (path, steps, n_steps, error);
}

const TidingsStoreMigration *
_tidings_store_get_migrations (guint *n_steps)
{
  *n_steps = G_N_ELEMENTS (migrations);
  return migrations;
}

gboolean
_tidings_store_create_at_version (const char  *path,
                                  guint        version,
                                  GError     **error)
{
  g_autofree char *display_path = g_filename_display_name (path);
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (version <= G_N_ELEMENTS (migrations), FALSE);

  db = open_connection (path, display_path, error);
  if (db == NULL)
    return FALSE;
  ok = raw_exec (db, display_path, "PRAGMA journal_mode = WAL", error);
  if (ok && version > 0)
    ok = migrate (db, display_path, migrations, version, error);
  sqlite3_close (db);
  return ok;
}

const char *
tidings_store_get_path (TidingsStore *self)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);

  return self->path;
}

sqlite3 *
_tidings_store_get_db (TidingsStore *self)
{
  return self->db;
}

void
_tidings_store_set_busy_timeout (TidingsStore *self,
                                 int           milliseconds)
{
  self->busy_timeout_ms = milliseconds;
  sqlite3_busy_timeout (self->db, milliseconds);
}

void
_tidings_store_set_many_matches (TidingsStore *self,
                                 gint64        n)
{
  self->many_matches = n;
}

gboolean
_tidings_store_exec (TidingsStore  *self,
                     const char    *sql,
                     GError       **error)
{
  return db_exec (self, sql, error);
}

static void
tidings_store_finalize (GObject *object)
{
  TidingsStore *self = TIDINGS_STORE (object);

  if (self->db != NULL)
    {
      if (!sqlite3_get_autocommit (self->db))
        {
          g_debug ("Closing %s with a transaction open: it is rolled back",
                   self->display_path);
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        }
      /* A command-line refresh leaves its articles searchable; closing
       * does not wait long for another program's write lock to do so. */
      sqlite3_busy_timeout (self->db, 200);
      ensure_search_index (self);
    }
  g_hash_table_unref (self->statements);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);
  g_free (self->display_path);

  G_OBJECT_CLASS (tidings_store_parent_class)->finalize (object);
}

static void
tidings_store_class_init (TidingsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tidings_store_finalize;
}

static void
tidings_store_init (TidingsStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            finalize_statement);
}

/* ---- Settings ---- */

char *
tidings_store_get_setting (TidingsStore *self,
                           const char   *key)
{
  g_autoptr(Stmt) stmt = NULL;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = lookup_row (self, "read the setting", key, "SELECT value FROM settings WHERE key = ?1",
                     ARGS (arg_text (key)));
  return stmt != NULL ? column_dup (stmt, 0) : NULL;
}

gboolean
tidings_store_set_setting (TidingsStore  *self,
                           const char    *key,
                           const char    *value,
                           GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    return run_sql (self, "DELETE FROM settings WHERE key = ?1", ARGS (arg_text (key)), error);
  return run_sql (self, "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  ARGS (arg_text (key), arg_text (value)), error);
}

/* A global limit: a whole number, or -1 when unset or not one. */
static gint64
limit_setting (TidingsStore *self,
               const char   *key)
{
  g_autofree char *value = tidings_store_get_setting (self, key);
  gint64 limit;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, G_MAXINT, &limit, NULL))
    return -1;
  return limit;
}

/* ---- Sections ---- */

void
tidings_section_free (TidingsSection *section)
{
  if (section == NULL)
    return;
  g_free (section->title);
  g_free (section);
}

/* Only sections have a name to check. */
static gboolean
check_title (const char  *title,
             GError     **error)
{
  if (title != NULL && *title != '\0')
    return TRUE;
  g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                       _("A section needs a name"));
  return FALSE;
}

static gboolean
section_exists_error (GError     **error,
                      const char  *title)
{
  g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS,
               _("There is already a section called “%s” there"), title);
  return FALSE;
}

/* Sections and subscriptions keep positions 0..n-1 within their group:
 * the parent section, 0 (NULL in the table) for the top. */
typedef struct
{
  const char *table;
  const char *group_column;
  const char *what;
} Ordered;

static const Ordered sections_order = { "sections", "parent_id", "section" };
static const Ordered subscriptions_order = { "subscriptions", "section_id", "subscription" };

/* Where a row sits: its group and position. */
static gboolean
locate (TidingsStore   *self,
        const Ordered  *order,
        gint64          id,
        gint64         *group,
        int            *position,
        GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT ifnull (%s, 0), position FROM %s WHERE id = ?1",
                                          order->group_column, order->table);
  g_autoptr(Stmt) stmt = query_found (self, order->what, id, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (group != NULL)
    *group = sqlite3_column_int64 (stmt, 0);
  if (position != NULL)
    *position = sqlite3_column_int (stmt, 1);
  return TRUE;
}

/* A section may take children only if it is at the top level itself. */
static gboolean
check_parent (TidingsStore  *self,
              gint64         parent_id,
              GError       **error)
{
  gint64 grandparent = 0;

  if (!locate (self, &sections_order, parent_id, &grandparent, NULL, error))
    return FALSE;
  if (grandparent != 0)
    {
      g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                           _("Sections nest only one level deep: that section is already "
                             "inside another"));
      return FALSE;
    }
  return TRUE;
}

gint64
tidings_store_add_section (TidingsStore  *self,
                           const char    *title,
                           gint64         parent_id,
                           GError       **error)
{
  gboolean taken = FALSE;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!check_title (title, error) || !txn_begin (self, &nested, error))
    return 0;
  ok = (parent_id == 0 || check_parent (self, parent_id, error)) &&
       run_sql_full (self, "INSERT INTO sections (parent_id, position, title) VALUES (?1,"
                     " (SELECT ifnull (max (position) + 1, 0) FROM sections"
                     "  WHERE parent_id IS ?1), ?2)",
                     ARGS (arg_id (parent_id), arg_text (title)), &taken, error);
  if (taken)
    section_exists_error (error, title);
  return txn_end_inserted (self, nested, ok, error);
}

gint64
tidings_store_find_section (TidingsStore *self,
                            const char   *title,
                            gint64        parent_id)
{
  g_autoptr(Stmt) stmt = NULL;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), 0);
  g_return_val_if_fail (title != NULL, 0);

  stmt = lookup_row (self, "look for the section", title,
                     "SELECT id FROM sections WHERE ifnull (parent_id, 0) = ?1 AND title = ?2",
                     ARGS (arg_int (parent_id), arg_text (title)));
  return stmt != NULL ? sqlite3_column_int64 (stmt, 0) : 0;
}

gboolean
tidings_store_rename_section (TidingsStore  *self,
                              gint64         id,
                              const char    *title,
                              GError       **error)
{
  gboolean taken = FALSE;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_title (title, error))
    return FALSE;
  if (!run_sql_full (self, "UPDATE sections SET title = ?2 WHERE id = ?1",
                     ARGS (arg_int (id), arg_text (title)), &taken, error))
    return taken ? section_exists_error (error, title) : FALSE;
  if (sqlite3_changes (self->db) == 0)
    return not_found (error, "section", id);
  return TRUE;
}

/* Closes the gap that row @id leaves at @position in @group (it has gone,
 * or is about to move). */
static gboolean
close_gap (TidingsStore   *self,
           const Ordered  *order,
           gint64          id,
           gint64          group,
           int             position,
           GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET position = position - 1"
                                          " WHERE %s IS ?1 AND position > ?2 AND id <> ?3",
                                          order->table, order->group_column);

  return run_sql (self, sql, ARGS (arg_id (group), arg_int (position), arg_int (id)), error);
}

/* Takes row @id out of the order of its group (@old_group) and puts it at
 * @position (-1 or past the end: last) in @new_group, keeping positions
 * 0..n-1 in both. */
static gboolean
reorder (TidingsStore   *self,
         const Ordered  *order,
         gint64          id,
         gint64          old_group,
         int             old_position,
         gint64          new_group,
         int             position,
         GError        **error)
{
  g_autofree char *count = NULL;
  g_autofree char *open_gap = NULL;
  g_autofree char *place = NULL;
  gboolean taken = FALSE;
  gint64 n_siblings;

  count = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s IS ?1 AND id <> ?2",
                           order->table, order->group_column);
  open_gap = g_strdup_printf ("UPDATE %s SET position = position + 1"
                              " WHERE %s IS ?1 AND position >= ?2 AND id <> ?3",
                              order->table, order->group_column);
  place = g_strdup_printf ("UPDATE %s SET %s = ?1, position = ?2 WHERE id = ?3",
                           order->table, order->group_column);

  if (!close_gap (self, order, id, old_group, old_position, error))
    return FALSE;
  {
    gboolean failed;
    g_autoptr(Stmt) stmt = query_row (self, count, ARGS (arg_id (new_group), arg_int (id)),
                                      &failed, error);

    if (stmt == NULL)
      return FALSE;
    n_siblings = sqlite3_column_int64 (stmt, 0);
  }
  if (position < 0 || position > n_siblings)
    position = n_siblings;
  if (!run_sql (self, open_gap, ARGS (arg_id (new_group), arg_int (position), arg_int (id)),
                error))
    return FALSE;
  if (run_sql_full (self, place, ARGS (arg_id (new_group), arg_int (position), arg_int (id)),
                    &taken, error))
    return TRUE;
  if (taken)
    g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS,
                         _("There is already a section with that name there"));
  return FALSE;
}

/* Deletes row @id (what hangs from it goes by cascade) and closes the gap
 * it leaves. */
static gboolean
remove_ordered (TidingsStore   *self,
                const Ordered  *order,
                gint64          id,
                GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?1", order->table);
  gint64 group = 0;
  int position = 0;
  gboolean nested;
  gboolean ok;

  if (!txn_begin (self, &nested, error))
    return FALSE;
  ok = locate (self, order, id, &group, &position, error) &&
       run_sql (self, sql, ARGS (arg_int (id)), error) &&
       close_gap (self, order, id, group, position, error);
  return txn_end (self, nested, ok, error);
}

/* Whether section @id may go inside @parent_id. */
static gboolean
check_nesting (TidingsStore  *self,
               gint64         id,
               gint64         parent_id,
               GError       **error)
{
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed;

  if (parent_id == id)
    {
      g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                           _("A section cannot go inside itself"));
      return FALSE;
    }
  if (!check_parent (self, parent_id, error))
    return FALSE;
  stmt = query_row (self, "SELECT 1 FROM sections WHERE parent_id = ?1 LIMIT 1",
                    ARGS (arg_int (id)), &failed, error);
  if (stmt != NULL)
    g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                         _("Sections nest only one level deep: this section holds "
                           "sections of its own"));
  return stmt == NULL && !failed;
}

/* Moves row @id to @position in @group, which @check_group (when @group
 * is not the top) says it may go into. */
static gboolean
move_ordered (TidingsStore   *self,
              const Ordered  *order,
              gint64          id,
              gint64          group,
              int             position,
              gboolean      (*check_group) (TidingsStore  *self,
                                            gint64         id,
                                            gint64         group,
                                            GError       **error),
              GError        **error)
{
  gint64 old_group = 0;
  int old_position = 0;
  gboolean nested;
  gboolean ok;

  if (!txn_begin (self, &nested, error))
    return FALSE;
  ok = locate (self, order, id, &old_group, &old_position, error) &&
       (group == 0 || check_group (self, id, group, error)) &&
       reorder (self, order, id, old_group, old_position, group, position, error);
  return txn_end (self, nested, ok, error);
}

gboolean
tidings_store_move_section (TidingsStore  *self,
                            gint64         id,
                            gint64         parent_id,
                            int            position,
                            GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return move_ordered (self, &sections_order, id, parent_id, position, check_nesting, error);
}

gboolean
tidings_store_remove_section (TidingsStore  *self,
                              gint64         id,
                              GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Child sections, subscriptions, their articles (and through the
   * triggers their index entries) go by cascade. */
  return remove_ordered (self, &sections_order, id, error);
}

/* Unread articles in each section's own subscriptions. */
static GHashTable *
own_section_unread (TidingsStore  *self,
                    GError       **error)
{
  g_autoptr(GHashTable) unread = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                        g_free, NULL);
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  stmt = stmt_get (self, "SELECT section_id, sum (unread_count) FROM subscriptions"
                   " WHERE section_id IS NOT NULL GROUP BY section_id", error);
  if (stmt == NULL)
    return NULL;
  while (stmt_next (self, stmt, &failed, error))
    {
      gint64 *key = g_new (gint64, 1);

      *key = sqlite3_column_int64 (stmt, 0);
      g_hash_table_insert (unread, key, GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
    }
  if (failed)
    return NULL;
  return g_steal_pointer (&unread);
}

GPtrArray *
tidings_store_list_sections (TidingsStore  *self,
                             GError       **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_section_free);
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(GHashTable) unread = NULL;
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  unread = own_section_unread (self, error);
  if (unread == NULL)
    return NULL;
  stmt = stmt_get (self, "SELECT id, ifnull (parent_id, 0), position, title FROM sections"
                   " ORDER BY position, id", error);
  if (stmt == NULL)
    return NULL;
  while (stmt_next (self, stmt, &failed, error))
    {
      TidingsSection *section = g_new0 (TidingsSection, 1);

      section->id = sqlite3_column_int64 (stmt, 0);
      section->parent_id = sqlite3_column_int64 (stmt, 1);
      section->position = sqlite3_column_int (stmt, 2);
      section->title = column_dup (stmt, 3);
      section->unread_count = GPOINTER_TO_UINT (g_hash_table_lookup (unread, &section->id));
      g_ptr_array_add (all, section);
    }
  if (failed)
    return NULL;

  /* Parents in order, each followed by its children; a section counts its
   * children's articles too, as the SECTION scope does. */
  sections = g_ptr_array_new_full (all->len, (GDestroyNotify) tidings_section_free);
  for (guint i = 0; i < all->len; i++)
    {
      TidingsSection *parent = all->pdata[i];

      if (parent == NULL || parent->parent_id != 0)
        continue;
      g_ptr_array_add (sections, g_steal_pointer (&all->pdata[i]));
      for (guint j = 0; j < all->len; j++)
        {
          TidingsSection *child = all->pdata[j];

          if (child == NULL || child->parent_id != parent->id)
            continue;
          parent->unread_count += child->unread_count;
          g_ptr_array_add (sections, g_steal_pointer (&all->pdata[j]));
        }
    }
  return g_steal_pointer (&sections);
}

/* ---- Subscriptions ---- */

void
tidings_subscription_free (TidingsSubscription *subscription)
{
  if (subscription == NULL)
    return;
  g_free (subscription->url);
  g_free (subscription->title);
  g_free (subscription->site_url);
  g_free (subscription->icon_url);
  g_free (subscription->etag);
  g_free (subscription->last_modified);
  g_free (subscription->content_hash);
  g_free (subscription->last_error);
  g_free (subscription);
}

#define SUBSCRIPTION_COLUMNS \
  "f.id, ifnull (f.section_id, 0), f.position, f.url, ifnull (f.user_title, f.feed_title)," \
  " f.site_url, f.icon_url, f.retention_count, f.retention_days, f.interval_minutes," \
  " f.etag, f.last_modified, f.content_hash, f.last_fetch, f.last_success," \
  " f.last_error_time, f.last_error, f.next_poll, f.min_interval, f.gone," \
  " f.unread_count, f.article_count"

static TidingsSubscription *
read_subscription (Stmt *stmt)
{
  TidingsSubscription *subscription = g_new0 (TidingsSubscription, 1);

  subscription->id = sqlite3_column_int64 (stmt, 0);
  subscription->section_id = sqlite3_column_int64 (stmt, 1);
  subscription->position = sqlite3_column_int (stmt, 2);
  subscription->url = column_dup (stmt, 3);
  subscription->title = column_dup (stmt, 4);
  subscription->site_url = column_dup (stmt, 5);
  subscription->icon_url = column_dup (stmt, 6);
  subscription->retention_count = sqlite3_column_int (stmt, 7);
  subscription->retention_days = sqlite3_column_int (stmt, 8);
  subscription->interval_minutes = sqlite3_column_int (stmt, 9);
  subscription->etag = column_dup (stmt, 10);
  subscription->last_modified = column_dup (stmt, 11);
  subscription->content_hash = column_dup (stmt, 12);
  subscription->last_fetch = sqlite3_column_int64 (stmt, 13);
  subscription->last_success = sqlite3_column_int64 (stmt, 14);
  subscription->last_error_time = sqlite3_column_int64 (stmt, 15);
  subscription->last_error = column_dup (stmt, 16);
  subscription->next_poll = sqlite3_column_int64 (stmt, 17);
  subscription->min_interval = sqlite3_column_int64 (stmt, 18);
  subscription->gone = sqlite3_column_int (stmt, 19) != 0;
  subscription->unread_count = (guint) sqlite3_column_int64 (stmt, 20);
  subscription->article_count = (guint) sqlite3_column_int64 (stmt, 21);
  return subscription;
}

gint64
tidings_store_add_subscription (TidingsStore  *self,
                                const char    *url,
                                const char    *title,
                                gint64         section_id,
                                GError       **error)
{
  gboolean taken = FALSE;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                           _("A subscription needs the address of its feed"));
      return 0;
    }
  if (!txn_begin (self, &nested, error))
    return 0;
  /* The title given here is provisional: the feed's own replaces it at the
   * first refresh (tidings_store_rename_subscription() sets one that stays). */
  ok = (section_id == 0 || locate (self, &sections_order, section_id, NULL, NULL, error)) &&
       run_sql_full (self, "INSERT INTO subscriptions (section_id, position, url, feed_title)"
                     " VALUES (?1, (SELECT ifnull (max (position) + 1, 0) FROM subscriptions"
                     "  WHERE section_id IS ?1), ?2, nullif (?3, ''))",
                     ARGS (arg_id (section_id), arg_text (url), arg_text (title)), &taken, error);
  if (taken)
    g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_EXISTS,
                 _("You are already subscribed to %s"), url);
  return txn_end_inserted (self, nested, ok, error);
}

TidingsSubscription *
tidings_store_get_subscription (TidingsStore  *self,
                                gint64         id,
                                GError       **error)
{
  g_autoptr(Stmt) stmt = NULL;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = query_found (self, "subscription", id,
                      "SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions f WHERE f.id = ?1",
                      error);
  return stmt != NULL ? read_subscription (stmt) : NULL;
}

TidingsSubscription *
tidings_store_find_subscription (TidingsStore *self,
                                 const char   *url)
{
  g_autoptr(Stmt) stmt = NULL;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  stmt = lookup_row (self, "look for the subscription", url,
                     "SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions f WHERE f.url = ?1",
                     ARGS (arg_text (url)));
  return stmt != NULL ? read_subscription (stmt) : NULL;
}

GPtrArray *
tidings_store_list_subscriptions (TidingsStore  *self,
                                  GError       **error)
{
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Those in no section first, then section by section in the order of
   * tidings_store_list_sections(). */
  stmt = stmt_get (self, "SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions f"
                   " LEFT JOIN sections s ON s.id = f.section_id"
                   " LEFT JOIN sections p ON p.id = s.parent_id"
                   " ORDER BY s.id IS NOT NULL, ifnull (p.position, s.position),"
                   "  ifnull (p.id, s.id), p.id IS NOT NULL, s.position, s.id,"
                   "  f.position, f.id", error);
  if (stmt == NULL)
    return NULL;
  subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_subscription_free);
  while (stmt_next (self, stmt, &failed, error))
    g_ptr_array_add (subscriptions, read_subscription (stmt));
  if (failed)
    return NULL;
  return g_steal_pointer (&subscriptions);
}

gboolean
tidings_store_rename_subscription (TidingsStore  *self,
                                   gint64         id,
                                   const char    *title,
                                   GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* NULL or "" gives the feed back its own title. */
  return change_row (self, "subscription", id,
                     "UPDATE subscriptions SET user_title = nullif (?2, '') WHERE id = ?1",
                     ARGS (arg_int (id), arg_text (title)), error);
}

static gboolean
check_section_exists (TidingsStore  *self,
                      gint64         subscription_id,
                      gint64         section_id,
                      GError       **error)
{
  return locate (self, &sections_order, section_id, NULL, NULL, error);
}

gboolean
tidings_store_move_subscription (TidingsStore  *self,
                                 gint64         id,
                                 gint64         section_id,
                                 int            position,
                                 GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Counts live on the subscription and sections add them up when asked,
   * so a move needs no counter changes. */
  return move_ordered (self, &subscriptions_order, id, section_id, position,
                       check_section_exists, error);
}

gboolean
tidings_store_set_subscription_settings (TidingsStore  *self,
                                         gint64         id,
                                         int            retention_count,
                                         int            retention_days,
                                         int            interval_minutes,
                                         GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (retention_count < -1 || retention_days < -1 || interval_minutes < 0)
    {
      g_set_error_literal (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
                           _("Limits and intervals cannot be negative"));
      return FALSE;
    }
  return change_row (self, "subscription", id,
                     "UPDATE subscriptions SET retention_count = ?2, retention_days = ?3,"
                     " interval_minutes = ?4 WHERE id = ?1",
                     ARGS (arg_int (id), arg_int (retention_count), arg_int (retention_days),
                           arg_int (interval_minutes)), error);
}

gboolean
tidings_store_remove_subscription (TidingsStore  *self,
                                   gint64         id,
                                   GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return remove_ordered (self, &subscriptions_order, id, error);
}

/* ---- Preparing an update ---- */

TidingsFeedUpdate *
tidings_feed_update_new (gint64 subscription_id)
{
  TidingsFeedUpdate *update = g_new0 (TidingsFeedUpdate, 1);

  update->subscription_id = subscription_id;
  return update;
}

void
tidings_feed_update_free (TidingsFeedUpdate *update)
{
  if (update == NULL)
    return;
  g_clear_pointer (&update->feed, tidings_feed_free);
  g_clear_pointer (&update->items, g_ptr_array_unref);
  g_free (update->etag);
  g_free (update->last_modified);
  g_free (update->content_hash);
  g_free (update->new_url);
  g_free (update->error);
  g_clear_pointer (&update->prepared, g_ptr_array_unref);
  g_free (update);
}

static void
json_append_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

/* Appends ,"key": (or without the comma first). */
static void
json_append_key (GString    *out,
                 const char *key)
{
  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  json_append_string (out, key);
  g_string_append_c (out, ':');
}

/* Appends ,"key":"value" when @value is set. */
static void
json_append_member (GString    *out,
                    const char *key,
                    const char *value)
{
  if (value == NULL)
    return;
  json_append_key (out, key);
  json_append_string (out, value);
}

static void
json_append_number (GString    *out,
                    const char *key,
                    gint64      value)
{
  if (value < 0)
    return;
  json_append_key (out, key);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

/* A JSON array of what @append writes for each element, NULL for none. */
static char *
list_to_json (GPtrArray *list,
              void     (*append) (GString       *out,
                                  gconstpointer  element))
{
  GString *out;

  if (list == NULL || list->len == 0)
    return NULL;
  out = g_string_new ("[");
  for (guint i = 0; i < list->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append (out, list->pdata[i]);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

static void
json_append_author (GString       *out,
                    gconstpointer  element)
{
  const TidingsAuthor *author = element;

  g_string_append_c (out, '{');
  json_append_member (out, "name", author->name);
  json_append_member (out, "url", author->url);
  json_append_member (out, "avatar", author->avatar);
  g_string_append_c (out, '}');
}

static void
json_append_tag (GString       *out,
                 gconstpointer  element)
{
  json_append_string (out, element);
}

static void
json_append_attachment (GString       *out,
                        gconstpointer  element)
{
  const TidingsAttachment *attachment = element;

  g_string_append_c (out, '{');
  json_append_member (out, "url", attachment->url);
  json_append_member (out, "mime_type", attachment->mime_type);
  json_append_member (out, "title", attachment->title);
  json_append_number (out, "size_in_bytes", attachment->size_in_bytes);
  json_append_number (out, "duration_in_seconds", attachment->duration_in_seconds);
  g_string_append_c (out, '}');
}

static char *
join_author_names (GPtrArray *authors)
{
  GString *out = NULL;

  for (guint i = 0; authors != NULL && i < authors->len; i++)
    {
      TidingsAuthor *author = authors->pdata[i];

      if (author->name == NULL || *author->name == '\0')
        continue;
      if (out == NULL)
        out = g_string_new (author->name);
      else
        g_string_append_printf (out, ", %s", author->name);
    }
  return out != NULL ? g_string_free (out, FALSE) : NULL;
}

/* One line of at most EXCERPT_CHARS characters, cut at a word when one
 * ends late enough. */
static char *
make_excerpt (const char *text)
{
  g_autofree char *line = NULL;
  const char *end = text;
  char *cut;
  char *space;
  guint n_chars = 0;

  if (text == NULL)
    return NULL;
  /* Collapsing white space shortens the text: take twice what is needed. */
  while (*end != '\0' && n_chars < 2 * EXCERPT_CHARS)
    {
      end = g_utf8_next_char (end);
      n_chars++;
    }
  line = g_strndup (text, end - text);
  tidings_collapse_space (line);
  if (*line == '\0')
    return NULL;
  if (g_utf8_strlen (line, -1) <= EXCERPT_CHARS)
    {
      if (*end == '\0')
        return g_steal_pointer (&line);
      return g_strconcat (line, "…", NULL);
    }

  cut = g_utf8_offset_to_pointer (line, EXCERPT_CHARS);
  *cut = '\0';
  space = strrchr (line, ' ');
  if (space != NULL && g_utf8_strlen (line, space - line) > EXCERPT_CHARS / 2)
    *space = '\0';
  return g_strconcat (line, "…", NULL);
}

static void
hash_text (GChecksum  *checksum,
           const char *text)
{
  /* A marker byte keeps NULL apart from "" and each field from the next. */
  if (text == NULL)
    {
      g_checksum_update (checksum, (const guchar *) "\0", 1);
      return;
    }
  g_checksum_update (checksum, (const guchar *) "\1", 1);
  g_checksum_update (checksum, (const guchar *) text, strlen (text) + 1);
}

static void
hash_int (GChecksum *checksum,
          gint64     value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  hash_text (checksum, text);
}

static Prepared *
prepare_item (const TidingsItem *item)
{
  Prepared *prepared = g_new0 (Prepared, 1);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize hash_len = HASH_LEN;
  char *text = NULL;

  prepared->authors_json = list_to_json (item->authors, json_append_author);
  prepared->tags_json = list_to_json (item->tags, json_append_tag);
  prepared->attachments_json = list_to_json (item->attachments, json_append_attachment);
  prepared->author = join_author_names (item->authors);

  if (item->content_html != NULL)
    text = tidings_html_to_text (item->content_html, -1);
  else if (item->content_text != NULL)
    text = g_strdup (item->content_text);
  if (text != NULL && *text == '\0')
    g_clear_pointer (&text, g_free);

  prepared->excerpt = make_excerpt (item->summary != NULL ? item->summary : text);

  /* The summary is searched too unless the text already starts with it. */
  if (item->summary != NULL && (text == NULL || !g_str_has_prefix (text, item->summary)))
    {
      char *both = text != NULL ? g_strconcat (item->summary, "\n", text, NULL)
                                : g_strdup (item->summary);

      g_free (text);
      text = both;
    }
  prepared->text = text;

  /* Everything the reader can see; a change in any of it is an update. */
  hash_text (checksum, item->url);
  hash_text (checksum, item->external_url);
  hash_text (checksum, item->title);
  hash_text (checksum, item->content_html);
  hash_text (checksum, item->content_text);
  hash_text (checksum, item->summary);
  hash_text (checksum, item->image);
  hash_text (checksum, item->language);
  hash_int (checksum, item->date_published);
  hash_int (checksum, item->date_modified);
  hash_text (checksum, prepared->authors_json);
  hash_text (checksum, prepared->tags_json);
  hash_text (checksum, prepared->attachments_json);
  g_checksum_get_digest (checksum, prepared->hash, &hash_len);
  g_assert (hash_len == HASH_LEN);

  return prepared;
}

static GPtrArray *
prepare_items (GPtrArray *items)
{
  GPtrArray *prepared = g_ptr_array_new_full (items->len, (GDestroyNotify) prepared_free);

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (prepared, prepare_item (items->pdata[i]));
  return prepared;
}

void
tidings_feed_update_prepare (TidingsFeedUpdate *update)
{
  g_return_if_fail (update != NULL);

  g_clear_pointer (&update->prepared, g_ptr_array_unref);
  if (update->items != NULL)
    update->prepared = prepare_items (update->items);
}

/* ---- The search index ---- */

/* Whether at least @n articles wait to be indexed (without counting them
 * all). */
static gboolean
search_pending_reaches (TidingsStore  *self,
                        gint64         n,
                        gboolean      *reaches,
                        GError       **error)
{
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed;

  stmt = query_row (self, "SELECT count(*) >= ?1 FROM (SELECT 1 FROM search_pending LIMIT ?1)",
                    ARGS (arg_int (n)), &failed, error);
  if (stmt == NULL)
    return FALSE;
  *reaches = sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

/* Indexes every waiting article in one statement: one FTS5 segment. */
static gboolean
index_pending (TidingsStore  *self,
               GError       **error)
{
  gboolean nested;
  gboolean ok;
  int n_indexed;

  if (!txn_begin (self, &nested, error))
    return FALSE;
  ok = db_exec (self, "INSERT INTO articles_fts (rowid, title, author, body)"
                " SELECT c.article_id, c.title, c.author, c.body FROM search_pending p"
                " JOIN article_contents c ON c.article_id = p.article_id", error);
  n_indexed = sqlite3_changes (self->db);
  ok = ok && db_exec (self, "DELETE FROM search_pending", error);
  if (!txn_end (self, nested, ok, error))
    return FALSE;
  g_debug ("Indexed %d articles for search", n_indexed);
  return TRUE;
}

/* Indexes the waiting articles when at least @n of them wait. */
static gboolean
index_if_pending (TidingsStore  *self,
                  gint64         n,
                  GError       **error)
{
  gboolean reaches = FALSE;

  if (!search_pending_reaches (self, n, &reaches, error))
    return FALSE;
  return !reaches || index_pending (self, error);
}

gboolean
tidings_store_update_search_index (TidingsStore  *self,
                                   GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return index_if_pending (self, 1, error);
}

/* Searches must see every article; when the index cannot be brought up to
 * date (another program holds the write lock), they see what it has. */
static void
ensure_search_index (TidingsStore *self)
{
  g_autoptr(GError) error = NULL;

  if (!tidings_store_update_search_index (self, &error))
    g_debug ("Searching without the newest articles: %s", error->message);
}

/* ---- Merging ---- */

static gint64
item_date (const TidingsItem *item,
           gint64             first_seen)
{
  if (item->date_published != TIDINGS_DATE_UNSET)
    return item->date_published;
  if (item->date_modified != TIDINGS_DATE_UNSET)
    return item->date_modified;
  return first_seen;
}

static void
bind_contents (Stmt              *stmt,
               const TidingsItem *item,
               const Prepared    *prepared)
{
  bind_text (stmt, 2, item->external_url);
  bind_text (stmt, 3, item->image);
  bind_text (stmt, 4, item->language);
  bind_date (stmt, 5, item->date_published);
  bind_date (stmt, 6, item->date_modified);
  bind_text (stmt, 7, prepared->authors_json);
  bind_text (stmt, 8, prepared->tags_json);
  bind_text (stmt, 9, prepared->attachments_json);
  bind_text (stmt, 10, item->summary);
  bind_text (stmt, 11, item->content_text);
  bind_text (stmt, 12, item->content_html);
  bind_text (stmt, 13, item->title);
  bind_text (stmt, 14, prepared->author);
  bind_text (stmt, 15, prepared->text);
}

static gboolean
insert_article (TidingsStore       *self,
                gint64              subscription_id,
                gint64              fetched_at,
                const TidingsItem  *item,
                const Prepared     *prepared,
                GError            **error)
{
  gint64 id;

  {
    g_autoptr(Stmt) stmt = NULL;

    stmt = stmt_get (self, "INSERT INTO articles (subscription_id, date, first_seen, guid,"
                     " content_hash, url, title, author, excerpt)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, subscription_id);
    sqlite3_bind_int64 (stmt, 2, item_date (item, fetched_at));
    sqlite3_bind_int64 (stmt, 3, fetched_at);
    bind_text (stmt, 4, item->id);
    sqlite3_bind_blob (stmt, 5, prepared->hash, HASH_LEN, SQLITE_STATIC);
    bind_text (stmt, 6, item->url);
    bind_text (stmt, 7, item->title);
    bind_text (stmt, 8, prepared->author);
    bind_text (stmt, 9, prepared->excerpt);
    if (!stmt_run (self, stmt, error))
      return FALSE;
    id = sqlite3_last_insert_rowid (self->db);
  }
  {
    g_autoptr(Stmt) stmt = NULL;

    stmt = stmt_get (self, "INSERT INTO article_contents (article_id, external_url, image,"
                     " language, date_published, date_modified, authors, tags, attachments,"
                     " summary, content_text, content_html, title, author, body) VALUES"
                     " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                     error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, id);
    bind_contents (stmt, item, prepared);
    if (!stmt_run (self, stmt, error))
      return FALSE;
  }
  return run_sql (self, "INSERT INTO article_states (article_id, subscription_id) VALUES (?1, ?2)",
                  ARGS (arg_int (id), arg_int (subscription_id)), error);
}

/* New content for a known article; its state is not touched. */
static gboolean
update_article (TidingsStore       *self,
                gint64              id,
                const TidingsItem  *item,
                const Prepared     *prepared,
                GError            **error)
{
  {
    g_autoptr(Stmt) stmt = NULL;

    stmt = stmt_get (self, "UPDATE articles SET date = coalesce (?2, ?3, first_seen),"
                     " content_hash = ?4, url = ?5, title = ?6, author = ?7, excerpt = ?8"
                     " WHERE id = ?1", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, id);
    bind_date (stmt, 2, item->date_published);
    bind_date (stmt, 3, item->date_modified);
    sqlite3_bind_blob (stmt, 4, prepared->hash, HASH_LEN, SQLITE_STATIC);
    bind_text (stmt, 5, item->url);
    bind_text (stmt, 6, item->title);
    bind_text (stmt, 7, prepared->author);
    bind_text (stmt, 8, prepared->excerpt);
    if (!stmt_run (self, stmt, error))
      return FALSE;
  }
  {
    g_autoptr(Stmt) stmt = NULL;

    stmt = stmt_get (self, "UPDATE article_contents SET external_url = ?2, image = ?3,"
                     " language = ?4, date_published = ?5, date_modified = ?6, authors = ?7,"
                     " tags = ?8, attachments = ?9, summary = ?10, content_text = ?11,"
                     " content_html = ?12, title = ?13, author = ?14, body = ?15"
                     " WHERE article_id = ?1", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, id);
    bind_contents (stmt, item, prepared);
    return stmt_run (self, stmt, error);
  }
}

/* What the store holds of the guids in the feed, in one query whatever
 * the feed's history: guid -> Known. */
static GHashTable *
load_known (TidingsStore  *self,
            gint64         subscription_id,
            const char    *guids_json,
            GError       **error)
{
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  stmt = stmt_get (self, "SELECT guid, id, content_hash, 0 FROM articles"
                   " WHERE subscription_id = ?1 AND guid IN (SELECT value FROM json_each (?2))"
                   " UNION ALL"
                   " SELECT guid, 0, NULL, 1 FROM tombstones"
                   " WHERE subscription_id = ?1 AND guid IN (SELECT value FROM json_each (?2))",
                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, subscription_id);
  bind_text (stmt, 2, guids_json);
  while (stmt_next (self, stmt, &failed, error))
    {
      const char *guid = (const char *) sqlite3_column_text (stmt, 0);
      Known *entry = g_hash_table_lookup (known, guid);

      if (entry == NULL)
        {
          entry = g_new0 (Known, 1);
          g_hash_table_insert (known, g_strdup (guid), entry);
        }
      if (sqlite3_column_int (stmt, 3))
        {
          entry->tombstoned = TRUE;
          continue;
        }
      entry->id = sqlite3_column_int64 (stmt, 1);
      if (sqlite3_column_bytes (stmt, 2) == HASH_LEN)
        memcpy (entry->hash, sqlite3_column_blob (stmt, 2), HASH_LEN);
    }
  if (failed)
    return NULL;
  return g_steal_pointer (&known);
}

static gboolean
merge_items (TidingsStore             *self,
             const TidingsFeedUpdate  *update,
             GPtrArray                *prepared,
             TidingsMergeStats        *stats,
             GError                  **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) known = NULL;
  g_autoptr(GString) guids = g_string_new ("[");
  gboolean any_tombstoned = FALSE;

  for (guint i = 0; i < update->items->len; i++)
    {
      TidingsItem *item = update->items->pdata[i];

      if (item->id == NULL || !g_hash_table_add (seen, item->id))
        continue;
      if (guids->len > 1)
        g_string_append_c (guids, ',');
      json_append_string (guids, item->id);
    }
  g_string_append_c (guids, ']');

  known = load_known (self, update->subscription_id, guids->str, error);
  if (known == NULL)
    return FALSE;

  g_hash_table_remove_all (seen);
  for (guint i = 0; i < update->items->len; i++)
    {
      TidingsItem *item = update->items->pdata[i];
      Prepared *item_prepared = prepared->pdata[i];
      Known *entry;

      /* A feed that lists a guid twice means the first. */
      if (item->id == NULL || !g_hash_table_add (seen, item->id))
        continue;
      entry = g_hash_table_lookup (known, item->id);
      if (entry != NULL && entry->tombstoned)
        {
          any_tombstoned = TRUE;
          continue;
        }
      if (entry == NULL)
        {
          if (!insert_article (self, update->subscription_id, update->fetched_at, item,
                               item_prepared, error))
            return FALSE;
          stats->added++;
        }
      else if (memcmp (entry->hash, item_prepared->hash, HASH_LEN) != 0)
        {
          if (!update_article (self, entry->id, item, item_prepared, error))
            return FALSE;
          stats->updated++;
        }
      else
        stats->unchanged++;
    }

  /* A tombstone lasts while the feed keeps listing its guid. */
  if (any_tombstoned &&
      !run_sql (self, "UPDATE tombstones SET last_listed = ?3 WHERE subscription_id = ?1"
                " AND guid IN (SELECT value FROM json_each (?2))",
                ARGS (arg_int (update->subscription_id), arg_text (guids->str),
                      arg_int (update->fetched_at)), error))
    return FALSE;
  if (!run_sql (self, "DELETE FROM tombstones WHERE subscription_id = ?1 AND last_listed < ?2",
                ARGS (arg_int (update->subscription_id),
                      arg_int (update->fetched_at - TOMBSTONE_DAYS * USEC_PER_DAY)), error))
    return FALSE;
  return stats->added == 0 ||
         run_sql (self, "UPDATE subscriptions SET article_count = article_count + ?2,"
                  " unread_count = unread_count + ?2 WHERE id = ?1",
                  ARGS (arg_int (update->subscription_id), arg_int (stats->added)), error);
}

static gboolean
record_fetch (TidingsStore             *self,
              const TidingsFeedUpdate  *update,
              GError                  **error)
{
  const TidingsFeed *feed = update->feed;

  {
    g_autoptr(Stmt) stmt = NULL;

    stmt = stmt_get (self, "UPDATE subscriptions SET last_fetch = :at,"
                     " etag = coalesce (:etag, etag),"
                     " last_modified = coalesce (:last_modified, last_modified),"
                     " content_hash = coalesce (:content_hash, content_hash),"
                     " last_error = :error,"
                     " last_error_time = CASE WHEN :error IS NULL THEN last_error_time"
                     "  ELSE :at END,"
                     " last_success = CASE WHEN :error IS NULL THEN :at ELSE last_success END,"
                     " gone = CASE WHEN :gone THEN 1 WHEN :error IS NULL THEN 0 ELSE gone END,"
                     " next_poll = :next_poll, min_interval = :min_interval,"
                     " feed_title = coalesce (:title, feed_title),"
                     " site_url = coalesce (:site_url, site_url),"
                     " icon_url = coalesce (:icon_url, icon_url)"
                     " WHERE id = :id", error);
    if (stmt == NULL)
      return FALSE;
    bind_named_int64 (stmt, ":id", update->subscription_id);
    bind_named_int64 (stmt, ":at", update->fetched_at);
    bind_named_text (stmt, ":etag", update->etag);
    bind_named_text (stmt, ":last_modified", update->last_modified);
    bind_named_text (stmt, ":content_hash", update->content_hash);
    bind_named_text (stmt, ":error", update->error);
    bind_named_int64 (stmt, ":gone", update->gone);
    bind_named_int64 (stmt, ":next_poll", update->next_poll);
    bind_named_int64 (stmt, ":min_interval", update->min_interval);
    if (feed != NULL)
      {
        bind_named_text (stmt, ":title", feed->title);
        bind_named_text (stmt, ":site_url", feed->home_page_url);
        /* The small icon suits a list of feeds better than a banner. */
        bind_named_text (stmt, ":icon_url", feed->favicon != NULL ? feed->favicon : feed->icon);
      }
    if (!stmt_run (self, stmt, error))
      return FALSE;
    if (sqlite3_changes (self->db) == 0)
      return not_found (error, "subscription", update->subscription_id);
  }

  /* When another subscription already has the new address, this one
   * keeps its own: two subscriptions must never share one. */
  return update->new_url == NULL || *update->new_url == '\0' ||
         run_sql (self, "UPDATE OR IGNORE subscriptions SET url = ?2 WHERE id = ?1 AND url <> ?2",
                  ARGS (arg_int (update->subscription_id), arg_text (update->new_url)), error);
}

gboolean
tidings_store_apply_update (TidingsStore             *self,
                            const TidingsFeedUpdate  *update,
                            TidingsMergeStats        *stats,
                            GError                  **error)
{
  g_autoptr(GPtrArray) own_prepared = NULL;
  TidingsMergeStats counts = { 0, };
  GPtrArray *prepared = NULL;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (update != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (update->items != NULL)
    {
      prepared = update->prepared;
      if (prepared == NULL || prepared->len != update->items->len)
        prepared = own_prepared = prepare_items (update->items);
    }

  if (!txn_begin (self, &nested, error))
    return FALSE;
  ok = record_fetch (self, update, error) &&
       (update->items == NULL || merge_items (self, update, prepared, &counts, error)) &&
       (counts.added + counts.updated == 0 || index_if_pending (self, SEARCH_BATCH, error));
  if (!txn_end (self, nested, ok, error))
    return FALSE;

  g_debug ("Subscription %" G_GINT64_FORMAT ": %u new, %u updated, %u unchanged",
           update->subscription_id, counts.added, counts.updated, counts.unchanged);
  if (stats != NULL)
    *stats = counts;
  return TRUE;
}

/* ---- Retention ---- */

/* Tombstones the articles listed in temp.doomed and deletes them (the
 * triggers fix the counts and the search index). */
static gboolean
bury_doomed (TidingsStore  *self,
             gint64         now,
             guint         *n_removed,
             GError       **error)
{
  if (!run_sql (self, "INSERT OR REPLACE INTO tombstones (subscription_id, guid, last_listed)"
                " SELECT subscription_id, guid, ?1 FROM temp.doomed", ARGS (arg_int (now)),
                error) ||
      !run_sql (self, "DELETE FROM articles WHERE id IN (SELECT id FROM temp.doomed)", NO_ARGS,
                error))
    return FALSE;
  *n_removed = sqlite3_changes (self->db);
  return db_exec (self, "DELETE FROM temp.doomed", error);
}

gboolean
tidings_store_apply_retention (TidingsStore  *self,
                               gint64         now,
                               guint         *removed,
                               GError       **error)
{
  guint n_removed = 0;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!db_exec (self, "CREATE TEMP TABLE IF NOT EXISTS doomed ("
                " id INTEGER PRIMARY KEY, subscription_id INTEGER NOT NULL, guid TEXT NOT NULL)",
                error))
    return FALSE;
  if (!txn_begin (self, &nested, error))
    return FALSE;

  /* Per feed: its own limits, else the global ones; a count keeps the
   * newest, an age counts from the later of the article's date and when it
   * was first seen (a new subscription's old articles get their time). Only
   * feeds with a limit are ranked at all. */
  ok = run_sql (self, "WITH limits AS ("
                 "  SELECT id,"
                 "   CASE WHEN retention_count >= 0 THEN retention_count ELSE ?1 END"
                 "    AS max_count,"
                 "   CASE WHEN retention_days >= 0 THEN ?3 - retention_days * ?4"
                 "    WHEN ?2 >= 0 THEN ?3 - ?2 * ?4 END AS cutoff"
                 "  FROM subscriptions),"
                 " ranked AS ("
                 "  SELECT a.id, a.subscription_id, a.guid, max (a.date, a.first_seen) AS age,"
                 "   row_number () OVER (PARTITION BY a.subscription_id"
                 "    ORDER BY a.date DESC, a.id DESC) AS rank"
                 "  FROM articles a WHERE a.subscription_id IN"
                 "   (SELECT id FROM limits WHERE max_count >= 0 OR cutoff IS NOT NULL))"
                 " INSERT INTO temp.doomed (id, subscription_id, guid)"
                 " SELECT r.id, r.subscription_id, r.guid FROM ranked r"
                 "  JOIN limits l ON l.id = r.subscription_id"
                 "  JOIN article_states st ON st.article_id = r.id"
                 "  WHERE st.starred = 0 AND ((l.max_count >= 0 AND r.rank > l.max_count)"
                 "   OR r.age < l.cutoff)",
                 ARGS (arg_int (limit_setting (self, "retention-count")),
                       arg_int (limit_setting (self, "retention-days")),
                       arg_int (now), arg_int (USEC_PER_DAY)), error) &&
       bury_doomed (self, now, &n_removed, error);
  /* The rollback may bring back rows of the temporary table. */
  if (!txn_end (self, nested, ok, error))
    {
      sqlite3_exec (self->db, "DELETE FROM temp.doomed", NULL, NULL, NULL);
      return FALSE;
    }

  g_debug ("Retention removed %u articles", n_removed);
  if (removed != NULL)
    *removed = n_removed;
  return TRUE;
}

/* ---- Host back-offs ---- */

gboolean
tidings_store_set_host_backoff (TidingsStore  *self,
                                const char    *host,
                                gint64         until,
                                GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Setting one is the moment to forget those that have run out. */
  return run_sql (self, "DELETE FROM host_backoffs WHERE until <= ?1",
                  ARGS (arg_int (g_get_real_time ())), error) &&
         run_sql (self, "INSERT INTO host_backoffs (host, until) VALUES (?1, ?2)"
                  " ON CONFLICT (host) DO UPDATE SET until = excluded.until",
                  ARGS (arg_text (host), arg_int (until)), error);
}

GHashTable *
tidings_store_get_host_backoffs (TidingsStore  *self,
                                 gint64         now,
                                 GError       **error)
{
  g_autoptr(GHashTable) backoffs = NULL;
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = stmt_get (self, "SELECT host, until FROM host_backoffs WHERE until > ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  backoffs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  while (stmt_next (self, stmt, &failed, error))
    {
      gint64 *until = g_new (gint64, 1);

      *until = sqlite3_column_int64 (stmt, 1);
      g_hash_table_insert (backoffs, column_dup (stmt, 0), until);
    }
  if (failed)
    return NULL;
  return g_steal_pointer (&backoffs);
}

/* ---- Articles ---- */

TidingsArticleQuery *
tidings_article_query_copy (const TidingsArticleQuery *query)
{
  TidingsArticleQuery *copy;

  g_return_val_if_fail (query != NULL, NULL);

  copy = g_new (TidingsArticleQuery, 1);
  *copy = *query;
  copy->search = g_strdup (query->search);
  return copy;
}

void
tidings_article_query_free (TidingsArticleQuery *query)
{
  if (query == NULL)
    return;
  g_free ((char *) query->search);
  g_free (query);
}

void
tidings_article_row_free (TidingsArticleRow *row)
{
  if (row == NULL)
    return;
  g_free (row->guid);
  g_free (row->url);
  g_free (row->title);
  g_free (row->author);
  g_free (row->excerpt);
  g_free (row);
}

void
tidings_article_free (TidingsArticle *article)
{
  if (article == NULL)
    return;
  g_clear_pointer (&article->item, tidings_item_free);
  g_free (article);
}

static gboolean
is_word_char (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return TRUE;
    default:
      return g_unichar_isalnum (c);
    }
}

/* Each run of letters and digits the user typed becomes one quoted term
 * (a prefix from two characters on; one letter as a prefix would match
 * half the index), and all are ANDed. Quotes, operators, NEAR, column
 * filters and stars the user types are never syntax, only separators, as
 * they are for the tokenizer that built the index. */
char *
_tidings_store_search_to_match (const char *search)
{
  g_autoptr(GString) match = g_string_new (NULL);
  g_autofree char *valid = NULL;
  const char *p;
  guint n_terms = 0;

  if (search == NULL)
    return NULL;
  valid = g_utf8_make_valid (search, -1);
  p = valid;
  while (*p != '\0' && n_terms < MAX_SEARCH_TERMS)
    {
      const char *start;
      guint n_chars = 0;

      while (*p != '\0' && !is_word_char (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && is_word_char (g_utf8_get_char (p)))
        {
          p = g_utf8_next_char (p);
          n_chars++;
        }
      if (match->len > 0)
        g_string_append (match, " AND ");
      g_string_append_c (match, '"');
      g_string_append_len (match, start, p - start);
      g_string_append_c (match, '"');
      if (n_chars > 1)
        g_string_append_c (match, '*');
      n_terms++;
    }
  if (match->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&match), FALSE);
}

static gint64
local_midnight (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = NULL;

  midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                    g_date_time_get_day_of_month (now), 0, 0, 0);
  return g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
}

static gboolean
check_query (const TidingsArticleQuery  *query,
             GError                    **error)
{
  if (query->kind <= TIDINGS_SCOPE_SUBSCRIPTION)
    return TRUE;
  g_set_error (error, TIDINGS_STORE_ERROR, TIDINGS_STORE_ERROR_INVALID,
               _("There is no kind of article list numbered %d"), (int) query->kind);
  return FALSE;
}

static gboolean
wants_unread (const TidingsArticleQuery *query)
{
  return query->kind == TIDINGS_SCOPE_UNREAD || query->unread_only;
}

/* Articles and unread articles in the scope, from the counters. */
static gboolean
scope_totals (TidingsStore               *self,
              const TidingsArticleQuery  *query,
              gint64                     *n_articles,
              gint64                     *n_unread,
              GError                    **error)
{
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  switch (query->kind)
    {
    case TIDINGS_SCOPE_SECTION:
      stmt = stmt_get (self, "SELECT ifnull (sum (article_count), 0),"
                       " ifnull (sum (unread_count), 0) FROM subscriptions"
                       " WHERE section_id = ?1"
                       " OR section_id IN (SELECT id FROM sections WHERE parent_id = ?1)", error);
      break;
    case TIDINGS_SCOPE_SUBSCRIPTION:
      stmt = stmt_get (self, "SELECT ifnull (sum (article_count), 0),"
                       " ifnull (sum (unread_count), 0) FROM subscriptions WHERE id = ?1", error);
      break;
    case TIDINGS_SCOPE_ALL:
    case TIDINGS_SCOPE_UNREAD:
    case TIDINGS_SCOPE_STARRED:
    case TIDINGS_SCOPE_TODAY:
    default:
      stmt = stmt_get (self, "SELECT ifnull (sum (article_count), 0),"
                       " ifnull (sum (unread_count), 0) FROM subscriptions", error);
      break;
    }
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, query->id);
  if (!stmt_next (self, stmt, &failed, error))
    return FALSE;
  *n_articles = sqlite3_column_int64 (stmt, 0);
  *n_unread = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

typedef enum
{
  DRIVE_DATE,         /* walk articles newest first, filter as they come */
  DRIVE_UNREAD,       /* gather the few unread articles, then sort them */
  DRIVE_STARRED,      /* the same for starred ones */
  DRIVE_SEARCH,       /* gather the few matches, then sort them */
  DRIVE_SEARCH_DATE,  /* walk the date index, keeping the many matches */
} Drive;

/* Builds the SELECT for a list (or a count) of articles. Which table
 * drives the query matters more than anything else for speed, and SQLite's
 * planner cannot know that 100 unread articles among 100,000 are better
 * found through the unread index while 50,000 are better met walking the
 * date index: the counters (or a probe of the search) tell, and the join
 * order is forced with CROSS JOIN. A list sorts only ids and dates, and
 * reads the columns of the rows it returns alone. */
static char *
article_sql (const TidingsArticleQuery *query,
             const char                *match,
             Drive                      drive,
             gboolean                   count,
             gboolean                   before)
{
  GString *sql = g_string_new ("SELECT ");
  const char *feed_column;
  gboolean need_state = wants_unread (query) || query->kind == TIDINGS_SCOPE_STARRED;

  if (count)
    g_string_append (sql, "count(*)");
  else
    g_string_append (sql, "a.id");

  switch (drive)
    {
    case DRIVE_UNREAD:
      g_string_append (sql, " FROM article_states st INDEXED BY article_states_unread"
                       " CROSS JOIN articles a ON a.id = st.article_id");
      feed_column = "st.subscription_id";
      break;
    case DRIVE_STARRED:
      g_string_append (sql, " FROM article_states st INDEXED BY article_states_starred"
                       " CROSS JOIN articles a ON a.id = st.article_id");
      feed_column = "st.subscription_id";
      break;
    case DRIVE_SEARCH:
      /* Counting every match of the whole library needs no join at all. */
      if (count && !before && !need_state && query->kind == TIDINGS_SCOPE_ALL)
        {
          g_string_append (sql, " FROM articles_fts WHERE articles_fts MATCH :match");
          return g_string_free (sql, FALSE);
        }
      g_string_append (sql, " FROM articles_fts"
                       " CROSS JOIN articles a ON a.id = articles_fts.rowid");
      if (need_state)
        g_string_append (sql, " CROSS JOIN article_states st ON st.article_id = a.id");
      feed_column = "a.subscription_id";
      break;
    case DRIVE_SEARCH_DATE:
      g_string_append (sql, " FROM articles a INDEXED BY articles_by_date");
      if (need_state)
        g_string_append (sql, " CROSS JOIN article_states st ON st.article_id = a.id");
      feed_column = "a.subscription_id";
      break;
    case DRIVE_DATE:
    default:
      g_string_append (sql, " FROM articles a");
      if (need_state)
        g_string_append (sql, " CROSS JOIN article_states st ON st.article_id = a.id");
      feed_column = "a.subscription_id";
      break;
    }

  g_string_append (sql, " WHERE 1");
  if (drive == DRIVE_SEARCH)
    g_string_append (sql, " AND articles_fts MATCH :match");
  else if (match != NULL)
    g_string_append (sql, " AND a.id IN (SELECT rowid FROM articles_fts"
                     " WHERE articles_fts MATCH :match)");
  if (wants_unread (query))
    g_string_append (sql, " AND st.read = 0");
  switch (query->kind)
    {
    case TIDINGS_SCOPE_STARRED:
      g_string_append (sql, " AND st.starred = 1");
      break;
    case TIDINGS_SCOPE_TODAY:
      g_string_append (sql, " AND (a.date >= :midnight OR a.first_seen >= :midnight)");
      break;
    case TIDINGS_SCOPE_SECTION:
      g_string_append_printf (sql, " AND %s IN (SELECT id FROM subscriptions"
                              " WHERE section_id = :id OR section_id IN"
                              " (SELECT id FROM sections WHERE parent_id = :id))", feed_column);
      break;
    case TIDINGS_SCOPE_SUBSCRIPTION:
      g_string_append_printf (sql, " AND %s = :id", feed_column);
      break;
    case TIDINGS_SCOPE_ALL:
    case TIDINGS_SCOPE_UNREAD:
    default:
      break;
    }
  /* Only the articles that come before :before_date, :before_id in the
   * list's order; written so that the date index finds them. */
  if (before)
    g_string_append (sql, query->oldest_first
                          ? " AND a.date <= :before_date"
                            " AND (a.date < :before_date OR a.id < :before_id)"
                          : " AND a.date >= :before_date"
                            " AND (a.date > :before_date OR a.id > :before_id)");
  if (count)
    return g_string_free (sql, FALSE);

  {
    const char *order = query->oldest_first ? " ORDER BY a.date, a.id"
                                            : " ORDER BY a.date DESC, a.id DESC";
    char *inner;

    g_string_append (sql, order);
    g_string_append (sql, " LIMIT :limit OFFSET :offset");
    inner = g_string_free (sql, FALSE);
    sql = g_string_new (NULL);
    g_string_append_printf (sql, "SELECT a.id, a.subscription_id, a.guid, a.url, a.title,"
                            " a.author, a.excerpt, a.date, st.read, st.starred"
                            " FROM (%s) AS page"
                            " CROSS JOIN articles a ON a.id = page.id"
                            " CROSS JOIN article_states st ON st.article_id = a.id%s",
                            inner, order);
    g_free (inner);
  }
  return g_string_free (sql, FALSE);
}

static void
bind_query (Stmt                      *stmt,
            const TidingsArticleQuery *query,
            const char                *match)
{
  bind_named_int64 (stmt, ":id", query->id);
  bind_named_text (stmt, ":match", match);
  if (query->kind == TIDINGS_SCOPE_TODAY)
    bind_named_int64 (stmt, ":midnight", local_midnight ());
}

/* Whether the search matches at least @n articles, reading no more than
 * that many matches. */
static gboolean
search_matches_many (TidingsStore  *self,
                     const char    *match,
                     gint64         n,
                     gboolean      *many,
                     GError       **error)
{
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed;

  stmt = query_row (self, "SELECT count(*) >= ?2 FROM (SELECT rowid FROM articles_fts"
                    " WHERE articles_fts MATCH ?1 LIMIT ?2)", ARGS (arg_text (match), arg_int (n)),
                    &failed, error);
  if (stmt == NULL)
    return FALSE;
  *many = sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

static gboolean
choose_drive (TidingsStore               *self,
              const TidingsArticleQuery  *query,
              const char                 *match,
              gboolean                    count,
              guint64                     wanted,
              Drive                      *drive,
              GError                    **error)
{
  gint64 n_articles;
  gint64 n_unread;

  *drive = DRIVE_DATE;
  if (query->kind == TIDINGS_SCOPE_STARRED)
    *drive = DRIVE_STARRED;
  else if (match != NULL && (query->kind == TIDINGS_SCOPE_ALL ||
                             query->kind == TIDINGS_SCOPE_UNREAD))
    {
      gboolean many = FALSE;

      /* A count needs every match anyway; a page of many matches is found
       * sooner walking the dates. (In a narrower scope, the scope's own
       * index walks fewer articles than either.) */
      *drive = DRIVE_SEARCH;
      if (!count && !search_matches_many (self, match, self->many_matches, &many, error))
        return FALSE;
      if (many)
        *drive = DRIVE_SEARCH_DATE;
    }
  else if (wants_unread (query) && query->kind != TIDINGS_SCOPE_TODAY)
    {
      if (!scope_totals (self, query, &n_articles, &n_unread, error))
        return FALSE;
      /* Walking by date visits about wanted * articles / unread rows;
       * gathering the unread ones visits (and sorts) unread rows. */
      if ((double) n_unread * n_unread <= (double) wanted * n_articles)
        *drive = DRIVE_UNREAD;
    }
  return TRUE;
}

/* The statement that lists (or counts) the articles of @query, bound and
 * ready to step, for a page that ends at @wanted. */
static Stmt *
article_stmt (TidingsStore               *self,
              const TidingsArticleQuery  *query,
              const char                 *match,
              gboolean                    count,
              gboolean                    before,
              guint64                     wanted,
              GError                    **error)
{
  g_autofree char *sql = NULL;
  Drive drive;
  Stmt *stmt;

  if (!choose_drive (self, query, match, count, wanted, &drive, error))
    return NULL;
  sql = article_sql (query, match, drive, count, before);
  stmt = stmt_get (self, sql, error);
  if (stmt != NULL)
    bind_query (stmt, query, match);
  return stmt;
}

GPtrArray *
tidings_store_query_articles (TidingsStore               *self,
                              const TidingsArticleQuery  *query,
                              guint                       offset,
                              guint                       limit,
                              GError                    **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *match = NULL;
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_query (query, error))
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) tidings_article_row_free);
  if (limit == 0)
    return g_steal_pointer (&rows);

  match = _tidings_store_search_to_match (query->search);
  if (match != NULL)
    ensure_search_index (self);
  stmt = article_stmt (self, query, match, FALSE, FALSE, (guint64) offset + limit, error);
  if (stmt == NULL)
    return NULL;
  bind_named_int64 (stmt, ":limit", limit);
  bind_named_int64 (stmt, ":offset", offset);

  while (stmt_next (self, stmt, &failed, error))
    {
      TidingsArticleRow *row = g_new0 (TidingsArticleRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->subscription_id = sqlite3_column_int64 (stmt, 1);
      row->guid = column_dup (stmt, 2);
      row->url = column_dup (stmt, 3);
      row->title = column_dup (stmt, 4);
      row->author = column_dup (stmt, 5);
      row->excerpt = column_dup (stmt, 6);
      row->date = sqlite3_column_int64 (stmt, 7);
      row->read = sqlite3_column_int (stmt, 8) != 0;
      row->starred = sqlite3_column_int (stmt, 9) != 0;
      g_ptr_array_add (rows, row);
    }
  if (failed)
    return NULL;
  return g_steal_pointer (&rows);
}

gboolean
tidings_store_count_articles (TidingsStore               *self,
                              const TidingsArticleQuery  *query,
                              guint                      *count,
                              GError                    **error)
{
  g_autofree char *match = NULL;
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_query (query, error))
    return FALSE;
  match = _tidings_store_search_to_match (query->search);

  /* Whole feeds, sections or the library: the counters know. */
  if (match == NULL && (query->kind == TIDINGS_SCOPE_ALL ||
                        query->kind == TIDINGS_SCOPE_UNREAD ||
                        query->kind == TIDINGS_SCOPE_SECTION ||
                        query->kind == TIDINGS_SCOPE_SUBSCRIPTION))
    {
      gint64 n_articles;
      gint64 n_unread;

      if (!scope_totals (self, query, &n_articles, &n_unread, error))
        return FALSE;
      *count = wants_unread (query) ? n_unread : n_articles;
      return TRUE;
    }

  ensure_search_index (self);
  stmt = article_stmt (self, query, match, TRUE, FALSE, G_MAXUINT, error);
  if (stmt == NULL)
    return FALSE;
  if (!stmt_next (self, stmt, &failed, error))
    return FALSE;
  *count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

gboolean
tidings_store_find_article_position (TidingsStore               *self,
                                     const TidingsArticleQuery  *query,
                                     gint64                      article_id,
                                     gboolean                   *found,
                                     guint                      *position,
                                     GError                    **error)
{
  g_autofree char *match = NULL;
  g_autoptr(Stmt) lookup = NULL;
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;
  gint64 date;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (found != NULL && position != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *found = FALSE;
  *position = 0;
  if (!check_query (query, error))
    return FALSE;

  /* Its date, then the list's own count (scope, filters, search) of the
   * articles before it. */
  lookup = stmt_get (self, "SELECT date FROM articles WHERE id = ?1", error);
  if (lookup == NULL)
    return FALSE;
  sqlite3_bind_int64 (lookup, 1, article_id);
  if (!stmt_next (self, lookup, &failed, error))
    return !failed;
  date = sqlite3_column_int64 (lookup, 0);

  match = _tidings_store_search_to_match (query->search);
  if (match != NULL)
    ensure_search_index (self);
  stmt = article_stmt (self, query, match, TRUE, TRUE, G_MAXUINT, error);
  if (stmt == NULL)
    return FALSE;
  bind_named_int64 (stmt, ":before_date", date);
  bind_named_int64 (stmt, ":before_id", article_id);
  if (!stmt_next (self, stmt, &failed, error))
    return FALSE;
  *position = sqlite3_column_int64 (stmt, 0);
  *found = TRUE;
  return TRUE;
}

static char *
json_member_dup (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_dup_string (node);
}

static gint64
json_member_int (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

static JsonArray *
parse_json_array (JsonParser *parser,
                  const char *json)
{
  JsonNode *root;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return NULL;
  return json_node_get_array (root);
}

static void
read_json_lists (TidingsItem *item,
                 const char  *authors_json,
                 const char  *tags_json,
                 const char  *attachments_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *array;

  array = parse_json_array (parser, authors_json);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      TidingsAuthor *author;

      if (object == NULL)
        continue;
      author = tidings_author_new ();
      author->name = json_member_dup (object, "name");
      author->url = json_member_dup (object, "url");
      author->avatar = json_member_dup (object, "avatar");
      g_ptr_array_add (item->authors, author);
    }

  array = parse_json_array (parser, tags_json);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        g_ptr_array_add (item->tags, json_node_dup_string (node));
    }

  array = parse_json_array (parser, attachments_json);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      TidingsAttachment *attachment;

      if (object == NULL)
        continue;
      attachment = tidings_attachment_new ();
      attachment->url = json_member_dup (object, "url");
      attachment->mime_type = json_member_dup (object, "mime_type");
      attachment->title = json_member_dup (object, "title");
      attachment->size_in_bytes = json_member_int (object, "size_in_bytes");
      attachment->duration_in_seconds = json_member_int (object, "duration_in_seconds");
      g_ptr_array_add (item->attachments, attachment);
    }
}

TidingsArticle *
tidings_store_get_article (TidingsStore  *self,
                           gint64         id,
                           GError       **error)
{
  g_autoptr(Stmt) stmt = NULL;
  TidingsArticle *article;
  TidingsItem *item;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = query_found (self, "article", id,
                      "SELECT a.id, a.subscription_id, a.guid, a.url, a.title, a.date,"
                      " a.first_seen, c.external_url, c.image, c.language, c.date_published,"
                      " c.date_modified, c.authors, c.tags, c.attachments, c.summary,"
                      " c.content_text, c.content_html, st.read, st.starred, st.read_at"
                      " FROM articles a"
                      " JOIN article_contents c ON c.article_id = a.id"
                      " JOIN article_states st ON st.article_id = a.id"
                      " WHERE a.id = ?1", error);
  if (stmt == NULL)
    return NULL;

  item = tidings_item_new ();
  item->id = column_dup (stmt, 2);
  item->url = column_dup (stmt, 3);
  item->title = column_dup (stmt, 4);
  item->external_url = column_dup (stmt, 7);
  item->image = column_dup (stmt, 8);
  item->language = column_dup (stmt, 9);
  item->date_published = column_date (stmt, 10);
  item->date_modified = column_date (stmt, 11);
  read_json_lists (item, (const char *) sqlite3_column_text (stmt, 12),
                   (const char *) sqlite3_column_text (stmt, 13),
                   (const char *) sqlite3_column_text (stmt, 14));
  item->summary = column_dup (stmt, 15);
  item->content_text = column_dup (stmt, 16);
  item->content_html = column_dup (stmt, 17);

  article = g_new0 (TidingsArticle, 1);
  article->id = sqlite3_column_int64 (stmt, 0);
  article->subscription_id = sqlite3_column_int64 (stmt, 1);
  article->item = item;
  article->date = sqlite3_column_int64 (stmt, 5);
  article->first_seen = sqlite3_column_int64 (stmt, 6);
  article->read = sqlite3_column_int (stmt, 18) != 0;
  article->starred = sqlite3_column_int (stmt, 19) != 0;
  article->read_at = sqlite3_column_int64 (stmt, 20);
  return article;
}

static gboolean
article_exists (TidingsStore  *self,
                gint64         id,
                GError       **error)
{
  g_autoptr(Stmt) stmt = query_found (self, "article", id,
                                      "SELECT 1 FROM article_states WHERE article_id = ?1", error);

  return stmt != NULL;
}

gboolean
tidings_store_set_read (TidingsStore  *self,
                        gint64         article_id,
                        gboolean       read,
                        GError       **error)
{
  gint64 subscription_id = 0;
  gboolean changed = FALSE;
  gboolean failed;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!txn_begin (self, &nested, error))
    return FALSE;
  {
    g_autoptr(Stmt) stmt = NULL;

    stmt = query_row (self, "UPDATE article_states SET read = ?2,"
                      " read_at = CASE WHEN ?2 THEN ?3 ELSE 0 END"
                      " WHERE article_id = ?1 AND read <> ?2 RETURNING subscription_id",
                      ARGS (arg_int (article_id), arg_int (read ? 1 : 0),
                            arg_int (g_get_real_time ())), &failed, error);
    if (stmt != NULL)
      {
        changed = TRUE;
        subscription_id = sqlite3_column_int64 (stmt, 0);
        /* Run the statement to its end, which completes it. */
        stmt_next (self, stmt, &failed, error);
      }
  }
  if (failed)
    ok = FALSE;
  else if (changed)
    ok = run_sql (self, "UPDATE subscriptions SET unread_count = unread_count + ?2 WHERE id = ?1",
                  ARGS (arg_int (subscription_id), arg_int (read ? -1 : 1)), error);
  else
    ok = article_exists (self, article_id, error);
  return txn_end (self, nested, ok, error);
}

gboolean
tidings_store_set_starred (TidingsStore  *self,
                           gint64         article_id,
                           gboolean       starred,
                           GError       **error)
{
  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return change_row (self, "article", article_id,
                     "UPDATE article_states SET starred = ?2 WHERE article_id = ?1",
                     ARGS (arg_int (article_id), arg_int (starred ? 1 : 0)), error);
}

/* Runs @sql with what it names of @query's parameters bound, and :now. */
static gboolean
run_for_query (TidingsStore               *self,
               const char                 *sql,
               const TidingsArticleQuery  *query,
               const char                 *match,
               GError                    **error)
{
  g_autoptr(Stmt) stmt = stmt_get (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_query (stmt, query, match);
  bind_named_int64 (stmt, ":now", g_get_real_time ());
  return stmt_run (self, stmt, error);
}

gboolean
tidings_store_mark_read (TidingsStore               *self,
                         const TidingsArticleQuery  *query,
                         GError                    **error)
{
  g_autoptr(GString) mark = g_string_new ("UPDATE article_states SET read = 1, read_at = :now"
                                          " WHERE read = 0");
  g_autoptr(GString) recount = NULL;
  g_autofree char *match = NULL;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_query (query, error))
    return FALSE;
  match = _tidings_store_search_to_match (query->search);

  /* The one statement that marks, and the one that sets the counters of
   * the feeds it may have touched from what is left unread (through the
   * partial index of unread articles, so mostly nothing is read). */
  recount = g_string_new ("UPDATE subscriptions SET unread_count = (SELECT count(*)"
                          " FROM article_states WHERE subscription_id = subscriptions.id"
                          " AND read = 0) WHERE unread_count > 0");
  switch (query->kind)
    {
    case TIDINGS_SCOPE_STARRED:
      g_string_append (mark, " AND starred = 1");
      break;
    case TIDINGS_SCOPE_TODAY:
      g_string_append (mark, " AND article_id IN (SELECT id FROM articles"
                       " WHERE date >= :midnight OR first_seen >= :midnight)");
      break;
    case TIDINGS_SCOPE_SECTION:
      g_string_append (mark, " AND subscription_id IN (SELECT id FROM subscriptions"
                       " WHERE section_id = :id OR section_id IN"
                       " (SELECT id FROM sections WHERE parent_id = :id))");
      g_string_append (recount, " AND (section_id = :id OR section_id IN"
                       " (SELECT id FROM sections WHERE parent_id = :id))");
      break;
    case TIDINGS_SCOPE_SUBSCRIPTION:
      g_string_append (mark, " AND subscription_id = :id");
      g_string_append (recount, " AND id = :id");
      break;
    case TIDINGS_SCOPE_ALL:
    case TIDINGS_SCOPE_UNREAD:
    default:
      break;
    }
  if (match != NULL)
    {
      g_string_append (mark, " AND article_id IN (SELECT rowid FROM articles_fts"
                       " WHERE articles_fts MATCH :match)");
      ensure_search_index (self);
    }

  if (!txn_begin (self, &nested, error))
    return FALSE;
  ok = run_for_query (self, mark->str, query, match, error);
  if (ok)
    g_debug ("Marked %d articles read", sqlite3_changes (self->db));
  ok = ok && run_for_query (self, recount->str, query, match, error);
  return txn_end (self, nested, ok, error);
}

gboolean
tidings_store_delete_article (TidingsStore  *self,
                              gint64         article_id,
                              GError       **error)
{
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!txn_begin (self, &nested, error))
    return FALSE;
  /* The triggers fix the counts and the search index. */
  ok = change_row (self, "article", article_id,
                   "INSERT OR REPLACE INTO tombstones (subscription_id, guid, last_listed)"
                   " SELECT subscription_id, guid, ?2 FROM articles WHERE id = ?1",
                   ARGS (arg_int (article_id), arg_int (g_get_real_time ())), error) &&
       run_sql (self, "DELETE FROM articles WHERE id = ?1", ARGS (arg_int (article_id)), error);
  return txn_end (self, nested, ok, error);
}

static void
append_count (GArray *counts,
              gint64  id,
              guint   unread)
{
  TidingsUnreadCount count = { id, unread };

  g_array_append_val (counts, count);
}

gboolean
tidings_store_unread_counts (TidingsStore  *self,
                             GArray       **subscriptions,
                             GArray       **sections,
                             guint         *all_unread,
                             GError       **error)
{
  g_autoptr(GArray) feed_counts = g_array_new (FALSE, FALSE, sizeof (TidingsUnreadCount));
  guint total = 0;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_autoptr(Stmt) stmt = NULL;
    gboolean failed = FALSE;

    stmt = stmt_get (self, "SELECT id, unread_count FROM subscriptions", error);
    if (stmt == NULL)
      return FALSE;
    while (stmt_next (self, stmt, &failed, error))
      {
        guint unread = sqlite3_column_int64 (stmt, 1);

        append_count (feed_counts, sqlite3_column_int64 (stmt, 0), unread);
        total += unread;
      }
    if (failed)
      return FALSE;
  }

  if (sections != NULL)
    {
      g_autoptr(GArray) section_counts = g_array_new (FALSE, FALSE, sizeof (TidingsUnreadCount));
      g_autoptr(GHashTable) own = own_section_unread (self, error);
      g_autoptr(GHashTable) parents = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                             g_free, g_free);
      g_autoptr(Stmt) stmt = NULL;
      gboolean failed = FALSE;

      if (own == NULL)
        return FALSE;
      stmt = stmt_get (self, "SELECT id, ifnull (parent_id, 0) FROM sections", error);
      if (stmt == NULL)
        return FALSE;
      while (stmt_next (self, stmt, &failed, error))
        {
          gint64 *id = g_new (gint64, 1);
          gint64 *parent = g_new (gint64, 1);

          *id = sqlite3_column_int64 (stmt, 0);
          *parent = sqlite3_column_int64 (stmt, 1);
          g_hash_table_insert (parents, id, parent);
        }
      if (failed)
        return FALSE;

      /* A section's count includes its children's. */
      {
        g_autoptr(GHashTable) totals = g_hash_table_new (g_int64_hash, g_int64_equal);
        GHashTableIter iter;
        gpointer key;
        gpointer value;

        g_hash_table_iter_init (&iter, parents);
        while (g_hash_table_iter_next (&iter, &key, &value))
          {
            guint unread = GPOINTER_TO_UINT (g_hash_table_lookup (own, key));
            gint64 *parent = value;

            g_hash_table_insert (totals, key, GUINT_TO_POINTER (
                GPOINTER_TO_UINT (g_hash_table_lookup (totals, key)) + unread));
            if (*parent != 0)
              {
                gpointer parent_key = NULL;

                if (g_hash_table_lookup_extended (parents, parent, &parent_key, NULL))
                  g_hash_table_insert (totals, parent_key, GUINT_TO_POINTER (
                      GPOINTER_TO_UINT (g_hash_table_lookup (totals, parent_key)) + unread));
              }
          }
        g_hash_table_iter_init (&iter, totals);
        while (g_hash_table_iter_next (&iter, &key, &value))
          append_count (section_counts, *(gint64 *) key, GPOINTER_TO_UINT (value));
      }
      *sections = g_steal_pointer (&section_counts);
    }

  if (subscriptions != NULL)
    *subscriptions = g_steal_pointer (&feed_counts);
  if (all_unread != NULL)
    *all_unread = total;
  return TRUE;
}

/* ---- Feed icons ---- */

void
tidings_icon_free (TidingsIcon *icon)
{
  if (icon == NULL)
    return;
  g_free (icon->url);
  g_clear_pointer (&icon->data, g_bytes_unref);
  g_free (icon->content_type);
  g_free (icon->etag);
  g_free (icon->last_modified);
  g_free (icon);
}

gboolean
tidings_store_set_icon (TidingsStore       *self,
                        const TidingsIcon  *icon,
                        GError            **error)
{
  g_autoptr(Stmt) stmt = NULL;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), FALSE);
  g_return_val_if_fail (icon != NULL && icon->subscription_id > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (icon->data != NULL)
    {
      gsize len;
      gconstpointer data = g_bytes_get_data (icon->data, &len);

      stmt = stmt_get (self,
                       "INSERT INTO icons (subscription_id, url, data, content_type, etag,"
                       "                   last_modified, fetched_at, changed_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
                       " ON CONFLICT (subscription_id) DO UPDATE SET"
                       "  url = excluded.url, content_type = excluded.content_type,"
                       "  etag = excluded.etag, last_modified = excluded.last_modified,"
                       "  fetched_at = excluded.fetched_at,"
                       "  changed_at = CASE WHEN data IS excluded.data THEN changed_at"
                       "                    ELSE excluded.changed_at END,"
                       "  data = excluded.data",
                       error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, icon->subscription_id);
      bind_text (stmt, 2, icon->url);
      /* An empty blob is still an image the sniffing let through. */
      sqlite3_bind_blob64 (stmt, 3, len > 0 ? data : "", len, SQLITE_STATIC);
      bind_text (stmt, 4, icon->content_type);
      bind_text (stmt, 5, icon->etag);
      bind_text (stmt, 6, icon->last_modified);
      sqlite3_bind_int64 (stmt, 7, icon->fetched_at);
    }
  else
    {
      stmt = stmt_get (self,
                       "INSERT INTO icons (subscription_id, etag, last_modified, fetched_at)"
                       " VALUES (?1, ?2, ?3, ?4)"
                       " ON CONFLICT (subscription_id) DO UPDATE SET"
                       "  etag = coalesce (excluded.etag, etag),"
                       "  last_modified = coalesce (excluded.last_modified, last_modified),"
                       "  fetched_at = excluded.fetched_at",
                       error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, icon->subscription_id);
      bind_text (stmt, 2, icon->etag);
      bind_text (stmt, 3, icon->last_modified);
      sqlite3_bind_int64 (stmt, 4, icon->fetched_at);
    }
  return stmt_run (self, stmt, error);
}

static TidingsIcon *
icon_from_row (Stmt *stmt)
{
  TidingsIcon *icon = g_new0 (TidingsIcon, 1);

  icon->subscription_id = sqlite3_column_int64 (stmt, 0);
  icon->url = column_dup (stmt, 1);
  icon->content_type = column_dup (stmt, 2);
  icon->etag = column_dup (stmt, 3);
  icon->last_modified = column_dup (stmt, 4);
  icon->fetched_at = sqlite3_column_int64 (stmt, 5);
  icon->changed_at = sqlite3_column_int64 (stmt, 6);
  return icon;
}

#define ICON_COLUMNS "subscription_id, url, content_type, etag, last_modified, fetched_at," \
                     " changed_at"

TidingsIcon *
tidings_store_get_icon (TidingsStore  *self,
                        gint64         subscription_id,
                        GError       **error)
{
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;
  TidingsIcon *icon;
  const void *data;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = query_row (self, "SELECT " ICON_COLUMNS ", data FROM icons"
                          " WHERE subscription_id = ?1 AND data IS NOT NULL",
                    ARGS (arg_int (subscription_id)), &failed, error);
  if (stmt == NULL)
    return NULL;
  icon = icon_from_row (stmt);
  data = sqlite3_column_blob (stmt, 7);
  icon->data = g_bytes_new (data, (gsize) sqlite3_column_bytes (stmt, 7));
  return icon;
}

GHashTable *
tidings_store_list_icons (TidingsStore  *self,
                          GError       **error)
{
  g_autoptr(GHashTable) icons = NULL;
  g_autoptr(Stmt) stmt = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (TIDINGS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = stmt_get (self, "SELECT " ICON_COLUMNS " FROM icons", error);
  if (stmt == NULL)
    return NULL;
  icons = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                 (GDestroyNotify) tidings_icon_free);
  while (stmt_next (self, stmt, &failed, error))
    {
      TidingsIcon *icon = icon_from_row (stmt);

      g_hash_table_insert (icons, &icon->subscription_id, icon);
    }
  if (failed)
    return NULL;
  return g_steal_pointer (&icons);
}
