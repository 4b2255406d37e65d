//! Helpers for `daemon` and `smtp`: reading the mail docket sends (a small
//! RFC 5322 parser, the items of a digest, the file transport's outbox).

use std::path::{Path, PathBuf};

/// One part of a multipart message: its Content-Type and decoded body.
#[derive(Debug, Clone)]
pub struct MailPart {
    pub content_type: String,
    pub body: String,
}

/// An RFC 5322 message, parsed just enough for the tests: unfolded headers
/// and, for a multipart message, each part's body decoded from its
/// Content-Transfer-Encoding (quoted-printable, base64, 7bit, 8bit).
#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: Vec<(String, String)>,
    /// The body of a single-part message, decoded; empty for multipart.
    pub body: String,
    pub parts: Vec<MailPart>,
    pub raw: String,
}

impl Mail {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A digest (`[docket] YYYY-MM-DD: …`), not a notice or an alert
    /// (`[docket] words…`).
    pub fn is_digest(&self) -> bool {
        let subject = self.header("Subject").unwrap_or("");
        subject.strip_prefix("[docket] ").is_some_and(|rest| {
            rest.len() > 11
                && rest.is_char_boundary(10)
                && chrono::NaiveDate::parse_from_str(&rest[..10], "%Y-%m-%d").is_ok()
                && rest[10..].starts_with(':')
        })
    }

    /// Every header called `name`.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The decoded body of the only part whose type starts with `mime`.
    pub fn part(&self, mime: &str) -> &str {
        let found: Vec<&MailPart> = self
            .parts
            .iter()
            .filter(|p| p.content_type.to_ascii_lowercase().starts_with(mime))
            .collect();
        assert_eq!(found.len(), 1, "one {mime} part in:\n{}", self.raw);
        &found[0].body
    }

    pub fn text(&self) -> &str {
        self.part("text/plain")
    }

    pub fn html(&self) -> &str {
        self.part("text/html")
    }
}

/// Split a header block from its body and unfold the headers.
fn split_headers(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match raw.find("\n\n") {
        Some(i) => (&raw[..i], &raw[i + 2..]),
        None => (raw, ""),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    for h in &mut headers {
        h.1 = decode_words(&h.1);
    }
    (headers, body)
}

/// Decode RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`);
/// the space between two adjacent ones is not part of the text.
fn decode_words(v: &str) -> String {
    if !v.contains("=?") {
        return v.to_string();
    }
    let mut out = String::new();
    let mut rest = v;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        let word = &rest[start + 2..];
        let parsed = (|| {
            let (_charset, r) = word.split_once('?')?;
            let (enc, r) = r.split_once('?')?;
            let end = r.find("?=")?;
            let text = &r[..end];
            let bytes = match enc {
                "b" | "B" => decode_base64(text),
                _ => decode_qp(&text.replace('_', " ")),
            };
            Some((
                String::from_utf8(bytes).ok()?,
                start + 2 + word.len() - r.len() + end + 2,
            ))
        })();
        match parsed {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &rest[used..];
                after_word = true;
            }
            None => {
                out.push_str("=?");
                rest = &rest[start + 2..];
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The value of parameter `param` in a header value like
/// `multipart/alternative; boundary="xyz"`.
pub fn header_param(value: &str, param: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(param)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn decode_body(headers: &[(String, String)], body: &str) -> String {
    let cte = header_of(headers, "Content-Transfer-Encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    let bytes = match cte.as_str() {
        "quoted-printable" => decode_qp(body),
        "base64" => decode_base64(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).expect("a UTF-8 body")
}

/// Parse an RFC 5322 message (CRLF or LF line ends).
pub fn parse_mail(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let (headers, body) = split_headers(&raw);
    let ctype = header_of(&headers, "Content-Type").unwrap_or("text/plain");
    let mut parts = Vec::new();
    let mut single = String::new();
    if ctype.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = header_param(ctype, "boundary").expect("a multipart boundary");
        let delim = format!("--{boundary}");
        let close = format!("--{boundary}--");
        let mut current: Option<Vec<&str>> = None;
        for line in body.split('\n') {
            if line == delim || line == close {
                if let Some(lines) = current.take() {
                    let text = lines.join("\n");
                    // The line break before a delimiter belongs to the
                    // delimiter, so joining the lines drops it.
                    let (h, b) = split_headers(&text);
                    parts.push(MailPart {
                        content_type: header_of(&h, "Content-Type")
                            .unwrap_or("text/plain")
                            .to_string(),
                        body: decode_body(&h, b),
                    });
                }
                if line == close {
                    break;
                }
                current = Some(Vec::new());
            } else if let Some(lines) = current.as_mut() {
                lines.push(line);
            }
        }
    } else {
        single = decode_body(&headers, body);
    }
    Mail {
        headers,
        body: single,
        parts,
        raw: raw.clone(),
    }
}

/// Decode quoted-printable (RFC 2045 §6.7): `=XX` escapes and soft breaks.
pub fn decode_qp(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                if let Ok(v) = u8::from_str_radix(hex, 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Decode base64 (standard alphabet), ignoring whitespace.
pub fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = val(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The items of a digest's text part, each with its case's heading
/// ("KZ-0042 · Gulnar Fictional * Refugee certificate [OVERDUE]"), both the
/// caseworker's own and the escalated ones, in the order shown. An item is
/// a "  * label" line; its case is the last line above it that starts in
/// the first column. In a supervisor's part, the caseworker's name (the
/// "-- Aigerim Example (aigerim)" line) comes first.
pub fn entries(text: &str) -> Vec<String> {
    let (mut case, mut whose) = ("", "");
    let mut out = Vec::new();
    for l in text.lines() {
        if let Some(item) = l.strip_prefix("  * ") {
            out.push(format!("{whose}{case} * {item}"));
        } else if let Some(cw) = l.strip_prefix("-- ").filter(|_| l.len() > 3) {
            // A supervisor's copies come under their caseworker's name.
            whose = cw;
            case = "";
        } else if !l.is_empty() && !l.starts_with(' ') {
            case = l;
        }
    }
    out
}

/// Every `.eml` file in `dir`, parsed, in the order of their names.
pub fn outbox_mails(dir: &Path) -> Vec<Mail> {
    outbox_by_path(dir).into_values().collect()
}

/// Every `.eml` file in `dir`, parsed, by its path (to tell what a run
/// added: see `new_since` in the daemon tests).
pub fn outbox_by_path(dir: &Path) -> std::collections::BTreeMap<PathBuf, Mail> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Default::default();
    };
    rd.flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p, parse_mail(&text)))
        })
        .collect()
}
