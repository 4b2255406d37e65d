//! A fast path for the common shape of include files: `[[case]]` tables
//! with `[[case.document]]`, `[[case.request]]` and `[[case.event]]`
//! sub-tables, one `key = value` per line, values that are plain strings,
//! dates, integers or one-line integer lists.
//!
//! Why: parsing dominates loading a large config (measured at 100,000
//! cases: ~85% of `docket upcoming`), and a general TOML parser pays for
//! generality this shape does not need. This parser recognises only that
//! shape and returns `None` for anything else (bills, inline tables, escapes,
//! dotted or quoted keys, unknown keys, duplicates, bad values…), in which
//! case the caller uses the full TOML parser, which also produces the
//! diagnostics. So the fast path can only ever accept what the full parser
//! accepts, with the same values and the same spans (tested below against
//! the full parser).

#[cfg(test)]
use super::raw::RawInclude;
use super::raw::{parse_date, RawCase, RawDate, RawDocument, RawEvent, RawRequest, S};
use std::ops::Range;
use toml::Spanned;

/// The table being filled.
enum Cur {
    None,
    Case,
    Doc(Range<usize>, RawDocument),
    Req(Range<usize>, RawRequest),
    Event(Range<usize>, RawEvent),
}

/// A parsed value and its span.
enum Val {
    Str(S<String>),
    Date(S<RawDate>),
    Int(#[allow(dead_code)] S<i64>),
    Ints(S<Vec<S<i64>>>),
}

/// Parse an include file of the common shape, or `None` to fall back:
/// [`parse_cases`] into a list (the tests compare it with the full parser).
#[cfg(test)]
pub fn parse_include(text: &str) -> Option<RawInclude> {
    let mut cases: Vec<S<RawCase>> = Vec::with_capacity(count_cases(text));
    parse_cases(text, |c| cases.push(c))?;
    Some(RawInclude {
        case: (!cases.is_empty()).then_some(cases),
        bill: None,
    })
}

/// How many `[[case]]` headers start a line: the number of cases of a
/// file the fast path takes (a hint for sizing, exact for such files).
pub fn count_cases(text: &str) -> usize {
    let b = text.as_bytes();
    usize::from(b.starts_with(b"[[case]]")) + memchr::memmem::find_iter(b, b"\n[[case]]").count()
}

/// Parse an include file of the common shape, handing each case to `each`
/// as soon as it is complete (in file order), so that no list of raw cases
/// is ever held; `None` to fall back (after some cases may have been
/// handed over: the caller discards what it made of them).
pub fn parse_cases(text: &str, each: impl FnMut(S<RawCase>)) -> Option<()> {
    parse_cases_in(text, 0..text.len(), each)
}

/// `text` cut into at most `n` pieces of about equal size, each but the
/// first starting at a `[[case]]` header at the start of a line. The
/// parser carries nothing from one line to the next but the case and
/// table being filled, which such a header closes and starts afresh: so
/// [`parse_cases_in`] over the pieces, in order, hands over the cases
/// [`parse_cases`] over the whole text does, or one piece falls back where
/// the whole would (tested below). Why: one core parsed a 19 MB file of
/// 100,000 cases while the other idled.
pub fn split(text: &str, n: usize) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut cuts = vec![0];
    for i in 1..n {
        let last = *cuts.last().expect("starts with 0");
        let from = last.max(b.len() / n * i);
        match memchr::memmem::find(&b[from..], b"\n[[case]]") {
            // After the newline: where the header's line starts.
            Some(at) => cuts.push(from + at + 1),
            None => break,
        }
    }
    cuts.push(b.len());
    cuts.windows(2)
        .filter(|w| w[0] < w[1])
        .map(|w| w[0]..w[1])
        .collect()
}

/// [`parse_cases`] over the lines in `range` of `text` (a piece from
/// [`split`]), spans in `text`'s offsets.
pub fn parse_cases_in(
    text: &str,
    range: Range<usize>,
    mut each: impl FnMut(S<RawCase>),
) -> Option<()> {
    if range.start == 0 && text.starts_with('\u{feff}') {
        return None;
    }
    // TOML allows no control characters but tab anywhere (comments
    // included), and a carriage return only before a newline: leave any
    // such file to the full parser, which reports it. (A piece ends after
    // a newline or at the end, so no carriage return is cut from its own.)
    if !controls_ok(&text.as_bytes()[range.clone()]) {
        return None;
    }
    // The case being filled and its header span.
    let mut case: Option<(Range<usize>, RawCase)> = None;
    let mut cur = Cur::None;
    let mut pos = range.start;
    let bytes = &text.as_bytes()[..range.end];
    while pos < range.end {
        let end = memchr_newline(bytes, pos);
        let line_end = if end > pos && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        let start = pos + blanks(&bytes[pos..line_end]);
        let body = &text[start..line_end];
        pos = end + 1;
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some(rest) = body.strip_prefix("[[") {
            let close = memchr::memmem::find(rest.as_bytes(), b"]]")?;
            let name = &rest[..close];
            if !trailing_ok(&rest[close + 2..]) {
                return None;
            }
            let span = start..start + 2 + close + 2;
            finish_child(&mut case, std::mem::replace(&mut cur, Cur::None))?;
            match name {
                "case" => {
                    if let Some((s, c)) = case.take() {
                        each(Spanned::new(s, c));
                    }
                    case = Some((span, RawCase::default()));
                    cur = Cur::Case;
                }
                "case.document" => cur = Cur::Doc(span, RawDocument::default()),
                "case.request" => cur = Cur::Req(span, RawRequest::default()),
                "case.event" => cur = Cur::Event(span, RawEvent::default()),
                _ => return None,
            }
            case.as_ref()?;
            continue;
        }
        // key = value
        let key_len = body
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            .count();
        if key_len == 0 {
            return None;
        }
        let key = &body[..key_len];
        let eq = start + key_len + blanks(&body.as_bytes()[key_len..]);
        if bytes.get(eq) != Some(&b'=') {
            return None;
        }
        let vstart = eq + 1 + blanks(&bytes[eq + 1..line_end]);
        let (val, vend) = value(text, vstart, line_end)?;
        if !trailing_ok(&text[vend..line_end]) {
            return None;
        }
        assign(&mut case, &mut cur, key, val)?;
    }
    finish_child(&mut case, cur)?;
    if let Some((s, c)) = case.take() {
        each(Spanned::new(s, c));
    }
    Some(())
}

/// No control character but tab, and a carriage return only before a
/// newline. First a pass the compiler vectorizes (no byte but a tab or a
/// newline below 0x20, no DEL, in blocks without a branch per byte); only
/// a text with a carriage return or a control character is looked at byte
/// by byte.
fn controls_ok(b: &[u8]) -> bool {
    let odd = |c: u8| (c < 0x20 && c != b'\t' && c != b'\n') || c == 0x7f;
    if !b
        .chunks(256)
        .any(|ch| ch.iter().fold(false, |a, &c| a | odd(c)))
    {
        return true;
    }
    b.iter().enumerate().all(|(i, &c)| {
        !((c < 0x20 && c != b'\t' && c != b'\n' && c != b'\r')
            || c == 0x7f
            || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
    })
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i)
}

/// How many spaces and tabs `b` starts with.
fn blanks(b: &[u8]) -> usize {
    b.iter().take_while(|&&c| c == b' ' || c == b'\t').count()
}

/// Only whitespace and an optional comment may follow a value or header.
fn trailing_ok(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.get(blanks(b)).is_none_or(|&c| c == b'#')
}

/// Parse the value starting at `at` (before `limit`): returns it and where it ends.
fn value(text: &str, at: usize, limit: usize) -> Option<(Val, usize)> {
    let s = &text[at..limit];
    let b = s.as_bytes();
    match *b.first()? {
        b'"' => {
            if s.starts_with("\"\"\"") {
                return None;
            }
            // A backslash (an escape) is the full parser's. No other byte
            // needs a look: `controls_ok` refused the piece's control
            // characters but tab, and a line holds no newline.
            let close = memchr::memchr2(b'"', b'\\', &b[1..])? + 1;
            if b[close] == b'\\' {
                return None;
            }
            let inner = &s[1..close];
            Some((
                Val::Str(Spanned::new(at..at + close + 1, inner.to_string())),
                at + close + 1,
            ))
        }
        b'[' => {
            let close = s.find(']')?;
            let inner = &s[1..close];
            let mut items = Vec::new();
            let mut off = at + 1;
            let parts: Vec<&str> = inner.split(',').collect();
            for (i, part) in parts.iter().enumerate() {
                let lead = part.len() - part.trim_start_matches([' ', '\t']).len();
                let t = part.trim_matches([' ', '\t']);
                if t.is_empty() {
                    // Only a trailing comma, or an empty list, leaves an empty part.
                    if i + 1 == parts.len() && (i > 0 || parts.len() == 1) {
                        off += part.len() + 1;
                        continue;
                    }
                    return None;
                }
                let n = int(t)?;
                items.push(Spanned::new(off + lead..off + lead + t.len(), n));
                off += part.len() + 1;
            }
            Some((
                Val::Ints(Spanned::new(at..at + close + 1, items)),
                at + close + 1,
            ))
        }
        b'0'..=b'9' | b'-' => {
            // A date is exactly YYYY-MM-DD, not followed by a time.
            // (All ten bytes ASCII, so slicing at 10 is a char boundary.)
            if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..10].is_ascii() {
                let d = &s[..10];
                let next = b.get(10).copied();
                if matches!(next, Some(b'T' | b't' | b':' | b'.')) {
                    return None;
                }
                if next == Some(b' ') && b.get(11).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                let date = parse_date(d).ok()?;
                return Some((Val::Date(Spanned::new(at..at + 10, RawDate(date))), at + 10));
            }
            let len = b
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b'-')
                .count();
            let n = int(&s[..len])?;
            Some((Val::Int(Spanned::new(at..at + len, n)), at + len))
        }
        _ => None,
    }
}

/// A TOML decimal integer without `+`, underscores or leading zeros.
fn int(t: &str) -> Option<i64> {
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty()
        || !digits.bytes().all(|c| c.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    t.parse().ok()
}

/// Set `slot` once; a second assignment is a duplicate key: fall back.
fn set<T>(slot: &mut Option<T>, v: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(v);
    Some(())
}

fn assign(
    case: &mut Option<(Range<usize>, RawCase)>,
    cur: &mut Cur,
    key: &str,
    val: Val,
) -> Option<()> {
    use Val::*;
    match (cur, key, val) {
        (Cur::Case, k, Str(v)) => {
            let c = &mut case.as_mut()?.1;
            match k {
                "id" => set(&mut c.id, v),
                "caseworker" => set(&mut c.caseworker, v),
                "person" => set(&mut c.person, v),
                _ => None,
            }
        }
        (Cur::Doc(_, d), k, val) => match (k, val) {
            ("kind", Str(v)) => set(&mut d.kind, v),
            ("number", Str(v)) => set(&mut d.number, v),
            ("status", Str(v)) => set(&mut d.status, v),
            ("issued", Date(v)) => set(&mut d.issued, v),
            ("expires", Date(v)) => set(&mut d.expires, v),
            ("filed", Date(v)) => set(&mut d.filed, v),
            ("lead_days", Ints(v)) => set(&mut d.lead_days, v),
            _ => None,
        },
        (Cur::Req(_, r), k, val) => match (k, val) {
            ("kind", Str(v)) => set(&mut r.kind, v),
            ("number", Str(v)) => set(&mut r.number, v),
            ("answer_within", Str(v)) => set(&mut r.answer_within, v),
            ("status", Str(v)) => set(&mut r.status, v),
            ("waiting_for", Str(v)) => set(&mut r.waiting_for, v),
            ("filed", Date(v)) => set(&mut r.filed, v),
            ("extended_to", Date(v)) => set(&mut r.extended_to, v),
            ("lead_days", Ints(v)) => set(&mut r.lead_days, v),
            _ => None,
        },
        (Cur::Event(_, e), k, val) => match (k, val) {
            ("title", Str(v)) => set(&mut e.title, v),
            ("kind", Str(v)) => set(&mut e.kind, v),
            ("date", Date(v)) => set(&mut e.date, v),
            ("lead_days", Ints(v)) => set(&mut e.lead_days, v),
            _ => None,
        },
        // A bare integer has no home in these tables; keys before any
        // header belong to the file's root, which has none of its own.
        _ => None,
    }
}

/// Attach a finished sub-table to its case.
fn finish_child(case: &mut Option<(Range<usize>, RawCase)>, cur: Cur) -> Option<()> {
    match cur {
        Cur::None | Cur::Case => Some(()),
        Cur::Doc(s, d) => {
            case.as_mut()?
                .1
                .document
                .get_or_insert_with(Vec::new)
                .push(Spanned::new(s, d));
            Some(())
        }
        Cur::Req(s, r) => {
            case.as_mut()?
                .1
                .request
                .get_or_insert_with(Vec::new)
                .push(Spanned::new(s, r));
            Some(())
        }
        Cur::Event(s, e) => {
            case.as_mut()?
                .1
                .event
                .get_or_insert_with(Vec::new)
                .push(Spanned::new(s, e));
            Some(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast and the full parser agree on values and on every span.
    fn same(text: &str) {
        let fast = parse_include(text).unwrap_or_else(|| panic!("fast path refused:\n{text}"));
        let full: RawInclude = toml::from_str(text).unwrap();
        assert_eq!(spans(&fast), spans(&full), "spans differ for:\n{text}");
        assert_eq!(
            format!("{fast:?}"),
            format!("{full:?}"),
            "values differ for:\n{text}"
        );
    }

    /// Every span in a parsed include, in order.
    fn spans(r: &RawInclude) -> Vec<Range<usize>> {
        let mut v = Vec::new();
        fn s<T>(v: &mut Vec<Range<usize>>, x: &Option<S<T>>) {
            if let Some(x) = x {
                v.push(x.span());
            }
        }
        fn l(v: &mut Vec<Range<usize>>, x: &Option<S<Vec<S<i64>>>>) {
            if let Some(x) = x {
                v.push(x.span());
                v.extend(x.get_ref().iter().map(|i| i.span()));
            }
        }
        // The span of each listed field of each table, then its lead days.
        macro_rules! fields {
            ($t:expr; $($f:ident),*) => {{
                v.push($t.span());
                let t = $t.get_ref();
                $(s(&mut v, &t.$f);)*
                t
            }};
        }
        for c in r.case.iter().flatten() {
            let c = fields!(c; id, caseworker, person);
            for d in c.document.iter().flatten() {
                let d = fields!(d; kind, number, issued, expires, status, filed);
                l(&mut v, &d.lead_days);
            }
            for q in c.request.iter().flatten() {
                let q = fields!(q; kind, number, filed, answer_within, extended_to, status, waiting_for);
                l(&mut v, &q.lead_days);
            }
            for e in c.event.iter().flatten() {
                let e = fields!(e; title, kind, date);
                l(&mut v, &e.lead_days);
            }
        }
        v
    }

    #[test]
    fn agrees_with_the_full_parser() {
        same("");
        same("# only a comment\n");
        same(
            "[[case]]\nid = \"KZ-1\"\ncaseworker = \"aigerim\"   # trailing comment\nperson = \"Айгерим Ũ\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2025-12-18\n  lead_days = [90, 30, 1]\n",
        );
        same(
            "[[case]]\r\nid = \"A\"\r\n[[case.request]]\r\nkind = \"t\"\r\nfiled = 2026-11-02\r\nextended_to = 2026-12-01\r\nlead_days = []\r\n[[case.event]]\r\ntitle = \"Hearing\"\r\ndate = 2026-12-03\r\nlead_days = [ 7 , 1, ]\r\n",
        );
        same("[[case]]\nid=\"B\"\n\t[[case.document]]\n\tkind=\"x\"\n\texpires=2026-01-31\n[[case]]\nid = \"C\"\n");
        // A tab inside a string is the string's (the only control
        // character TOML allows there).
        same("[[case]]\nid = \"D\tE\"\nperson = \"\t\"\n");
        for f in ["kz-0042.toml", "kz-0057.toml", "kz-0061.toml"] {
            let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("config/cases.d")
                .join(f);
            same(&std::fs::read_to_string(p).unwrap());
        }
    }

    /// The cases `parse_cases` hands over, or `None`: as text, to compare.
    fn whole(text: &str) -> Option<Vec<String>> {
        let mut v = Vec::new();
        parse_cases(text, |c| v.push(format!("{:?} {c:?}", c.span())))?;
        Some(v)
    }

    /// The same over the pieces of `split(text, n)`, one after the other.
    fn pieces(text: &str, n: usize) -> Option<Vec<String>> {
        let mut v = Vec::new();
        let ranges = split(text, n);
        assert!(ranges.len() <= n.max(1));
        assert_eq!(ranges.first().map_or(0, |r| r.start), 0);
        assert_eq!(ranges.last().map_or(text.len(), |r| r.end), text.len());
        for w in ranges.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert!(text[w[1].start..].starts_with("[[case]]"));
        }
        for r in ranges {
            parse_cases_in(text, r, |c| v.push(format!("{:?} {c:?}", c.span())))?;
        }
        Some(v)
    }

    #[test]
    fn pieces_hand_over_what_the_whole_text_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/cases.d");
        let mut base = String::new();
        for f in ["kz-0042.toml", "kz-0057.toml", "kz-0061.toml"] {
            base.push_str(&std::fs::read_to_string(dir.join(f)).unwrap());
            base.push('\n');
        }
        // Lines to put in, each somewhere a cut may fall: what the fast
        // path takes and what it refuses.
        let lines = [
            "[[case]]",
            "[[case]]\r",
            "[[case]] # c",
            "[[case]]x",
            "[[case.document]]",
            "id = \"Z\"",
            "id = \"Z\"\r",
            "kind = \"x\"",
            "lead_days = [1, 2]",
            "# [[case]]",
            "",
            "\r",
            "x = 1",
            "\u{feff}[[case]]",
        ];
        // A small generator, fixed seed: the same texts on every run.
        let mut next = crate::test_support::numbers_below();
        let (mut taken, mut refused) = (0, 0);
        for round in 0..400 {
            let mut text: Vec<&str> = base.lines().collect();
            for _ in 0..round % 4 {
                let at = next(text.len() + 1);
                text.insert(at, lines[next(lines.len())]);
            }
            let text = text.join("\n") + if round % 2 == 0 { "\n" } else { "" };
            let want = whole(&text);
            match want {
                Some(_) => taken += 1,
                None => refused += 1,
            }
            for n in 1..=6 {
                assert_eq!(pieces(&text, n), want, "n = {n} for:\n{text}");
            }
        }
        // Both sides of the comparison were exercised.
        assert!(
            taken > 50 && refused > 50,
            "{taken} taken, {refused} refused"
        );
    }

    #[test]
    fn counts_the_cases_it_hands_over() {
        for text in [
            "",
            "[[case]]\nid = \"A\"\n",
            "# c\n[[case]]\nid = \"A\"\n  [[case.document]]\n  kind = \"x\"\n\n[[case]]\r\nid = \"B\"\r\n",
        ] {
            let mut n = 0;
            parse_cases(text, |_| n += 1).unwrap();
            assert_eq!(count_cases(text), n, "{text}");
        }
    }

    #[test]
    fn falls_back_on_anything_unusual() {
        for text in [
            "[[bill]]\nid = \"b\"\n",
            "[[case]]\nid = \"a\\u0041\"\n",
            "[[case]]\nid = \"a\\\"b\"\n",
            "[[case]]\nid = 'literal'\n",
            "[[case]]\nid = \"a\"\nid = \"b\"\n",
            "[[case]]\nunknown = \"x\"\n",
            "[[case]]\ncase.id = \"x\"\n",
            "[[case]]\n\"id\" = \"x\"\n",
            "[[ case ]]\nid = \"x\"\n",
            "[case]\nid = \"x\"\n",
            "id = \"x\"\n",
            "[[case.document]]\nkind = \"x\"\n",
            "[[case]]\nid = \"x\"\n[[case.document]]\nissued = 2026-02-30\n",
            "[[case]]\nid = \"x\"\n[[case.document]]\nissued = 2026-02-03T10:00:00\n",
            "[[case]]\nid = \"x\"\n[[case.document]]\nissued = 2026-02-03 10:00:00\n",
            "[[case]]\nid = \"x\"\n[[case.document]]\nlead_days = [007]\n",
            "[[case]]\nid = \"x\"\n[[case.document]]\nlead_days = [1,\n2]\n",
            "[[case]]\nid = \"x\"\n[[case.document]]\nlead_days = [1_000]\n",
            "[[case]]\nid = \"x\" junk\n",
            "[[case]]\nid = \"\"\"x\"\"\"\n",
            "[[case]]\nid = 5\n",
            "\u{feff}[[case]]\nid = \"x\"\n",
            "[[case]]\nid = \"x\"\n[[case.document]]\nkind = { a = 1 }\n",
            "[[case]]\nid = \"x\" # a \u{0} in a comment\n",
            "[[case]]\nid = \"x\"\r[[case.event]]\n",
        ] {
            assert!(parse_include(text).is_none(), "fast path accepted:\n{text}");
        }
    }
}
