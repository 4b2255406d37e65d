#!/usr/bin/env python3
"""Write a docket config as an import of a 200-row sheet leaves it (issue 21).

usage: scripts/gen-import-sample.py OUT_DIR [--cases N] [--today D] [--seed S]

One case file per case (cases.d/kz-0001.toml, ...), as `docket import`
writes them; five caseworkers (en, ru, kk) under one supervisor ("lead");
each case a refugee certificate, some a travel-document request or a court
hearing, their dates spread around --today so that some are overdue, some
due within weeks and most later. Fictional names only ("Aigerim Test 17").
Files are written mode 0600 (docket refuses group- or world-writable
configs).
"""
import argparse
import datetime
import os
import random

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--cases", type=int, default=200)
p.add_argument("--today", default="2026-12-07")
p.add_argument("--seed", type=int, default=21)
a = p.parse_args()
rnd = random.Random(a.seed)
today = datetime.date.fromisoformat(a.today)
os.makedirs(os.path.join(a.out, "cases.d"), exist_ok=True)


def write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


workers = [("cw1", "en"), ("cw2", "ru"), ("cw3", "kk"), ("cw4", "ru"), ("cw5", "en")]
main = [
    "[service]",
    'timezone = "Asia/Almaty"',
    'include = ["cases.d/*.toml"]',
    'state_dir = "state"',
    "",
    "[mail]",
    'transport = "file"',
    'from = "Docket <docket@ngo.example>"',
    "",
    "[kinds.refugee_certificate]",
    'label = "Refugee certificate"',
    'valid_for = "1y"',
    "lead_days = [90, 60, 30, 14, 7, 1]",
    "",
    "[kinds.travel_document]",
    'label = "Travel document request"',
    'answer_within = "15wd"',
    "",
    "[[caseworker]]",
    'id = "lead"',
    'name = "Dana Example"',
    'email = "lead@ngo.example"',
    'language = "ru"',
    "",
]
for i, (w, lang) in enumerate(workers):
    main += [
        "[[caseworker]]",
        f'id = "{w}"',
        f'name = "Caseworker Test {i + 1}"',
        f'email = "{w}@ngo.example"',
        'supervisor = "lead"',
        f'language = "{lang}"',
        "",
    ]
write(os.path.join(a.out, "docket.toml"), "\n".join(main))


def day(offset):
    return (today + datetime.timedelta(days=offset)).isoformat()


for n in range(1, a.cases + 1):
    cid = f"KZ-{n:04d}"
    w = workers[(n - 1) % len(workers)][0]
    # Expiry: a quarter overdue (up to 4 months), a quarter within 30
    # days, the rest up to a year ahead.
    r = rnd.random()
    if r < 0.25:
        exp = -rnd.randrange(1, 120)
    elif r < 0.5:
        exp = rnd.randrange(0, 30)
    else:
        exp = rnd.randrange(30, 365)
    issued = today + datetime.timedelta(days=exp) - datetime.timedelta(days=365)
    lines = [
        "# Case file written from the spreadsheet: one case, its documents,",
        "# requests and events. Dates are YYYY-MM-DD.",
        "",
        "[[case]]",
        f'id = "{cid}"',
        f'caseworker = "{w}"',
        f'person = "Aigerim Test {n}"',
        "",
        "  [[case.document]]",
        '  kind = "refugee_certificate"',
        f'  number = "RC-{n:06d}"',
        f"  issued = {issued.isoformat()}",
        '  status = "active"',
    ]
    if rnd.random() < 0.3:
        lines += [
            "",
            "  [[case.request]]",
            '  kind = "travel_document"',
            f"  filed = {day(-rnd.randrange(1, 60))}",
            '  status = "pending"',
        ]
    if rnd.random() < 0.15:
        lines += [
            "",
            "  [[case.event]]",
            '  title = "Court hearing"',
            f"  date = {day(rnd.randrange(1, 40))}",
            "  lead_days = [7, 1]",
        ]
    write(os.path.join(a.out, "cases.d", f"{cid.lower()}.toml"), "\n".join(lines) + "\n")
