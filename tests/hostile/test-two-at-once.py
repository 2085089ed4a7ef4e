#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two at once on one library. The command-line modes run in a process of
their own with no display and no bus (none set, or ones that lead nowhere),
never loading the toolkit; two of them started together, on a library that
does not exist yet and then on one of 120 feeds, both finish cleanly, no
"busy" or "locked" error surfaces, and the store is whole with every
article once."""

import os
import subprocess
import sys
import time

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worldlib  # noqa: E402
from worldlib import check  # noqa: E402

FEEDS = 120
ITEMS = 20
ROUNDS = 5


def together(home, *commands, timeout=300):
    """Starts every command at once; (returncode, stdout, stderr) of each."""
    procs = [subprocess.Popen([worldlib.TIDINGS, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=home.env)
             for args in commands]
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            err += "\n(killed by the hang guard)"
        results.append((proc.returncode, out, err))
    return results


def busy_words(text):
    return [line for line in text.splitlines()
            if any(w in line.lower() for w in ("locked", "busy", "try again later"))]


def consistent(home):
    """Integrity, no article twice, and unread counts that agree."""
    integrity, _ = worldlib.snapshot(home.db)
    twice = home.query("SELECT count(*) FROM (SELECT subscription_id, guid FROM articles"
                       " GROUP BY subscription_id, guid HAVING count(*) > 1)")[0][0]
    drift = home.query("SELECT count(*) FROM subscriptions s WHERE unread_count !="
                       " (SELECT count(*) FROM article_states a WHERE a.subscription_id = s.id"
                       " AND a.read = 0) OR article_count != (SELECT count(*) FROM articles a"
                       " WHERE a.subscription_id = s.id)")[0][0]
    return integrity == [("ok",)] and twice == 0 and drift == 0, (integrity, twice, drift)


def case_headless(server):
    """No display, no bus: the modes work, and the toolkit is never loaded."""
    home = worldlib.Home()
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        check(f"headless: {name} is not set for the command line", name not in home.env)
    path = worldlib.write(os.path.join(home.dir.name, "two.opml"), worldlib.opml(
        [("Slow", server.url("/fault/slow.xml")), ("Feed 0", server.url("/feed/0.xml"))]))
    proc = home.run("--import-opml", path, timeout=60)
    check("headless: --import-opml", proc.returncode == 0, proc.stderr)

    # Displays and a bus that lead nowhere must not be touched either.
    env = dict(home.env, DISPLAY=":4242", WAYLAND_DISPLAY="wayland-4242",
               DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    proc = subprocess.Popen([worldlib.TIDINGS, "--refresh"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    maps = ""
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with open(f"/proc/{proc.pid}/maps", encoding="utf-8", errors="replace") as handle:
                maps += handle.read()
        except OSError:
            break
        time.sleep(0.1)
    out, err = proc.communicate(timeout=60)
    check("headless: --refresh with a dead display and bus: exit 0, both feeds",
          proc.returncode == 0 and "2 feeds refreshed" in out and "0 failed" in out, out + err)
    check("headless: nothing on stderr", err.strip() == "", err)
    check("headless: the toolkit was never loaded (no libgtk, no tidings-ui in its maps)",
          maps and "libgtk" not in maps and "libtidings-ui" not in maps
          and "libwebkit" not in maps, f"{len(maps)} bytes of maps read")
    for args in (("--export-opml", "-"), ("--parse", server.url("/feed/1.xml")),
                 ("--add", server.url("/feed/2.xml"))):
        proc = subprocess.run([worldlib.TIDINGS, *args], capture_output=True, text=True, env=env,
                              timeout=60)
        check(f"headless: {args[0]} with a dead display and bus", proc.returncode == 0
              and proc.stderr.strip() == "", proc.stderr)


def case_new_library(server):
    """Two imports at once into a library that does not exist yet: both
    create and set up the same file."""
    home = worldlib.Home()
    halves = []
    for half in range(2):
        outlines = [(f"Feed {n}", server.url(f"/feed/{n}.xml"))
                    for n in range(half * FEEDS // 2, (half + 1) * FEEDS // 2)]
        halves.append(worldlib.write(os.path.join(home.dir.name, f"half{half}.opml"),
                                     worldlib.opml(outlines)))
    results = together(home, ("--import-opml", halves[0]), ("--import-opml", halves[1]))
    for number, (code, out, err) in enumerate(results, 1):
        check(f"new library: import {number} of 2 at once: exit 0", code == 0, out + err)
        check(f"new library: import {number}: no busy or locked error", not busy_words(err),
              err)
    check("new library: all 120 feeds subscribed",
          home.query("SELECT count(*) FROM subscriptions") == [(FEEDS,)],
          home.query("SELECT count(*) FROM subscriptions"))
    ok, detail = consistent(home)
    check("new library: store consistent", ok, detail)
    return home


def case_two_refreshes(server, home):
    for round_ in range(1, ROUNDS + 1):
        results = together(home, ("--refresh",), ("--refresh",))
        for number, (code, out, err) in enumerate(results, 1):
            check(f"round {round_}: refresh {number} of 2 at once: exit 0", code == 0,
                  out[-1000:] + err[-2000:])
            check(f"round {round_}: refresh {number}: no feed failed",
                  f"{FEEDS} feeds refreshed" in out and ", 0 failed." in out,
                  [l for l in out.splitlines() if l.startswith("failed")][:10] or out[-300:])
            check(f"round {round_}: refresh {number}: no busy or locked error",
                  not busy_words(out + err), busy_words(out + err)[:10])
        expected = FEEDS * (ITEMS + round_ - 1)
        count = home.articles()
        check(f"round {round_}: every article stored, once ({expected})", count == expected,
              count)
        newest = home.query("SELECT count(*) FROM articles WHERE guid LIKE ?",
                            f"%:{ITEMS + round_ - 2}")[0][0]
        check(f"round {round_}: every feed's newest article is there", newest == FEEDS, newest)
        ok, detail = consistent(home)
        check(f"round {round_}: store consistent (integrity, no duplicates, counts)", ok,
              detail)
        server.command("rotate")


def main():
    server = worldlib.FeedServer("--feeds", str(FEEDS), "--items", str(ITEMS), "--faults")
    try:
        case_headless(server)
        home = case_new_library(server)
        case_two_refreshes(server, home)
    finally:
        server.close()
    return worldlib.finish()


if __name__ == "__main__":
    sys.exit(main())
