//! The fixed words of a digest, in English, Russian and Kazakh.
//!
//! Every word a caseworker reads is here, tags included: a Russian digest
//! with an English "OVERDUE" in it is a digest half understood. Counts are
//! written so that no plural forms are needed ("Overdue: 3", "через 5 дн."),
//! which Russian would otherwise need three of.

use crate::config::model::Language;

/// The fixed words of a digest in one language. `{name}`, `{date}`,
/// `{n}`, `{stage}` and `{url}` are filled in by the digest.
pub struct Texts {
    pub greeting: &'static str,
    pub overdue: &'static str,
    pub this_week: &'static str,
    pub later: &'static str,
    pub team: &'static str,
    pub team_intro: &'static str,
    pub act_by: &'static str,
    pub deadline: &'static str,
    pub today: &'static str,
    pub tomorrow: &'static str,
    pub in_days: &'static str,
    pub days_overdue: &'static str,
    pub one_day_overdue: &'static str,
    pub number: &'static str,
    pub title: &'static str,
    /// After LATE: when the reminder was meant to come.
    pub late_note: &'static str,
    pub tag_overdue: &'static str,
    pub tag_late: &'static str,
    pub tag_copy: &'static str,
    /// An item docket sees for the first time after its reminder's day
    /// (issue 18): told as new, not late.
    pub tag_new: &'static str,
    pub why_new: &'static str,
    pub why_overdue: &'static str,
    pub why_late: &'static str,
    pub why_copy: &'static str,
    pub why_record: &'static str,
    pub why_act_by: &'static str,
    /// The heading of the list of tags.
    pub legend: &'static str,
    /// What "act by" is called in the legend.
    pub act_by_word: &'static str,
    pub advice: &'static str,
    pub guide: &'static str,
    /// Before the link to a case file's edit page (`[service] edit_url`).
    pub edit: &'static str,
    /// The footer without `[mail] guide_url`: whom to ask for the guide.
    pub guide_ask: &'static str,
    pub footer: &'static str,
    pub date_placeholder: &'static str,
    pub or: &'static str,
    pub if_it_moves: &'static str,
    pub bill: &'static str,
    pub bill_review: &'static str,
    pub expected_stage: &'static str,
    pub now_at_stage: &'static str,
    pub reached_last_stage: &'static str,
    /// Subject counts.
    pub overdue_count: &'static str,
    pub due_count: &'static str,
    /// The team's cases in a supervisor's subject (`{n}`).
    pub team_count: &'static str,
    /// The first digest after many new cases (issue 21): the heading of
    /// the summary of the recipient's new cases, and what it is (`{n}`:
    /// how many cases).
    pub new_title: &'static str,
    pub new_intro: &'static str,
    /// The supervisor's overview of the team's new cases.
    pub overview_title: &'static str,
    pub overview_intro: &'static str,
    /// Above the cases the overview names first.
    pub act_first: &'static str,
    /// After them, when a caseworker has more (`{n}`).
    pub and_more: &'static str,
    pub situations: Situations,
    /// Banner of a digest that carries notes about held-back files.
    pub notes: &'static str,
    /// Calendar feeds: what the description's lines are called, and the
    /// calendars' names.
    pub feed: FeedWords,
}

pub struct FeedWords {
    pub case: &'static str,
    pub kind: &'static str,
    pub write: &'static str,
    pub caseworker: &'static str,
    pub own: &'static str,
    pub team: &'static str,
}

/// What to do, once per kind and situation: a heading word and advice.
pub struct Situations {
    pub doc_lead: (&'static str, &'static str),
    pub doc_overdue: (&'static str, &'static str),
    pub req_lead: (&'static str, &'static str),
    pub req_overdue: (&'static str, &'static str),
    pub event: (&'static str, &'static str),
    pub bill_lead: (&'static str, &'static str),
    pub bill_overdue: (&'static str, &'static str),
    pub bill_review: (&'static str, &'static str),
    pub bill_stage: (&'static str, &'static str),
    pub bill_unblocked: (&'static str, &'static str),
}

pub fn texts(lang: Language) -> &'static Texts {
    match lang {
        Language::En => &EN,
        Language::Ru => &RU,
        Language::Kk => &KK,
    }
}

impl Texts {
    /// "today", "in 3 days", "2 days overdue": how far `days` (act-by
    /// minus today) is.
    pub fn when(&self, days: i64) -> String {
        match days {
            0 => self.today.to_string(),
            1 => self.tomorrow.to_string(),
            -1 => self.one_day_overdue.to_string(),
            n if n < 0 => self.days_overdue.replace("{n}", &(-n).to_string()),
            n => self.in_days.replace("{n}", &n.to_string()),
        }
    }
}

/// The line that opens a caseworker's digest while one of their files is
/// held back: its last good version, from `since` in local time, stays in
/// effect. The notice about the file, in a separate email, says what is
/// wrong; this line makes sure a caseworker who reads only digests hears of
/// it too, in their language (issue 18, item 2: it was English in every
/// digest). A file never good has its own line, with what could be read of
/// it (`daemon::notice_texts::not_tracked_note`).
pub fn held_note(lang: Language, rel: &str, since: Option<&str>) -> String {
    match lang {
        Language::En => format!(
            "{rel} has errors and is held back: its last good version{} is in effect until you fix it. The separate email says what is wrong.",
            since.map(|s| format!(" (from {s})")).unwrap_or_default()
        ),
        Language::Ru => format!(
            "В файле дела {rel} ошибки, и изменения в нём не приняты: пока вы не исправите файл, действует его последняя исправная версия{}. Подробности — в отдельном письме.",
            since.map(|s| format!(" (от {s})")).unwrap_or_default()
        ),
        Language::Kk => format!(
            "{rel} іс файлында қателер бар, ондағы өзгерістер қабылданбады: файлды түзеткенше оның соңғы дұрыс нұсқасы{} қолданылады. Толығырақ — бөлек хатта.",
            since.map(|s| format!(" ({s} бастап)")).unwrap_or_default()
        ),
    }
}

static EN: Texts = Texts {
    greeting: "Hello, {name}.",
    overdue: "Overdue",
    this_week: "This week",
    later: "Later",
    team: "Your team",
    team_intro: "Copies for you as supervisor: these reminders are close to or past their act-by date. The caseworker has them too.",
    act_by: "act by {date}",
    deadline: "deadline {date}",
    today: "today",
    tomorrow: "tomorrow",
    in_days: "in {n} days",
    days_overdue: "{n} days overdue",
    one_day_overdue: "1 day overdue",
    number: "Number",
    title: "Title",
    late_note: "planned for {date}",
    tag_overdue: "OVERDUE",
    tag_late: "LATE",
    tag_copy: "COPY",
    tag_new: "NEW",
    why_new: "docket sees this item for the first time (a new case file, a case or item added, or docket's first run), after the day it would have reminded you: it is not late, it is new to docket.",
    why_overdue: "the act-by date has passed and nothing is recorded yet.",
    why_late: "this reminder comes later than planned: docket was not running that day, or the email could not be sent then.",
    why_copy: "your copy as supervisor: the caseworker has this reminder too.",
    why_record: "the file to change, and what to write in it once you have acted.",
    why_act_by: "the last working day to act; when a deadline falls on a weekend or a holiday, the working day before it.",
    legend: "How to read this",
    act_by_word: "act by",
    advice: "What to do",
    guide: "Guide for caseworkers: {url}",
    edit: "Edit",
    guide_ask: "For the guide for caseworkers, ask your supervisor or the administrator of docket.",
    footer: "Sent by docket. Subjects and logs carry case references only.",
    date_placeholder: "<date>",
    or: "or",
    if_it_moves: "if it moves",
    bill: "Bill",
    bill_review: "Bill review",
    expected_stage: "Expected stage: {stage}",
    now_at_stage: "Now at stage: {stage}",
    reached_last_stage: "Reached its last stage: {stage}",
    overdue_count: "overdue",
    due_count: "due",
    team_count: "{n} for your team",
    notes: "Note",
    feed: FeedWords {
        case: "Case",
        kind: "Kind",
        write: "Once done, write",
        caseworker: "Caseworker",
        own: "docket: {name}",
        team: "docket: {name}'s team",
    },
    new_title: "New to docket",
    new_intro: "docket has started watching cases it had not seen before (an import, new case files, or docket's first run). {n} of yours already have reminder days behind them: here is where each one stands, once, instead of a reminder for every day missed. Whatever is already done (a renewal filed, an answer received), record in the case file, and docket stops reminding you of it; everything else you will hear about on its reminder days as usual.",
    overview_title: "Your team: new to docket",
    overview_intro: "docket has started watching cases it had not seen before (an import, new case files, or docket's first run). Instead of a copy of every reminder, here is where each caseworker stands with those that are overdue or close; each caseworker has the full list.",
    act_first: "Act first",
    and_more: "and {n} more",
    situations: Situations {
        doc_lead: ("expiring", "Prepare the renewal and file it by the act-by date: gather the documents and accompany the person to the migration office. Once it is filed, record it as shown under the item."),
        doc_overdue: ("expired", "The document has expired and no renewal is recorded. Renew it now: without a valid document the person risks deportation. If the renewal was filed, record it as shown under the item."),
        req_lead: ("answer due", "The authority must answer by the deadline. When the answer comes, record it; if the authority extends its own deadline, write extended_to = <date>."),
        req_overdue: ("no answer in time", "No answer is recorded. Under the Administrative Procedural Code, the authority's silence past the deadline counts as a refusal, and that refusal can be appealed: consider a complaint or a court claim (record the appeal as a new request)."),
        event: ("coming up", "Prepare the person and the papers. If the date moves, change it in the file."),
        bill_lead: ("stage expected", "The bill is expected to reach this stage by the date shown. Check its status; when it moves, record the new stage."),
        bill_overdue: ("stage late", "The bill did not reach the expected stage in time. Check its status and record where it is now."),
        bill_review: ("review due", "Time to check the bill's progress. Record the day you checked (last_checked), and the new stage if it moved."),
        bill_stage: ("stage changed", "The bill moved to a new stage. Nothing to record; the requests waiting on it stay tracked."),
        bill_unblocked: ("in force", "The bill reached its last stage: requests waiting on it can go ahead. File them again where needed, and record the new filing."),
    },
};

static RU: Texts = Texts {
    greeting: "Здравствуйте, {name}!",
    overdue: "Просрочено",
    this_week: "На этой неделе",
    later: "Позже",
    team: "Ваша команда",
    team_intro: "Копии для вас как руководителя: срок по этим напоминаниям близок или уже прошёл. Сотрудник тоже их получил.",
    act_by: "действовать до {date}",
    deadline: "срок {date}",
    today: "сегодня",
    tomorrow: "завтра",
    in_days: "через {n} дн.",
    days_overdue: "просрочено на {n} дн.",
    one_day_overdue: "просрочено на 1 дн.",
    number: "Номер",
    title: "Название",
    late_note: "по плану {date}",
    tag_overdue: "ПРОСРОЧЕНО",
    tag_late: "С ОПОЗДАНИЕМ",
    tag_copy: "КОПИЯ",
    tag_new: "НОВОЕ",
    why_new: "docket видит этот пункт впервые (новый файл дела, добавленное дело или пункт, первый запуск docket), уже после дня, когда напомнил бы о нём: это не опоздание, пункт для docket новый.",
    why_overdue: "дата «действовать до» прошла, а в файле ничего не отмечено.",
    why_late: "напоминание приходит позже плана: docket в тот день не работал, или письмо тогда не удалось отправить.",
    why_copy: "ваша копия как руководителя: сотрудник тоже получил это напоминание.",
    why_record: "какой файл изменить и что в нём написать, когда всё сделано.",
    why_act_by: "последний рабочий день, чтобы успеть; если срок выпадает на выходной или праздник, это рабочий день перед ним.",
    legend: "Как читать это письмо",
    act_by_word: "действовать до",
    advice: "Что делать",
    guide: "Руководство для сотрудников: {url}",
    edit: "Изменить",
    guide_ask: "Руководство для сотрудников можно получить у вашего руководителя или у администратора docket.",
    footer: "Отправлено docket. В темах писем и журналах — только номера дел.",
    date_placeholder: "<дата>",
    or: "или",
    if_it_moves: "если перенесли",
    bill: "Законопроект",
    bill_review: "Проверка законопроекта",
    expected_stage: "Ожидаемая стадия: {stage}",
    now_at_stage: "Теперь на стадии: {stage}",
    reached_last_stage: "Дошёл до последней стадии: {stage}",
    overdue_count: "просрочено",
    due_count: "к сроку",
    team_count: "{n} по вашей команде",
    notes: "Внимание",
    feed: FeedWords {
        case: "Дело",
        kind: "Вид",
        write: "Когда сделано, запишите",
        caseworker: "Сотрудник",
        own: "docket: {name}",
        team: "docket: команда — {name}",
    },
    new_title: "Новое в docket",
    new_intro: "docket начал следить за делами, которых раньше не видел (импорт таблицы, новые файлы дел или первый запуск docket). Ваших дел, у которых дни напоминаний уже прошли: {n}. Ниже — в каком состоянии каждое из них, по одному разу, вместо напоминания за каждый пропущенный день. Что уже сделано (продление подано, ответ получен), отметьте в файле дела, и docket перестанет об этом напоминать; об остальном вы получите напоминания в обычные дни.",
    overview_title: "Ваша команда: новое в docket",
    overview_intro: "docket начал следить за делами, которых раньше не видел (импорт таблицы, новые файлы дел или первый запуск docket). Вместо копии каждого напоминания — сводка по каждому сотруднику: сколько из этих дел просрочено или близко к сроку. Полный список есть у каждого сотрудника.",
    act_first: "В первую очередь",
    and_more: "и ещё {n}",
    situations: Situations {
        doc_lead: ("истекает срок", "Подготовьте продление и подайте его до даты «действовать до»: соберите документы и сопроводите человека в миграционную службу. После подачи отметьте это, как показано под пунктом."),
        doc_overdue: ("срок истёк", "Срок документа истёк, продление не отмечено. Продлите немедленно: без действующего документа человеку грозит депортация. Если продление уже подано, отметьте это, как показано под пунктом."),
        req_lead: ("ожидается ответ", "Орган должен ответить до указанного срока. Когда придёт ответ, отметьте его; если орган продлил свой срок, запишите extended_to = <дата>."),
        req_overdue: ("нет ответа в срок", "Ответ не отмечен. По Административному процедурно-процессуальному кодексу молчание органа после срока считается отказом, и этот отказ можно обжаловать: рассмотрите жалобу или иск (обжалование запишите как новое заявление)."),
        event: ("предстоит", "Подготовьте человека и документы. Если дату перенесли, измените её в файле."),
        bill_lead: ("ожидается стадия", "Законопроект должен дойти до этой стадии к указанной дате. Проверьте его статус; когда он продвинется, запишите новую стадию."),
        bill_overdue: ("стадия задерживается", "Законопроект не дошёл до ожидаемой стадии в срок. Проверьте статус и запишите, на какой он стадии сейчас."),
        bill_review: ("пора проверить", "Пора проверить ход законопроекта. Запишите дату проверки (last_checked) и новую стадию, если она изменилась."),
        bill_stage: ("новая стадия", "Законопроект перешёл на новую стадию. Ничего отмечать не нужно; ожидающие его заявления остаются под контролем."),
        bill_unblocked: ("вступил в силу", "Законопроект дошёл до последней стадии: ожидавшие его заявления можно продвигать. Подайте их заново, где нужно, и запишите новую подачу."),
    },
};

static KK: Texts = Texts {
    greeting: "Сәлеметсіз бе, {name}!",
    overdue: "Мерзімі өткен",
    this_week: "Осы аптада",
    later: "Кейінірек",
    team: "Сіздің командаңыз",
    team_intro: "Басшы ретінде сізге көшірмелер: бұл еске салулардың мерзімі жақын немесе өтіп кеткен. Қызметкер де оларды алды.",
    act_by: "{date} дейін әрекет ету",
    deadline: "мерзімі {date}",
    today: "бүгін",
    tomorrow: "ертең",
    in_days: "{n} күннен кейін",
    days_overdue: "{n} күн өтті",
    one_day_overdue: "1 күн өтті",
    number: "Нөмір",
    title: "Атауы",
    late_note: "жоспар бойынша {date}",
    tag_overdue: "МЕРЗІМІ ӨТКЕН",
    tag_late: "КЕШІГІП",
    tag_copy: "КӨШІРМЕ",
    tag_new: "ЖАҢА",
    why_new: "docket бұл тармақты алғаш рет көріп отыр (жаңа іс файлы, қосылған іс не тармақ, docket-тің алғашқы іске қосылуы), еске салатын күні өтіп кеткен соң: бұл кешігу емес, тармақ docket үшін жаңа.",
    why_overdue: "әрекет ету күні өтті, ал файлда әлі ештеңе белгіленбеген.",
    why_late: "бұл еске салу жоспардан кеш келді: сол күні docket жұмыс істемеді немесе хатты сол кезде жіберу мүмкін болмады.",
    why_copy: "басшы ретіндегі көшірмеңіз: қызметкер де бұл еске салуды алды.",
    why_record: "әрекет еткен соң қай файлды өзгертіп, оған не жазу керек.",
    why_act_by: "әрекет етудің соңғы жұмыс күні; мерзім демалыс не мереке күніне түссе, одан алдыңғы жұмыс күні.",
    legend: "Хатты қалай оқу керек",
    act_by_word: "дейін әрекет ету",
    advice: "Не істеу керек",
    guide: "Қызметкерге арналған нұсқаулық: {url}",
    edit: "Өзгерту",
    guide_ask: "Қызметкерге арналған нұсқаулықты басшыңыздан немесе docket әкімшісінен сұраңыз.",
    footer: "docket жіберді. Хат тақырыбында және журналдарда тек іс нөмірлері болады.",
    date_placeholder: "<күні>",
    or: "немесе",
    if_it_moves: "ауысса",
    bill: "Заң жобасы",
    bill_review: "Заң жобасын тексеру",
    expected_stage: "Күтілетін саты: {stage}",
    now_at_stage: "Қазіргі сатысы: {stage}",
    reached_last_stage: "Соңғы сатысына жетті: {stage}",
    overdue_count: "мерзімі өткен",
    due_count: "мерзімі жақын",
    team_count: "командаңыз бойынша {n}",
    notes: "Назар аударыңыз",
    feed: FeedWords {
        case: "Іс",
        kind: "Түрі",
        write: "Орындалған соң жазыңыз",
        caseworker: "Қызметкер",
        own: "docket: {name}",
        team: "docket: {name} командасы",
    },
    new_title: "docket-те жаңа",
    new_intro: "docket бұрын көрмеген істерді бақылай бастады (кестені импорттау, жаңа іс файлдары немесе docket-тің алғашқы іске қосылуы). Еске салу күндері өтіп кеткен істеріңіз: {n}. Төменде әрқайсысының жағдайы бір реттен көрсетілген — өткізіп алынған әр күн үшін бөлек еске салудың орнына. Істеліп қойғанын (ұзарту тапсырылды, жауап келді) іс файлында белгілеңіз, сонда docket ол туралы еске салмайды; қалғаны туралы әдеттегідей өз күндерінде еске салу аласыз.",
    overview_title: "Сіздің командаңыз: docket-те жаңа",
    overview_intro: "docket бұрын көрмеген істерді бақылай бастады (кестені импорттау, жаңа іс файлдары немесе docket-тің алғашқы іске қосылуы). Әр еске салудың көшірмесінің орнына — әр қызметкер бойынша шолу: бұл істердің қаншасының мерзімі өткен не жақын. Толық тізім әр қызметкерде бар.",
    act_first: "Алдымен",
    and_more: "тағы {n}",
    situations: Situations {
        doc_lead: ("мерзімі бітеді", "Ұзартуды дайындап, әрекет ету күніне дейін тапсырыңыз: құжаттарды жинап, адамды көші-қон қызметіне ертіп барыңыз. Тапсырған соң, тармақ астында көрсетілгендей белгілеңіз."),
        doc_overdue: ("мерзімі өтті", "Құжаттың мерзімі өтті, ұзарту белгіленбеген. Дереу ұзартыңыз: жарамды құжатсыз адамды депортация қаупі күтеді. Ұзарту тапсырылған болса, тармақ астында көрсетілгендей белгілеңіз."),
        req_lead: ("жауап күтілуде", "Орган көрсетілген мерзімге дейін жауап беруі тиіс. Жауап келгенде, оны белгілеңіз; орган өз мерзімін ұзартса, extended_to = <күні> деп жазыңыз."),
        req_overdue: ("мерзімінде жауап жоқ", "Жауап белгіленбеген. Әкімшілік рәсімдік-процестік кодекс бойынша органның мерзімнен кейінгі үнсіздігі бас тарту болып саналады, оған шағым беруге болады: шағым немесе сотқа талап арыз беруді қарастырыңыз (шағымды жаңа өтініш ретінде жазыңыз)."),
        event: ("алда", "Адамды және құжаттарды дайындаңыз. Күні ауысса, оны файлда өзгертіңіз."),
        bill_lead: ("саты күтілуде", "Заң жобасы көрсетілген күнге дейін осы сатыға жетуі тиіс. Мәртебесін тексеріңіз; ілгерілесе, жаңа сатыны жазыңыз."),
        bill_overdue: ("саты кешігуде", "Заң жобасы күтілген сатыға мерзімінде жетпеді. Мәртебесін тексеріп, қазір қай сатыда екенін жазыңыз."),
        bill_review: ("тексеру уақыты", "Заң жобасының барысын тексеретін уақыт. Тексерген күнді (last_checked) және саты өзгерсе, жаңа сатыны жазыңыз."),
        bill_stage: ("жаңа саты", "Заң жобасы жаңа сатыға өтті. Ештеңе белгілеудің қажеті жоқ; оны күтетін өтініштер бақылауда қалады."),
        bill_unblocked: ("күшіне енді", "Заң жобасы соңғы сатысына жетті: оны күткен өтініштерді жалғастыруға болады. Қажет болса, оларды қайта тапсырып, жаңа тапсыруды жазыңыз."),
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_need_no_plural_forms() {
        assert_eq!(texts(Language::En).when(3), "in 3 days");
        assert_eq!(texts(Language::En).when(-1), "1 day overdue");
        assert_eq!(texts(Language::Ru).when(21), "через 21 дн.");
        assert_eq!(texts(Language::Kk).when(-5), "5 күн өтті");
        assert_eq!(texts(Language::Kk).when(0), "бүгін");
    }

    /// Issue 18, item 2: the lines about a held-back file that open a
    /// digest are in the caseworker's language, with the time given.
    #[test]
    fn item2_held_notes_are_in_every_language() {
        let rel = "cases.d/kz-0042.toml";
        for lang in [Language::En, Language::Ru, Language::Kk] {
            let l = held_note(lang, rel, Some("2026-12-08 10:06"));
            assert!(l.contains(rel), "{l}");
            assert!(l.contains("2026-12-08 10:06"), "{l}");
            if lang != Language::En {
                for w in ["has errors", "held back", "TRACKED", "email", "fix"] {
                    assert!(!l.contains(w), "{w:?} in {l}");
                }
            }
        }
        assert_eq!(
            held_note(Language::Ru, rel, None),
            "В файле дела cases.d/kz-0042.toml ошибки, и изменения в нём не приняты: пока вы не исправите файл, действует его последняя исправная версия. Подробности — в отдельном письме."
        );
    }
}
