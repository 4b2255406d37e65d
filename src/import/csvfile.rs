//! A CSV file as Excel and LibreOffice write it: the delimiter of the
//! locale (`,`, `;` where the decimal mark is a comma, as in Russian and
//! Kazakh Excel, or TAB for "Unicode text"), UTF-8 with or without a BOM,
//! UTF-16 with a BOM, and Windows-1251 when the bytes are not UTF-8
//! (what Russian Excel writes for "CSV (comma delimited)").
//!
//! The `csv` crate reads the records (quotes, doubled quotes, line breaks
//! inside a cell, CRLF): hand-splitting on the delimiter breaks on the
//! first address with a comma in it. `encoding_rs` decodes: it is what
//! Firefox uses, and its Windows-1251 table is the WHATWG one Excel's
//! output matches.

use super::base::{Cell, Row, Sheet};

/// The text of a CSV file and the encoding it was read in.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), enc.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1251.decode_without_bom_handling(bytes);
            (text.into_owned(), "windows-1251")
        }
    }
}

/// The delimiter that splits the first rows most consistently: the one
/// giving the most columns in the header, every row alike, wins.
pub fn sniff(text: &str) -> u8 {
    let mut best = (0usize, b',');
    for d in [b';', b',', b'\t'] {
        let mut r = reader(text, d);
        let mut widths = Vec::new();
        for rec in r.records().take(20) {
            match rec {
                Ok(rec) if rec.iter().all(|f| f.trim().is_empty()) => continue,
                Ok(rec) => widths.push(rec.len()),
                Err(_) => break,
            }
        }
        let header = widths.first().copied().unwrap_or(0);
        let alike = widths.iter().filter(|&&w| w == header).count();
        // Columns first, then how many rows agree with the header.
        let score = header * 1000 + alike;
        if header > 1 && score > best.0 {
            best = (score, d);
        }
    }
    best.1
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// The rows of a CSV text. A row's number is the one a spreadsheet shows
/// when it opens the file: a line break inside a quoted cell does not
/// start a new row, a blank line does.
pub fn read(text: &str) -> Sheet {
    let delimiter = sniff(text);
    let mut r = reader(text, delimiter);
    let mut rows = Vec::new();
    // Line breaks inside quoted cells so far: the lines that are no rows.
    let mut inner_breaks = 0u64;
    // Line breaks before `seen` (a byte offset), counted once.
    let (mut seen, mut breaks) = (0usize, 0u64);
    let bytes = text.as_bytes();
    let mut rec = csv::StringRecord::new();
    loop {
        match r.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            // A broken quote: what was read stands, the rest is one cell
            // (the csv crate reads to the end); nothing is dropped silently.
            Err(_) => break,
        }
        // The record's first byte: its position may be before the line
        // break that ended the record before it (and blank lines).
        let mut start = rec.position().map_or(0, |p| p.byte() as usize).max(seen);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        breaks += bytes[seen..start].iter().filter(|&&b| b == b'\n').count() as u64;
        seen = start;
        let number = 1 + breaks - inner_breaks;
        inner_breaks += rec
            .iter()
            .map(|f| f.matches('\n').count() as u64)
            .sum::<u64>();
        let cells: Vec<Cell> = rec
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f.to_string())
                }
            })
            .collect();
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        rows.push(Row {
            number: u32::try_from(number).unwrap_or(u32::MAX),
            cells,
        });
    }
    Sheet { rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_csv_in_each_locale() {
        assert_eq!(sniff("case;kind;issued\r\nKZ-1;a;16.10.2025\r\n"), b';');
        assert_eq!(sniff("case,kind,issued\nKZ-1,a,16.10.2025\n"), b',');
        assert_eq!(sniff("case\tkind\tissued\nKZ-1\ta\t2025-10-16\n"), b'\t');
        // A comma inside a quoted cell of a semicolon file.
        assert_eq!(sniff("case;title\nKZ-1;\"Court, Almaty\"\n"), b';');
    }

    #[test]
    fn bom_utf8_utf16_and_cp1251() {
        let (t, e) = decode(b"\xef\xbb\xbfcase");
        assert_eq!((t.as_str(), e), ("case", "UTF-8"));
        let (t, e) = decode(b"\xff\xfec\0a\0");
        assert_eq!((t.as_str(), e), ("ca", "UTF-16LE"));
        // "Дело" in Windows-1251.
        let (t, e) = decode(b"\xc4\xe5\xeb\xee");
        assert_eq!((t.as_str(), e), ("Дело", "windows-1251"));
        let (t, e) = decode("Дело".as_bytes());
        assert_eq!((t.as_str(), e), ("Дело", "UTF-8"));
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let s = read("case;title\r\nKZ-1;\"two\r\nlines\"\r\n\r\nKZ-2;x\r\n");
        let n: Vec<u32> = s.rows.iter().map(|r| r.number).collect();
        assert_eq!(n, [1, 2, 4]);
        assert_eq!(s.rows[1].cells[1], Cell::Text("two\r\nlines".into()));
    }
}
