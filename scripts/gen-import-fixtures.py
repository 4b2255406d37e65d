#!/usr/bin/env python3
"""Make the spreadsheets tests/it/import21.rs reads (tests/data/import/).

The files are committed, so CI does not need this script; run it again
only to change them. XLSX and ODS come from real libraries (openpyxl,
odfpy), the CSVs are written byte for byte as Excel writes them:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install openpyxl odfpy
    /tmp/venv/bin/python scripts/gen-import-fixtures.py

With `--rows N OUT.csv` it writes a sheet of N rows instead (the import
benchmark in BENCHMARKS.md: 10,000 rows).
Every person is fictional.
"""
import datetime as dt
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "import")
WORKERS = ["aigerim", "dana", "yerlan"]
FIRST = ["Aigerim", "Dana", "Nurlan", "Saule", "Yerlan", "Gulnar", "Askar", "Madina"]
LAST = ["Test", "Example", "Fictional", "Imaginary", "Invented", "Sample"]
EN = ["case", "caseworker", "person", "item", "kind", "number", "issued",
      "expires", "filed", "answer_within", "status", "date", "title"]
RU = ["Номер дела", "Сотрудник", "ФИО", "Тип записи", "Вид", "Номер документа",
      "Дата выдачи", "Действует до", "Дата подачи", "Срок ответа", "Статус",
      "Дата", "Описание"]
KK = ["Іс нөмірі", "Қызметкер", "Аты-жөні", "Жазба түрі", "Түрі", "Құжат нөмірі",
      "Берілген күні", "Жарамды мерзімі", "Тапсырылған күні", "Жауап мерзімі",
      "Мәртебесі", "Күні", "Сипаттамасы"]


def rows_for(n_cases):
    """Rows of n cases: a certificate each, every third a request, every
    fifth a hearing; ids KZ-1000 on. Dates as date objects."""
    out = []
    for i in range(n_cases):
        case = f"KZ-{1000 + i}"
        w = WORKERS[i % 3]
        person = f"{FIRST[i % 8]} {LAST[i % 6]}"
        issued = dt.date(2025, 1 + i % 12, 1 + i % 28)
        out.append([case, w, person, "document", "refugee_certificate", f"RC-{100000 + i}",
                    issued, None, None, None, "active", None, None])
        if i % 3 == 0:
            out.append([case, w, None, "request", "travel_document", None, None, None,
                        dt.date(2026, 1 + i % 12, 1 + i % 28), None, "pending", None, None])
        if i % 5 == 0:
            out.append([case, w, None, "event", "court_hearing", None, None, None, None,
                        None, None, dt.date(2027, 1 + i % 12, 1 + i % 28), "Court hearing"])
    return out


def text(v, style):
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return {"dot": v.strftime("%d.%m.%Y"), "slash": v.strftime("%d/%m/%Y"),
                "iso": v.isoformat()}[style]
    return str(v)


def csv_bytes(header, rows, sep=";", style="dot", encoding="utf-8-sig"):
    """As Excel writes "CSV UTF-8" (BOM) or "CSV" in a Russian locale
    (cp1251): the locale's separator, CRLF, quotes only where needed."""
    def q(s):
        return '"' + s.replace('"', '""') + '"' if any(c in s for c in (sep, '"', "\n")) else s
    lines = [sep.join(q(h) for h in header)]
    lines += [sep.join(q(text(v, style)) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def small():
    return [
        ["KZ-0042", "aigerim", "Aigerim Test", "document", "refugee_certificate", "RC-000123",
         dt.date(2025, 10, 16), None, None, None, "active", None, None],
        ["KZ-0057", "dana", "Dana Example", None, "asylum_seeker_certificate", None,
         dt.date(2026, 9, 10), None, None, None, None, None, None],
        ["KZ-0042", None, None, "request", "travel_document", None, None, None,
         dt.date(2026, 11, 3), "15wd", "pending", None, None],
        ["KZ-0042", "aigerim", None, "event", "court_hearing", None, None, None, None, None,
         None, dt.date(2027, 3, 2), "Court hearing; Almaty, room 3"],
    ]


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def xlsx(path, header, rows, text_dates):
    """Date cells (number format dd.mm.yyyy) and, in the rows of
    `text_dates`, the same dates typed as text."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws.append(header)
    for i, r in enumerate(rows):
        ws.append([text(v, "dot") if (i in text_dates and isinstance(v, dt.date)) else v for v in r])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, (dt.date, dt.datetime)):
                c.number_format = "DD.MM.YYYY"
    wb.create_sheet("Notes").append(["not read unless --sheet Notes"])
    wb.save(path)


def ods(path, header, rows, text_dates):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow, TableCell
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    t = Table(name="Cases")
    for i, r in enumerate([header] + rows):
        tr = TableRow()
        for v in r:
            if v is None:
                tc = TableCell()
            elif isinstance(v, dt.date) and (i - 1) not in text_dates:
                tc = TableCell(valuetype="date", datevalue=v.isoformat())
                tc.addElement(P(text=v.strftime("%d.%m.%Y")))
            else:
                tc = TableCell(valuetype="string")
                tc.addElement(P(text=text(v, "slash")))
            tr.addElement(tc)
        t.addElement(tr)
    doc.spreadsheet.addElement(t)
    doc.save(path)


def bad_rows():
    """One sheet, every kind of row error at once (positions asserted in
    tests/it/import21.rs)."""
    return [
        EN,
        ["KZ-0101", "aigerim", "", "", "refugee_certificate", "", "31.02.2025", "", "", "", "", "", ""],
        ["KZ-0102", "aigerim", "", "", "refugee_certificate", "", "16.10.25", "", "", "", "", "", ""],
        ["", "aigerim", "", "", "refugee_certificate", "", "16.10.2025", "", "", "", "", "", ""],
        ["KZ-0103", "aigerim", "", "hearing", "", "", "", "", "", "", "", "03.11.2026", ""],
        ["KZ-0104", "aigerim", "", "request", "travel_document", "", "16.10.2025", "", "", "", "", "", ""],
        ["KZ-0105", "aigerim", "", "", "refugee_certificate", "", "soon", "", "", "", "", "", ""],
        ["KZ-0106", "aigerim", "", "", "refugee_certificate", "", "16.10.2025", "", "", "", "", "", ""],
        ["KZ-0106", "dana", "", "", "refugee_certificate", "", "16.10.2025", "", "", "", "", "", ""],
        ["KZ-0107", "aigerm", "", "", "refugee_certificate", "", "16.10.2025", "", "", "", "", "", ""],
        ["KZ-0108", "aigerim", "", "", "refugee_certificate", "", "16.10.2025", "", "", "", "activ", "", ""],
    ]


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--rows":
        n, out = int(sys.argv[2]), sys.argv[3]
        rows = rows_for(n)[:n]
        with open(out, "wb") as f:
            f.write(csv_bytes(EN, rows[:n]))
        return
    os.makedirs(OUT, exist_ok=True)
    write("excel-utf8-bom.csv", csv_bytes(EN, small()))
    write("excel-cp1251.csv", csv_bytes(RU, small(), encoding="cp1251"))
    write("excel-comma.csv", csv_bytes([h.upper() for h in EN], small(), sep=",", style="iso", encoding="utf-8"))
    write("sample-200.csv", csv_bytes(EN, rows_for(200)))
    write("bad-rows.csv", csv_bytes(bad_rows()[0], bad_rows()[1:]))
    write("bad-header.csv", csv_bytes(["case", "isued", "kind", "Notes"], [["KZ-0201", "16.10.2025", "refugee_certificate", "x"]]))
    write("map-ru.toml", ("# The Russian headers of excel-cp1251.csv.\n[columns]\n"
                          + "".join(f'{e} = "{r}"\n' for e, r in zip(EN, RU))).encode())
    write("map-kk.toml", ("# The Kazakh headers of cases.ods.\n[columns]\n"
                          + "".join(f'{e} = "{k}"\n' for e, k in zip(EN, KK))).encode())
    xlsx(os.path.join(OUT, "cases.xlsx"), EN, small(), text_dates={2})
    ods(os.path.join(OUT, "cases.ods"), KK, small(), text_dates={2})
    # A serial number where a date should be, and a date with a time.
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["case", "caseworker", "kind", "issued"])
    ws.append(["KZ-0301", "aigerim", "refugee_certificate", 45946])
    ws.append(["KZ-0302", "aigerim", "refugee_certificate", dt.datetime(2025, 10, 16, 9, 30)])
    ws["D3"].number_format = "DD.MM.YYYY HH:MM"
    wb.save(os.path.join(OUT, "bad-cells.xlsx"))


if __name__ == "__main__":
    main()
