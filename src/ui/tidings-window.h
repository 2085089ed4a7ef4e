/* tidings-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TIDINGS_TYPE_WINDOW (tidings_window_get_type ())

G_DECLARE_FINAL_TYPE (TidingsWindow, tidings_window, TIDINGS, WINDOW, AdwApplicationWindow)

G_END_DECLS
