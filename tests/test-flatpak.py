#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifests, checked statically (this machine cannot reach
Flathub to build them): valid JSON, the right ids, exactly the permissions we
allow, the command the build installs, an app module meson can build, no
module the GNOME runtime already has, and a release built from the tag of
the version meson builds (test-flatpak.py VERSION)."""

import json
import os
import re
import sys

ROOT = os.environ.get("TIDINGS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
APP_ID = "io.github.tidings.Tidings"
ALLOWED = {"--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11",
           "--device=dri"}
# Everything Tidings links is in org.gnome.Platform (GTK 4, libadwaita,
# WebKitGTK 6.0, libsoup 3, json-glib, libxml2, SQLite); a module of its own
# for any of them would only be a second copy to keep up to date.
IN_RUNTIME = {"gtk", "gtk4", "libadwaita", "webkitgtk", "webkitgtk-6.0", "libsoup", "libsoup3",
              "json-glib", "libxml2", "sqlite", "sqlite3", "glib", "brotli", "zlib"}
VERSION = sys.argv[1] if len(sys.argv) > 1 else None

results = []


def check(name, condition, detail=""):
    results.append((bool(condition), name, detail))


def executable_name():
    """The name of the program src/meson.build builds and installs."""
    with open(os.path.join(ROOT, "src", "meson.build"), encoding="utf-8") as handle:
        match = re.search(r"executable\(\s*'([^']+)'", handle.read())
    return match.group(1) if match else None


def check_manifest(path, app_id, development):
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError) as error:
        check(f"{name}: valid JSON", False, str(error))
        return None
    check(f"{name}: valid JSON", True)
    check(f"{name}: app id {app_id}", manifest.get("app-id") == app_id, manifest.get("app-id"))
    check(f"{name}: GNOME runtime and SDK",
          manifest.get("runtime") == "org.gnome.Platform"
          and manifest.get("sdk") == "org.gnome.Sdk", manifest.get("runtime"))
    args = manifest.get("finish-args", [])
    check(f"{name}: finish-args exactly the allowed set",
          set(args) == ALLOWED and len(args) == len(ALLOWED), args)
    check(f"{name}: no filesystem access", not any("filesystem" in a for a in args), args)
    check(f"{name}: command is the installed program",
          manifest.get("command") == executable_name(), manifest.get("command"))
    modules = manifest.get("modules", [])
    app = modules[-1] if modules else {}
    names = [m.get("name", "") if isinstance(m, dict) else m for m in modules]
    check(f"{name}: no module the runtime already has",
          not any(n.lower() in IN_RUNTIME for n in names), names)
    check(f"{name}: the last module is Tidings, built with meson",
          app.get("name") == "tidings" and app.get("buildsystem") == "meson", app)
    sources = app.get("sources", [])
    if development:
        check(f"{name}: builds the checkout (a dir source)",
              any(s.get("type") == "dir" and s.get("path") == ".." for s in sources), sources)
        check(f"{name}: development build", "-Ddevelopment=true" in app.get("config-opts", []),
              app.get("config-opts"))
        check(f"{name}: runs the tests", app.get("run-tests") is True, app.get("run-tests"))
        commands = " ".join(app.get("test-commands", []))
        check(f"{name}: runs only the suites that need no display",
              "--suite" in commands and "ui" not in commands.split(), commands)
    else:
        check(f"{name}: a git source pinned to a tag",
              any(s.get("type") == "git" and s.get("tag") for s in sources), sources)
        check(f"{name}: the tag is v{VERSION}, the version meson builds",
              [s.get("tag") for s in sources if s.get("type") == "git"] == [f"v{VERSION}"],
              sources)
        check(f"{name}: no development options", "config-opts" not in app
              or "-Ddevelopment=true" not in app["config-opts"], app.get("config-opts"))
    return manifest


def main():
    release = check_manifest(os.path.join(ROOT, "flatpak", f"{APP_ID}.json"), APP_ID, False)
    devel = check_manifest(os.path.join(ROOT, "flatpak", f"{APP_ID}.Devel.json"),
                           f"{APP_ID}.Devel", True)
    if release and devel:
        check("both manifests on the same GNOME runtime version",
              release.get("runtime-version") and release.get("runtime-version")
              == devel.get("runtime-version"),
              (release.get("runtime-version"), devel.get("runtime-version")))
    print(f"1..{len(results)}")
    for number, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            print(f"# {detail}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
