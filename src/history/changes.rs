//! What changed between two versions of a file, field by field
//! (`KZ-0042 document refugee_certificate: status active → renewal_filed`).
//!
//! Both texts are read as TOML by the same parser the config layer uses;
//! a version that is not TOML at all is read as `salvage` reads a broken
//! file (ids, kinds, statuses, dates), so even a held version says what
//! it changed as far as that can tell. Cases are matched by id, their
//! documents, requests and events by item and kind (the n-th of a kind
//! with the n-th), every other table by its name.
//!
//! Values are shown as SPEC 9 says ([`Change::shown`]): a value is as
//! sensitive as its key (`privacy::is_public`), so a changed `person` or
//! `number` says that it changed, not what to.

use crate::privacy::{is_public, MASK};
use std::collections::BTreeMap;

/// Where a field sits: case (or bill) id, item, kind, n-th of that kind,
/// field name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    case: Option<String>,
    item: String,
    kind: Option<String>,
    nth: usize,
    field: String,
}

/// One field changed, as SPEC 6's JSON of `log` has it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub case: Option<String>,
    pub item: String,
    pub kind: Option<String>,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The key path the privacy rule judges a field's value by.
fn key_path(item: &str, field: &str) -> Vec<String> {
    let mut p: Vec<String> = match item {
        "case" | "bill" | "caseworker" => vec![item.to_string()],
        "document" | "request" | "event" => vec!["case".into(), item.to_string()],
        other => other.split('.').map(str::to_string).collect(),
    };
    p.extend(field.split('.').map(str::to_string));
    p
}

impl Change {
    /// This change with every value its key does not make public masked,
    /// unless `full` (a person who asked with `--show-values`).
    pub fn shown(&self, full: bool) -> Change {
        let mask = |path: Vec<String>, v: &Option<String>| -> Option<String> {
            v.as_ref().map(|v| {
                if full || is_public(&path, v) {
                    v.clone()
                } else {
                    MASK.to_string()
                }
            })
        };
        let parent = match self.item.as_str() {
            "document" | "request" | "event" => "case",
            other => other,
        };
        Change {
            case: mask(vec![parent.into(), "id".into()], &self.case),
            item: self.item.clone(),
            kind: mask(key_path(&self.item, "kind"), &self.kind),
            field: self.field.clone(),
            from: mask(key_path(&self.item, &self.field), &self.from),
            to: mask(key_path(&self.item, &self.field), &self.to),
        }
    }

    /// One line: `KZ-0042 document refugee_certificate: status active →
    /// renewal_filed` (absent values as `(none)`).
    pub fn line(&self) -> String {
        let mut head = Vec::new();
        head.extend(self.case.as_deref());
        head.push(self.item.as_str());
        head.extend(self.kind.as_deref());
        let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "(none)".into());
        format!(
            "{}: {} {} → {}",
            head.join(" "),
            self.field,
            v(&self.from),
            v(&self.to)
        )
    }
}

/// The changes from `old` to `new` (None: no text, as before a first
/// version or after a removal), in the order of their place.
pub fn between(old: Option<&str>, new: Option<&str>) -> Vec<Change> {
    // A version that is not TOML is read line by line ([`from_lines`]);
    // the other is then read the same way, so that both are read alike.
    let toml_ok = |t: Option<&str>| t.is_none_or(|t| parse(t).is_some());
    let salvage_both = !(toml_ok(old) && toml_ok(new));
    let read = |t: &str| {
        if salvage_both {
            from_lines(t)
        } else {
            parse(t).map(|t| from_table(&t)).unwrap_or_default()
        }
    };
    let a = old.map(read).unwrap_or_default();
    let b = new.map(read).unwrap_or_default();
    let mut keys: Vec<&Key> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| Change {
            case: k.case.clone(),
            item: k.item.clone(),
            kind: k.kind.clone(),
            field: k.field.clone(),
            from: a.get(k).cloned(),
            to: b.get(k).cloned(),
        })
        .collect()
}

/// The part of `text` that holds the case `id`: its `[[case]]` table and
/// the tables under it, found by their lines. `log --case` compares only
/// this, so a file of 10,000 cases is not parsed whole for one of them.
/// The whole text when no such table is found.
pub fn only_case(text: &str, id: &str) -> String {
    let mut out = String::new();
    let mut current = String::new();
    let mut in_case = false;
    let mut found = false;
    let mut flush = |current: &mut String, in_case: bool, out: &mut String| {
        let holds = in_case
            && current.lines().any(|l| {
                l.split_once('=').is_some_and(|(k, v)| {
                    k.trim() == "id" && v.trim().trim_matches(['"', '\'']).eq_ignore_ascii_case(id)
                })
            });
        if holds {
            out.push_str(current);
            found = true;
        }
        current.clear();
    };
    for line in text.split_inclusive('\n') {
        let l = line.trim();
        let header = l.starts_with('[');
        if header && !l.starts_with("[[case.") && !l.starts_with("[case.") {
            flush(&mut current, in_case, &mut out);
            in_case = l.starts_with("[[case]]");
        }
        current.push_str(line);
    }
    flush(&mut current, in_case, &mut out);
    if found {
        out
    } else {
        text.to_string()
    }
}

/// A text as TOML (without a byte-order mark), if it is.
fn parse(text: &str) -> Option<toml::Table> {
    toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()
}

fn shown_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn from_table(t: &toml::Table) -> BTreeMap<Key, String> {
    let mut out = BTreeMap::new();
    for (top, v) in t {
        match (top.as_str(), v) {
            ("case" | "bill" | "caseworker", toml::Value::Array(list)) => {
                for (i, entry) in list.iter().enumerate() {
                    if let toml::Value::Table(e) = entry {
                        entity(&mut out, top, i, e);
                    }
                }
            }
            (_, toml::Value::Table(inner)) => {
                let mut flat = Vec::new();
                flatten("", inner, &mut flat);
                for (field, value) in flat {
                    out.insert(
                        Key {
                            case: None,
                            item: top.clone(),
                            kind: None,
                            nth: 0,
                            field,
                        },
                        value,
                    );
                }
            }
            _ => {
                out.insert(
                    Key {
                        case: None,
                        item: String::new(),
                        kind: None,
                        nth: 0,
                        field: top.clone(),
                    },
                    shown_value(v),
                );
            }
        }
    }
    out
}

/// A table's leaves as dotted names (`admin_mail.host`).
fn flatten(prefix: &str, t: &toml::Table, out: &mut Vec<(String, String)>) {
    for (k, v) in t {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(inner) => flatten(&name, inner, out),
            other => out.push((name, shown_value(other))),
        }
    }
}

/// A case, bill or caseworker: its own fields, then its items.
fn entity(out: &mut BTreeMap<Key, String>, what: &str, i: usize, e: &toml::Table) {
    let id = e
        .get("id")
        .and_then(toml::Value::as_str)
        .map_or_else(|| format!("#{}", i + 1), str::to_string);
    let (case, kind) = if what == "caseworker" {
        (None, Some(id))
    } else {
        (Some(id), None)
    };
    let mut seen: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    for (k, v) in e {
        match v {
            toml::Value::Array(list)
                if list.iter().all(toml::Value::is_table) && !list.is_empty() =>
            {
                for item in list.iter().filter_map(toml::Value::as_table) {
                    let kind = item
                        .get("kind")
                        .and_then(toml::Value::as_str)
                        .map(str::to_string);
                    let nth = seen.entry((k.clone(), kind.clone())).or_default();
                    let mut flat = Vec::new();
                    flatten("", item, &mut flat);
                    for (field, value) in flat {
                        out.insert(
                            Key {
                                case: case.clone(),
                                item: k.clone(),
                                kind: kind.clone(),
                                nth: *nth,
                                field,
                            },
                            value,
                        );
                    }
                    *nth += 1;
                }
            }
            other => {
                let mut flat = Vec::new();
                match other {
                    toml::Value::Table(t) => flatten(k, t, &mut flat),
                    v => flat.push((k.clone(), shown_value(v))),
                }
                for (field, value) in flat {
                    out.insert(
                        Key {
                            case: case.clone(),
                            item: what.to_string(),
                            kind: kind.clone(),
                            nth: 0,
                            field,
                        },
                        value,
                    );
                }
            }
        }
    }
}

/// A text that is not TOML, read line by line as the tolerant parsers
/// read it: each `[header]` or `[[header]]` starts a table, each
/// `key = value` is a field (the value as TOML when that one line parses,
/// else as written), so a day-first date or a string left open hides only
/// itself. A text with no line of that shape is what `salvage` reads.
fn from_lines(text: &str) -> BTreeMap<Key, String> {
    let mut blocks: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines() {
        let l = line.trim().trim_start_matches('\u{feff}');
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.starts_with('[') {
            let name = l
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            blocks.push((name.to_string(), Vec::new()));
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"').to_string();
        let v = match toml::from_str::<toml::Table>(&format!("x = {}", v.trim())) {
            Ok(t) => t.get("x").map(shown_value).unwrap_or_default(),
            Err(_) => v.trim().trim_matches('"').to_string(),
        };
        if blocks.is_empty() {
            blocks.push((String::new(), Vec::new()));
        }
        if let Some(b) = blocks.last_mut() {
            b.1.push((k, v));
        }
    }
    if blocks.iter().all(|b| b.1.is_empty()) {
        return from_salvage(text);
    }
    let mut table = toml::Table::new();
    let mut entity: Option<(String, toml::Table)> = None;
    let flush = |table: &mut toml::Table, e: Option<(String, toml::Table)>| {
        if let Some((top, t)) = e {
            if let toml::Value::Array(list) = table
                .entry(top)
                .or_insert_with(|| toml::Value::Array(Vec::new()))
            {
                list.push(toml::Value::Table(t));
            }
        }
    };
    for (name, fields) in blocks {
        let as_table: toml::Table = fields
            .into_iter()
            .map(|(k, v)| (k, toml::Value::String(v)))
            .collect();
        let (top, sub) = name.split_once('.').unwrap_or((name.as_str(), ""));
        match (top, sub) {
            ("case" | "bill" | "caseworker", "") => {
                flush(&mut table, entity.take());
                entity = Some((top.to_string(), as_table));
            }
            ("case" | "bill", sub) if entity.is_some() => {
                if let Some((_, e)) = entity.as_mut() {
                    if let toml::Value::Array(list) = e
                        .entry(sub.to_string())
                        .or_insert_with(|| toml::Value::Array(Vec::new()))
                    {
                        list.push(toml::Value::Table(as_table));
                    }
                }
            }
            _ => {
                flush(&mut table, entity.take());
                table.insert(name.clone(), toml::Value::Table(as_table));
            }
        }
    }
    flush(&mut table, entity.take());
    from_table(&table)
}

/// A text that is not TOML: what `salvage` can read of it.
fn from_salvage(text: &str) -> BTreeMap<Key, String> {
    let mut out = BTreeMap::new();
    for c in crate::config::salvage::cases(text) {
        let key = |item: &str, kind: Option<String>, nth: usize, field: &str| Key {
            case: Some(c.id.clone()),
            item: item.to_string(),
            kind,
            nth,
            field: field.to_string(),
        };
        out.insert(key("case", None, 0, "id"), c.id.clone());
        if !c.caseworker.is_empty() {
            out.insert(key("case", None, 0, "caseworker"), c.caseworker.clone());
        }
        let mut seen: BTreeMap<(&str, String), usize> = BTreeMap::new();
        for d in &c.items {
            let nth = seen.entry((d.item, d.kind.clone())).or_default();
            let date_field = match d.item {
                "document" => "expires",
                "event" => "date",
                _ => "deadline",
            };
            let kind = Some(d.kind.clone()).filter(|k| !k.is_empty());
            out.insert(
                key(d.item, kind.clone(), *nth, date_field),
                d.deadline.to_string(),
            );
            if !d.status.is_empty() {
                out.insert(key(d.item, kind, *nth, "status"), d.status.clone());
            }
            *nth += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"
[[case]]
id = "KZ-0042"
caseworker = "aigerim"
person = "Aigerim Test"

  [[case.document]]
  kind = "refugee_certificate"
  number = "000123"
  issued = 2025-10-16
  expires = 2026-10-16
  status = "active"

  [[case.event]]
  title = "Court hearing"
  date = 2026-12-03
"#;

    fn change(
        case: &str,
        item: &str,
        kind: Option<&str>,
        field: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Change {
        Change {
            case: Some(case.into()),
            item: item.into(),
            kind: kind.map(str::to_string),
            field: field.into(),
            from: from.map(str::to_string),
            to: to.map(str::to_string),
        }
    }

    /// The field diff as a table: (edit of V1, the changes, masked).
    #[test]
    fn changes_are_listed_field_by_field_and_masked_by_their_key() {
        let table: &[(&str, &str, Vec<Change>)] = &[
            (
                "status",
                r#"status = "renewal_filed""#,
                vec![change(
                    "KZ-0042",
                    "document",
                    Some("refugee_certificate"),
                    "status",
                    Some("active"),
                    Some("renewal_filed"),
                )],
            ),
            (
                "number (sensitive: masked)",
                r#"number = "999999""#,
                vec![change(
                    "KZ-0042",
                    "document",
                    Some("refugee_certificate"),
                    "number",
                    Some(MASK),
                    Some(MASK),
                )],
            ),
            (
                "person (sensitive: masked)",
                r#"person = "Dana Example""#,
                vec![change(
                    "KZ-0042",
                    "case",
                    None,
                    "person",
                    Some(MASK),
                    Some(MASK),
                )],
            ),
            (
                "a date",
                "issued = 2025-10-17",
                vec![change(
                    "KZ-0042",
                    "document",
                    Some("refugee_certificate"),
                    "issued",
                    Some("2025-10-16"),
                    Some("2025-10-17"),
                )],
            ),
            (
                "an event's date",
                "date = 2026-12-10",
                vec![change(
                    "KZ-0042",
                    "event",
                    None,
                    "date",
                    Some("2026-12-03"),
                    Some("2026-12-10"),
                )],
            ),
        ];
        let originals = [
            r#"status = "active""#,
            r#"number = "000123""#,
            r#"person = "Aigerim Test""#,
            "issued = 2025-10-16",
            "date = 2026-12-03",
        ];
        assert_eq!(table.len(), originals.len());
        for ((what, edit, want), orig) in table.iter().zip(originals) {
            assert!(V1.contains(orig), "{what}");
            let v2 = V1.replace(orig, edit);
            let got: Vec<Change> = between(Some(V1), Some(&v2))
                .iter()
                .map(|c| c.shown(false))
                .collect();
            assert_eq!(&got, want, "{what}");
        }
    }

    #[test]
    fn only_the_case_asked_about_is_compared() {
        let two = format!("{V1}\n[[case]]\nid = \"KZ-0043\"\ncaseworker = \"dana\"\n");
        assert_eq!(only_case(&two, "kz-0042").trim(), V1.trim());
        assert!(only_case(&two, "KZ-0043").starts_with("[[case]]\nid = \"KZ-0043\""));
        assert_eq!(only_case(&two, "KZ-9999"), two);
    }

    #[test]
    fn a_line_reads_as_spec_6_shows_it() {
        let c = change(
            "KZ-0042",
            "document",
            Some("refugee_certificate"),
            "status",
            Some("active"),
            Some("renewal_filed"),
        );
        assert_eq!(
            c.line(),
            "KZ-0042 document refugee_certificate: status active → renewal_filed"
        );
    }

    #[test]
    fn an_added_item_and_a_broken_version_are_read_as_far_as_they_can_be() {
        let v2 = format!(
            "{V1}\n  [[case.request]]\n  kind = \"travel_document\"\n  filed = 2026-11-01\n"
        );
        let got = between(Some(V1), Some(&v2));
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|c| c.item == "request" && c.from.is_none()));
        // A broken version (a day-first date): every field is still read,
        // the broken one as written.
        let broken = V1
            .replace("issued = 2025-10-16", "issued = 16.10.2025")
            .replace(r#"status = "active""#, r#"status = "renewed""#);
        let got = between(Some(V1), Some(&broken));
        let doc = |field: &str, from: &str, to: &str| {
            change(
                "KZ-0042",
                "document",
                Some("refugee_certificate"),
                field,
                Some(from),
                Some(to),
            )
        };
        let want = vec![
            doc("issued", "2025-10-16", "16.10.2025"),
            doc("status", "active", "renewed"),
        ];
        assert_eq!(got, want);
        // And the fix after it.
        assert_eq!(
            between(Some(&broken), Some(V1)),
            vec![
                doc("issued", "16.10.2025", "2025-10-16"),
                doc("status", "renewed", "active")
            ]
        );
        // Nothing before the first version: no changes are invented for
        // a text compared with itself.
        assert!(between(Some(V1), Some(V1)).is_empty());
    }
}
