/* tidings-utf8.c: UTF-8 validation tuned for mostly-ASCII text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tidings-utf8.h"

#define HIGH_BITS G_GUINT64_CONSTANT (0x8080808080808080)

static inline gboolean
continuation (guchar c)
{
  return (c & 0xC0) == 0x80;
}

gboolean
_tidings_utf8_validate (const char  *text,
                        gsize        len,
                        const char **end)
{
  const guchar *p = (const guchar *) text;
  const guchar *stop = p + len;

  while (p < stop)
    {
      guchar c;
      gsize left;

      /* Eight ASCII bytes at a time; a NUL is not valid either, so words
       * holding one are left to the byte loop. */
      while (stop - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, sizeof word);
          if ((word & HIGH_BITS) != 0 ||
              ((word - G_GUINT64_CONSTANT (0x0101010101010101)) & ~word & HIGH_BITS) != 0)
            break;
          p += 8;
        }
      if (p == stop)
        break;

      c = *p;
      if (c < 0x80)
        {
          if (c == 0)
            break;
          p++;
          continue;
        }

      left = stop - p;
      if (c < 0xC2)
        break;
      if (c < 0xE0)
        {
          if (left < 2 || !continuation (p[1]))
            break;
          p += 2;
        }
      else if (c < 0xF0)
        {
          guchar low = c == 0xE0 ? 0xA0 : 0x80;
          guchar high = c == 0xED ? 0x9F : 0xBF;

          if (left < 3 || p[1] < low || p[1] > high || !continuation (p[2]))
            break;
          p += 3;
        }
      else if (c < 0xF5)
        {
          guchar low = c == 0xF0 ? 0x90 : 0x80;
          guchar high = c == 0xF4 ? 0x8F : 0xBF;

          if (left < 4 || p[1] < low || p[1] > high || !continuation (p[2]) ||
              !continuation (p[3]))
            break;
          p += 4;
        }
      else
        break;
    }

  if (end != NULL)
    *end = (const char *) p;
  return p == stop;
}
