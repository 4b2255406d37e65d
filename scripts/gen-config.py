#!/usr/bin/env python3
"""Write a docket config with N fictional cases for benchmarks.

usage: scripts/gen-config.py N OUT_DIR [--caseworkers K] [--files F]

One document per case, dates spread over two years around 2026-11-21,
cases split into F include files. Every name is generated ("Person 17"),
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
    "",
]
for i in range(a.caseworkers):
    main += ["[[caseworker]]", f'id = "cw{i}"', f'email = "cw{i}@ngo.example"']
    if i > 0:
        main.append('supervisor = "cw0"')
    main.append("")
write(os.path.join(a.out, "docket.toml"), "\n".join(main))

start = datetime.date(2025, 11, 21)
per_file = (a.n + a.files - 1) // a.files
for f in range(a.files):
    lines = []
    for i in range(f * per_file, min(a.n, (f + 1) * per_file)):
        issued = start + datetime.timedelta(days=rnd.randrange(730) - 365)
        lines += [
            "[[case]]",
            f'id = "KZ-{i:06d}"',
            f'caseworker = "cw{rnd.randrange(a.caseworkers)}"',
            f'person = "Person {i}"',
            "  [[case.document]]",
            '  kind = "refugee_certificate"',
            f'  number = "RC-{i:06d}"',
            f"  issued = {issued.isoformat()}",
            "",
        ]
    write(os.path.join(a.out, "cases.d", f"part{f:03d}.toml"), "\n".join(lines))
