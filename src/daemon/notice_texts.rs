//! The words of the notices about files (held back, not tracked, fixed,
//! no longer tracked, not read), in the language of the caseworker they go
//! to; the admin gets English. What is wrong in a file (the diagnostics) is
//! in the reader's language too, in `docket check`'s form
//! (`file:line:col: error: message`, then the hint; SPEC 9).
//!
//! Caseworkers edit their files through a shared folder or a git web
//! editor and cannot run `docket check`: a notice tells them what they can
//! do (save the fixed file; docket reads it again and writes back), and to
//! ask their administrator otherwise.

use crate::config::diag::Diagnostics;
use crate::config::model::Language;
use crate::privacy::Quoting;

/// A notice, ready for [`super::state::Daemon::tell`].
pub struct Notice {
    pub subject: String,
    pub body: String,
}

/// Why a case is no longer tracked.
#[derive(Debug, Clone)]
pub enum Gone {
    /// Its file was deleted, renamed or moved.
    File(String),
    /// It was taken out of this file.
    TakenOut(String),
}

impl Gone {
    fn say(&self, lang: Language) -> String {
        match (self, lang) {
            (Gone::File(f), Language::En) => {
                format!("its file {f} is gone (deleted, renamed or moved away)")
            }
            (Gone::File(f), Language::Ru) => {
                format!("его файл {f} исчез (удалён, переименован или перемещён)")
            }
            (Gone::File(f), Language::Kk) => format!(
                "оның {f} файлы жоқ (жойылған, атауы өзгертілген немесе басқа жерге көшірілген)"
            ),
            (Gone::TakenOut(f), Language::En) => format!("it was taken out of {f}"),
            (Gone::TakenOut(f), Language::Ru) => format!("его убрали из {f}"),
            (Gone::TakenOut(f), Language::Kk) => format!("ол {f} файлынан алынып тасталды"),
        }
    }
}

/// A file whose latest version is left out.
pub struct Held<'a> {
    pub rel: &'a str,
    pub main: bool,
    /// Its last good version stays in effect (else: not tracked).
    pub held: bool,
    pub since: Option<&'a str>,
    /// ": KZ-0042, KZ-0043" for the subject, or "".
    pub cases: &'a str,
    /// Every case id, for the body.
    pub ids: &'a str,
    /// What is wrong in the file, rendered in each reader's language.
    pub problems: Option<&'a Diagnostics>,
    /// May the offending lines be quoted in full (`[privacy]
    /// names_in_email`)? Otherwise each problem is its first line and
    /// hint, values as sensitive as their keys (SPEC 9).
    pub full: bool,
    /// The path to give `docket check` (the admin can run it).
    pub check_path: &'a str,
    /// The file's edit page (`[service] edit_url`).
    pub edit: Option<&'a str>,
}

/// "\n{indent}Edit: <url>" in `lang`, or "" without an edit page.
fn edit_line(lang: Language, edit: Option<&str>, indent: &str) -> String {
    edit.map(|u| {
        let word = crate::mail::texts::texts(lang).edit;
        format!("\n{indent}{word}: {u}")
    })
    .unwrap_or_default()
}

/// What is wrong in a file left out, for its notice in `lang`.
fn problems_in(h: &Held<'_>, lang: Language) -> String {
    match h.problems {
        Some(d) if h.full => d
            .errors()
            .map(|e| d.render_in(e, Quoting::Full, lang))
            .collect::<Vec<_>>()
            .join(""),
        Some(d) => masked_lines_in(d, lang).join("\n"),
        None => String::new(),
    }
}

pub fn held(lang: Language, h: &Held<'_>) -> Notice {
    let (rel, cases, ids, path) = (h.rel, h.cases, h.ids, h.check_path);
    let shown = problems_in(h, lang);
    let since = |s: &str| match lang {
        Language::En => format!(" (from {s})"),
        Language::Ru => format!(" (от {s})"),
        Language::Kk => format!(" ({s} бастап)"),
    };
    let since = h.since.map(since).unwrap_or_default();
    let (subject, what, frame) = match lang {
        Language::En => (
            if h.main {
                "config reload rejected: the main config has errors; its last good version stays in effect".to_string()
            } else if h.held {
                format!("a case file has errors; its last good version stays in effect{cases}")
            } else {
                format!("a case file has errors and is not tracked{cases}")
            },
            if h.held {
                format!("Its last good version{since} stays in effect: reminders for its cases go on as before, and the change has no effect until the file is fixed.")
            } else {
                "docket has never read this file without errors, so its cases are NOT TRACKED: no reminders go out for them until it is fixed.".to_string()
            },
            [
                if h.main {
                    "Hello,\n\ndocket cannot use the latest version of the main config file"
                } else {
                    "Hello,\n\ndocket cannot use the latest version of the case file"
                },
                "What is wrong:",
                "Fix the file and save it: docket reads it again on its own within seconds and writes back to say so. If you cannot fix it, ask your administrator (who can check it with: docket check {path}).",
                "Cases in this file:",
            ],
        ),
        Language::Ru => (
            if h.main {
                "изменения не приняты: в основном файле настроек ошибки, действует его последняя исправная версия".to_string()
            } else if h.held {
                format!("в файле дела ошибки; действует его последняя исправная версия{cases}")
            } else {
                format!("в файле дела ошибки, его дела не отслеживаются{cases}")
            },
            if h.held {
                format!("Действует его последняя исправная версия{since}: напоминания по его делам идут как прежде, а изменение не вступит в силу, пока файл не исправлен.")
            } else {
                "docket ещё ни разу не прочитал этот файл без ошибок, поэтому его дела НЕ ОТСЛЕЖИВАЮТСЯ: напоминаний по ним не будет, пока файл не исправлен.".to_string()
            },
            [
                if h.main {
                    "Здравствуйте!\n\ndocket не может использовать последнюю версию основного файла настроек"
                } else {
                    "Здравствуйте!\n\ndocket не может использовать последнюю версию файла дела"
                },
                "Что не так:",
                "Исправьте файл и сохраните его: docket сам перечитает его в течение нескольких секунд и пришлёт письмо. Если исправить не получается, обратитесь к администратору.",
                "Дела в этом файле:",
            ],
        ),
        Language::Kk => (
            if h.main {
                "өзгерістер қабылданбады: негізгі баптаулар файлында қателер бар, оның соңғы дұрыс нұсқасы қолданылады".to_string()
            } else if h.held {
                format!("іс файлында қателер бар; оның соңғы дұрыс нұсқасы қолданылады{cases}")
            } else {
                format!("іс файлында қателер бар, оның істері қадағаланбайды{cases}")
            },
            if h.held {
                format!("Оның соңғы дұрыс нұсқасы{since} қолданылады: оның істері бойынша еске салулар бұрынғыдай жүреді, ал өзгеріс файл түзетілгенше күшіне енбейді.")
            } else {
                "docket бұл файлды әлі бір рет те қатесіз оқымаған, сондықтан оның істері ҚАДАҒАЛАНБАЙДЫ: файл түзетілгенше олар бойынша еске салу жіберілмейді.".to_string()
            },
            [
                if h.main {
                    "Сәлеметсіз бе!\n\ndocket негізгі баптаулар файлының соңғы нұсқасын пайдалана алмайды"
                } else {
                    "Сәлеметсіз бе!\n\ndocket іс файлының соңғы нұсқасын пайдалана алмайды"
                },
                "Не дұрыс емес:",
                "Файлды түзетіп, сақтаңыз: docket оны бірнеше секунд ішінде өзі қайта оқып, хат жібереді. Түзете алмасаңыз, әкімшіге хабарласыңыз.",
                "Осы файлдағы істер:",
            ],
        ),
    };
    Notice {
        subject,
        body: format!(
            "{}\n\n  {rel}{}\n\n{what}\n\n{}\n\n{shown}\n\n{}\n\n{} {ids}\n",
            frame[0],
            edit_line(lang, h.edit, "  "),
            frame[1],
            frame[2].replace("{path}", path),
            frame[3]
        ),
    }
}

/// `edit`: the file's edit page (`[service] edit_url`).
pub fn fixed(lang: Language, rel: &str, cases: &str, ids: &str, edit: Option<&str>) -> Notice {
    let edit = edit_line(lang, edit, "");
    match lang {
        Language::En => Notice {
            subject: format!("fixed: your changes are in effect{cases}"),
            body: format!("Hello,\n\nYour changes to {rel} are now in effect: docket reads the file without errors again.\n\nCases in this file: {ids}{edit}\n"),
        },
        Language::Ru => Notice {
            subject: format!("исправлено: ваши изменения вступили в силу{cases}"),
            body: format!("Здравствуйте!\n\nВаши изменения в {rel} вступили в силу: docket снова читает файл без ошибок.\n\nДела в этом файле: {ids}{edit}\n"),
        },
        Language::Kk => Notice {
            subject: format!("түзетілді: өзгерістеріңіз күшіне енді{cases}"),
            body: format!("Сәлеметсіз бе!\n\n{rel} файлына енгізген өзгерістеріңіз күшіне енді: docket файлды қайтадан қатесіз оқиды.\n\nОсы файлдағы істер: {ids}{edit}\n"),
        },
    }
}

/// `list`: case and why, one line each.
pub fn untracked(lang: Language, refs: &str, list: &[(&str, &Gone)]) -> Notice {
    let lines = list
        .iter()
        .map(|(c, why)| format!("  {c}: {}", why.say(lang)))
        .collect::<Vec<_>>()
        .join("\n");
    let restore = restore_commands(lang, list);
    match lang {
        Language::En => Notice {
            subject: format!("no longer tracked: {refs}"),
            body: format!("Hello,\n\nThese cases are no longer in the config, so docket sends no more reminders for them:\n\n{lines}\n\nIf that was a mistake, put the case back (restore the file, or the [[case]] table); docket reads it on its own.\n{restore}"),
        },
        Language::Ru => Notice {
            subject: format!("больше не отслеживаются: {refs}"),
            body: format!("Здравствуйте!\n\nЭтих дел больше нет в файлах дел, поэтому docket больше не напоминает о них:\n\n{lines}\n\nЕсли это ошибка, верните дело (восстановите файл или таблицу [[case]]): docket прочитает его сам.\n{restore}"),
        },
        Language::Kk => Notice {
            subject: format!("енді қадағаланбайды: {refs}"),
            body: format!("Сәлеметсіз бе!\n\nБұл істер енді іс файлдарында жоқ, сондықтан docket олар туралы енді еске салмайды:\n\n{lines}\n\nЕгер бұл қате болса, істі қайтарыңыз (файлды немесе [[case]] кестесін қалпына келтіріңіз): docket оны өзі оқиды.\n{restore}"),
        },
    }
}

/// The exact command that puts each deleted file back from the history
/// (SPEC 6), for the admin (a caseworker learns whom to ask); "" when no
/// file is gone.
fn restore_commands(lang: Language, list: &[(&str, &Gone)]) -> String {
    let mut files: Vec<&str> = list
        .iter()
        .filter_map(|(_, g)| match g {
            Gone::File(f) => Some(f.as_str()),
            Gone::TakenOut(_) => None,
        })
        .collect();
    files.dedup();
    if files.is_empty() {
        return String::new();
    }
    let lead = match lang {
        Language::En => "docket keeps every version: the admin puts a deleted file back with",
        Language::Ru => "docket хранит все версии: администратор вернёт удалённый файл командой",
        Language::Kk => {
            "docket әр нұсқаны сақтайды: әкімші жойылған файлды мына командамен қайтарады"
        }
    };
    let cmds: Vec<String> = files
        .iter()
        .map(|f| format!("  docket restore {f}"))
        .collect();
    format!("\n{lead}:\n\n{}\n", cmds.join("\n"))
}

/// `edit`: the file's edit page (`[service] edit_url`), where it can
/// be renamed.
pub fn near_miss(lang: Language, rel: &str, ids: &str, edit: Option<&str>) -> Notice {
    let edit = edit_line(lang, edit, "");
    match lang {
        Language::En => Notice {
            subject: "a case file is not read: check its name".into(),
            body: format!("Hello,\n\nThe file {rel} looks like a case file, but docket does not read it: its name does not end in .toml (editors such as Notepad add .txt), so no include pattern matches it.\n\nRename it to end in .toml, or remove it.\nCases named in it: {ids}{edit}\n"),
        },
        Language::Ru => Notice {
            subject: "файл дела не читается: проверьте его имя".into(),
            body: format!("Здравствуйте!\n\nФайл {rel} похож на файл дела, но docket его не читает: его имя не оканчивается на .toml (редакторы вроде Блокнота добавляют .txt), поэтому ни один шаблон include ему не соответствует.\n\nПереименуйте его, чтобы имя оканчивалось на .toml, или удалите.\nДела в нём: {ids}{edit}\n"),
        },
        Language::Kk => Notice {
            subject: "іс файлы оқылмайды: атауын тексеріңіз".into(),
            body: format!("Сәлеметсіз бе!\n\n{rel} файлы іс файлына ұқсайды, бірақ docket оны оқымайды: атауы .toml-мен аяқталмайды (Блокнот сияқты редакторлар .txt қосады), сондықтан бірде-бір include үлгісі оған сәйкес келмейді.\n\nАтауы .toml-мен аяқталатындай етіп өзгертіңіз немесе жойыңыз.\nОндағы істер: {ids}{edit}\n"),
        },
    }
}

/// Each error as its masked first line and hint, in English: what the
/// log, `status.json` and the admin read.
pub fn masked_lines(d: &Diagnostics) -> Vec<String> {
    masked_lines_in(d, Language::En)
}

/// [`masked_lines`] in `lang`, for a caseworker's notice.
pub fn masked_lines_in(d: &Diagnostics, lang: Language) -> Vec<String> {
    let hint = match lang {
        Language::En => "hint",
        Language::Ru => "подсказка",
        Language::Kk => "кеңес",
    };
    d.errors()
        .map(|e| {
            let mut l = format!("  {}", d.headline_in(e, Quoting::Masked, lang));
            if let Some(h) = d.help_text_in(e, Quoting::Masked, lang) {
                l.push_str(&format!("\n    {hint}: {h}"));
            }
            l
        })
        .collect()
}

// ------------------------------------------------ files not tracked (item 5)
//
// Kept apart from the wording above (rewritten on its own): what could be
// read of a file that was never good, for its notice (told every day while
// it lasts) and the digests that name it until it is fixed (issue 18,
// item 5).

/// One item read from a file not tracked: "KZ-0501: Court hearing
/// 2026-06-04 (2 days left)".
pub fn read_item(lang: Language, case: &str, what: &str, date: &str, days_left: i64) -> String {
    let when = match (lang, days_left) {
        (Language::En, 0) => "today".to_string(),
        (Language::En, 1) => "1 day left".to_string(),
        (Language::En, -1) => "overdue by 1 day".to_string(),
        (Language::En, n) if n < 0 => format!("overdue by {} days", -n),
        (Language::En, n) => format!("{n} days left"),
        (Language::Ru, 0) => "сегодня".to_string(),
        (Language::Ru, n) if n < 0 => format!("просрочено на {} дн.", -n),
        (Language::Ru, n) => format!("осталось {n} дн."),
        (Language::Kk, 0) => "бүгін".to_string(),
        (Language::Kk, n) if n < 0 => format!("мерзімі {} күн өтті", -n),
        (Language::Kk, n) => format!("{n} күн қалды"),
    };
    format!("{case}: {what} {date} ({when})")
}

/// A file not tracked, as a line at the top of a digest: `read` is what
/// could be read of it (items joined), or "" when nothing could.
pub fn not_tracked_note(lang: Language, rel: &str, ids: &str, read: &str) -> String {
    match lang {
        Language::En => {
            let read = if read.is_empty() {
                String::new()
            } else {
                format!(" Its dates, as far as they can be read: {read}.")
            };
            format!("the case file {rel} has errors and is NOT TRACKED: no reminders go out for its cases ({ids}) until it is fixed (see the separate email).{read}")
        }
        Language::Ru => {
            let read = if read.is_empty() {
                String::new()
            } else {
                format!(" Сроки в нём, насколько их удалось прочитать: {read}.")
            };
            format!("в файле дела {rel} ошибки, и он НЕ ОТСЛЕЖИВАЕТСЯ: напоминаний по его делам ({ids}) не будет, пока файл не исправлен (см. отдельное письмо).{read}")
        }
        Language::Kk => {
            let read = if read.is_empty() {
                String::new()
            } else {
                format!(" Ондағы мерзімдер (оқуға болғанынша): {read}.")
            };
            format!("{rel} іс файлында қателер бар, ол ҚАДАҒАЛАНБАЙДЫ: файл түзетілгенше оның істері ({ids}) бойынша еске салулар жіберілмейді (бөлек хатты қараңыз).{read}")
        }
    }
}

/// The dates read from a file not tracked, below its notice's body.
pub fn read_of_it(lang: Language, lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let head = match lang {
        Language::En => "Dates in it, as far as they can be read (NOT reminded until the file is fixed):",
        Language::Ru => "Сроки в нём, насколько их удалось прочитать (напоминаний по ним не будет, пока файл не исправлен):",
        Language::Kk => "Ондағы мерзімдер, оқуға болғанынша (файл түзетілгенше олар туралы еске салынбайды):",
    };
    format!(
        "\n{head}\n{}\n",
        lines
            .iter()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://git.ngo.example/ngo/cases/_edit/main/cases/kz-0042.toml";

    fn held_file(edit: Option<&str>) -> Held<'_> {
        Held {
            rel: "cases/kz-0042.toml",
            main: false,
            held: true,
            since: Some("2026-12-07 10:06"),
            cases: ": KZ-0042",
            ids: "KZ-0042",
            problems: None,
            full: false,
            check_path: "/etc/docket/cases/kz-0042.toml",
            edit,
        }
    }

    /// SPEC 7: with `edit_url`, a notice about a file links to its edit
    /// page, in the reader's language, under the file's name; never in
    /// the subject. Without it the notice is as it was.
    #[test]
    fn notices_about_a_file_link_to_its_edit_page() {
        for (lang, word) in [
            (Language::En, "Edit"),
            (Language::Ru, "Изменить"),
            (Language::Kk, "Өзгерту"),
        ] {
            let n = held(lang, &held_file(Some(LINK)));
            assert!(
                n.body
                    .contains(&format!("\n  cases/kz-0042.toml\n  {word}: {LINK}\n\n")),
                "{}",
                n.body
            );
            assert!(!n.subject.contains("https://"), "{}", n.subject);
            let plain = held(lang, &held_file(None));
            assert_eq!(
                n.body.replace(&format!("\n  {word}: {LINK}"), ""),
                plain.body
            );
            for (with, without) in [
                (
                    fixed(
                        lang,
                        "cases/kz-0042.toml",
                        ": KZ-0042",
                        "KZ-0042",
                        Some(LINK),
                    ),
                    fixed(lang, "cases/kz-0042.toml", ": KZ-0042", "KZ-0042", None),
                ),
                (
                    near_miss(lang, "cases/kz-0042.toml.txt", "KZ-0042", Some(LINK)),
                    near_miss(lang, "cases/kz-0042.toml.txt", "KZ-0042", None),
                ),
            ] {
                assert!(
                    with.body.ends_with(&format!("KZ-0042\n{word}: {LINK}\n")),
                    "{}",
                    with.body
                );
                assert!(!with.subject.contains("https://"));
                assert_eq!(
                    with.body.replace(&format!("\n{word}: {LINK}"), ""),
                    without.body
                );
                assert!(!without.body.contains("https://"));
            }
        }
    }
}
