/* tidings-date.c: the dates publishers write, read leniently
 *
 * Two hand-written scanners, tried in turn: one for ISO 8601 / RFC 3339 /
 * W3C-DTF (text that opens with a four-digit year), one for RFC 822 / 2822
 * and its many corruptions (a bag of words, numbers, a clock time and a zone,
 * with a month name required). This runs for every item of big feeds, so no
 * regular expressions and no allocation; the calendar arithmetic is done here
 * (proleptic Gregorian, years 1 to 9999) rather than through GDateTime.
 *
 * The rule throughout: accept what a human would read without hesitation,
 * refuse the rest. A date we cannot read is better left out than invented.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tidings-date"

#include "config.h"

#include "tidings-date.h"

#include <string.h>

#define USEC_PER_SEC   G_GINT64_CONSTANT (1000000)
#define SEC_PER_DAY    G_GINT64_CONSTANT (86400)
#define USEC_PER_DAY   (SEC_PER_DAY * USEC_PER_SEC)

/* Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_TO_EPOCH  G_GINT64_CONSTANT (719162)

/* Days in 400 Gregorian years, 100 years (not the 400th), 4 years. */
#define DAYS_PER_400Y  146097
#define DAYS_PER_100Y  36524
#define DAYS_PER_4Y    1461

/* RFC 3339 forbids offsets beyond these and so do we: anything larger is a
 * typo, not a place on Earth (Kiribati is +14:00). */
#define MAX_OFFSET_MINUTES (14 * 60)

typedef struct
{
  int year;     /* 1..9999 */
  int month;    /* 1..12 */
  int day;      /* 1..31, checked against the month */
  int hour;     /* 0..24, 24 only as 24:00:00 */
  int minute;
  int second;   /* 0..59 once a leap second is clamped */
  int usec;     /* 0..999999 */
  int offset;   /* seconds east of UTC */
} DateFields;

static const guint8 days_in_month_table[2][13] = {
  { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
  { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
};

/* Days before the first of each month, in a common and a leap year. */
static const guint16 days_before_month_table[2][14] = {
  { 0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 },
  { 0, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366 },
};

static inline gboolean
is_leap_year (gint64 year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static inline int
days_in_month (int year,
               int month)
{
  return days_in_month_table[is_leap_year (year)][month];
}

/* Days since 1970-01-01 of a valid date with year >= 1. */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = year - 1;
  gint64 days = y * 365 + y / 4 - y / 100 + y / 400;

  days += days_before_month_table[is_leap_year (year)][month];
  days += day - 1;

  return days - DAYS_TO_EPOCH;
}

/* The inverse, for any day gint64 can reach through usec / USEC_PER_DAY:
 * split into 400-year cycles counted from 0001-01-01, then centuries, then
 * four-year runs, then years. The last year of each such run is the long one,
 * which is why the quotients are clamped at 3. */
static void
civil_from_days (gint64  days_since_epoch,
                 gint64 *out_year,
                 int    *out_month,
                 int    *out_day)
{
  gint64 n = days_since_epoch + DAYS_TO_EPOCH;
  gint64 cycles;
  gint64 centuries;
  gint64 quads;
  gint64 years;
  gint64 year;
  int leap;
  int month;

  cycles = n / DAYS_PER_400Y;
  n %= DAYS_PER_400Y;
  if (n < 0)
    {
      n += DAYS_PER_400Y;
      cycles--;
    }

  centuries = n / DAYS_PER_100Y;
  if (centuries == 4)
    centuries = 3;
  n -= centuries * DAYS_PER_100Y;

  quads = n / DAYS_PER_4Y;
  n -= quads * DAYS_PER_4Y;

  years = n / 365;
  if (years == 4)
    years = 3;
  n -= years * 365;

  year = 1 + cycles * 400 + centuries * 100 + quads * 4 + years;
  leap = is_leap_year (year);

  /* n is now the day of the year, 0-based; a first guess from 32-day months
   * is at most one month short. */
  month = (int) (n / 32) + 1;
  if (month < 12 && n >= days_before_month_table[leap][month + 1])
    month++;

  *out_year = year;
  *out_month = month;
  *out_day = (int) (n - days_before_month_table[leap][month]) + 1;
}

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static inline gboolean
is_alpha (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline char
to_lower (char c)
{
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static const char *
skip_spaces (const char *p)
{
  while (is_space (*p))
    p++;
  return p;
}

/* Reads a run of at most @max_digits digits; a longer run is refused rather
 * than cut, so "123456" is never read as a two-digit day. */
static gboolean
read_number (const char **pp,
             int          max_digits,
             int         *out_value,
             int         *out_digits)
{
  const char *p = *pp;
  int value = 0;
  int n = 0;

  while (is_digit (*p))
    {
      if (n == max_digits)
        return FALSE;
      value = value * 10 + (*p - '0');
      p++;
      n++;
    }

  if (n == 0)
    return FALSE;

  *pp = p;
  *out_value = value;
  if (out_digits != NULL)
    *out_digits = n;
  return TRUE;
}

/* Reads exactly @n digits, whatever follows. */
static gboolean
read_fixed (const char **pp,
            int          n,
            int         *out_value)
{
  const char *p = *pp;
  int value = 0;
  int i;

  for (i = 0; i < n; i++)
    {
      if (!is_digit (p[i]))
        return FALSE;
      value = value * 10 + (p[i] - '0');
    }

  *out_value = value;
  *pp = p + n;
  return TRUE;
}

static inline gboolean
read_2digits (const char **pp,
              int         *out_value)
{
  return read_fixed (pp, 2, out_value);
}

/* Reads a fraction of a second after its separator, keeping microseconds and
 * dropping the rest (truncation, so it never carries into the next second). */
static gboolean
read_fraction (const char **pp,
               int         *out_usec)
{
  const char *p = *pp;
  int usec = 0;
  int n = 0;

  if (!is_digit (*p))
    return FALSE;

  for (; is_digit (*p); p++, n++)
    {
      if (n < 6)
        usec = usec * 10 + (*p - '0');
    }
  for (; n < 6; n++)
    usec *= 10;

  *pp = p;
  *out_usec = usec;
  return TRUE;
}

/* Named zones, in minutes east of UTC. RFC 822 names the first lines; the rest
 * are the abbreviations that real feeds use and that mean one thing in
 * practice. Names that mean several things in equal measure (ADT in Arabia,
 * BST in Bangladesh, CST in China) keep their RFC 822 or most common meaning;
 * IST is taken as India's, which is where nearly every feed that writes it
 * comes from. ET/CT/MT/PT name no season, so they are read as standard time,
 * as the Universal Feed Parser does. Single military letters are handled
 * apart. */
typedef struct
{
  char name[5];
  gint16 minutes;
} ZoneName;

static const ZoneName zone_names[] = {
  { "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
  { "est", -5 * 60 }, { "edt", -4 * 60 },
  { "cst", -6 * 60 }, { "cdt", -5 * 60 },
  { "mst", -7 * 60 }, { "mdt", -6 * 60 },
  { "pst", -8 * 60 }, { "pdt", -7 * 60 },
  /* North America beyond RFC 822 */
  { "et", -5 * 60 }, { "ct", -6 * 60 }, { "mt", -7 * 60 }, { "pt", -8 * 60 },
  { "ast", -4 * 60 }, { "adt", -3 * 60 }, { "at", -4 * 60 },
  { "nst", -(3 * 60 + 30) }, { "ndt", -(2 * 60 + 30) },
  { "akst", -9 * 60 }, { "akdt", -8 * 60 },
  { "hst", -10 * 60 },
  /* Europe */
  { "wet", 0 }, { "west", 1 * 60 },
  { "bst", 1 * 60 }, { "ist", 5 * 60 + 30 },
  { "cet", 1 * 60 }, { "cest", 2 * 60 },
  { "met", 1 * 60 }, { "mest", 2 * 60 },
  { "eet", 2 * 60 }, { "eest", 3 * 60 },
  { "msk", 3 * 60 },
  /* Asia and Oceania */
  { "pkt", 5 * 60 },
  { "wib", 7 * 60 }, { "ict", 7 * 60 },
  { "hkt", 8 * 60 }, { "sgt", 8 * 60 }, { "awst", 8 * 60 }, { "pht", 8 * 60 },
  { "jst", 9 * 60 }, { "kst", 9 * 60 },
  { "acst", 9 * 60 + 30 }, { "acdt", 10 * 60 + 30 },
  { "aest", 10 * 60 }, { "aedt", 11 * 60 },
  { "nzst", 12 * 60 }, { "nzdt", 13 * 60 },
};

/* Looks up a lower-case word as a zone name. */
static gboolean
lookup_zone_name (const char *word,
                  gsize       len,
                  int        *out_offset)
{
  gsize i;

  /* RFC 822's military letters were defined with the wrong signs, so RFC 2822
   * (section 4.3) says to read them as -0000: unknown, taken as UTC. */
  if (len == 1 && word[0] != 'j')
    {
      *out_offset = 0;
      return TRUE;
    }

  for (i = 0; i < G_N_ELEMENTS (zone_names); i++)
    {
      if (strlen (zone_names[i].name) == len && memcmp (zone_names[i].name, word, len) == 0)
        {
          *out_offset = zone_names[i].minutes * 60;
          return TRUE;
        }
    }

  return FALSE;
}

/* Reads +hh, +hhmm, +hh:mm (and +h:mm), and after a GMT or UTC prefix also
 * +h, as in GMT+2. */
static gboolean
parse_numeric_offset (const char **pp,
                      gboolean     after_prefix,
                      int         *out_offset)
{
  const char *p = *pp;
  int sign;
  int value;
  int digits;
  int hours;
  int minutes = 0;

  if (*p == '+')
    sign = 1;
  else if (*p == '-')
    sign = -1;
  else
    return FALSE;
  p++;

  if (!read_number (&p, 4, &value, &digits))
    return FALSE;

  if (*p == ':')
    {
      if (digits > 2)
        return FALSE;
      hours = value;
      p++;
      if (!read_2digits (&p, &minutes))
        return FALSE;
    }
  else if (digits == 4)
    {
      hours = value / 100;
      minutes = value % 100;
    }
  else if (digits == 2 || (digits == 1 && after_prefix))
    {
      hours = value;
    }
  else
    {
      return FALSE;
    }

  /* "+05:30.5" or "+0530123" is not an offset. */
  if (is_digit (*p) || *p == ':')
    return FALSE;

  if (minutes > 59 || hours * 60 + minutes > MAX_OFFSET_MINUTES)
    return FALSE;

  *pp = p;
  *out_offset = sign * (hours * 3600 + minutes * 60);
  return TRUE;
}

/* Reads a run of letters, lower-cased, into @word; FALSE if it is longer than
 * @size. */
static gboolean
read_word (const char **pp,
           char        *word,
           gsize        size,
           gsize       *out_len)
{
  const char *p = *pp;
  gsize len = 0;

  while (is_alpha (*p))
    {
      if (len == size)
        return FALSE;
      word[len++] = to_lower (*p);
      p++;
    }

  *pp = p;
  *out_len = len;
  return TRUE;
}

static inline gboolean
word_is (const char *word,
         gsize       len,
         const char *literal)
{
  return strlen (literal) == len && memcmp (word, literal, len) == 0;
}

/* Reads a zone: Z, a name, a military letter, a numeric offset, GMT/UTC/UT
 * followed by an offset, or the tz database's Etc/GMT and Etc/UTC. */
static gboolean
parse_zone (const char **pp,
            int         *out_offset)
{
  const char *p = *pp;
  char word[5];
  gsize len = 0;
  int offset;

  if (*p == '+' || *p == '-')
    return parse_numeric_offset (pp, FALSE, out_offset);

  if (!read_word (&p, word, sizeof word, &len) || len == 0)
    return FALSE;

  /* Etc/GMT+5 means five hours *west* in the tz database, so only the
   * unshifted names are taken. */
  if (word_is (word, len, "etc") && *p == '/')
    {
      p++;
      if (!read_word (&p, word, sizeof word, &len) ||
          !(word_is (word, len, "gmt") || word_is (word, len, "utc")) ||
          *p == '+' || *p == '-')
        return FALSE;
      *pp = p;
      *out_offset = 0;
      return TRUE;
    }

  if (!lookup_zone_name (word, len, &offset))
    return FALSE;

  if ((*p == '+' || *p == '-') &&
      (word_is (word, len, "gmt") || word_is (word, len, "utc") || word_is (word, len, "ut")))
    {
      if (!parse_numeric_offset (&p, TRUE, &offset))
        return FALSE;
    }

  *pp = p;
  *out_offset = offset;
  return TRUE;
}

/* Checks the fields and turns them into microseconds since the epoch. */
static gboolean
fields_to_usec (DateFields *f,
                gint64     *out_usec)
{
  static const gint64 min_usec = -DAYS_TO_EPOCH * USEC_PER_DAY;
  /* 10000-01-01T00:00:00Z, excluded */
  static const gint64 end_usec = (G_GINT64_CONSTANT (3652059) - DAYS_TO_EPOCH) * USEC_PER_DAY;
  gint64 seconds;
  gint64 usec;

  if (f->year < 1 || f->year > 9999)
    return FALSE;
  if (f->month < 1 || f->month > 12)
    return FALSE;
  if (f->day < 1 || f->day > days_in_month (f->year, f->month))
    return FALSE;
  if (f->hour < 0 || f->hour > 24 || f->minute < 0 || f->minute > 59 ||
      f->second < 0 || f->second > 60 || f->usec < 0 || f->usec > 999999)
    return FALSE;

  /* 24:00:00 is the end of the day, the same instant as the next midnight;
   * 24:00:01 is nothing. */
  if (f->hour == 24 && (f->minute != 0 || f->second != 0 || f->usec != 0))
    return FALSE;

  /* A leap second cannot be counted in Unix time: hold it at :59. */
  if (f->second == 60)
    f->second = 59;

  seconds = days_from_civil (f->year, f->month, f->day) * SEC_PER_DAY
            + f->hour * 3600 + f->minute * 60 + f->second - f->offset;
  usec = seconds * USEC_PER_SEC + f->usec;

  /* A zone can push the first or last day of the range out of it; what we
   * could not write back out, we do not accept. */
  if (usec < min_usec || usec >= end_usec)
    return FALSE;

  *out_usec = usec;
  return TRUE;
}

/* ISO 8601 / RFC 3339 / W3C-DTF: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-DDD,
 * YYYYMMDD, YYYYDDD, then optionally [T or spaces] hh[:mm[:ss[.frac]]] (or
 * hhmm[ss]), then optionally a zone. A date with no time is midnight, and no
 * zone means UTC. */
static gboolean
parse_iso8601 (const char *p,
               gint64     *out_usec)
{
  DateFields f = { 0, 1, 1, 0, 0, 0, 0, 0 };
  const char *start = p;
  int value;
  int digits;
  int ordinal = -1;
  gboolean full_date = FALSE;
  gboolean have_time = FALSE;
  gboolean have_seconds = FALSE;

  while (is_digit (*p))
    p++;
  digits = (int) (p - start);
  p = start;

  if (digits == 4)
    {
      read_fixed (&p, 4, &f.year);
      if (*p == '-' && is_digit (p[1]))
        {
          p++;
          if (!read_number (&p, 3, &value, &digits))
            return FALSE;
          if (digits == 2)
            {
              f.month = value;
              if (*p == '-' && is_digit (p[1]))
                {
                  p++;
                  if (!read_2digits (&p, &f.day) || is_digit (*p))
                    return FALSE;
                  full_date = TRUE;
                }
            }
          else if (digits == 3)
            {
              ordinal = value;
              full_date = TRUE;
            }
          else
            {
              return FALSE;
            }
        }
    }
  else if (digits == 8)
    {
      read_fixed (&p, 4, &f.year);
      read_fixed (&p, 2, &f.month);
      read_fixed (&p, 2, &f.day);
      full_date = TRUE;
    }
  else if (digits == 7)
    {
      read_fixed (&p, 4, &f.year);
      read_fixed (&p, 3, &ordinal);
      full_date = TRUE;
    }
  else
    {
      return FALSE;
    }

  if (ordinal >= 0)
    {
      int leap = is_leap_year (f.year);

      if (ordinal < 1 || ordinal > 365 + leap)
        return FALSE;
      for (f.month = 1; ordinal > days_before_month_table[leap][f.month + 1]; f.month++)
        ;
      f.day = ordinal - days_before_month_table[leap][f.month];
    }

  if (*p == 'T' || *p == 't' || (is_space (*p) && is_digit (*skip_spaces (p))))
    {
      gboolean spaced = is_space (*p);

      /* A time needs a whole date to hang on. */
      if (!full_date)
        return FALSE;
      have_time = TRUE;
      p = skip_spaces (p + 1);

      if (!read_number (&p, 6, &value, &digits))
        return FALSE;

      /* After a space, as SQL writes it, only hh:mm[:ss]: "2003-12-31 2004"
       * is not four minutes past eight. */
      if (spaced && *p != ':')
        return FALSE;

      if (*p == ':')
        {
          /* Extended: h[h]:mm[:ss] */
          if (digits > 2)
            return FALSE;
          f.hour = value;
          p++;
          if (!read_2digits (&p, &f.minute))
            return FALSE;
          if (*p == ':')
            {
              p++;
              if (!read_2digits (&p, &f.second))
                return FALSE;
              have_seconds = TRUE;
            }
        }
      else if (digits == 2)
        f.hour = value;
      else if (digits == 4)
        {
          f.hour = value / 100;
          f.minute = value % 100;
        }
      else if (digits == 6)
        {
          f.hour = value / 10000;
          f.minute = value / 100 % 100;
          f.second = value % 100;
          have_seconds = TRUE;
        }
      else
        return FALSE;

      if (is_digit (*p))
        return FALSE;

      /* ISO 8601 allows a fraction of the hour or minute too, but nobody
       * writes one and "10:14.5" is more likely a typo: seconds only. */
      if (have_seconds && (*p == '.' || *p == ',') && is_digit (p[1]))
        {
          p++;
          read_fraction (&p, &f.usec);
        }
    }

  p = skip_spaces (p);
  if (*p != '\0')
    {
      /* A zone on a year or a month alone has nothing to shift. On a day
       * alone, only XML Schema's Z or +hh:mm, so that 2013-01-27-01 is not
       * read as an offset of an hour nor 2003100A as a military zone. (The
       * RFC 822 scanner still takes 2003-12-31 GMT.) */
      if (!full_date)
        return FALSE;
      if (!have_time &&
          !((*p == 'Z' || *p == 'z') && !is_alpha (p[1])) &&
          !((*p == '+' || *p == '-') && is_digit (p[1]) && is_digit (p[2]) && p[3] == ':'))
        return FALSE;
      if (!parse_zone (&p, &f.offset))
        return FALSE;
      p = skip_spaces (p);
      if (*p != '\0')
        return FALSE;
    }

  return fields_to_usec (&f, out_usec);
}

static int
lookup_month (const char *word,
              gsize       len)
{
  static const char *const months[] = {
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
  };
  int i;

  if (len < 3)
    return 0;

  for (i = 0; i < 12; i++)
    {
      gsize full = strlen (months[i]);

      /* The abbreviation or the whole name, and Sept. */
      if ((len == 3 || len == full) && memcmp (months[i], word, len) == 0)
        return i + 1;
    }

  if (len == 4 && memcmp (word, "sept", 4) == 0)
    return 9;

  return 0;
}

static gboolean
is_weekday (const char *word,
            gsize       len)
{
  static const char *const days[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
  };
  int i;

  if (len < 3)
    return FALSE;

  for (i = 0; i < 7; i++)
    {
      gsize full = strlen (days[i]);

      if (len == 3 || len == full)
        {
          if (memcmp (days[i], word, len) == 0)
            return TRUE;
        }
    }

  /* Tues, Thur, Thurs */
  return (len == 4 && memcmp (word, "tues", 4) == 0) ||
         (len == 4 && memcmp (word, "thur", 4) == 0) ||
         (len == 5 && memcmp (word, "thurs", 5) == 0);
}

/* Reads h[h]:mm[:ss[.frac]] after the hour digits; the caller saw ':'. A
 * single digit after a colon (4:3) could be :03 or :30, so it is refused. */
static gboolean
parse_clock (const char **pp,
             int          hour,
             DateFields  *f)
{
  const char *p = *pp;

  g_assert (*p == ':');
  p++;

  f->hour = hour;
  if (!read_2digits (&p, &f->minute))
    return FALSE;

  if (*p == ':')
    {
      p++;
      if (!read_2digits (&p, &f->second))
        return FALSE;
      if (*p == '.' && is_digit (p[1]))
        {
          p++;
          read_fraction (&p, &f->usec);
        }
    }

  /* 10:14:55:12, 10:14:55.x or 10:145 */
  if (*p == ':' || *p == '.' || is_digit (*p))
    return FALSE;

  *pp = p;
  return TRUE;
}

/* RFC 822 / 2822 and its relatives: RFC 850 (Sunday, 06-Nov-94 08:49:37 GMT),
 * asctime (Sun Nov  6 08:49:37 1994), date(1) (Thu Jan  1 00:00:00 UTC 2004)
 * and what people type (January 1st, 2004 4:31 PM EST). The parts are read in
 * any sensible order, but a month name is required: a purely numeric date
 * such as 01/02/2004 cannot be read without guessing. */
static gboolean
parse_rfc822 (const char *p,
              gint64     *out_usec)
{
  DateFields f = { -1, -1, -1, 0, 0, 0, 0, 0 };
  int year_digits = 0;
  gboolean have_time = FALSE;
  gboolean have_zone = FALSE;
  gboolean have_ampm = FALSE;
  gboolean month_after_year = FALSE;
  gboolean first = TRUE;

  for (;; first = FALSE)
    {
      gboolean date_complete;

      while (is_space (*p) || *p == ',')
        p++;

      if (*p == '\0')
        break;

      date_complete = f.day >= 0 && f.month >= 0 && f.year >= 0;

      /* Comments, as in "+0200 (CEST)" */
      if (*p == '(')
        {
          int depth = 0;

          do
            {
              if (*p == '(')
                depth++;
              else if (*p == ')')
                depth--;
              else if (*p == '\0')
                return FALSE;
              p++;
            }
          while (depth > 0);
          continue;
        }

      /* 01-Jan-2004, 01/Jan/2004, 01.Jan.2004: separators between the parts
       * of the date; once it is whole, a dash is a zone's sign, and before it
       * starts, something we do not know (-2003). */
      if ((*p == '-' || *p == '/' || *p == '.') && !date_complete && !have_time &&
          (f.day >= 0 || f.month >= 0 || f.year >= 0))
        {
          p++;
          continue;
        }

      if (is_digit (*p))
        {
          int value;
          int digits;

          if (!read_number (&p, 4, &value, &digits))
            return FALSE;

          if (*p == ':')
            {
              /* A zone before the time ("Jan 1 2004 EST 10:00") means a word
               * was misread as one. */
              if (have_time || have_zone || digits > 2 || !parse_clock (&p, value, &f))
                return FALSE;
              have_time = TRUE;
              continue;
            }

          /* 2006/09/15 or 2006-09-15: numeric, but with the year first
           * nobody puts the day before the month. */
          if (digits == 4 && (*p == '/' || *p == '-') && is_digit (p[1]) &&
              f.year < 0 && f.month < 0 && f.day < 0)
            {
              char sep = *p++;

              if (!read_number (&p, 2, &f.month, NULL) || *p != sep)
                return FALSE;
              p++;
              /* Anything glued on (2003-12-31T...) was ISO 8601's to read. */
              if (!read_number (&p, 2, &f.day, NULL) || !(is_space (*p) || *p == '\0'))
                return FALSE;
              f.year = value;
              year_digits = digits;
              continue;
            }

          /* 1st, 2nd, 3rd, 4th */
          if (is_alpha (*p))
            {
              char a = to_lower (p[0]);
              char b = to_lower (p[1]);

              /* p[2] is only looked at once p[1] is known to be a letter */
              if (f.day >= 0 || digits > 2 || (f.year >= 0 && !month_after_year) ||
                  !((a == 's' && b == 't') || (a == 'n' && b == 'd') ||
                    (a == 'r' && b == 'd') || (a == 't' && b == 'h')) ||
                  is_alpha (p[2]))
                return FALSE;
              p += 2;
              f.day = value;
              continue;
            }

          /* A day, then a year, in the orders people use: 1 Jan 2004,
           * Jan 1 2004, 2004 Jan 1. A short year is only taken after the
           * month name (01 04 Jan is nothing), and a day after a year only
           * with the month between them (Jan 2004 1 is nothing either). */
          if (digits <= 2 && f.day < 0 && (f.year < 0 || month_after_year))
            f.day = value;
          else if (f.year < 0 && (digits == 4 || (digits >= 2 && f.month >= 0)))
            {
              f.year = value;
              year_digits = digits;
            }
          else
            return FALSE;
          continue;
        }

      if (is_alpha (*p))
        {
          const char *word_start = p;
          char word[12];
          gsize len = 0;
          int month;

          if (!read_word (&p, word, sizeof word, &len))
            return FALSE;

          if (first && is_weekday (word, len))
            {
              /* Often wrong, never needed: ignored. */
              if (*p == '.')
                p++;
              continue;
            }

          month = lookup_month (word, len);
          if (month > 0)
            {
              if (f.month >= 0)
                return FALSE;
              f.month = month;
              month_after_year = f.year >= 0;
              if (*p == '.')
                p++;
              continue;
            }

          if (len == 2 && word[1] == 'm' && (word[0] == 'a' || word[0] == 'p'))
            {
              if (!have_time || have_ampm || have_zone || f.hour < 1 || f.hour > 12)
                return FALSE;
              f.hour = f.hour % 12 + (word[0] == 'p' ? 12 : 0);
              have_ampm = TRUE;
              continue;
            }

          /* "January 1, 2004 at 4:31 PM" */
          if (len == 2 && word[0] == 'a' && word[1] == 't' && !have_time && !have_zone &&
              (f.day >= 0 || f.month >= 0 || f.year >= 0))
            continue;

          p = word_start;
        }

      /* Whatever is left must be the zone, after the time or the date. */
      if (have_zone || !(have_time || date_complete))
        return FALSE;
      /* 2013-01-27-01 has a part too many, not an offset. */
      if (!have_time && (*p == '+' || *p == '-') && !is_space (p[-1]))
        return FALSE;
      if (!parse_zone (&p, &f.offset))
        return FALSE;
      have_zone = TRUE;
    }

  if (f.day < 0 || f.month < 0 || f.year < 0)
    return FALSE;

  /* RFC 2822 section 4.3: two-digit years are 1950..2049, three-digit years
   * count from 1900 */
  if (year_digits == 2)
    f.year += f.year < 50 ? 2000 : 1900;
  else if (year_digits == 3)
    f.year += 1900;

  return fields_to_usec (&f, out_usec);
}

gboolean
tidings_date_parse (const char *text,
                    gint64     *out_usec)
{
  const char *p;

  g_return_val_if_fail (out_usec != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  p = skip_spaces (text);
  if (*p == '\0')
    return FALSE;

  /* Trailing white space is skipped by both scanners. A text that opens with
   * a year may still be RFC 822-ish (2004 Jan 01), so fall through. */
  if (is_digit (p[0]) && is_digit (p[1]) && is_digit (p[2]) && is_digit (p[3]) &&
      parse_iso8601 (p, out_usec))
    return TRUE;

  return parse_rfc822 (p, out_usec);
}

char *
tidings_date_format (gint64 usec)
{
  gint64 days;
  gint64 rem;
  gint64 year;
  int month;
  int day;
  int seconds;
  int fraction;
  char buf[64];
  int len;

  /* Floor division, so times before 1970 fall on the right day. */
  days = usec / USEC_PER_DAY;
  rem = usec % USEC_PER_DAY;
  if (rem < 0)
    {
      rem += USEC_PER_DAY;
      days--;
    }

  civil_from_days (days, &year, &month, &day);
  seconds = (int) (rem / USEC_PER_SEC);
  fraction = (int) (rem % USEC_PER_SEC);

  len = g_snprintf (buf, sizeof buf, "%04" G_GINT64_FORMAT "-%02d-%02dT%02d:%02d:%02d",
                    year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60);

  if (fraction != 0)
    {
      len += g_snprintf (buf + len, sizeof buf - len, ".%06d", fraction);
      while (buf[len - 1] == '0')
        len--;
    }

  buf[len++] = 'Z';
  buf[len] = '\0';

  return g_strdup (buf);
}
