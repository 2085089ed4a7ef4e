/* tidings-opml-store.h: subscription lists in and out of the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tidings-opml.h"
#include "tidings-store.h"

G_BEGIN_DECLS

/* Adds @opml's sections (found by title, else created) and feeds (skipping
 * those already subscribed) in one transaction: on error nothing is added.
 * Counts go to the out-arguments, which may be NULL. */
gboolean     tidings_store_import_opml (TidingsStore       *store,
                                        const TidingsOpml  *opml,
                                        guint              *n_added,
                                        guint              *n_skipped,
                                        guint              *n_sections,
                                        GError            **error);

/* The store's sections and subscriptions, ready for tidings_opml_write(). */
TidingsOpml *tidings_store_export_opml (TidingsStore       *store,
                                        GError            **error);

G_END_DECLS
