//! The catalogue: every message and hint a case file can get, its English,
//! Russian and Kazakh templates side by side (the macro takes all three, so
//! none can be added without its translations).

use crate::config::model::Language;

/// `{name}` in a template is replaced by the argument of that name; other
/// braces are literal.
macro_rules! catalogue {
    ($($id:ident: $en:literal, $ru:literal, $kk:literal;)*) => {
        /// A message or hint template.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum M { $($id),* }

        impl M {
            /// Every template, for the completeness test.
            pub const ALL: &'static [M] = &[$(M::$id),*];

            pub fn template(self, lang: Language) -> &'static str {
                match self {
                    $(M::$id => match lang {
                        Language::En => $en,
                        Language::Ru => $ru,
                        Language::Kk => $kk,
                    }),*
                }
            }
        }
    };
}

catalogue! {
    // --- What a line shows: hints.rs ---
    Invisible:
        "an invisible character, U+{code} ({name}), where TOML expects an ordinary space",
        "невидимый символ U+{code} ({name}) там, где TOML ждёт обычный пробел",
        "TOML кәдімгі бос орын күтетін жерде көрінбейтін таңба тұр: U+{code} ({name})";
    InvisibleHelp:
        "delete it and type an ordinary space (word processors and chat apps put these in when text is copied)",
        "удалите его и наберите обычный пробел (такие символы попадают в текст при копировании из текстовых редакторов и мессенджеров)",
        "оны өшіріп, кәдімгі бос орын теріңіз (мұндай таңбалар мәтінді мәтіндік редактордан немесе мессенджерден көшіргенде қосылып кетеді)";
    CharNbsp: "no-break space", "неразрывный пробел", "үзілмейтін бос орын";
    CharFigure: "figure space", "цифровой пробел", "цифрлық бос орын";
    CharNarrowNbsp: "narrow no-break space", "узкий неразрывный пробел", "тар үзілмейтін бос орын";
    CharEn: "en space", "короткий пробел", "қысқа бос орын";
    CharEm: "em space", "длинный пробел", "ұзын бос орын";
    CharThin: "thin space", "тонкий пробел", "жіңішке бос орын";
    CharIdeographic: "ideographic space", "иероглифический пробел", "иероглифтік бос орын";
    CharZwsp: "zero-width space", "пробел нулевой ширины", "ені нөлдік бос орын";
    CharZwnj: "zero-width non-joiner", "разделитель нулевой ширины", "ені нөлдік ажыратқыш";
    CharZwj: "zero-width joiner", "соединитель нулевой ширины", "ені нөлдік біріктіргіш";
    CharWordJoiner: "word joiner", "соединитель слов", "сөз біріктіргіш";
    CharZwnbsp: "zero-width no-break space", "неразрывный пробел нулевой ширины", "ені нөлдік үзілмейтін бос орын";
    CharSoftHyphen: "soft hyphen", "мягкий перенос", "жұмсақ тасымал белгісі";
    Curly:
        "{ch} is a typographic quote; TOML strings need straight quotes \"",
        "{ch} — типографская кавычка; в TOML текст берут в прямые кавычки \"",
        "{ch} — типографиялық тырнақша; TOML-да мәтін тік тырнақшаға \" алынады";
    CurlyHelp:
        "retype the quotes as \" (a word processor or a chat app curled them); edit case files in a plain text editor",
        "наберите кавычки заново как \" (их заменил текстовый редактор или мессенджер); правьте файлы дел в простом текстовом редакторе",
        "тырнақшаларды \" деп қайта теріңіз (оларды мәтіндік редактор немесе мессенджер өзгерткен); іс файлдарын қарапайым мәтіндік редакторда түзетіңіз";
    PeopleDate:
        "{v} is not a date docket can read: dates are written year-month-day",
        "docket не понимает дату {v}: даты пишутся в порядке год-месяц-день",
        "docket {v} күнін оқи алмайды: күн жыл-ай-күн ретімен жазылады";
    WriteDate:
        "write {d} (year-month-day, no quotes)",
        "напишите {d} (год-месяц-день, без кавычек)",
        "{d} деп жазыңыз (жыл-ай-күн, тырнақшасыз)";
    WriteDateShape:
        "write it as YYYY-MM-DD (year-month-day, no quotes), e.g. 2025-10-16",
        "напишите её как ГГГГ-ММ-ДД (год-месяц-день, без кавычек), например 2025-10-16",
        "оны ЖЖЖЖ-АА-КК түрінде жазыңыз (жыл-ай-күн, тырнақшасыз), мысалы 2025-10-16";
    NoSuchMonth:
        "{v} is not a day of the calendar: there is no month {m}",
        "{v} — такого дня в календаре нет: месяца {m} не бывает",
        "{v} — күнтізбеде мұндай күн жоқ: {m}-ай деген ай болмайды";
    MonthSecond:
        "dates are year-month-day: the month comes second, e.g. 2025-10-16",
        "даты пишутся как год-месяц-день: месяц стоит вторым, например 2025-10-16",
        "күн жыл-ай-күн ретімен жазылады: ай екінші тұрады, мысалы 2025-10-16";
    NoSuchDay:
        "{v} is not a day of the calendar: {month} {y} has {days} days",
        "{v} — такого дня в календаре нет: в {month} {y} года последнее число — {days}",
        "{v} — күнтізбеде мұндай күн жоқ: {y} жылғы {month} айында {days} күн бар";
    CorrectDay:
        "correct the day (1 to {days})",
        "исправьте число (от 1 до {days})",
        "күнін түзетіңіз (1 мен {days} аралығында)";
    Jan: "January", "январе", "қаңтар";
    Feb: "February", "феврале", "ақпан";
    Mar: "March", "марте", "наурыз";
    Apr: "April", "апреле", "сәуір";
    May: "May", "мае", "мамыр";
    Jun: "June", "июне", "маусым";
    Jul: "July", "июле", "шілде";
    Aug: "August", "августе", "тамыз";
    Sep: "September", "сентябре", "қыркүйек";
    Oct: "October", "октябре", "қазан";
    Nov: "November", "ноябре", "қараша";
    Dec: "December", "декабре", "желтоқсан";
    NotADate:
        "{v} is not a date",
        "{v} — это не дата",
        "{v} — бұл күн емес";
    WriteIsoDate:
        "write YYYY-MM-DD, e.g. 2026-10-16",
        "напишите ГГГГ-ММ-ДД, например 2026-10-16",
        "ЖЖЖЖ-АА-КК түрінде жазыңыз, мысалы 2026-10-16";
    NotADayOfCalendar:
        "{v} is not a day of the calendar",
        "{v} — такого дня в календаре нет",
        "{v} — күнтізбеде мұндай күн жоқ";
    ExpectedDate:
        "expected a date such as 2026-10-16 (YYYY-MM-DD, without quotes)",
        "здесь нужна дата, например 2026-10-16 (ГГГГ-ММ-ДД, без кавычек)",
        "мұнда күн керек, мысалы 2026-10-16 (ЖЖЖЖ-АА-КК, тырнақшасыз)";
    DateTime:
        "expected a date, found the date-time {dt}; write only the day, e.g. 2026-10-16",
        "здесь нужна дата, а написаны дата и время {dt}; оставьте только день, например 2026-10-16",
        "мұнда күн керек, ал {dt} күні мен уақыты жазылған; тек күнін қалдырыңыз, мысалы 2026-10-16";
    NeedsDoubleBrackets:
        "[{name}] needs double brackets",
        "[{name}] пишется в двойных скобках",
        "[{name}] қос жақшамен жазылады";
    WriteDoubleBrackets:
        "write [[{name}]]: {what}, and each one starts with [[{name}]]",
        "напишите [[{name}]]: {what}, и каждый начинается с [[{name}]]",
        "[[{name}]] деп жазыңыз: {what}, әрқайсысы [[{name}]] жолынан басталады";
    SeveralCases: "a file can hold several cases", "в файле может быть несколько дел", "бір файлда бірнеше іс болуы мүмкін";
    SeveralDocuments: "a case can hold several documents", "в деле может быть несколько документов", "бір іс бірнеше құжаттан тұруы мүмкін";
    SeveralRequests: "a case can hold several requests", "в деле может быть несколько запросов", "бір іс бірнеше өтініштен тұруы мүмкін";
    SeveralEvents: "a case can hold several events", "в деле может быть несколько событий", "бір іс бірнеше оқиғадан тұруы мүмкін";
    SeveralCaseworkers: "there can be several caseworkers", "сотрудников может быть несколько", "қызметкерлер бірнешеу болуы мүмкін";
    SeveralBills: "there can be several bills", "законопроектов может быть несколько", "заң жобалары бірнешеу болуы мүмкін";
    OneTable:
        "[[{name}]] makes a list, but [{name}] is one table",
        "[[{name}]] задаёт список, а [{name}] — одна таблица",
        "[[{name}]] тізім жасайды, ал [{name}] — жалғыз кесте";
    WriteSingleBrackets:
        "write [{name}] with single brackets",
        "напишите [{name}] в одинарных скобках",
        "[{name}] деп бір жақшамен жазыңыз";

    // --- What TOML and serde report: recover.rs ---
    TooDeep:
        "nested too deeply (dotted keys, tables or arrays more than 64 levels deep)",
        "слишком глубокая вложенность (ключи с точками, таблицы или списки глубже 64 уровней)",
        "тым терең кірістірілген (нүктелі кілттер, кестелер не тізімдер 64 деңгейден терең)";
    TooDeepHelp:
        "flatten the structure: docket's config is at most a few levels deep",
        "упростите структуру: настройкам docket хватает нескольких уровней",
        "құрылымды жеңілдетіңіз: docket баптауларына бірнеше деңгей жетеді";
    SecretKey:
        "`{name}`: secrets never live in the TOML",
        "`{name}`: секретам не место в файле TOML",
        "`{name}`: құпия мәліметтер TOML файлында сақталмайды";
    SecretKeyHelp:
        "remove it; put the password in a file only docket can read and set [mail] password_file, or pass it as a systemd credential (LoadCredential=smtp-password:/etc/docket/smtp-password)",
        "удалите его; пароль кладут в файл, который может читать только docket, и указывают в [mail] password_file, или передают как systemd credential (LoadCredential=smtp-password:/etc/docket/smtp-password)",
        "оны өшіріңіз; құпия сөзді тек docket оқи алатын файлға салып, [mail] password_file кілтінде көрсетеді немесе systemd credential ретінде береді (LoadCredential=smtp-password:/etc/docket/smtp-password)";
    UnknownKey:
        "unknown key `{name}`",
        "неизвестный ключ `{name}`",
        "белгісіз кілт `{name}`";
    DidYouMeanKey:
        "did you mean `{s}`? allowed here: {list}",
        "вы имели в виду `{s}`? здесь допустимы: {list}",
        "`{s}` деп жазғыңыз келді ме? мұнда болатын кілттер: {list}";
    RemoveIt: "remove it", "удалите его", "оны өшіріңіз";
    RemoveItAllowed:
        "remove it; allowed here: {list}",
        "удалите его; здесь допустимы: {list}",
        "оны өшіріңіз; мұнда болатын кілттер: {list}";
    WrongType:
        "wrong type: {found}, expected {expected}",
        "неверный тип: {found}, а нужно {expected}",
        "түрі қате: {found}, ал керегі {expected}";
    Found: "found {v}", "написано: {v}", "жазылғаны: {v}";
    TString: "string{v}", "строка{v}", "жол{v}";
    TInteger: "integer{v}", "целое число{v}", "бүтін сан{v}";
    TFloat: "floating point{v}", "дробное число{v}", "бөлшек сан{v}";
    TBoolean: "boolean{v}", "логическое значение{v}", "логикалық мән{v}";
    TSequence: "sequence{v}", "список{v}", "тізім{v}";
    TMap: "map{v}", "таблица{v}", "кесте{v}";
    TDatetime: "datetime{v}", "дата{v}", "күн{v}";
    EWholeNumber: "a whole number", "целое число", "бүтін сан";
    ETrueFalse: "true or false", "true или false", "true немесе false";
    EQuotedString: "a quoted string", "текст в кавычках", "тырнақшадағы мәтін";
    EList: "a list [ ... ]", "список [ ... ]", "тізім [ ... ]";
    DuplicateKeyHelp:
        "each key may appear only once in a table; remove one",
        "каждый ключ может встречаться в таблице только один раз; удалите лишний",
        "әр кілт кестеде бір-ақ рет кездесе алады; артығын өшіріңіз";
    DuplicateKey:
        "duplicate key{rest}",
        "ключ повторяется{rest}",
        "кілт қайталанады{rest}";
    Unquoted:
        "string values must be quoted, expected literal string",
        "текст нужно взять в прямые кавычки",
        "мәтінді тік тырнақшаға алу керек";
    TomlUnclosedArray:
        "unclosed array, expected `]`",
        "список не закрыт: не хватает `]`",
        "тізім жабылмаған: `]` жетіспейді";
    TomlUnclosedArrayTable:
        "unclosed array table, expected `]`",
        "заголовок таблицы не закрыт: не хватает `]`",
        "кесте тақырыбы жабылмаған: `]` жетіспейді";
    TomlUnclosedTable:
        "unclosed table, expected `]`",
        "заголовок таблицы не закрыт: не хватает `]`",
        "кесте тақырыбы жабылмаған: `]` жетіспейді";
    TomlUnclosedBasic:
        "invalid basic string, expected `\"`",
        "текст не закрыт: не хватает закрывающей кавычки \"",
        "мәтін жабылмаған: соңғы \" тырнақшасы жетіспейді";
    TomlUnclosedLiteral:
        "invalid literal string, expected `'`",
        "текст не закрыт: не хватает закрывающей кавычки '",
        "мәтін жабылмаған: соңғы ' тырнақшасы жетіспейді";
    TomlEscape:
        "missing escaped value, expected `b`, `e`, `f`, `n`, `r`, `\\`, `\"`, `x`, `u`, `U`",
        "в тексте в двойных кавычках после \\ должен идти особый символ; чтобы написать саму \\, удвойте её: \\\\",
        "қос тырнақшадағы мәтінде \\ белгісінен кейін арнайы таңба тұруы керек; \\ белгісінің өзін жазу үшін оны екі рет жазыңыз: \\\\";
    TomlUnicodeEscape:
        "too few unicode value digits, expected unicode hexadecimal value",
        "в тексте в двойных кавычках \\u начинает код символа; чтобы написать саму \\, удвойте её: \\\\",
        "қос тырнақшадағы мәтінде \\u таңба кодын бастайды; \\ белгісінің өзін жазу үшін оны екі рет жазыңыз: \\\\";
    TomlNoValue:
        "key with no value, expected `=`",
        "после ключа нет `=` и значения",
        "кілттен кейін `=` пен мән жоқ";
    TomlTrailing:
        "unexpected key or value, expected newline, `#`",
        "лишний текст после значения: в строке может быть только одно `ключ = значение`",
        "мәннен кейін артық мәтін бар: бір жолда тек бір `кілт = мән` болады";
    TomlCommaPairs:
        "missing comma between key-value pairs, expected `,`",
        "между парами `ключ = значение` не хватает запятой",
        "`кілт = мән` жұптарының арасында үтір жетіспейді";
    TomlCommaArray:
        "missing comma between array elements, expected `,`",
        "между элементами списка не хватает запятой",
        "тізім элементтерінің арасында үтір жетіспейді";
    TomlEmptyKey:
        "unquoted keys cannot be empty, expected letters, numbers, `-`, `_`",
        "перед `=` нет ключа",
        "`=` алдында кілт жоқ";
    ShortDate:
        "{v} is not a date docket can read: the month and the day take two digits",
        "docket не понимает дату {v}: месяц и день пишутся двумя цифрами",
        "docket {v} күнін оқи алмайды: ай мен күн екі цифрмен жазылады";
    TomlSyntax:
        "{detail}",
        "здесь файл не читается как TOML ({detail})",
        "бұл жерде файл TOML ретінде оқылмайды ({detail})";

    // --- Validation: validate/*.rs ---
    Missing:
        "missing `{key}`",
        "нет ключа `{key}`",
        "`{key}` кілті жоқ";
    UnknownDocumentStatus:
        "unknown document status {v}",
        "неизвестный статус документа {v}",
        "белгісіз құжат мәртебесі {v}";
    UnknownRequestStatus:
        "unknown request status {v}",
        "неизвестный статус запроса {v}",
        "белгісіз өтініш мәртебесі {v}";
    UnknownLanguage:
        "unknown language {v}",
        "неизвестный язык {v}",
        "белгісіз тіл {v}";
    UnknownCaseworker:
        "unknown caseworker {v}",
        "неизвестный сотрудник {v}",
        "белгісіз қызметкер {v}";
    UnknownOwner:
        "unknown owner {v}",
        "неизвестный ответственный сотрудник {v}",
        "белгісіз жауапты қызметкер {v}";
    UnknownSupervisor:
        "unknown supervisor {v}",
        "неизвестный руководитель {v}",
        "белгісіз жетекші {v}";
    UnknownStage:
        "unknown stage {v}",
        "неизвестный этап {v}",
        "белгісіз кезең {v}";
    UnknownBill:
        "unknown bill {v}",
        "неизвестный законопроект {v}",
        "белгісіз заң жобасы {v}";
    DidYouMean: "did you mean {c}?", "вы имели в виду {c}?", "{c} деп жазғыңыз келді ме?";
    DidYouMeanThen: "{d} {rest}", "{d} {rest}", "{d} {rest}";
    Joined: "{a}; {b}", "{a}; {b}", "{a}; {b}";
    UseDocumentStatus:
        "use active, renewal_filed, renewed, expired or withdrawn",
        "допустимы: active, renewal_filed, renewed, expired или withdrawn",
        "мүмкін мәндер: active, renewal_filed, renewed, expired немесе withdrawn";
    UseRequestStatus:
        "use pending, answered, refused or withdrawn",
        "допустимы: pending, answered, refused или withdrawn",
        "мүмкін мәндер: pending, answered, refused немесе withdrawn";
    AddCaseworker:
        "add a [[caseworker]] with this id, or fix the reference",
        "исправьте id или попросите администратора добавить сотрудника с таким id",
        "id-ді түзетіңіз немесе әкімшіден осындай id бар қызметкерді қосуды сұраңыз";
    OutOfRange:
        "date {d} is outside the supported range",
        "дата {d} вне допустимого диапазона",
        "{d} күні рұқсат етілген аралықтан тыс";
    UseDateBetween:
        "use a date between {min}-01-01 and {max}-12-31",
        "укажите дату между {min}-01-01 и {max}-12-31",
        "{min}-01-01 мен {max}-12-31 аралығындағы күнді жазыңыз";
    OutsideCalendar:
        "{what} {d} is outside the calendar docket knows ({min}-01-01 to {max}-12-31)",
        "{what} {d} вне календаря docket (с {min}-01-01 по {max}-12-31)",
        "{what} {d} docket білетін күнтізбеден тыс ({min}-01-01 – {max}-12-31)";
    CheckDatesYear:
        "check the dates: a typed year (2206 for 2026) lands here",
        "проверьте даты: так бывает, когда год набран с опечаткой (2206 вместо 2026)",
        "күндерді тексеріңіз: жыл қате терілгенде (2026 орнына 2206) осылай болады";
    ComputedExpiry:
        "the expiry ({start} + {within})",
        "срок окончания ({start} + {within})",
        "мерзімнің аяқталуы ({start} + {within})";
    ComputedAnswer:
        "the answer date ({start} + {within})",
        "срок ответа ({start} + {within})",
        "жауап мерзімі ({start} + {within})";
    ReviewDate:
        "the review date (last_checked + check_every_days)",
        "дата проверки (last_checked + check_every_days)",
        "тексеру күні (last_checked + check_every_days)";
    SumOutOfRange:
        "{start} + {within} is out of range",
        "{start} + {within} — вне допустимого диапазона",
        "{start} + {within} рұқсат етілген аралықтан тыс";
    DaysBetween:
        "{what} must be between {min} and {max} days, not {n}",
        "{what} должно быть от {min} до {max} дней, а не {n}",
        "{what} {min} мен {max} күн аралығында болуы керек, {n} емес";
    LeadDayRange:
        "lead day {n} is out of range",
        "день напоминания {n} вне допустимого диапазона",
        "еске салу күні {n} рұқсат етілген аралықтан тыс";
    LeadDayHelp:
        "lead days count back from the act-by date: use 0 to {max}",
        "дни напоминаний отсчитываются назад от крайнего срока: от 0 до {max}",
        "еске салу күндері соңғы мерзімнен кері қарай саналады: 0-ден {max} дейін";
    DurationNoUnit:
        "duration {v} has no unit; write e.g. \"15wd\", \"30d\", \"3m\" or \"1y\"",
        "у срока {v} нет единицы; напишите, например, \"15wd\", \"30d\", \"3m\" или \"1y\"",
        "{v} мерзімінің өлшем бірлігі жоқ; мысалы, \"15wd\", \"30d\", \"3m\" немесе \"1y\" деп жазыңыз";
    DurationNoNumber:
        "duration {v} must start with a number; write e.g. \"15wd\", \"30d\", \"3m\" or \"1y\"",
        "срок {v} должен начинаться с числа; напишите, например, \"15wd\", \"30d\", \"3m\" или \"1y\"",
        "{v} мерзімі саннан басталуы керек; мысалы, \"15wd\", \"30d\", \"3m\" немесе \"1y\" деп жазыңыз";
    DurationTooLong:
        "duration {v} is too long (at most {max})",
        "срок {v} слишком длинный (не больше {max})",
        "{v} мерзімі тым ұзақ (ең көбі {max})";
    DurationUnit:
        "duration {v} has an unknown unit {unit}; use d (days), wd (working days), m (months) or y (years)",
        "у срока {v} неизвестная единица {unit}; используйте d (дни), wd (рабочие дни), m (месяцы) или y (годы)",
        "{v} мерзімінің өлшем бірлігі {unit} белгісіз; d (күн), wd (жұмыс күні), m (ай) немесе y (жыл) қолданыңыз";
    GiveCaseId:
        "give the case its reference, e.g. id = \"KZ-0042\"",
        "укажите номер дела, например id = \"KZ-0042\"",
        "істің нөмірін жазыңыз, мысалы id = \"KZ-0042\"";
    CaseIdEmpty: "case id is empty", "id дела пустой", "іс id-і бос";
    UseCaseRef:
        "use the case reference, e.g. \"KZ-0042\"",
        "укажите номер дела, например \"KZ-0042\"",
        "істің нөмірін жазыңыз, мысалы \"KZ-0042\"";
    MixedScript:
        "case id mixes Latin and Cyrillic letters ({letters})",
        "в id дела смешаны латинские и кириллические буквы ({letters})",
        "іс id-інде латын және кирилл әріптері араласқан ({letters})";
    MixedScriptHelp:
        "retype it with the keyboard in one layout: ids are written in Latin letters and digits, e.g. KZ-0042",
        "наберите его заново в одной раскладке: id пишутся латинскими буквами и цифрами, например KZ-0042",
        "оны бір пернетақта тілінде қайта теріңіз: id латын әріптерімен және цифрлармен жазылады, мысалы KZ-0042";
    NameCaseworker:
        "name the responsible caseworker's id",
        "укажите id ответственного сотрудника",
        "жауапты қызметкердің id-ін жазыңыз";
    SayKind:
        "say what {item} this is, e.g. kind = \"{example}\"",
        "укажите, что это за {item}, например kind = \"{example}\"",
        "бұл қандай {item} екенін көрсетіңіз, мысалы kind = \"{example}\"";
    ItemDocument: "document", "документ", "құжат";
    ItemRequest: "request", "запрос", "өтініш";
    NeedsStart:
        "this {item} needs `{start}` (its {within} is {d}) or `{explicit}`",
        "{item}: нужен `{start}` (его {within} = {d}) или `{explicit}`",
        "{item}: `{start}` (оның {within} = {d}) немесе `{explicit}` керек";
    AddStartOrExplicit:
        "add {start} = YYYY-MM-DD, or {explicit} = YYYY-MM-DD",
        "добавьте {start} = ГГГГ-ММ-ДД или {explicit} = ГГГГ-ММ-ДД",
        "{start} = ЖЖЖЖ-АА-КК немесе {explicit} = ЖЖЖЖ-АА-КК қосыңыз";
    NoDeadline:
        "{item} of kind \"{k}\" has neither `{explicit}` nor a kind with `{within}`",
        "{item} вида \"{k}\": нет ни `{explicit}`, ни `{within}` у вида",
        "\"{k}\" түріндегі {item}: `{explicit}` те, түрінде `{within}` те жоқ";
    AddExplicitOrWithin:
        "add {explicit} = YYYY-MM-DD, or {within} = \"{example}\"{here} under [kinds.{k}]",
        "добавьте {explicit} = ГГГГ-ММ-ДД или {within} = \"{example}\"{here} в [kinds.{k}]",
        "{explicit} = ЖЖЖЖ-АА-КК немесе {within} = \"{example}\"{here} [kinds.{k}] ішіне қосыңыз";
    HereOr: " here or", " здесь или", " осында немесе";
    Before:
        "{explicit} {e} is before {start} {s}",
        "{explicit} {e} раньше, чем {start} {s}",
        "{explicit} {e} {start} {s} күнінен бұрын";
    CheckDates: "check the dates", "проверьте даты", "күндерді тексеріңіз";
    KindUndefined:
        "kind \"{name}\" is not defined under [kinds]",
        "вид \"{name}\" не описан в [kinds]",
        "\"{name}\" түрі [kinds] ішінде сипатталмаған";
    KindDidYouMean:
        "{d} or define [kinds.{name}]",
        "{d} или опишите [kinds.{name}]",
        "{d} немесе [kinds.{name}] сипаттамасын қосыңыз";
    KindDefine:
        "define [kinds.{name}] to give it a label and defaults",
        "опишите [kinds.{name}], чтобы задать название и значения по умолчанию (или попросите администратора)",
        "атауы мен әдепкі мәндерін беру үшін [kinds.{name}] сипаттамасын қосыңыз (немесе әкімшіден сұраңыз)";
    IssuedFuture:
        "a document is entered once it is issued",
        "документ вносят после того, как он выдан",
        "құжат берілгеннен кейін енгізіледі";
    RenewalFuture:
        "record the renewal once it is filed",
        "продление отмечают после подачи",
        "ұзарту берілгеннен кейін белгіленеді";
    RequestFuture:
        "record a request once it is filed",
        "запрос вносят после подачи",
        "өтініш берілгеннен кейін енгізіледі";
    InFuture:
        "{key} = {d} is in the future (today is {today})",
        "{key} = {d} — это дата в будущем (сегодня {today})",
        "{key} = {d} — болашақтағы күн (бүгін {today})";
    CheckYearMonth:
        "check the year and the month: {why}",
        "проверьте год и месяц: {why}",
        "жылы мен айын тексеріңіз: {why}";
    FarExpires: "expires", "expires", "expires";
    FarAnswer: "the answer date", "срок ответа", "жауап мерзімі";
    FarEvent: "the event", "событие", "оқиға";
    TooFar:
        "{what} {d} is {years} years away: is the year right?",
        "{what} {d} — лет через {years}: год указан верно?",
        "{what} {d} — {years} жылдан кейін: жылы дұрыс па?";
    TooFarHelp:
        "a typed year (2062 for 2026) means no reminder for decades; correct it if so",
        "если год набран с опечаткой (2062 вместо 2026), напоминаний не будет десятки лет; исправьте его",
        "жыл қате терілсе (2026 орнына 2062), ондаған жыл бойы еске салу болмайды; солай болса, түзетіңіз";
    AddDate: "add date = YYYY-MM-DD", "добавьте date = ГГГГ-ММ-ДД", "date = ЖЖЖЖ-АА-КК қосыңыз";
    NeverReminded:
        "this event could never be reminded: events get lead reminders only, and lead_days is empty",
        "об этом событии никогда не напомнят: для событий бывают только предварительные напоминания, а lead_days пуст",
        "бұл оқиға туралы ешқашан еске салынбайды: оқиғаларға тек алдын ала еске салу жіберіледі, ал lead_days бос";
    GiveLeadDays:
        "give it lead_days, e.g. lead_days = [7, 1]",
        "задайте lead_days, например lead_days = [7, 1]",
        "lead_days беріңіз, мысалы lead_days = [7, 1]";
    EventPast:
        "this event's date {d} is past: it gets no more reminders",
        "дата события {d} уже прошла: напоминаний больше не будет",
        "оқиғаның {d} күні өтіп кетті: енді еске салу болмайды";
    EventPastHelp:
        "if the year is wrong (last year's date typed), correct it; once the event has taken place, you may remove it",
        "если год неверный (набрана прошлогодняя дата), исправьте его; если событие уже прошло, его можно удалить",
        "жылы қате болса (өткен жылғы күн терілсе), түзетіңіз; оқиға өтіп кетсе, оны өшіруге болады";
    RenewedNoNewer:
        "status = \"renewed\" but this case has no newer {kind}: the person is no longer tracked for it",
        "status = \"renewed\", но в деле нет более нового документа {kind}: по нему человек больше не отслеживается",
        "status = \"renewed\", бірақ істе жаңарақ {kind} құжаты жоқ: адам бұл бойынша енді қадағаланбайды";
    RenewedHelp:
        "add the new document as another [[case.document]] with kind = \"{kind}\" and its issued date; or, while the renewal is pending, use status = \"renewal_filed\"",
        "добавьте новый документ отдельным [[case.document]] с kind = \"{kind}\" и датой выдачи; а пока продление не готово, пишите status = \"renewal_filed\"",
        "жаңа құжатты kind = \"{kind}\" және берілген күнімен жеке [[case.document]] ретінде қосыңыз; ал ұзарту дайын болмаса, status = \"renewal_filed\" деп жазыңыз";
    IdNfc:
        "{what} \"{v}\" is not in Unicode normal form C: a letter in it is written as a base letter and a separate accent",
        "{what} \"{v}\" не в форме Unicode NFC: в нём буква записана как основная буква и отдельный диакритический знак",
        "{what} \"{v}\" Unicode NFC түрінде емес: ондағы әріп негізгі әріп пен бөлек диакритикалық белгі ретінде жазылған";
    IdNfcHelp:
        "retype it (keyboards write composed letters), or convert the file to NFC, e.g. uconv -x any-nfc: the two spellings look alike but would name different files",
        "наберите его заново (клавиатура пишет составные буквы целиком): два написания выглядят одинаково, но назвали бы разные файлы",
        "оны қайта теріңіз (пернетақта әріпті тұтас жазады): екі жазылуы бірдей көрінеді, бірақ әртүрлі файлдарды атар еді";
    IdChars:
        "{what} \"{v}\" holds characters an id cannot: {list}",
        "в {what} \"{v}\" есть недопустимые символы: {list}",
        "{what} \"{v}\" ішінде рұқсат етілмеген таңбалар бар: {list}";
    IdCharsHelp:
        "ids are letters (of any script), digits, '-', '_' and '.': they name files and appear in logs; e.g. \"KZ-0042\", \"aigerim\"",
        "id состоят из букв (любого алфавита), цифр, '-', '_' и '.': по ним называются файлы; например \"KZ-0042\", \"aigerim\"",
        "id әріптерден (кез келген әліпби), цифрлардан, '-', '_' және '.' таңбаларынан тұрады: файлдар солай аталады; мысалы \"KZ-0042\", \"aigerim\"";
    ASpace: "a space", "пробел", "бос орын";
    IdDot:
        "{what} \"{v}\" starts with '.'",
        "{what} \"{v}\" начинается с '.'",
        "{what} \"{v}\" '.' таңбасынан басталады";
    IdDotHelp:
        "start it with a letter or a digit: a file named after it would be hidden (or be \".\" or \"..\")",
        "начните его с буквы или цифры: файл с таким именем был бы скрытым (или был бы \".\" или \"..\")",
        "оны әріптен немесе цифрдан бастаңыз: мұндай атаулы файл жасырын болар еді (не \".\" немесе \"..\" болар еді)";
    WCaseId: "case id", "id дела", "іс id-і";
    WCaseworkerId: "caseworker id", "id сотрудника", "қызметкер id-і";
    WBillId: "bill id", "id законопроекта", "заң жобасының id-і";
    GiveBillId:
        "give the bill an id, e.g. id = \"migration-law\"",
        "укажите id законопроекта, например id = \"migration-law\"",
        "заң жобасына id беріңіз, мысалы id = \"migration-law\"";
    NameOwner:
        "name the caseworker who follows this bill: owner = \"dana\"",
        "укажите сотрудника, который следит за законопроектом: owner = \"dana\"",
        "заң жобасын қадағалайтын қызметкерді жазыңыз: owner = \"dana\"";
    StagesDidYouMean:
        "{d} stages: {all}",
        "{d} этапы: {all}",
        "{d} кезеңдер: {all}";
    UseOneOf: "use one of: {all}", "допустимы: {all}", "мүмкін мәндер: {all}";
    GiveStage:
        "give the bill's current stage: stage = \"drafted\"",
        "укажите текущий этап законопроекта: stage = \"drafted\"",
        "заң жобасының қазіргі кезеңін жазыңыз: stage = \"drafted\"";
    CheckEveryNeedsLast:
        "check_every_days needs last_checked",
        "для check_every_days нужен last_checked",
        "check_every_days үшін last_checked керек";
    AddLastChecked:
        "add last_checked = <the day someone last checked the bill>",
        "добавьте last_checked = <день последней проверки законопроекта>",
        "last_checked = <заң жобасы соңғы рет тексерілген күн> қосыңыз";
    StagesEmpty: "stages is empty", "список stages пуст", "stages тізімі бос";
    StagesEmptyHelp:
        "list the bill's stages in order, or remove the key for the default",
        "перечислите этапы законопроекта по порядку или удалите ключ, чтобы взять этапы по умолчанию",
        "заң жобасының кезеңдерін ретімен жазыңыз немесе әдепкі кезеңдер үшін кілтті өшіріңіз";
    StageTwice:
        "stage \"{s}\" is listed twice",
        "этап \"{s}\" указан дважды",
        "\"{s}\" кезеңі екі рет жазылған";

    // --- Across files: admit.rs ---
    DuplicateCase:
        "duplicate case id \"{id}\"{place}",
        "id дела \"{id}\" повторяется{place}",
        "\"{id}\" іс id-і қайталанады{place}";
    AlsoIn: ": also in {file}", ": он есть и в {file}", ": ол {file} файлында да бар";
    DuplicateCaseHelp:
        "case ids must be unique across all files (a copied file keeps the id: give the copy its own, or delete it)",
        "id дел не должны повторяться ни в одном файле (у скопированного файла остаётся тот же id: дайте копии свой или удалите её)",
        "іс id-лері барлық файлдарда қайталанбауы керек (көшірілген файлда id сол күйі қалады: көшірмеге өз id-ін беріңіз немесе оны өшіріңіз)";
    CaseIdLookalike:
        "case id \"{id}\" is \"{written}\" written {how}{place}",
        "id дела \"{id}\" — это \"{written}\", написанный {how}{place}",
        "\"{id}\" іс id-і — басқаша жазылған \"{written}\" ({how}){place}";
    OtherCase: "in other letter case", "в другом регистре", "басқа әріп регистрімен";
    Homoglyphs:
        "with Cyrillic letters that look Latin ({letters})",
        "кириллическими буквами, похожими на латинские ({letters})",
        "латынға ұқсас кирилл әріптерімен ({letters})";
    LookalikeHelp:
        "ids that look the same are one case: write it exactly as \"{written}\", or give this case another id",
        "одинаковые на вид id — это одно дело: напишите его точно как \"{written}\" или дайте делу другой id",
        "көрінісі бірдей id — бір іс: оны дәл \"{written}\" деп жазыңыз немесе іске басқа id беріңіз";
    CaseIsBill:
        "case id \"{id}\" is also a bill id; plan and upcoming could not tell them apart",
        "id дела \"{id}\" совпадает с id законопроекта; в планах их будет не различить",
        "\"{id}\" іс id-і заң жобасының id-імен бірдей; жоспарларда оларды ажырату мүмкін болмайды";
    BillIsCase:
        "bill id \"{id}\" is also a case id; plan and upcoming could not tell them apart",
        "id законопроекта \"{id}\" совпадает с id дела; в планах их будет не различить",
        "\"{id}\" заң жобасының id-і іс id-імен бірдей; жоспарларда оларды ажырату мүмкін болмайды";
    RenameBillOrCase:
        "rename the bill or the case",
        "переименуйте законопроект или дело",
        "заң жобасының немесе істің атын өзгертіңіз";
    DuplicateBill:
        "duplicate bill id \"{id}\"{place}",
        "id законопроекта \"{id}\" повторяется{place}",
        "\"{id}\" заң жобасының id-і қайталанады{place}";
    DuplicateBillHelp:
        "bill ids must be unique across all files",
        "id законопроектов не должны повторяться ни в одном файле",
        "заң жобаларының id-лері барлық файлдарда қайталанбауы керек";
    AddBill:
        "add a [[bill]] with this id, or fix the reference",
        "добавьте [[bill]] с таким id или исправьте ссылку",
        "осындай id бар [[bill]] қосыңыз немесе сілтемені түзетіңіз";
    RemovesBill:
        "this change removes the bill \"{id}\", which {file} still waits for",
        "это изменение удаляет законопроект \"{id}\", которого всё ещё ждёт {file}",
        "бұл өзгеріс \"{id}\" заң жобасын өшіреді, ал {file} оны әлі күтеді";
    KeepBill:
        "keep the bill, or change the requests waiting for it first",
        "оставьте законопроект или сначала измените запросы, которые его ждут",
        "заң жобасын қалдырыңыз немесе алдымен оны күтетін өтініштерді өзгертіңіз";

    // --- The file itself: source.rs ---
    NotUtf8:
        "the file is not valid UTF-8",
        "файл не в кодировке UTF-8",
        "файл UTF-8 кодтауында емес";
    SaveUtf8:
        "save the file as UTF-8 (TOML requires it)",
        "сохраните файл в кодировке UTF-8 (этого требует TOML)",
        "файлды UTF-8 кодтауында сақтаңыз (TOML соны талап етеді)";
    WritableBy:
        "{path} is writable by {who} (mode {mode})",
        "{path} доступен для записи: {who} (права {mode})",
        "{path} файлына жаза алатындар: {who} (рұқсаттар {mode})";
    WhoGroupOthers: "group and others", "группа и все остальные", "топ пен басқалардың бәрі";
    WhoGroup: "its group", "его группа", "оның тобы";
    WhoOthers: "others", "все остальные", "басқалардың бәрі";
    WritableHelp:
        "anyone who can change it can redirect mail about the people in it: chmod go-w {path}",
        "тот, кто может его изменить, может перенаправить письма о людях из него; попросите администратора выполнить chmod go-w {path}",
        "оны өзгерте алатын адам ондағы адамдар туралы хаттарды басқа жаққа бұра алады; әкімшіден chmod go-w {path} орындауды сұраңыз";
    OwnedByOther:
        "{path} is owned by another user (uid {uid})",
        "владелец {path} — другой пользователь (uid {uid})",
        "{path} иесі — басқа пайдаланушы (uid {uid})";
    OwnedHelp:
        "make root the owner: chown root:docket {path}",
        "владельцем должен быть root; попросите администратора выполнить chown root:docket {path}",
        "иесі root болуы керек; әкімшіден chown root:docket {path} орындауды сұраңыз";
    ReadableByAll:
        "{path} is readable by every user on this machine (mode {mode})",
        "{path} может читать любой пользователь этого компьютера (права {mode})",
        "{path} файлын осы компьютердің кез келген пайдаланушысы оқи алады (рұқсаттар {mode})";
    ReadableHelp:
        "it names people at risk: chmod o-r {path} (0640 root:docket)",
        "в нём названы люди, которым грозит опасность; попросите администратора выполнить chmod o-r {path} (0640 root:docket)",
        "онда қауіп төнген адамдар аталған; әкімшіден chmod o-r {path} (0640 root:docket) орындауды сұраңыз";

    // --- The file itself with [service] editors (SPEC 6): source.rs ---
    OthersWriteHelp:
        "anyone on this machine could change it: chmod o-w {path}",
        "его может изменить любой пользователь этого компьютера; попросите администратора выполнить chmod o-w {path}",
        "оны осы компьютердің кез келген пайдаланушысы өзгерте алады; әкімшіден chmod o-w {path} орындауды сұраңыз";
    WritableByGroupNotEditors:
        "{path} is writable by its group {group} (mode {mode}); of the groups, only the editors group {editors} may write case files",
        "{path} доступен для записи группе {group} (права {mode}); изменять файлы дел может только группа редакторов {editors}",
        "{path} файлына {group} тобы жаза алады (рұқсаттар {mode}); іс файлдарын тек редакторлар тобы {editors} өзгерте алады";
    GroupHelp:
        "give it to the editors group: chgrp {editors} {path} (or take the group's write away: chmod g-w {path})",
        "попросите администратора передать файл группе редакторов: chgrp {editors} {path} (или снять запись для группы: chmod g-w {path})",
        "әкімшіден файлды редакторлар тобына беруді сұраңыз: chgrp {editors} {path} (немесе топтың жазу құқығын алып тастау: chmod g-w {path})";
    OwnedByNonEditor:
        "{path} is owned by {user} (uid {uid}), who is neither root, docket nor a member of the editors group {editors}",
        "владелец {path} — {user} (uid {uid}): это не root, не docket и не участник группы редакторов {editors}",
        "{path} иесі — {user} (uid {uid}): ол root та, docket те, {editors} редакторлар тобының мүшесі де емес";
    OwnedNonEditorHelp:
        "add them to the editors: usermod -aG {editors} {user} (or make root the owner: chown root {path})",
        "попросите администратора добавить этого пользователя в редакторы: usermod -aG {editors} {user} (или сделать владельцем root: chown root {path})",
        "әкімшіден бұл пайдаланушыны редакторларға қосуды сұраңыз: usermod -aG {editors} {user} (немесе иесін root ету: chown root {path})";
    HasAcl:
        "{path} has an access control list (ACL): docket cannot tell who else may write it",
        "у {path} есть список управления доступом (ACL): docket не может узнать, кто ещё может его изменить",
        "{path} файлында қолжетімділікті басқару тізімі (ACL) бар: docket оны тағы кім өзгерте алатынын біле алмайды";
    AclHelp:
        "remove it (the group's mode bits are enough): setfacl -b {path}",
        "попросите администратора удалить его (прав группы достаточно): setfacl -b {path}",
        "әкімшіден оны өшіруді сұраңыз (топтың құқықтары жеткілікті): setfacl -b {path}";
}
