/* tidings-test-discover.h: checks shared by the discovery tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tidings-discover.h"

/* A macro, so that a failure names the line of the test that made it. */
#define assert_link(links, index, url_, title_, mime_) \
  G_STMT_START { \
    TidingsFeedLink *_link; \
    g_assert_cmpuint (index, <, (links)->len); \
    _link = (links)->pdata[index]; \
    g_assert_cmpstr (_link->url, ==, url_); \
    g_assert_cmpstr (_link->title, ==, title_); \
    g_assert_cmpstr (_link->mime_type, ==, mime_); \
  } G_STMT_END
