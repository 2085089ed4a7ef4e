#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Crash safety: `tidings --refresh` of 200 feeds killed with SIGKILL at random
moments, 50 times. After each kill the database passes PRAGMA
integrity_check, every read and starred mark set before is still there, no
stored article is gone, and the next refresh completes."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TIDINGS = os.environ["TIDINGS_BIN"]
FEED_SERVER = os.environ["TIDINGS_FEED_SERVER"]
STORE_TOOL = os.environ["TIDINGS_STORE_TOOL"]
FEEDS = 200
KILLS = int(os.environ.get("TIDINGS_CRASH_KILLS", "50"))

results = []


def check(name, condition, detail=""):
    results.append((bool(condition), name, detail))
    return bool(condition)


def main():
    seed = int(os.environ.get("TIDINGS_CRASH_SEED", "20261128"))
    rng = random.Random(seed)
    home = tempfile.TemporaryDirectory(prefix="tidings-crash-")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    for name in ("DATA", "CONFIG", "CACHE", "STATE"):
        path = os.path.join(home.name, name.lower())
        os.makedirs(path)
        env[f"XDG_{name}_HOME"] = path
    db_path = os.path.join(home.name, "data", os.environ["TIDINGS_DATA_DIR_NAME"], "tidings.db")

    server = subprocess.Popen([FEED_SERVER, "--feeds", str(FEEDS), "--items", "20"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    base = server.stdout.readline().strip()

    def command(line):
        server.stdin.write(line + "\n")
        server.stdin.flush()
        return server.stdout.readline().strip()

    def tidings(*args):
        return subprocess.run([TIDINGS, *args], capture_output=True, text=True, env=env,
                              timeout=600)

    try:
        opml = os.path.join(home.name, "feeds.opml")
        with open(opml, "w", encoding="utf-8") as handle:
            handle.write("<opml version='2.0'><body>")
            for index in range(FEEDS):
                handle.write(f"<outline text='Feed {index}' xmlUrl='{base}/feed/{index}.xml'/>")
            handle.write("</body></opml>")
        proc = tidings("--import-opml", opml)
        check("import 200 feeds", proc.returncode == 0, proc.stderr)

        started = time.monotonic()
        proc = tidings("--refresh")
        duration = time.monotonic() - started
        check("first refresh completes", proc.returncode == 0 and "0 failed" in proc.stdout,
              proc.stdout[-500:] + proc.stderr)

        with sqlite3.connect(db_path) as db:
            ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id")]
        check("first refresh stored 4000 articles", len(ids) == FEEDS * 20, len(ids))
        chosen = rng.sample(ids, 200)
        read_ids, starred_ids = chosen[:100], chosen[100:]
        # As the window would, through the store's API.
        for verb, marked in (("read", read_ids), ("star", starred_ids)):
            proc = subprocess.run([STORE_TOOL, verb, *map(str, marked)], capture_output=True,
                                  text=True, env=env)
            check(f"mark 100 articles {verb}", proc.returncode == 0, proc.stderr)
        stored = len(ids)

        failures = 0
        for attempt in range(KILLS):
            command("rotate")
            child = subprocess.Popen([TIDINGS, "--refresh"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=env)
            time.sleep(rng.uniform(0.0, duration * 1.2))
            child.send_signal(signal.SIGKILL)
            child.wait()

            with sqlite3.connect(db_path) as db:
                integrity = db.execute("PRAGMA integrity_check").fetchall()
                marks = ",".join("?" * len(chosen))
                read = db.execute(f"SELECT count(*) FROM article_states WHERE read = 1 "
                                  f"AND article_id IN ({marks})", chosen).fetchone()[0]
                starred = db.execute(f"SELECT count(*) FROM article_states WHERE starred = 1 "
                                     f"AND article_id IN ({marks})", chosen).fetchone()[0]
                count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
                # The maintained unread counts agree with the articles.
                drift = db.execute(
                    "SELECT count(*) FROM subscriptions s WHERE unread_count != "
                    "(SELECT count(*) FROM article_states a WHERE a.subscription_id = s.id "
                    "AND a.read = 0)").fetchone()[0]
            ok = (integrity == [("ok",)] and read == len(read_ids)
                  and starred == len(starred_ids) and count >= stored and drift == 0)
            if not ok:
                failures += 1
                check(f"kill {attempt + 1}: store intact", False,
                      f"integrity {integrity[:3]}, read {read}, starred {starred}, "
                      f"articles {count} (before {stored}), counts wrong on {drift} feeds")
            stored = max(stored, count)
        check(f"{KILLS} kills: integrity ok, marks kept, no article lost every time",
              failures == 0, f"{failures} failures")

        proc = tidings("--refresh")
        check("the next refresh completes", proc.returncode == 0 and "0 failed" in proc.stdout,
              proc.stdout[-500:] + proc.stderr)
        proc = tidings("--refresh")
        check("and the one after finds nothing new",
              proc.returncode == 0 and f"0 new articles" in proc.stdout
              and f"{FEEDS} not modified" in proc.stdout, proc.stdout[-300:])
        with sqlite3.connect(db_path) as db:
            newest = db.execute("SELECT count(*) FROM articles WHERE guid LIKE ?",
                                (f"%:{20 + KILLS - 1}",)).fetchone()[0]
        check("every feed's newest article is stored", newest == FEEDS, newest)
    finally:
        server.stdin.close()
        server.wait(timeout=30)

    print(f"1..{len(results)}")
    for number, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
