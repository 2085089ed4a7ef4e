/* tidings-add-dialog.h: subscribing from the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A modal window that takes any address (a feed, a web page, a feed: link),
 * finds the feeds behind it with tidings_library_discover_async(), lets the
 * reader pick one when there are several, and a section, then subscribes
 * with tidings_library_subscribe_async(). Errors are shown in the window in
 * words; it closes itself once subscribed.
 *
 * Signals:
 *   subscribed (gint64 subscription_id): the new subscription, emitted just
 *     before the window closes (the library has also emitted "changed").
 */

#pragma once

#include <adwaita.h>

#include "tidings-library.h"

G_BEGIN_DECLS

#define TIDINGS_TYPE_ADD_DIALOG (tidings_add_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TidingsAddDialog, tidings_add_dialog, TIDINGS, ADD_DIALOG, AdwWindow)

/* @sections: a GListModel of TidingsSidebarItem (those of kind SECTION are
 * offered, with their child sections), or NULL. @library may only be NULL in
 * tests that do not look for feeds. */
TidingsAddDialog *tidings_add_dialog_new         (GtkWindow        *parent,
                                                  TidingsLibrary   *library,
                                                  GListModel       *sections);

/* Fills in the address (a feed: link is turned into its http one) and,
 * with a library, starts looking for its feeds at once. */
void              tidings_add_dialog_set_url     (TidingsAddDialog *self,
                                                  const char       *url);

/* Preselects a section (0: none), e.g. the one selected in the sidebar. */
void              tidings_add_dialog_set_section (TidingsAddDialog *self,
                                                  gint64            section_id);

G_END_DECLS
