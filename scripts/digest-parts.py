#!/usr/bin/env python3
"""Split `docket preview` output into its messages' parts.

usage: docket preview ... | scripts/digest-parts.py OUTDIR
Writes OUTDIR/<n>.txt and OUTDIR/<n>.html for each message (n from 1) and
prints the paths. Uses only Python's standard library.
"""
import email
import email.policy
import os
import re
import sys


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    data = sys.stdin.read()
    # preview separates messages with a line of its own; split on the
    # headers each message starts with.
    chunks = [c for c in re.split(r"(?m)^(?=From: )", data) if c.strip()]
    for n, chunk in enumerate(chunks, 1):
        msg = email.message_from_string(chunk, policy=email.policy.default)
        for part in msg.walk():
            ext = {"text/plain": "txt", "text/html": "html"}.get(part.get_content_type())
            if ext:
                path = os.path.join(out, f"{n}.{ext}")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(part.get_content())
                print(path)


if __name__ == "__main__":
    main()
