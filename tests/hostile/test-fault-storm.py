#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every fault of the loopback server at once, across 200 feeds in one
`tidings --refresh`: the process ends within the fetcher's timeouts (plus a
margin; a hang guard, not a speed check), every failing feed has its own
sentence on its line and in the store, and every healthy feed has its
articles. tests/test-cli-library.py checks each fault's sentence on a
handful of feeds; this is the same at scale, with back-offs, hangs, refused
connections and a server that does not speak TLS in the mix."""

import math
import os
import socket
import sys
import time

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worldlib  # noqa: E402
from worldlib import check  # noqa: E402

# The fetcher's defaults (src/core/tidings-fetcher.h).
CONNECT_TIMEOUT = 15
TIMEOUT = 30
MAX_PER_HOST = 2
MARGIN = 120

# Hosts: the server listens on all but the refusing one; back-offs apply to a
# host name, so each fault that backs off a host gets one of its own.
HEALTHY, RETRY_AFTER, RETRY_DATE, HANG, REFUSED, TLS = range(6)
ADDRESSES = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", None, "127.0.0.6"]

# (host, path, count, articles) for feeds that must update.
HEALTHY_FEEDS = [
    (HEALTHY, "/fault/slow.xml", 4, 5),
    (HEALTHY, "/fault/gzip.xml", 3, 5),
    (HEALTHY, "/fault/brotli.xml", 3, 5),
    (HEALTHY, "/fault/no-validators.xml", 2, 5),
    (HEALTHY, "/fault/max-age.xml", 2, 5),
    (HEALTHY, "/fault/charset.xml", 2, 1),
    (HEALTHY, "/fault/temporary.xml", 2, 20),
]
# (host, path, count, fragment of the sentence) for feeds that must fail.
FAILING_FEEDS = [
    (HEALTHY, "/fault/404.xml", 8, "404"),
    (HEALTHY, "/fault/500.xml", 8, "500"),
    (HEALTHY, "/fault/gone.xml", 8, "gone"),
    (HEALTHY, "/fault/redirect-loop.xml", 5, "redirect"),
    (HEALTHY, "/fault/html.xml", 5, "HTML page"),
    (HEALTHY, "/fault/empty.xml", 5, "empty"),
    (HEALTHY, "/fault/reset.xml", 6, "broke off"),
    (HEALTHY, "/fault/too-large.xml", 2, "larger"),
    (HEALTHY, "/fault/gzip-bomb.xml", 2, "larger"),
    (HEALTHY, "/feed/nowhere.xml", 3, "404"),
    (HANG, "/fault/hang.xml", 4, "took longer"),
    (RETRY_AFTER, "/fault/retry-after.xml", 4, "wait"),
    (RETRY_DATE, "/fault/retry-date.xml", 4, "wait"),
    (REFUSED, "/feed/0.xml", 6, "refused"),
    (TLS, "/feed/1.xml", 2, "127.0.0.6"),
]
FEEDS = 200
PLAIN = FEEDS - sum(f[2] for f in HEALTHY_FEEDS) - sum(f[2] for f in FAILING_FEEDS)


def free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.5", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def lines_by_title(output, feeds):
    """The output's line for each feed, by the feed's title ("S017")."""
    lines = {}
    for line in output.splitlines():
        for word in line.split()[:3]:
            if word.rstrip(":") in feeds:
                lines[word.rstrip(":")] = line
                break
    return lines


def main():
    args = ["--feeds", str(PLAIN), "--faults"]
    for address in ADDRESSES:
        if address:
            args += ["--address", address]
    server = worldlib.FeedServer(*args)
    bases = server.base.split()
    base_of = {}
    listening = iter(bases)
    for host, address in enumerate(ADDRESSES):
        base_of[host] = next(listening) if address else f"http://127.0.0.5:{free_port()}"
    base_of[TLS] = base_of[TLS].replace("http://", "https://")

    # title -> (url, expected articles or None, fragment or None)
    feeds = {}
    for n in range(PLAIN):
        feeds[f"S{len(feeds):03}"] = (f"{base_of[HEALTHY]}/feed/{n}.xml", 20, None)
    for host, path, count, articles in HEALTHY_FEEDS:
        for copy in range(count):
            feeds[f"S{len(feeds):03}"] = (f"{base_of[host]}{path}?copy={copy}", articles, None)
    for host, path, count, fragment in FAILING_FEEDS:
        for copy in range(count):
            feeds[f"S{len(feeds):03}"] = (f"{base_of[host]}{path}?copy={copy}", None, fragment)
    assert len(feeds) == FEEDS

    home = worldlib.Home()
    path = worldlib.write(os.path.join(home.dir.name, "storm.opml"),
                          worldlib.opml((title, url) for title, (url, _, _) in feeds.items()))
    try:
        proc = home.run("--import-opml", path)
        check("import 200 feeds", proc.returncode == 0 and "Imported 200 feeds" in proc.stdout,
              proc.stdout + proc.stderr)

        hangs_per_host = sum(f[2] for f in FAILING_FEEDS if f[0] == HANG)
        guard = CONNECT_TIMEOUT + TIMEOUT * math.ceil(hangs_per_host / MAX_PER_HOST) + MARGIN
        started = time.monotonic()
        proc = home.run("--refresh", timeout=guard)
        elapsed = time.monotonic() - started
        print(f"# one refresh of {FEEDS} feeds took {elapsed:.1f} s (guard {guard} s)")
        check("the refresh ends within the timeouts plus a margin (no hang)", True)
        check("exit 0 although feeds failed", proc.returncode == 0, proc.stderr[-2000:])
        check("nothing on stderr (no warning, no critical)", proc.stderr.strip() == "",
              proc.stderr[-2000:])

        n_failing = sum(f[2] for f in FAILING_FEEDS)
        check(f"summary: {FEEDS} feeds, {n_failing} failed",
              f"{FEEDS} feeds refreshed" in proc.stdout and f", {n_failing} failed." in proc.stdout,
              proc.stdout[-500:])

        lines = lines_by_title(proc.stdout, feeds)
        check("one line per feed", len(lines) == FEEDS, sorted(set(feeds) - set(lines))[:20])

        by_url = {url: title for title, (url, _, _) in feeds.items()}
        stored = {by_url.get(url): (error, count) for url, error, count in home.query(
            "SELECT s.url, s.last_error, (SELECT count(*) FROM articles a"
            " WHERE a.subscription_id = s.id) FROM subscriptions s")}

        bad_lines, bad_store, bad_words, bad_fragment = [], [], [], []
        for title, (url, _, fragment) in feeds.items():
            if fragment is None:
                continue
            line = lines.get(title, "")
            prefix = f"failed            {title}: "
            sentence = line[len(prefix):] if line.startswith(prefix) else None
            error = stored.get(title, (None, 0))[0]
            if sentence is None:
                bad_lines.append(f"{url}: {line!r}")
                continue
            if error != sentence:
                bad_store.append(f"{url}: line {sentence!r}, store {error!r}")
            problem = worldlib.sentence_problem(sentence)
            if problem:
                bad_words.append(f"{url}: {problem}: {sentence!r}")
            if fragment.lower() not in sentence.lower():
                bad_fragment.append(f"{url}: {sentence!r} lacks {fragment!r}")
        check(f"each of the {n_failing} failing feeds has a 'failed' line with a sentence",
              not bad_lines, "\n".join(bad_lines))
        check("each failing feed's sentence is its last error in the store",
              not bad_store, "\n".join(bad_store))
        check("each sentence is for people (words, no machine text)", not bad_words,
              "\n".join(bad_words))
        check("each sentence names what went wrong", not bad_fragment, "\n".join(bad_fragment))

        bad_healthy = []
        for title, (url, articles, fragment) in feeds.items():
            if fragment is not None:
                continue
            line = lines.get(title, "")
            error, count = stored.get(title, ("missing", 0))
            if not line.startswith("new") or error is not None or count != articles:
                bad_healthy.append(f"{url}: {line!r}, error {error!r}, {count} articles "
                                   f"(want {articles})")
        check(f"every one of the {FEEDS - n_failing} healthy feeds got all its articles",
              not bad_healthy, "\n".join(bad_healthy))

        integrity, _ = worldlib.snapshot(home.db)
        check("the store passes PRAGMA integrity_check", integrity == [("ok",)], integrity)

        # Back-offs are remembered: the next refresh does not ask those hosts
        # again, and still ends.
        proc = home.run("--refresh", timeout=guard)
        check("a second refresh ends too, exit 0", proc.returncode == 0, proc.stderr[-2000:])
        second = lines_by_title(proc.stdout, feeds)
        retry_lines = [line for title, line in second.items()
                       if feeds[title][0].startswith((base_of[RETRY_AFTER], base_of[RETRY_DATE]))]
        check("the second refresh skips the hosts that asked to wait, saying so",
              len(retry_lines) == 8 and all("asked us to wait" in l for l in retry_lines),
              "\n".join(retry_lines))
        hits = server.command("hits /fault/retry-after.xml")
        check("the host that asked to wait was asked once per feed in flight, not again",
              hits.isdigit() and 1 <= int(hits) <= MAX_PER_HOST, hits)
    except Exception as error:  # a hang guard that fired, say
        check("the refresh ends within the timeouts plus a margin (no hang)", False, repr(error))
    finally:
        server.close()

    return worldlib.finish()


if __name__ == "__main__":
    sys.exit(main())
