#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The translations in po/LINGUAS: each compiles under `msgfmt --check`
(formats, plural forms, header) and is complete: no untranslated or fuzzy
message, and every message of the sources present (a template extracted
now with xgettext, as `ninja tidings-pot` does, so a new string cannot stay
English unnoticed until someone regenerates po/tidings.pot). With the
build's catalogs (TIDINGS_LOCALEDIR), `tidings --help` speaks Ukrainian when
uk is listed. An empty LINGUAS passes: there is nothing to check yet."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

from taplib import Checks

ROOT = os.environ.get("TIDINGS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
PO_DIR = os.path.join(ROOT, "po")
STATISTICS = re.compile(r"(\d+) translated messages?"
                        r"(?:, (\d+) fuzzy translations?)?"
                        r"(?:, (\d+) untranslated messages?)?")
CYRILLIC = re.compile("[\u0400-\u04ff]")

# meson's i18n 'glib' preset, which po/meson.build uses for tidings-pot.
XGETTEXT_ARGS = [
    "--package-name=tidings", "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
    "--flag=g_snprintf:3:c-format",
]

CHECKS = Checks()
check = CHECKS.check


def read_linguas():
    with open(os.path.join(PO_DIR, "LINGUAS"), encoding="utf-8") as handle:
        languages = []
        for line in handle:
            line = line.split("#", 1)[0]
            languages.extend(line.split())
        return languages


def extract_template(directory):
    """The messages of the sources in POTFILES.in, as po/tidings.pot would
    have them if regenerated now; None when xgettext is missing or fails."""
    xgettext = shutil.which("xgettext")
    check("xgettext is installed (Debian: gettext)", xgettext is not None)
    if xgettext is None:
        return None
    template = os.path.join(directory, "tidings.pot")
    run = subprocess.run([xgettext, "-f", os.path.join(PO_DIR, "POTFILES.in"), "-D", ROOT,
                          "-k_", "-o", template] + XGETTEXT_ARGS,
                         capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    check("xgettext extracts the messages of the sources", run.returncode == 0,
          run.stderr.strip().replace("\n", "\n# ")[:2000])
    return template if run.returncode == 0 else None


def check_language(lang, msgfmt, msgcmp, template):
    po = os.path.join(PO_DIR, lang + ".po")
    check(f"{lang}: po/{lang}.po exists", os.path.isfile(po))
    if not os.path.isfile(po):
        return
    run = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, po],
                         capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    check(f"{lang}: msgfmt --check finds no error", run.returncode == 0,
          run.stderr.strip().replace("\n", "\n# "))
    match = STATISTICS.search(run.stderr)
    check(f"{lang}: msgfmt reports statistics", match is not None, run.stderr.strip())
    if match is None:
        return
    translated, fuzzy, untranslated = (int(g or 0) for g in match.groups())
    check(f"{lang}: messages translated", translated > 0, match.group(0))
    check(f"{lang}: no fuzzy translation", fuzzy == 0, match.group(0))
    check(f"{lang}: no untranslated message", untranslated == 0, match.group(0))

    check(f"{lang}: msgcmp is installed (Debian: gettext)", msgcmp is not None)
    if template is not None and msgcmp is not None:
        # Every message of the sources, not only of the .po as it was last
        # merged: a new string must not stay English unnoticed.
        run = subprocess.run([msgcmp, "--use-untranslated", po, template],
                             capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
        check(f"{lang}: has every message of the sources", run.returncode == 0,
              run.stderr.strip().replace("\n", "\n# ")[:2000])


def check_help_in_ukrainian():
    """`tidings --help` through the build's catalogs, as a Ukrainian user."""
    program = os.environ.get("TIDINGS_BIN")
    localedir = os.environ.get("TIDINGS_LOCALEDIR")
    if not program or not localedir:
        check("tidings --help in Ukrainian: TIDINGS_BIN and TIDINGS_LOCALEDIR set", False)
        return
    catalog = os.path.join(localedir, "uk", "LC_MESSAGES", "tidings.mo")
    check("uk: the build compiled its catalog", os.path.isfile(catalog), catalog)
    env = dict(os.environ, LANGUAGE="uk", LANG="uk_UA.UTF-8", LC_ALL="uk_UA.UTF-8")
    try:
        run = subprocess.run([program, "--help"], capture_output=True, text=True, env=env,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        check("tidings --help in Ukrainian: runs", False, error)
        return
    check("tidings --help in Ukrainian: exits 0", run.returncode == 0, run.stderr.strip())
    # The option's own line, not another option's that mentions it.
    lines = [line for line in run.stdout.splitlines()
             if re.match(r"\s+--refresh\s", line)]
    check("tidings --help in Ukrainian: lists --refresh", len(lines) == 1, run.stdout)
    if lines:
        check("tidings --help in Ukrainian: --refresh is described in Ukrainian",
              CYRILLIC.search(lines[0]) is not None
              and "Fetch every subscribed feed" not in lines[0], lines[0])


def main():
    try:
        languages = read_linguas()
    except OSError as error:
        print("1..1")
        print(f"not ok 1 - po/LINGUAS can be read # {error}")
        return 1

    check("po/LINGUAS lists each language once", len(languages) == len(set(languages)),
          languages)
    if languages:
        msgfmt = shutil.which("msgfmt")
        msgcmp = shutil.which("msgcmp")
        check("msgfmt is installed (Debian: gettext)", msgfmt is not None)
        if msgfmt is not None:
            with tempfile.TemporaryDirectory(prefix="tidings-pot-") as directory:
                template = extract_template(directory)
                for lang in languages:
                    check_language(lang, msgfmt, msgcmp, template)
    if "uk" in languages:
        check_help_in_ukrainian()

    return CHECKS.finish()


if __name__ == "__main__":
    sys.exit(main())
