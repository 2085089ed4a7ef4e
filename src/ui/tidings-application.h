/* tidings-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TIDINGS_TYPE_APPLICATION (tidings_application_get_type ())

G_DECLARE_FINAL_TYPE (TidingsApplication, tidings_application, TIDINGS, APPLICATION, AdwApplication)

TidingsApplication *tidings_application_new (const char *application_id);

G_END_DECLS
