//! Text as the patterns see it: lower case, letters without accents (German umlauts as `ae`,
//! `oe`, `ue`, so that "würde" and "wurde" stay apart), one kind of apostrophe, quote and dash,
//! hyphenated words joined ("time-out" is "timeout"), runs of spaces as one, and contractions
//! written out ("don't" is "do not", "z'n" is "zijn", "wär's" is "waere es").
//!
//! Every byte of the result remembers where its character was in the original, in UTF-16 code
//! units (how JavaScript indexes strings), so the words that made a text advice-like can be
//! pointed at in the text the member typed.

use std::collections::HashMap;
use std::ops::Range;

/// The normalised text and, per byte, the original character's span.
pub(crate) struct Normalized {
    pub text: String,
    spans: Vec<(u32, u32)>,
}

impl Normalized {
    /// The span in the original text (UTF-16 code units) of normalised bytes `range`.
    pub fn original(&self, range: Range<usize>) -> (u32, u32) {
        let start = self.spans.get(range.start).map_or(0, |s| s.0);
        let end = range
            .end
            .checked_sub(1)
            .and_then(|last| self.spans.get(last))
            .map_or(start, |s| s.1);
        (start, end.max(start))
    }
}

/// Characters folded to plain ones; anything else passes through (lower-cased).
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ä' | 'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
        'ö' | 'œ' => "oe",
        'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ü' => "ue",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'ś' | 'š' => "s",
        'ź' | 'ż' | 'ž' => "z",
        'ł' => "l",
        'ĳ' => "ij",
        '’' | '‘' | '‛' | '`' | '´' | '′' | 'ʼ' => "'",
        '“' | '”' | '„' | '‟' | '«' | '»' | '″' => "\"",
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => "-",
        '¿' | '？' => "?",
        '！' | '¡' => "!",
        '…' => "...",
        _ => return None,
    })
}

/// Whether a character starts or continues a word for contractions (letters and apostrophes).
fn wordish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

pub(crate) fn normalize(text: &str, contractions: &HashMap<String, String>) -> Normalized {
    let folded = fold_chars(text);
    expand_contractions(folded, contractions)
}

fn fold_chars(text: &str) -> Normalized {
    let mut out = String::with_capacity(text.len() + 8);
    let mut spans: Vec<(u32, u32)> = Vec::with_capacity(text.len() + 8);
    let mut at: u32 = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let start = at;
        at += c.len_utf16() as u32;
        let span = (start, at);
        let push = |s: &str, out: &mut String, spans: &mut Vec<(u32, u32)>| {
            spans.extend(std::iter::repeat_n(span, s.len()));
            out.push_str(s);
        };
        // Emoji and other symbols separate words like a space does.
        let symbol = !c.is_ascii() && !c.is_alphanumeric() && fold(c).is_none();
        if c.is_whitespace() || symbol {
            let ws = if c == '\n' || c == '\r' { '\n' } else { ' ' };
            match out.as_bytes().last() {
                None => {}
                Some(b' ') if ws == '\n' => {
                    out.pop();
                    spans.pop();
                    push("\n", &mut out, &mut spans);
                }
                Some(b' ' | b'\n') => {}
                _ => push(if ws == '\n' { "\n" } else { " " }, &mut out, &mut spans),
            }
            continue;
        }
        let lower_ascii;
        let mut buf = [0u8; 4];
        let piece: &str = if c.is_ascii() {
            lower_ascii = c.to_ascii_lowercase();
            lower_ascii.encode_utf8(&mut buf)
        } else if let Some(f) = fold(c) {
            f
        } else {
            // Capitals with accents: lower-case first, then fold ("É" is "e").
            let mut lowered = c.to_lowercase();
            match (lowered.next(), lowered.next()) {
                (Some(l), None) => fold(l).unwrap_or_else(|| l.encode_utf8(&mut buf)),
                _ => c.encode_utf8(&mut buf),
            }
        };
        if piece == "-" {
            // A hyphen inside a word joins it: "time-out", "MDO-overleg", "e-mail".
            let after_letter = out.as_bytes().last().is_some_and(u8::is_ascii_alphanumeric);
            let before_letter = chars.peek().is_some_and(|n| n.is_alphanumeric());
            if after_letter && before_letter {
                continue;
            }
        }
        push(piece, &mut out, &mut spans);
    }
    if out.ends_with(' ') {
        out.pop();
        spans.pop();
    }
    Normalized { text: out, spans }
}

/// Writes out contractions, word by word, keeping the spans: an expansion points at the whole
/// original word.
fn expand_contractions(n: Normalized, table: &HashMap<String, String>) -> Normalized {
    let bytes = n.text.as_bytes();
    let mut out = String::with_capacity(n.text.len() + 16);
    let mut spans = Vec::with_capacity(n.spans.len() + 16);
    let mut i = 0;
    while i < bytes.len() {
        if !wordish(bytes[i]) {
            out.push(bytes[i] as char);
            spans.push(n.spans[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && wordish(bytes[j]) {
            j += 1;
        }
        // Only whole-word contractions; a quote around a word ('onveilig') is not part of it.
        let word = &n.text[i..j];
        match table.get(word) {
            Some(expansion) => {
                let span = (n.spans[i].0, n.spans[j - 1].1);
                out.push_str(expansion);
                spans.extend(std::iter::repeat_n(span, expansion.len()));
            }
            None => {
                out.push_str(word);
                spans.extend_from_slice(&n.spans[i..j]);
            }
        }
        i = j;
    }
    Normalized { text: out, spans }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> HashMap<String, String> {
        [("don't", "do not"), ("z'n", "zijn"), ("waer's", "waere es")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    }

    fn norm(s: &str) -> String {
        normalize(s, &table()).text
    }

    #[test]
    fn case_accents_apostrophes_hyphens_and_spaces() {
        assert_eq!(
            norm("Heb je al een TIME-OUT overwogen?"),
            "heb je al een timeout overwogen?"
        );
        assert_eq!(norm("Cliënt  coördinator"), "client cooerdinator");
        assert_eq!(norm("Würde   er?  Wurde er?"), "wuerde er? wurde er?");
        assert_eq!(norm("Why DON’T you"), "why do not you");
        assert_eq!(norm("Wie wär’s mit Tee?"), "wie waere es mit tee?");
        assert_eq!(norm("met z'n tweeën"), "met zijn tweeen");
        assert_eq!(norm("Straße – und so"), "strasse - und so");
        assert_eq!(norm("  Ja\n\n nee  "), "ja\nnee");
        assert_eq!(norm("ÉÉN of Één"), "een of een");
    }

    #[test]
    fn spans_point_into_the_original_in_utf16_units() {
        let text = "😀 Why don’t you?";
        let n = normalize(text, &table());
        assert_eq!(n.text, "why do not you?");
        let at = n.text.find("do not").expect("expanded");
        let (s, e) = n.original(at..at + "do not".len());
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(
            String::from_utf16_lossy(&utf16[s as usize..e as usize]),
            "don’t"
        );
        let at = n.text.find("you").expect("you");
        let (s, e) = n.original(at..at + 3);
        assert_eq!(
            String::from_utf16_lossy(&utf16[s as usize..e as usize]),
            "you"
        );
    }
}
