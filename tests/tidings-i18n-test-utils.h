/* tidings-i18n-test-utils.h: running a test in another language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests read the catalogs the build compiled (TIDINGS_LOCALEDIR, set by
 * tests/meson.build to the build's po/), in a locale Debian's locales-all
 * provides. A language that po/LINGUAS does not list is not built at all:
 * the tests of that language skip, saying so.
 */

#pragma once

#include <libintl.h>
#include <locale.h>
#include <string.h>

#include <glib.h>

/* Whether po/LINGUAS lists @lang. */
static inline gboolean
tidings_test_linguas_has (const char *lang)
{
  const char *root = g_getenv ("TIDINGS_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : "..", "po", "LINGUAS", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;
      char *comment = strchr (lines[i], '#');

      if (comment != NULL)
        *comment = '\0';
      words = g_strsplit_set (lines[i], " \t\r", -1);
      for (guint j = 0; words[j] != NULL; j++)
        if (g_str_equal (words[j], lang))
          return TRUE;
    }
  return FALSE;
}

/* Switches the whole process to @lang (gettext's LANGUAGE) in @locale
 * ("uk_UA.UTF-8"), through the build's catalogs; with @default_domain, the
 * tidings domain becomes the default one too, as main() makes it (GtkBuilder
 * and the window's _() translate through the default domain). FALSE when
 * @locale is not installed. */
static inline gboolean
tidings_test_use_language (const char *lang,
                           const char *locale,
                           gboolean    default_domain)
{
  const char *localedir = g_getenv ("TIDINGS_LOCALEDIR");

  g_assert_nonnull (localedir);
  g_setenv ("LANGUAGE", lang, TRUE);
  g_setenv ("LANG", locale, TRUE);
  g_setenv ("LC_ALL", locale, TRUE);
  /* setlocale() also makes gettext forget what it looked up before. */
  if (setlocale (LC_ALL, "") == NULL)
    return FALSE;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  if (default_domain)
    textdomain (GETTEXT_PACKAGE);
  return TRUE;
}

/* Whether @text holds a letter of the Cyrillic alphabet. */
static inline gboolean
tidings_test_has_cyrillic (const char *text)
{
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), FALSE);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0400 && c <= 0x04FF)
        return TRUE;
    }
  return FALSE;
}
