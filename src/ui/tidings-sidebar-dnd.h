/* tidings-sidebar-dnd.h: moving sections and feeds in the sidebar by drag and drop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tidings-sidebar-model.h"
#include "tidings-window.h"

G_BEGIN_DECLS

/* Where a drop puts what is dragged, against the row it lands on. */
typedef enum
{
  TIDINGS_SIDEBAR_DROP_NONE,    /* nothing: the drop is refused */
  TIDINGS_SIDEBAR_DROP_INTO,    /* last in section target_id (0: in none, or the top level) */
  TIDINGS_SIDEBAR_DROP_BEFORE,  /* just before target_id, a row of its own kind, in its section */
  TIDINGS_SIDEBAR_DROP_AFTER,   /* just after target_id */
} TidingsSidebarDropPlace;

typedef struct
{
  TidingsSidebarDropPlace place;
  TidingsSidebarKind      kind;       /* of what moves: a section or a subscription */
  gint64                  id;         /* what moves */
  gint64                  target_id;
} TidingsSidebarDrop;

/* What dropping @dragged on the row of @target (NULL: below the last row)
 * @y px down a row @height px high means:
 * - a feed onto a section goes into it; onto a feed, before or after it
 *   (upper or lower half) in that feed's section; onto a smart section or
 *   below the rows, out of any section;
 * - a section onto a section goes before it (top quarter), after it
 *   (bottom quarter) or, in between, into it when sections may nest there
 *   (one level: a top-level target, and a dragged section without sections
 *   of its own; else before or after by halves); onto a smart section or
 *   below the rows, to the end of the top level; onto a feed, nowhere.
 * Returns FALSE (and place NONE) when the drop means nothing, or would
 * leave everything where it is. */
gboolean _tidings_sidebar_drop_plan   (TidingsSidebarItem *dragged,
                                       TidingsSidebarItem *target,
                                       double              y,
                                       double              height,
                                       TidingsSidebarDrop *drop);

/* Makes the rows of @view (the window's sidebar, its factory already set)
 * drag sources, and @view the drop target. A drop goes to the store through
 * the library's writer, so the sidebar follows from the store; a toast says
 * what moved, with Undo. */
void     _tidings_sidebar_dnd_attach  (TidingsWindow      *window,
                                       GtkListView        *view);

/* Adds Move Up and Move Down to @menu, the context menu of @item, when it
 * has a section or a feed before or after it among its siblings: the
 * keyboard's way to do what a drop beside a row does. Their action is
 * sidebar.move (kind, id, direction), on the view. */
void     _tidings_sidebar_dnd_append_moves (TidingsWindow      *window,
                                            TidingsSidebarItem *item,
                                            GMenu              *menu);

/* The drop target's handlers, as a drag of @dragged over @view at (@x, @y)
 * (the view's coordinates) calls them; for tests, which cannot drag on
 * every display. motion returns the action offered and highlights the row
 * (CSS classes drop-into, drop-before, drop-after on the list's row);
 * leave takes the highlight away; drop carries the move out. */
GdkDragAction _tidings_sidebar_dnd_motion (GtkListView        *view,
                                           TidingsSidebarItem *dragged,
                                           double              x,
                                           double              y);
void          _tidings_sidebar_dnd_leave  (GtkListView        *view);
gboolean      _tidings_sidebar_dnd_drop   (GtkListView        *view,
                                           TidingsSidebarItem *dragged,
                                           double              x,
                                           double              y);

G_END_DECLS
