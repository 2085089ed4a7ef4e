#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The disk fills up during a refresh. `tidings --refresh` runs under
RLIMIT_FSIZE (SIGXFSZ ignored, so a write past the limit fails with EFBIG as
on a full disk) with many new, big articles to store: it says there is no
room left (for each feed it could not save), and when the limit is lifted the
library opens, passes PRAGMA integrity_check, and every article stored
before, with its read and starred marks, is still there. When this process
may mount a small tmpfs in a mount namespace of its own (root, or an
unprivileged user namespace), the same runs on a real full disk (ENOSPC)
too; elsewhere that half skips."""

import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worldlib  # noqa: E402
from worldlib import check  # noqa: E402

FEEDS = 30
BIG_FEEDS = 40
BIG_ITEMS = 40
BIG_TEXT = 24 * 1024
HEADROOM = 2 * 1024 * 1024


def big_feeds(folder, base):
    """BIG_FEEDS feeds of BIG_ITEMS articles of BIG_TEXT bytes of text each,
    different text for every article so that nothing compresses or dedups."""
    rng = random.Random(20261128)
    words = ["harbour", "tide", "gull", "anchor", "ferry", "quay", "storm", "lantern",
             "net", "keel", "buoy", "mast", "sail", "reef", "pier", "cargo"]
    os.makedirs(os.path.join(folder, "big"))
    for n in range(BIG_FEEDS):
        items = []
        for i in range(BIG_ITEMS):
            text = []
            size = 0
            while size < BIG_TEXT:
                word = rng.choice(words) + str(rng.randrange(100000))
                text.append(word)
                size += len(word) + 1
            items.append(f"<item><guid isPermaLink='false'>big-{n}-{i}</guid>"
                         f"<title>Big {n}, item {i}</title>"
                         f"<link>{base}/site/big/{n}/{i}.html</link>"
                         f"<description>&lt;p&gt;{' '.join(text)}&lt;/p&gt;</description></item>")
        worldlib.write(os.path.join(folder, "big", f"{n}.xml"),
                       f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                       f"<title>Big {n}</title><link>{base}/site/big/</link>"
                       + "".join(items) + "</channel></rss>")


def says_full(line):
    """The sentences for ENOSPC and, under RLIMIT_FSIZE, EFBIG."""
    return any(words in line for words in ("The disk is full", "as large as a file may be"))


def library_size(db):
    return sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))


def limited(limit):
    def apply():
        # The write past the limit fails with EFBIG instead of killing us.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def prepare(home, server, bases):
    """A library of FEEDS feeds with 100 read and 100 starred articles, and
    the big feeds subscribed but not yet fetched."""
    outlines = [(f"Feed {n}", server.url(f"/feed/{n}.xml")) for n in range(FEEDS)]
    path = worldlib.write(os.path.join(home.dir.name, "feeds.opml"), worldlib.opml(outlines))
    proc = home.run("--import-opml", path)
    ok = proc.returncode == 0
    proc = home.run("--refresh")
    ok = ok and proc.returncode == 0 and "0 failed" in proc.stdout
    with sqlite3.connect(home.db) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id")]
    db.close()
    chosen = random.Random(4).sample(ids, 200)
    for verb, marked in (("read", chosen[:100]), ("star", chosen[100:])):
        tool = subprocess.run([worldlib.STORE_TOOL, verb, *map(str, marked)],
                              capture_output=True, text=True, env=home.env)
        ok = ok and tool.returncode == 0
    # Keep one read and starred both, and one read then unread again.
    tool = subprocess.run([worldlib.STORE_TOOL, "read", str(chosen[100])], env=home.env)
    ok = ok and tool.returncode == 0
    outlines = [(f"Big {n}", f"{bases}/big/{n}.xml") for n in range(BIG_FEEDS)]
    path = worldlib.write(os.path.join(home.dir.name, "big.opml"), worldlib.opml(outlines))
    proc = home.run("--import-opml", path)
    ok = ok and proc.returncode == 0
    return ok, len(ids)


def full_refresh(home, label, before, run_full):
    """Runs the refresh that fills the disk with @run_full, then checks what
    it said and what is left."""
    proc = run_full()
    out = proc.stdout + proc.stderr
    print(f"# {label}: exit {proc.returncode}; last lines:")
    for line in out.strip().splitlines()[-4:]:
        print(f"#   {line[:200]}")
    check(f"{label}: the refresh ends (no crash: exit 0 or 1)", proc.returncode in (0, 1), out)
    full_lines = [l for l in out.splitlines() if says_full(l)]
    check(f"{label}: it says there is no room left", full_lines, out[-3000:])
    failed = [l for l in proc.stdout.splitlines() if l.startswith("failed")]
    check(f"{label}: every feed it could not store says so",
          failed and all(says_full(l) for l in failed), "\n".join(failed[:20]))
    check(f"{label}: no raw I/O error shown", "disk I/O error" not in out, out[-3000:])

    integrity, after = worldlib.snapshot(home.db)
    check(f"{label}: afterwards the library opens and passes integrity_check",
          integrity == [("ok",)], integrity)
    lost = [i for i in before[1] if i not in after]
    check(f"{label}: every article stored before is still there", not lost,
          f"{len(lost)} lost")
    changed = [i for i, marks in before[1].items() if i in after and after[i] != marks]
    check(f"{label}: every read and starred mark is intact", not changed,
          f"{len(changed)} changed, e.g. {changed[:5]}")

    proc = home.run("--refresh", timeout=300)
    integrity, again = worldlib.snapshot(home.db)
    check(f"{label}: with room again the next refresh completes and stores the big feeds",
          proc.returncode == 0 and "0 failed" in proc.stdout and integrity == [("ok",)]
          and len(again) == len(before[1]) + BIG_FEEDS * BIG_ITEMS,
          proc.stdout[-500:] + proc.stderr[-1000:])


def rlimit_case(server, base):
    home = worldlib.Home()
    ok, count = prepare(home, server, base)
    check("rlimit: a library of 600 articles, 200 marked, and 40 big feeds subscribed",
          ok and count == FEEDS * 20)
    before = worldlib.snapshot(home.db)
    limit = library_size(home.db) + HEADROOM
    print(f"# library {library_size(home.db)} bytes, RLIMIT_FSIZE {limit}, big feeds "
          f"{BIG_FEEDS * BIG_ITEMS * BIG_TEXT // (1024 * 1024)} MB of text")

    def run_full():
        return subprocess.run([worldlib.TIDINGS, "--refresh"], capture_output=True, text=True,
                              env=home.env, timeout=300, preexec_fn=limited(limit))
    full_refresh(home, "rlimit", before, run_full)


def can_mount():
    """The command prefix under which a private tmpfs can be mounted (a
    mount namespace of its own, so nothing leaks out), or None."""
    if shutil.which("mount") is None or shutil.which("unshare") is None:
        return None
    probe = tempfile.mkdtemp(prefix="tidings-mount-")
    try:
        for prefix in (["unshare", "-m"], ["unshare", "-r", "-m"]):
            if prefix == ["unshare", "-m"] and os.geteuid() != 0:
                continue
            if subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", "size=1m", "none", probe],
                              capture_output=True).returncode == 0:
                return prefix
    finally:
        os.rmdir(probe)
    return None


def tmpfs_case(server, base, prefix):
    """The data folder on a tmpfs sized to what the library needs now plus a
    little: the refresh meets ENOSPC."""
    home = worldlib.Home()
    ok, count = prepare(home, server, base)
    check("tmpfs: the same library", ok and count == FEEDS * 20)
    data = os.path.dirname(home.db)
    saved = tempfile.mkdtemp(prefix="tidings-saved-")
    shutil.copytree(data, os.path.join(saved, "tidings"))
    size = library_size(home.db) + HEADROOM
    before = worldlib.snapshot(home.db)
    script = (f"mount -t tmpfs -o size={size} tidings-full {data!r} && "
              f"cp -a {os.path.join(saved, 'tidings')!r}/. {data!r}/ && "
              f"{worldlib.TIDINGS!r} --refresh; status=$?; "
              f"rm -rf {os.path.join(saved, 'after')!r}; "
              f"cp -a {data!r} {os.path.join(saved, 'after')!r}; exit $status")
    command = [*prefix, "sh", "-c", script]

    def run_full():
        return subprocess.run(command, capture_output=True, text=True, env=home.env, timeout=300)
    proc = run_full()
    # What the refresh left on the full disk is the library from now on.
    shutil.rmtree(data)
    shutil.copytree(os.path.join(saved, "after"), data)
    shutil.rmtree(saved)
    full_refresh(home, "tmpfs", before, lambda: proc)


def skip(name, reason):
    worldlib.skip(name, reason)


def main():
    pages = tempfile.TemporaryDirectory(prefix="tidings-big-")
    server = worldlib.FeedServer("--feeds", str(FEEDS))
    try:
        # The server reads --dir once, at its start: the big feeds are
        # written first, then served by a server of their own.
        big_feeds(pages.name, server.base)
        big = worldlib.FeedServer("--dir", pages.name)
        try:
            rlimit_case(server, big.base)
            prefix = can_mount()
            if prefix is None:
                skip("tmpfs: a full tmpfs", "cannot mount a tmpfs here")
            else:
                tmpfs_case(server, big.base, prefix)
        finally:
            big.close()
    finally:
        server.close()
    return worldlib.finish()


if __name__ == "__main__":
    sys.exit(main())
