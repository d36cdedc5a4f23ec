//! A map from short words to values, for the lookups the check makes on every word of a text
//! (contractions, connecting words, the first words of cues). The key is the word's first seven
//! bytes and its length packed into a `u64`, hashed with one multiplication: hashing the bytes
//! (SipHash, even FNV) cost more than the rest of the lookup. Words that share a key are told
//! apart by their bytes.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

#[derive(Clone, Copy, Default)]
pub(crate) struct BuildMul;

impl BuildHasher for BuildMul {
    type Hasher = Mul;
    fn build_hasher(&self) -> Mul {
        Mul(0)
    }
}

pub(crate) struct Mul(u64);

impl Hasher for Mul {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

fn key(word: &[u8]) -> u64 {
    let mut k = u64::try_from(word.len()).unwrap_or(u64::MAX).min(255) << 56;
    for (i, &b) in word.iter().take(7).enumerate() {
        k |= u64::from(b) << (8 * i);
    }
    k
}

/// A bit per key hash: most words of a text are in no map, and one bit says so for less than
/// the hash table's probe costs.
const FILTER_BITS: usize = 4096;

fn bit(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
}

/// The words of one key, each with its value.
type Bucket<V> = Vec<(Box<[u8]>, V)>;

pub(crate) struct WordMap<V> {
    map: HashMap<u64, Bucket<V>, BuildMul>,
    filter: Box<[u64; FILTER_BITS / 64]>,
}

impl<V> Default for WordMap<V> {
    fn default() -> Self {
        WordMap {
            map: HashMap::default(),
            filter: Box::new([0; FILTER_BITS / 64]),
        }
    }
}

impl<V> WordMap<V> {
    pub fn entry(&mut self, word: &[u8], value: impl FnOnce() -> V) -> &mut V {
        let k = key(word);
        let b = bit(k);
        self.filter[b / 64] |= 1 << (b % 64);
        let list = self.map.entry(k).or_default();
        let at = match list.iter().position(|(w, _)| **w == *word) {
            Some(at) => at,
            None => {
                list.push((word.into(), value()));
                list.len() - 1
            }
        };
        &mut list[at].1
    }

    pub fn get(&self, word: &[u8]) -> Option<&V> {
        let k = key(word);
        let b = bit(k);
        if self.filter[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        self.map
            .get(&k)?
            .iter()
            .find(|(w, _)| **w == *word)
            .map(|(_, v)| v)
    }

    pub fn contains(&self, word: &[u8]) -> bool {
        self.get(word).is_some()
    }

    /// Removes a word (the filter keeps its bit: it only ever says "maybe").
    pub fn remove(&mut self, word: &[u8]) {
        if let Some(list) = self.map.get_mut(&key(word)) {
            list.retain(|(w, _)| **w != *word);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WordMap;

    #[test]
    fn words_sharing_a_key_stay_apart() {
        let mut map = WordMap::default();
        *map.entry(b"verstandig", || 0) = 1;
        *map.entry(b"verstandiger", || 0) = 2;
        *map.entry(b"verstandag", || 0) = 3;
        *map.entry(b"je", || 0) = 4;
        assert_eq!(map.get(b"verstandig"), Some(&1));
        assert_eq!(map.get(b"verstandiger"), Some(&2));
        assert_eq!(map.get(b"verstandag"), Some(&3));
        assert_eq!(map.get(b"je"), Some(&4));
        assert_eq!(map.get(b"verstandog"), None);
        assert_eq!(map.get(b""), None);
    }
}
