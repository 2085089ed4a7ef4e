#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# NEWS holds the release notes; the metainfo's <releases> carry the same
# releases, dates and text, newest first, and the newest is the version meson
# builds and the one the manual page names. The screenshots the metainfo
# points at are the files in data/screenshots/, at the release's tag. Output
# is TAP.

import argparse
import datetime
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

SCREENSHOT_URL = re.compile(
    r'^https://raw\.githubusercontent\.com/tidings/tidings/v(?P<tag>[0-9.]+)'
    r'/data/screenshots/(?P<name>[a-z0-9-]+\.png)$')
# Large enough for a sharp picture of the window, small enough for a
# software centre to fetch quickly.
SCREENSHOT_MAX_BYTES = 300 * 1024
XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'


def words(text):
    return ' '.join(text.split())


def read_news(path):
    """[(version, date, [(kind, text)])] where kind is 'p' or 'li'."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    releases = []
    heading = re.compile(r'^Tidings (\d+(?:\.\d+)+) \((\d{4}-\d{2}-\d{2})\)$')
    i = 0
    while i < len(lines):
        match = heading.match(lines[i])
        if match is None:
            if lines[i].strip():
                raise ValueError('NEWS line %d is outside a release: %r' % (i + 1, lines[i]))
            i += 1
            continue
        if i + 1 >= len(lines) or lines[i + 1] != '=' * len(lines[i]):
            raise ValueError('NEWS line %d: the heading is not underlined with =' % (i + 1))
        i += 2
        blocks = []
        current = None
        while i < len(lines) and heading.match(lines[i]) is None:
            line = lines[i]
            if not line.strip():
                current = None
            elif line.startswith('- '):
                current = ['li', line[2:]]
                blocks.append(current)
            elif current is not None and (current[0] == 'p' or line.startswith('  ')):
                current[1] += ' ' + line
            else:
                current = ['p', line]
                blocks.append(current)
            i += 1
        releases.append((match.group(1), match.group(2),
                         [(kind, words(text)) for kind, text in blocks]))
    return releases


def untranslated(element, tag):
    return [e for e in element.findall(tag) if e.get(XML_LANG) is None]


def metainfo_blocks(description):
    """The description as [(kind, text)], without the merged translations."""
    blocks = []
    for child in description:
        if child.get(XML_LANG) is not None:
            continue
        if child.tag == 'p':
            blocks.append(('p', words(''.join(child.itertext()))))
        elif child.tag in ('ul', 'ol'):
            for item in untranslated(child, 'li'):
                blocks.append(('li', words(''.join(item.itertext()))))
        else:
            blocks.append((child.tag, ''))
    return blocks


def png_size(path):
    with open(path, 'rb') as f:
        header = f.read(24)
    if header[:8] != b'\x89PNG\r\n\x1a\n' or header[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', header[16:24])


def version_key(version):
    return tuple(int(part) for part in version.split('.'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--version', required=True, help='the version meson builds')
    ap.add_argument('--news', required=True)
    ap.add_argument('--metainfo', required=True)
    ap.add_argument('--man', required=True)
    ap.add_argument('--screenshots', required=True, help='data/screenshots/')
    args = ap.parse_args()

    checks = []

    def check(name, ok, detail=''):
        checks.append((name, bool(ok), detail))

    try:
        news = read_news(args.news)
        check('NEWS: readable', news, 'no release found')
    except ValueError as error:
        news = []
        check('NEWS: readable', False, str(error))

    versions = [version for version, _, _ in news]
    dates = [date for _, date, _ in news]
    check('NEWS: newest release first, each version once',
          [version_key(v) for v in versions]
          == sorted({version_key(v) for v in versions}, reverse=True), versions)
    try:
        parsed = [datetime.date.fromisoformat(d) for d in dates]
        check('NEWS: real dates, newest first', parsed == sorted(parsed, reverse=True), dates)
    except ValueError as error:
        check('NEWS: real dates, newest first', False, str(error))
    check('NEWS: every release has notes', all(blocks for _, _, blocks in news), news)
    check('NEWS: the newest release is the version meson builds',
          versions[:1] == [args.version], (versions[:1], args.version))

    # The releases in the metainfo, as merged by the build.
    component = ET.parse(args.metainfo).getroot()
    releases = component.findall('releases/release')
    check('metainfo: the releases of NEWS, newest first',
          [(r.get('version'), r.get('date')) for r in releases]
          == [(v, d) for v, d, _ in news],
          [(r.get('version'), r.get('date')) for r in releases])
    for release, (version, _, blocks) in zip(releases, news):
        description = release.find('description')
        got = metainfo_blocks(description) if description is not None else []
        differ = [(a, b) for a, b in zip(got + [None] * len(blocks), blocks + [None] * len(got))
                  if a != b]
        check('metainfo: the notes of %s are those in NEWS' % version, got == blocks,
              'metainfo %r\n# NEWS     %r' % differ[0] if differ else '')

    # The manual page names the newest release.
    with open(args.man, encoding='utf-8') as f:
        th = [line for line in f if line.startswith('.TH ')]
    fields = re.findall(r'"[^"]*"|\S+', th[0])[1:] if th else []
    fields = [field.strip('"') for field in fields]
    check('man page: .TH names the newest release and its date',
          fields[2:4] == [dates[0] if dates else None, 'Tidings ' + args.version], fields)

    # What a software centre shows.
    check('metainfo: needs a display at least 360 pixels wide',
          [(d.get('compare'), d.text) for d in component.findall('requires/display_length')]
          == [('ge', '360')])
    check('metainfo: supports the keyboard and a pointer',
          sorted(c.text for c in component.findall('supports/control'))
          == ['keyboard', 'pointing'])

    screenshots = component.findall('screenshots/screenshot')
    check('metainfo: 3 to 5 screenshots', 3 <= len(screenshots) <= 5, len(screenshots))
    check('metainfo: one default screenshot',
          [s.get('type') for s in screenshots].count('default') == 1)
    for number, screenshot in enumerate(screenshots, 1):
        images = screenshot.findall('image')
        captions = untranslated(screenshot, 'caption')
        url = images[0].text if len(images) == 1 else None
        match = SCREENSHOT_URL.match(url or '')
        name = match.group('name') if match else 'screenshot %d' % number
        check('%s: one source image' % name,
              len(images) == 1 and images[0].get('type') == 'source', url)
        check('%s: a caption' % name, len(captions) == 1 and words(captions[0].text or ''),
              captions)
        check('%s: the address of data/screenshots/ at the tag v%s' % (name, args.version),
              match and match.group('tag') == args.version, url)
        if not match:
            continue
        path = os.path.join(args.screenshots, match.group('name'))
        size = png_size(path) if os.path.exists(path) else None
        check('%s: committed as a PNG' % name, size is not None, path)
        check('%s: width and height as in the file' % name,
              size == (int(images[0].get('width', 0)), int(images[0].get('height', 0))),
              (size, images[0].get('width'), images[0].get('height')))
        check('%s: at most %d kB' % (name, SCREENSHOT_MAX_BYTES // 1024),
              size is not None and os.path.getsize(path) <= SCREENSHOT_MAX_BYTES)
    listed = sorted(SCREENSHOT_URL.match(s.find('image').text or '').group('name')
                    for s in screenshots
                    if s.find('image') is not None
                    and SCREENSHOT_URL.match(s.find('image').text or ''))
    present = sorted(n for n in os.listdir(args.screenshots) if n.endswith('.png'))
    check('data/screenshots/: every file is shown, none is missing', listed == present,
          (listed, present))

    print('1..%d' % len(checks))
    failed = 0
    for i, (name, ok, detail) in enumerate(checks, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if not ok:
            failed += 1
            if detail != '':
                print('# %s' % (detail,))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
