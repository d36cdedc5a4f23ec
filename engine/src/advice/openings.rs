//! The words a cue can begin with, read from its (expanded) pattern, so that at the start of a
//! clause only the cues that fit its first two words are tried.
//!
//! The patterns of the data file are mostly lists of words; this reads just enough regular
//! expression syntax for them: literal text, groups with alternatives (capturing, `(?:` and
//! `(?P<name>`), `?` after a group or a character, and zero-width `\b`. Anything else before the
//! first space (a class, `+`, `*`, a repetition) means "could begin with anything": such a cue is
//! tried at every clause start. The same before the second space means "this first word, then
//! anything".

use std::collections::BTreeSet;

/// More first words than this and the cue is simply tried everywhere.
const MAX_WORDS: usize = 2_000;

#[derive(Debug)]
enum Node {
    Char(u8),
    /// Alternatives, each a sequence; `optional` when followed by `?`.
    Group(Vec<Vec<Node>>, bool),
    /// Zero-width (`\b`, `^`): no effect on the words.
    Empty,
    /// Something this reader does not enumerate.
    Opaque,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn alternatives(&mut self) -> Vec<Vec<Node>> {
        let mut alts = vec![Vec::new()];
        while self.i < self.s.len() {
            match self.s[self.i] {
                b')' => break,
                b'|' => {
                    self.i += 1;
                    alts.push(Vec::new());
                }
                _ => {
                    let node = self.atom();
                    if let Some(last) = alts.last_mut() {
                        last.push(node);
                    }
                }
            }
        }
        alts
    }

    fn atom(&mut self) -> Node {
        let c = self.s[self.i];
        self.i += 1;
        let node = match c {
            b'(' => {
                if self.s[self.i..].starts_with(b"?:") {
                    self.i += 2;
                } else if self.s[self.i..].starts_with(b"?P<") {
                    while self.i < self.s.len() && self.s[self.i] != b'>' {
                        self.i += 1;
                    }
                    self.i += 1;
                } else if self.s.get(self.i) == Some(&b'?') {
                    // Flags or look-around: not ours.
                    return self.skip_group();
                }
                let alts = self.alternatives();
                self.i += 1; // ')'
                Node::Group(alts, false)
            }
            b'\\' => {
                let e = self.s.get(self.i).copied().unwrap_or(b'\\');
                self.i += 1;
                match e {
                    b'b' => Node::Empty,
                    b'.' | b'?' | b'(' | b')' | b'-' | b'\'' | b'"' | b'\\' => Node::Char(e),
                    _ => Node::Opaque,
                }
            }
            b'^' => Node::Empty,
            b'[' | b'.' | b'$' => {
                if c == b'[' {
                    while self.i < self.s.len() && self.s[self.i] != b']' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                Node::Opaque
            }
            other => Node::Char(other),
        };
        match self.s.get(self.i) {
            Some(b'?') => {
                self.i += 1;
                if self.s.get(self.i) == Some(&b'?') {
                    self.i += 1;
                }
                match node {
                    Node::Group(alts, _) => Node::Group(alts, true),
                    Node::Char(c) => Node::Group(vec![vec![Node::Char(c)]], true),
                    other => other,
                }
            }
            Some(b'*' | b'+' | b'{') => {
                // Repetitions: skip the quantifier; what it repeats is not enumerated.
                if self.s[self.i] == b'{' {
                    while self.i < self.s.len() && self.s[self.i] != b'}' {
                        self.i += 1;
                    }
                }
                self.i += 1;
                if self.s.get(self.i) == Some(&b'?') {
                    self.i += 1;
                }
                Node::Opaque
            }
            _ => node,
        }
    }

    fn skip_group(&mut self) -> Node {
        let mut depth = 1;
        while self.i < self.s.len() && depth > 0 {
            match self.s[self.i] {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b'\\' => self.i += 1,
                _ => {}
            }
            self.i += 1;
        }
        Node::Opaque
    }
}

/// A beginning being built: its text, how many spaces it has, and whether it is finished (at
/// its second space, or at something not enumerated after its first: then `open` says its
/// second word is unknown).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Prefix {
    text: String,
    spaces: u8,
    done: bool,
    open: bool,
}

/// Beginnings being built; `None` once one could begin with anything.
type Partial = Option<BTreeSet<Prefix>>;

/// Extends every unfinished beginning in `prefixes` by `seq`.
fn extend(prefixes: Partial, seq: &[Node]) -> Partial {
    let mut prefixes = prefixes?;
    for node in seq {
        if prefixes.iter().all(|p| p.done) {
            break;
        }
        let (done, open): (BTreeSet<_>, BTreeSet<_>) = prefixes.into_iter().partition(|p| p.done);
        let next: Partial = match node {
            Node::Empty => Some(open),
            Node::Opaque => {
                if open.iter().any(|p| p.spaces == 0) {
                    None
                } else {
                    Some(
                        open.into_iter()
                            .map(|p| Prefix {
                                done: true,
                                open: true,
                                ..p
                            })
                            .collect(),
                    )
                }
            }
            Node::Char(c) => Some(
                open.into_iter()
                    .map(|mut p| {
                        if *c == b' ' {
                            p.spaces += 1;
                            p.done = p.spaces == 2;
                            if !p.done {
                                p.text.push(' ');
                            }
                        } else {
                            p.text.push(char::from(*c));
                        }
                        p
                    })
                    .collect(),
            ),
            Node::Group(alts, optional) => {
                let mut out = BTreeSet::new();
                if *optional {
                    out.extend(open.iter().cloned());
                }
                for alt in alts {
                    out.extend(extend(Some(open.clone()), alt)?);
                }
                Some(out)
            }
        };
        prefixes = next?;
        prefixes.extend(done);
        if prefixes.len() > MAX_WORDS {
            return None;
        }
    }
    Some(prefixes)
}

fn trim_word(w: &str) -> &str {
    w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
}

/// The first words `pattern` (already expanded) can begin with, each with the word that must
/// follow it after one space (`None`: anything may follow); `None` when it could begin with
/// anything. Words lose trailing punctuation.
pub(crate) fn first_words(pattern: &str) -> Option<BTreeSet<(String, Option<String>)>> {
    let mut parser = Parser {
        s: pattern.as_bytes(),
        i: 0,
    };
    let alts = parser.alternatives();
    if parser.i < parser.s.len() {
        return None;
    }
    let start: BTreeSet<Prefix> = [Prefix {
        text: String::new(),
        spaces: 0,
        done: false,
        open: false,
    }]
    .into_iter()
    .collect();
    let mut out = BTreeSet::new();
    for alt in &alts {
        for p in extend(Some(start.clone()), alt)? {
            let (first, second) = match p.text.split_once(' ') {
                // The pattern ends after the first word, or goes on with something unknown.
                None => (p.text.as_str(), None),
                Some((first, _)) if p.open => (first, None),
                Some((first, second)) => (first, Some(second)),
            };
            let trimmed = trim_word(first);
            if trimmed.is_empty() {
                return None;
            }
            // After punctuation ("sag, mal") the text's next word is not compared.
            let second = second
                .filter(|_| trimmed == first)
                .map(trim_word)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            out.insert((trimmed.to_owned(), second));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::first_words;

    fn words(p: &str) -> Vec<String> {
        let mut firsts: Vec<String> = first_words(p)
            .expect("enumerable")
            .into_iter()
            .map(|(first, _)| first)
            .collect();
        firsts.dedup();
        firsts
    }

    fn pairs(p: &str) -> Vec<String> {
        first_words(p)
            .expect("enumerable")
            .into_iter()
            .map(|(a, b)| format!("{a} {}", b.as_deref().unwrap_or("*")))
            .collect()
    }

    #[test]
    fn words_of_lists_optional_parts_and_groups() {
        assert_eq!(words("(heb|ben) (je|jij) al"), ["ben", "heb"]);
        assert_eq!(
            words("(gewoon |eerst )?(bel|mail)\\b"),
            ["bel", "eerst", "gewoon", "mail"]
        );
        assert_eq!(words("moet(en)? je"), ["moet", "moeten"]);
        assert_eq!(
            words("(?:je|u) (?P<gap1>(?:[^ ]+ ){0,3}?)niet"),
            ["je", "u"]
        );
        assert_eq!(words("tip:|mijn (advies|tip)"), ["mijn", "tip"]);
        assert_eq!(words("wat (nou )?als"), ["wat"]);
    }

    #[test]
    fn the_second_word_is_known_where_the_pattern_names_it() {
        assert_eq!(
            pairs("(heb|ben) (je|u) al"),
            ["ben je", "ben u", "heb je", "heb u"]
        );
        assert_eq!(pairs("(gewoon )?bel\\b"), ["bel *", "gewoon bel"]);
        assert_eq!(pairs("heb (?:[^ ]+ ){0,3}?al"), ["heb *"]);
        assert_eq!(pairs("wat (nou )?als"), ["wat als", "wat nou"]);
        assert_eq!(pairs("ich finde,? du"), ["ich finde"]);
        assert_eq!(pairs("sag, mal|tip:"), ["sag *", "tip *"]);
        assert_eq!(pairs("heb je(, )?"), ["heb je"]);
    }

    #[test]
    fn a_pattern_that_can_begin_with_anything_has_no_words() {
        assert_eq!(first_words("[a-z]+ je"), None);
        assert_eq!(first_words("(?P<gap1>(?:[^ ]+ ){0,3}?)niet"), None);
        assert_eq!(first_words("\\w+en"), None);
        assert_eq!(first_words("zou|ge\\w+"), None);
    }
}
