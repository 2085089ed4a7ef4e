# SPDX-License-Identifier: GPL-3.0-or-later
"""What the hostile-world tests share: the feed server and the temporary home
of tests/test-cli-library.py (loaded from there rather than copied), TAP
output, and a few checks on the store file."""

import importlib.util
import os
import sqlite3
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "tidings_cli_library", os.path.join(_here, os.pardir, "test-cli-library.py"))
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)

TIDINGS = cli.TIDINGS
FeedServer = cli.FeedServer
Home = cli.Home
STORE_TOOL = os.environ.get("TIDINGS_STORE_TOOL")

results = []


def check(name, condition, detail=""):
    results.append((bool(condition), name, detail))
    return bool(condition)


def skip(name, reason):
    results.append((None, name, reason))


def finish():
    """Prints the TAP plan and results; the exit status for sys.exit()."""
    print(f"1..{len(results)}")
    for number, (ok, name, detail) in enumerate(results, 1):
        if ok is None:
            print(f"ok {number} - {name} # SKIP {detail}")
            continue
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:30]:
                print(f"# {line}")
    sys.stdout.flush()
    return 0 if all(ok is not False for ok, _, _ in results) else 1


def write(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def escape(text):
    return (text.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def opml(outlines):
    """An OPML document of (title, url) pairs."""
    return ("<opml version='2.0'><body>"
            + "".join(f"<outline text='{escape(title)}' xmlUrl='{escape(url)}'/>"
                      for title, url in outlines)
            + "</body></opml>")


def snapshot(db_path):
    """What must survive: every article's guid with its read and starred
    marks, and the integrity check's verdict."""
    with sqlite3.connect(db_path, timeout=30) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        rows = db.execute("SELECT a.id, a.guid, s.read, s.starred FROM articles a"
                          " JOIN article_states s ON s.article_id = a.id").fetchall()
    db.close()
    return integrity, {row[0]: tuple(row[1:]) for row in rows}


def sentence_problem(text):
    """Why @text is not a sentence for people, or None when it is one."""
    if not text:
        return "empty"
    if len(text.split()) < 3:
        return "too short to say anything"
    for token in ("g-io-error", "GDBus", "(null)", "SQLITE_", "errno", "Error domain",
                  "soup_", "tidings_", "0x"):
        if token in text:
            return f"machine text {token!r}"
    return None
