/* test-date.c: dates as feeds write them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "tidings-date.h"

#define USEC_PER_SEC G_GINT64_CONSTANT (1000000)

typedef struct
{
  const char *text;
  const char *expected;   /* RFC 3339, UTC */
} DateCase;

/* What publishers write in RSS and what mail and HTTP taught them. */
static const DateCase rfc822_cases[] = {
  /* The canonical forms */
  { "Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z" },
  { "Fri, 25 Dec 2009 03:30:22 +0000", "2009-12-25T03:30:22Z" },
  { "Sat, 01 Jan 2004 00:00:00 -0000", "2004-01-01T00:00:00Z" },
  { "Tue, 15 Jun 2004 02:02:02 -0400", "2004-06-15T06:02:02Z" },
  { "Tue, 15 Jun 2004 02:02:02 +0530", "2004-06-14T20:32:02Z" },
  { "Mon, 20 Nov 95 19:12:08 -0500", "1995-11-21T00:12:08Z" },
  /* Every RFC 822 zone name */
  { "Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 UTC", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z" },
  { "Thu, 01 Jul 2004 19:48:21 EDT", "2004-07-01T23:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21Z" },
  { "Thu, 01 Jul 2004 19:48:21 CDT", "2004-07-02T00:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 MST", "2004-01-02T02:48:21Z" },
  { "Thu, 01 Jul 2004 19:48:21 MDT", "2004-07-02T01:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21Z" },
  { "Thu, 01 Jul 2004 19:48:21 PDT", "2004-07-02T02:48:21Z" },
  /* Military letters are -0000 (RFC 2822 section 4.3) */
  { "Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 m", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 N", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 Y", "2004-01-01T19:48:21Z" },
  /* Names beyond RFC 822 */
  { "Thu, 01 Jul 2004 19:48:21 BST", "2004-07-01T18:48:21Z" },
  { "Thu, 01 Jul 2004 19:48:21 CEST", "2004-07-01T17:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 CET", "2004-01-01T18:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 EET", "2004-01-01T17:48:21Z" },
  { "Thu, 01 Jul 2004 19:48:21 EEST", "2004-07-01T16:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 JST", "2004-01-01T10:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 IST", "2004-01-01T14:18:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 AEST", "2004-01-01T09:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 NST", "2004-01-01T23:18:21Z" },
  { "Mon, 26 Jan 2004 16:31:00 ET", "2004-01-26T21:31:00Z" },
  { "Mon, 26 Jan 2004 16:31:00 PT", "2004-01-27T00:31:00Z" },
  /* Offsets written in other ways */
  { "Thu, 01 Jan 2004 19:48:21 +01:00", "2004-01-01T18:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 +01", "2004-01-01T18:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 GMT+2", "2004-01-01T17:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 GMT+02:00", "2004-01-01T17:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 GMT-0130", "2004-01-01T21:18:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 UTC-5", "2004-01-02T00:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 +1400", "2004-01-01T05:48:21Z" },
  { "Thu, 01 Jan 2004 19:48:21 -1200", "2004-01-02T07:48:21Z" },
  { "Tue, 15 Jun 2004 02:02:02 +0200 (CEST)", "2004-06-15T00:02:02Z" },
  { "Tue, 15 Jun 2004 02:02:02 +0200 (Romance (Daylight) Time)", "2004-06-15T00:02:02Z" },
  /* No zone is UTC */
  { "Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z" },
  /* Common breakage */
  { "Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z" },
  { "Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 49 19:48:21 GMT", "2049-01-01T19:48:21Z" },
  { "Thu, 01 Jan 50 19:48:21 GMT", "1950-01-01T19:48:21Z" },
  { "Thu, 01 Jan 99 19:48:21 GMT", "1999-01-01T19:48:21Z" },
  { "Thu, 01 Jan 00 19:48:21 GMT", "2000-01-01T19:48:21Z" },
  { "Thu, 01 Jan 104 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01Z" },
  { "01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Thursday, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Thu., 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Thurs, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Thu, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Wed, 01 Sept 2004 19:48:21 GMT", "2004-09-01T19:48:21Z" },
  { "Wed, 01 Sep. 2004 19:48:21 GMT", "2004-09-01T19:48:21Z" },
  { "THU, 01 JAN 2004 19:48:21 gmt", "2004-01-01T19:48:21Z" },
  { "  thu,01   jan   2004   19:48:21   GMT  ", "2004-01-01T19:48:21Z" },
  { "Thu,, 01 Jan, 2004, 19:48:21, GMT", "2004-01-01T19:48:21Z" },
  { "Thu, 01-Jan-2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "Thursday, 01-Jan-04 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "01/Jan/2004 19:48:21 -0100", "2004-01-01T20:48:21Z" },
  { "Thu, 1 Jan 2004 9:08:07 GMT", "2004-01-01T09:08:07Z" },
  { "Thu, 1 Jan 2004 19:48:21.5 GMT", "2004-01-01T19:48:21.5Z" },
  { "Sat, 1 Jan 2004", "2004-01-01T00:00:00Z" },
  { "1 Jan 2004 +0100", "2003-12-31T23:00:00Z" },
  { "Thu, 01 Jan 2004 23:59:60 GMT", "2004-01-01T23:59:59Z" },
  { "Thu, 01 Jan 2004 24:00:00 GMT", "2004-01-02T00:00:00Z" },
  { "Sun, 29 Feb 2004 12:00:00 GMT", "2004-02-29T12:00:00Z" },
  { "Tue, 29 Feb 2000 12:00:00 GMT", "2000-02-29T12:00:00Z" },
  /* asctime, date(1) and what people type */
  { "Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z" },
  { "Thu Jan  1 00:00:00 UTC 2004", "2004-01-01T00:00:00Z" },
  { "Thu Jan  1 00:00:00 -0500 2004", "2004-01-01T05:00:00Z" },
  { "January 1, 2004", "2004-01-01T00:00:00Z" },
  { "January 1st, 2004 4:31 PM EST", "2004-01-01T21:31:00Z" },
  { "Jan 22nd 2004 12:05am", "2004-01-22T00:05:00Z" },
  { "December 3rd, 2004 at 12:05 PM", "2004-12-03T12:05:00Z" },
  { "2004 Jan 01 19:48:21 GMT", "2004-01-01T19:48:21Z" },
  { "2003-12-31 GMT", "2003-12-31T00:00:00Z" },
  { "2003-12-31 10:14 EST", "2003-12-31T15:14:00Z" },
  { "2004-Jan-01", "2004-01-01T00:00:00Z" },
  /* Forms the Universal Feed Parser's own tests accept */
  { "Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00Z" },
  { "Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00Z" },
  { "Thu,  5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00Z" },
  { "Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z" },
  { "Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00Z" },
  { "Wed, 19 Feb 2012 22:40:00 -01:01", "2012-02-19T23:41:00Z" },
  { "Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00Z" },
  { "Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00Z" },
  { "Mon, 26 January 2004 16:31:00 CT", "2004-01-26T22:31:00Z" },
  { "Mon, 26 January 2004 16:31:00 MT", "2004-01-26T23:31:00Z" },
  { "Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z" },
  { "Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00Z" },
  { "Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z" },
  { "2003-1-5", "2003-01-05T00:00:00Z" },
  { "2006/9/5 8:05 PM", "2006-09-05T20:05:00Z" },
  { "Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z" },
};

static const DateCase iso8601_cases[] = {
  { "2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z" },
  { "2003-12-31T10:14:55-08:00", "2003-12-31T18:14:55Z" },
  { "2003-12-31T10:14:55+01:00", "2003-12-31T09:14:55Z" },
  { "2003-12-31T10:14:55.123456+01:00", "2003-12-31T09:14:55.123456Z" },
  { "2003-12-31T10:14:55.1Z", "2003-12-31T10:14:55.1Z" },
  { "2003-12-31T10:14:55.000001Z", "2003-12-31T10:14:55.000001Z" },
  { "2003-12-31T10:14:55.1234567890123Z", "2003-12-31T10:14:55.123456Z" },
  { "2003-12-31T10:14:55.9999999Z", "2003-12-31T10:14:55.999999Z" },
  { "2003-12-31T10:14:55,5Z", "2003-12-31T10:14:55.5Z" },
  { "2009-12-08T16:59:02.544-08:00", "2009-12-09T00:59:02.544Z" },
  { "2004-04-06T23:05:43-05:00", "2004-04-07T04:05:43Z" },
  { "2002-10-13T09:00+01:00", "2002-10-13T08:00:00Z" },
  /* Reduced precision */
  { "2003", "2003-01-01T00:00:00Z" },
  { "2003-12", "2003-12-01T00:00:00Z" },
  { "2003-12-31", "2003-12-31T00:00:00Z" },
  { "2003-12-31T10:14Z", "2003-12-31T10:14:00Z" },
  { "2003-12-31T10Z", "2003-12-31T10:00:00Z" },
  { "2003-12-31T10:14", "2003-12-31T10:14:00Z" },
  /* Variants */
  { "2003-12-31 10:14:55Z", "2003-12-31T10:14:55Z" },
  { "2003-12-31 10:14:55", "2003-12-31T10:14:55Z" },
  { "2003-12-31t10:14:55z", "2003-12-31T10:14:55Z" },
  { "2003-12-31 10:14:55 +0100", "2003-12-31T09:14:55Z" },
  { "2003-12-31T10:14:55+0100", "2003-12-31T09:14:55Z" },
  { "2003-12-31T10:14:55+01", "2003-12-31T09:14:55Z" },
  { "2003-12-31T10:14:55-0000", "2003-12-31T10:14:55Z" },
  { "2003-12-31T10:14:55 UTC", "2003-12-31T10:14:55Z" },
  { "2003-12-31T10:14:55 EST", "2003-12-31T15:14:55Z" },
  { "2003-12-31T10:14:55+05:45", "2003-12-31T04:29:55Z" },
  { "2003-12-31T0:14:55+0:00", "2003-12-31T00:14:55Z" },
  { "2003-12-31Z", "2003-12-31T00:00:00Z" },
  { "2003-12-31-05:00", "2003-12-31T05:00:00Z" },
  { "2007-04-23T23:25:47.538+10:00", "2007-04-23T13:25:47.538Z" },
  { "2004-02-28T18:14:55-08:00", "2004-02-29T02:14:55Z" },
  { "2003-02-28T18:14:55-08:00", "2003-03-01T02:14:55Z" },
  { "2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z" },
  { "2004-07-08 23:56:58.0", "2004-07-08T23:56:58Z" },
  { "  2003-12-31T10:14:55Z \n", "2003-12-31T10:14:55Z" },
  /* Basic format */
  { "20031231T101455Z", "2003-12-31T10:14:55Z" },
  { "20031231T1014Z", "2003-12-31T10:14:00Z" },
  { "20031231T101455.25+0100", "2003-12-31T09:14:55.25Z" },
  { "20031231", "2003-12-31T00:00:00Z" },
  /* Ordinal dates */
  { "2003-335", "2003-12-01T00:00:00Z" },
  { "2003-001T12:00Z", "2003-01-01T12:00:00Z" },
  { "2004-366", "2004-12-31T00:00:00Z" },
  { "2004060", "2004-02-29T00:00:00Z" },
  /* Edges of the calendar and of the day */
  { "2003-12-31T23:59:60Z", "2003-12-31T23:59:59Z" },
  { "2003-12-31T24:00:00Z", "2004-01-01T00:00:00Z" },
  { "2003-12-31T24:00Z", "2004-01-01T00:00:00Z" },
  { "2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z" },
  { "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
  { "1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z" },
  { "1900-03-01T00:00:00Z", "1900-03-01T00:00:00Z" },
  { "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z" },
  { "0001-01-01T12:00:00+01:00", "0001-01-01T11:00:00Z" },
  { "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z" },
  { "9999-12-31T12:00:00-01:00", "9999-12-31T13:00:00Z" },
};

/* Things that are not dates, or not dates anyone can read without guessing. */
static const char *const reject_cases[] = {
  "",
  "   ",
  "\t\n",
  "not a date",
  "today",
  "yesterday at noon",
  "0",
  "12345",
  "2003-13-01",
  "2003-00-10",
  "2003-12-00",
  "2003-12-32",
  "2004-02-30T00:00:00Z",
  "2003-02-29",
  "1900-02-29",
  "2003-12-31T25:00:00Z",
  "2003-12-31T24:00:01Z",
  "2003-12-31T24:30Z",
  "2003-12-31T10:60:00Z",
  "2003-12-31T10:14:61Z",
  "2003-12-31T10:14:55+15:00",
  "2003-12-31T10:14:55+14:30",
  "2003-12-31T10:14:55+01:60",
  "2003-12-31T10:14:55+1",
  "2003-12-31T10:14:55+012",
  "2003-12-31T10:14:55.Z",
  "2003-12-31T10:14:55Zjunk",
  "2003-12-31T10:14:55 Europe/Berlin",
  "2003-12-31T",
  "2003-12-31T10:14:55:12Z",
  "2003-12T10:00Z",
  "2003-000",
  "2003-366",
  "200312",
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+00:01",
  "9999-12-31T23:59:59-00:01",
  "10000-01-01T00:00:00Z",
  "-2003-12-31",
  "31 Feb 2004",
  "Mon, 32 Jan 2004",
  "Mon, 00 Jan 2004",
  "Thu, 31 Jun 2004 19:48:21 GMT",
  "Thu, 29 Feb 2003 19:48:21 GMT",
  "Thu, 01 Jan 2004 25:48:21 GMT",
  "Thu, 01 Jan 2004 19:60:21 GMT",
  "Thu, 01 Jan 2004 19:48:61 GMT",
  "Thu, 01 Jan 2004 19:48:21 J",
  "Thu, 01 Jan 2004 19:48:21 XYZ",
  "Thu, 01 Jan 2004 19:48:21 GMT GMT",
  "Thu, 01 Jan 2004 19:48:21 +0100 +0100",
  "Thu, 01 Jan 2004 19:48:21 +2500",
  "Thu, 01 Jan 2004 19:48:21 +5",
  "Thu, 01 Jan 2004 19:48:21 (unterminated",
  "Thu, 01 Jan 2004 19:48:21:33 GMT",
  "Thu, 01 Jan 2004 13:48 PM",
  "Thu, 01 Jan 2004 00:48 AM",
  "Thu, 01 Jan 2004 19:48:21 GMT 12:00",
  "Thu, 01 Feb Jan 2004",
  "Thu, 01 Jan",
  "Thu, Jan 2004",
  "Thu, 01 2004",
  "Thu, 01 Jan 1 19:48:21",
  "Thu, 01 Jan 12345 19:48:21",
  "Thu, 01 Jan 0000 19:48:21",
  "01/02/2004",
  "12.03.2004",
  "Jan 1 2004 EST 10:00",
  "Thu, 01 Jan 2004 19:48:21 GMT+15",
  "Thu, 01 Jan 2004 19:48:21 GMT +1",
  "1 Jan 2004 \xc3\xa0 10:00",
  /* The Universal Feed Parser's rejects */
  "Sun, 16 Dec 2012 1:2:3:4 GMT",
  "Sun, 16 zzz 2012 11:47:32 GMT",
  "Sun, Dec x 2012 11:47:32 GMT",
  "Sun, 16 Dec zz 11:47:32 GMT",
  "Sun, 16 Dec 2012 11:47:32 +zz:00",
  "Sun, 16 Dec 2012 11:47:32 +00:zz",
  "Sun, 99 Jun 2009 12:00:00 GMT",
  "Sun, 31 Dec 9999 23:59:59 -9999",
  "Wed, 19 Aug 2009 18:28:00 Etc/GMT+5",
  "9999-12-31T23:59:59-99:99",
  "22013",
  "013",
  "2013-01-27-01",
  "2013-01-28T11:30:00-06:00Textra",
  "2013-xx-27",
  "2013-01-28T09:xx:00Z",
  "2013-01-28T09:00:00+00:xx",
  "2006/09-15",
  "2003-12-31 2004",
  "2003100A",
  "2000043etc/gmt",
  "2003-12-31+0100",
  "2003-12-31 17:5-10",
  "Thu, 01 Jan 2004 4:3 PM",
  "Thu, 01 Jan 2004 10:14:5 GMT",
  "Thu, 01 Jan 2004 10:145 GMT",
  "at 1 Jan 2004",
  "2003-12-31 10",
  "Jan 2004 1st",
  "01 04 Jan",
  "2004 1 Jan",
  "Jan 2004 1",
  "Mon Jan 2004 1",
  /* Found by fuzz-date: read past the end looking for an ordinal suffix */
  "0u",
  "1s",
  "Jan 2004 1t",
};

static void
check_case (const DateCase *c)
{
  gint64 usec = 0;
  g_autofree char *formatted = NULL;

  g_test_message ("parsing \"%s\"", c->text);
  g_assert_true (tidings_date_parse (c->text, &usec));
  formatted = tidings_date_format (usec);
  g_assert_cmpstr (formatted, ==, c->expected);
}

static void
test_rfc822 (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (rfc822_cases); i++)
    check_case (&rfc822_cases[i]);
}

static void
test_iso8601 (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (iso8601_cases); i++)
    check_case (&iso8601_cases[i]);
}

static void
test_reject (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (reject_cases); i++)
    {
      gint64 usec = 42;

      g_test_message ("rejecting \"%s\"", reject_cases[i]);
      g_assert_false (tidings_date_parse (reject_cases[i], &usec));
      /* A failed parse leaves the output alone. */
      g_assert_cmpint (usec, ==, 42);
    }

  {
    gint64 usec = 42;

    g_assert_false (tidings_date_parse (NULL, &usec));
    g_assert_cmpint (usec, ==, 42);
  }
}

/* Values checked by hand against date -u -d @N. */
static void
test_format (void)
{
  static const struct
  {
    gint64 usec;
    const char *expected;
  } cases[] = {
    { 0, "1970-01-01T00:00:00Z" },
    { 1, "1970-01-01T00:00:00.000001Z" },
    { -1, "1969-12-31T23:59:59.999999Z" },
    { 1709647620 * USEC_PER_SEC, "2024-03-05T14:07:00Z" },
    { 1709647620 * USEC_PER_SEC + 120000, "2024-03-05T14:07:00.12Z" },
    { 1709647620 * USEC_PER_SEC + 500000, "2024-03-05T14:07:00.5Z" },
    { 951782400 * USEC_PER_SEC, "2000-02-29T00:00:00Z" },
    { -86400 * USEC_PER_SEC, "1969-12-31T00:00:00Z" },
    { G_GINT64_CONSTANT (-2208988800) * USEC_PER_SEC, "1900-01-01T00:00:00Z" },
    { G_GINT64_CONSTANT (-62135596800) * USEC_PER_SEC, "0001-01-01T00:00:00Z" },
    { G_GINT64_CONSTANT (253402300799) * USEC_PER_SEC + 999999, "9999-12-31T23:59:59.999999Z" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *formatted = tidings_date_format (cases[i].usec);
      gint64 back = 0;

      g_assert_cmpstr (formatted, ==, cases[i].expected);
      g_assert_true (tidings_date_parse (formatted, &back));
      g_assert_cmpint (back, ==, cases[i].usec);
    }
}

/* GDate as the independent reference: for every day of years 1..9999, format
 * an instant in that day, compare the calendar date with GDate's, which walks
 * the calendar a day at a time, and parse the text back. */
static void
test_every_day (void)
{
  const gint64 first = G_GINT64_CONSTANT (-62135596800);
  const gint64 last = G_GINT64_CONSTANT (253402300799);
  g_autoptr(GDate) date = g_date_new_dmy (1, G_DATE_JANUARY, 1);
  gint64 seconds;
  guint checked = 0;

  for (seconds = first; seconds <= last; seconds += 86400)
    {
      int in_day = (int) ((checked * G_GINT64_CONSTANT (7919)) % 86400);
      gint64 usec = (seconds + in_day) * USEC_PER_SEC + checked % 1000000;
      g_autofree char *formatted = tidings_date_format (usec);
      char reference[32];
      gint64 back = 0;

      g_snprintf (reference, sizeof reference, "%04d-%02d-%02dT%02d:%02d:%02d",
                  g_date_get_year (date), g_date_get_month (date), g_date_get_day (date),
                  in_day / 3600, in_day / 60 % 60, in_day % 60);

      if (strncmp (formatted, reference, 19) != 0)
        g_assert_cmpstr (formatted, ==, reference);
      if (!tidings_date_parse (formatted, &back) || back != usec)
        {
          g_test_message ("round trip of %s", formatted);
          g_assert_cmpint (back, ==, usec);
        }

      g_date_add_days (date, 1);
      checked++;
    }

  g_assert_cmpuint (checked, ==, 3652059);
  g_assert_cmpint (g_date_get_year (date), ==, 10000);
}

/* Random instants, through format and parse and an offset the parser must
 * undo. */
static void
test_round_trip_random (void)
{
  guint i;

  for (i = 0; i < 20000; i++)
    {
      /* a day in from each end, so the -03:30 text stays within 1..9999 */
      gint64 seconds = (gint64) g_test_rand_double_range (-62135596800.0 + 86400,
                                                          253402300799.0 - 86400);
      int micro = g_test_rand_int_range (0, 1000000);
      gint64 usec = seconds * USEC_PER_SEC + micro;
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (seconds);
      g_autoptr(GTimeZone) tz = g_time_zone_new_offset (-(3 * 3600 + 30 * 60));
      g_autoptr(GDateTime) local = g_date_time_to_timezone (dt, tz);
      g_autofree char *text = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%06d-03:30",
                                               g_date_time_get_year (local),
                                               g_date_time_get_month (local),
                                               g_date_time_get_day_of_month (local),
                                               g_date_time_get_hour (local),
                                               g_date_time_get_minute (local),
                                               g_date_time_get_second (local),
                                               micro);
      g_autofree char *formatted = tidings_date_format (usec);
      gint64 back = 0;

      g_assert_true (tidings_date_parse (formatted, &back));
      g_assert_cmpint (back, ==, usec);

      back = 0;
      g_assert_true (tidings_date_parse (text, &back));
      g_assert_cmpint (back, ==, usec);
    }
}

/* Formatting never falls over outside the calendar range, even though what it
 * writes there cannot be parsed back. */
static void
test_format_extremes (void)
{
  g_autofree char *min = tidings_date_format (G_MININT64);
  g_autofree char *max = tidings_date_format (G_MAXINT64);
  gint64 usec;

  g_assert_nonnull (min);
  g_assert_nonnull (max);
  g_assert_true (g_str_has_suffix (min, "Z"));
  g_assert_true (g_str_has_suffix (max, "Z"));
  g_assert_false (tidings_date_parse (min, &usec));
  g_assert_false (tidings_date_parse (max, &usec));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/date/rfc822", test_rfc822);
  g_test_add_func ("/date/iso8601", test_iso8601);
  g_test_add_func ("/date/reject", test_reject);
  g_test_add_func ("/date/format", test_format);
  g_test_add_func ("/date/format-extremes", test_format_extremes);
  g_test_add_func ("/date/every-day", test_every_day);
  g_test_add_func ("/date/round-trip-random", test_round_trip_random);

  return g_test_run ();
}
