//! Pairs of documents that share keys: keys packed with their documents into buckets, sorted,
//! and each group of equal keys turned into partner lists, counted per document.
//!
//! A packed value is a key shifted up past `bits` bits, with its document (below 2**bits) in
//! those bits: within a bucket (the key's top `bits` bits), sorting the packed values orders
//! them by key and, for equal keys, by document, and equal keys have equal high parts.

use rayon::prelude::*;

use crate::parallel;
use crate::spread;

/// An array that several calls fill at once, each in places that no other call writes (two
/// Python threads fill the two halves of one array, each on a core).
#[derive(Clone, Copy)]
pub struct SharedOut<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: callers write disjoint places (the contract of `new`), so no two threads write one.
unsafe impl<T: Send> Send for SharedOut<T> {}
unsafe impl<T: Send> Sync for SharedOut<T> {}

impl<T: Copy> SharedOut<T> {
    /// # Safety
    /// `ptr` must point at `len` writable values that outlive every use, and concurrent users
    /// must write disjoint places.
    pub unsafe fn new(ptr: *mut T, len: usize) -> Self {
        SharedOut { ptr, len }
    }

    /// Write `value` at `i`; a place past the end is a bug of the caller's offsets.
    #[inline(always)]
    pub fn set(&self, i: usize, value: T) {
        assert!(
            i < self.len,
            "write at {i} past the end of an array of {}",
            self.len
        );
        // SAFETY: in bounds (checked), and no other writer uses this place (`new`'s contract).
        unsafe { self.ptr.add(i).write(value) }
    }
}

/// How keys are packed with their documents: `bits` (1 to 63) for the document, the bucket
/// being a key's top `bits` bits.
#[derive(Clone, Copy)]
pub struct Packing {
    pub bits: u32,
}

impl Packing {
    #[inline(always)]
    fn bucket(self, key: u64) -> usize {
        (key >> (64 - self.bits)) as usize
    }

    #[inline(always)]
    pub(crate) fn doc(self, packed: u64) -> usize {
        (packed & ((1u64 << self.bits) - 1)) as usize
    }

    #[inline(always)]
    fn key(self, packed: u64) -> u64 {
        packed >> self.bits
    }
}

/// Add to `counts[b + 1]` how many of the keys `values[begin[i]..end[i]]` fall in bucket b.
pub fn count_buckets(values: &[u64], begin: &[i64], end: &[i64], p: Packing, counts: &mut [i64]) {
    for (&b, &e) in begin.iter().zip(end) {
        for &v in &values[b as usize..e as usize] {
            counts[p.bucket(v) + 1] += 1;
        }
    }
}

/// Pack the keys `values[begin[i]..end[i]]` of document `owners[i]` into their buckets;
/// `fill[b]` is where bucket b's next key goes (its start, from `count_buckets`, at first).
pub fn fill_buckets(
    values: &[u64],
    begin: &[i64],
    end: &[i64],
    owners: &[i64],
    p: Packing,
    packed: SharedOut<u64>,
    fill: &mut [i64],
) {
    for ((&b, &e), &owner) in begin.iter().zip(end).zip(owners) {
        for &v in &values[b as usize..e as usize] {
            let bucket = p.bucket(v);
            packed.set(fill[bucket] as usize, (v << p.bits) | owner as u64);
            fill[bucket] += 1;
        }
    }
}

/// Sort each bucket `packed[bounds[b]..bounds[b + 1]]` in place on every core, keeping each
/// key once per document and only the keys that two or more documents hold (at its front):
/// return how many values each keeps. Most keys (fingerprints) are one document's, and the
/// scans that list partners then read only the shared ones.
pub fn sort_buckets(packed: &mut [u64], bounds: &[i64], p: Packing) -> Vec<i64> {
    let mut buckets: Vec<&mut [u64]> = Vec::with_capacity(bounds.len().saturating_sub(1));
    let mut rest = &mut packed[..];
    let mut at = 0i64;
    for w in bounds.windows(2) {
        let (_, tail) = rest.split_at_mut((w[0] - at) as usize);
        let (bucket, tail) = tail.split_at_mut((w[1] - w[0]) as usize);
        buckets.push(bucket);
        rest = tail;
        at = w[1];
    }
    // Below the bucket's bits, a packed value's top bits are the rest of its key's hash: they
    // sort as hashes do (`spread`), from a copy of the bucket.
    buckets
        .par_iter_mut()
        .with_min_len(256)
        .map_init(
            || (Vec::new(), Vec::new()),
            |(copy, ends), bucket| {
                copy.clear();
                copy.extend_from_slice(bucket);
                spread::sort_into(copy, bucket, ends);
                shared_keys(bucket, p) as i64
            },
        )
        .collect()
}

/// Moves the distinct values of a sorted bucket whose key two or more documents hold to its
/// front; returns how many there are.
fn shared_keys(bucket: &mut [u64], p: Packing) -> usize {
    let mut kept = 0;
    let mut start = 0;
    while start < bucket.len() {
        let key = p.key(bucket[start]);
        let group = kept;
        let mut last = None;
        let mut x = start;
        while x < bucket.len() && p.key(bucket[x]) == key {
            if last != Some(bucket[x]) {
                last = Some(bucket[x]);
                bucket[kept] = bucket[x];
                kept += 1;
            }
            x += 1;
        }
        if kept - group < 2 {
            kept = group;
        }
        start = x;
    }
    kept
}

/// The sorted buckets of `sort_buckets` (`packed[bounds[b]..bounds[b] + lengths[b]]` the keys
/// two or more documents hold), read as their groups of equal keys that are at most
/// `max_group` long (0: any).
#[derive(Clone, Copy)]
pub struct Groups<'a> {
    pub packed: &'a [u64],
    pub bounds: &'a [i64],
    pub lengths: &'a [i64],
    pub p: Packing,
    pub max_group: i64,
}

impl<'a> Groups<'a> {
    /// Every group, bucket after bucket.
    pub(crate) fn all(self) -> impl Iterator<Item = &'a [u64]> + 'a {
        (0..self.lengths.len()).flat_map(move |b| self.in_bucket(b))
    }

    /// The groups of bucket `b`.
    fn in_bucket(self, b: usize) -> impl Iterator<Item = &'a [u64]> + 'a {
        let start = self.bounds[b] as usize;
        let bucket = &self.packed[start..start + self.lengths[b] as usize];
        bucket
            .chunk_by(move |x, y| self.p.key(*x) == self.p.key(*y))
            .filter(move |g| self.max_group <= 0 || g.len() as i64 <= self.max_group)
    }
}

/// For each bucket, how many partners `partners_in_groups` lists from its groups (a group of
/// g documents lists g(g - 1) / 2): the work of each bucket, by which the buckets are shared
/// between cores.
pub fn pairs_per_bucket(groups: Groups) -> Vec<i64> {
    parallel::map(groups.lengths.len(), |b| {
        groups
            .in_bucket(b)
            .map(|g| (g.len() * (g.len() - 1) / 2) as i64)
            .sum()
    })
}

/// For each document, how many partners `partners_in_groups` lists for it (pairs in which it
/// is the smaller document, once per shared key).
pub fn left_work(groups: Groups, n_docs: usize) -> Vec<i64> {
    let mut work = vec![0i64; n_docs];
    for group in groups.all() {
        for (r, &x) in group.iter().enumerate() {
            work[groups.p.doc(x)] += (group.len() - 1 - r) as i64;
        }
    }
    work
}

/// For each document i in [lo, hi), every larger document it shares a key with, once per
/// shared key, written to `out` from `fill[i - lo]` on (which advances past them).
pub fn partners_in_groups(
    groups: Groups,
    lo: usize,
    hi: usize,
    fill: &mut [i64],
    out: SharedOut<u32>,
) {
    let p = groups.p;
    for group in groups.all() {
        for (x, &left) in group.iter().enumerate() {
            let doc = p.doc(left);
            if !(lo..hi).contains(&doc) {
                continue;
            }
            for &right in &group[x + 1..] {
                out.set(fill[doc - lo] as usize, p.doc(right) as u32);
                fill[doc - lo] += 1;
            }
        }
    }
}

/// The pairs (i, j) of `partners_in_groups` for i in [lo, hi), as i * 2**32 + j in order, and
/// how many keys each shares. Each document's partners (`partners[offsets[i] - offsets[lo]..]`)
/// are sorted in place.
pub fn shared_partners(
    partners: &mut [u32],
    offsets: &[i64],
    lo: usize,
    hi: usize,
) -> (Vec<i64>, Vec<i64>) {
    let mut lists: Vec<&mut [u32]> = Vec::with_capacity(hi - lo);
    let mut rest = &mut partners[..];
    for i in lo..hi {
        let (list, tail) = rest.split_at_mut((offsets[i + 1] - offsets[i]) as usize);
        lists.push(list);
        rest = tail;
    }
    let counted = parallel::map_mut(&mut lists, |k, mine| {
        let i = lo + k;
        mine.sort_unstable();
        mine.chunk_by(|a, b| a == b)
            .map(|run| (((i as i64) << 32) | run[0] as i64, run.len() as i64))
            .collect::<Vec<_>>()
    });
    counted.into_iter().flatten().unzip()
}

/// Copy document d's segment `values[starts[d]..starts[d + 1]]` to
/// `out[out_starts[d]..out_starts[d + 1]]` for each d in `docs`; with `splits`, each segment is
/// two sorted runs (cut at `splits[d]`, a spool's fingerprints first), written merged.
pub fn gather_segments(
    values: &[u64],
    starts: &[i64],
    splits: Option<&[i64]>,
    docs: &[i64],
    out: &mut [u64],
    out_starts: &[i64],
) {
    for &d in docs {
        let d = d as usize;
        let segment = &values[starts[d] as usize..starts[d + 1] as usize];
        let place = &mut out[out_starts[d] as usize..out_starts[d + 1] as usize];
        match splits {
            None => place.copy_from_slice(segment),
            Some(splits) => {
                let (a, b) = segment.split_at((splits[d] - starts[d]) as usize);
                place.copy_from_slice(&merged(a, b));
            }
        }
    }
}

/// The values of two sorted, distinct lists, sorted and distinct.
pub(crate) fn merged(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut x, mut y) = (0, 0);
    while x < a.len() || y < b.len() {
        let next = match (a.get(x), b.get(y)) {
            (Some(&u), Some(&v)) => u.min(v),
            (Some(&u), None) => u,
            (None, Some(&v)) => v,
            (None, None) => unreachable!(),
        };
        x += (a.get(x) == Some(&next)) as usize;
        y += (b.get(y) == Some(&next)) as usize;
        out.push(next);
    }
    out
}

/// |A ∩ B| of two sorted, distinct segments, by merging them. Which side steps is as hard to
/// predict as the hashes: each step advances both sides by whether they are the smaller, with
/// no branch.
pub fn intersection<T: Ord + Copy>(a: &[T], b: &[T]) -> i64 {
    let (mut x, mut y, mut common) = (0, 0, 0);
    while x < a.len() && y < b.len() {
        let (u, v) = (a[x], b[y]);
        common += (u == v) as i64;
        x += (u <= v) as usize;
        y += (v <= u) as usize;
    }
    common
}

/// |A ∩ B| for each pair (left[i], right[i]) of documents of `hashes`/`starts`.
pub fn intersection_sizes(hashes: &[u64], starts: &[i64], left: &[i64], right: &[i64]) -> Vec<i64> {
    let segment = |d: i64| &hashes[starts[d as usize] as usize..starts[d as usize + 1] as usize];
    parallel::map(left.len(), |i| {
        intersection(segment(left[i]), segment(right[i]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_lists_are_sorted_and_distinct() {
        assert_eq!(merged(&[1, 4, 6], &[2, 4, 7, 9]), [1, 2, 4, 6, 7, 9]);
        assert_eq!(merged(&[], &[3]), [3]);
        assert_eq!(merged(&[], &[]), Vec::<u64>::new());
    }

    #[test]
    fn segments_of_two_runs_are_gathered_merged() {
        let values = [9u64, 4, 5, 12, 1, 7, 3, 8];
        // Document 0: [9] and [4, 5, 12]; document 1: [1, 7] and [3, 8]; document 2: [].
        let (starts, splits) = ([0i64, 4, 8, 8], [1i64, 6, 8]);
        let mut out = vec![0u64; 8];
        gather_segments(
            &values,
            &starts,
            Some(&splits),
            &[1, 0, 2],
            &mut out,
            &[0, 4, 8, 8],
        );
        assert_eq!(out, [4, 5, 9, 12, 1, 3, 7, 8]);
        for split in 0..=4 {
            let mut whole = vec![0u64; 4];
            let sorted = [1u64, 3, 7, 8];
            gather_segments(
                &sorted,
                &[0, 4],
                Some(&[split as i64]),
                &[0],
                &mut whole,
                &[0, 4],
            );
            assert_eq!(whole, sorted, "cut at {split}");
        }
    }

    #[test]
    fn pairs_of_shared_keys_are_counted_once_per_key() {
        // Documents 0, 1, 2; keys: 0 has {5, 7}, 1 has {5, 7}, 2 has {7}.
        let p = Packing { bits: 2 };
        let values = [5u64 << 40, 7 << 40, 5 << 40, 7 << 40, 7 << 40];
        let (begin, end, owners) = ([0i64, 2, 4], [2i64, 4, 5], [0i64, 1, 2]);
        let mut counts = vec![0i64; 5];
        count_buckets(&values, &begin, &end, p, &mut counts);
        let mut bounds = counts.clone();
        for b in 0..4 {
            bounds[b + 1] += bounds[b];
        }
        let mut packed = vec![0u64; 5];
        let mut fill = bounds[..4].to_vec();
        let out = unsafe { SharedOut::new(packed.as_mut_ptr(), packed.len()) };
        fill_buckets(&values, &begin, &end, &owners, p, out, &mut fill);
        let lengths = sort_buckets(&mut packed, &bounds, p);
        let groups = Groups {
            packed: &packed,
            bounds: &bounds,
            lengths: &lengths,
            p,
            max_group: 0,
        };
        let work = left_work(groups, 3);
        assert_eq!(work, vec![3, 1, 0]);
        assert_eq!(pairs_per_bucket(groups), [4, 0, 0, 0]);
        let mut partners = vec![0u32; 4];
        let mut fill = vec![0i64, 3, 4];
        let out = unsafe { SharedOut::new(partners.as_mut_ptr(), partners.len()) };
        partners_in_groups(groups, 0, 3, &mut fill, out);
        let (pairs, shared) = shared_partners(&mut partners, &[0, 3, 4, 4], 0, 3);
        assert_eq!(pairs, vec![1, 2, (1 << 32) | 2]);
        assert_eq!(shared, vec![2, 1, 1]);
    }

    #[test]
    fn buckets_keep_each_shared_key_once_per_document() {
        let p = Packing { bits: 4 };
        let at = |key: u64, doc: u64| key << 4 | doc;
        // Key 1: documents 2 and 3 (3 twice); key 2: document 5 alone, twice; key 3: document
        // 1 alone; key 4: documents 0, 1 and 2.
        let mut bucket = [
            at(1, 3),
            at(2, 5),
            at(4, 0),
            at(1, 2),
            at(3, 1),
            at(4, 2),
            at(2, 5),
            at(1, 3),
            at(4, 1),
        ];
        let bounds = [0, bucket.len() as i64];
        assert_eq!(sort_buckets(&mut bucket, &bounds, p), [5]);
        assert_eq!(
            bucket[..5],
            [at(1, 2), at(1, 3), at(4, 0), at(4, 1), at(4, 2)]
        );
        let groups = |max_group| Groups {
            packed: &bucket,
            bounds: &bounds,
            lengths: &[5],
            p,
            max_group,
        };
        assert_eq!(pairs_per_bucket(groups(0)), [1 + 3]);
        assert_eq!(pairs_per_bucket(groups(2)), [1]);
        let mut alone = [at(7, 1), at(7, 1), at(8, 2)];
        assert_eq!(sort_buckets(&mut alone, &[0, 3], p), [0]);
    }

    #[test]
    fn intersection_merges_sorted_segments() {
        assert_eq!(intersection(&[1, 3, 5, 9], &[2, 3, 9, 10]), 2);
        assert_eq!(intersection(&[], &[1]), 0);
    }
}
