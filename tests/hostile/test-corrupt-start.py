#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A damaged library at start, through the command line: `tidings` says so,
keeps the damaged file (and its WAL) aside byte for byte as
tidings.db.damaged-YYYYMMDD-HHMMSS, and carries on with a new library holding
the subscriptions of the automatic backup beside it; with no backup (or a
broken one) the new library is empty. A library from a newer Tidings is
never touched. (The window does the same through the same core call,
tidings_library_recover(); test-corrupt-start.c tests that call with a
backup written by TidingsLibrary itself.)"""

import glob
import os
import random
import re
import sqlite3
import sys

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worldlib  # noqa: E402
from worldlib import check  # noqa: E402

DAMAGED = re.compile(r"tidings\.db\.damaged-\d{8}-\d{6}(-\d+)?$")
SECTIONS = {"Science & Space": 3, "Évènements": 2}
TOP_LEVEL = 2


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def damaged_files(home):
    folder = os.path.dirname(home.db)
    return sorted(p for p in glob.glob(os.path.join(folder, "tidings.db.damaged-*"))
                  if DAMAGED.search(p))


def subscribe(home, server):
    """Seven feeds in two sections and at the top, through the command line,
    which keeps the backup as the window does."""
    outlines = []
    n = 0
    body = ""
    for section, count in SECTIONS.items():
        body += f"<outline text='{worldlib.escape(section)}'>"
        for _ in range(count):
            body += f"<outline text='Feed {n}' xmlUrl='{server.url(f'/feed/{n}.xml')}'/>"
            n += 1
        body += "</outline>"
    for _ in range(TOP_LEVEL):
        outlines.append((f"Feed {n}", server.url(f"/feed/{n}.xml")))
        n += 1
    text = ("<opml version='2.0'><body>" + body + "".join(
        f"<outline text='{t}' xmlUrl='{u}'/>" for t, u in outlines) + "</body></opml>")
    path = worldlib.write(os.path.join(home.dir.name, "mine.opml"), text)
    proc = home.run("--import-opml", path)
    return proc.returncode == 0, proc.stdout + proc.stderr


def case_garbage_with_backup(server):
    home = worldlib.Home()
    ok, out = subscribe(home, server)
    check("with backup: import 7 feeds", ok, out)
    proc = home.run("--refresh")
    check("with backup: first refresh", proc.returncode == 0, proc.stderr)
    backup = os.path.join(os.path.dirname(home.db), "subscriptions-backup.opml")
    check("with backup: the command line keeps the backup beside the library",
          os.path.exists(backup) and read(backup).count(b"xmlUrl") == 7,
          os.listdir(os.path.dirname(home.db)))
    before = home.exported()

    rng = random.Random(6)
    garbage = bytes(rng.getrandbits(8) for _ in range(64 * 1024))
    worldlib.write(home.db + "-wal", "")
    with open(home.db, "wb") as handle:
        handle.write(garbage)
    with open(home.db + "-wal", "wb") as handle:
        handle.write(garbage[:5000])

    proc = home.run("--refresh")
    check("with backup: the refresh goes on, exit 0", proc.returncode == 0,
          proc.stdout + proc.stderr)
    damaged = damaged_files(home)
    check("with backup: one damaged copy kept", len(damaged) == 1, damaged)
    check("with backup: it says the library was damaged",
          "damaged" in proc.stderr and "not a Tidings library" in proc.stderr, proc.stderr)
    check("with backup: it says where the damaged copy is",
          bool(damaged) and damaged[0] in proc.stderr, proc.stderr)
    check("with backup: it says how many subscriptions were restored",
          "7 subscriptions restored" in proc.stderr, proc.stderr)
    check("with backup: the damaged copy is byte for byte the file",
          bool(damaged) and read(damaged[0]) == garbage)
    check("with backup: its WAL went with it, byte for byte",
          bool(damaged) and os.path.exists(damaged[0] + "-wal")
          and read(damaged[0] + "-wal") == garbage[:5000])
    check("with backup: the 7 feeds, in their sections, are back", home.exported() == before,
          home.exported())
    check("with backup: and were refreshed: 140 articles", home.articles() == 140,
          home.articles())
    integrity, _ = worldlib.snapshot(home.db)
    check("with backup: the new library passes integrity_check", integrity == [("ok",)],
          integrity)

    proc = home.run("--refresh")
    check("with backup: the next run finds nothing to recover",
          proc.returncode == 0 and "damaged" not in proc.stderr
          and len(damaged_files(home)) == 1, proc.stderr)


def case_garbage_without_backup():
    home = worldlib.Home()
    os.makedirs(os.path.dirname(home.db))
    garbage = b"This is not a database. " * 1000
    with open(home.db, "wb") as handle:
        handle.write(garbage)
    proc = home.run("--export-opml", "-")
    check("no backup: exit 0", proc.returncode == 0, proc.stderr)
    damaged = damaged_files(home)
    check("no backup: the damaged copy is kept, byte for byte",
          len(damaged) == 1 and read(damaged[0]) == garbage, damaged)
    check("no backup: it says so, and that the new library is empty",
          "damaged" in proc.stderr and "no backup" in proc.stderr and "empty" in proc.stderr,
          proc.stderr)
    check("no backup: the OPML on stdout is whole (the message went to stderr)",
          proc.stdout.strip().endswith("</opml>") and "damaged" not in proc.stdout, proc.stdout)
    check("no backup: an empty library", home.query("SELECT count(*) FROM subscriptions")
          == [(0,)])
    check("no backup: no backup file was made from the empty library",
          not os.path.exists(os.path.join(os.path.dirname(home.db),
                                          "subscriptions-backup.opml")))


def case_broken_backup(server):
    home = worldlib.Home()
    ok, out = subscribe(home, server)
    check("broken backup: import", ok, out)
    backup = os.path.join(os.path.dirname(home.db), "subscriptions-backup.opml")
    worldlib.write(backup, "<opml version='2.0'><body><outline text='cut off")
    with open(home.db, "r+b") as handle:
        handle.write(b"\0" * 100)
    proc = home.run("--export-opml", "-")
    check("broken backup: exit 0 with an empty library", proc.returncode == 0
          and home.query("SELECT count(*) FROM subscriptions") == [(0,)], proc.stderr)
    check("broken backup: it says the backup could not be read",
          "could not be read" in proc.stderr and backup in proc.stderr, proc.stderr)
    check("broken backup: the backup is left for the user to look at",
          read(backup).endswith(b"cut off"))


def case_schema_page_damaged(server):
    home = worldlib.Home()
    ok, out = subscribe(home, server)
    check("schema damaged: import", ok, out)
    size = os.path.getsize(home.db)
    with open(home.db, "r+b") as handle:
        handle.seek(100)
        handle.write(bytes(random.Random(7).getrandbits(8) for _ in range(4000)))
    original = read(home.db)
    proc = home.run("--import-opml", os.path.join(home.dir.name, "mine.opml"))
    check("schema damaged: a real library with its schema page overwritten is recovered",
          proc.returncode == 0 and "7 subscriptions restored" in proc.stderr,
          f"size {size}\n" + proc.stdout + proc.stderr)
    check("schema damaged: the import then finds them all subscribed",
          "7 feeds were already subscribed" in proc.stdout, proc.stdout)
    damaged = damaged_files(home)
    check("schema damaged: damaged copy kept byte for byte",
          len(damaged) == 1 and read(damaged[0]) == original, damaged)


def case_foreign_database():
    home = worldlib.Home()
    os.makedirs(os.path.dirname(home.db))
    with sqlite3.connect(home.db) as db:
        db.execute("CREATE TABLE recipes (name TEXT)")
        db.execute("INSERT INTO recipes VALUES ('bread')")
    db.close()
    original = read(home.db)
    proc = home.run("--export-opml", "-")
    damaged = damaged_files(home)
    check("another program's database: put aside untouched, exit 0",
          proc.returncode == 0 and len(damaged) == 1 and read(damaged[0]) == original,
          proc.stderr)
    check("another program's database: it says what the file is",
          "another program's database" in proc.stderr, proc.stderr)


def case_too_new():
    home = worldlib.Home()
    os.makedirs(os.path.dirname(home.db))
    proc = home.run("--export-opml", "-")
    check("too new: make a library", proc.returncode == 0, proc.stderr)
    with sqlite3.connect(home.db) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    original = read(home.db)
    stamp = os.stat(home.db).st_mtime_ns
    for args in (("--refresh",), ("--export-opml", "-"), ("--add", "http://127.0.0.1:9/")):
        proc = home.run(*args)
        check(f"too new: {args[0]} refuses, exit 1", proc.returncode == 1, proc.returncode)
        check(f"too new: {args[0]} says a newer Tidings wrote it",
              "newer version of Tidings" in proc.stderr and "left as it is" in proc.stderr,
              proc.stderr)
    check("too new: the file is untouched (bytes and time)",
          read(home.db) == original and os.stat(home.db).st_mtime_ns == stamp)
    check("too new: nothing was put aside", damaged_files(home) == [], damaged_files(home))

    # The same with its latest changes (the newer version number among them)
    # still in the WAL, as a newer Tidings that was killed would leave it:
    # closing the refused connection must neither checkpoint nor delete it.
    other = worldlib.Home()
    os.makedirs(os.path.dirname(other.db))
    proc = other.run("--export-opml", "-")
    writer = sqlite3.connect(other.db, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("PRAGMA user_version = 99")
    writer.execute("CREATE TABLE from_the_future (x)")
    copies = {}
    for suffix in ("", "-wal"):
        copies[suffix] = read(other.db + suffix)
    writer.close()
    for suffix, data in copies.items():
        with open(other.db + suffix, "wb") as handle:
            handle.write(data)
    check("too new in its WAL: the WAL holds the changes", len(copies["-wal"]) > 0)
    proc = other.run("--refresh")
    check("too new in its WAL: refused, exit 1, saying why",
          proc.returncode == 1 and "newer version of Tidings" in proc.stderr, proc.stderr)
    check("too new in its WAL: the file and its WAL are untouched",
          all(os.path.exists(other.db + s) and read(other.db + s) == d
              for s, d in copies.items()))


def main():
    server = worldlib.FeedServer("--feeds", "10")
    try:
        case_garbage_with_backup(server)
        case_garbage_without_backup()
        case_broken_backup(server)
        case_schema_page_damaged(server)
        case_foreign_database()
        case_too_new()
    finally:
        server.close()
    return worldlib.finish()


if __name__ == "__main__":
    sys.exit(main())
