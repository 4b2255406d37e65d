//! What a kind or a bill stage is called in each language.
//!
//! The config may name a kind (`[kinds.X] label`, a string or one per
//! language); for the kinds NGOs commonly track docket knows the words in
//! English, Russian and Kazakh, so that a config written in English still
//! gives a Russian caseworker a Russian digest. Order: the label the config
//! gives for the language, a built-in label, the config's English label,
//! the kind's name with `_` read as spaces.

use crate::config::model::{Config, Language};

/// (kind, en, ru, kk)
const KINDS: &[(&str, &str, &str, &str)] = &[
    (
        "refugee_certificate",
        "Refugee certificate",
        "Удостоверение беженца",
        "Босқын куәлігі",
    ),
    (
        "asylum_seeker_certificate",
        "Asylum-seeker certificate",
        "Свидетельство лица, ищущего убежище",
        "Пана іздеуші куәлігі",
    ),
    (
        "residence_permit",
        "Residence permit",
        "Вид на жительство",
        "Тұруға ықтиярхат",
    ),
    (
        "travel_document",
        "Travel document",
        "Проездной документ",
        "Жол жүру құжаты",
    ),
    (
        "citizenship",
        "Citizenship application",
        "Заявление о гражданстве",
        "Азаматтыққа өтініш",
    ),
    (
        "court_hearing",
        "Court hearing",
        "Судебное заседание",
        "Сот отырысы",
    ),
    ("hearing", "Hearing", "Слушание", "Тыңдау"),
    ("appeal", "Appeal", "Жалоба", "Шағым"),
    ("passport", "Passport", "Паспорт", "Паспорт"),
    (
        "work_permit",
        "Work permit",
        "Разрешение на работу",
        "Жұмысқа рұқсат",
    ),
    ("interview", "Interview", "Собеседование", "Сұхбат"),
    // An event without a kind.
    ("event", "Appointment", "Встреча", "Кездесу"),
];

/// (stage, en, ru, kk): the default stages and the 2026 parliament's.
const STAGES: &[(&str, &str, &str, &str)] = &[
    ("drafted", "drafted", "проект", "жоба"),
    ("mazhilis", "Mazhilis", "Мажилис", "Мәжіліс"),
    ("senate", "Senate", "Сенат", "Сенат"),
    ("kurultai", "Kurultai", "Курултай", "Құрылтай"),
    ("signed", "signed", "подписание", "қол қою"),
    ("in_force", "in force", "вступление в силу", "күшіне ену"),
];

fn pick(row: &(&str, &'static str, &'static str, &'static str), lang: Language) -> &'static str {
    match lang {
        Language::En => row.1,
        Language::Ru => row.2,
        Language::Kk => row.3,
    }
}

/// What kind `kind` is called in `lang`.
pub fn kind(cfg: &Config, kind: &str, lang: Language) -> String {
    let configured = cfg.kinds.get(kind).map(|k| &k.label);
    if let Some(l) = configured.and_then(|l| l.get(lang)) {
        return l.to_string();
    }
    if let Some(row) = KINDS.iter().find(|r| r.0 == kind) {
        return pick(row, lang).to_string();
    }
    if let Some(l) = configured.and_then(|l| l.en.as_deref()) {
        return l.to_string();
    }
    kind.replace('_', " ")
}

/// What bill stage `stage` is called in `lang`.
pub fn stage(stage: &str, lang: Language) -> String {
    STAGES
        .iter()
        .find(|r| r.0 == stage)
        .map(|r| pick(r, lang).to_string())
        .unwrap_or_else(|| stage.replace('_', " "))
}

/// Break `text` into lines of at most `width` characters (a word longer
/// than that gets a line of its own): plain-text mail read at 80 columns.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if len > 0 && len + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Plain-text lines are wrapped to this many columns (read at 80).
pub const TEXT_WIDTH: usize = 78;

/// `parts` joined by `sep` into lines of at most `width` characters,
/// breaking only between parts (each part stays whole).
pub fn join_wrapped(parts: &[String], sep: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for p in parts {
        if !line.is_empty() {
            let len = line.chars().count() + sep.chars().count() + p.chars().count();
            if len > width {
                lines.push(std::mem::take(&mut line));
            } else {
                line.push_str(sep);
            }
        }
        line.push_str(p);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_to_the_width_and_every_word() {
        let t = "Под этим пунктом написано, какой файл изменить и что в нём написать.";
        let lines = wrap(t, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), t);
        assert_eq!(wrap("a-very-long-word x", 5), ["a-very-long-word", "x"]);
        assert!(wrap("", 10).is_empty());
    }

    #[test]
    fn every_built_in_label_has_three_languages() {
        for row in KINDS.iter().chain(STAGES) {
            assert!(!row.1.is_empty() && !row.2.is_empty() && !row.3.is_empty());
            assert_ne!(row.1, row.2, "{}", row.0);
        }
    }
}
