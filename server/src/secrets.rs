//! Room codes, tokens and their hashes.
//!
//! Everything random here comes from `rand`'s thread RNG, a CSPRNG seeded from the OS.

use sha2::{Digest, Sha256};

/// Room code alphabet: digits and capitals without the ones people confuse on a screen
/// (0/O, 1/I/L, U/V).
const CODE_ALPHABET: &[u8; 29] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";

/// 29^9 ≈ 1.45e13 ≈ 2^43.7 possibilities (the brief asks for at least 2^40).
pub(crate) const CODE_LEN: usize = 9;

/// A fresh room code in canonical form (9 capitals/digits, no separators).
pub(crate) fn new_room_code() -> String {
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// Canonical form of a code as typed: case-insensitive, separators ignored. `None` when it
/// cannot be a room code.
pub(crate) fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '.'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// The form shown to people: `K7M-3QX-9PA`.
pub(crate) fn display_code(code: &str) -> String {
    let mut out = String::with_capacity(CODE_LEN + 2);
    for (i, c) in code.chars().enumerate() {
        if i > 0 && i % 3 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// A secret token: 160 random bits, hex.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 of a token, hex. Only hashes are stored, so a database copy holds no usable token.
pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two hashes in time independent of where they differ (the engine's, which
/// compares resume tokens the same way).
pub(crate) use kring_engine::same_hash;

/// A random epoch that fits a JavaScript number exactly and is never 0.
pub(crate) fn new_epoch() -> u32 {
    rand::random_range(1..u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalize_case_insensitively_and_ignore_separators() {
        let code = new_room_code();
        assert_eq!(code.len(), CODE_LEN);
        let shown = display_code(&code);
        assert_eq!(normalize_code(&shown.to_lowercase()), Some(code.clone()));
        assert_eq!(normalize_code(&format!(" {shown} ")), Some(code));
    }

    #[test]
    fn ambiguous_characters_never_appear_and_are_refused() {
        for _ in 0..1000 {
            let code = new_room_code();
            assert!(
                !code.contains(['0', 'O', '1', 'I', 'L', 'U', 'V']),
                "{code}"
            );
        }
        assert_eq!(normalize_code("0OIL1UV23"), None);
        assert_eq!(normalize_code("ABC"), None);
    }

    #[test]
    fn code_space_is_at_least_2_pow_40() {
        let space = (CODE_ALPHABET.len() as f64).powi(CODE_LEN as i32);
        assert!(space >= 2f64.powi(40));
    }

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.len() * 4 >= 128);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert!(same_hash(&hash_token(&a), &hash_token(&a)));
        assert!(!same_hash(&hash_token(&a), &hash_token(&b)));
    }
}
