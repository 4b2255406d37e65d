//! Building messages: every message docket sends is made here, and only
//! here: [`super::Mailer::send`] takes an [`MimeMessage`], which nothing else
//! can make, so a new kind of message cannot go out without passing
//! through [`finish`] and its MIME headers.

use lettre::message::{Mailbox, Message, MessageBuilder, MultiPart, SinglePart};

/// A message ready to send: well-formed MIME (`MIME-Version: 1.0`, every
/// text part `charset=utf-8` with a transfer encoding fit for it).
///
/// Why a type of its own: file notices were once built with lettre's bare
/// `body()`, which sets a transfer encoding but no `MIME-Version` and no
/// `Content-Type`, so their UTF-8 bodies reached mail clients as base64
/// of unknown charset and Russian and Kazakh read as mojibake (issue 18,
/// item 1). Only [`finish`] makes an `MimeMessage`.
#[derive(Debug, Clone)]
pub struct MimeMessage(Message);

impl std::ops::Deref for MimeMessage {
    type Target = Message;
    fn deref(&self) -> &Message {
        &self.0
    }
}

/// What a message carries.
enum Body<'a> {
    /// One text/plain part.
    Text(&'a str),
    /// text/plain and text/html alternatives.
    Alternative { text: &'a str, html: &'a str },
}

/// The one way a message is finished: every body is a MIME part with its
/// `Content-Type` and charset (lettre's `singlepart`/`multipart` also set
/// `MIME-Version: 1.0`; its `body()`, which sets neither, is not used).
fn finish(builder: MessageBuilder, body: Body<'_>) -> Result<MimeMessage, MessageError> {
    let msg = match body {
        Body::Text(text) => builder.singlepart(SinglePart::plain(crlf(text)))?,
        Body::Alternative { text, html } => builder.multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(crlf(text)))
                .singlepart(SinglePart::html(crlf(html))),
        )?,
    };
    Ok(MimeMessage(msg))
}

/// Each message ends with its cause, which `source()` therefore does not
/// return: the cause is printed once (issue 19).
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("{what} {address:?} is not a mailbox: {cause}")]
    Address {
        what: &'static str,
        address: String,
        cause: lettre::address::AddressError,
    },
    #[error("cannot build the message: {0}")]
    Build(lettre::error::Error),
}

impl From<lettre::error::Error> for MessageError {
    fn from(e: lettre::error::Error) -> MessageError {
        MessageError::Build(e)
    }
}

fn mailbox(what: &'static str, address: &str) -> Result<Mailbox, MessageError> {
    address.parse().map_err(|source| MessageError::Address {
        what,
        address: address.to_string(),
        cause: source,
    })
}

/// The most characters of a subject docket sends. RFC 5322 allows 998
/// bytes on a header line and lettre does not fold a plain-ASCII subject,
/// so a longer one (a 131,018-character `notify-admin --subject`) went out
/// on one line that relays may refuse or cut anywhere. 200 characters fit
/// any client's list; what is cut is said in the body by the caller.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// A subject as sent: one line (line breaks and other control characters
/// become spaces, so no header can be injected), at most
/// [`MAX_SUBJECT_CHARS`] characters (cut with "…"). The flag says it was
/// cut.
pub fn subject_line(subject: &str) -> (String, bool) {
    let cut = subject.chars().nth(MAX_SUBJECT_CHARS).is_some();
    let keep = if cut {
        MAX_SUBJECT_CHARS - 1
    } else {
        MAX_SUBJECT_CHARS
    };
    let mut out: String = subject
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cut {
        out.push('…');
    }
    (out, cut)
}

/// A plain-text message (to the admin, or a test message), with a fresh
/// Message-ID. A subject longer than [`MAX_SUBJECT_CHARS`] is cut (see
/// [`subject_line`]).
pub fn plain(from: &str, to: &str, subject: &str, body: &str) -> Result<MimeMessage, MessageError> {
    finish(
        Message::builder()
            .message_id(None)
            .from(mailbox("from", from)?)
            .to(mailbox("to", to)?)
            .subject(subject_line(subject).0),
        Body::Text(body),
    )
}

/// A digest: text and HTML alternatives under the digest's own,
/// deterministic Message-ID (a resend is recognisably the same message).
pub fn digest(
    from: &str,
    to: &str,
    subject: &str,
    message_id: &str,
    text: &str,
    html: &str,
) -> Result<MimeMessage, MessageError> {
    finish(
        Message::builder()
            .from(mailbox("from", from)?)
            .to(mailbox("to", to)?)
            .subject(subject_line(subject).0)
            .message_id(Some(message_id.to_string())),
        Body::Alternative { text, html },
    )
}

/// Normalise line endings to CRLF in one pass. lettre does this itself,
/// but by inserting into the string once per line, which is quadratic: a
/// 5,000-entry digest took minutes. Given CRLF already, it has nothing to do.
fn crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 32);
    let mut prev = '\0';
    for c in s.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: a 131,018-character `notify-admin --subject` went out on
    /// one header line. Every line of the message now fits RFC 5322's 998
    /// bytes, in ASCII and in Cyrillic, and a line break cannot add a header.
    #[test]
    fn a_very_long_subject_is_cut_to_fit_a_header_line() {
        for long in [
            "x".repeat(131_018),
            "Ж".repeat(5_000),
            format!("a\r\nBcc: x@y.example{}", "z".repeat(300)),
        ] {
            let msg = plain("docket@ngo.example", "it@ngo.example", &long, "body\n").unwrap();
            let raw = String::from_utf8(msg.formatted()).unwrap();
            for line in raw.split("\r\n") {
                assert!(line.len() <= 998, "{} bytes: {}", line.len(), &line[..80]);
            }
            assert!(!raw.contains("\r\nBcc:"), "{raw}");
            let (s, cut) = subject_line(&long);
            assert!(cut);
            assert_eq!(s.chars().count(), MAX_SUBJECT_CHARS);
            assert!(s.ends_with('…'));
        }
        assert_eq!(
            subject_line("[docket] 3 reminders"),
            ("[docket] 3 reminders".into(), false)
        );
        let exact = "y".repeat(MAX_SUBJECT_CHARS);
        assert_eq!(subject_line(&exact), (exact.clone(), false));
    }

    /// Issue 18, item 1: notices went out without `MIME-Version` and
    /// `Content-Type`. Whatever builds a message, it is MIME with every
    /// text part in UTF-8 and a transfer encoding said.
    #[test]
    fn item1_every_message_is_mime_with_a_utf8_charset() {
        let notice = plain(
            "docket@ngo.example",
            "dana@ngo.example",
            "[docket] в файле дел ошибки",
            "Здравствуйте!\n\nСәлеметсіз бе!\n",
        )
        .unwrap();
        let digest = digest(
            "docket@ngo.example",
            "dana@ngo.example",
            "[docket] 2026-06-02: 1 к сроку - KZ-0001",
            "<docket.1@ngo.example>",
            "Здравствуйте, Dana Example!\n",
            "<p>Здравствуйте, Dana Example!</p>\n",
        )
        .unwrap();
        for (what, m, parts) in [("notice", notice, 1), ("digest", digest, 2)] {
            let raw = String::from_utf8(m.formatted()).unwrap();
            let head = raw.split("\r\n\r\n").next().unwrap();
            assert!(head.contains("\r\nMIME-Version: 1.0"), "{what}:\n{raw}");
            let types: Vec<&str> = raw
                .split("\r\n")
                .filter(|l| l.starts_with("Content-Type: text/"))
                .collect();
            assert_eq!(types.len(), parts, "{what}:\n{raw}");
            for t in types {
                assert!(t.ends_with("; charset=utf-8"), "{what}: {t}");
            }
            assert_eq!(
                raw.matches("\r\nContent-Transfer-Encoding: ").count(),
                parts,
                "{what}:\n{raw}"
            );
        }
    }

    #[test]
    fn crlf_is_added_once() {
        assert_eq!(crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
        assert_eq!(crlf(""), "");
    }
}
