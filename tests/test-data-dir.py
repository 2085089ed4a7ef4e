#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the library lives. A release keeps it in $XDG_DATA_HOME/tidings/, so
that an update finds the library of the version before; a development build
(io.github.tidings.Tidings.Devel) keeps it in tidings-devel/, beside it and
apart, and never opens a release's. Run with the build's application id:
test-data-dir.py APP_ID"""

import os
import subprocess
import sys
import tempfile

from taplib import Checks

TIDINGS = os.environ["TIDINGS_BIN"]
CHECKS = Checks()
check = CHECKS.check

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Two feeds</title></head>
  <body>
    <outline text="Harbour">
      <outline type="rss" text="Tide Tables" xmlUrl="http://127.0.0.1:9/tides.xml"/>
    </outline>
    <outline type="rss" text="Lighthouse Log" xmlUrl="http://127.0.0.1:9/lighthouse.xml"/>
  </body>
</opml>
"""
# What the other flavour's folder holds before the run; it must stay so.
FOREIGN = b"not this build's library\n"


def main():
    app_id = sys.argv[1]
    development = app_id.endswith(".Devel")
    ours = "tidings-devel" if development else "tidings"
    theirs = "tidings" if development else "tidings-devel"
    flavour = "development" if development else "release"

    with tempfile.TemporaryDirectory(prefix="tidings-data-dir-") as home:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
        for name in ("DATA", "CONFIG", "CACHE", "STATE"):
            env[f"XDG_{name}_HOME"] = os.path.join(home, name.lower())
            os.makedirs(env[f"XDG_{name}_HOME"])
        data = env["XDG_DATA_HOME"]
        os.makedirs(os.path.join(data, theirs))
        foreign = os.path.join(data, theirs, "tidings.db")
        with open(foreign, "wb") as handle:
            handle.write(FOREIGN)
        opml = os.path.join(home, "two.opml")
        with open(opml, "w", encoding="utf-8") as handle:
            handle.write(OPML)

        def run(*args):
            return subprocess.run([TIDINGS, *args], capture_output=True, text=True, env=env,
                                  timeout=120)

        proc = run("--import-opml", opml)
        check("import: exit 0", proc.returncode == 0, proc.stderr)
        check(f"{flavour} build: the library is {ours}/tidings.db",
              os.path.isfile(os.path.join(data, ours, "tidings.db")), sorted(os.listdir(data)))
        backup = os.path.join(data, ours, "subscriptions-backup.opml")
        check(f"{flavour} build: the backup is beside it", os.path.isfile(backup),
              os.listdir(os.path.join(data, ours)) if os.path.isdir(os.path.join(data, ours))
              else "no folder")
        if os.path.isfile(backup):
            with open(backup, encoding="utf-8") as handle:
                text = handle.read()
            check("the backup holds the imported feeds",
                  "http://127.0.0.1:9/tides.xml" in text
                  and "http://127.0.0.1:9/lighthouse.xml" in text, text)
        check(f"{flavour} build: nothing else in $XDG_DATA_HOME",
              sorted(os.listdir(data)) == sorted([ours, theirs]), sorted(os.listdir(data)))
        with open(foreign, "rb") as handle:
            check(f"{flavour} build: {theirs}/ is left alone",
                  handle.read() == FOREIGN and os.listdir(os.path.join(data, theirs))
                  == ["tidings.db"], os.listdir(os.path.join(data, theirs)))

        proc = run("--export-opml", "-")
        check("export: exit 0", proc.returncode == 0, proc.stderr)
        check("export: the same library is read back",
              "http://127.0.0.1:9/tides.xml" in proc.stdout and "Harbour" in proc.stdout,
              proc.stdout)

    return CHECKS.finish()


if __name__ == "__main__":
    sys.exit(main())
