#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install` into a temporary folder puts every file where a desktop
looks for it, and the installed program starts as a desktop starts it, on a
bus of the test's own: from its desktop file with `gio launch`, then through
its D-Bus service file (DBusActivatable=true) with an Activate call. Each
time the window appears on the display and the application quits when
asked.

The tree is staged with DESTDIR, so the files name the real prefix; the bus
gets a copy of the installed D-Bus service file whose Exec has the staging
folder in front, and the program finds its modules relative to itself.

test-install.py MESON BUILDDIR APP_ID PREFIX BINDIR LIBDIR DATADIR MANDIR LOCALEDIR"""

import configparser
import os
import shutil
import subprocess
import sys
import tempfile
import time

from taplib import Checks

ROOT = os.environ["TIDINGS_SOURCE_ROOT"]
DEADLINE = 60  # seconds; a hang guard, not a speed check

CHECKS = Checks()
check = CHECKS.check


def desktop_entry(path, group):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    with open(path, encoding="utf-8") as handle:
        parser.read_file(handle)
    return parser[group]


def poll(what, interval=0.2):
    """what() until it returns something true, or None after DEADLINE."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = what()
        if value:
            return value
        time.sleep(interval)
    return None


def languages():
    with open(os.path.join(ROOT, "po", "LINGUAS"), encoding="utf-8") as handle:
        return [word for line in handle for word in line.split("#")[0].split()]


def check_files(root, app_id, dirs):
    """The installed files, each where the freedesktop.org specifications
    say a desktop looks."""
    prefix, bindir, libdir, datadir, mandir, localedir = dirs
    staged = lambda *parts: os.path.join(root + prefix, *parts)
    program = staged(bindir, "tidings")
    check("bin/: tidings, executable", os.access(program, os.X_OK), program)
    for module in ("libtidings-ui.so", "libtidings-web.so"):
        check(f"modules: {module}", os.path.isfile(staged(libdir, "tidings", module)))
    expected = {
        "applications/": staged(datadir, "applications", app_id + ".desktop"),
        "metainfo/": staged(datadir, "metainfo", app_id + ".metainfo.xml"),
        "icons: scalable": staged(datadir, "icons", "hicolor", "scalable", "apps",
                                  app_id + ".svg"),
        "icons: symbolic": staged(datadir, "icons", "hicolor", "symbolic", "apps",
                                  app_id + "-symbolic.svg"),
        "glib-2.0/schemas/": staged(datadir, "glib-2.0", "schemas", app_id + ".gschema.xml"),
        "dbus-1/services/": staged(datadir, "dbus-1", "services", app_id + ".service"),
        "man/man1/": staged(mandir, "man1", "tidings.1"),
    }
    for what, path in expected.items():
        check(f"{what} {os.path.basename(path)}", os.path.isfile(path), path)
    for language in languages():
        path = staged(localedir, language, "LC_MESSAGES", "tidings.mo")
        check(f"locale: {language}", os.path.isfile(path), path)

    desktop = desktop_entry(expected["applications/"], "Desktop Entry")
    check("desktop file: Exec is the installed program",
          desktop.get("Exec", "").split()[:1] == ["tidings"]
          and os.path.basename(program) == "tidings", desktop.get("Exec"))
    check("desktop file: Icon is the installed icon",
          desktop.get("Icon") + ".svg" == os.path.basename(expected["icons: scalable"]))
    service = desktop_entry(expected["dbus-1/services/"], "D-BUS Service")
    check("service file: names the application",
          service.get("Name") == app_id, service.get("Name"))
    check("service file: runs the installed program",
          service.get("Exec", "").split()
          == [os.path.join(prefix, bindir, "tidings"), "--gapplication-service"],
          service.get("Exec"))
    return program, expected


def main():
    (meson, builddir, app_id, prefix, bindir, libdir, datadir, mandir,
     localedir) = sys.argv[1:10]
    # Meson gives the directories relative to the prefix unless set absolute.
    rel = lambda d: os.path.relpath(d, prefix) if os.path.isabs(d) else d
    dirs = (prefix, rel(bindir), rel(libdir), rel(datadir), rel(mandir), rel(localedir))

    if not os.environ.get("DISPLAY") or shutil.which("xdotool") is None:
        print("1..0 # SKIP needs an X display and xdotool (build-aux/test runs under Xvfb)")
        return 0

    work = tempfile.TemporaryDirectory(prefix="tidings-install-")
    root = os.path.join(work.name, "root")
    install = subprocess.run([meson, "install", "-C", builddir, "--no-rebuild",
                              "--destdir", root],
                             capture_output=True, text=True, timeout=600)
    if not check("meson install --destdir: exit 0", install.returncode == 0,
                 install.stdout[-2000:] + install.stderr[-2000:]):
        return CHECKS.finish()

    program, files = check_files(root, app_id, dirs)
    share = os.path.join(root + prefix, dirs[3])
    schemas = os.path.dirname(files["glib-2.0/schemas/"])
    # The install's own post-install step skips a staged tree.
    compiled = subprocess.run(["glib-compile-schemas", "--strict", schemas],
                              capture_output=True, text=True)
    check("installed schema compiles", compiled.returncode == 0, compiled.stderr)

    # A home and a session bus of our own.
    home = os.path.join(work.name, "home")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY")}
    for name in ("DATA", "CONFIG", "CACHE", "STATE"):
        env[f"XDG_{name}_HOME"] = os.path.join(home, name.lower())
        os.makedirs(env[f"XDG_{name}_HOME"])
    env["XDG_RUNTIME_DIR"] = os.path.join(home, "runtime")
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    env["XDG_DATA_DIRS"] = share + ":" + env.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share")
    env["GSETTINGS_SCHEMA_DIR"] = schemas
    env["PATH"] = os.path.dirname(program) + ":" + env.get("PATH", "/usr/bin:/bin")
    env["LD_LIBRARY_PATH"] = os.path.join(root + prefix, dirs[2])
    env["GDK_BACKEND"] = "x11"
    # Judged by what it does: a warning from outside it (no notification
    # daemon on this bus) must not abort it.
    env["G_DEBUG"] = "gc-friendly"

    services = os.path.join(work.name, "services")
    os.makedirs(services)
    service = desktop_entry(files["dbus-1/services/"], "D-BUS Service")
    with open(os.path.join(services, app_id + ".service"), "w", encoding="utf-8") as handle:
        handle.write("[D-BUS Service]\nName=%s\nExec=%s\n"
                     % (service["Name"], root + service["Exec"]))
    config = os.path.join(work.name, "session.conf")
    socket = os.path.join(work.name, "bus")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
""")
    # No pipe: what the bus starts writes where the bus does.
    bus = subprocess.Popen(["dbus-daemon", "--config-file", config, "--nofork", "--nopidfile"],
                           stdout=subprocess.DEVNULL, env=env)
    pid = None
    try:
        env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + socket
        check("a session bus of our own", poll(lambda: os.path.exists(socket)))

        def gdbus(*args):
            return subprocess.run(["gdbus", *args], capture_output=True, text=True, env=env,
                                  timeout=DEADLINE + 30)

        path = "/" + app_id.replace(".", "/")
        log = os.path.join(work.name, "app.log")

        # gio launch runs the desktop file's Exec line (from a file it has no
        # desktop id, so no D-Bus activation); the program inherits its output.
        def gio_launch():
            with open(log, "w", encoding="utf-8") as output:
                launch = subprocess.run(["gio", "launch", files["applications/"]],
                                        stdout=output, stderr=subprocess.STDOUT, env=env,
                                        timeout=DEADLINE)
            return launch.returncode == 0

        # What the desktop does for DBusActivatable=true: the bus starts the
        # program through the service file.
        # gdbus waits 25 s for a reply by default; a sanitized build can take
        # longer to start and show its window.
        activation_error = []

        def activate():
            proc = gdbus("call", "--session", "--timeout", str(DEADLINE), "--dest", app_id,
                         "--object-path", path, "--method",
                         "org.freedesktop.Application.Activate", "{}")
            activation_error.append(proc.stderr)
            return proc.returncode == 0

        def owner_pid():
            proc = gdbus("call", "--session", "--dest", "org.freedesktop.DBus",
                         "--object-path", "/org/freedesktop/DBus",
                         "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", app_id)
            return int(proc.stdout.strip("()\n ,").split()[-1]) if proc.returncode == 0 else 0

        for how, start, argument in (("gio launch", gio_launch, None),
                                     ("D-Bus activation", activate, "--gapplication-service")):
            started = start()
            if not check(f"{how}: started", started,
                         "".join(activation_error) + (open(log, encoding="utf-8").read()
                                                      if os.path.exists(log) else "")):
                break
            pid = poll(owner_pid)
            if not check(f"{how}: {app_id} is on the bus", pid):
                break
            exe = os.readlink(f"/proc/{pid}/exe")
            check(f"{how}: the installed program runs", exe == program, exe)
            with open(f"/proc/{pid}/cmdline", encoding="utf-8") as handle:
                arguments = handle.read().split("\0")[1:-1]
            check(f"{how}: run as the desktop file or the service file says",
                  arguments == ([argument] if argument else []), arguments)

            def window():
                proc = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
                                      capture_output=True, text=True, env=env)
                return proc.stdout.split()[:1]

            found = poll(window)
            check(f"{how}: its window appears on the display", found)
            if found:
                name = subprocess.run(["xdotool", "getwindowname", found[0]],
                                      capture_output=True, text=True, env=env).stdout.strip()
                check(f"{how}: the window is Tidings'", "Tidings" in name, name)
            with open(f"/proc/{pid}/maps", encoding="utf-8") as handle:
                maps = handle.read()
            check(f"{how}: the window is the installed module's",
                  os.path.join(root + prefix, dirs[2], "tidings", "libtidings-ui.so") in maps)

            interfaces = gdbus("introspect", "--session", "--dest", app_id, "--object-path",
                               path)
            check(f"{how}: it offers org.freedesktop.Application",
                  "org.freedesktop.Application" in interfaces.stdout, interfaces.stderr)
            quit = gdbus("call", "--session", "--dest", app_id, "--object-path", path,
                         "--method", "org.gtk.Actions.Activate", "quit", "[]", "{}")
            check(f"{how}: app.quit accepted", quit.returncode == 0, quit.stderr)

            def gone(pid=pid):
                try:
                    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
                        return handle.read().split(")")[-1].split()[0] == "Z"
                except FileNotFoundError:
                    return True

            if not check(f"{how}: it quits when asked", poll(gone)):
                break
            pid = None
            # The name goes with the process; the next start needs it free.
            poll(lambda: not owner_pid())
    finally:
        if pid:
            subprocess.run(["kill", str(pid)])
        bus.terminate()
        bus.wait(timeout=30)
        work.cleanup()
    return CHECKS.finish()


if __name__ == "__main__":
    sys.exit(main())
