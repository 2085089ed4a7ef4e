#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""po/POTFILES.in against the sources: every file with a string marked for
translation is listed (else xgettext never sees its strings and they stay
English in every language), every listed file exists and still holds such a
string, and the list is sorted without repeats."""

import os
import re
import sys

from taplib import Checks

ROOT = os.environ.get("TIDINGS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
POTFILES = os.path.join(ROOT, "po", "POTFILES.in")

# Test programs, fuzz targets and benchmarks say nothing to users.
SKIP_DIRS = {"tests", "fuzz", "bench", "po", "flatpak", "subprojects", ".git"}
SOURCE_SUFFIXES = (".c", ".h")
MARKUP_SUFFIXES = (".ui", ".xml", ".xml.in", ".in")
# Data files xgettext reads by their format (ITS rules), not by markers.
FORMAT_FILES = re.compile(r"\.(desktop|metainfo\.xml|appdata\.xml|gschema\.xml)(\.in)*$")

C_MARKER = re.compile(r"(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dgettext"
                      r"|g_dpgettext2?|g_dcgettext)\s*\(")
# Comments go, string literals stay (a "https://" is no comment).
C_COMMENT_OR_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*',
                                 re.S)
MARKUP_MARKER = re.compile(r"""translatable\s*=\s*["']yes["']""")

CHECKS = Checks()
check = CHECKS.check


def marked(path):
    """Whether the file at @path (relative to ROOT) holds a translatable string."""
    try:
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return False
    if path.endswith(SOURCE_SUFFIXES):
        code = C_COMMENT_OR_STRING.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'" else " ",
                                       text)
        return C_MARKER.search(code) is not None
    if path.endswith(MARKUP_SUFFIXES):
        return MARKUP_MARKER.search(text) is not None
    return False


def source_files():
    for directory, subdirs, files in os.walk(ROOT):
        rel_dir = os.path.relpath(directory, ROOT)
        if rel_dir == ".":
            subdirs[:] = [d for d in subdirs
                          if d not in SKIP_DIRS and not d.startswith(("_build", "build", "."))]
        for name in files:
            if name.endswith(SOURCE_SUFFIXES + MARKUP_SUFFIXES):
                yield os.path.normpath(os.path.join(rel_dir, name))


def main():
    try:
        with open(POTFILES, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        print("1..1")
        print(f"not ok 1 - po/POTFILES.in can be read # {error}")
        return 1

    listed = [line.strip() for line in lines
              if line.strip() and not line.lstrip().startswith("#")]
    listed_set = set(listed)

    check("POTFILES.in lists something", len(listed) > 0)
    check("POTFILES.in is sorted", listed == sorted(listed),
          [a for a, b in zip(listed, sorted(listed)) if a != b][:3])
    check("POTFILES.in has no repeats", len(listed) == len(listed_set),
          sorted({p for p in listed if listed.count(p) > 1}))

    for path in listed:
        exists = os.path.isfile(os.path.join(ROOT, path))
        check(f"{path} exists", exists)
        if exists and not FORMAT_FILES.search(path):
            check(f"{path} still holds a translatable string", marked(path))

    needed = sorted(path for path in source_files() if marked(path))
    check("some source files hold translatable strings", len(needed) > 0)
    for path in needed:
        check(f"{path} is in POTFILES.in", path in listed_set)

    return CHECKS.finish()


if __name__ == "__main__":
    sys.exit(main())
