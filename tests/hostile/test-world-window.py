#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The window in a hostile world (under Xvfb with a session bus, as
build-aux/test runs it): started on a damaged library, it says so in a
dialog, keeps the damaged file aside and opens a new library holding the
subscriptions of the backup; a second launch hands over to the first
(GApplication uniqueness) and opens no second window; a `tidings --add`
beside it stores a feed, and the window shows its articles. Skips without a
display, a session bus or xdotool."""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worldlib  # noqa: E402
from worldlib import check  # noqa: E402

BUILD_DIR = os.environ.get("G_TEST_BUILDDIR", ".")
TIMEOUT = 60


def wait_for(predicate, timeout=TIMEOUT, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def windows_of(pid):
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
                           capture_output=True, text=True)
    return found.stdout.split()


def window_name(window):
    found = subprocess.run(["xdotool", "getwindowname", window], capture_output=True, text=True)
    return found.stdout.strip()


def screenshot(name):
    directory = os.path.join(BUILD_DIR, "screenshots")
    os.makedirs(directory, exist_ok=True)
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", os.path.join(directory, name)],
                       capture_output=True, timeout=60)


class App:
    def __init__(self, env):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([worldlib.TIDINGS], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

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


def window_env(home):
    """The command line's home, with the display and the bus given back."""
    env = dict(os.environ)
    for key, value in home.env.items():
        if key.startswith("XDG_"):
            env[key] = value
    env["GDK_BACKEND"] = "x11"
    env.pop("WAYLAND_DISPLAY", None)
    # Judged by what it does: a warning from outside it (no notification
    # daemon on the test's bus, say) must not abort it.
    env["G_DEBUG"] = "gc-friendly"
    # The web view's helpers may outlive the app by a moment: nothing of
    # theirs in the home that the test removes.
    env["MESA_SHADER_CACHE_DISABLE"] = "true"
    # This test is about the library, not about fetching: the refresh on
    # start finds its server gone and ends at once.
    return env


def main():
    if (not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS")
            or not shutil.which("xdotool")):
        print("1..0 # SKIP needs a display, a session bus and xdotool")
        return 0

    home = worldlib.Home()
    server = worldlib.FeedServer("--feeds", "4", "--items", "5")
    try:
        body = "".join(f"<outline text='Feed {n}' xmlUrl='{server.url(f'/feed/{n}.xml')}'/>"
                       for n in range(4))
        path = worldlib.write(os.path.join(home.dir.name, "mine.opml"),
                              f"<opml version='2.0'><body><outline text='Harbour'>{body}"
                              f"</outline></body></opml>")
        proc = home.run("--import-opml", path)
        check("fixture: 4 feeds and their backup", proc.returncode == 0, proc.stderr)
    finally:
        server.close()

    garbage = os.urandom(32768)
    with open(home.db, "wb") as handle:
        handle.write(garbage)

    env = window_env(home)
    first = App(env)
    try:
        shown = wait_for(lambda: len(windows_of(first.proc.pid)) >= 2 and windows_of(
            first.proc.pid))
        # Mapped is not yet drawn.
        time.sleep(2.0)
        screenshot("hostile-world-recovered.png")
        check("damaged library: the window and a dialog appear", shown, first.output())
        names = [window_name(w) for w in shown or []]
        print(f"# windows: {names}")
        damaged = glob.glob(home.db + ".damaged-*")
        damaged = [p for p in damaged if not p.endswith(("-wal", "-shm"))]
        check("damaged library: the damaged file is kept aside, byte for byte",
              len(damaged) == 1 and open(damaged[0], "rb").read() == garbage, damaged)
        check("damaged library: the log says what happened",
              "damaged" in first.output() and "4 subscriptions restored" in first.output(),
              first.output())
        check("damaged library: the new library holds the 4 subscriptions",
              wait_for(lambda: home.query("SELECT count(*) FROM subscriptions") == [(4,)], 10),
              home.query("SELECT count(*) FROM subscriptions"))

        before = set(windows_of(first.proc.pid))
        second = subprocess.run([worldlib.TIDINGS], env=env, capture_output=True, text=True,
                                timeout=TIMEOUT)
        check("second launch: hands over and exits 0", second.returncode == 0,
              second.stdout + second.stderr)
        time.sleep(1.0)
        after = set(windows_of(first.proc.pid))
        check("second launch: the first instance still runs", first.proc.poll() is None,
              first.output())
        check("second launch: no second main window (the first one was presented)",
              len(after - before) == 0 and len(after) >= 1, f"{before} -> {after}")
        again = [p for p in glob.glob(home.db + ".damaged-*")
                 if not p.endswith(("-wal", "-shm"))]
        check("second launch: nothing is put aside twice", again == damaged, again)

        # A command-line --add while the window runs: the window shows what
        # it stored (the library watches the file for other programs'
        # commits). "j" opens the first article of All, newest first.
        main_window = next((w for w in after if window_name(w) == "Tidings"), None)
        dialog = next((w for w in after if window_name(w) != "Tidings"), None)
        if dialog:
            subprocess.run(["xdotool", "windowfocus", "--sync", dialog], capture_output=True)
            subprocess.run(["xdotool", "key", "Escape"], capture_output=True)
        check("the dialog closes with Escape",
              wait_for(lambda: len(windows_of(first.proc.pid)) == 1, 10),
              windows_of(first.proc.pid))
        live = worldlib.FeedServer("--feeds", "3", "--items", "5")
        try:
            proc = home.run("--add", live.url("/feed/2.xml"))
            check("beside the window: tidings --add stores a feed", proc.returncode == 0
                  and "5 " in proc.stdout, proc.stdout + proc.stderr)
        finally:
            live.close()

        def opened():
            subprocess.run(["xdotool", "windowfocus", "--sync", main_window],
                           capture_output=True)
            subprocess.run(["xdotool", "key", "j"], capture_output=True)
            time.sleep(0.5)
            title = window_name(main_window)
            return title if title.startswith("Feed 2, item") else None
        title = wait_for(opened, 30, 0.5) if main_window else None
        time.sleep(1.0)
        screenshot("hostile-world-picked-up.png")
        check("beside the window: the window picks up the articles the command line stored",
              title, window_name(main_window) if main_window else "no main window")
    finally:
        first.close()

    return worldlib.finish()


if __name__ == "__main__":
    sys.exit(main())
