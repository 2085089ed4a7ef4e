/* tidings-opml-store.c: subscription lists in and out of the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-opml"

#include "config.h"

#include "tidings-opml-store.h"

/* Sections are found by their title and their parent's. */
static char *
section_key (const char *parent,
             const char *title)
{
  return g_strconcat (parent != NULL ? parent : "", "\x1f", title != NULL ? title : "", NULL);
}

static gboolean
import_into (TidingsStore       *store,
             const TidingsOpml  *opml,
             guint              *n_added,
             guint              *n_skipped,
             guint              *n_sections,
             GError            **error)
{
  g_autoptr(GHashTable) section_ids = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                             g_free, NULL);

  for (guint i = 0; i < opml->sections->len; i++)
    {
      TidingsOpmlSection *section = g_ptr_array_index (opml->sections, i);
      const char *title = section->title != NULL ? section->title : "Untitled";
      gint64 parent_id = 0;
      gint64 id;

      if (section->parent != NULL)
        {
          g_autofree char *parent_key = section_key (NULL, section->parent);

          parent_id = GPOINTER_TO_SIZE (g_hash_table_lookup (section_ids, parent_key));
          g_assert (parent_id != 0);
        }
      id = tidings_store_find_section (store, title, parent_id);
      if (id == 0)
        {
          id = tidings_store_add_section (store, title, parent_id, error);
          if (id == 0)
            return FALSE;
          (*n_sections)++;
        }
      g_hash_table_insert (section_ids, section_key (section->parent, section->title),
                           GSIZE_TO_POINTER ((gsize) id));
    }

  for (guint i = 0; i < opml->feeds->len; i++)
    {
      TidingsOpmlFeed *feed = g_ptr_array_index (opml->feeds, i);
      g_autoptr(TidingsSubscription) existing = tidings_store_find_subscription (store,
                                                                                 feed->url);
      gint64 section_id = 0;

      if (existing != NULL)
        {
          (*n_skipped)++;
          continue;
        }
      if (feed->section != NULL)
        {
          g_autofree char *key = section_key (feed->parent, feed->section);

          section_id = GPOINTER_TO_SIZE (g_hash_table_lookup (section_ids, key));
        }
      if (tidings_store_add_subscription (store, feed->url, feed->title, section_id, error) == 0)
        return FALSE;
      (*n_added)++;
    }
  return TRUE;
}

gboolean
tidings_store_import_opml (TidingsStore       *store,
                           const TidingsOpml  *opml,
                           guint              *n_added,
                           guint              *n_skipped,
                           guint              *n_sections,
                           GError            **error)
{
  guint added = 0, skipped = 0, sections = 0;

  g_return_val_if_fail (TIDINGS_IS_STORE (store), FALSE);
  g_return_val_if_fail (opml != NULL, FALSE);

  if (!tidings_store_begin (store, error))
    return FALSE;
  if (!import_into (store, opml, &added, &skipped, &sections, error)
      || !tidings_store_commit (store, error))
    {
      tidings_store_rollback (store);
      return FALSE;
    }
  if (n_added != NULL)
    *n_added = added;
  if (n_skipped != NULL)
    *n_skipped = skipped;
  if (n_sections != NULL)
    *n_sections = sections;
  return TRUE;
}

TidingsOpml *
tidings_store_export_opml (TidingsStore  *store,
                           GError       **error)
{
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(GPtrArray) subscriptions = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  TidingsOpml *opml;

  g_return_val_if_fail (TIDINGS_IS_STORE (store), NULL);

  sections = tidings_store_list_sections (store, error);
  if (sections == NULL)
    return NULL;
  subscriptions = tidings_store_list_subscriptions (store, error);
  if (subscriptions == NULL)
    return NULL;

  opml = tidings_opml_new ();
  by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < sections->len; i++)
    {
      TidingsSection *section = g_ptr_array_index (sections, i);
      TidingsSection *parent = g_hash_table_lookup (by_id, &section->parent_id);
      TidingsOpmlSection *out = g_new0 (TidingsOpmlSection, 1);

      g_hash_table_insert (by_id, &section->id, section);
      out->title = g_strdup (section->title);
      out->parent = parent != NULL ? g_strdup (parent->title) : NULL;
      g_ptr_array_add (opml->sections, out);
    }
  for (guint i = 0; i < subscriptions->len; i++)
    {
      TidingsSubscription *subscription = g_ptr_array_index (subscriptions, i);
      TidingsSection *section = g_hash_table_lookup (by_id, &subscription->section_id);
      TidingsOpmlFeed *out = g_new0 (TidingsOpmlFeed, 1);

      out->url = g_strdup (subscription->url);
      out->title = g_strdup (subscription->title);
      out->site_url = g_strdup (subscription->site_url);
      if (section != NULL)
        {
          TidingsSection *parent = g_hash_table_lookup (by_id, &section->parent_id);

          out->section = g_strdup (section->title);
          out->parent = parent != NULL ? g_strdup (parent->title) : NULL;
        }
      g_ptr_array_add (opml->feeds, out);
    }


  return opml;
}
