//! Sorting hashes. Hashes are spread evenly over their range, so counted into two to four times
//! as many buckets as there are values by their top bits, most values are alone in their bucket
//! and one pass of insertion sort puts the few that share one in order: linear time, where a
//! comparison sort took a third of the sketching.

/// Fewer values than this are sorted by comparisons.
const SMALL_SORT: usize = 64;

/// `values` sorted into `out` (as long), through the buckets `ends`. Values chosen to share
/// their top bits (or many equal ones) fall back to a comparison sort once insertion has moved
/// them too far.
pub fn sort_into(values: &[u64], out: &mut [u64], ends: &mut Vec<u32>) {
    let n = values.len();
    assert_eq!(out.len(), n, "a place of another length");
    if n < SMALL_SORT {
        out.copy_from_slice(values);
        out.sort_unstable();
        return;
    }
    let bits = usize::BITS - (n - 1).leading_zeros() + 1;
    let bucket = |v: u64| (v >> (64 - bits)) as usize;
    ends.clear();
    ends.resize((1 << bits) + 1, 0);
    for &v in values {
        ends[bucket(v) + 1] += 1;
    }
    for b in 0..1 << bits {
        ends[b + 1] += ends[b];
    }
    for &v in values {
        let place = &mut ends[bucket(v)];
        out[*place as usize] = v;
        *place += 1;
    }
    insertion_sort(out, 8 * n);
}

/// Sorts nearly sorted `values` by insertion, or by comparisons once insertion has moved
/// values more than `budget` places in all.
fn insertion_sort(values: &mut [u64], budget: usize) {
    let mut moved = 0;
    for x in 1..values.len() {
        let v = values[x];
        let mut y = x;
        while y > 0 && values[y - 1] > v {
            values[y] = values[y - 1];
            y -= 1;
        }
        values[y] = v;
        moved += x - y;
        if moved > budget {
            values.sort_unstable();
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::fmix64;

    #[test]
    fn values_sort_whatever_their_spread() {
        let mut state = 11u64;
        let mut next = || {
            state = fmix64(state.wrapping_add(1));
            state
        };
        for size in [0, 1, 63, 64, 65, 300, 5000] {
            for clusters in [1u64, 3, 1 << 20] {
                // Values that share their top bits (few clusters), and repeats.
                let values: Vec<u64> = (0..size)
                    .map(|_| ((next() % clusters) << 44) | ((next() >> 20) % (size as u64 / 3 + 1)))
                    .collect();
                let mut expected = values.clone();
                expected.sort_unstable();
                let mut found = vec![0; size];
                sort_into(&values, &mut found, &mut Vec::new());
                assert_eq!(found, expected, "{size} values in {clusters} clusters");
            }
        }
    }
}
