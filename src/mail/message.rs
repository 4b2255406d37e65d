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

/// A plain-text message (to the admin, or a test message), with a fresh
/// Message-ID.
pub fn plain(from: &str, to: &str, subject: &str, body: &str) -> Result<Message, MessageError> {
    Ok(Message::builder()
        .message_id(None)
        .from(mailbox("from", from)?)
        .to(mailbox("to", to)?)
        .subject(subject)
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
        .subject(subject)
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

    #[test]
    fn crlf_is_added_once() {
        assert_eq!(crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
        assert_eq!(crlf(""), "");
    }
}
