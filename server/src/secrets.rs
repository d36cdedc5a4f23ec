//! Fresh room codes, tokens and their hashes.
//!
//! Everything random here comes from `rand`'s thread RNG, a CSPRNG seeded from the OS.

use kring_protocol::RoomCode;
use sha2::{Digest, Sha256};

/// A fresh room code (`RoomCode` holds the alphabet, the length and the parsing of what
/// people type).
pub(crate) fn new_room_code() -> RoomCode {
    RoomCode::generate(|n| rand::random_range(0..n))
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
    fn fresh_codes_parse_back_and_avoid_ambiguous_characters() {
        for _ in 0..1000 {
            let code = new_room_code();
            assert_eq!(
                RoomCode::parse(&code.display().to_lowercase()),
                Ok(code.clone())
            );
            assert!(
                !code.contains(['0', 'O', '1', 'I', 'L', 'U', 'V']),
                "{code}"
            );
        }
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
