#!/usr/bin/env python3
"""Write the config the digest tests and screenshots use: tests/data/digest.

usage: scripts/gen-digest-fixture.py [OUT_DIR]

As of 2026-12-01 (the day the tests pass as --today), caseworker `aigerim`
gets a digest of 40 items in 33 cases and one bill (overdue, this week and
later), `yerlan` one of 3 items, and their supervisor `dana` the copies of
what is close or overdue. Every person is fictional. Deterministic: run it
again and nothing changes.
"""
import datetime
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "tests", "data", "digest")
os.makedirs(os.path.join(out, "cases.d"), exist_ok=True)

FIRST = ["Gulnar", "Nurlan", "Saule", "Yerbol", "Aliya", "Daulet", "Madina",
         "Serik", "Zhanna", "Bolat", "Asel", "Timur"]
LAST = ["Fictional", "Imaginary", "Invented", "Madeup", "Sample", "Example",
        "Placeholder", "Notreal"]


def d(s):
    return datetime.date.fromisoformat(s)


def write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


main = '''# The config of the digest tests and screenshots (scripts/gen-digest-fixture.py).
# Every person here is fictional.
[service]
timezone = "Asia/Almaty"
include = ["cases.d/*.toml"]
state_dir = "state"

[mail]
transport = "file"
from = "Docket <docket@ngo.example>"
guide_url = "https://intranet.ngo.example/docket/guide.{lang}.html"
# The fixture shows the digest item by item: its first pass is not told
# as a summary of new cases (issue 21), which first21.rs tests.
summary_from = 0

[privacy]
names_in_email = true
numbers_in_email = true

[kinds.refugee_certificate]
valid_for = "1y"
lead_days = [90, 60, 30, 14, 7, 1]

[kinds.asylum_seeker_certificate]
valid_for = "3m"
lead_days = [30, 14, 7, 3, 1]

[kinds.travel_document]
answer_within = "15wd"
lead_days = [3]

[kinds.court_hearing]
lead_days = [7, 1]

[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"
language = "en"

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"
supervisor = "dana"
language = "en"

[[caseworker]]
id = "yerlan"
name = "Yerlan Sample"
email = "yerlan@ngo.example"
supervisor = "dana"
language = "en"

[[bill]]
id = "migration-law"
title = "On amendments regarding migration"
owner = "aigerim"
stage = "mazhilis"
stage_since = 2026-06-01
expected = { senate = 2026-12-15, in_force = 2027-03-01 }
last_checked = 2026-10-01
check_every_days = 30
'''
write(os.path.join(out, "docket.toml"), main)

n = 0


def case(cw, parts):
    global n
    n += 1
    cid = f"KZ-{n:04d}"
    person = f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}"
    body = f'[[case]]\nid = "{cid}"\ncaseworker = "{cw}"\nperson = "{person}"\n'
    for p in parts:
        body += "\n" + p
    write(os.path.join(out, "cases.d", f"{cid.lower()}.toml"), body)


def cert(issued, kind="refugee_certificate"):
    return (f'  [[case.document]]\n  kind = "{kind}"\n  number = "RC-{700000 + n}"\n'
            f'  issued = {issued}\n  status = "active"\n')


def request(filed):
    return (f'  [[case.request]]\n  kind = "travel_document"\n  number = "TD-{500 + n}"\n'
            f'  filed = {filed}\n  status = "pending"\n  waiting_for = "migration-law"\n')


def hearing(date):
    return (f'  [[case.event]]\n  title = "Hearing on the appeal, room 4"\n'
            f'  kind = "court_hearing"\n  date = {date}\n')


one = datetime.timedelta(days=1)
# Overdue: certificates that expired in November, requests unanswered.
for i in range(7):
    case("aigerim", [cert(d("2025-11-03") + i * 3 * one)])
for i in range(5):
    case("aigerim", [cert(d("2026-02-20") + i * one), request(d("2026-10-20") + i * one)])
# This week: certificates expiring, hearings.
for i in range(6):
    case("aigerim", [cert(d("2025-12-02") + i * one)])
for i in range(4):
    case("aigerim", [cert(d("2026-03-02") + i * one), hearing(d("2026-12-02") + i * one)])
# Later: certificates a month or two away, an asylum-seeker certificate.
for i in range(11):
    case("aigerim", [cert(d("2026-01-05") + i * 4 * one)])
case("aigerim", [cert(d("2026-10-10"), "asylum_seeker_certificate")])
# yerlan: three items.
case("yerlan", [request(d("2026-10-26"))])
case("yerlan", [cert(d("2025-12-04"))])
case("yerlan", [cert(d("2026-01-20"))])
print(f"{out}: {n} cases")
