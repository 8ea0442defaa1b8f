//! The pairs of documents that share at least a given share of the smaller one's keys, found by
//! prefix filtering instead of listing every pair that shares a key.
//!
//! Of a pair, the document that comes first by (`sizes`, number) is its prober `s`; the pair is
//! kept when it shares `need(s) = ceil(min_share * sizes[s])` keys or more (keys of groups at
//! most `max_group` long). Every document orders its shared keys the same way: by the class of
//! their group's size (`class_of`), the rarest first. If `s` shares `need(s)` keys with
//! another document, one of them is among the first `held(s) - need(s) + 1` of its `held(s)`
//! keys, its prefix: after those, only `need(s) - 1` are left. So a document lists as partners
//! only the documents after it in the groups of its prefix's classes; the rare keys that make
//! up most prefixes are held by few documents, where the keys of a sentence that recurs across
//! a corpus are held by many. A document that holds fewer shared keys than it needs lists none.
//! Each pair listed is then counted exactly, by merging the two documents' sorted lists of
//! groups, and kept where it shares enough (`enough`).

use rayon::prelude::*;

use crate::buckets::{intersection, merged, Groups, SharedOut};
use crate::parallel;

/// Classes of group sizes: a key that g documents hold is in class ceil(log2 g) - 1 (2 → 0,
/// 3-4 → 1, 5-8 → 2, ...), the last class taking every larger group (129 and more). Any order
/// of the keys that every document shares would do; the finer it is, the shorter the prefixes.
const CLASSES: usize = 8;

fn class_of(group: usize) -> usize {
    ((usize::BITS - (group - 1).leading_zeros()) as usize - 1).min(CLASSES - 1)
}

/// A document's shared keys in each class: half a cache line, read and written at once.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
struct Row([u32; CLASSES]);

impl Row {
    /// The document's shared keys, of every class.
    fn held(&self) -> usize {
        self.0.iter().map(|&c| c as usize).sum()
    }
}

/// Whether two documents of sizes a and b that share `shared` keys share enough: at least
/// `min_share` of the smaller one's.
fn enough(shared: i64, min_share: f64, a: i64, b: i64) -> bool {
    shared as f64 >= min_share * a.min(b) as f64
}

/// Whether document `s` lists `l` as a partner: it comes first by size, then by number.
fn before(sizes: &[i64], s: usize, l: usize) -> bool {
    (sizes[s], s) < (sizes[l], l)
}

/// The pairs (i, j), as i * 2**32 + j in order, whose documents share at least `min_share *
/// min(sizes[i], sizes[j])` keys of the groups, and how many each shares: what listing every
/// pair (`partners_in_groups`) and counting it (`shared_partners`) keeps, the same pairs with
/// the same counts. Documents are listed as partners a range of probers at a time, each range
/// listing at most about `budget` entries.
pub fn pairs_sharing_enough(
    groups: Groups,
    n_docs: usize,
    sizes: &[i64],
    min_share: f64,
    budget: usize,
) -> (Vec<i64>, Vec<i64>) {
    let parts = halves(groups);
    let ((first, first_groups), (second, _)) = rayon::join(
        || class_counts(parts[0], n_docs),
        || class_counts(parts[1], n_docs),
    );
    let counts = [first, second];
    let probed = classes_probed(&counts, sizes, min_share);
    let (work_first, work_second) = rayon::join(
        || listed_per_doc(parts[0], &probed, n_docs),
        || listed_per_doc(parts[1], &probed, n_docs),
    );
    let work: Vec<i64> = work_first
        .iter()
        .zip(&work_second)
        .map(|(a, b)| a + b)
        .collect();
    let mut kept: Vec<(u64, i64)> = Vec::new();
    for (lo, hi) in ranges(&work, budget) {
        // Each part's list is made as long as it may grow, in one allocation (pages it does not
        // reach are never touched, where growing it would copy it each time), and made distinct
        // on its own: the two are never copied into one.
        let room = |w: &[i64]| w[lo..hi].iter().sum::<i64>() as usize;
        let list = |part: usize, work: &[i64]| {
            let mut pairs = listed(parts[part], &probed, sizes, (lo, hi), room(work));
            pairs.par_sort_unstable();
            pairs.dedup();
            pairs
        };
        let (first, second) = rayon::join(|| list(0, &work_first), || list(1, &work_second));
        let pairs = merged(&first, &second);
        drop((first, second)); // their pages are given back before the groups are listed
        let (ids, starts) = groups_of_docs(parts, &counts, first_groups, &pairs, n_docs);
        let groups_of = |d: usize| &ids[starts[d]..starts[d + 1]];
        kept.par_extend(pairs.par_iter().filter_map(|&pair| {
            let (i, j) = ((pair >> 32) as usize, (pair & 0xFFFF_FFFF) as usize);
            let shared = intersection(groups_of(i), groups_of(j));
            enough(shared, min_share, sizes[i], sizes[j]).then_some((pair, shared))
        }));
    }
    kept.par_sort_unstable();
    kept.into_iter()
        .map(|(pair, shared)| (pair as i64, shared))
        .unzip()
}

/// The buckets cut in two parts of about as many keys, scanned on a core each.
fn halves(groups: Groups) -> [Groups; 2] {
    let total: i64 = groups.lengths.iter().sum();
    let mut seen = 0;
    let cut = groups
        .lengths
        .iter()
        .position(|&length| {
            seen += length;
            seen > total / 2
        })
        .unwrap_or(groups.lengths.len());
    let part = |range: std::ops::Range<usize>| Groups {
        bounds: &groups.bounds[range.clone()],
        lengths: &groups.lengths[range],
        ..groups
    };
    [part(0..cut), part(cut..groups.lengths.len())]
}

/// For each document, how many of its keys each class holds, and how many groups the part has.
fn class_counts(part: Groups, n_docs: usize) -> (Vec<Row>, usize) {
    let mut counts = vec![Row::default(); n_docs];
    let mut n_groups = 0;
    for group in part.all() {
        let class = class_of(group.len());
        for &x in group {
            counts[part.p.doc(x)].0[class] += 1;
        }
        n_groups += 1;
    }
    (counts, n_groups)
}

/// How many classes, from the rarest, hold each document's prefix: all of them where any
/// shared key is enough, none where it holds fewer keys than it needs.
fn classes_probed(counts: &[Vec<Row>; 2], sizes: &[i64], min_share: f64) -> Vec<u8> {
    parallel::map(counts[0].len(), |d| {
        let held = |c: usize| counts[0][d].0[c] as i64 + counts[1][d].0[c] as i64;
        let need = (min_share * sizes[d] as f64).ceil();
        if need < 1.0 {
            return CLASSES as u8;
        }
        let prefix = (0..CLASSES).map(held).sum::<i64>() - need as i64 + 1;
        let mut seen = 0;
        for class in 0..CLASSES {
            if seen >= prefix {
                return class as u8;
            }
            seen += held(class);
        }
        CLASSES as u8
    })
}

/// Whether document `s` lists partners from a group of this many documents.
fn probes(probed: &[u8], s: usize, group: usize) -> bool {
    class_of(group) < probed[s] as usize
}

/// For each document, at most how many partners it lists: the other documents of each group it
/// lists from (those after it, of them).
fn listed_per_doc(part: Groups, probed: &[u8], n_docs: usize) -> Vec<i64> {
    let mut work = vec![0i64; n_docs];
    for group in part.all() {
        for &x in group {
            let s = part.p.doc(x);
            if probes(probed, s, group.len()) {
                work[s] += group.len() as i64 - 1;
            }
        }
    }
    work
}

/// Ranges of probers, each listing at most about `budget` partners (one prober at least).
fn ranges(work: &[i64], budget: usize) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let (mut lo, mut listed) = (0, 0);
    for (d, &w) in work.iter().enumerate() {
        if listed > 0 && listed + w > budget as i64 {
            found.push((lo, d));
            (lo, listed) = (d, 0);
        }
        listed += w;
    }
    found.push((lo, work.len()));
    found
}

/// The pairs that the probers in [lo, hi) list, as i * 2**32 + j (i < j), once for each key, in
/// a list with room for `room`.
fn listed(
    part: Groups,
    probed: &[u8],
    sizes: &[i64],
    (lo, hi): (usize, usize),
    room: usize,
) -> Vec<u64> {
    let mut pairs = Vec::new();
    // Where the bound is more than memory holds, the list grows as it goes instead.
    let _ = pairs.try_reserve_exact(room);
    for group in part.all() {
        for &x in group {
            let s = part.p.doc(x);
            if (lo..hi).contains(&s) && probes(probed, s, group.len()) {
                for &y in group {
                    let l = part.p.doc(y);
                    if before(sizes, s, l) {
                        pairs.push(((s.min(l) as u64) << 32) | s.max(l) as u64);
                    }
                }
            }
        }
    }
    pairs
}

/// The groups (numbered in bucket order, the second part's after the first's) of each document
/// of `pairs`, ascending, end to end: document d's are `ids[starts[d]..starts[d + 1]]`.
fn groups_of_docs(
    parts: [Groups; 2],
    counts: &[Vec<Row>; 2],
    first_groups: usize,
    pairs: &[u64],
    n_docs: usize,
) -> (Vec<u32>, Vec<usize>) {
    let mut wanted = vec![false; n_docs];
    for &pair in pairs {
        wanted[(pair >> 32) as usize] = true;
        wanted[(pair & 0xFFFF_FFFF) as usize] = true;
    }
    let held = |part: usize, d: usize| counts[part][d].held();
    let mut starts = vec![0usize; n_docs + 1];
    for d in 0..n_docs {
        let mine = if wanted[d] {
            held(0, d) + held(1, d)
        } else {
            0
        };
        starts[d + 1] = starts[d] + mine;
    }
    let mut ids = vec![0u32; starts[n_docs]];
    // SAFETY: `ids` outlives the scans, and each writes its own places: a document's groups of
    // the first part, then those of the second.
    let out = unsafe { SharedOut::new(ids.as_mut_ptr(), ids.len()) };
    let fill = |part: usize, mut cursor: Vec<usize>| {
        let first = if part == 0 { 0 } else { first_groups };
        for (id, group) in (first..).zip(parts[part].all()) {
            let id = u32::try_from(id).expect("fewer than 2**32 shared keys");
            for &x in group {
                let d = parts[part].p.doc(x);
                if wanted[d] {
                    out.set(cursor[d], id);
                    cursor[d] += 1;
                }
            }
        }
    };
    let second: Vec<usize> = (0..n_docs).map(|d| starts[d] + held(0, d)).collect();
    rayon::join(|| fill(0, starts[..n_docs].to_vec()), || fill(1, second));
    (ids, starts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buckets::Packing;

    #[test]
    fn classes_grow_with_the_log_of_the_group() {
        let classes: Vec<usize> = [2, 3, 4, 5, 8, 9, 128, 129, 200, 1 << 40]
            .iter()
            .map(|&g| class_of(g))
            .collect();
        assert_eq!(classes, [0, 1, 1, 2, 2, 3, 6, 7, 7, 7]);
    }

    #[test]
    fn ranges_hold_about_a_budget_each() {
        assert_eq!(ranges(&[3, 0, 2, 5, 1], 5), [(0, 3), (3, 4), (4, 5)]);
        assert_eq!(ranges(&[9, 9], 5), [(0, 1), (1, 2)]);
        assert_eq!(ranges(&[], 5), [(0, 0)]);
    }

    #[test]
    fn a_rare_shared_key_finds_the_pair_and_a_common_one_does_not() {
        // Keys 1 and 2 are held by documents 0 and 1; key 3 by documents 0 to 4. Sizes of 4
        // keys and a share of a half: 0 and 1 share 3 keys of 4 (kept), the others 1.
        let p = Packing { bits: 3 };
        let at = |key: u64, doc: u64| key << 3 | doc;
        let packed = [
            at(1, 0),
            at(1, 1),
            at(2, 0),
            at(2, 1),
            at(3, 0),
            at(3, 1),
            at(3, 2),
            at(3, 3),
            at(3, 4),
        ];
        let groups = |max_group| Groups {
            packed: &packed,
            bounds: &[0, 9],
            lengths: &[9],
            p,
            max_group,
        };
        let sizes = [4, 4, 4, 4, 4];
        let found = pairs_sharing_enough(groups(0), 5, &sizes, 0.5, 100);
        assert_eq!(found, (vec![1], vec![3]));
        let (counts, _) = class_counts(groups(0), 5);
        let probed = classes_probed(&[counts, vec![Row::default(); 5]], &sizes, 0.5);
        // 0 and 1 hold 3 shared keys and need 2: their prefix is the rarest 2 (class 0);
        // the others hold 1 key and need 2, and list no one.
        assert_eq!(probed, [1, 1, 0, 0, 0]);
        // With any key enough, every pair is kept.
        let (pairs, _) = pairs_sharing_enough(groups(0), 5, &sizes, 0.0, 1);
        assert_eq!(pairs.len(), 10);
        // Key 3 in a group longer than 4 counts for no pair: 0 and 1 share 2 keys.
        let found = pairs_sharing_enough(groups(4), 5, &sizes, 0.5, 100);
        assert_eq!(found, (vec![1], vec![2]));
    }
}
