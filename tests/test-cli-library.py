#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The library's command-line modes run as a user runs them: `tidings --add`,
`--refresh`, `--import-opml`, `--export-opml` and `--parse URL`, against the
loopback feed server, with a real SQLite file in a temporary home."""

import os
import sqlite3
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

TIDINGS = os.environ["TIDINGS_BIN"]
FEED_SERVER = os.environ["TIDINGS_FEED_SERVER"]

results = []


def check(name, condition, detail=""):
    results.append((bool(condition), name, detail))
    return bool(condition)


class FeedServer:
    """tidings-feed-server in a child process, driven through its stdin."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([FEED_SERVER, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.base = self.proc.stdout.readline().strip()
        assert self.base.startswith("http://127.0.0.1:"), self.base

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def url(self, path):
        return self.base + path

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Home:
    """A temporary XDG home: the library lives in data/tidings/tidings.db."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tidings-cli-")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
        for name in ("DATA", "CONFIG", "CACHE", "STATE"):
            path = os.path.join(self.dir.name, name.lower())
            os.makedirs(path)
            self.env[f"XDG_{name}_HOME"] = path
        self.db = os.path.join(self.dir.name, "data", os.environ["TIDINGS_DATA_DIR_NAME"],
                               "tidings.db")

    def run(self, *args, stdin=None, timeout=120):
        return subprocess.run([TIDINGS, *args], input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=timeout)

    def query(self, sql, *params):
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, params).fetchall()

    def articles(self):
        return self.query("SELECT count(*) FROM articles")[0][0]

    def exported(self):
        """(section path, url) pairs from --export-opml -."""
        proc = self.run("--export-opml", "-")
        check("export to stdout: exit 0", proc.returncode == 0, proc.stderr)
        pairs = set()

        def walk(node, path):
            for outline in node.findall("outline"):
                url = outline.get("xmlUrl")
                if url:
                    pairs.add((path, url))
                else:
                    walk(outline, path + (outline.get("text") or outline.get("title"),))

        walk(ET.fromstring(proc.stdout).find("body"), ())
        return pairs


def write(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def test_add_and_refresh(server, pages):
    home = Home()
    proc = home.run("--refresh")
    check("refresh with nothing subscribed: exit 0", proc.returncode == 0, proc.stderr)
    check("refresh with nothing subscribed: says so", "No subscriptions" in proc.stdout,
          proc.stdout)

    feed0 = server.url("/feed/0.xml")
    proc = home.run("--add", feed0)
    check("add a feed: exit 0", proc.returncode == 0, proc.stderr)
    check("add a feed: says subscribed", "Subscribed to " + feed0 in proc.stdout, proc.stdout)
    check("add a feed: its articles are fetched at once", "new" in proc.stdout, proc.stdout)
    check("add a feed: 20 articles stored", home.articles() == 20, home.articles())

    proc = home.run("--add", feed0)
    check("add twice: exit 0", proc.returncode == 0, proc.stderr)
    check("add twice: already subscribed", "Already subscribed" in proc.stdout, proc.stdout)

    proc = home.run("--add", server.url("/one-link.html"), "--section", "Harbour News")
    check("add a page with one feed: exit 0", proc.returncode == 0, proc.stderr + proc.stdout)
    check("add a page with one feed: subscribes to the linked feed",
          server.url("/feed/1.xml") in proc.stdout, proc.stdout)
    check("add with --section: the feed is in that section",
          (("Harbour News",), server.url("/feed/1.xml")) in home.exported(), home.exported())

    proc = home.run("--add", server.url("/two-links.html"))
    check("add a page with two feeds: exit 1", proc.returncode == 1, proc.returncode)
    check("add a page with two feeds: lists both",
          server.url("/feed/2.xml") in proc.stdout and server.url("/feed/3.xml") in proc.stdout,
          proc.stdout)
    check("add a page with two feeds: subscribes to neither",
          not any(u.endswith(("/feed/2.xml", "/feed/3.xml")) for _, u in home.exported()))

    proc = home.run("--add", server.url("/no-links.html"))
    check("add a page with no feed: exit 1", proc.returncode == 1, proc.returncode)
    check("add a page with no feed: says no feed", "No feed" in proc.stderr, proc.stderr)

    proc = home.run("--add", "file:///etc/passwd")
    check("add file: URL: refused", proc.returncode == 1 and "not a web address" in proc.stderr,
          proc.stderr)

    proc = home.run("--refresh")
    check("second refresh: exit 0", proc.returncode == 0, proc.stderr)
    check("second refresh: one line per feed and a summary",
          proc.stdout.count("unchanged") == 2 and "2 feeds refreshed" in proc.stdout, proc.stdout)

    server.command("rotate")
    proc = home.run("--refresh", "--feed", feed0)
    check("refresh one feed after the publisher added an item: one new",
          proc.returncode == 0 and "new" in proc.stdout and "1 feed refreshed" in proc.stdout,
          proc.stdout + proc.stderr)
    check("refresh one feed: 41 articles (the dropped one kept)", home.articles() == 41,
          home.articles())

    proc = home.run("--refresh", "--feed", server.url("/feed/99.xml"))
    check("refresh a feed not subscribed: exit 1", proc.returncode == 1, proc.returncode)
    check("refresh a feed not subscribed: says so", "not subscribed" in proc.stderr, proc.stderr)


FAULTS = {
    # path: a fragment of the sentence the feed must end with
    "/fault/404.xml": "404",
    "/fault/500.xml": "500",
    "/fault/gone.xml": "gone",
    "/fault/html.xml": "HTML page",
    "/fault/hang.xml": "took longer",
    "/fault/too-large.xml": "larger",
    "/fault/gzip-bomb.xml": "larger",
    "/fault/redirect-loop.xml": "redirect",
}


def test_refresh_with_faults(server):
    home = Home()
    for index in range(5):
        proc = home.run("--add", server.url(f"/feed/{index}.xml"))
        check(f"add feed {index}", proc.returncode == 0, proc.stderr)
    opml = "<opml version='2.0'><body>" + "".join(
        f"<outline text='{path}' xmlUrl='{server.url(path)}'/>" for path in FAULTS) \
        + "</body></opml>"
    path = write(os.path.join(home.dir.name, "faults.opml"), opml)
    proc = home.run("--import-opml", path)
    check("import the faulty feeds", proc.returncode == 0, proc.stderr)

    proc = home.run("--refresh", timeout=300)
    check("refresh with faults: exit 0 although feeds failed", proc.returncode == 0,
          proc.stderr)
    lines = proc.stdout.splitlines()
    for fault, fragment in FAULTS.items():
        line = next((l for l in lines if fault in l), "")
        check(f"refresh with faults: {fault} reported as failed", line.startswith("failed"), line)
        check(f"refresh with faults: {fault} says {fragment!r}", fragment.lower() in line.lower(),
              line)
    check("refresh with faults: the healthy feeds are unchanged",
          sum(1 for l in lines if l.startswith("unchanged")) == 5, proc.stdout)
    check("refresh with faults: summary counts the failures",
          f"{len(FAULTS)} failed" in proc.stdout, proc.stdout)
    errors = dict(home.query("SELECT url, last_error FROM subscriptions"))
    for fault in FAULTS:
        check(f"stored error for {fault}", errors.get(server.url(fault)), errors)
    check("no stored error on the healthy feeds",
          all(errors[server.url(f"/feed/{i}.xml")] is None for i in range(5)), errors)
    check("articles of the healthy feeds kept", home.articles() == 100, home.articles())


def test_opml(server):
    home = Home()
    opml = f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Mine</title></head>
  <body>
    <outline text="Top feed" xmlUrl="{server.url('/feed/0.xml')}"/>
    <outline text="Science &amp; Space">
      <outline text="One" type="rss" xmlUrl="{server.url('/feed/1.xml')}"
               htmlUrl="http://example.org/"/>
      <outline text="Deep">
        <outline text="Two" xmlUrl="{server.url('/feed/2.xml')}"/>
      </outline>
    </outline>
    <outline text="Évènements">
      <outline text="Dup" xmlUrl="{server.url('/feed/1.xml')}"/>
      <outline text="Passwords" xmlUrl="file:///etc/passwd"/>
      <outline text="Shell" xmlUrl="exec:rm -rf ~"/>
    </outline>
  </body>
</opml>"""
    path = write(os.path.join(home.dir.name, "in.opml"), opml)
    proc = home.run("--import-opml", path)
    check("import OPML: exit 0", proc.returncode == 0, proc.stderr)
    check("import OPML: three feeds", "Imported 3 feeds" in proc.stdout, proc.stdout)
    check("import OPML: the file: outline refused, with its name",
          "Passwords" in proc.stderr, proc.stderr)
    check("import OPML: the command outline refused, with its name",
          "Shell" in proc.stderr, proc.stderr)
    expected = {
        ((), server.url("/feed/0.xml")),
        (("Science & Space",), server.url("/feed/1.xml")),
        (("Science & Space", "Deep"), server.url("/feed/2.xml")),
    }
    check("import OPML: sections and feeds as in the file", home.exported() == expected,
          home.exported())
    check("import OPML: no article fetched by an import", home.articles() == 0)

    proc = home.run("--import-opml", path)
    check("import again: nothing added", "Imported 0 feeds" in proc.stdout, proc.stdout)
    check("import again: duplicates counted", "3 feeds were already subscribed" in proc.stdout,
          proc.stdout)

    broken = write(os.path.join(home.dir.name, "broken.opml"),
                   opml.replace("</body>", "").replace(server.url("/feed/0.xml"),
                                                       server.url("/feed/7.xml")))
    proc = home.run("--import-opml", broken)
    check("import broken OPML: exit 1", proc.returncode == 1, proc.returncode)
    check("import broken OPML: says nothing was imported", "nothing was imported" in proc.stderr,
          proc.stderr)
    check("import broken OPML: the library is unchanged", home.exported() == expected,
          home.exported())

    missing = home.run("--import-opml", os.path.join(home.dir.name, "missing.opml"))
    check("import a missing file: exit 1 with the reason",
          missing.returncode == 1 and "missing.opml" in missing.stderr, missing.stderr)

    out = os.path.join(home.dir.name, "out.opml")
    proc = home.run("--export-opml", out)
    check("export to a file: exit 0", proc.returncode == 0, proc.stderr)
    other = Home()
    proc = other.run("--import-opml", out)
    check("round trip: import the export", proc.returncode == 0, proc.stderr)
    check("round trip: same sections and feeds", other.exported() == expected, other.exported())


def test_parse_url(server):
    home = Home()
    proc = home.run("--parse", server.url("/feed/0.xml"))
    check("parse a URL: exit 0", proc.returncode == 0, proc.stderr)
    check("parse a URL: JSON Feed out", '"version":"https://jsonfeed.org/version/1.1"'
          in proc.stdout.replace(" ", ""), proc.stdout[:200])
    check("parse a URL: nothing stored", not os.path.exists(home.db))
    proc = home.run("--parse", server.url("/no-links.html"))
    check("parse an HTML page: exit 1", proc.returncode == 1, proc.returncode)
    check("parse an HTML page: says it is a page", "HTML page" in proc.stderr, proc.stderr)
    proc = home.run("--parse", server.url("/fault/404.xml"))
    check("parse a 404: exit 1 naming the status", proc.returncode == 1 and "404" in proc.stderr,
          proc.stderr)
    proc = home.run("--refresh", "--add", server.url("/feed/0.xml"))
    check("two modes at once: refused", proc.returncode == 1 and "cannot be combined"
          in proc.stderr, proc.stderr)


def png(rgb):
    """A 1x1 PNG of one colour."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgb)))
            + chunk(b"IEND", b""))


def icon_feed(site, icon):
    return ("<?xml version='1.0'?><rss version='2.0'><channel><title>Icons</title>"
            f"<link>{site}</link><image><url>{icon}</url><title>Icons</title>"
            f"<link>{site}</link></image><item><title>One</title><guid>one</guid></item>"
            "</channel></rss>")


RED_PNG = png((255, 0, 0))


def write_icon_pages(pages):
    """Two feeds under /icons/: one whose icon is served, one whose icon and
    home page never answer, as a dead site's can."""
    os.makedirs(os.path.join(pages.name, "icons"))
    with open(os.path.join(pages.name, "icons", "red.png"), "wb") as handle:
        handle.write(RED_PNG)
    write(os.path.join(pages.name, "icons", "good.rss"), icon_feed("/icons/", "/icons/red.png"))
    write(os.path.join(pages.name, "icons", "hang.rss"),
          icon_feed("/fault/hang.xml", "/fault/hang.xml?icon"))


def test_refresh_icons(server):
    """With feed icons on, --refresh stores the icons it can get at once and
    does not wait for one whose server never answers."""
    red = RED_PNG
    home = Home()
    home.env["TIDINGS_FEED_ICONS"] = "1"
    good, hang = server.url("/icons/good.rss"), server.url("/icons/hang.rss")
    proc = home.run("--add", good)
    check("icons: add a feed with an icon: exit 0", proc.returncode == 0, proc.stderr)
    rows = home.query("SELECT s.url, i.url, i.data, i.content_type FROM icons i "
                      "JOIN subscriptions s ON s.id = i.subscription_id")
    check("icons: the feed's icon is stored by the command",
          rows == [(good, server.url("/icons/red.png"), red, "image/png")],
          [row[:2] for row in rows])

    hits_before = int(server.command("hits /fault/hang.xml"))
    try:
        # The fetcher would wait 30 s for the hanging server; the command
        # must not (20 s is a hang guard, not a measure of speed).
        proc = home.run("--add", hang, timeout=20)
        check("icons: a hanging icon does not hold up the command", proc.returncode == 0,
              proc.stderr)
    except subprocess.TimeoutExpired:
        check("icons: a hanging icon does not hold up the command", False,
              "still running after 20 s")
        return
    check("icons: the hanging feed's articles are stored",
          home.query("SELECT count(*) FROM articles a JOIN subscriptions s "
                     "ON s.id = a.subscription_id WHERE s.url = ?", hang)[0][0] == 1)
    check("icons: the hanging icon was asked for",
          int(server.command("hits /fault/hang.xml")) > hits_before)
    check("icons: a look cut short is not stored, so the next refresh looks again",
          home.query("SELECT count(*) FROM icons i JOIN subscriptions s "
                     "ON s.id = i.subscription_id WHERE s.url = ?", hang)[0][0] == 0)
    check("icons: the first feed's icon is kept",
          home.query("SELECT count(*) FROM icons WHERE data IS NOT NULL")[0][0] == 1)

    # The window's setting turned off holds for the command line too.
    home = Home()
    home.env["TIDINGS_FEED_ICONS"] = "1"
    home.env["GSETTINGS_BACKEND"] = "keyfile"
    schema_path = os.environ["TIDINGS_SCHEMA_PATH"].strip("/")
    settings_dir = os.path.join(home.env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
    os.makedirs(settings_dir)
    write(os.path.join(settings_dir, "keyfile"), f"[{schema_path}]\nfeed-icons=false\n")
    icon_hits = int(server.command("hits /icons/red.png"))
    proc = home.run("--add", good)
    check("icons off in the settings: add a feed: exit 0", proc.returncode == 0, proc.stderr)
    check("icons off in the settings: no icon asked for or stored",
          int(server.command("hits /icons/red.png")) == icon_hits
          and home.query("SELECT count(*) FROM icons")[0][0] == 0)


def main():
    pages = tempfile.TemporaryDirectory(prefix="tidings-pages-")
    link = '<link rel="alternate" type="application/rss+xml" href="/feed/{}.xml">'
    write(os.path.join(pages.name, "one-link.html"),
          "<!DOCTYPE html><html><head><title>One</title>" + link.format(1)
          + "</head><body>Hello</body></html>")
    write(os.path.join(pages.name, "two-links.html"),
          "<!DOCTYPE html><html><head><title>Two</title>" + link.format(2) + link.format(3)
          + "</head><body>Hello</body></html>")
    write(os.path.join(pages.name, "no-links.html"),
          "<!DOCTYPE html><html><head><title>None</title></head><body>Hello</body></html>")
    write_icon_pages(pages)

    server = FeedServer("--feeds", "10", "--faults", "--dir", pages.name)
    try:
        test_add_and_refresh(server, pages)
        test_refresh_with_faults(server)
        test_opml(server)
        test_parse_url(server)
        test_refresh_icons(server)
    finally:
        server.close()

    print(f"1..{len(results)}")
    for number, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
