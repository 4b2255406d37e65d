//! Logs go to stderr (journald picks them up), filtered by `DOCKET_LOG`
//! (default [`DEFAULT_FILTER`]). Log lines carry case references, never
//! names.

/// The default filter: docket at `info`; the cron scheduler only when
/// something is wrong (at `info` it logs "Uninited", "Job creator created"
/// and the like, which say nothing to the person reading the journal).
pub const DEFAULT_FILTER: &str = "info,tokio_cron_scheduler=warn";

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DOCKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Escaping(std::io::stderr()))
        .with_target(false)
        // No colour codes in the journal or in captured test output.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// `text` with every control character written as an escape (`\n`,
/// `\r`, `\t`, `\u{1b}`, …) and a backslash as `\\`: for file-sourced text
/// (a path, a file name, an id) that goes into a message, so that it can
/// never end a log line and start a forged one.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || c == '\\') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The log's writer: the formatter hands it one whole event at a time,
/// ending in a newline; any other line break or control character in it
/// came from a field's value (a case id, a path, an error quoting a file)
/// and is escaped, so one event is always exactly one line in the journal.
/// Colour codes (ESC) are kept only on a terminal, where the formatter
/// adds them itself.
struct Escaping<W>(W);

impl<W: std::io::Write> std::io::Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (body, end) = match buf.split_last() {
            Some((b'\n', body)) => (body, &b"\n"[..]),
            _ => (buf, &b""[..]),
        };
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        if !body
            .iter()
            .any(|&b| (b < 0x20 && b != b'\t' && !(ansi && b == 0x1b)) || b == 0x7f)
        {
            self.0.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut out = Vec::with_capacity(buf.len() + 16);
        for &b in body {
            match b {
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.push(b),
                0x1b if ansi => out.push(b),
                b if b < 0x20 || b == 0x7f => {
                    out.extend_from_slice(format!("\\x{b:02x}").as_bytes())
                }
                b => out.push(b),
            }
        }
        out.extend_from_slice(end);
        self.0.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn one_event_is_one_line_whatever_its_fields_hold() {
        let mut w = Escaping(Vec::new());
        w.write_all(b"INFO digest sent case=KZ-1\n2026-01-01T00:00:00Z INFO digest sent\r\x07\n")
            .unwrap();
        let out = String::from_utf8(w.0).unwrap();
        assert_eq!(out.matches('\n').count(), 1, "{out}");
        assert!(out.ends_with("digest sent\\r\\x07\n"), "{out}");
        assert_eq!(escape("a\nb\\c"), "a\\nb\\\\c");
        assert_eq!(escape("KZ-0042"), "KZ-0042");
    }
}
