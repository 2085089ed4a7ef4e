/* test-i18n.c: the engine's words in other languages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core translates through the tidings domain (gi18n-lib.h), whatever
 * the process's default domain: this program never calls textdomain(). In
 * the C locale every message stays the English the other tests expect; in
 * Ukrainian and German (when po/LINGUAS lists them) the build's catalogs
 * give the engine's errors and the command line's counts, with the plural
 * forms of each language.
 */

#include "config.h"

#include "tidings-i18n-test-utils.h"
#include "tidings-opml.h"

#define FEEDS_ONE   "%u feed refreshed"
#define FEEDS_OTHER "%u feeds refreshed"
#define EMPTY_FILE  "The file is empty"

static const char *
feeds_refreshed (gulong n)
{
  return g_dngettext (GETTEXT_PACKAGE, FEEDS_ONE, FEEDS_OTHER, n);
}

/* The core's message for an empty subscription list. */
static char *
empty_opml_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TidingsOpml) opml = tidings_opml_parse ("", 0, &error);

  g_assert_null (opml);
  g_assert_error (error, TIDINGS_OPML_ERROR, TIDINGS_OPML_ERROR_MALFORMED);
  return g_strdup (error->message);
}

/* Switches to @lang, or skips when the build has no catalog for it. */
static gboolean
use_language (const char *lang,
              const char *locale)
{
  if (!tidings_test_linguas_has (lang))
    {
      g_autofree char *why = g_strdup_printf ("po/LINGUAS does not list %s", lang);

      g_test_skip (why);
      return FALSE;
    }
  if (!tidings_test_use_language (lang, locale, FALSE))
    {
      g_test_message ("The locale %s is not installed (Debian: locales-all)", locale);
      g_test_fail ();
      return FALSE;
    }
  return TRUE;
}

static void
test_english (void)
{
  g_autofree char *message = NULL;

  g_unsetenv ("LANGUAGE");
  g_setenv ("LC_ALL", "C", TRUE);
  g_assert_nonnull (setlocale (LC_ALL, ""));

  g_assert_cmpstr (feeds_refreshed (1), ==, FEEDS_ONE);
  g_assert_cmpstr (feeds_refreshed (2), ==, FEEDS_OTHER);
  g_assert_cmpstr (feeds_refreshed (0), ==, FEEDS_OTHER);
  message = empty_opml_message ();
  g_assert_cmpstr (message, ==, EMPTY_FILE);
}

static void
test_ukrainian (void)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;

  if (!use_language ("uk", "uk_UA.UTF-8"))
    return;

  /* Three forms: 1, 21 (one); 2, 22 (few); 5, 11, 0 (many). */
  g_assert_cmpstr (feeds_refreshed (1), !=, FEEDS_ONE);
  g_assert_true (tidings_test_has_cyrillic (feeds_refreshed (1)));
  g_assert_cmpstr (feeds_refreshed (1), !=, feeds_refreshed (2));
  g_assert_cmpstr (feeds_refreshed (2), !=, feeds_refreshed (5));
  g_assert_cmpstr (feeds_refreshed (1), !=, feeds_refreshed (5));
  g_assert_cmpstr (feeds_refreshed (21), ==, feeds_refreshed (1));
  g_assert_cmpstr (feeds_refreshed (22), ==, feeds_refreshed (2));
  g_assert_cmpstr (feeds_refreshed (11), ==, feeds_refreshed (5));
  g_assert_cmpstr (feeds_refreshed (0), ==, feeds_refreshed (5));
  /* The count still goes where the translation says. */
  line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, FEEDS_ONE, FEEDS_OTHER, 3), 3u);
  g_assert_nonnull (strchr (line, '3'));

  message = empty_opml_message ();
  g_assert_cmpstr (message, !=, EMPTY_FILE);
  g_assert_true (tidings_test_has_cyrillic (message));
}

static void
test_german (void)
{
  g_autofree char *message = NULL;

  if (!use_language ("de", "de_DE.UTF-8"))
    return;

  /* Two forms: 1 (one), everything else. */
  g_assert_cmpstr (feeds_refreshed (1), !=, FEEDS_ONE);
  g_assert_cmpstr (feeds_refreshed (2), !=, FEEDS_OTHER);
  g_assert_cmpstr (feeds_refreshed (1), !=, feeds_refreshed (2));
  g_assert_cmpstr (feeds_refreshed (0), ==, feeds_refreshed (2));
  g_assert_cmpstr (feeds_refreshed (21), ==, feeds_refreshed (2));

  message = empty_opml_message ();
  g_assert_cmpstr (message, !=, EMPTY_FILE);
  g_assert_true (g_utf8_validate (message, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/i18n/english", test_english);
  g_test_add_func ("/i18n/ukrainian", test_ukrainian);
  g_test_add_func ("/i18n/german", test_german);

  return g_test_run ();
}
