#!/usr/bin/env python3
# scripts/count-outbox.py OUTBOX_DIR (issue 21 measurements)
"""Count what a pass wrote to the outbox: per mail, the recipient, the item
lines (`  * `), the tags, the case lines of a summary, the body's size."""
import email, email.policy, glob, re, sys
tot = {"mails": 0, "items": 0, "summary_cases": 0}
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    body = m.get_body(("plain",)).get_content()
    items = sum(1 for l in body.splitlines() if l.startswith("  * "))
    summ = sum(1 for l in body.splitlines() if re.match(r"^  - KZ-", l))
    tags = {t: body.count(t) for t in re.findall(r"\[[A-ZА-ЯЁӘІҢҒҮҰҚӨҺ ]+\]", body)}
    print(f"{str(m['To']):22} items={items:3} summary_cases={summ:3} chars={len(body):6} tags={tags}")
    tot["mails"] += 1; tot["items"] += items; tot["summary_cases"] += summ
print(tot)
