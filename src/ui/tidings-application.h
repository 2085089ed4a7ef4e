/* tidings-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tidings-library.h"

G_BEGIN_DECLS

#define TIDINGS_TYPE_APPLICATION (tidings_application_get_type ())

G_DECLARE_FINAL_TYPE (TidingsApplication, tidings_application, TIDINGS, APPLICATION, AdwApplication)

TidingsApplication *tidings_application_new          (const char         *application_id);

/* The one library of the application, opened at startup (NULL when it could
 * not be opened: the window then says why). */
TidingsLibrary     *tidings_application_get_library  (TidingsApplication *self);
/* The application's settings (schema APP_ID). */
GSettings          *tidings_application_get_settings (TidingsApplication *self);

G_END_DECLS
