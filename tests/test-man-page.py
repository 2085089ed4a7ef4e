#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The manual page and `tidings --help` against each other: every option the
program knows is described in both, with nothing in the manual page that
the program does not know, and groff reads the page without a warning."""

import os
import re
import shutil
import subprocess
import sys

from taplib import Checks

TIDINGS = os.environ["TIDINGS_BIN"]
ROOT = os.environ["TIDINGS_SOURCE_ROOT"]
MAN_PAGE = os.path.join(ROOT, "data", "tidings.1")

CHECKS = Checks()
check = CHECKS.check


def run(*args):
    # No display and no bus: --help must not need them.
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env["LC_ALL"] = "C.UTF-8"
    return subprocess.run([TIDINGS, *args], capture_output=True, text=True, env=env, timeout=60)


# "  -p, --parse=PATH|URL       Parse one feed ..." or "  --refresh   Fetch ..."
HELP_LINE = re.compile(r"^  (?:-(?P<short>\w), )?--(?P<long>[a-z][a-z0-9-]*)(?:=\S+)?"
                       r"(?P<description>.*)$")


def help_options(text):
    """{long name: (short name or None, description)} from --help output."""
    options = {}
    for line in text.splitlines():
        match = HELP_LINE.match(line)
        if match:
            options[match.group("long")] = (match.group("short"),
                                            match.group("description").strip())
    return options


def man_options(text):
    """{long name: short name or None} for each tagged paragraph (.TP) of the
    page whose tag names an option."""
    options = {}
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.strip() != ".TP":
            continue
        tag = lines[i + 1].replace("\\-", "-")
        longs = re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", tag)
        shorts = re.findall(r"(?<![\w-])-(\w)\b(?!-)", tag)
        for name in longs:
            options[name] = shorts[0] if shorts else None
    return options


def main():
    with open(MAN_PAGE, encoding="utf-8") as handle:
        page = handle.read()

    everything = run("--help-all")
    check("--help-all: exit 0 without a display", everything.returncode == 0,
          everything.stderr)
    usual = run("--help")
    check("--help: exit 0 without a display", usual.returncode == 0, usual.stderr)

    program = help_options(everything.stdout)
    shown = help_options(usual.stdout)
    documented = man_options(page)
    check("--help-all lists options", len(program) >= 10, program)

    for name, (short, description) in sorted(program.items()):
        check(f"--{name}: has a description in --help-all", description, everything.stdout)
        check(f"--{name}: described in the manual page", name in documented, sorted(documented))
        check(f"--{name}: same short option in the manual page",
              documented.get(name, "missing") == short, (short, documented.get(name)))
        # --help leaves out only GApplication's own group.
        if not name.startswith("gapplication-"):
            check(f"--{name}: in --help", name in shown, usual.stdout)
    for name in sorted(set(documented) - set(program)):
        check(f"--{name}: the manual page describes an option the program does not know",
              False)

    # The modes are shown with what they take.
    for mode, argument in (("parse", "PATH|URL"), ("add", "URL"), ("feed", "URL"),
                           ("section", "NAME"), ("import-opml", "FILE"),
                           ("export-opml", "FILE")):
        check(f"--help: --{mode}={argument}", f"--{mode}={argument}" in usual.stdout,
              usual.stdout)
    check("--help: says what the program is for", "Usage:" in usual.stdout
          and re.search(r"feed", usual.stdout.split("Help Options:")[0]), usual.stdout)

    # groff -ww: every warning; -z: no output, just the reading.
    groff = shutil.which("groff")
    if groff is None and os.path.exists("/.flatpak-info"):
        check("groff reads the manual page without warnings "
              "# SKIP the Flatpak SDK has no groff", True)
    else:
        check("groff is installed (build-aux/deps.sh: groff-base)", groff)
        if groff:
            lint = subprocess.run([groff, "-ww", "-z", "-man", "-Tutf8", MAN_PAGE],
                                  capture_output=True, text=True, timeout=60)
            check("groff reads the manual page without warnings",
                  lint.returncode == 0 and not lint.stderr.strip(), lint.stderr)

    return CHECKS.finish()


if __name__ == "__main__":
    sys.exit(main())
