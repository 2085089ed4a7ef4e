# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks gathered as they run and printed as TAP at the end, for the small
static test scripts (POTFILES.in, translations)."""

import sys


class Checks:
    def __init__(self):
        self.results = []

    def check(self, name, condition, detail=""):
        self.results.append((bool(condition), name, detail))
        return bool(condition)

    def finish(self):
        """Prints the plan and the results; the exit status for sys.exit()."""
        print(f"1..{len(self.results)}")
        failed = 0
        for number, (ok, name, detail) in enumerate(self.results, 1):
            print(f"{'ok' if ok else 'not ok'} {number} - {name}")
            if not ok:
                failed += 1
                for line in str(detail).splitlines() if detail else []:
                    print(f"# {line}")
        sys.stdout.flush()
        return 1 if failed else 0
