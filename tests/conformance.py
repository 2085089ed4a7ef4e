#!/usr/bin/env python3
# conformance.py: the Universal Feed Parser's test corpus, run against `tidings --parse`
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Conformance runner for `tidings --parse`, emitting TAP.

The corpus is feedparser's own test suite (shared/corpora/feedparser/tests beside
the checkout).  Every file carries a header comment

    Description: what the file tests
    Expect:      a Python expression over feedparser's result

(JSON files carry the same text in a "__TEST__" member).  We run
`tidings --parse FILE` on every file, rebuild a feedparser-shaped result from the
JSON Feed 1.1 that it prints, and evaluate the expectations that can be expressed
in our output.  feedparser itself is never imported.

What is checked
---------------
* Every file: tidings must not crash (signal, or an exit code other than 0 and 1),
  hang (more than --timeout seconds), print something on exit 0 that is not a
  JSON Feed document, or exit 1 without a message on stderr.  Exit 1 is fine for
  documents that are not feeds: the result is then {bozo: True, feed: {},
  entries: []}, as feedparser would give.
* Applicable expectations (outside wellformed/sanitize): an expectation applies
  when every name, key and attribute in it belongs to the allow-list below; that is
  decided on the expression's syntax tree, never by substring.
* wellformed/sanitize: feedparser's expected strings there encode feedparser's own
  HTML allow-list, so instead each file is one safety check: no text or HTML field
  of the feed or its items may contain "<script", an on* attribute, or an
  attribute whose value is a javascript:/vbscript: URL (ignoring whitespace and
  control characters, any case).

The allow-list (feedparser's aliases are accepted wherever feedparser accepts them)
-----------------------------------------------------------------------------
  top level  bozo, feed (channel), entries (items), and builtins such as len()
  feed       title, link, subtitle (tagline, description), language,
             author, author_detail{name, href (url)}, authors[{name, href (url)}],
             image{href (url)}
  entry      title, link, id (guid), published_parsed (issued_parsed),
             updated_parsed (modified_parsed, date_parsed; falls back to
             published_parsed as feedparser does), author, author_detail,
             authors, summary (description), content[{value, type}],
             enclosures[{href (url), type, length}], tags[{term}], category
             (= tags[0].term), image{href (url)}
  Not applicable, with the reason:
  - email (author_detail.email, authors[].email): JSON Feed has no e-mail field.
  - published/updated as raw strings: feedparser keeps the source text of a date
    verbatim, we print RFC 3339 UTC; the *_parsed forms are compared instead.
  - links, title_detail and every other *_detail, source, rights/copyright, info,
    generator, cloud, where, itunes_*, psc_*, media_*, encoding, version,
    bozo_exception, namespaces, headers, status, href, scheme/label of tags, ...:
    not part of our output.

Expectations that need the original HTTP context
------------------------------------------------
feedparser's harness served each file over HTTP from http://127.0.0.1:8097/ and
sent its Header: lines (Content-Type charsets, Content-Location,
Content-Language) as response headers; `tidings --parse FILE` receives neither.
Applicable expectations of files with a Header: line, or whose expected values
contain the harness's address, are still evaluated and printed, but they are
counted apart ("needs HTTP context") and kept out of the rates and the floor.

How values compare
------------------
* Text fields (titles, subtitle, summary from a summary, content_text) are plain
  text in our output, while feedparser keeps markup when the source said
  type="html".  A text field equals an expected string when, with runs of ASCII
  whitespace collapsed and ends trimmed, it equals either the string itself or
  the string's text rendering (tags dropped, script/style dropped, entities
  decoded).
* HTML fields (content_html) equal an expected string when both parse to the same
  token stream: tags with sorted attributes, decoded text with whitespace
  collapsed and trimmed per text run, whitespace-only runs and comments dropped,
  void elements without end tags, and URL attributes percent-decoded (GUri
  writes an IRI's non-ASCII characters as %XX, feedparser leaves them).  When
  the expected string has no markup at all ('<' or '&'), it also equals an HTML
  field whose text rendering is that string (feedparser keeps text content as
  text; we carry it as HTML).
* author (feedparser's "Name (email)" form) equals our author name when the
  expected text is the name followed by a parenthesised e-mail address.

Running it by hand
------------------
    meson test -C _build conformance -v            # as CI runs it
    tests/conformance.py --bin _build/src/tidings --folder wellformed/rss --list-failures
    tests/conformance.py --bin _build/src/tidings --json summary.json

Exit status and TAP
-------------------
One "ok"/"not ok" per file for the run itself, one per applicable expectation
(misses are "not ok ... # TODO miss: ..." so that they show without failing the
suite), and three floors that do fail the suite: no crash/hang/malformed output,
at least 95% of the applicable expectations met in wellformed/ (sanitize counted
separately), and every sanitize safety check passing.
"""

import argparse
import ast
import builtins
import calendar
import collections
import concurrent.futures
import datetime
import html.parser
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

WELLFORMED_FLOOR = 95.0
SANITIZE_FOLDER = 'wellformed/sanitize'

# ---------------------------------------------------------------------------
# Reading the corpus


def decode_document(data):
    """Decode a corpus file well enough to read its ASCII header comment."""
    boms = ((b'\x00\x00\xfe\xff', 'utf-32-be'), (b'\xff\xfe\x00\x00', 'utf-32-le'),
            (b'\xfe\xff', 'utf-16-be'), (b'\xff\xfe', 'utf-16-le'), (b'\xef\xbb\xbf', 'utf-8'))
    for bom, encoding in boms:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, 'replace')
    # No BOM: guess UTF-16/32 from where the NUL bytes around the first '<' are.
    sniff = ((b'\x00\x00\x00<', 'utf-32-be'), (b'<\x00\x00\x00', 'utf-32-le'),
             (b'\x00<', 'utf-16-be'), (b'<\x00', 'utf-16-le'))
    for prefix, encoding in sniff:
        if data.startswith(prefix):
            return data.decode(encoding, 'replace')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        # The header comments are ASCII; latin-1 keeps every byte readable.
        return data.decode('latin-1')


# feedparser's harness reads the same fields with the same shapes.
DESCRIPTION_RE = re.compile(r'Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->')
HEADER_RE = re.compile(r'^Header:\s+([^:]+):(.+)$', re.MULTILINE)
HARNESS_URL = '127.0.0.1:8097'


class CorpusFile:
    def __init__(self, root, path):
        self.path = path
        self.name = os.path.relpath(path, root).replace(os.sep, '/')
        self.folder = self.name.rsplit('/', 1)[0] if '/' in self.name else '.'
        with open(path, 'rb') as f:
            text = decode_document(f.read())
        match = DESCRIPTION_RE.search(text)
        self.description = match.group(1).strip() if match else None
        self.expect = match.group(2).strip() if match else None
        self.headers = [(k.strip(), v.strip()) for k, v in HEADER_RE.findall(text)]

    @property
    def http_context(self):
        """Whether the expectation depends on how feedparser's harness served the file.

        The harness sent Header: lines as HTTP headers (Content-Type charsets,
        Content-Location, Content-Language) and served the file from
        http://127.0.0.1:8097/, which expectations use as the base of relative URLs.
        `tidings --parse FILE` receives neither.
        """
        return bool(self.headers) or (self.expect is not None and HARNESS_URL in self.expect)

    @property
    def top_folder(self):
        return self.name.split('/', 1)[0]

    @property
    def is_sanitize(self):
        return self.name.startswith(SANITIZE_FOLDER + '/')

    @property
    def report_folder(self):
        """The folder a check is counted under in the summary."""
        if self.is_sanitize:
            return SANITIZE_FOLDER
        return self.top_folder


def find_corpus(args):
    if args.corpus:
        return args.corpus
    source_root = os.environ.get('TIDINGS_SOURCE_ROOT')
    if not source_root:
        source_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(source_root, '..', 'shared', 'corpora', 'feedparser', 'tests')


def list_corpus(root, folders):
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            if not filename.endswith(('.xml', '.json')):
                continue
            files.append(CorpusFile(root, os.path.join(dirpath, filename)))
    if folders:
        prefixes = [f.strip('/') for f in folders]
        files = [f for f in files
                 if any(f.name == p or f.name.startswith(p + '/') for p in prefixes)]
    files.sort(key=lambda f: f.name)
    return files


# ---------------------------------------------------------------------------
# Running tidings


class RunResult:
    def __init__(self, returncode=None, stdout=b'', stderr=b'', timed_out=False, seconds=0.0):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out
        self.seconds = seconds
        self.document = None
        self.problem = None   # why this run breaks the "no crash" floor, or None

    def classify(self):
        if self.timed_out:
            self.problem = 'hang (killed after the timeout)'
        elif self.returncode < 0:
            self.problem = 'crash (signal %d)' % -self.returncode
        elif self.returncode not in (0, 1):
            self.problem = 'crash (exit code %d)' % self.returncode
        elif self.returncode == 1:
            if not self.stderr.strip():
                self.problem = 'exit 1 without a message on stderr'
        else:
            try:
                self.document = json.loads(self.stdout.decode('utf-8'))
            except (UnicodeDecodeError, ValueError) as e:
                self.problem = 'exit 0 but stdout is not JSON: %s' % e
                return
            version = self.document.get('version') if isinstance(self.document, dict) else None
            if not str(version).startswith('https://jsonfeed.org/version/'):
                self.problem = 'exit 0 but stdout is not a JSON Feed document'
                self.document = None

    @property
    def message(self):
        return self.stderr.decode('utf-8', 'replace').strip().splitlines()[0:1]


def run_tidings(binary, path, timeout):
    start = time.monotonic()
    try:
        proc = subprocess.run([binary, '--parse', path], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        result = RunResult(proc.returncode, proc.stdout, proc.stderr,
                           seconds=time.monotonic() - start)
    except subprocess.TimeoutExpired as e:
        result = RunResult(None, e.stdout or b'', e.stderr or b'', timed_out=True,
                           seconds=time.monotonic() - start)
    result.classify()
    return result


# ---------------------------------------------------------------------------
# Comparing text and HTML

ASCII_WS_RE = re.compile(r'[ \t\n\r\f\v]+')
VOID_ELEMENTS = frozenset(('area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link',
                           'meta', 'param', 'source', 'track', 'wbr', 'basefont', 'frame',
                           'isindex', 'keygen'))
BLOCK_ELEMENTS = frozenset(('address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl',
                            'dt', 'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5',
                            'h6', 'header', 'hr', 'li', 'ol', 'p', 'pre', 'section', 'table',
                            'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul'))


def collapse(text):
    """Collapse runs of ASCII whitespace (not U+00A0 and friends) and trim."""
    return ASCII_WS_RE.sub(' ', text).strip(' ')


class _TextRenderer(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style'):
            self.skipping += 1
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(' ')

    def handle_endtag(self, tag):
        if tag in ('script', 'style'):
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(' ')

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup):
    renderer = _TextRenderer()
    renderer.feed(markup)
    renderer.close()
    return collapse(''.join(renderer.parts))


URL_ATTRIBUTES = {'href', 'src', 'cite', 'poster', 'xlink:href'}


class _Canonicaliser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []
        self.text = []

    def _flush(self):
        text = collapse(''.join(self.text))
        self.text = []
        if text:
            self.tokens.append(('text', text))

    def handle_starttag(self, tag, attrs):
        self._flush()
        # An address written as an IRI ("/\u00c0") and as its URI ("/%C3%80") is
        # the same address; GUri writes the second.
        attrs = [(k, urllib.parse.unquote(v) if k in URL_ATTRIBUTES and v else v or '')
                 for k, v in attrs]
        self.tokens.append(('start', tag, tuple(sorted(attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.tokens.append(('end', tag))

    def handle_endtag(self, tag):
        self._flush()
        if tag not in VOID_ELEMENTS:
            self.tokens.append(('end', tag))

    def handle_data(self, data):
        self.text.append(data)


def html_tokens(markup):
    canon = _Canonicaliser()
    canon.feed(markup)
    canon.close()
    canon._flush()
    return canon.tokens


class TextValue(str):
    """A plain-text field of our output (see "How values compare")."""

    __hash__ = str.__hash__

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        mine = collapse(str(self))
        if mine == collapse(str(other)):
            return True
        try:
            return mine == html_to_text(str(other))
        except Exception:  # html.parser is lenient, but be safe with odd input
            return False

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal


class HtmlValue(str):
    """A sanitised HTML field of our output (see "How values compare")."""

    __hash__ = str.__hash__

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        if str.__eq__(self, other):
            return True
        if html_tokens(str(self)) == html_tokens(str(other)):
            return True
        # feedparser keeps plain-text content as text, we carry it as HTML (often
        # wrapped in <p>).  Compare as text only when the expected string has no
        # markup at all, so escaped-vs-real markup is never confused.
        if '<' not in other and '&' not in other:
            return html_to_text(str(self)) == collapse(other)
        return False

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal


EMAIL_SUFFIX_RE = re.compile(r'^(.*?)\s*\(\s*[^()\s]+@[^()\s]+\s*\)$', re.S)


class AuthorValue(TextValue):
    """feedparser's author string is "Name (email)" when it knows an e-mail."""

    __hash__ = str.__hash__

    def __eq__(self, other):
        equal = TextValue.__eq__(self, other)
        if equal is NotImplemented or equal:
            return equal
        match = EMAIL_SUFFIX_RE.match(other)
        return bool(match) and TextValue.__eq__(self, match.group(1))


# ---------------------------------------------------------------------------
# A feedparser-shaped result built from our JSON Feed


class FPDict(dict):
    """A dict where d.key and d['key'] both work, with feedparser's key aliases."""

    ALIASES = {}

    def _lookup(self, key):
        return dict.__getitem__(self, self.ALIASES.get(key, key))

    def __getitem__(self, key):
        return self._lookup(key)

    def __contains__(self, key):
        try:
            self[key]
        except (KeyError, IndexError):
            return False
        return True

    def has_key(self, key):
        return key in self

    def get(self, key, default=None):
        try:
            return self[key]
        except (KeyError, IndexError):
            return default

    def __getattr__(self, key):
        if key.startswith('__'):
            raise AttributeError(key)
        try:
            return self[key]
        except (KeyError, IndexError):
            raise AttributeError("object has no attribute '%s'" % key) from None

    __hash__ = object.__hash__


class ResultDict(FPDict):
    ALIASES = {'channel': 'feed', 'items': 'entries'}


class FeedDict(FPDict):
    ALIASES = {'tagline': 'subtitle', 'description': 'subtitle'}


class EntryDict(FPDict):
    ALIASES = {'guid': 'id', 'description': 'summary', 'issued': 'published',
               'issued_parsed': 'published_parsed', 'modified': 'updated',
               'modified_parsed': 'updated_parsed', 'date': 'updated',
               'date_parsed': 'updated_parsed'}

    def __getitem__(self, key):
        key = self.ALIASES.get(key, key)
        if key == 'category':
            tags = dict.get(self, 'tags') or []
            if not tags:
                raise KeyError('category')
            return tags[0]['term']
        # feedparser falls back from updated to published, and so do we.
        if key in ('updated', 'updated_parsed') and not dict.__contains__(self, key):
            fallback = key.replace('updated', 'published')
            if dict.__contains__(self, fallback):
                return dict.__getitem__(self, fallback)
        return dict.__getitem__(self, key)


class PersonDict(FPDict):
    ALIASES = {'url': 'href'}


class ImageDict(FPDict):
    ALIASES = {'url': 'href'}


class ContentDict(FPDict):
    pass


class EnclosureDict(FPDict):
    ALIASES = {'url': 'href'}


class TagDict(FPDict):
    pass


def parse_date(value):
    """RFC 3339 to a UTC time.struct_time, as feedparser's *_parsed are."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(('Z', 'z')):
        text = text[:-1] + '+00:00'
    # fromisoformat() before Python 3.11 wants at most 6 fraction digits.
    text = re.sub(r'(\.\d{6})\d+', r'\1', text)
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return time.gmtime(calendar.timegm(moment.utctimetuple()))


def build_persons(authors):
    persons = []
    for author in authors if isinstance(authors, list) else []:
        if not isinstance(author, dict):
            continue
        person = PersonDict()
        if isinstance(author.get('name'), str):
            person['name'] = TextValue(author['name'])
        if isinstance(author.get('url'), str):
            person['href'] = author['url']
        if isinstance(author.get('avatar'), str):
            person['avatar'] = author['avatar']
        persons.append(person)
    return persons


def add_persons(target, authors):
    persons = build_persons(authors)
    if persons:
        target['authors'] = persons
        target['author_detail'] = persons[0]
        if 'name' in persons[0]:
            target['author'] = AuthorValue(persons[0]['name'])


def build_entry(item):
    entry = EntryDict()
    if not isinstance(item, dict):
        return entry
    if 'id' in item:
        entry['id'] = str(item['id'])
    if isinstance(item.get('url'), str):
        entry['link'] = item['url']
    if isinstance(item.get('external_url'), str):
        entry['external_url'] = item['external_url']
    if isinstance(item.get('title'), str):
        entry['title'] = TextValue(item['title'])
    html_body = item.get('content_html') if isinstance(item.get('content_html'), str) else None
    text_body = item.get('content_text') if isinstance(item.get('content_text'), str) else None
    # content_text is only present when the source was plain text (content_html
    # then holds our rendering of it), so it is what the publisher sent.
    if text_body is not None:
        entry['content'] = [ContentDict(value=TextValue(text_body), type='text/plain')]
    elif html_body is not None:
        entry['content'] = [ContentDict(value=HtmlValue(html_body), type='text/html')]
    if isinstance(item.get('summary'), str):
        entry['summary'] = TextValue(item['summary'])
    elif 'content' in entry:
        entry['summary'] = entry['content'][0]['value']
    for field, key in (('date_published', 'published'), ('date_modified', 'updated')):
        if isinstance(item.get(field), str):
            entry[key] = item[field]
            parsed = parse_date(item[field])
            if parsed is not None:
                entry[key + '_parsed'] = parsed
    add_persons(entry, item.get('authors'))
    tags = item.get('tags')
    if isinstance(tags, list):
        entry['tags'] = [TagDict(term=TextValue(t)) for t in tags if isinstance(t, str)]
    attachments = item.get('attachments')
    if isinstance(attachments, list):
        enclosures = []
        for attachment in attachments:
            if not isinstance(attachment, dict) or not isinstance(attachment.get('url'), str):
                continue
            enclosure = EnclosureDict(href=attachment['url'])
            if isinstance(attachment.get('mime_type'), str):
                enclosure['type'] = attachment['mime_type']
            size = attachment.get('size_in_bytes')
            if isinstance(size, (int, float)) and not isinstance(size, bool):
                enclosure['length'] = str(int(size))
            enclosures.append(enclosure)
        entry['enclosures'] = enclosures
    if isinstance(item.get('image'), str):
        entry['image'] = ImageDict(href=item['image'])
    if isinstance(item.get('language'), str):
        entry['language'] = item['language']
    return entry


def build_result(run):
    """The feedparser-shaped result for one run of tidings."""
    doc = run.document
    if doc is None:
        # Not read at all: feedparser would still answer, with bozo set.
        return ResultDict(bozo=True, feed=FeedDict(), entries=[], _tidings={})
    meta = doc.get('_tidings') if isinstance(doc.get('_tidings'), dict) else {}
    feed = FeedDict()
    if isinstance(doc.get('title'), str):
        feed['title'] = TextValue(doc['title'])
    if isinstance(doc.get('home_page_url'), str):
        feed['link'] = doc['home_page_url']
    if isinstance(doc.get('description'), str):
        feed['subtitle'] = TextValue(doc['description'])
    if isinstance(doc.get('language'), str):
        feed['language'] = doc['language']
    if isinstance(doc.get('icon'), str):
        feed['image'] = ImageDict(href=doc['icon'])
    if isinstance(doc.get('favicon'), str):
        feed['favicon'] = doc['favicon']
    add_persons(feed, doc.get('authors'))
    items = doc.get('items') if isinstance(doc.get('items'), list) else []
    entries = [build_entry(item) for item in items]
    return ResultDict(bozo=bool(meta.get('recovered', False)), feed=feed, entries=entries,
                      _tidings=meta)


# ---------------------------------------------------------------------------
# Which expectations apply

LEAF = 'leaf'
BUILTIN = 'builtin'

# context -> {key: child context}; list contexts end in '[]' and hold the
# context named without it.
SCHEMA = {
  'result': {'bozo': LEAF, 'feed': 'feed', 'channel': 'feed',
             'entries': 'entry[]', 'items': 'entry[]'},
  'feed': {'title': LEAF, 'link': LEAF, 'subtitle': LEAF, 'tagline': LEAF,
           'description': LEAF, 'language': LEAF, 'author': LEAF,
           'author_detail': 'person', 'authors': 'person[]', 'image': 'image'},
  'entry': {'title': LEAF, 'link': LEAF, 'id': LEAF, 'guid': LEAF,
            'published_parsed': LEAF, 'issued_parsed': LEAF, 'updated_parsed': LEAF,
            'modified_parsed': LEAF, 'date_parsed': LEAF,
            'author': LEAF, 'author_detail': 'person', 'authors': 'person[]',
            'summary': LEAF, 'description': LEAF, 'content': 'content[]',
            'enclosures': 'enclosure[]', 'tags': 'tag[]', 'category': LEAF,
            'image': 'image'},
  'person': {'name': LEAF, 'href': LEAF, 'url': LEAF},
  'image': {'href': LEAF, 'url': LEAF},
  'content': {'value': LEAF, 'type': LEAF},
  'enclosure': {'href': LEAF, 'url': LEAF, 'type': LEAF, 'length': LEAF},
  'tag': {'term': LEAF},
}

SAFE_BUILTINS = {name: getattr(builtins, name)
                 for name in ('len', 'ord', 'chr', 'str', 'int', 'float', 'bool', 'list',
                              'tuple', 'dict', 'set', 'sorted', 'min', 'max', 'any', 'all',
                              'abs', 'repr')}

DICT_METHODS = frozenset(('get', 'has_key'))
VALUE_METHODS = frozenset(name for name in dir(str) + dir(tuple) + dir(list)
                          if not name.startswith('_'))


class NotApplicable(Exception):
    pass


class Applicability:
    """Walks an Expect expression; raises NotApplicable on any term outside SCHEMA.

    context_of() returns what a node evaluates to: a SCHEMA context name, a list
    context ('x[]'), LEAF for plain values, BUILTIN for an allowed builtin, or a
    ('method', context, name) tuple for d.get / d.has_key.
    """

    def check(self, expression):
        try:
            tree = ast.parse(expression, mode='eval')
        except SyntaxError as e:
            raise NotApplicable('syntax error: %s' % e.msg) from None
        self.context_of(tree.body)

    def _key(self, context, key):
        if isinstance(context, str) and context.endswith('[]'):
            raise NotApplicable('key %r on a list' % key)
        if context == LEAF:
            raise NotApplicable('key %r on a value' % key)
        children = SCHEMA.get(context)
        if children is None or key not in children:
            raise NotApplicable('%s %r' % (context, key))
        return children[key]

    def context_of(self, node):
        if isinstance(node, ast.Name):
            if node.id in SCHEMA['result']:
                return SCHEMA['result'][node.id]
            if node.id in SAFE_BUILTINS:
                return BUILTIN
            raise NotApplicable('name %r' % node.id)

        if isinstance(node, ast.Constant):
            return LEAF

        if isinstance(node, ast.Subscript):
            base = self.context_of(node.value)
            index = node.slice
            if isinstance(index, ast.Constant):
                if isinstance(index.value, str):
                    return self._key(base, index.value)
                if isinstance(index.value, int) and not isinstance(index.value, bool):
                    if isinstance(base, str) and base.endswith('[]'):
                        return base[:-2]
                    if base == LEAF:
                        return LEAF
                raise NotApplicable('index %r' % (index.value,))
            if isinstance(index, ast.Slice):
                for part in (index.lower, index.upper, index.step):
                    if part is not None and self.context_of(part) != LEAF:
                        raise NotApplicable('slice bound')
                if base == LEAF or (isinstance(base, str) and base.endswith('[]')):
                    return base
                raise NotApplicable('slice of %s' % (base,))
            raise NotApplicable('computed subscript')

        if isinstance(node, ast.Attribute):
            base = self.context_of(node.value)
            if isinstance(base, str) and base in SCHEMA:
                if node.attr in DICT_METHODS:
                    return ('method', base, node.attr)
                return self._key(base, node.attr)
            if (base == LEAF or (isinstance(base, str) and base.endswith('[]'))) \
               and node.attr in VALUE_METHODS:
                return ('value-method', node.attr)
            raise NotApplicable('attribute %r' % node.attr)

        if isinstance(node, ast.Call):
            function = self.context_of(node.func)
            for keyword in node.keywords:
                if self.context_of(keyword.value) is None:
                    raise NotApplicable('keyword argument')
            if isinstance(function, tuple) and function[0] == 'method':
                _, base, method = function
                if not node.args or not isinstance(node.args[0], ast.Constant) \
                   or not isinstance(node.args[0].value, str):
                    raise NotApplicable('%s() with a computed key' % method)
                child = self._key(base, node.args[0].value)
                for arg in node.args[1:]:
                    self.context_of(arg)
                return child if method == 'get' else LEAF
            if function == BUILTIN or \
               (isinstance(function, tuple) and function[0] == 'value-method'):
                for arg in node.args:
                    self.context_of(arg)
                return LEAF
            raise NotApplicable('call')

        if isinstance(node, ast.Compare):
            left_node = node.left
            self.context_of(left_node)
            for op, right_node in zip(node.ops, node.comparators):
                right = self.context_of(right_node)
                # 'key' in d names a key of d.
                if isinstance(op, (ast.In, ast.NotIn)) and right in SCHEMA:
                    if not (isinstance(left_node, ast.Constant)
                            and isinstance(left_node.value, str)):
                        raise NotApplicable('computed membership test')
                    self._key(right, left_node.value)
                left_node = right_node
            return LEAF

        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.context_of(value)
            return LEAF
        if isinstance(node, ast.UnaryOp):
            self.context_of(node.operand)
            return LEAF
        if isinstance(node, ast.BinOp):
            self.context_of(node.left)
            self.context_of(node.right)
            return LEAF
        if isinstance(node, ast.IfExp):
            for part in (node.test, node.body, node.orelse):
                self.context_of(part)
            return LEAF
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            for element in node.elts:
                self.context_of(element)
            return LEAF
        if isinstance(node, ast.Dict):
            for part in node.keys + node.values:
                if part is None:
                    raise NotApplicable('dict unpacking')
                self.context_of(part)
            return LEAF
        raise NotApplicable('syntax %s' % type(node).__name__)


def applicability(expression):
    """None when the expectation applies, else the reason it does not."""
    try:
        Applicability().check(expression)
    except NotApplicable as e:
        return str(e)
    return None


def relevant_terms(expression):
    """Source of the maximal field references in an expression, for reports."""
    tree = ast.parse(expression, mode='eval')
    terms = []

    def visit(node):
        if isinstance(node, (ast.Subscript, ast.Attribute, ast.Call)):
            root = node
            while isinstance(root, (ast.Subscript, ast.Attribute, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name) and root.id in SCHEMA['result']:
                source = ast.unparse(node)
                if source not in terms:
                    terms.append(source)
                return
        if isinstance(node, ast.Name) and node.id == 'bozo':
            if 'bozo' not in terms:
                terms.append('bozo')
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree.body)
    return terms


def evaluate(expression, result):
    namespace = {'bozo': result['bozo'], 'feed': result['feed'], 'channel': result['feed'],
                 'entries': result['entries'], 'items': result['entries']}
    return eval(compile(expression, '<expect>', 'eval'), {'__builtins__': SAFE_BUILTINS}, namespace)


def show_value(value, limit=160):
    if isinstance(value, time.struct_time):
        value = tuple(value)
    elif isinstance(value, str):
        value = str(value)
    elif isinstance(value, dict):
        value = {k: show_value(v, limit) for k, v in value.items()}
    elif isinstance(value, list):
        value = [show_value(v, limit) for v in value]
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def describe_values(expression, result):
    shown = []
    for term in relevant_terms(expression):
        try:
            value = show_value(evaluate(term, result))
        except Exception as e:  # a missing field is exactly what we want to show
            value = '<%s: %s>' % (type(e).__name__, e)
        shown.append('%s = %s' % (term, value))
    return '; '.join(shown)


# ---------------------------------------------------------------------------
# The sanitize safety check

UNSAFE_SCHEME_RE = re.compile(r'^(javascript|vbscript):', re.I)
IGNORED_IN_URLS_RE = re.compile(r'[\x00-\x20\x7f-\x9f\u200b-\u200d\ufeff]+')


class _SafetyScanner(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def _attrs(self, tag, attrs):
        if tag == 'script':
            self.problems.append('<script> element')
        for name, value in attrs:
            if name.lower().startswith('on'):
                self.problems.append('%s attribute on <%s>' % (name, tag))
            if value and UNSAFE_SCHEME_RE.match(IGNORED_IN_URLS_RE.sub('', value)):
                self.problems.append('%s=%r on <%s>' % (name, value[:40], tag))

    def handle_starttag(self, tag, attrs):
        self._attrs(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._attrs(tag, attrs)


def unsafe_content(text):
    problems = []
    if '<script' in text.lower():
        problems.append('"<script" in the text')
    scanner = _SafetyScanner()
    scanner.feed(text)
    scanner.close()
    for problem in scanner.problems:
        if problem == '<script> element' and problems:
            continue  # already said
        problems.append(problem)
    return problems


def sanitize_check(run):
    """None when the output is safe, else the reason."""
    doc = run.document
    if doc is None:
        return 'no output to check (%s)' % (run.problem or 'tidings could not read it')
    fields = []
    for key in ('title', 'description'):
        if isinstance(doc.get(key), str):
            fields.append(('feed.' + key, doc[key]))
    for i, item in enumerate(doc.get('items') or []):
        if not isinstance(item, dict):
            continue
        for key in ('title', 'summary', 'content_html', 'content_text'):
            if isinstance(item.get(key), str):
                fields.append(('items[%d].%s' % (i, key), item[key]))
    problems = []
    for name, text in fields:
        for problem in unsafe_content(text):
            problems.append('%s: %s' % (name, problem))
    return '; '.join(problems) if problems else None


# ---------------------------------------------------------------------------
# The run


class Check:
    def __init__(self, corpus_file, kind, passed, reason=''):
        self.file = corpus_file
        self.kind = kind          # 'expect', 'expect-http' or 'sanitize'
        self.passed = passed
        self.reason = reason


def check_file(corpus_file, run):
    """The applicable check of one file, or None when nothing applies."""
    if corpus_file.is_sanitize:
        reason = sanitize_check(run)
        return Check(corpus_file, 'sanitize', reason is None, reason or '')
    if corpus_file.expect is None:
        return None
    if applicability(corpus_file.expect) is not None:
        return None
    result = build_result(run)
    try:
        passed = bool(evaluate(corpus_file.expect, result))
        error = None
    except Exception as e:
        passed = False
        error = '%s: %s' % (type(e).__name__, e)
    kind = 'expect-http' if corpus_file.http_context else 'expect'
    if passed:
        return Check(corpus_file, kind, True)
    parts = []
    if error:
        parts.append(error)
    if run.document is None:
        parts.append('tidings could not read it%s' %
                     (': ' + run.message[0] if run.message else ''))
    parts.append('expected %s' % corpus_file.expect)
    parts.append('got %s' % describe_values(corpus_file.expect, result))
    return Check(corpus_file, kind, False, ' | '.join(parts))


def tap_escape(text, directive=False):
    """One line; no '#' in a description, where it would start a directive."""
    text = text.replace('\r', '\\r').replace('\n', '\\n')
    return text if directive else text.replace('#', '%23')


def percent(passed, total):
    return 100.0 * passed / total if total else 100.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--bin', help='the tidings binary (default: $TIDINGS_BIN)')
    parser.add_argument('--corpus', help='the corpus folder (default: beside the checkout)')
    parser.add_argument('--folder', action='append', default=[],
                        help='only files under this corpus folder, e.g. wellformed/rss '
                             '(repeatable)')
    parser.add_argument('--list-failures', action='store_true',
                        help='print the failures only, for developers, instead of TAP')
    parser.add_argument('--json', metavar='FILE', help='write a JSON summary to FILE')
    parser.add_argument('--jobs', type=int, default=2, help='parallel runs (default 2)')
    parser.add_argument('--timeout', type=float, default=20.0,
                        help='seconds before a run counts as a hang (default 20)')
    args = parser.parse_args()

    out = sys.stdout
    corpus = find_corpus(args)
    if not os.path.isdir(corpus):
        print('1..0 # SKIP corpus not found (%s)' % corpus)
        return 0
    binary = args.bin or os.environ.get('TIDINGS_BIN')
    if not binary or not os.access(binary, os.X_OK):
        print('Bail out! tidings binary not found: set TIDINGS_BIN or pass --bin (%r)' % binary)
        return 2

    files = list_corpus(corpus, args.folder)
    if not files:
        print('1..0 # SKIP no corpus file matches')
        return 0

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        runs = list(pool.map(lambda f: run_tidings(binary, f.path, args.timeout), files))

    number = 0

    def tap(ok, description, directive=None):
        nonlocal number
        number += 1
        if args.list_failures:
            return
        line = '%s %d - %s' % ('ok' if ok else 'not ok', number, tap_escape(description))
        if directive:
            line += ' # ' + tap_escape(directive, directive=True)
        print(line, file=out)

    broken = []
    checks = []
    not_applicable = collections.Counter()
    for corpus_file, run in zip(files, runs):
        if run.problem:
            broken.append((corpus_file, run))
            tap(False, 'run %s: %s' % (corpus_file.name, run.problem))
        else:
            tap(True, 'run %s' % corpus_file.name)
        check = check_file(corpus_file, run)
        if check is None:
            if corpus_file.expect is None:
                not_applicable['no Expect header'] += 1
            else:
                not_applicable[applicability(corpus_file.expect)] += 1
            continue
        checks.append(check)
        if check.passed:
            tap(True, '%s %s' % (check.kind, corpus_file.name))
        else:
            tap(False, '%s %s' % (check.kind, corpus_file.name),
                'TODO miss: %s' % check.reason)

    # Rates per folder.  Checks that need the harness's HTTP context are shown
    # but kept out of the rates and the floor (see CorpusFile.http_context).
    counted = [c for c in checks if c.kind != 'expect-http']
    http_checks = [c for c in checks if c.kind == 'expect-http']
    per_folder = collections.OrderedDict()
    for check in counted:
        name = check.file.report_folder
        if name == 'wellformed':
            name = check.file.folder
        counts = per_folder.setdefault(name, [0, 0])
        counts[1] += 1
        counts[0] += check.passed
    wellformed = [c for c in counted if c.file.top_folder == 'wellformed' and c.kind == 'expect']
    sanitize = [c for c in counted if c.kind == 'sanitize']
    wellformed_passed = sum(c.passed for c in wellformed)
    sanitize_passed = sum(c.passed for c in sanitize)
    overall_passed = sum(c.passed for c in counted)
    http_passed = sum(c.passed for c in http_checks)
    wellformed_rate = percent(wellformed_passed, len(wellformed))

    floors = [
      (not broken, 'floor: no crash, hang or malformed output (%d of %d files)'
       % (len(broken), len(files))),
      (wellformed_rate >= WELLFORMED_FLOOR or not wellformed,
       'floor: wellformed expectations %.1f%% >= %.0f%% (%d/%d)'
       % (wellformed_rate, WELLFORMED_FLOOR, wellformed_passed, len(wellformed))),
      (sanitize_passed == len(sanitize), 'floor: sanitize safety %d/%d'
       % (sanitize_passed, len(sanitize))),
    ]
    for ok, description in floors:
        tap(ok, description)

    def rate_line(name, passed, total):
        return '  %-30s %4d/%-4d %6.1f%%' % (name, passed, total, percent(passed, total))

    lines = []
    lines.append('%d files run; %d applicable checks: %d expectations, %d sanitize safety checks '
                 '(+ %d expectations that need the HTTP context, outside the rates); '
                 '%d files not applicable'
                 % (len(files), len(counted), len(counted) - len(sanitize), len(sanitize),
                    len(http_checks), sum(not_applicable.values())))
    lines.append('pass rate per folder:')
    for name, (passed, total) in sorted(per_folder.items()):
        lines.append(rate_line(name, passed, total))
    lines.append(rate_line('wellformed (w/o sanitize)', wellformed_passed, len(wellformed)))
    lines.append(rate_line('overall', overall_passed, len(counted)))
    lines.append(rate_line('needs HTTP context (info)', http_passed, len(http_checks)))
    lines.append('not applicable, by first term outside the allow-list:')
    for reason, count in not_applicable.most_common(15):
        lines.append('  %5d  %s' % (count, reason))
    if broken:
        lines.append('crashes, hangs and malformed output (%d):' % len(broken))
        for corpus_file, run in broken:
            lines.append('  %s: %s' % (corpus_file.name, run.problem))
    failures = [c for c in checks if not c.passed]
    if failures:
        lines.append('failures (%d):' % len(failures))
        for check in failures:
            lines.append('  %s%s: %s' % (check.file.name,
                                         ' [http context]' if check.kind == 'expect-http' else '',
                                         check.reason))

    if args.list_failures:
        for line in lines:
            print(line, file=out)
    else:
        print('1..%d' % number, file=out)
        for line in lines:
            print('# ' + line, file=out)

    if args.json:
        summary = {
          'files': len(files),
          'broken': [{'file': f.name, 'problem': r.problem} for f, r in broken],
          'applicable': len(counted),
          'http_context': {'passed': http_passed, 'total': len(http_checks)},
          'folders': {name: {'passed': p, 'total': t} for name, (p, t) in per_folder.items()},
          'wellformed': {'passed': wellformed_passed, 'total': len(wellformed),
                         'rate': wellformed_rate},
          'sanitize': {'passed': sanitize_passed, 'total': len(sanitize)},
          'not_applicable': dict(not_applicable),
          'failures': [{'file': c.file.name, 'kind': c.kind, 'expect': c.file.expect,
                        'reason': c.reason} for c in failures],
          'floors': [{'ok': ok, 'floor': d} for ok, d in floors],
        }
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(summary, f, indent=2, ensure_ascii=False)

    return 0 if all(ok for ok, _ in floors) else 1


if __name__ == '__main__':
    sys.exit(main())
