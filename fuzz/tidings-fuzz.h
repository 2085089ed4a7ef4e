/* tidings-fuzz.h: what every libFuzzer target of Tidings defines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each fuzz-NAME.c defines LLVMFuzzerTestOneInput(); LLVMFuzzerInitialize()
 * is shared (tidings-fuzz.c), so that every target treats a GLib critical or
 * warning alike: as a bug found, like a crash.
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
