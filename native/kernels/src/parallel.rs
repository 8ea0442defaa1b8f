//! Work over documents on every core, or inline when there is too little of it.

use rayon::prelude::*;

/// Below this many items, work runs on the calling thread: handing a few documents to the pool
/// and waking it costs more than the work (an index query sketches one text).
pub const INLINE_BELOW: usize = 16;

/// `f(i)` for each i in 0..n, in order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    if n < INLINE_BELOW {
        (0..n).map(f).collect()
    } else {
        (0..n).into_par_iter().map(f).collect()
    }
}

/// `f(scratch, i)` for each i in 0..n, in order, with a `scratch` made by `init` for each
/// thread (or run of items) and reused across its items.
pub fn map_init<S, T: Send>(
    n: usize,
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, usize) -> T + Sync + Send,
) -> Vec<T> {
    if n < INLINE_BELOW {
        let mut scratch = init();
        (0..n).map(|i| f(&mut scratch, i)).collect()
    } else {
        (0..n).into_par_iter().map_init(init, f).collect()
    }
}

/// `f(i, item)` for each item of `items`, which it may change, and what it returns, in order.
pub fn map_mut<T: Send, R: Send>(
    items: &mut [T],
    f: impl Fn(usize, &mut T) -> R + Sync + Send,
) -> Vec<R> {
    if items.len() < INLINE_BELOW {
        items.iter_mut().enumerate().map(|(i, x)| f(i, x)).collect()
    } else {
        items
            .par_iter_mut()
            .enumerate()
            .map(|(i, x)| f(i, x))
            .collect()
    }
}

/// Where each of segments of these lengths starts, laid end to end, and where the last ends.
pub fn starts_of(lengths: impl IntoIterator<Item = usize>) -> Vec<i64> {
    let mut starts = vec![0i64];
    for n in lengths {
        starts.push(starts[starts.len() - 1] + n as i64);
    }
    starts
}

/// Segments of `values` laid end to end, as `starts` (len = segments + 1) bounds them.
pub fn joined<T, P>(parts: &[P]) -> (Vec<T>, Vec<i64>)
where
    T: Copy + Send + Sync + Default,
    P: AsRef<[T]> + Sync,
{
    let starts = starts_of(parts.iter().map(|p| p.as_ref().len()));
    let mut out = vec![T::default(); starts[parts.len()] as usize];
    let mut rest: &mut [T] = &mut out;
    let mut places = Vec::with_capacity(parts.len());
    for p in parts {
        let (head, tail) = rest.split_at_mut(p.as_ref().len());
        places.push(head);
        rest = tail;
    }
    let copy = |(place, part): (&mut &mut [T], &P)| place.copy_from_slice(part.as_ref());
    if parts.len() < INLINE_BELOW {
        places.iter_mut().zip(parts).for_each(copy);
    } else {
        places.par_iter_mut().zip(parts).for_each(copy);
    }
    (out, starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_lays_segments_end_to_end() {
        let parts: Vec<Vec<u64>> = (0..40).map(|i| (0..i % 5).collect()).collect();
        let (values, starts) = joined(&parts);
        for (i, p) in parts.iter().enumerate() {
            assert_eq!(&values[starts[i] as usize..starts[i + 1] as usize], &p[..]);
        }
    }
}
