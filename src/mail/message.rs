//! Building messages: every lettre `Message` docket sends is made here.

use lettre::message::{Mailbox, Message, MultiPart, SinglePart};

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("{what} {address:?} is not a mailbox: {source}")]
    Address {
        what: &'static str,
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
}

fn mailbox(what: &'static str, address: &str) -> Result<Mailbox, MessageError> {
    address.parse().map_err(|source| MessageError::Address {
        what,
        address: address.to_string(),
        source,
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
pub fn plain(from: &str, to: &str, subject: &str, body: &str) -> Result<Message, MessageError> {
    Ok(Message::builder()
        .message_id(None)
        .from(mailbox("from", from)?)
        .to(mailbox("to", to)?)
        .subject(subject_line(subject).0)
        .body(body.to_string())?)
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
) -> Result<Message, MessageError> {
    Ok(Message::builder()
        .from(mailbox("from", from)?)
        .to(mailbox("to", to)?)
        .subject(subject_line(subject).0)
        .message_id(Some(message_id.to_string()))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(crlf(text)))
                .singlepart(SinglePart::html(crlf(html))),
        )?)
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

    #[test]
    fn crlf_is_added_once() {
        assert_eq!(crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
        assert_eq!(crlf(""), "");
    }
}
