#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`tidings --parse` run as a user runs it: a process, files, stdin, exit codes."""

import json
import os
import subprocess
import sys
import tempfile

TIDINGS = os.environ["TIDINGS_BIN"]
FIXTURES = os.path.join(os.environ.get("G_TEST_SRCDIR", os.path.dirname(__file__)), "fixtures")

# No display and no session bus: the command line must need neither.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}

results = []


def check(name, condition, detail=""):
    results.append((bool(condition), name, detail))


def run(*args, stdin=None):
    return subprocess.run([TIDINGS, *args], input=stdin, capture_output=True, env=ENV, timeout=60)


def parse_ok(name, path=None, stdin=None):
    proc = run("--parse", path if path else "-", stdin=stdin)
    check(f"{name}: exit status 0", proc.returncode == 0, proc.stderr.decode(errors="replace"))
    try:
        doc = json.loads(proc.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        check(f"{name}: stdout is JSON", False, str(error))
        return None
    check(f"{name}: stdout is JSON Feed 1.1",
          doc.get("version") == "https://jsonfeed.org/version/1.1", doc.get("version"))
    return doc


def parse_fails(name, path, stdin=None, expect=()):
    proc = run("--parse", path, stdin=stdin)
    err = proc.stderr.decode(errors="replace")
    check(f"{name}: exit status 1", proc.returncode == 1, f"status {proc.returncode}")
    check(f"{name}: nothing on stdout", proc.stdout == b"", proc.stdout[:200])
    for fragment in expect:
        check(f"{name}: message says {fragment!r}", fragment in err, err)


def main():
    rss = os.path.join(FIXTURES, "xml", "rss20.xml")
    doc = parse_ok("rss file", rss)
    if doc:
        check("rss file: four items", len(doc["items"]) == 4, len(doc["items"]))
        check("rss file: format", doc["_tidings"]["format"] == "rss2.0", doc["_tidings"])
        check("rss file: not recovered", doc["_tidings"]["recovered"] is False)
        check("rss file: title", doc["title"] == "Harbour Gazette", doc.get("title"))
        check("rss file: dates in UTC with Z",
              doc["items"][0]["date_published"] == "2003-06-03T09:39:21Z")
        check("rss file: no script survives", "<script" not in json.dumps(doc).lower())

    with open(rss, "rb") as f:
        data = f.read()
    doc = parse_ok("stdin", stdin=data)
    if doc:
        check("stdin: same items as the file", len(doc["items"]) == 4)

    doc = parse_ok("latin-1 file", os.path.join(FIXTURES, "xml", "rss092-latin1.xml"))
    if doc:
        check("latin-1 file: UTF-8 out", doc["title"] == "Caf\u00e9 Lumi\u00e8re", doc.get("title"))

    doc = parse_ok("atom file", os.path.join(FIXTURES, "xml", "atom10.xml"))
    if doc:
        check("atom file: format", doc["_tidings"]["format"] == "atom1.0")

    json_feed = b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ' \
                b'[{"id": "1", "content_text": "hi"}]}'
    doc = parse_ok("json feed on stdin", stdin=json_feed)
    if doc:
        check("json feed: format", doc["_tidings"]["format"] == "json1.1")
        check("json feed: content_text kept", doc["items"][0].get("content_text") == "hi")

    # Truncated: what was read is kept, and flagged.
    cut = data.index(b"Permalink only") + len(b"Perma")
    doc = parse_ok("truncated", stdin=data[:cut])
    if doc:
        check("truncated: recovered", doc["_tidings"]["recovered"] is True)
        # The item cut inside its title has nothing whole to keep.
        check("truncated: earlier items kept", [i.get("title") for i in doc["items"]]
              == ["Tall ship & tug arrive", "Fog warning"], doc["items"])

    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "missing.xml")
        parse_fails("missing file", missing, expect=(missing, "No such file"))

        empty = os.path.join(tmp, "empty.xml")
        open(empty, "wb").close()
        parse_fails("empty file", empty, expect=(empty, "empty"))

        html = os.path.join(tmp, "page.html")
        with open(html, "w") as f:
            f.write("<!DOCTYPE html><html><body><p>Shop</p></body></html>")
        parse_fails("html page", html, expect=(html, "not a feed"))

        broken = os.path.join(tmp, "broken.xml")
        with open(broken, "w") as f:
            f.write("<?xml version='1.0'?>\n<<<>>>")
        parse_fails("unreadable xml", broken, expect=(broken, "line 2, column"))

        parse_fails("a directory", tmp, expect=(tmp,))

    parse_fails("empty stdin", "-", stdin=b"", expect=("standard input", "empty"))

    # The command line is the engine alone: no toolkit is loaded for it.
    # (build-aux/valgrind puts a script in front of the program.)
    program = os.environ.get("TIDINGS_VALGRIND_BIN", TIDINGS)
    ldd = subprocess.run(["ldd", program], capture_output=True, text=True)
    check("the program links no GTK", ldd.returncode == 0 and "libgtk" not in ldd.stdout,
          ldd.stdout)

    proc = run("--version")
    check("--version", proc.returncode == 0 and proc.stdout.startswith(b"tidings "), proc.stdout)

    print(f"1..{len(results)}")
    for number, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:10]:
                print(f"# {line}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
