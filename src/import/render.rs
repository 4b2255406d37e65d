//! A case as the file the guide teaches (doc/guide.*.md, section 3): the
//! same order of keys, the same comments, in the language of the case's
//! caseworker, so the file reads like one a caseworker wrote by hand.
//! Each line remembers the cell it came from, so a problem `docket check`
//! finds in it is reported at that cell.

use super::base::{Field, ItemKind, Pos};
use super::cases::{Case, Value};
use crate::config::model::Language;

/// A case file's text, and for each of its lines the cell it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub origin: Vec<Pos>,
}

impl Rendered {
    fn line(&mut self, at: Pos, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
        self.origin.push(at);
    }

    /// `key = value` with its comment aligned as the guide aligns them.
    fn key(&mut self, at: Pos, indent: &str, key: &str, value: &str, comment: Option<&str>) {
        let mut s = format!("{indent}{key} = {value}");
        if let Some(c) = comment {
            let width = 31 + indent.len();
            let n = s.chars().count();
            s.push_str(&" ".repeat(width.saturating_sub(n).max(1)));
            s.push_str("# ");
            s.push_str(c);
        }
        self.line(at, &s);
    }

    /// The cell line `line` (1-based) came from.
    pub fn cell_of_line(&self, line: usize) -> Option<Pos> {
        self.origin.get(line.checked_sub(1)?).copied()
    }
}

/// A TOML basic string in double quotes, as the guide writes every
/// value, escaped as TOML requires.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text of `case`'s file; `source` names the sheet for the comment.
pub fn render(case: &Case, lang: Language, source: &str) -> Rendered {
    let mut r = Rendered {
        text: String::new(),
        origin: Vec::new(),
    };
    let rows = case
        .rows
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let (head, from) = match lang {
        Language::En => (
            format!("# Case {}. One case per file.", case.id),
            format!("# Imported from {source}, rows {rows}."),
        ),
        Language::Ru => (
            format!("# Дело {}. Одно дело — один файл.", case.id),
            format!("# Перенесено из {source}, строки {rows}."),
        ),
        Language::Kk => (
            format!("# {} ісі. Бір іс — бір файл.", case.id),
            format!("# {source} файлынан көшірілді, жолдар: {rows}."),
        ),
    };
    r.line(case.at, &head.replace(['\n', '\r'], " "));
    r.line(case.at, &from.replace(['\n', '\r'], " "));
    r.line(case.at, "[[case]]");
    r.key(
        case.at,
        "",
        "id",
        &quoted(&case.id),
        Some(comment(lang, "id")),
    );
    if let Some((w, at)) = &case.caseworker {
        r.key(
            *at,
            "",
            "caseworker",
            &quoted(w),
            Some(comment(lang, "caseworker")),
        );
    }
    if let Some((p, at)) = &case.person {
        r.key(*at, "", "person", &quoted(p), Some(comment(lang, "person")));
    }
    let mut items: Vec<&super::cases::Item> = case.items.iter().collect();
    items.sort_by_key(|i| i.kind);
    for item in items {
        r.line(item.at, "");
        r.line(item.at, &format!("  [[case.{}]]", item.kind.name()));
        for &f in item.kind.fields() {
            let Some((_, v, at)) = item.values.iter().find(|(g, _, _)| *g == f) else {
                continue;
            };
            let value = match v {
                Value::Text(t) => quoted(t),
                Value::Date(d) => d.to_string(),
            };
            let c = item_comment(lang, item.kind, f, v);
            r.key(*at, "  ", f.name(), &value, c);
        }
    }
    r
}

/// The comment the guide gives a case's own key.
fn comment(lang: Language, key: &str) -> &'static str {
    match (lang, key) {
        (Language::En, "id") => "the case reference: the only thing in email subjects",
        (Language::En, "caseworker") => "your id, as the administrator set it up",
        (Language::En, _) => "optional; shown in emails only if the admin allows it",
        (Language::Ru, "id") => "номер дела: только он попадает в темы писем",
        (Language::Ru, "caseworker") => "ваш идентификатор, как его завёл администратор",
        (Language::Ru, _) => "необязательно; в письмах — только если разрешил администратор",
        (Language::Kk, "id") => "іс нөмірі: хат тақырыбына тек осы ғана шығады",
        (Language::Kk, "caseworker") => "әкімші берген сіздің идентификаторыңыз",
        (Language::Kk, _) => "міндетті емес; хатта тек әкімші рұқсат етсе көрінеді",
    }
}

/// The comment the guide gives an item's key (a status: what it means).
fn item_comment(lang: Language, kind: ItemKind, f: Field, v: &Value) -> Option<&'static str> {
    use Field::*;
    use ItemKind::*;
    use Language::*;
    if f == Status {
        let Value::Text(s) = v else { return None };
        return status_comment(lang, s);
    }
    Some(match (lang, kind, f) {
        (En, Document, Kind) => "what kind of document this is",
        (En, Document, Number) | (En, Request, Number) => "optional: the document's number",
        (En, Document, Issued) => "the day it was issued: YYYY-MM-DD, no quotes",
        (En, Document, Expires) => "optional: the expiry printed on the document",
        (En, Document, Filed) => "the day the renewal was handed in",
        (En, Request, Kind) => "what was asked for",
        (En, Request, Filed) => "the day the request was handed in",
        (En, Request, AnswerWithin) => "optional: how long the authority has to answer",
        (En, Event, Title) => "a short description",
        (En, Event, Kind) => "what kind of event this is",
        (En, Event, Date) => "the day of the event",
        (Ru, Document, Kind) => "вид документа",
        (Ru, Document, Number) | (Ru, Request, Number) => "необязательно: номер документа",
        (Ru, Document, Issued) => "дата выдачи: ГГГГ-ММ-ДД, без кавычек",
        (Ru, Document, Expires) => "необязательно: срок действия, указанный в документе",
        (Ru, Document, Filed) => "дата подачи на продление",
        (Ru, Request, Kind) => "о чём просили",
        (Ru, Request, Filed) => "дата подачи заявления",
        (Ru, Request, AnswerWithin) => "необязательно: срок ответа органа",
        (Ru, Event, Title) => "краткое описание",
        (Ru, Event, Kind) => "вид события",
        (Ru, Event, Date) => "дата события",
        (Kk, Document, Kind) => "құжаттың түрі",
        (Kk, Document, Number) | (Kk, Request, Number) => "міндетті емес: құжаттың нөмірі",
        (Kk, Document, Issued) => "берілген күні: ЖЖЖЖ-АА-КК, тырнақшасыз",
        (Kk, Document, Expires) => "міндетті емес: құжатта көрсетілген мерзімі",
        (Kk, Document, Filed) => "ұзартуға тапсырылған күн",
        (Kk, Request, Kind) => "не сұралды",
        (Kk, Request, Filed) => "өтініш тапсырылған күн",
        (Kk, Request, AnswerWithin) => "міндетті емес: органның жауап беру мерзімі",
        (Kk, Event, Title) => "қысқаша сипаттама",
        (Kk, Event, Kind) => "оқиғаның түрі",
        (Kk, Event, Date) => "оқиғаның күні",
        _ => return None,
    })
}

/// What a status means, as the guide's section 7 says it.
fn status_comment(lang: Language, status: &str) -> Option<&'static str> {
    use Language::*;
    Some(match (lang, status) {
        (En, "active") => "the document is valid and in use",
        (En, "renewal_filed") => "the renewal was handed in",
        (En, "renewed") => "the new document has arrived",
        (En, "expired") => "lapsed and not renewed yet",
        (En, "withdrawn") => "withdrawn or no longer needed",
        (En, "pending") => "waiting for the answer",
        (En, "answered") => "the authority answered",
        (En, "refused") => "the authority refused",
        (Ru, "active") => "документ действует",
        (Ru, "renewal_filed") => "подано на продление",
        (Ru, "renewed") => "новый документ получен",
        (Ru, "expired") => "срок истёк, ещё не продлён",
        (Ru, "withdrawn") => "отозван или больше не нужен",
        (Ru, "pending") => "ждём ответа",
        (Ru, "answered") => "орган ответил",
        (Ru, "refused") => "орган отказал",
        (Kk, "active") => "құжат жарамды",
        (Kk, "renewal_filed") => "ұзартуға тапсырылды",
        (Kk, "renewed") => "жаңа құжат алынды",
        (Kk, "expired") => "мерзімі өтті, әлі ұзартылмаған",
        (Kk, "withdrawn") => "кері қайтарылды немесе енді қажет емес",
        (Kk, "pending") => "жауап күтілуде",
        (Kk, "answered") => "орган жауап берді",
        (Kk, "refused") => "орган бас тартты",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::cases::Item;

    #[test]
    fn a_case_as_the_guide_writes_it() {
        let p = |row, col| Pos { row, col };
        let case = Case {
            id: "KZ-0042".into(),
            at: p(2, 0),
            caseworker: Some(("aigerim".into(), p(2, 1))),
            person: Some(("Gulnar \"Fictional\"".into(), p(2, 2))),
            rows: vec![2, 5],
            items: vec![Item {
                kind: ItemKind::Document,
                at: p(2, 3),
                values: vec![
                    (Field::Status, Value::Text("active".into()), p(2, 7)),
                    (
                        Field::Kind,
                        Value::Text("refugee_certificate".into()),
                        p(2, 4),
                    ),
                    (
                        Field::Issued,
                        Value::Date(chrono::NaiveDate::from_ymd_opt(2025, 12, 18).unwrap()),
                        p(2, 6),
                    ),
                ],
            }],
        };
        let r = render(&case, Language::En, "people.csv");
        let want = "\
# Case KZ-0042. One case per file.
# Imported from people.csv, rows 2, 5.
[[case]]
id = \"KZ-0042\"                 # the case reference: the only thing in email subjects
caseworker = \"aigerim\"         # your id, as the administrator set it up
person = \"Gulnar \\\"Fictional\\\"\" # optional; shown in emails only if the admin allows it

  [[case.document]]
  kind = \"refugee_certificate\"   # what kind of document this is
  issued = 2025-12-18            # the day it was issued: YYYY-MM-DD, no quotes
  status = \"active\"              # the document is valid and in use
";
        assert_eq!(r.text, want);
        assert_eq!(r.cell_of_line(10), Some(p(2, 6)));
    }
}
