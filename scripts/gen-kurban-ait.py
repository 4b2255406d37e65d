#!/usr/bin/env python3
"""Print src/calendar/kurban_ait.rs: computed first days of Kurban Ait.

usage:
    python3 -m venv /tmp/kurban-venv
    /tmp/kurban-venv/bin/pip install holidays==0.109 hijridate==2.6.0 ephem==4.2.1
    /tmp/kurban-venv/bin/python scripts/gen-kurban-ait.py -o src/calendar/kurban_ait.rs

Without -o the Rust source goes to stdout; with -o PATH it is written to PATH
only when every check passed (a failed run leaves the old file alone). The
script reads the repository's src/calendar/mod.rs (found from its own path) and
needs no network once the packages are installed.

What it computes
----------------
For each Gregorian year from FIRST_YEAR (2027) to WANTED_LAST_YEAR (2100), or
to the last year the library has, the first day of Kurban Ait (Eid al-Adha)
as the PyPI package `holidays` 0.109 (vacanza/holidays, MIT)
gives it for Kazakhstan: `holidays.country_holidays("KZ", ...)`, holiday
"Eid al-Adha" (Құрбан айт). For years after 2016 that class has no
Kazakhstan-specific dates, so its value is the library's generic table
(`holidays/calendars/islamic.py`, `_IslamicLunar.EID_AL_ADHA_DATES`), i.e.
10 Dhu al-Hijjah in the Umm al-Qura calendar with no shift. Every date the
library gives for 2027 on is labelled "(estimated)"; the script checks that.

Checks (the script exits non-zero, writing nothing, if one fails):
  1. The same source against the announced dates in src/calendar/mod.rs
     (const KURBAN_AIT): the result is written into the generated doc comment,
     together with plain Umm al-Qura (hijridate) for the same years.
  2. For every estimated year that `hijridate` 2.6.0 covers (its Umm al-Qura
     table ends 1500 AH = 2077-11-16): holidays == hijridate, 10 Dhu al-Hijjah.
  3. For the years past hijridate (2078..): holidays == an independent
     astronomical evaluation of the Umm al-Qura rule with `ephem` 4.2.1 (month
     begins the day after the 29th when, at Mecca, the geocentric conjunction
     precedes sunset and the Moon sets after the Sun), run month by month from
     hijridate's 1 Dhu al-Hijjah 1500.

A Gregorian year can hold two Kurban Aits (2039, 2071): both are emitted, so
the table can have two rows for one year.
"""
import argparse
import datetime as dt
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PINS = {"holidays": "0.109", "hijridate": "2.6.0", "ephem": "4.2.1"}
FIRST_YEAR = 2027
WANTED_LAST_YEAR = 2100
ROOT = Path(__file__).resolve().parent.parent


def die(msg):
    sys.exit(f"gen-kurban-ait: {msg}")


for pkg, want in PINS.items():
    try:
        have = version(pkg)
    except PackageNotFoundError:
        die(f"{pkg} is not installed; see the header for the pip install line")
    if have != want:
        die(f"{pkg} {have} installed, {want} required (see the header for pip install)")

import ephem  # noqa: E402
import holidays  # noqa: E402
from hijridate import Hijri  # noqa: E402
from hijridate.ummalqura import GREGORIAN_RANGE, HIJRI_RANGE  # noqa: E402


def kz_kurban_ait(year):
    """[(date, estimated)] of Kurban Ait in `year` per holidays' Kazakhstan."""
    h = holidays.country_holidays("KZ", years=year, language="en_US")
    out = []
    for d, names in h.items():
        for n in names.split("; "):  # same-day holidays are joined with "; "
            if n.startswith("Eid al-Adha"):
                out.append((d, "estimated" in n))
    return sorted(out)


def uq_kurban_ait():
    """{year: [dates]} of 10 Dhu al-Hijjah over hijridate's whole range."""
    res = {}
    for hy in range(HIJRI_RANGE[0][0], HIJRI_RANGE[1][0] + 1):
        g = Hijri(hy, 12, 10).to_gregorian()
        res.setdefault(g.year, []).append(dt.date(g.year, g.month, g.day))
    return res


def ephem_kurban_ait(until_year):
    """{year: [dates]} of 10 Dhu al-Hijjah after 1500 AH by the Umm al-Qura rule."""
    sun, moon = ephem.Sun(), ephem.Moon()

    def next_month_start(start):
        d29 = start + dt.timedelta(days=28)
        o = ephem.Observer()
        o.lat, o.lon, o.elevation = "21.4225", "39.8262", 0  # Mecca
        o.date = ephem.Date(dt.datetime(d29.year, d29.month, d29.day, 9, 0))  # ~noon local
        sunset = o.next_setting(sun)
        moonset = o.next_setting(moon)
        conj = ephem.previous_new_moon(sunset)
        ok = conj < sunset and moonset > sunset and sunset - conj < 3
        return start + dt.timedelta(days=29 if ok else 30)

    g = Hijri(HIJRI_RANGE[1][0], 12, 1).to_gregorian()
    start = dt.date(g.year, g.month, g.day)
    month = 12
    res = {}
    while start.year <= until_year + 1:
        start = next_month_start(start)
        month = month % 12 + 1
        if month == 12:
            d = start + dt.timedelta(days=9)
            res.setdefault(d.year, []).append(d)
    return res


def announced():
    text = (ROOT / "src" / "calendar" / "mod.rs").read_text(encoding="utf-8")
    m = re.search(r"pub const KURBAN_AIT: &\[\(i32, u32, u32\)\] = &\[(.*?)\];", text, re.S)
    if not m:
        die("const KURBAN_AIT not found in src/calendar/mod.rs")
    rows = re.findall(r"\((\d+),\s*(\d+),\s*(\d+)\)", m.group(1))
    if not rows:
        die("const KURBAN_AIT in src/calendar/mod.rs is empty")
    return [dt.date(int(y), int(mo), int(d)) for y, mo, d in rows]


def main():
    uq = uq_kurban_ait()
    uq_last = GREGORIAN_RANGE[1][0]  # 2077, and 2077's Eid (Oct 27) is in range

    # 1. announced dates
    ann = announced()
    kz_ok, uq_ok, check_lines = 0, 0, []
    for a in ann:
        kz = [d for d, _ in kz_kurban_ait(a.year)]
        u = uq.get(a.year, [])
        kz_ok += kz == [a]
        uq_ok += u == [a]
        note = []
        if kz != [a]:
            note.append("holidays " + ", ".join(map(str, kz)))
        if u != [a]:
            note.append("Umm al-Qura " + ", ".join(map(str, u)))
        check_lines.append(f"{a}: " + ("; ".join(note) + " (mismatch)" if note else "match"))

    # the estimates
    rows, last = [], None
    for y in range(FIRST_YEAR, WANTED_LAST_YEAR + 1):
        got = kz_kurban_ait(y)
        if not got:
            break  # past the library's table: stop here
        for d, est in got:
            if not est:
                die(f"{d}: holidays marks it confirmed; move it to KURBAN_AIT instead")
            rows.append(d)
        last = y
    if last is None:
        die(f"holidays gives no Kurban Ait for {FIRST_YEAR}")

    # 2. and 3. cross-checks
    eph = ephem_kurban_ait(last)
    for y in range(FIRST_YEAR, last + 1):
        mine = [d for d in rows if d.year == y]
        ref, name = (uq.get(y, []), "hijridate") if y <= uq_last else (eph.get(y, []), "ephem")
        if mine != ref:
            die(f"{y}: holidays {mine} but {name} {ref}")

    doubles = sorted({d.year for d in rows if sum(r.year == d.year for r in rows) > 1})
    ann_span = f"{ann[0].year}–{ann[-1].year}"
    out = []
    w = out.append
    w("//! Computed (estimated) first days of Kurban Ait (Eid al-Adha) in Kazakhstan.")
    w("//!")
    w("//! GENERATED by `scripts/gen-kurban-ait.py`; do not edit by hand. Regenerate:")
    w("//! `pip install holidays==0.109 hijridate==2.6.0 ephem==4.2.1` then")
    w("//! `python3 scripts/gen-kurban-ait.py -o src/calendar/kurban_ait.rs`.")
    w("//!")
    w("//! These are estimates, not announced days off: Kazakhstan's Spiritual")
    w("//! Administration of Muslims fixes each year's date, and it can differ by a")
    w("//! day. Announced dates belong in `calendar::KURBAN_AIT`, or in a config's")
    w("//! `[calendar] kurban_ait`.")
    w("//!")
    w("//! Source: PyPI `holidays` 0.109 (vacanza/holidays, MIT), class `Kazakhstan`,")
    w("//! holiday \"Eid al-Adha\" (Құрбан айт). From 2017 on that class has no")
    w("//! Kazakhstan-specific dates, so each value is the library's")
    w("//! `_IslamicLunar.EID_AL_ADHA_DATES`: 10 Dhu al-Hijjah in the Umm al-Qura")
    w("//! calendar, unshifted; the library labels all of them \"(estimated)\".")
    w("//!")
    w(f"//! Check against the announced dates ({ann_span}, `calendar::KURBAN_AIT`):")
    w(f"//! `holidays` matches {kz_ok} of {len(ann)}; plain Umm al-Qura (`hijridate`")
    w(f"//! 2.6.0) matches {uq_ok} of {len(ann)}. Per year:")
    for line in check_lines:
        w(f"//! - {line}")
    w("//!")
    w("//! (`holidays` hardcodes Kazakhstan's 2015 and 2016 dates, a day after Umm")
    w("//! al-Qura; since 2017 Kazakhstan has kept the Umm al-Qura date.)")
    w("//!")
    w(f"//! Cross-checks, all passed: {FIRST_YEAR}–{min(last, uq_last)} equal to 10 Dhu")
    w("//! al-Hijjah from `hijridate` 2.6.0 (its table ends at 1500 AH, 2077-11-16);")
    if last > uq_last:
        w(f"//! {uq_last + 1}–{last} equal to the Umm al-Qura rule evaluated with `ephem`")
        w("//! 4.2.1 at Mecca (conjunction before sunset, moonset after sunset on the")
        w("//! 29th), stepped month by month from 1 Dhu al-Hijjah 1500 AH.")
    w("//!")
    w(f"//! Years: {FIRST_YEAR}..={last}, one row per Kurban Ait, sorted by date.")
    if doubles:
        ys = " and ".join(map(str, doubles))
        w(f"//! {ys} each hold two (January and December), so those years have two")
        w("//! rows: look a year up with `filter`, not `find`.")
    w("")
    w("/// `(year, month, day)` of each computed first day of Kurban Ait, in date order.")
    w("pub const KURBAN_AIT_ESTIMATES: &[(i32, u32, u32)] = &[")
    for d in rows:
        w(f"    ({d.year}, {d.month}, {d.day}),")
    w("];")
    w("")
    w("/// Last year covered by [`KURBAN_AIT_ESTIMATES`].")
    w(f"pub const ESTIMATES_LAST_YEAR: i32 = {last};")
    text = "\n".join(out) + "\n"
    if args.output:
        tmp = Path(args.output + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.output)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="Print src/calendar/kurban_ait.rs.")
    p.add_argument("-o", "--output", help="write here (only if all checks pass)")
    args = p.parse_args()
    main()
