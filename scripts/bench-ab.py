#!/usr/bin/env python3
"""Two docket binaries, side by side: run each ROUNDS times, alternating
(A B, B A, ...), so a busy machine slows both alike; print the median wall
time and peak RSS of each and their ratio.

    scripts/bench-ab.py OLD_BIN NEW_BIN CONFIG [docket args...]

e.g. scripts/bench-ab.py old/docket target/release/docket \
     target/bench/100000/docket.toml check

DOCKET_CACHE=off is set (a full load each time); ROUNDS (default 15).
Peak RSS comes from GNU time (`/usr/bin/time -f %M`, Debian's `time`).
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    old, new, cfg, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    rounds = int(os.environ.get("ROUNDS", "15"))
    env = dict(os.environ, DOCKET_CACHE="off")
    wall = {old: [], new: []}
    rss = {old: [], new: []}
    for i in range(rounds):
        for b in ([old, new] if i % 2 == 0 else [new, old]):
            t = time.perf_counter()
            p = subprocess.run(["/usr/bin/time", "-f", "%M", b, "-c", cfg] + args,
                               env=env, capture_output=True, text=True)
            wall[b].append(time.perf_counter() - t)
            rss[b].append(int(p.stderr.strip().split("\n")[-1]))
    for b, name in ((old, "old"), (new, "new")):
        print(f"{name}: median {statistics.median(wall[b]) * 1000:.1f} ms, "
              f"peak RSS median {statistics.median(rss[b]) / 1024:.0f} MiB ({b})")
    print(f"new/old: {statistics.median(wall[new]) / statistics.median(wall[old]):.2f}")


if __name__ == "__main__":
    main()
