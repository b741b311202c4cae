//! Dense numbers for references. The analysis gives every crime (and, when building networks,
//! every person) a small integer, looking each reference up in a map as it reads the rows.
//! The map holds a 64-bit hash of each 64-character pseudonym and its number, not the text, so
//! a probe does not follow a pointer back into the Arrow buffer; the text is compared once, when
//! a hash is found, against the first reference given that number. Two texts that share a hash
//! are told apart by an exact map, so numbering is always exact. Each scope (a force) has a
//! table of its own, small enough to stay in the processor's cache while that force's rows,
//! which come together, are read.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

/// Numbers `(scope, text)` pairs densely from 0 in order of first sight. The scope keeps equal
/// texts of different namespaces apart (a force's person_ref, a national pnc_id).
#[derive(Default)]
pub struct Interner<'a> {
    /// One map from hash to number per scope, in order of first sight of the scope.
    by_hash: Vec<FxHashMap<u64, u32>>,
    /// Which map is a scope's, and the last scope asked for (rows come scope by scope).
    shard_of: FxHashMap<u32, usize>,
    last: Option<(u32, usize)>,
    /// The pair each number was first given to.
    firsts: Vec<(u32, &'a str)>,
    /// Pairs whose hash was already taken by another pair.
    collided: FxHashMap<(u32, &'a str), u32>,
}

fn hash(scope: u32, text: &str) -> u64 {
    let mut h = FxHasher::default();
    scope.hash(&mut h);
    text.hash(&mut h);
    h.finish()
}

impl<'a> Interner<'a> {
    /// An interner expecting about `n` pairs in all.
    pub fn with_capacity(n: usize) -> Interner<'a> {
        Interner { firsts: Vec::with_capacity(n), ..Interner::default() }
    }

    /// Makes room for `n` pairs of one scope (the crime keys have a single scope).
    pub fn reserve(&mut self, scope: u32, n: usize) {
        self.shard(scope).reserve(n);
    }

    /// Numbers given so far.
    pub fn len(&self) -> usize {
        self.firsts.len()
    }

    /// The pair given number `n`.
    pub fn pair(&self, n: u32) -> Option<(u32, &'a str)> {
        self.firsts.get(n as usize).copied()
    }

    /// The map of a scope, made when the scope is first seen.
    #[inline]
    fn shard(&mut self, scope: u32) -> &mut FxHashMap<u64, u32> {
        let i = match self.last {
            Some((s, i)) if s == scope => i,
            _ => {
                let next = self.by_hash.len();
                let i = *self.shard_of.entry(scope).or_insert(next);
                if i == next {
                    self.by_hash.push(FxHashMap::default());
                }
                self.last = Some((scope, i));
                i
            }
        };
        &mut self.by_hash[i]
    }

    /// The number of a pair, and whether it is new.
    #[inline]
    pub fn intern(&mut self, scope: u32, text: &'a str) -> (u32, bool) {
        let next = self.firsts.len() as u32;
        let n = *self.shard(scope).entry(hash(scope, text)).or_insert(next);
        if n == next {
            self.firsts.push((scope, text));
            return (n, true);
        }
        if self.firsts[n as usize] == (scope, text) {
            return (n, false);
        }
        let n = *self.collided.entry((scope, text)).or_insert(next);
        if n == next {
            self.firsts.push((scope, text));
        }
        (n, n == next)
    }

    /// The number of a pair already interned.
    #[inline]
    pub fn get(&self, scope: u32, text: &str) -> Option<u32> {
        let shard = match self.last {
            Some((s, i)) if s == scope => i,
            _ => *self.shard_of.get(&scope)?,
        };
        let n = *self.by_hash[shard].get(&hash(scope, text))?;
        if self.firsts[n as usize] == (scope, text) {
            return Some(n);
        }
        self.collided.get(&(scope, text)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_pairs_share_a_number_and_scopes_keep_texts_apart() {
        let owned = "S1".to_string();
        let mut i = Interner::default();
        assert_eq!(i.intern(0, "S1"), (0, true));
        assert_eq!(i.intern(1, "S1"), (1, true));
        assert_eq!(i.intern(0, &owned), (0, false));
        assert_eq!(i.get(1, "S1"), Some(1));
        assert_eq!(i.get(2, "S1"), None);
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn a_shared_hash_still_gives_exact_numbers() {
        // Force a collision: put another pair's number under this pair's hash.
        let mut i = Interner::default();
        i.intern(0, "a");
        i.shard(0).insert(hash(0, "b"), 0);
        assert_eq!(i.intern(0, "b"), (1, true));
        assert_eq!(i.intern(0, "b"), (1, false));
        assert_eq!(i.get(0, "b"), Some(1));
        assert_eq!(i.get(0, "a"), Some(0));
        assert_eq!(i.intern(0, "c").1, true);
    }
}
