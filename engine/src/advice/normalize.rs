//! Text as the patterns see it: lower case, letters without accents (German umlauts as `ae`,
//! `oe`, `ue`, so that "würde" and "wurde" stay apart), one kind of apostrophe, quote and dash,
//! hyphenated words joined ("time-out" is "timeout"), runs of spaces as one, and contractions
//! written out ("don't" is "do not", "z'n" is "zijn", "wär's" is "waere es").
//!
//! Every byte of the result remembers where its character was in the original, in UTF-16 code
//! units (how JavaScript indexes strings), so the words that made a text advice-like can be
//! pointed at in the text the member typed.

use super::words::WordMap;
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

/// Contractions written out. Every word of every text is looked up, so a table of the last two
/// bytes of the keys turns most words away before the map is asked.
pub(crate) struct Contractions {
    map: WordMap<String>,
    /// Bit `256 * a + b` set when a key ends in the bytes `a b` (or is the single byte `b`).
    endings: Vec<u64>,
    longest: usize,
}

fn ending(word: &[u8]) -> usize {
    match word {
        [.., a, b] => 256 * usize::from(*a) + usize::from(*b),
        [b] => usize::from(*b),
        [] => 0,
    }
}

impl Contractions {
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Contractions {
        let mut map = WordMap::default();
        let mut endings = vec![0u64; 256 * 256 / 64];
        let mut longest = 0;
        for (from, to) in pairs {
            longest = longest.max(from.len());
            let e = ending(from.as_bytes());
            endings[e / 64] |= 1 << (e % 64);
            *map.entry(from.as_bytes(), String::new) = to.clone();
        }
        Contractions {
            map,
            endings,
            longest,
        }
    }

    fn get(&self, word: &[u8]) -> Option<&str> {
        if word.len() > self.longest || word.is_empty() {
            return None;
        }
        let e = ending(word);
        if self.endings[e / 64] & (1 << (e % 64)) == 0 {
            return None;
        }
        self.map.get(word).map(String::as_str)
    }
}

/// Whether a byte belongs to a word for contractions (letters, digits, apostrophes).
fn wordish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

struct Out {
    /// UTF-8 by construction (whole characters or ASCII only); checked once at the end.
    text: Vec<u8>,
    spans: Vec<(u32, u32)>,
    /// Where the word being written began, if one is.
    word: Option<usize>,
}

impl Out {
    fn push(&mut self, s: &str, span: (u32, u32)) {
        self.spans.extend(std::iter::repeat_n(span, s.len()));
        self.text.extend_from_slice(s.as_bytes());
    }

    /// Ends the word being written, writing out a contraction: the expansion points at the
    /// whole original word.
    fn end_word(&mut self, contractions: &Contractions) {
        let Some(start) = self.word.take() else {
            return;
        };
        let Some(expansion) = contractions.get(&self.text[start..]) else {
            return;
        };
        let span = (self.spans[start].0, self.spans[self.spans.len() - 1].1);
        self.text.truncate(start);
        self.spans.truncate(start);
        self.push(expansion, span);
    }

    fn last(&self) -> Option<u8> {
        self.text.last().copied()
    }
}

pub(crate) fn normalize(text: &str, contractions: &Contractions) -> Normalized {
    let mut out = Out {
        text: Vec::with_capacity(text.len() + 16),
        spans: Vec::with_capacity(text.len() + 16),
        word: None,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut at: u32 = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b' ' {
            out.end_word(contractions);
            if !matches!(out.last(), None | Some(b' ' | b'\n')) {
                out.text.push(b' ');
                out.spans.push((at, at + 1));
            }
            i += 1;
            at += 1;
            continue;
        }
        // The common case, by far: an ASCII letter, digit or punctuation mark.
        if b < 0x80 && !b.is_ascii_whitespace() && b != b'-' {
            let lower = b.to_ascii_lowercase();
            if wordish(lower) {
                if out.word.is_none() {
                    out.word = Some(out.text.len());
                }
            } else {
                out.end_word(contractions);
            }
            out.text.push(lower);
            out.spans.push((at, at + 1));
            i += 1;
            at += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        let span = (at, at + c.len_utf16() as u32);
        at = span.1;
        // Emoji and other symbols separate words like a space does.
        let symbol = !c.is_ascii() && !c.is_alphanumeric() && fold(c).is_none();
        if c.is_whitespace() || symbol {
            out.end_word(contractions);
            let newline = c == '\n' || c == '\r';
            match out.last() {
                None => {}
                Some(b' ') if newline => {
                    out.text.pop();
                    out.spans.pop();
                    out.push("\n", span);
                }
                Some(b' ' | b'\n') => {}
                _ => out.push(if newline { "\n" } else { " " }, span),
            }
            continue;
        }
        let mut buf = [0u8; 4];
        let piece: &str = if c == '-' {
            "-"
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
            let after_letter = out.last().is_some_and(|b| b.is_ascii_alphanumeric());
            let before_letter = text[i..].chars().next().is_some_and(char::is_alphanumeric);
            if after_letter && before_letter {
                continue;
            }
        }
        let first = piece.as_bytes()[0];
        if wordish(first) {
            if out.word.is_none() {
                out.word = Some(out.text.len());
            }
        } else {
            out.end_word(contractions);
        }
        out.push(piece, span);
    }
    out.end_word(contractions);
    if out.last() == Some(b' ') {
        out.text.pop();
        out.spans.pop();
    }
    Normalized {
        // Whole characters and ASCII bytes only went in, so this never fails; if it ever did,
        // the text would be checked as empty rather than the room failing.
        text: String::from_utf8(out.text).unwrap_or_default(),
        spans: out.spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Contractions {
        let pairs: Vec<(String, String)> =
            [("don't", "do not"), ("z'n", "zijn"), ("waer's", "waere es")]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
        Contractions::new(pairs.iter().map(|(a, b)| (a, b)))
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
