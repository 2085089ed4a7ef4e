#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile XML, JSON, OPML and URLs, run through the real `tidings` as a user
runs it (`--parse URL`, `--parse -`, `--add`, `--refresh`, `--import-opml`).

A tiny loopback server in a thread serves the documents and doubles as the
canary: an entity, a DTD, an XInclude or a stylesheet that made Tidings
reach out would show up as a request to /canary/. Every run is under a hang
guard and a memory limit (safety limits, not speed checks) and must end in
articles or one human sentence on stderr; /etc/passwd never leaks."""

import html.parser
import http.server
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading

TIDINGS = os.environ["TIDINGS_BIN"]
SOURCE_ROOT = os.environ.get("TIDINGS_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.dirname(
                                 os.path.abspath(__file__)))))

HANG_GUARD = 60          # seconds for one run of `tidings`
MEMORY_LIMIT = 1 << 30   # RLIMIT_AS for one run; a 100 MB article needs about 200 MB
MB100 = 100 * 1000 * 1000
CANARY_TEXT = b"CANARY-7f3a-CONTENT"

results = []
sentences = []  # every error message seen, shown at the end for a reader


def check(name, condition, detail=""):
    results.append((bool(condition), name, detail))
    return bool(condition)


def sanitized_build():
    """ASan and valgrind reserve address space far beyond RLIMIT_AS."""
    if "ASAN_OPTIONS" in os.environ or "VALGRIND" in os.environ:
        return True
    ldd = subprocess.run(["ldd", TIDINGS], capture_output=True, text=True)
    return "libasan" in ldd.stdout or "libubsan" in ldd.stdout


LIMIT_MEMORY = not sanitized_build()


def limits():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if LIMIT_MEMORY:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def passwd_marker():
    """A line of /etc/passwd that must never show up anywhere."""
    try:
        with open("/etc/passwd", "rb") as handle:
            first = handle.readline().strip()
    except OSError:
        first = b""
    return first if first else b"root:x:0:0:"


PASSWD = passwd_marker()


# ---- The loopback server and canary ----

class Server:
    """Serves registered documents; counts every request under /canary/."""

    def __init__(self):
        self.docs = {}
        self.redirects = {}
        self.canary_hits = []     # cleared by each case
        self.all_canary_hits = []  # never cleared
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                if self.path.startswith("/canary"):
                    server.canary_hits.append(self.path)
                    server.all_canary_hits.append(self.path)
                    self.reply(200, "text/plain", CANARY_TEXT + b"\n" + PASSWD)
                    return
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                doc = server.docs.get(self.path)
                if doc is None:
                    self.reply(404, "text/plain", b"not here")
                    return
                content_type, body, sized = doc
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if callable(body):
                    if sized:
                        self.send_header("Content-Length", str(sized))
                    self.end_headers()
                    try:
                        for chunk in body():
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def reply(self, status, content_type, body):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path, body, content_type="application/xml", sized=0):
        """@body is bytes, or a generator function for a streamed body
        (with @sized as its Content-Length, or 0 to end it by closing)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.docs[path] = (content_type, body, sized)
        return self.base + path

    def redirect(self, path, location):
        self.redirects[path] = location
        return self.base + path

    def canary(self, name):
        return f"{self.base}/canary/{name}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---- Running tidings ----

ENV = {k: v for k, v in os.environ.items()
       if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
ENV["LC_ALL"] = "C.UTF-8"
# Nothing may go through a proxy, even if the machine has one set up.
for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
    ENV.pop(variable, None)
ENV["no_proxy"] = "*"


class Run:
    def __init__(self, returncode, stdout, stderr, timed_out=False):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


def run(args, env=None, stdin=None, feed=None):
    """Runs tidings under the hang guard and the memory limit. @feed is a
    generator of bytes streamed into stdin."""
    try:
        proc = subprocess.Popen([TIDINGS, *args], env=env or ENV, preexec_fn=limits,
                                stdin=subprocess.PIPE if (stdin is not None or feed) else
                                subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        return Run(-1, b"", str(error).encode())
    if feed is not None:
        # Stream stdin from a thread while communicate() reads the output
        # (which must not see, and close, the pipe).
        pipe, proc.stdin = proc.stdin, None

        def writer():
            try:
                for chunk in feed():
                    pipe.write(chunk)
            except (BrokenPipeError, ValueError):
                pass
            finally:
                try:
                    pipe.close()
                except BrokenPipeError:
                    pass
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        stdin = None
    try:
        out, err = proc.communicate(input=stdin, timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return Run(proc.returncode, out, err, timed_out=True)
    return Run(proc.returncode, out, err)


# What a parser's own dump looks like (libxml2's and json-glib's), and GLib's
# warnings: none of it belongs in a message for a person.
RAW_DUMP = re.compile(r"parser error|namespace error|validity error|xmlParse|\^$|"
                      r"Entity '|libxml|XML_ERR|\(null\)|<data>|Parse error|scanner:|"
                      r"CRITICAL|WARNING \*\*|ERROR \*\*")


def human_error(name, proc, fragments=()):
    """Exit 1, nothing on stdout, one readable sentence on stderr."""
    err = proc.stderr.decode("utf-8", errors="replace")
    lines = err.strip().splitlines()
    sentences.append(f"{name}: {err.strip()[:300]}")
    check(f"{name}: exits with status 1", proc.returncode == 1 and not proc.timed_out,
          f"status {proc.returncode}, timed out {proc.timed_out}: {err[:300]}")
    check(f"{name}: the error is one human line",
          len(lines) == 1 and lines[0].startswith("tidings: ") and len(lines[0]) < 400
          and not RAW_DUMP.search(lines[0]), err[:600])
    for fragment in fragments:
        check(f"{name}: the error says {fragment!r}", fragment.lower() in err.lower(), err[:600])


def no_leak(name, proc, server=None):
    everything = proc.stdout + proc.stderr
    check(f"{name}: no /etc/passwd content", PASSWD not in everything and b"root:x:0:0"
          not in everything and b"/bin/bash" not in everything)
    if server is not None:
        check(f"{name}: the canary saw no request", not server.canary_hits, server.canary_hits)
        check(f"{name}: no canary content", CANARY_TEXT not in everything)


def decode_feed(name, proc):
    """The JSON Feed on stdout, or None. Also checks it is strict UTF-8
    without surrogates (json.loads would let "\\ud800" through)."""
    try:
        text = proc.stdout.decode("utf-8")
        doc = json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        check(f"{name}: stdout is JSON in UTF-8", False, f"{error}: {proc.stdout[:200]}")
        return None
    try:
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
        strict = True
    except UnicodeEncodeError:
        strict = False
    check(f"{name}: no lone surrogate in the output", strict)
    return doc


def articles_or_error(name, proc, server=None, error_fragments=(), max_output=None):
    """Either articles (exit 0, JSON Feed) or a human error; never a crash,
    a hang, or a leak. Returns the document when parsed."""
    check(f"{name}: ends within the hang guard", not proc.timed_out)
    check(f"{name}: no crash (exit 0 or 1)", proc.returncode in (0, 1),
          f"status {proc.returncode}: {proc.stderr[-600:].decode(errors='replace')}")
    no_leak(name, proc, server)
    if max_output is not None:
        check(f"{name}: output stays small (nothing expanded)", len(proc.stdout) < max_output,
              len(proc.stdout))
    if proc.returncode == 0:
        return decode_feed(name, proc)
    if proc.returncode == 1:
        human_error(name, proc, error_fragments)
    return None


def expect_articles(name, proc, server=None, titles=(), max_output=None):
    check(f"{name}: parsed (exit 0)", proc.returncode == 0,
          f"status {proc.returncode}: {proc.stderr[:600].decode(errors='replace')}")
    doc = articles_or_error(name, proc, server, max_output=max_output)
    if doc is not None:
        found = [item.get("title") for item in doc.get("items", [])]
        for title in titles:
            check(f"{name}: article {title!r} kept", title in found, found)
    return doc


# ---- Documents ----

def rss(items, prolog="", channel_extra="", namespaces=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<rss version="2.0"{namespaces}><channel><title>Hostile</title>'
            f'<link>http://example.com/</link>{channel_extra}'
            f'<item><title>Before</title><link>http://example.com/before</link>'
            f'<description>first</description></item>{items}</channel></rss>')


def atom(entries, prolog="", namespaces=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<feed xmlns="http://www.w3.org/2005/Atom"{namespaces}><title>Hostile</title>'
            f'<id>urn:hostile</id><updated>2024-01-01T00:00:00Z</updated>'
            f'<entry><title>Before</title><id>urn:before</id>'
            f'<updated>2024-01-01T00:00:00Z</updated>'
            f'<link href="http://example.com/before"/></entry>{entries}</feed>')


def rdf(items, prolog=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns="http://purl.org/rss/1.0/">'
            f'<channel rdf:about="http://example.com/"><title>Hostile</title>'
            f'<link>http://example.com/</link><description>d</description></channel>'
            f'<item rdf:about="http://example.com/before"><title>Before</title>'
            f'<link>http://example.com/before</link></item>{items}</rdf:RDF>')


def laughs(root):
    lines = [f'<!DOCTYPE {root} [', '<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        lines.append(f'<!ENTITY lol{level} "' + f"&lol{level - 1};" * 10 + '">')
    lines.append("]>\n")
    return "\n".join(lines)


def quadratic(root):
    return f'<!DOCTYPE {root} [<!ENTITY big "{"B" * 50000}">]>\n'


XI = ' xmlns:xi="http://www.w3.org/2001/XInclude"'


def test_xml(server):
    def parse(path, body, content_type="application/xml"):
        server.canary_hits.clear()
        return run(["--parse", server.serve(path, body, content_type)])

    # Entity expansion: billion laughs and quadratic blowup, in every dialect.
    attack = "<item><title>Laugh &lol9;</title><description>&lol9;</description></item>"
    proc = parse("/laughs.rss", rss(attack, prolog=laughs("rss")))
    articles_or_error("billion laughs (RSS)", proc, server, max_output=100_000)
    check("billion laughs (RSS): not expanded", proc.stdout.count(b"lol") < 100)

    proc = parse("/laughs.atom", atom("<entry><title>&lol9;</title><id>urn:l</id>"
                                      "<content>&lol9;</content></entry>", laughs("feed")))
    articles_or_error("billion laughs (Atom)", proc, server, max_output=100_000)
    check("billion laughs (Atom): not expanded", proc.stdout.count(b"lol") < 100)

    proc = parse("/laughs.rdf", rdf('<item rdf:about="http://example.com/l"><title>&lol9;'
                                    '</title><description>&lol9;</description></item>',
                                    laughs("rdf:RDF")))
    articles_or_error("billion laughs (RDF)", proc, server, max_output=100_000)
    check("billion laughs (RDF): not expanded", proc.stdout.count(b"lol") < 100)

    proc = parse("/quadratic.rss", rss("<item><title>Q</title><description>" + "&big;" * 20000
                                       + "</description></item>", prolog=quadratic("rss")))
    articles_or_error("quadratic blowup (RSS)", proc, server, max_output=1_000_000)
    proc = parse("/quadratic.atom", atom("<entry><title>Q</title><id>urn:q</id><content>"
                                         + "&big;" * 20000 + "</content></entry>",
                                         quadratic("feed")))
    articles_or_error("quadratic blowup (Atom)", proc, server, max_output=1_000_000)

    # External entities, DTDs, parameter entities, XInclude, stylesheets.
    xxe_cases = {
        "external entity at /etc/passwd (RSS)": ("/xxe-file.rss", rss(
            "<item><title>X &xxe;</title><description>&xxe;</description></item>",
            prolog='<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
        "external entity at the canary (RSS)": ("/xxe-canary.rss", rss(
            "<item><title>X &xxe;</title><description>&xxe;</description></item>",
            prolog=f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{server.canary("xxe")}">]>\n')),
        "external entity at /etc/passwd (Atom)": ("/xxe-file.atom", atom(
            "<entry><title>&xxe;</title><id>urn:x</id><content>&xxe;</content></entry>",
            '<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
        "external entity at the canary (Atom)": ("/xxe-canary.atom", atom(
            "<entry><title>&xxe;</title><id>urn:x</id><content>&xxe;</content></entry>",
            f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{server.canary("xxe-atom")}">]>\n')),
        "external entity at /etc/passwd (RDF)": ("/xxe-file.rdf", rdf(
            '<item rdf:about="http://example.com/x"><title>&xxe;</title></item>',
            '<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
        "external entity in an attribute (RSS)": ("/xxe-attr.rss", rss(
            '<item><title>A</title><enclosure url="http://example.com/&xxe;" '
            'type="audio/mpeg" length="1"/></item>',
            prolog=f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{server.canary("attr")}">]>\n')),
        "parameter entity at the canary": ("/pe.rss", rss(
            "<item><title>P</title></item>",
            prolog=f'<!DOCTYPE rss [<!ENTITY % pe SYSTEM "{server.canary("pe")}"> %pe;]>\n')),
        "parameter entity at /etc/passwd": ("/pe-file.rss", rss(
            "<item><title>P</title></item>",
            prolog='<!DOCTYPE rss [<!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe;]>\n')),
        "external DTD at the canary (SYSTEM)": ("/dtd.rss", rss(
            "<item><title>D &fromdtd;</title></item>",
            prolog=f'<!DOCTYPE rss SYSTEM "{server.canary("dtd")}">\n')),
        "external DTD at the canary (PUBLIC)": ("/dtd-public.atom", atom(
            "<entry><title>D</title><id>urn:d</id></entry>",
            f'<!DOCTYPE feed PUBLIC "-//Hostile//DTD Feed//EN" "{server.canary("public")}">\n')),
        "external DTD at /etc/passwd": ("/dtd-file.rss", rss(
            "<item><title>D</title></item>",
            prolog='<!DOCTYPE rss SYSTEM "file:///etc/passwd">\n')),
        "XInclude of the canary": ("/xinclude.rss", rss(
            f'<item><title>I</title><description><xi:include href="{server.canary("xi")}" '
            'parse="text"/></description></item>'
            f'<xi:include href="{server.canary("xi-channel")}"/>', namespaces=XI)),
        "XInclude of /etc/passwd": ("/xinclude-file.rss", rss(
            '<item><title>I</title><description><xi:include href="file:///etc/passwd" '
            'parse="text"/></description></item><xi:include href="file:///etc/passwd" '
            'parse="text"/>', namespaces=XI)),
        "XInclude in Atom XHTML content": ("/xinclude.atom", atom(
            '<entry><title>I</title><id>urn:i</id><content type="xhtml">'
            '<div xmlns="http://www.w3.org/1999/xhtml">'
            '<xi:include href="file:///etc/passwd" parse="text"/>'
            f'<xi:include href="{server.canary("xi-atom")}" parse="text"/></div>'
            '</content></entry>', namespaces=XI)),
        "stylesheet and schema at the canary": ("/pi.rss", rss(
            "<item><title>S</title></item>",
            prolog=f'<?xml-stylesheet type="text/xsl" href="{server.canary("xsl")}"?>\n',
            namespaces=' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                       f'xsi:schemaLocation="urn:x {server.canary("xsd")}"')),
    }
    for name, (path, body) in xxe_cases.items():
        proc = parse(path, body)
        doc = articles_or_error(name, proc, server)
        if doc is not None:
            titles = [item.get("title") for item in doc.get("items", [])]
            check(f"{name}: the articles around it kept", "Before" in titles, titles)

    # One fault early on must not garble the articles after it: libxml2
    # stops delivering "&amp;" and "&lt;" after its first error.
    later = ("<item><title>Tom &amp; Jerry</title><description>&lt;b&gt;bold&lt;/b&gt; "
             "&amp;amp; &lt;a href=\"https://example.com/?a=1&amp;amp;b=2\"&gt;x&lt;/a&gt;"
             "</description></item>")
    for label, fault in (("an undeclared entity", "<item><title>Bad &bogus; one</title></item>"),
                         ("a mismatched end tag", "<item><title>Bad</titel></item>"),
                         ("an entity declared in the document",
                          "<item><title>&lol9;</title></item>")):
        name = f"{label} early on"
        proc = parse(f"/garble-{len(fault)}.rss", rss(fault + later, prolog=laughs("rss")
                                                      if "lol" in fault else ""))
        doc = expect_articles(name, proc, server, titles=("Before", "Tom & Jerry"))
        if doc is not None:
            html_out = next((i.get("content_html", "") for i in doc["items"]
                             if i.get("title") == "Tom & Jerry"), "")
            check(f"{name}: later escaped HTML kept",
                  "<b>bold</b> &amp; <a" in html_out
                  and 'href="https://example.com/?a=1&amp;b=2"' in html_out, html_out)

    # Deep nesting: libxml2 stops at its depth limit; what came before stays.
    deep = "<x>" * 10000 + "deep" + "</x>" * 10000
    proc = parse("/deep.rss", rss("<item><title>After</title></item>" + deep))
    doc = articles_or_error("10,000-deep nesting (RSS)", proc, server)
    if doc is not None:
        check("10,000-deep nesting (RSS): earlier articles kept",
              "Before" in [item.get("title") for item in doc["items"]], doc["items"])
    proc = parse("/deep-item.rss", rss("<item><title>Deep</title>" + deep + "</item>"))
    articles_or_error("10,000-deep nesting inside an item (RSS)", proc, server)
    proc = parse("/deep.atom", atom('<entry><title>Deep</title><id>urn:deep</id>'
                                    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/'
                                    'xhtml">' + "<div>" * 10000 + "x" + "</div>" * 10000
                                    + "</div></content></entry>"))
    articles_or_error("10,000-deep XHTML content (Atom)", proc, server)
    proc = parse("/deep.rdf", rdf('<item rdf:about="http://example.com/d"><title>D</title>'
                                  + deep + "</item>"))
    articles_or_error("10,000-deep nesting (RDF)", proc, server)
    escaped = ("&lt;div&gt;" * 10000) + "x" + ("&lt;/div&gt;" * 10000)
    proc = parse("/deep-html.rss", rss(f"<item><title>Deep HTML</title>"
                                       f"<description>{escaped}</description></item>"))
    doc = expect_articles("10,000-deep HTML in a description", proc, server,
                          titles=("Before", "Deep HTML"))
    if doc is not None:
        html_out = next((i.get("content_html", "") for i in doc["items"]
                         if i.get("title") == "Deep HTML"), "")
        check("10,000-deep HTML in a description: depth capped by the sanitiser",
              html_out.count("<div") < 10000, html_out.count("<div"))

    # A 100 MB text node: refused by size when fetched, parsed when streamed
    # from stdin (which has no size limit), under the memory limit.
    head = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
            b'<item><title>Huge</title><description>')
    tail = (b'</description></item><item><title>Small</title>'
            b'<link>http://example.com/small</link></item></channel></rss>')

    def huge(fill=b"0123456789" * 10000):
        def generate():
            yield head
            for _ in range(MB100 // len(fill)):
                yield fill
            yield tail
        return generate

    size = len(head) + MB100 + len(tail)
    server.canary_hits.clear()
    proc = run(["--parse", server.serve("/huge-sized.rss", huge(), sized=size)])
    articles_or_error("100 MB text node over HTTP (with length)", proc, server,
                      error_fragments=("larger than",))
    check("100 MB text node over HTTP (with length): refused as too large", proc.returncode == 1)
    proc = run(["--parse", server.serve("/huge-stream.rss", huge())])
    articles_or_error("100 MB text node over HTTP (streamed)", proc, server,
                      error_fragments=("larger than",))
    check("100 MB text node over HTTP (streamed): refused as too large", proc.returncode == 1)

    proc = run(["--parse", "-"], feed=huge())
    doc = expect_articles("100 MB text node on stdin", proc, titles=("Huge", "Small"))
    if doc is not None:
        text = next((i.get("content_html", "") for i in doc["items"]
                     if i.get("title") == "Huge"), "")
        check("100 MB text node on stdin: the whole text kept", len(text) == MB100, len(text))
    del proc, doc  # 200 MB of Python strings

    def huge_attribute():
        yield (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
               b'<item><title>Huge link</title><link>http://example.com/ok</link>'
               b'<enclosure type="audio/mpeg" url="http://example.com/')
        for _ in range(MB100 // 100000):
            yield b"a" * 100000
        yield b'"/></item><item><title>Small</title></item></channel></rss>'

    proc = run(["--parse", "-"], feed=huge_attribute)
    articles_or_error("100 MB attribute on stdin", proc, error_fragments=())
    del proc

    # Character encodings: invalid UTF-8, surrogates as CESU-8 bytes, UTF-16
    # with unpaired surrogates, surrogate character references.
    bad_utf8 = (rss("<item><title>Bad \xff</title><description>x</description></item>")
                .encode("latin-1", errors="replace"))
    bad_utf8 = bad_utf8.replace(b"Bad \xff", b"Bad \xff\xfe\xc0\xaf\xe2\x82 \xf8\x88\x80\x80\x80")
    proc = parse("/bad-utf8.rss", bad_utf8)
    expect_articles("invalid UTF-8 bytes", proc, server, titles=("Before",))

    cesu = rss("<item><title>CESU SURROGATE</title><description>DESC</description></item>") \
        .encode("utf-8")
    cesu = cesu.replace(b"SURROGATE", b"\xed\xa0\xbd\xed\xb2\xa9 \xed\xa0\x80 \xed\xbf\xbf")
    cesu = cesu.replace(b"DESC", b"\xed\xa0\x80\xed\xb0\x80")
    proc = parse("/cesu.rss", cesu)
    expect_articles("surrogates as CESU-8 bytes", proc, server, titles=("Before",))
    check("surrogates as CESU-8 bytes: no surrogate bytes out", b"\xed\xa0" not in proc.stdout
          and b"\\ud8" not in proc.stdout.lower() and b"\\udc" not in proc.stdout.lower())

    def utf16(text, codec, bom):
        return bom + text.encode(codec, errors="surrogatepass")

    template = ('<?xml version="1.0" encoding="UTF-16"?>'
                '<rss version="2.0"><channel><title>Sixteen</title>'
                '<item><title>Before</title></item>'
                '<item><title>Lone {0} here</title></item></channel></rss>')
    for label, codec, bom, char in (("UTF-16LE, lone high surrogate", "utf-16-le",
                                     b"\xff\xfe", "\ud800"),
                                    ("UTF-16BE, lone low surrogate", "utf-16-be",
                                     b"\xfe\xff", "\udc00"),
                                    ("UTF-16LE, reversed pair", "utf-16-le", b"\xff\xfe",
                                     "\udc00\ud800")):
        proc = parse(f"/utf16-{codec}-{len(char)}-{ord(char[0])}.rss",
                     utf16(template.format(char), codec, bom))
        doc = articles_or_error(f"{label}", proc, server)
        if doc is not None:
            check(f"{label}: the article before kept", "Before" in
                  [i.get("title") for i in doc["items"]], doc["items"])
    cut = utf16(template.format("x"), "utf-16-le", b"\xff\xfe")
    proc = parse("/utf16-cut.rss", cut[:-41] + b"\x00\xd8")
    articles_or_error("UTF-16LE cut after a high surrogate", proc, server)

    proc = parse("/charref.rss", rss("<item><title>Ref &#xD800; &#55296; &#xDFFF; &#x0; "
                                     "&#x110000;</title></item>"))
    articles_or_error("surrogate and out-of-range character references", proc, server)
    check("surrogate character references: none out",
          b"\\ud8" not in proc.stdout.lower() and b"\\udf" not in proc.stdout.lower()
          and b"\\u0000" not in proc.stdout)

    # JSON Feed.
    def json_feed(items_json):
        return ('{"version": "https://jsonfeed.org/version/1.1", "title": "Hostile", '
                '"items": [{"id": "before", "title": "Before"}, ' + items_json + ']}')

    proc = parse("/deep.json", json_feed('{"id": "d", "title": "Deep", "_x": '
                                         + "[" * 10000 + "]" * 10000 + "}"),
                 "application/feed+json")
    articles_or_error("JSON Feed 10,000 deep", proc, server)
    proc = parse("/deep-open.json", '{"version": "https://jsonfeed.org/version/1.1", "items": '
                 + "[" * 10000, "application/feed+json")
    articles_or_error("JSON Feed 10,000 open brackets, never closed", proc, server)
    cut = json_feed('{"id": "c", "title": "Cut inside a string').encode()
    cut = cut[:cut.index(b"string") + 6]
    proc = parse("/cut.json", cut, "application/feed+json")
    articles_or_error("JSON Feed cut inside a string", proc, server)
    proc = run(["--parse", "-"], stdin=cut)
    human_error("JSON Feed cut inside a string, on stdin", proc, ("not valid json",))
    proc = run(["--parse", "-"], stdin=b'{"version": "https://jsonfeed.org/version/1.1", '
               b'"items": [{"id": "a"} {"id": "b"}]}')
    human_error("JSON Feed with a missing comma, on stdin", proc,
                ("not valid json", "line 1, column"))
    proc = parse("/surrogate.json", json_feed(
        '{"id": "s", "title": "Lone \\ud800 high \\udc00 low \\udbff\\u0041"}'),
        "application/feed+json")
    doc = articles_or_error("JSON Feed with lone surrogate escapes", proc, server)
    proc = parse("/bad-utf8.json", json_feed('{"id": "b", "title": "Bad \xff\xfe"}')
                 .encode("latin-1"), "application/feed+json")
    articles_or_error("JSON Feed with invalid UTF-8", proc, server)
    proc = parse("/xxe.json", json_feed('{"id": "x", "title": "X", "content_html": '
                                        '"<!DOCTYPE x [<!ENTITY e SYSTEM \\"file:///etc/passwd'
                                        '\\">]><p>&e;</p><img src=\\"' + server.canary("json-img")
                                        + '\\">"}'), "application/feed+json")
    articles_or_error("JSON Feed with an entity in its HTML", proc, server)

    json_head = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "Big", "items": '
                 b'[{"id": "huge", "title": "Huge", "content_text": "')
    json_tail = b'"}, {"id": "small", "title": "Small"}]}'

    def huge_json():
        yield json_head
        for _ in range(MB100 // 100000):
            yield b"0123456789" * 10000
        yield json_tail

    proc = run(["--parse", server.serve("/huge.json", huge_json, "application/feed+json",
                                        sized=len(json_head) + MB100 + len(json_tail))])
    articles_or_error("JSON Feed 100 MB string over HTTP", proc, server,
                      error_fragments=("larger than",))
    proc = run(["--parse", "-"], feed=huge_json)
    doc = expect_articles("JSON Feed 100 MB string on stdin", proc, titles=("Huge", "Small"))
    del proc, doc  # 200 MB of Python strings


# ---- The store: the same attacks through --add and --refresh ----

class Home:
    """A temporary XDG home: the library lives in data/tidings/tidings.db."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tidings-hostile-")
        self.env = dict(ENV)
        for name in ("DATA", "CONFIG", "CACHE", "STATE"):
            path = os.path.join(self.dir.name, name.lower())
            os.makedirs(path)
            self.env[f"XDG_{name}_HOME"] = path
        self.env["HOME"] = self.dir.name
        self.db = os.path.join(self.dir.name, "data", os.environ["TIDINGS_DATA_DIR_NAME"],
                               "tidings.db")

    def run(self, *args):
        return run(list(args), env=self.env)

    def query(self, sql, *params):
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, params).fetchall()

    def subscriptions(self):
        if not os.path.exists(self.db):
            return []
        return sorted(url for (url,) in self.query("SELECT url FROM subscriptions"))

    def files_contain(self, needle):
        for root, _, files in os.walk(self.dir.name):
            for name in files:
                with open(os.path.join(root, name), "rb") as handle:
                    if needle in handle.read():
                        return True
        return False


def test_store(server):
    home = Home()
    urls = {
        "billion laughs": server.serve("/store/laughs.rss", rss(
            "<item><title>&lol9;</title></item>", prolog=laughs("rss"))),
        "external entity at /etc/passwd": server.serve("/store/xxe.rss", rss(
            "<item><title>X &xxe;</title><description>&xxe;</description></item>",
            prolog='<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
        "external entity at the canary": server.serve("/store/xxe-canary.atom", atom(
            "<entry><title>&xxe;</title><id>urn:x</id><content>&xxe;</content></entry>",
            f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{server.canary("store")}">]>\n')),
        "XInclude": server.serve("/store/xi.rss", rss(
            '<item><title>I</title><description><xi:include href="file:///etc/passwd" '
            f'parse="text"/><xi:include href="{server.canary("store-xi")}"/></description>'
            '</item>', namespaces=XI)),
        "10,000-deep nesting": server.serve("/store/deep.rss", rss(
            "<item><title>D</title></item>" + "<x>" * 10000 + "</x>" * 10000)),
        "CESU-8 surrogates": server.serve("/store/cesu.rss", rss(
            "<item><title>C SUR</title></item>").encode().replace(b"SUR", b"\xed\xa0\x80")),
    }
    server.canary_hits.clear()
    for name, url in urls.items():
        proc = home.run("--add", url)
        check(f"store, --add {name}: exit 0 or 1 within the guard",
              proc.returncode in (0, 1) and not proc.timed_out,
              f"{proc.returncode}: {proc.stderr[:400].decode(errors='replace')}")
        no_leak(f"store, --add {name}", proc, server)
        if proc.returncode == 1:
            human_error(f"store, --add {name}", proc)
    proc = home.run("--refresh")
    check("store, --refresh of the hostile feeds: exit 0",
          proc.returncode == 0 and not proc.timed_out, proc.stderr[:400])
    no_leak("store, --refresh of the hostile feeds", proc, server)
    check("store: the Before article of each feed is stored",
          home.query("SELECT count(*) FROM articles WHERE title = 'Before'")[0][0] == len(urls),
          home.query("SELECT title FROM articles"))
    check("store: no /etc/passwd content in any file of the home",
          not home.files_contain(PASSWD) and not home.files_contain(b"root:x:0:0"))
    check("store: no canary content in any file of the home",
          not home.files_contain(CANARY_TEXT))
    longest = home.query("SELECT max(length(title)) FROM articles")[0][0] or 0
    check("store: no expanded entity stored", longest < 1000, longest)
    valid = all(not re.search("[\ud800-\udfff]", title or "")
                for (title,) in home.query("SELECT title FROM articles"))
    check("store: no surrogate stored", valid)

    proc = home.run("--add", server.serve("/store/huge.rss", lambda: iter(
        [b"<rss><channel><title>t</title><item><description>"] + [b"x" * 100000] * 1000
        + [b"</description></item></channel></rss>"])))
    human_error("store, --add a 100 MB feed", proc, ("larger than",))
    check("store, --add a 100 MB feed: not subscribed",
          not any("huge" in url for url in home.subscriptions()), home.subscriptions())

    # Redirects and discovered links that leave the web.
    for name, location in (("file:", "file:///etc/passwd"),
                           ("javascript:", "javascript:alert(1)"),
                           ("data:", "data:application/rss+xml,<rss><channel><title>D</title>"
                                     "</channel></rss>"),
                           ("feed:file:", "feed:file:///etc/passwd")):
        before = home.subscriptions()
        url = server.redirect(f"/store/redirect-{len(before)}-{name}", location)
        proc = home.run("--parse", url)
        human_error(f"--parse of a redirect to {name}", proc)
        no_leak(f"--parse of a redirect to {name}", proc)
        proc = home.run("--add", url)
        human_error(f"--add of a redirect to {name}", proc)
        no_leak(f"--add of a redirect to {name}", proc)
        check(f"--add of a redirect to {name}: nothing subscribed",
              home.subscriptions() == before, home.subscriptions())
    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="{href}">'
                    for href in ("file:///etc/passwd", "javascript:alert(1)",
                                 "data:application/rss+xml,&lt;rss/&gt;", "feed:file:///etc/passwd",
                                 "vbscript:msgbox(1)"))
    page = server.serve("/store/page.html", "<!DOCTYPE html><html><head><title>P</title>"
                        + links + "</head><body>Hello</body></html>", "text/html")
    before = home.subscriptions()
    proc = home.run("--add", page)
    human_error("--add of a page whose feed links leave the web", proc, ("no feed",))
    no_leak("--add of a page whose feed links leave the web", proc)
    check("--add of a page whose feed links leave the web: nothing subscribed",
          home.subscriptions() == before, home.subscriptions())

    # feed: wrapped around an address many times (a link on a page can do
    # that); the old recursive unwrapping made one copy per level.
    proc = home.run("--add", "feed:" * 20000 + server.base + "/store/laughs.rss")
    check("store, --add feed: 20,000 times: no crash, within the guard",
          proc.returncode in (0, 1) and not proc.timed_out,
          proc.stderr[-300:].decode(errors="replace"))
    check("store, --add feed: 20,000 times: the wrapped address is the one meant",
          b"Already subscribed" in proc.stdout, proc.stdout[:300])
    for name, address in (("javascript:", "feed:javascript:alert(1)"),
                          ("file:", "feed:file:///etc/passwd"),
                          ("data:", "feed:data:text/html,<script>alert(1)</script>")):
        before = home.subscriptions()
        proc = home.run("--add", address)
        check(f"store, --add {name} inside feed:: refused", proc.returncode == 1, proc.stdout)
        check(f"store, --add {name} inside feed:: nothing subscribed",
              home.subscriptions() == before, home.subscriptions())
        no_leak(f"store, --add {name} inside feed:", proc)


# ---- OPML ----

def opml_doc(body, prolog="", head=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<opml version="2.0">'
            f'<head><title>Hostile</title>{head}</head><body>{body}</body></opml>')


def test_opml(server):
    home = Home()
    marker_dir = tempfile.TemporaryDirectory(prefix="tidings-marker-")
    marker = os.path.join(marker_dir.name, "pwned")
    keeper = server.serve("/opml/keeper.rss", rss(""))
    proc = home.run("--add", keeper)
    check("OPML: a first subscription", proc.returncode == 0, proc.stderr)
    baseline = home.subscriptions()

    def write(name, text):
        path = os.path.join(home.dir.name, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    commands = {
        "Dollar": f"$(touch {marker})",
        "Backticks": f"`touch {marker}`",
        "Semicolon": f";touch {marker};rm -rf ~",
        "Pipe": f"| touch {marker}",
        "Ampersand": f"http://example.com/ && touch {marker}",
        "Newline": f"http://example.com/&#10;touch {marker}",
        "File": "file:///etc/passwd",
        "FileUpper": "FILE:///etc/passwd",
        "Script": "javascript:alert(1)",
        "ScriptTab": "java&#9;script:alert(1)",
        "Data": "data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;",
        "VBScript": "vbscript:msgbox(1)",
        "FeedFile": "feed:file:///etc/passwd",
    }
    web_commands = {
        "WebDollar": server.base + f"/opml/$(touch {marker})",
        "WebBackticks": server.base + f"/opml/`touch {marker}`",
        "WebSemicolon": server.base + f"/opml/x;touch {marker};",
    }
    body = "".join(f'<outline text="{name}" xmlUrl="{url}"/>'
                   for name, url in {**commands, **web_commands}.items())
    proc = home.run("--import-opml", write("commands.opml", opml_doc(body)))
    stderr = proc.stderr.decode("utf-8", errors="replace")
    check("OPML commands: exit 0 (the good outlines imported)", proc.returncode == 0, stderr)
    subscribed = home.subscriptions()
    for name, url in commands.items():
        if name in ("Ampersand", "Newline"):
            # An http address with a space in it: kept only as a web
            # address, which no shell ever sees.
            continue
        check(f"OPML commands: {name} refused and named", name in stderr, stderr)
    check("OPML commands: only http(s) subscriptions",
          all(url.startswith(("http://", "https://")) for url in subscribed), subscribed)
    check("OPML commands: no file:, javascript:, data: or vbscript: stored",
          not any(re.search(r"file:|script:|data:", url, re.I) for url in subscribed),
          subscribed)
    proc = home.run("--refresh")
    check("OPML commands: --refresh of them: within the guard",
          proc.returncode in (0, 1) and not proc.timed_out, proc.stderr[:400])
    check("OPML commands: nothing was executed (no marker file)", not os.path.exists(marker))
    no_leak("OPML commands: --refresh", proc)

    def refused(name, text, fragments=()):
        server.canary_hits.clear()
        before = home.subscriptions()
        proc = home.run("--import-opml", write(re.sub(r"\W+", "-", name) + ".opml", text))
        human_error(f"OPML {name}", proc, fragments)
        check(f"OPML {name}: the library is unchanged", home.subscriptions() == before,
              len(home.subscriptions()))
        no_leak(f"OPML {name}", proc, server)
        return proc

    good = '<outline text="Good" xmlUrl="http://example.com/good.xml"/>'
    many = "".join(f'<outline text="F{i}" xmlUrl="http://example.com/{i}.xml"/>'
                   for i in range(100000))
    refused("with 100,000 outlines", opml_doc(good + many), ("10000", "nothing was imported"))
    refused("nested 10,000 deep", opml_doc(good + '<outline text="S">' * 10000 + good
                                           + "</outline>" * 10000),
            ("64 levels deep", "nothing was imported"))
    refused("with an entity declaration", opml_doc(
        '<outline text="&e;" xmlUrl="http://example.com/e.xml"/>' + good,
        '<!DOCTYPE opml [<!ENTITY e "expanded">]>\n'), ("entity \u201ce\u201d",))
    refused("with billion laughs", opml_doc('<outline text="&lol9;" xmlUrl="http://example.com/'
                                            'l.xml"/>' + good, laughs("opml")), ("entity",))
    refused("with an external entity at /etc/passwd", opml_doc(
        '<outline text="&xxe;" xmlUrl="http://example.com/&xxe;"/>' + good,
        '<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'))
    refused("with an external entity at the canary", opml_doc(
        '<outline text="&xxe;" xmlUrl="http://example.com/x.xml"/>' + good,
        f'<!DOCTYPE opml [<!ENTITY xxe SYSTEM "{server.canary("opml")}">]>\n'))
    refused("with a parameter entity at the canary", opml_doc(
        good, f'<!DOCTYPE opml [<!ENTITY % pe SYSTEM "{server.canary("opml-pe")}"> %pe;]>\n'))
    refused("cut off after its good outlines", opml_doc(good + good.replace("good", "two"))
            [:-len("</body></opml>")], ("cut short", "nothing was imported"))

    # Not refused, but nothing reaches out.
    server.canary_hits.clear()
    before = home.subscriptions()
    proc = home.run("--import-opml", write("dtd.opml", opml_doc(
        good, f'<!DOCTYPE opml SYSTEM "{server.canary("opml-dtd")}">\n')))
    check("OPML with an external DTD: exit 0 or 1", proc.returncode in (0, 1), proc.stderr)
    no_leak("OPML with an external DTD", proc, server)
    if proc.returncode == 1:
        check("OPML with an external DTD: refused whole", home.subscriptions() == before)
    server.canary_hits.clear()
    proc = home.run("--import-opml", write("xi.opml", opml_doc(
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{server.canary("oxi")}"/>'
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" '
        'parse="text"/>' + good.replace("good", "xi"))))
    check("OPML with XInclude: exit 0 or 1", proc.returncode in (0, 1), proc.stderr)
    no_leak("OPML with XInclude", proc, server)
    check("OPML with XInclude: no subscription from the included files",
          all(url.startswith("http") for url in home.subscriptions()), home.subscriptions())

    with open(os.path.join(home.dir.name, "huge.opml"), "wb") as handle:
        handle.write(opml_doc(good).encode()[:-len("</body></opml>")])
        handle.write(b"<!-- " + b"x" * (40 << 20) + b" --></body></opml>")
    before = home.subscriptions()
    proc = home.run("--import-opml", os.path.join(home.dir.name, "huge.opml"))
    human_error("OPML of 40 MB", proc, ("too large",))
    check("OPML of 40 MB: the library is unchanged", home.subscriptions() == before)
    check("OPML: the first subscription is still there", baseline[0] in home.subscriptions())
    marker_dir.cleanup()


# ---- URLs in feed content ----

class UrlCollector(html.parser.HTMLParser):
    URL_ATTRIBUTES = {"href", "src", "srcset", "poster", "action", "formaction", "xlink:href",
                      "data", "cite", "background", "longdesc", "usemap", "lowsrc", "dynsrc",
                      "codebase", "manifest", "ping", "icon", "profile", "archive", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))
            if name.startswith("on"):
                self.urls.append((tag, name, "event handler " + (value or "")))
        if tag in ("script", "iframe", "object", "embed", "form", "base", "meta"):
            self.urls.append((tag, "", "element " + tag))


def bad_url(value):
    """TRUE for anything but http(s), mailto and data:image (what browsers
    would do with it: tabs, newlines and controls inside a scheme are
    ignored)."""
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", value)
    if re.match(r"^(https?:|mailto:)", squeezed, re.I):
        return re.search(r"\s", value) is not None
    if re.match(r"^data:image/(png|jpeg|gif|webp|avif)[;,]", squeezed, re.I):
        return False
    return True


def content_urls(html_text):
    collector = UrlCollector()
    collector.feed(html_text or "")
    collector.close()
    found = []
    for tag, name, value in collector.urls:
        if name == "srcset":
            found.extend(part.strip().split(" ")[0] for part in value.split(",") if part.strip())
        elif name == "style":
            found.extend(re.findall(r"url\(\s*['\"]?([^'\")]*)", value, re.I))
        else:
            found.append(value)
    return found


def feed_urls(doc):
    """Every address in a parsed JSON Feed, with where it was found."""
    found = []
    for key in ("home_page_url", "icon", "favicon"):
        if doc.get(key):
            found.append((key, doc[key]))
    for item in doc.get("items", []):
        for key in ("url", "external_url", "image", "banner_image"):
            if item.get(key):
                found.append((key, item[key]))
        for attachment in item.get("attachments", []):
            found.append(("attachment", attachment.get("url", "")))
        for author in item.get("authors", []):
            if author.get("url"):
                found.append(("author", author["url"]))
        for url in content_urls(item.get("content_html")):
            found.append(("content_html", url))
    return found


# (name, raw as written inside XML text/attributes, as written inside JSON)
URL_VECTORS = [
    ("javascript:", "javascript:alert(1)"),
    ("mixed-case JaVaScRiPt:", "JaVaScRiPt:alert(1)"),
    ("javascript: with a tab inside", "java\tscript:alert(1)"),
    ("javascript: with a newline inside", "java\nscript:alert(1)"),
    ("javascript: with a leading space and NUL ref", " \x01javascript:alert(1)"),
    ("entity-encoded javascript: (decimal)", "&#106;avascript:alert(1)"),
    ("entity-encoded javascript: (hex, tab)", "jav&#x09;ascript:alert(1)"),
    ("entity-encoded javascript: (all)", "".join(f"&#{ord(c)};" for c in "javascript:alert(1)")),
    ("javascript&colon;", "javascript&colon;alert(1)"),
    ("vbscript:", "vbscript:msgbox(1)"),
    ("VBScript: mixed case", "VbScRiPt:msgbox(1)"),
    ("data:text/html", "data:text/html,<script>alert(1)</script>"),
    ("data:text/html;base64", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("DATA:TEXT/HTML", "DATA:TEXT/HTML,<script>alert(1)</script>"),
    ("data:image/svg+xml", "data:image/svg+xml,<svg onload=alert(1)>"),
    ("file:", "file:///etc/passwd"),
    ("FILE: upper case", "FILE:///etc/passwd"),
    ("file://localhost", "file://localhost/etc/passwd"),
    ("feed: loop", "feed:{self}"),
    ("feed:// loop", "feed://{host}/urls/loop.rss"),
    ("feed:feed: chain", "feed:feed:feed:javascript:alert(1)"),
    ("livescript:", "livescript:alert(1)"),
    ("shell $(...)", "$(touch {marker})"),
    ("shell backticks", "`touch {marker}`"),
    ("shell ;rm -rf", ";rm -rf ~;touch {marker}"),
    ("shell pipe", "|touch {marker}"),
]


def xml_escape(text, attribute=False, references=r"#\w+"):
    """Escapes <, > and & but for the references that are part of the
    vector (character references by default: XML knows no HTML entities);
    in attributes also quotes. Tabs and newlines stay literal (an XML parser
    makes them spaces, which is a vector too)."""
    text = re.sub(rf"&(?!{references};)", "&amp;", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;")
    return text


def url_feeds(server, index, vector, marker):
    host = server.base.split("//", 1)[1]
    loop = f"{server.base}/urls/loop-{index}.rss"
    value = vector.replace("{self}", loop).replace("{host}", host).replace("{marker}", marker)
    # The vector inside escaped HTML: once as the parser sees the attribute
    # (XML-escaped a second time, so its references reach the sanitiser).
    html_attr = xml_escape(value, attribute=True, references=r"#?\w+")
    html = (f'<p><a href="{html_attr}">x</a><img src="{html_attr}">'
            f'<img srcset="{html_attr} 2x"><a href="https://example.com/ok">ok</a>'
            f'<a href="mailto:editor@example.com">mail</a>'
            f'<img src="http://example.com/ok.png"></p>')
    html_in_xml = xml_escape(html, references="(?!)")
    attr = xml_escape(value, attribute=True)
    text = xml_escape(value)
    rss_doc = rss(f'<item><title>V</title><link>{text}</link><comments>{text}</comments>'
                  f'<guid isPermaLink="true">{text}</guid>'
                  f'<enclosure url="{attr}" type="audio/mpeg" length="1"/>'
                  f'<enclosure url="https://example.com/ok.mp3" type="audio/mpeg" length="1"/>'
                  f'<media:content xmlns:media="http://search.yahoo.com/mrss/" url="{attr}" '
                  f'medium="image"/>'
                  f'<description>{html_in_xml}</description></item>',
                  channel_extra=f"<image><url>{text}</url><link>{text}</link></image>")
    atom_doc = atom(f'<entry><title>V</title><id>urn:v</id><link href="{attr}"/>'
                    f'<link rel="enclosure" href="{attr}" type="audio/mpeg"/>'
                    f'<link rel="related" href="{attr}"/>'
                    f'<link rel="enclosure" href="https://example.com/ok.mp3" type="audio/mpeg"/>'
                    f'<author><name>A</name><uri>{text}</uri></author>'
                    f'<content type="html" xml:base="{attr}">{html_in_xml}</content></entry>'
                    f'<entry><title>X</title><id>urn:x</id><content type="xhtml">'
                    f'<div xmlns="http://www.w3.org/1999/xhtml"><a href="{attr}">x</a>'
                    f'<img src="{attr}"/></div></content></entry>')
    rdf_doc = rdf(f'<item rdf:about="{attr}"><title>V</title><link>{text}</link>'
                  f'<description>{html_in_xml}</description></item>')
    json_doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "V",
                           "home_page_url": value, "icon": value, "favicon": value,
                           "items": [{"id": "v", "title": "V", "url": value,
                                      "external_url": value, "image": value,
                                      "banner_image": value, "content_html": html,
                                      "authors": [{"name": "A", "url": value}],
                                      "attachments": [{"url": value,
                                                       "mime_type": "audio/mpeg"},
                                                      {"url": "https://example.com/ok.mp3",
                                                       "mime_type": "audio/mpeg"}]}]})
    server.serve(f"/urls/loop-{index}.rss", rss_doc)
    return {
        "RSS": server.serve(f"/urls/{index}.rss", rss_doc),
        "Atom": server.serve(f"/urls/{index}.atom", atom_doc),
        "RDF": server.serve(f"/urls/{index}.rdf", rdf_doc),
        "JSON Feed": server.serve(f"/urls/{index}.json", json_doc, "application/feed+json"),
    }


def test_urls(server):
    marker_dir = tempfile.TemporaryDirectory(prefix="tidings-marker-")
    marker = os.path.join(marker_dir.name, "pwned")
    for index, (name, vector) in enumerate(URL_VECTORS):
        for dialect, url in url_feeds(server, index, vector, marker).items():
            case = f"URL {name} in {dialect}"
            server.requests.clear()
            proc = run(["--parse", url])
            doc = expect_articles(case, proc)
            if doc is None:
                continue
            found = feed_urls(doc)
            bad = [(where, value) for where, value in found if bad_url(value)]
            check(f"{case}: no unsafe address in links, enclosures or content",
                  not bad, bad)
            wheres = {where for where, value in found}
            if dialect != "JSON Feed":
                check(f"{case}: the plain article link survives",
                      ("url", "http://example.com/before") in found, found)
            if dialect != "RDF":
                check(f"{case}: https enclosures survive", any(
                    w == "attachment" and v == "https://example.com/ok.mp3" for w, v in found),
                      found)
            check(f"{case}: http(s) and mailto links in content survive",
                  ("content_html", "https://example.com/ok") in found
                  and ("content_html", "mailto:editor@example.com") in found
                  and ("content_html", "http://example.com/ok.png") in found, sorted(wheres))
            check(f"{case}: no script, event handler or unsafe scheme in content",
                  not re.search(r"<script|\bon\w+\s*=|javascript:|vbscript:|livescript:"
                                r"|data:text/html", "".join(
                                    i.get("content_html", "") for i in doc["items"]).lower()),
                  [i.get("content_html") for i in doc["items"]])
            check(f"{case}: nothing fetched but the feed",
                  server.requests == [url[len(server.base):]], server.requests)
    check("URLs: no shell ran (no marker file)", not os.path.exists(marker))
    marker_dir.cleanup()


def test_source_has_no_shell():
    """The honest, cheap part of "never passed to a shell": no call in src/
    that runs a command line."""
    pattern = re.compile(r"\b(system|popen|execl|execlp|execle|execv|execvp|execvpe|"
                         r"g_spawn_command_line_sync|g_spawn_command_line_async|"
                         r"g_spawn_async|g_spawn_sync|g_spawn_async_with_pipes|"
                         r"g_subprocess_new|g_subprocess_launcher_spawn)\s*\(|/bin/sh")
    offenders = []
    src = os.path.join(SOURCE_ROOT, "src")
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, 1):
                    if pattern.search(line):
                        offenders.append(f"{os.path.relpath(path, src)}:{number}: {line.strip()}")
    check("source: nothing in src/ runs a shell or a command line", not offenders, offenders)


def main():
    server = Server()
    try:
        test_xml(server)
        test_store(server)
        test_opml(server)
        test_urls(server)
        test_source_has_no_shell()
        check("the canary saw no request in the whole run", not server.all_canary_hits,
              server.all_canary_hits)
    finally:
        server.close()

    print(f"1..{len(results)}")
    if not LIMIT_MEMORY:
        print("# sanitiser or valgrind build: no RLIMIT_AS (it reserves more address space)")
    for sentence in sentences:
        print(f"# {sentence}")
    for number, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
