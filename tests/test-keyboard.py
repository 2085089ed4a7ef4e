#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keyboard end to end: real key events (xdotool, through the X server) into
the real `tidings` window, on a library made beforehand with the command
line against the loopback feed server. What each key did is read back from
the SQLite file and from the window's title (the article shown); when the
article list has been drawn is read from the window's benchmark hook. Every
step waits for a condition, never for a fixed time, so that the sanitizer
build, several times slower, passes as the plain one does.

Needs a display and xdotool (build-aux/test provides both under Xvfb);
without them the test skips."""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

TIDINGS = os.environ.get("TIDINGS_BIN")
FEED_SERVER = os.environ.get("TIDINGS_FEED_SERVER")
BUILD_DIR = os.environ.get("G_TEST_BUILDDIR", ".")
# A hang guard for each wait, not a speed limit: the sanitizer build
# (build-aux/asan) takes most of a minute to show the window on a busy machine.
TIMEOUT = 120

results = []


def check(name, condition, detail=""):
    results.append((bool(condition), name, detail))
    return bool(condition)


def wait_for(predicate, timeout=TIMEOUT, interval=0.05):
    """Polls @predicate until it returns something true; returns that or None."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


class FeedServer:
    """tidings-feed-server in a child process, driven through its stdin."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([FEED_SERVER, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.base = self.proc.stdout.readline().strip()
        assert self.base.startswith("http://127.0.0.1:"), self.base

    def url(self, path):
        return self.base + path

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


class Home:
    """A temporary XDG home with the library in data/tidings/tidings.db."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tidings-keys-")
        self.env = dict(os.environ)
        for name in ("DATA", "CONFIG", "CACHE", "STATE"):
            path = os.path.join(self.dir.name, name.lower())
            os.makedirs(path)
            self.env[f"XDG_{name}_HOME"] = path
        self.env["GSETTINGS_BACKEND"] = "memory"
        self.env["GDK_BACKEND"] = "x11"
        self.env.pop("WAYLAND_DISPLAY", None)
        # The app is judged by what it does; a warning from outside it (say,
        # GLib finding no notification daemon on the test's bus) must not
        # abort it as fatal-warnings would.
        self.env["G_DEBUG"] = "gc-friendly"
        self.db = os.path.join(self.dir.name, "data", os.environ["TIDINGS_DATA_DIR_NAME"],
                               "tidings.db")
        self.connection = None

    def run(self, *args):
        return subprocess.run([TIDINGS, *args], capture_output=True, text=True, env=self.env,
                              timeout=120)

    def open_db(self):
        """One connection for the whole run, opened before the app starts and
        closed after it quits: a connection that closes while the app runs
        may believe it is the last one and remove the WAL file, should the
        app have lost its POSIX locks on the database (see the report on
        check_header() in tidings-store.c)."""
        self.connection = sqlite3.connect(self.db, timeout=10, isolation_level=None)

    def close_db(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def query(self, sql, *params):
        if self.connection is None:
            with sqlite3.connect(self.db, timeout=10) as db:
                rows = db.execute(sql, params).fetchall()
            db.close()
            return rows
        return self.connection.execute(sql, params).fetchall()

    def state(self, title):
        """(read, starred) of the article titled @title."""
        rows = self.query("SELECT s.read, s.starred FROM articles a"
                          " JOIN article_states s ON s.article_id = a.id WHERE a.title = ?", title)
        return tuple(rows[0]) if rows else None

    def unread_in_section(self, section):
        return self.query("SELECT count(*) FROM article_states s"
                          " JOIN subscriptions f ON f.id = s.subscription_id"
                          " JOIN sections c ON c.id = f.section_id"
                          " WHERE c.title = ? AND s.read = 0", section)[0][0]

    def unread_outside(self, section):
        return self.query("SELECT count(*) FROM article_states s"
                          " JOIN subscriptions f ON f.id = s.subscription_id"
                          " LEFT JOIN sections c ON c.id = f.section_id"
                          " WHERE (c.title IS NULL OR c.title != ?) AND s.read = 0", section)[0][0]


class WindowEvents:
    """What the window writes to TIDINGS_BENCH_FD (see bench_init() in
    src/ui/tidings-window.c): "list-query" when the article list is asked for
    other articles, "list-drawn" or "section-drawn" once a frame shows them,
    "stall-max" when a refresh ends. Read on a thread; only the order counts
    here, the times are the benchmark's business."""

    DRAWN = ("list-drawn", "section-drawn")

    def __init__(self):
        self.read_fd, self.write_fd = os.pipe()
        self.events = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        with os.fdopen(self.read_fd, "r") as pipe:
            for line in pipe:
                if line.split():
                    self.events.append(line.split()[0])

    def mark(self):
        return len(self.events)

    def seen(self, name, since=0):
        return name in self.events[since:]

    def list_drawn(self, since):
        """Whether a list was asked for after @since and the last one asked for
        has been drawn."""
        events = self.events[since:]
        if "list-query" not in events:
            return False
        last = len(events) - 1 - events[::-1].index("list-query")
        return any(event in self.DRAWN for event in events[last + 1:])


class App:
    """`tidings` on the test's display, and its window."""

    def __init__(self, home):
        self.home = home
        self.log = tempfile.TemporaryFile(mode="w+")
        self.events = WindowEvents()
        env = dict(home.env, TIDINGS_BENCH_FD=str(self.events.write_fd))
        self.proc = subprocess.Popen([TIDINGS], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, pass_fds=(self.events.write_fd,))
        os.close(self.events.write_fd)
        self.window = wait_for(self.find_window)

    def find_window(self):
        if self.proc.poll() is not None:
            return None
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid",
                                str(self.proc.pid)], capture_output=True, text=True)
        ids = found.stdout.split()
        return ids[0] if ids else None

    def title(self):
        found = subprocess.run(["xdotool", "getwindowname", self.window], capture_output=True,
                               text=True)
        return found.stdout.strip()

    def focus(self):
        subprocess.run(["xdotool", "windowfocus", "--sync", self.window], capture_output=True)

    def key(self, *keys):
        self.focus()
        subprocess.run(["xdotool", "key", "--delay", "80", *keys], check=True)

    def type(self, text):
        self.focus()
        subprocess.run(["xdotool", "type", "--delay", "60", text], check=True)

    def wait_title(self, predicate, timeout=TIMEOUT):
        return wait_for(lambda: predicate(self.title()) and self.title(), timeout=timeout)

    def wait_list_drawn(self, since):
        """Waits until the list asked for after the mark @since is drawn."""
        return wait_for(lambda: self.events.list_drawn(since))

    def screenshot(self, name):
        directory = os.path.join(BUILD_DIR, "screenshots")
        os.makedirs(directory, exist_ok=True)
        if shutil.which("import"):
            subprocess.run(["import", "-window", self.window, os.path.join(directory, name)],
                           capture_output=True, timeout=60)

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def article_of(title):
    """"Feed 1, item 7 – Tidings" -> "Feed 1, item 7"."""
    suffix = " – Tidings"
    return title[:-len(suffix)] if title.endswith(suffix) else None


def make_library(home, server):
    opml = os.path.join(home.dir.name, "subscriptions.opml")
    with open(opml, "w", encoding="utf-8") as handle:
        handle.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Keys</title></head><body>
<outline text="Harbour">
  <outline type="rss" text="Zero" xmlUrl="{server.url('/feed/0.xml')}"/>
  <outline type="rss" text="One" xmlUrl="{server.url('/feed/1.xml')}"/>
</outline>
<outline text="Weather">
  <outline type="rss" text="Two" xmlUrl="{server.url('/feed/2.xml')}"/>
</outline>
</body></opml>
""")
    proc = home.run("--import-opml", opml)
    check("fixture: import the OPML", proc.returncode == 0, proc.stderr)
    proc = home.run("--refresh")
    check("fixture: refresh", proc.returncode == 0, proc.stderr)
    count = home.query("SELECT count(*) FROM articles")[0][0]
    check("fixture: 15 articles", count == 15, count)


def search(app, words, predicate):
    """/, @words, Enter: returns the window title once Enter has opened an
    article whose title @predicate accepts, None if it never does.

    It waits for conditions, not for a time: Enter only once the list asked
    for after the typing has been drawn (the results come from the reader
    thread). Under the sanitizer build the window can be seconds behind the
    keys: keys that reach the search entry before its bar has drawn a first
    frame are lost (no list is asked for then), and an Enter that comes
    before the last words were looked up only moves on to the list. Either
    way the round starts again, replacing whatever the entry holds."""
    for _ in range(6):
        mark = app.events.mark()
        app.key("slash")
        app.key("ctrl+a")
        app.type(words)
        wait_for(lambda: app.events.list_drawn(mark), timeout=30)
        app.key("Return")
        found = app.wait_title(predicate, timeout=10)
        if found:
            return found
    return None


def walk(home, app):
    # The first key opens the first article of All (newest first).
    app.key("j")
    first = article_of(app.wait_title(lambda t: article_of(t)) or "")
    check("j opens an article (window title)", first, app.title())
    check("j: the article is marked read",
          wait_for(lambda: home.state(first) == (1, 0)), home.state(first))

    app.key("j")
    second = article_of(app.wait_title(lambda t: article_of(t) not in (None, first)) or "")
    check("j again opens the next article", second and second != first, app.title())
    check("j again: marked read", wait_for(lambda: home.state(second) == (1, 0)),
          home.state(second))

    app.key("k")
    check("k goes back to the first", app.wait_title(lambda t: article_of(t) == first),
          app.title())

    app.key("s")
    check("s stars it", wait_for(lambda: home.state(first) == (1, 1)), home.state(first))

    app.key("m")
    check("m marks it unread", wait_for(lambda: home.state(first) == (0, 1)), home.state(first))

    # n: the next unread after the first; the second was read, so the third.
    app.key("n")
    third = article_of(app.wait_title(lambda t: article_of(t) not in (None, first, second))
                       or "")
    check("n skips the read article", third and third not in (first, second), app.title())
    check("n: the third is read now", wait_for(lambda: home.state(third) == (1, 0)),
          home.state(third))
    check("n left the article m marked unread alone", home.state(first) == (0, 1),
          home.state(first))

    # History: first, second, first, third; Alt+Left goes back to the first.
    app.key("alt+Left")
    check("Alt+Left goes back to the article read before",
          app.wait_title(lambda t: article_of(t) == first), app.title())
    app.key("alt+Right")
    check("Alt+Right goes forward again", app.wait_title(lambda t: article_of(t) == third),
          app.title())

    # Search: / then words, Enter opens the first result.
    found = search(app, "item 3", lambda t: (article_of(t) or "").endswith("item 3"))
    check("/ searches as one types; Enter opens a result", found, app.title())
    app.screenshot("keyboard-search.png")
    # Enter left the focus on the results; from there Escape ends the
    # search, and the list of every article comes back.
    mark = app.events.mark()
    app.key("Escape")
    check("Escape from the results ends the search", app.wait_list_drawn(mark),
          app.events.events[mark:])

    # Shift+J four times: Unread, Starred, Today, then the first section.
    harbour_before = home.unread_in_section("Harbour")
    others_before = home.unread_outside("Harbour")
    check("Harbour has unread articles before Shift+A", harbour_before > 0, harbour_before)
    app.key("g", "a")
    # One Shift+J at a time, each once the list it asks for is drawn: when
    # the window is seconds behind (the sanitizer build), of four presses
    # queued at once only two came through.
    moved = 0
    for _ in range(4):
        mark = app.events.mark()
        app.key("shift+j")
        moved += bool(app.wait_list_drawn(mark))
    check("Shift+J moves down the sidebar, a list each time", moved == 4, moved)
    app.key("shift+a")
    check("Shift+A marks the whole section read",
          wait_for(lambda: home.unread_in_section("Harbour") == 0),
          home.unread_in_section("Harbour"))
    check("Shift+A leaves the other sections alone",
          home.unread_outside("Harbour") == others_before,
          (home.unread_outside("Harbour"), others_before))
    app.screenshot("keyboard-section.png")

    # Ctrl+Q quits.
    app.key("ctrl+q")
    try:
        code = app.proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        code = None
    check("Ctrl+Q quits", code == 0, code)


def main():
    if not os.environ.get("DISPLAY") or not shutil.which("xdotool"):
        print("1..0 # SKIP needs a display and xdotool")
        return 0
    if not TIDINGS or not FEED_SERVER:
        print("Bail out! TIDINGS_BIN and TIDINGS_FEED_SERVER must be set (meson test sets them)")
        return 1

    home = Home()
    server = FeedServer("--feeds", "3", "--items", "5")
    try:
        make_library(home, server)
    finally:
        # The app refreshes on start; with the server gone that refresh ends
        # at once (every feed failing) instead of racing the keys.
        server.close()

    home.open_db()
    app = App(home)
    try:
        if check("the window appears", app.window, app.output()):
            # Let the first list be drawn and the start-up refresh finish
            # (every feed failing, the server being gone) before typing.
            check("the window draws the article list",
                  wait_for(lambda: app.events.seen("list-drawn")), app.events.events)
            wait_for(lambda: app.events.seen("stall-max") and
                     home.query("SELECT count(*) FROM subscriptions"
                                " WHERE last_error IS NULL")[0][0] == 0)
            walk(home, app)
    finally:
        app.close()
        home.close_db()

    print(f"1..{len(results)}")
    for number, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
    if not all(ok for ok, _, _ in results):
        for line in app.output().splitlines()[-40:]:
            print(f"# app: {line}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
