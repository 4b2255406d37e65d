//! What can be read of a case file that docket cannot use: its case ids,
//! their caseworkers and the dates in it. A file left out means reminders
//! are missing, so whoever is told about it is told what it holds (issue
//! 18, items 5 and 6): a file that was never good, or one saved under the
//! wrong name (`kz-0108.toml.txt`, as Notepad saves).
//!
//! Tolerant on purpose: as TOML when it parses (a file with a wrong value
//! still parses), else line by line, so that one bad line hides nothing
//! else. A Notepad file may start with a byte-order mark, end its lines in
//! CRLF, or not be UTF-8 at all (ANSI); none of that hides a case id.
//! Free text (`person`, `title`, `number`) is never read: only ids,
//! kinds, statuses and dates.

use chrono::NaiveDate;

/// A case as far as it could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Case {
    pub id: String,
    pub caseworker: String,
    pub items: Vec<Dated>,
}

/// A document, request or event with a date that could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    /// `document`, `request` or `event`.
    pub item: &'static str,
    pub kind: String,
    /// A document's `expires`, a request's `extended_to`, an event's `date`.
    pub deadline: NaiveDate,
    /// As written (may be misspelt), or "" when absent.
    pub status: String,
}

impl Dated {
    /// Settled by its status, as the engine settles a good file's items (a
    /// status it cannot read is not settled: better one reminder too many).
    pub fn resolved(&self) -> bool {
        let s = self.status.as_str();
        match self.item {
            "document" => matches!(s, "renewal_filed" | "renewed" | "withdrawn"),
            "request" => matches!(s, "answered" | "refused" | "withdrawn"),
            _ => false,
        }
    }
}

/// A file's bytes as text: UTF-16 with its mark, else UTF-8 (invalid bytes
/// replaced), without a byte-order mark.
pub fn text_of(bytes: &[u8]) -> String {
    let utf16 = |be: bool| -> String {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => {
            let t = String::from_utf8_lossy(bytes);
            t.strip_prefix('\u{feff}').unwrap_or(&t).to_string()
        }
    }
}

/// Every case that names an id or a caseworker, in the file's order.
pub fn cases(text: &str) -> Vec<Case> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = match toml::from_str::<toml::Table>(text) {
        Ok(t) => from_table(&t),
        Err(_) => from_lines(text),
    };
    out.retain(|c| !c.id.is_empty() || !c.caseworker.is_empty());
    out
}

fn from_table(t: &toml::Table) -> Vec<Case> {
    let Some(list) = t.get("case").and_then(toml::Value::as_array) else {
        return Vec::new();
    };
    let s = |v: &toml::Table, k: &str| -> String {
        v.get(k)
            .and_then(toml::Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    list.iter()
        .filter_map(toml::Value::as_table)
        .map(|c| {
            let mut case = Case {
                id: s(c, "id"),
                caseworker: s(c, "caseworker"),
                items: Vec::new(),
            };
            for (key, item, field) in ITEMS {
                let Some(arr) = c.get(*key).and_then(toml::Value::as_array) else {
                    continue;
                };
                for it in arr.iter().filter_map(toml::Value::as_table) {
                    let date = it.get(*field).and_then(|v| match v {
                        toml::Value::Datetime(d) => date(&d.to_string()),
                        toml::Value::String(x) => date(x),
                        _ => None,
                    });
                    if let Some(deadline) = date {
                        case.items.push(Dated {
                            item,
                            kind: s(it, "kind"),
                            deadline,
                            status: s(it, "status"),
                        });
                    }
                }
            }
            case
        })
        .collect()
}

/// Which table holds which item, and the key of its deadline.
const ITEMS: &[(&str, &str, &str)] = &[
    ("document", "document", "expires"),
    ("request", "request", "extended_to"),
    ("event", "event", "date"),
];

/// What a line-by-line read is inside of.
enum At {
    Outside,
    Case,
    /// An item of the current case: which, its kind, deadline, status.
    Item(
        &'static str,
        &'static str,
        Option<String>,
        Option<NaiveDate>,
        String,
    ),
    /// Some other table (a bill, a case's nested table): skipped.
    Other,
}

fn from_lines(text: &str) -> Vec<Case> {
    let mut out: Vec<Case> = Vec::new();
    let mut at = At::Outside;
    let close = |at: &mut At, out: &mut Vec<Case>| {
        if let At::Item(item, _, kind, Some(deadline), status) = std::mem::replace(at, At::Other) {
            if let Some(c) = out.last_mut() {
                c.items.push(Dated {
                    item,
                    kind: kind.unwrap_or_default(),
                    deadline,
                    status,
                });
            }
        }
    };
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            close(&mut at, &mut out);
            let name: String = l
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            at = match name.as_str() {
                "case" => {
                    out.push(Case::default());
                    At::Case
                }
                n => match ITEMS.iter().find(|(k, ..)| n == format!("case.{k}")) {
                    Some((_, item, field)) if !out.is_empty() => {
                        At::Item(item, field, None, None, String::new())
                    }
                    _ => At::Other,
                },
            };
            continue;
        }
        let Some((key, value)) = l.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        let value = unquote(value);
        match &mut at {
            At::Case => {
                let c = out.last_mut().expect("a case is open");
                match key {
                    "id" => c.id = value,
                    "caseworker" => c.caseworker = value,
                    _ => {}
                }
            }
            At::Item(_, field, kind, deadline, status) => match key {
                "kind" => *kind = Some(value),
                "status" => *status = value,
                k if k == *field => *deadline = date(&value),
                _ => {}
            },
            At::Outside | At::Other => {}
        }
    }
    close(&mut at, &mut out);
    out
}

/// A value without its quotes and a trailing comment.
fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(rest) = v.strip_prefix(q) {
            return rest.split(q).next().unwrap_or("").trim().to_string();
        }
    }
    v.split('#').next().unwrap_or("").trim().to_string()
}

/// A date as written by someone in a hurry: `2026-06-04`, quoted or not,
/// or `04.06.2026` (day first, as in Kazakhstan).
pub fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim().trim_matches(['"', '\'']);
    let head = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%-d"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_file_that_parses_is_read_as_toml() {
        let text = "[[case]]\nid = \"KZ-1\"\ncaseworker = 'aigerim'\nperson = \"P\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-10-16\n  status = \"activ\"\n  [[case.event]]\n  kind = \"court_hearing\"\n  date = 2026-06-04\n";
        let c = cases(text);
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].id.as_str(), c[0].caseworker.as_str()),
            ("KZ-1", "aigerim")
        );
        assert_eq!(c[0].items.len(), 2);
        assert_eq!(c[0].items[1].deadline, d("2026-06-04"));
        assert_eq!(c[0].items[0].status, "activ");
    }

    #[test]
    fn a_broken_file_is_read_line_by_line() {
        let text = "\u{feff}[[case]]\r\nid = \"KZ-2\"\r\ncaseworker = \"dana\" # mine\r\n\r\n  [[ case.event ]]\r\n  kind = \"court_hearing\"\r\n  date = 04.06.2026\r\n  title = \"x\r\n[[case]]\r\nid = 'KZ-3'\r\n";
        let c = cases(text);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].caseworker, "dana");
        assert_eq!(c[0].items[0].deadline, d("2026-06-04"));
        assert_eq!(c[0].items[0].kind, "court_hearing");
        assert_eq!(c[1].id, "KZ-3");
    }

    #[test]
    fn notepad_encodings_are_read() {
        let s = "[[case]]\nid = \"KZ-4\"\ncaseworker = \"erlan\"\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(cases(&text_of(&utf16))[0].caseworker, "erlan");
        // ANSI (cp1251) Cyrillic in a name: not UTF-8, still read.
        let mut ansi = b"[[case]]\nid = \"KZ-5\"\nperson = \"".to_vec();
        ansi.extend([0xC0, 0xE9, 0xE3, 0xE5]);
        ansi.extend(b"\"\ncaseworker = \"erlan\"\n");
        assert_eq!(cases(&text_of(&ansi))[0].id, "KZ-5");
    }
}
