//! Text a submitter sent, made safe to echo: capped in length and with control characters
//! written as escapes, so a 20 MB cell or an `ESC[2J` in a cell reaches no message, report,
//! page or terminal as it is.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters of a value echoed before it is cut short.
pub const ECHO_CHARS: usize = 100;

/// A value as stored in a report's `value` field: the first [`ECHO_CHARS`] characters and
/// `… (N bytes)` when longer.
pub fn capped(v: &str) -> Cow<'_, str> {
    match v.char_indices().nth(ECHO_CHARS) {
        None => Cow::Borrowed(v),
        Some((cut, _)) => Cow::Owned(format!("{}… ({} bytes)", &v[..cut], v.len())),
    }
}

/// A value as quoted in a message: capped like [`capped`], in double quotes, with control
/// characters escaped (`\n`, `\t`, `\u{1b}`).
pub fn quoted(v: &str) -> String {
    let (head, rest) = match v.char_indices().nth(ECHO_CHARS) {
        None => (v, None),
        Some((cut, _)) => (&v[..cut], Some(v.len())),
    };
    let mut out = String::with_capacity(head.len() + 2);
    out.push('"');
    out.push_str(&escape_controls(head));
    out.push('"');
    if let Some(bytes) = rest {
        out.insert(out.len() - 1, '…');
        let _ = write!(out, " ({bytes} bytes)");
    }
    out
}

/// The text with every control character (Unicode category Cc: C0, DEL, C1) written as an
/// escape, so a terminal or log shows it instead of acting on it.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_controls_except(s, |_| false)
}

/// Text for a terminal: control characters escaped as [`escape_controls`] does, except the
/// line breaks and tabs that lay the output out.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape_controls_except(s, |c| c == '\n' || c == '\t')
}

fn escape_controls_except(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && !keep(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The first control character of a cell that a cell may not hold (tab and line breaks may
/// be in a quoted cell), if any.
pub fn forbidden_control(s: &str) -> Option<char> {
    s.chars().find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// How a message names a control character: `U+001B (escape)`.
pub fn name_control(c: char) -> String {
    let name = match c {
        '\0' => "NUL",
        '\u{7}' => "bell",
        '\u{8}' => "backspace",
        '\u{b}' => "vertical tab",
        '\u{c}' => "form feed",
        '\u{1b}' => "escape",
        '\u{7f}' => "delete",
        c if (c as u32) < 0x20 => "a C0 control character",
        _ => "a C1 control character",
    };
    format!("U+{:04X} ({name})", c as u32)
}

/// True when the bytes may hold a character [`forbidden_control`] refuses: a C0 control other
/// than tab, LF and CR, DEL, or the UTF-8 lead byte of a C1 control. A quick test for a whole
/// file, so its cells need not be checked one by one when it is false.
pub fn may_hold_controls(bytes: &[u8]) -> bool {
    let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f || b == 0xc2;
    // Whole chunks without an early exit, which the compiler can check many bytes at a time.
    bytes.chunks(256).any(|c| c.iter().fold(false, |found, &b| found | suspect(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_with_their_size() {
        let v = "x".repeat(20 * 1024 * 1024);
        assert_eq!(capped(&v), format!("{}… (20971520 bytes)", "x".repeat(100)));
        assert_eq!(quoted(&v), format!("\"{}…\" (20971520 bytes)", "x".repeat(100)));
        assert_eq!(capped("CR1"), "CR1");
        assert_eq!(quoted("CR1"), "\"CR1\"");
        // Characters, not bytes: a multi-byte character is never cut in two.
        let e = "é".repeat(150);
        assert!(capped(&e).starts_with(&"é".repeat(100)));
    }

    #[test]
    fn control_characters_are_escaped_and_named() {
        assert_eq!(quoted("a\u{1b}[2Jb"), "\"a\\u{1b}[2Jb\"");
        assert_eq!(quoted("a\nb"), "\"a\\nb\"");
        assert_eq!(for_terminal("line\n\u{1b}]0;title\u{7}"), "line\n\\u{1b}]0;title\\u{7}");
        assert_eq!(for_terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(forbidden_control("a\tb\r\nc"), None);
        assert_eq!(forbidden_control("a\0b"), Some('\0'));
        assert_eq!(name_control('\0'), "U+0000 (NUL)");
        assert_eq!(name_control('\u{85}'), "U+0085 (a C1 control character)");
    }

    #[test]
    fn the_quick_test_finds_every_forbidden_character() {
        for c in (0u32..0x110000).filter_map(char::from_u32).filter(|c| forbidden_control(&c.to_string()).is_some()) {
            assert!(may_hold_controls(c.to_string().as_bytes()), "{c:?}");
        }
        assert!(!may_hold_controls("plain, text\twith é\r\n".as_bytes()));
    }
}
