#!/usr/bin/env python3
"""Write a docket config with N fictional cases for benchmarks.

usage: scripts/gen-config.py N OUT_DIR [--caseworkers K] [--files F]
                             [--bench] [--remind FILE] [--today D]

One document per case, dates spread over two years around --today
(default 2026-11-21), cases split into F include files.

--bench writes the benchmark variant that asks docket the same question as
Remind: each document has an explicit `expires` date, one lead reminder 30
days before (like REM ... +30) and a single overdue reminder; --remind FILE
writes the equivalent Remind file (`REM <expires> +30 MSG <case> ...`). Every name is generated ("Person 17"),
never a real one. Files are written mode 0600 (docket refuses group- or
world-writable configs).
"""
import argparse
import datetime
import os
import random

p = argparse.ArgumentParser()
p.add_argument("n", type=int)
p.add_argument("out")
p.add_argument("--caseworkers", type=int, default=20)
p.add_argument("--files", type=int, default=10)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--bench", action="store_true")
p.add_argument("--remind")
p.add_argument("--today", default="2026-11-21")
a = p.parse_args()
rnd = random.Random(a.seed)
os.makedirs(os.path.join(a.out, "cases.d"), exist_ok=True)


def write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


main = [
    "[service]",
    'timezone = "Asia/Almaty"',
    'include = ["cases.d/*.toml"]',
    "",
    "[mail]",
    'transport = "file"',
    "",
    "[kinds.refugee_certificate]",
    'label = "Refugee certificate"',
    'valid_for = "1y"',
]
if a.bench:
    main += ["lead_days = [30]", "overdue_every_days = 0"]
main.append("")
for i in range(a.caseworkers):
    main += ["[[caseworker]]", f'id = "cw{i}"', f'email = "cw{i}@ngo.example"']
    if i > 0:
        main.append('supervisor = "cw0"')
    main.append("")
write(os.path.join(a.out, "docket.toml"), "\n".join(main))

today = datetime.date.fromisoformat(a.today)
start = today - datetime.timedelta(days=365)
per_file = (a.n + a.files - 1) // a.files
rem = []
for f in range(a.files):
    lines = []
    for i in range(f * per_file, min(a.n, (f + 1) * per_file)):
        issued = start + datetime.timedelta(days=rnd.randrange(730) - 365)
        if a.bench:
            expires = today + datetime.timedelta(days=rnd.randrange(730) - 365)
            issued = expires - datetime.timedelta(days=365)
        lines += [
            "[[case]]",
            f'id = "KZ-{i:06d}"',
            f'caseworker = "cw{rnd.randrange(a.caseworkers)}"',
            f'person = "Person {i}"',
            "  [[case.document]]",
            '  kind = "refugee_certificate"',
            f'  number = "RC-{i:06d}"',
            f"  issued = {issued.isoformat()}",
        ]
        if a.bench:
            lines.append(f"  expires = {expires.isoformat()}")
            rem.append(f"REM {expires.isoformat()} +30 MSG KZ-{i:06d} refugee_certificate expires")
        lines.append("")
    write(os.path.join(a.out, "cases.d", f"part{f:03d}.toml"), "\n".join(lines))
if a.remind:
    write(a.remind, "\n".join(rem) + "\n")
