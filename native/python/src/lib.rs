//! `neardup.core.kernel`: the native kernels (`neardup-kernels`) as Python functions over numpy
//! arrays.
//!
//! Each function checks what it is given, then releases the GIL and runs on every core (rayon).
//! Arrays are read in place, never copied in; results are new arrays, or written into arrays
//! the caller passes (the pair-counting steps, which two Python threads run at once on
//! disjoint parts of one array). Bad input is an `InputError`, and a panic, which would be a bug
//! here, a `NeardupError`: neither aborts the interpreter.

use std::panic::{catch_unwind, AssertUnwindSafe};

use neardup_kernels::buckets::{self, Packing, SharedOut};
use neardup_kernels::facts::{self, Chars};
use neardup_kernels::normal::{self, Folder, Table};
use neardup_kernels::screen::{self, Screen};
use neardup_kernels::sketch::{self, NumberWords};
use neardup_kernels::{
    align, bloom, charlook, facts_compare, jsonl, kept, lines, prefix, second_look, text, unicode,
};
use numpy::ndarray::{Dimension, Ix1, Ix2};
use numpy::{Element, PyArray, PyArray1, PyArray2, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes, PyList, PyString};
use pyo3::Borrowed;

type Array1<'py, T> = Bound<'py, PyArray1<T>>;
type Out<'py, T> = PyResult<Bound<'py, PyArray1<T>>>;
/// Each pair's three scores, and whether it has them.
type Scored<'py> = PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<bool>>)>;
type Pair<'py, A, B> = PyResult<(Bound<'py, PyArray1<A>>, Bound<'py, PyArray1<B>>)>;

/// An exception of `neardup.errors` (by its class name) with `message`.
fn neardup_error(py: Python<'_>, class: &str, message: String) -> PyErr {
    let made = py
        .import("neardup.errors")
        .and_then(|errors| errors.getattr(class))
        .and_then(|cls| cls.call1((message,)));
    match made {
        Ok(error) => PyErr::from_value(error),
        Err(error) => error,
    }
}

fn input_error(py: Python<'_>, message: String) -> PyErr {
    neardup_error(py, "InputError", message)
}

/// Run `work` without the GIL; a panic becomes a `NeardupError`.
fn native<T: Send>(py: Python<'_>, what: &str, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(work)))
        .map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            neardup_error(
                py,
                "NeardupError",
                format!("native {what} failed: {message}"),
            )
        })
}

/// An array the kernel reads: the caller's own when it has the kernel's type and its values
/// lie contiguous and aligned in memory, else a copy that does (a column of a 2-D array, a
/// strided slice, int32 indices, signed 64-bit keys as SQLite holds them: the same bits).
struct In<'py, T: Element, D: Dimension>(Bound<'py, PyArray<T, D>>);
type In1<'py, T> = In<'py, T, Ix1>;

impl<'a, 'py, T: Element, D: Dimension> FromPyObject<'a, 'py> for In<'py, T, D> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(array) = obj.cast::<PyArray<T, D>>() {
            // Row-major only: a Fortran-ordered 2-D array is contiguous too, but column-major.
            // SAFETY: only checks that the values can be viewed as a slice.
            if array.is_c_contiguous() && unsafe { array.as_slice() }.is_ok() {
                return Ok(In(array.to_owned()));
            }
        }
        let py = obj.py();
        let dtype = T::get_dtype(py);
        let copy = py.import("numpy")?.getattr("array")?.call(
            (obj,),
            Some(
                &[
                    ("dtype", dtype.clone().into_any()),
                    ("order", "C".into_pyobject(py)?.into_any()),
                ]
                .into_py_dict(py)?,
            ),
        );
        // What numpy cannot make an array of this type of (strings, nested lists of other
        // lengths, a value out of range) is bad input.
        copy.and_then(|c| Ok(c.cast_into::<PyArray<T, D>>()?))
            .map(In)
            .map_err(|error| {
                input_error(
                    py,
                    format!(
                        "expected an array of {dtype} with {} dimensions: {error}",
                        D::NDIM.unwrap_or(0)
                    ),
                )
            })
    }
}

impl<T: Element, D: Dimension> In<'_, T, D> {
    /// The values, in place.
    fn values(&self) -> &[T] {
        // SAFETY: the array is not resized while the call holds it, and no kernel writes an
        // array that it reads (those get theirs through `writable` or `shared`).
        unsafe { self.0.as_slice() }.expect("contiguous and aligned since extracted")
    }
}

/// The values of a contiguous array that this call alone writes.
// A mutable view of an object held by shared reference, as numpy's own `as_slice_mut`: Python
// owns the array, and the callers pass each array that a kernel writes to that kernel alone.
#[allow(clippy::mut_from_ref)]
fn writable<'a, T: Element>(array: &'a Array1<'_, T>, name: &str) -> PyResult<&'a mut [T]> {
    check_writable(array, name)?;
    // SAFETY: writable, contiguous and aligned (checked), and the Python callers pass each
    // array that a kernel writes to that kernel alone.
    Ok(unsafe { array.as_slice_mut() }.expect("checked"))
}

/// Check that a kernel can write `array`'s values in place: writable, contiguous, aligned.
fn check_writable<T: Element>(array: &Array1<'_, T>, name: &str) -> PyResult<()> {
    // SAFETY: a live array object; only its flags are read.
    let flags = unsafe { (*numpy::npyffi::_PyArray_GET_ITEM_DATA(array.as_array_ptr())).flags };
    if flags & numpy::npyffi::NPY_ARRAY_WRITEABLE == 0 {
        return Err(input_error(array.py(), format!("{name} must be writable")));
    }
    let aligned = (array.data() as usize).is_multiple_of(std::mem::align_of::<T>());
    if !array.is_c_contiguous() || !aligned {
        return Err(input_error(
            array.py(),
            format!("{name} must be a contiguous array"),
        ));
    }
    Ok(())
}

/// A contiguous array that several calls fill at once, in disjoint places: written through its
/// pointer, never through a slice (two threads each holding a `&mut` of it would alias).
fn shared<T: Element + Copy>(array: &Array1<'_, T>, name: &str) -> PyResult<SharedOut<T>> {
    check_writable(array, name)?;
    // SAFETY: the array outlives the call, and concurrent callers write disjoint places.
    Ok(unsafe { SharedOut::new(array.data(), array.len()) })
}

/// Check that `offsets` bound consecutive segments of an array of `len` values.
fn check_offsets(py: Python<'_>, name: &str, offsets: &[i64], len: usize) -> PyResult<()> {
    let bad = |why: String| Err(input_error(py, format!("{name}: {why}")));
    let Some(&first) = offsets.first() else {
        return bad("needs at least one offset".into());
    };
    if first < 0 {
        return bad(format!("starts at {first}"));
    }
    if let Some(w) = offsets.windows(2).find(|w| w[1] < w[0]) {
        return bad(format!("decreases from {} to {}", w[0], w[1]));
    }
    let last = offsets[offsets.len() - 1];
    if last as u64 > len as u64 {
        return bad(format!("reaches {last}, past the end of {len} values"));
    }
    Ok(())
}

/// Check that every index of `docs` is below `n`.
fn check_indices(py: Python<'_>, name: &str, docs: &[i64], n: usize) -> PyResult<()> {
    match docs.iter().find(|&&d| d < 0 || d as u64 >= n as u64) {
        Some(d) => Err(input_error(
            py,
            format!("{name}: {d} is not one of {n} documents"),
        )),
        None => Ok(()),
    }
}

/// Check that `left` and `right` are as long, each pair (`left[i]`, `right[i]`) two of `n`
/// documents.
fn check_pairs(py: Python<'_>, left: &[i64], right: &[i64], n: usize) -> PyResult<()> {
    check_indices(py, "left", left, n)?;
    check_indices(py, "right", right, n)?;
    if left.len() != right.len() {
        return Err(input_error(py, "left and right must be as long".into()));
    }
    Ok(())
}

fn check_at_least(py: Python<'_>, name: &str, value: i64, least: i64) -> PyResult<usize> {
    if value < least {
        return Err(input_error(
            py,
            format!("{name} must be at least {least}, got {value}"),
        ));
    }
    Ok(value as usize)
}

fn check_bits(py: Python<'_>, bits: i64) -> PyResult<Packing> {
    if !(1..=63).contains(&bits) {
        return Err(input_error(py, format!("bits must be 1 to 63, got {bits}")));
    }
    Ok(Packing { bits: bits as u32 })
}

/// Check a table of changes (`normal_bytes.Changes`): code points ascending, one entry each.
fn check_changes(py: Python<'_>, code_points: &[u32], starts: &[i64], pool: &[u8]) -> PyResult<()> {
    check_offsets(py, "starts", starts, pool.len())?;
    if starts.len() != code_points.len() + 1 || code_points.windows(2).any(|w| w[0] >= w[1]) {
        return Err(input_error(
            py,
            "the code points must ascend, one entry each".into(),
        ));
    }
    Ok(())
}

/// A table of `normalize.code_point_table`, checked.
fn checked_table<'a>(
    py: Python<'_>,
    starts: &'a [i64],
    pool: &'a [u8],
    spaced: &'a [i64],
) -> PyResult<Table<'a>> {
    check_offsets(py, "starts", starts, pool.len())?;
    if starts.len() < 129
        || (0..128).any(|c| starts[c + 1] - starts[c] != 1 || pool[starts[c] as usize] >= 0x80)
    {
        return Err(input_error(
            py,
            "the table must map each ASCII character to one byte".into(),
        ));
    }
    Ok(Table {
        starts,
        pool,
        spaced,
    })
}

/// More permutations than this are refused before anything is allocated (Options allow 1,024).
const MAX_PERM: usize = 1 << 16;

fn check_num_perm(py: Python<'_>, num_perm: i64) -> PyResult<usize> {
    let num_perm = check_at_least(py, "num_perm", num_perm, 1)?;
    if num_perm > MAX_PERM {
        return Err(input_error(
            py,
            format!("num_perm must be at most {MAX_PERM}, got {num_perm}"),
        ));
    }
    Ok(num_perm)
}

/// The normal forms of a batch (see `normalize.normalize_batch`), and their offsets: each code
/// point through the table (`normalize.code_point_table`), runs of spaces collapsed, none at
/// either end.
#[pyfunction]
fn normalize_utf8<'py>(
    py: Python<'py>,
    data: In1<'py, u8>,
    offsets: In1<'py, i64>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
    spaced: In1<'py, i64>,
) -> Pair<'py, u8, i64> {
    let (data, offsets) = (data.values(), offsets.values());
    let (starts, pool, spaced) = (starts.values(), pool.values(), spaced.values());
    check_offsets(py, "offsets", offsets, data.len())?;
    check_offsets(py, "starts", starts, pool.len())?;
    if starts.len() < 129
        || (0..128).any(|c| starts[c + 1] - starts[c] != 1 || pool[starts[c] as usize] >= 0x80)
    {
        return Err(input_error(
            py,
            "the table must map each ASCII character to one byte".into(),
        ));
    }
    let table = Table {
        starts,
        pool,
        spaced,
    };
    let (out, out_offsets) = native(py, "normalization", || {
        normal::normalize_batch(data, offsets, &table)
    })?;
    Ok((
        PyArray1::from_vec(py, out),
        PyArray1::from_vec(py, out_offsets),
    ))
}

/// The hash of the first token of each document (0 where it has none).
#[pyfunction]
fn first_token_hashes<'py>(
    py: Python<'py>,
    data: In1<'py, u8>,
    offsets: In1<'py, i64>,
) -> Out<'py, u64> {
    let (data, offsets) = (data.values(), offsets.values());
    check_offsets(py, "offsets", offsets, data.len())?;
    let firsts = native(py, "tokenization", || {
        offsets
            .windows(2)
            .map(|w| text::first_token(&data[w[0] as usize..w[1] as usize]).unwrap_or(0))
            .collect()
    })?;
    Ok(PyArray1::from_vec(py, firsts))
}

/// A text's UTF-8 bytes: a str's own (its lone surrogates written as Python's `errors` handler
/// of `str.encode` writes them, in a bytes object made for them), or a bytes object's.
fn utf8_of<'py>(text: Bound<'py, PyAny>, errors: &str) -> PyResult<Bound<'py, PyAny>> {
    match text.cast::<PyString>() {
        Ok(string) if string.to_str().is_err() => string.call_method1("encode", ("utf-8", errors)),
        Ok(_) => Ok(text),
        Err(_) if text.cast::<PyBytes>().is_ok() => Ok(text),
        Err(_) => Err(input_error(
            text.py(),
            format!(
                "a text must be a str (or UTF-8 bytes), not {}",
                text.get_type().name()?
            ),
        )),
    }
}

/// The UTF-8 of texts (str, lone surrogates as "surrogatepass" writes them, or bytes): the
/// objects that hold them.
fn utf8_texts<'py>(texts: Vec<Bound<'py, PyAny>>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    texts
        .into_iter()
        .map(|t| utf8_of(t, "surrogatepass"))
        .collect()
}

/// The bytes of what `utf8_of` gave.
fn bytes_of<'a>(owner: &'a Bound<'_, PyAny>) -> &'a [u8] {
    match owner.cast::<PyString>() {
        Ok(string) => string.to_str().expect("checked by utf8_of").as_bytes(),
        Err(_) => owner
            .cast::<PyBytes>()
            .expect("checked by utf8_of")
            .as_bytes(),
    }
}

type SketchArrays<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray2<u32>>,
);

/// How texts are sketched, checked.
fn sketch_settings(
    py: Python<'_>,
    ngram: i64,
    seed: u64,
    window: i64,
    num_perm: i64,
    prints_lead: bool,
) -> PyResult<sketch::Settings> {
    Ok(sketch::Settings {
        ngram: check_at_least(py, "ngram", ngram, 1)?,
        seed,
        window: check_at_least(py, "window", window, 1)?,
        num_perm: check_num_perm(py, num_perm)?,
        prints_lead,
    })
}

/// The UTF-8 bytes (`utf8_of`) of each text or cut where there is one.
fn optional_utf8<'py>(
    texts: Vec<Option<Bound<'py, PyAny>>>,
) -> PyResult<Vec<Option<Bound<'py, PyAny>>>> {
    texts
        .into_iter()
        .map(|text| text.map(|t| utf8_of(t, "surrogatepass")).transpose())
        .collect()
}

/// The sketch arrays of `texts`, all but the keys of `cuts[d]` where there is one.
fn sketched<'py>(
    py: Python<'py>,
    texts: &[&[u8]],
    cuts: &[Option<&[u8]>],
    table: &Table,
    settings: &sketch::Settings,
    number_words: &[u64],
) -> PyResult<SketchArrays<'py>> {
    let numbers = NumberWords::new(number_words);
    let s = native(py, "sketching", || {
        sketch::sketch_texts(texts, cuts, &Folder::new(table), &numbers, settings)
    })?;
    Ok((
        PyArray1::from_vec(py, s.token_counts),
        PyArray1::from_vec(py, s.exact_keys),
        PyArray1::from_vec(py, s.masked_keys),
        PyArray1::from_vec(py, s.shingles),
        PyArray1::from_vec(py, s.starts),
        PyArray1::from_vec(py, s.prints),
        PyArray1::from_vec(py, s.print_starts),
        PyArray1::from_vec(py, s.signatures).reshape([texts.len(), settings.num_perm])?,
    ))
}

/// Normalize (with the table of `normalize.code_point_table`), tokenize, shingle, winnow and
/// MinHash each text (str, or UTF-8 bytes) in one pass on every core: (token_counts,
/// exact_keys, masked_keys, shingles, starts, prints, print_starts, signatures). Where
/// `cuts[d]` is not None, it is text d with its page furniture left out, and everything but
/// the exact and masked keys is of it. With `prints_lead`, each document's fingerprints lead
/// its shingles (its first `print_starts[d + 1] - print_starts[d]`) and `prints` is empty.
#[pyfunction]
#[pyo3(signature = (
    texts, cuts, starts, pool, spaced, ngram, seed, window, num_perm, number_words,
    prints_lead = false
))]
#[allow(clippy::too_many_arguments)]
fn sketch_texts<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyAny>>,
    cuts: Option<Vec<Option<Bound<'py, PyAny>>>>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
    spaced: In1<'py, i64>,
    ngram: i64,
    seed: u64,
    window: i64,
    num_perm: i64,
    number_words: In1<'py, u64>,
    prints_lead: bool,
) -> PyResult<SketchArrays<'py>> {
    let table = checked_table(py, starts.values(), pool.values(), spaced.values())?;
    let settings = sketch_settings(py, ngram, seed, window, num_perm, prints_lead)?;
    let owners = utf8_texts(texts)?;
    let cut_owners = match cuts {
        None => vec![None; owners.len()],
        Some(cuts) if cuts.len() == owners.len() => optional_utf8(cuts)?,
        Some(_) => {
            return Err(input_error(
                py,
                "cuts must have a place for each text".into(),
            ))
        }
    };
    let texts: Vec<&[u8]> = owners.iter().map(bytes_of).collect();
    let cuts: Vec<Option<&[u8]>> = cut_owners
        .iter()
        .map(|c| c.as_ref().map(bytes_of))
        .collect();
    sketched(py, &texts, &cuts, &table, &settings, number_words.values())
}

/// The segments `data[offsets[d]:offsets[d + 1]]`, the offsets checked.
fn segments<'a>(py: Python<'_>, data: &'a [u8], offsets: &[i64]) -> PyResult<Vec<&'a [u8]>> {
    check_offsets(py, "offsets", offsets, data.len())?;
    Ok(offsets
        .windows(2)
        .map(|w| &data[w[0] as usize..w[1] as usize])
        .collect())
}

/// The segments of `data` as texts, each checked to be UTF-8.
fn utf8_segments<'a>(py: Python<'_>, data: &'a [u8], offsets: &[i64]) -> PyResult<Vec<&'a str>> {
    segments(py, data, offsets)?
        .into_iter()
        .map(std::str::from_utf8)
        .collect::<Result<_, _>>()
        .map_err(|e| input_error(py, format!("a text is not UTF-8: {e}")))
}

/// `sketch_texts` of the texts `data[offsets[d]:offsets[d + 1]]` (UTF-8), read in place, but
/// that for each k, text `at[k]` is `texts[k]` where that is not None, and its cut (all but its
/// keys are of it) `cuts[k]` where that is not None.
#[pyfunction]
#[pyo3(signature = (
    data, offsets, at, texts, cuts, starts, pool, spaced, ngram, seed, window, num_perm,
    number_words, prints_lead = false
))]
#[allow(clippy::too_many_arguments)]
fn sketch_utf8<'py>(
    py: Python<'py>,
    data: In1<'py, u8>,
    offsets: In1<'py, i64>,
    at: In1<'py, i64>,
    texts: Vec<Option<Bound<'py, PyAny>>>,
    cuts: Vec<Option<Bound<'py, PyAny>>>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
    spaced: In1<'py, i64>,
    ngram: i64,
    seed: u64,
    window: i64,
    num_perm: i64,
    number_words: In1<'py, u64>,
    prints_lead: bool,
) -> PyResult<SketchArrays<'py>> {
    let table = checked_table(py, starts.values(), pool.values(), spaced.values())?;
    let settings = sketch_settings(py, ngram, seed, window, num_perm, prints_lead)?;
    let mut all = segments(py, data.values(), offsets.values())?;
    let at = at.values();
    check_indices(py, "at", at, all.len())?;
    if texts.len() != at.len() || cuts.len() != at.len() {
        return Err(input_error(
            py,
            "texts and cuts must have a place for each of at".into(),
        ));
    }
    let (text_owners, cut_owners) = (optional_utf8(texts)?, optional_utf8(cuts)?);
    let mut all_cuts = vec![None; all.len()];
    for (k, &d) in at.iter().enumerate() {
        if let Some(text) = &text_owners[k] {
            all[d as usize] = bytes_of(text);
        }
        all_cuts[d as usize] = cut_owners[k].as_ref().map(bytes_of);
    }
    sketched(
        py,
        &all,
        &all_cuts,
        &table,
        &settings,
        number_words.values(),
    )
}

/// MinHash signatures by one-permutation hashing with optimal densification, one row of
/// `num_perm` values per document (`hashes[starts[d]:starts[d + 1]]`).
#[pyfunction]
fn minhash<'py>(
    py: Python<'py>,
    hashes: In1<'py, u64>,
    starts: In1<'py, i64>,
    num_perm: i64,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let (hashes, starts) = (hashes.values(), starts.values());
    check_offsets(py, "starts", starts, hashes.len())?;
    let num_perm = check_num_perm(py, num_perm)?;
    let rows = starts.len() - 1;
    let signatures = native(py, "MinHash", || {
        sketch::minhash(hashes, starts, num_perm, seed)
    })?;
    PyArray1::from_vec(py, signatures).reshape([rows, num_perm])
}

/// One 64-bit key per band and document, as a bands × documents array; documents that agree
/// on a band share its key.
#[pyfunction]
fn band_keys<'py>(
    py: Python<'py>,
    signatures: In<'py, u32, Ix2>,
    bands: i64,
    rows: i64,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let [n_docs, width] = signatures.0.shape() else {
        unreachable!("a 2-D array")
    };
    let (n_docs, width) = (*n_docs, *width);
    let signature_values = signatures.values();
    let bands = check_at_least(py, "bands", bands, 1)?;
    let rows = check_at_least(py, "rows", rows, 1)?;
    if n_docs > 0 && bands.saturating_mul(rows) > width {
        return Err(input_error(
            py,
            format!("{bands} bands of {rows} rows need more than the {width} values a row"),
        ));
    }
    let keys = native(py, "band keys", || {
        sketch::band_keys(signature_values, width, bands, rows)
    })?;
    PyArray1::from_vec(py, keys).reshape([bands, n_docs])
}

/// Add to `counts[b + 1]` how many of the keys `values[begin[i]:end[i]]` fall in bucket b,
/// the bucket of a key being its top `bits` bits.
#[pyfunction]
fn count_buckets(
    py: Python<'_>,
    values: In1<'_, u64>,
    begin: In1<'_, i64>,
    end: In1<'_, i64>,
    bits: i64,
    counts: Array1<'_, i64>,
) -> PyResult<()> {
    let keys = values.values();
    let (begin, end) = (begin.values(), end.values());
    let p = check_bits(py, bits)?;
    let counts = writable(&counts, "counts")?;
    if counts.len() != (1usize << p.bits) + 1 {
        return Err(input_error(
            py,
            format!("counts must hold 2**{bits} + 1 values"),
        ));
    }
    native(py, "bucket counting", || {
        buckets::count_buckets(keys, begin, end, p, counts)
    })
}

/// Pack the keys `values[begin[i]:end[i]]` of document `owners[i]` (below 2**bits) into their
/// buckets; `fill[b]` is where bucket b's next key goes.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn fill_buckets(
    py: Python<'_>,
    values: In1<'_, u64>,
    begin: In1<'_, i64>,
    end: In1<'_, i64>,
    owners: In1<'_, i64>,
    bits: i64,
    packed: Array1<'_, u64>,
    fill: Array1<'_, i64>,
) -> PyResult<()> {
    let keys = values.values();
    let (begin, end, owners) = (begin.values(), end.values(), owners.values());
    let p = check_bits(py, bits)?;
    check_indices(py, "owners", owners, 1usize << p.bits)?;
    let (packed, fill) = (shared(&packed, "packed")?, writable(&fill, "fill")?);
    native(py, "bucket filling", || {
        buckets::fill_buckets(keys, begin, end, owners, p, packed, fill)
    })
}

/// Sort each bucket in place on every core, keeping each key once per document and only the
/// keys that two or more documents hold: bucket b keeps `lengths[b]`.
#[pyfunction]
fn sort_buckets<'py>(
    py: Python<'py>,
    packed: Array1<'py, u64>,
    bounds: In1<'py, i64>,
    bits: i64,
) -> Out<'py, i64> {
    let bounds = bounds.values();
    let p = check_bits(py, bits)?;
    let packed = writable(&packed, "packed")?;
    check_offsets(py, "bounds", bounds, packed.len())?;
    let lengths = native(py, "bucket sorting", || {
        buckets::sort_buckets(packed, bounds, p)
    })?;
    Ok(PyArray1::from_vec(py, lengths))
}

/// For each document, how many partners `partners_in_groups` lists for it.
#[pyfunction]
fn left_work<'py>(py: Python<'py>, groups: GroupsArg<'py>, n_docs: i64) -> Out<'py, i64> {
    let groups = groups.read(py)?;
    let n_docs = check_docs(py, n_docs, groups.p)?;
    let work = native(py, "pair counting", || buckets::left_work(groups, n_docs))?;
    Ok(PyArray1::from_vec(py, work))
}

/// `n_docs`, checked: documents that the packing's bits number, and that a pair's 32 bits hold.
fn check_docs(py: Python<'_>, n_docs: i64, p: Packing) -> PyResult<usize> {
    let n_docs = check_at_least(py, "n_docs", n_docs, 0)?;
    if n_docs > 1usize << p.bits.min(32) {
        return Err(input_error(
            py,
            format!("{n_docs} documents do not fit in {} bits", p.bits.min(32)),
        ));
    }
    Ok(n_docs)
}

/// Sorted buckets read as groups of equal keys (`buckets::Groups`), as Python passes them:
/// `keys.Groups`, the tuple (packed, bounds, lengths, bits, max_group).
#[derive(FromPyObject)]
struct GroupsArg<'py>(In1<'py, u64>, In1<'py, i64>, In1<'py, i64>, i64, i64);

impl GroupsArg<'_> {
    /// The groups, their bits checked.
    fn read(&self, py: Python<'_>) -> PyResult<buckets::Groups<'_>> {
        Ok(buckets::Groups {
            packed: self.0.values(),
            bounds: self.1.values(),
            lengths: self.2.values(),
            p: check_bits(py, self.3)?,
            max_group: self.4,
        })
    }
}

/// For each bucket, how many partners `partners_in_groups` lists from it.
#[pyfunction]
fn pairs_per_bucket<'py>(py: Python<'py>, groups: GroupsArg<'py>) -> Out<'py, i64> {
    let groups = groups.read(py)?;
    let work = native(py, "pair counting", || buckets::pairs_per_bucket(groups))?;
    Ok(PyArray1::from_vec(py, work))
}

/// For each document i in [lo, hi), every larger document it shares a key with, once per
/// shared key, written to `out` from `fill[i - lo]` on (which advances past them).
#[pyfunction]
fn partners_in_groups(
    py: Python<'_>,
    groups: GroupsArg<'_>,
    lo: i64,
    hi: i64,
    fill: Array1<'_, i64>,
    out: Array1<'_, u32>,
) -> PyResult<()> {
    let groups = groups.read(py)?;
    let (lo, hi) = (
        check_at_least(py, "lo", lo, 0)?,
        check_at_least(py, "hi", hi, lo)?,
    );
    let fill = writable(&fill, "fill")?;
    if fill.len() < hi - lo {
        return Err(input_error(
            py,
            "fill must hold a place for each document".into(),
        ));
    }
    let out = shared(&out, "out")?;
    native(py, "partner listing", || {
        buckets::partners_in_groups(groups, lo, hi, fill, out)
    })
}

/// The pairs (i, j) of `partners_in_groups`, as i * 2**32 + j in order, and how many keys
/// each shares.
#[pyfunction]
fn shared_partners<'py>(
    py: Python<'py>,
    partners: Array1<'py, u32>,
    offsets: In1<'py, i64>,
    lo: i64,
    hi: i64,
) -> Pair<'py, i64, i64> {
    let offsets = offsets.values();
    let partners = writable(&partners, "partners")?;
    let (lo, hi) = (
        check_at_least(py, "lo", lo, 0)?,
        check_at_least(py, "hi", hi, lo)?,
    );
    if hi >= offsets.len() || offsets[hi] - offsets[lo] != partners.len() as i64 {
        return Err(input_error(
            py,
            "partners must be the lists of documents lo to hi".into(),
        ));
    }
    check_offsets(py, "offsets", &offsets[lo..=hi], offsets[hi] as usize)?;
    let (pairs, shared) = native(py, "pair counting", || {
        buckets::shared_partners(partners, offsets, lo, hi)
    })?;
    Ok((
        PyArray1::from_vec(py, pairs),
        PyArray1::from_vec(py, shared),
    ))
}

/// The pairs (i, j), as i * 2**32 + j in order, that share at least `min_share *
/// min(sizes[i], sizes[j])` keys of the groups, and how many each shares, by prefix filtering
/// (`prefix.rs`), about `budget` partners listed at a time.
#[pyfunction]
fn pairs_sharing_enough<'py>(
    py: Python<'py>,
    groups: GroupsArg<'py>,
    n_docs: i64,
    sizes: In1<'py, i64>,
    min_share: f64,
    budget: i64,
) -> Pair<'py, i64, i64> {
    let groups = groups.read(py)?;
    let n_docs = check_docs(py, n_docs, groups.p)?;
    // The counts made for each document are bounded by an array the caller holds.
    let sizes = sizes.values();
    if sizes.len() < n_docs {
        return Err(input_error(py, "sizes must hold one per document".into()));
    }
    if min_share.is_nan() || min_share < 0.0 {
        return Err(input_error(
            py,
            format!("min_share must be at least 0, got {min_share}"),
        ));
    }
    let budget = check_at_least(py, "budget", budget, 1)?;
    let (pairs, shared) = native(py, "pair counting", || {
        prefix::pairs_sharing_enough(groups, n_docs, sizes, min_share, budget)
    })?;
    Ok((
        PyArray1::from_vec(py, pairs),
        PyArray1::from_vec(py, shared),
    ))
}

/// Copy document d's segment `values[starts[d]:starts[d + 1]]` to `out[out_starts[d]:...]`
/// for each d in `docs`; with `splits`, each segment is two sorted runs (cut at `splits[d]`),
/// written merged.
#[pyfunction]
#[pyo3(signature = (values, starts, docs, out, out_starts, splits = None))]
fn gather_segments(
    py: Python<'_>,
    values: In1<'_, u64>,
    starts: In1<'_, i64>,
    docs: In1<'_, i64>,
    out: Array1<'_, u64>,
    out_starts: In1<'_, i64>,
    splits: Option<In1<'_, i64>>,
) -> PyResult<()> {
    let source = values.values();
    let (starts, docs) = (starts.values(), docs.values());
    let out_starts = out_starts.values();
    let splits = splits.as_ref().map(In1::values);
    let out = writable(&out, "out")?;
    check_offsets(py, "starts", starts, source.len())?;
    check_indices(py, "docs", docs, starts.len() - 1)?;
    if let Some(splits) = splits {
        check_splits(py, splits, starts)?;
    }
    native(py, "gathering", || {
        buckets::gather_segments(source, starts, splits, docs, out, out_starts)
    })
}

/// Check that `splits` holds a place within each segment that `starts` bounds.
fn check_splits(py: Python<'_>, splits: &[i64], starts: &[i64]) -> PyResult<()> {
    if splits.len() + 1 != starts.len() {
        return Err(input_error(
            py,
            format!("splits: {} for {} segments", splits.len(), starts.len() - 1),
        ));
    }
    match (0..splits.len()).find(|&d| !(starts[d]..=starts[d + 1]).contains(&splits[d])) {
        Some(d) => Err(input_error(
            py,
            format!("splits: {} is not within segment {d}", splits[d]),
        )),
        None => Ok(()),
    }
}

/// |A ∩ B| for each pair (left[i], right[i]) of documents, by merging their sorted shingles.
#[pyfunction]
fn intersection_sizes<'py>(
    py: Python<'py>,
    hashes: In1<'py, u64>,
    starts: In1<'py, i64>,
    left: In1<'py, i64>,
    right: In1<'py, i64>,
) -> Out<'py, i64> {
    let (hashes, starts) = (hashes.values(), starts.values());
    let (left, right) = (left.values(), right.values());
    check_offsets(py, "starts", starts, hashes.len())?;
    check_pairs(py, left, right, starts.len() - 1)?;
    let sizes = native(py, "intersection", || {
        buckets::intersection_sizes(hashes, starts, left, right)
    })?;
    Ok(PyArray1::from_vec(py, sizes))
}

/// The casefold table (code points, starts, pool), checked.
fn checked_fold<'a>(
    py: Python<'_>,
    code_points: &'a [u32],
    starts: &'a [i64],
    pool: &'a [u8],
) -> PyResult<unicode::Changes<'a>> {
    check_changes(py, code_points, starts, pool)?;
    Ok(unicode::Changes {
        code_points,
        starts,
        pool,
    })
}

/// The rows of `lines::line_pairs` as an n × 2 array.
fn line_pair_rows<'py>(
    py: Python<'py>,
    texts: &[&str],
    max_words: i64,
    fold: unicode::Changes,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let max_words = check_at_least(py, "max_words", max_words, 0)?;
    let pairs = native(py, "line keys", || {
        lines::line_pairs(texts, max_words, fold)
    })?;
    two_columns(py, pairs)
}

/// Pairs of values as an n × 2 array.
fn two_columns<'py, T: Element>(
    py: Python<'py>,
    pairs: Vec<[T; 2]>,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let rows = pairs.len();
    PyArray1::from_vec(py, pairs.into_flattened()).reshape([rows, 2])
}

/// (text key, line key) rows (uint64, n × 2) for the short lines (1 to `max_words` words) of
/// each distinct text: `furniture.line_pairs`. The casefold table (`code_points`, `starts`,
/// `pool`) says what `str.casefold` changes.
#[pyfunction]
fn line_pairs<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyAny>>,
    max_words: i64,
    code_points: In1<'py, u32>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let fold = checked_fold(py, code_points.values(), starts.values(), pool.values())?;
    // Lone surrogates as '?', as the keys' definition encodes them (`encode("utf-8", "replace")`).
    let owners = texts
        .into_iter()
        .map(|t| utf8_of(t, "replace"))
        .collect::<PyResult<Vec<_>>>()?;
    let utf8 = owners
        .iter()
        .map(|owner| std::str::from_utf8(bytes_of(owner)))
        .collect::<Result<Vec<&str>, _>>()
        .map_err(|e| input_error(py, format!("a text is not UTF-8: {e}")))?;
    line_pair_rows(py, &utf8, max_words, fold)
}

/// `line_pairs` of the texts `data[offsets[d]:offsets[d + 1]]` (UTF-8), read in place.
#[pyfunction]
fn line_pairs_utf8<'py>(
    py: Python<'py>,
    data: In1<'py, u8>,
    offsets: In1<'py, i64>,
    max_words: i64,
    code_points: In1<'py, u32>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let fold = checked_fold(py, code_points.values(), starts.values(), pool.values())?;
    let texts = utf8_segments(py, data.values(), offsets.values())?;
    line_pair_rows(py, &texts, max_words, fold)
}

/// The texts `data[offsets[d]:offsets[d + 1]]` (UTF-8) that Python must see before they are
/// sketched (ascending): those that may hold an HTML character reference, that NFKC's quick
/// check (`quick_check`, of `normal_bytes.quick_check_table`) does not pass, or that have a
/// line starting with one of `words` (`furniture.FIRST_WORDS`) or whose key is one of
/// `recurring` (sorted; lines of 1 to `max_words` words, with the casefold table).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn texts_for_python<'py>(
    py: Python<'py>,
    data: In1<'py, u8>,
    offsets: In1<'py, i64>,
    quick_check: In1<'py, u8>,
    words: Vec<String>,
    recurring: In1<'py, u64>,
    max_words: i64,
    code_points: In1<'py, u32>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
) -> Out<'py, i64> {
    let fold = checked_fold(py, code_points.values(), starts.values(), pool.values())?;
    let texts = utf8_segments(py, data.values(), offsets.values())?;
    let recurring = recurring.values();
    if recurring.windows(2).any(|w| w[0] > w[1]) {
        return Err(input_error(py, "recurring must be sorted".into()));
    }
    let words: Vec<Vec<u8>> = words.into_iter().map(String::into_bytes).collect();
    let screen = Screen {
        quick_check: quick_check.values(),
        words: &words,
        recurring,
        max_words: check_at_least(py, "max_words", max_words, 0)?,
        fold,
    };
    let sent = native(py, "screening", || {
        screen::texts_for_python(&texts, &screen)
    })?;
    Ok(PyArray1::from_vec(py, sent))
}

type ReadArrays<'py> = (
    i64,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyList>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray2<i64>>,
);

/// The records of a chunk of JSONL lines (uint8, whole lines) that are the simple case
/// (`jsonl::read_records`), parsed on every core: (line_count, lines, ids, data, offsets,
/// chars, left, spans). Each line that is not blank is a record: `lines[r]` is its line in
/// the chunk (from 0), `ids[r]` its id (None where Python must read it), its text
/// `data[offsets[r]:offsets[r + 1]]` (UTF-8, empty where Python reads it) of `chars[r]` code
/// points, `spans[r]` its line's bytes [start, end); `left` lists the records Python reads.
#[pyfunction]
fn read_jsonl<'py>(
    py: Python<'py>,
    chunk: In1<'py, u8>,
    id_field: &str,
    text_field: &str,
) -> PyResult<ReadArrays<'py>> {
    let chunk = chunk.values();
    let fields = jsonl::Fields {
        id: id_field,
        text: text_field,
    };
    let read = native(py, "JSONL reading", || jsonl::read_records(chunk, fields))?;
    let ids = PyList::new(py, read.ids.iter().map(Option::as_deref))?;
    Ok((
        read.line_count,
        PyArray1::from_vec(py, read.lines),
        ids,
        PyArray1::from_vec(py, read.data),
        PyArray1::from_vec(py, read.offsets),
        PyArray1::from_vec(py, read.chars),
        PyArray1::from_vec(py, read.left),
        two_columns(py, read.spans)?,
    ))
}

/// How many lines a chunk of whole JSONL lines has, and the (text key, line key) rows of
/// `line_pairs` of its records' texts, read on every core; None where a record is not the
/// simple case of `read_jsonl` (Python reads the chunk).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn jsonl_line_pairs<'py>(
    py: Python<'py>,
    chunk: In1<'py, u8>,
    id_field: &str,
    text_field: &str,
    max_words: i64,
    code_points: In1<'py, u32>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
) -> PyResult<(i64, Option<Bound<'py, PyArray2<u64>>>)> {
    let fold = checked_fold(py, code_points.values(), starts.values(), pool.values())?;
    let max_words = check_at_least(py, "max_words", max_words, 0)?;
    let (chunk, fields) = (
        chunk.values(),
        jsonl::Fields {
            id: id_field,
            text: text_field,
        },
    );
    let (line_count, pairs) = native(py, "JSONL line keys", || {
        let (line_count, texts) = jsonl::record_texts(chunk, fields);
        let pairs = texts.map(|texts| {
            let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
            lines::line_pairs(&texts, max_words, fold)
        });
        (line_count, pairs)
    })?;
    Ok((line_count, pairs.map(|p| two_columns(py, p)).transpose()?))
}

/// The records of a chunk of a JSONL file as `dedup` writes them (`kept::Scan`), for
/// `kept_lines`.
#[pyclass(frozen, module = "neardup.core.kernel")]
struct KeptScan(kept::Scan);

/// `kept::scan` of a chunk of whole JSONL lines, on every core.
#[pyfunction]
fn scan_kept(
    py: Python<'_>,
    chunk: In1<'_, u8>,
    id_field: &str,
    text_field: &str,
) -> PyResult<KeptScan> {
    let chunk = chunk.values();
    let fields = jsonl::Fields {
        id: id_field,
        text: text_field,
    };
    native(py, "JSONL scanning", || KeptScan(kept::scan(chunk, fields)))
}

/// (line count, record count, kept lines, how many, and for the records Python reads: each
/// one's record, place in the lines, lines before it, line and span in the chunk).
type KeptArrays<'py> = (
    i64,
    usize,
    Array1<'py, u8>,
    i64,
    Array1<'py, i64>,
    Array1<'py, i64>,
    Array1<'py, i64>,
    Array1<'py, i64>,
    Bound<'py, PyArray2<i64>>,
);

/// `dedup`'s kept lines of a scanned chunk (`kept::written`). The chunk's records are
/// `ids[first:]` as the first read read them, removed where `removed` says, and given a
/// `cluster_id` field where `cluster_ids` is given (negative: null). A record the scan did not
/// write, or whose id is not the one expected, is left to Python.
#[pyfunction]
#[pyo3(signature = (scan, ids, first, removed, cluster_ids=None))]
fn kept_lines<'py>(
    py: Python<'py>,
    scan: &Bound<'py, KeptScan>,
    ids: &Bound<'py, PyList>,
    first: usize,
    removed: In1<'py, bool>,
    cluster_ids: Option<In1<'py, i64>>,
) -> PyResult<KeptArrays<'py>> {
    let scan = &scan.get().0;
    let removed = removed.values();
    let cluster_ids = cluster_ids.as_ref().map(In::values);
    if removed.len() != ids.len() || cluster_ids.is_some_and(|c| c.len() != ids.len()) {
        return Err(input_error(
            py,
            "ids, removed and cluster_ids must be as long".into(),
        ));
    }
    let what: Vec<kept::Kept> = (scan.written.iter().enumerate())
        .map(|(r, line)| match (line, first + r) {
            (Some(line), index) if is_id(ids, index, &line.bytes[line.id[0]..line.id[1]]) => {
                match cluster_ids {
                    _ if removed[index] => kept::Kept::Removed,
                    None => kept::Kept::Written,
                    Some(_) if line.has_cluster_id => kept::Kept::Python,
                    Some(cluster_ids) => kept::Kept::WithCluster(cluster_ids[index]),
                }
            }
            _ => kept::Kept::Python,
        })
        .collect();
    let out = native(py, "kept lines", || kept::written(scan, &what))?;
    let left = out.left.len();
    let lines = out.left.iter().map(|&r| scan.lines[r as usize]).collect();
    let spans = out.left.iter().flat_map(|&r| scan.spans[r as usize]);
    let spans: Vec<i64> = spans.map(|at| at as i64).collect();
    Ok((
        scan.line_count,
        scan.lines.len(),
        PyArray1::from_vec(py, out.data),
        out.count,
        PyArray1::from_vec(py, out.left),
        PyArray1::from_vec(py, out.places),
        PyArray1::from_vec(py, out.before),
        PyArray1::from_vec(py, lines),
        PyArray1::from_vec(py, spans).reshape([left, 2])?,
    ))
}

/// Whether `ids[index]` is a string written as these bytes (`kept::is_written`).
fn is_id(ids: &Bound<'_, PyList>, index: usize, id: &[u8]) -> bool {
    ids.get_item(index).is_ok_and(|item| {
        (item.cast::<PyString>()).is_ok_and(|s| s.to_str().is_ok_and(|s| kept::is_written(s, id)))
    })
}

type Arrays3<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u8>>,
);

fn changes_arrays<'py>(py: Python<'py>, changes: unicode::Changes) -> Arrays3<'py> {
    (
        PyArray1::from_slice(py, changes.code_points),
        PyArray1::from_slice(py, changes.starts),
        PyArray1::from_slice(py, changes.pool),
    )
}

type Tables<'py> = (
    Arrays3<'py>,
    Bound<'py, PyArray1<i64>>,
    Arrays3<'py>,
    (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u8>>),
);

/// The tables this core ships (see `normal_bytes.built_tables`), for `UNICODE_VERSION`:
/// ((fold code points, starts, pool), spaced, (casefold code points, starts, pool),
/// (quick check code points, values)).
#[pyfunction]
fn shipped_tables(py: Python<'_>) -> Tables<'_> {
    let tables = unicode::shipped();
    (
        changes_arrays(py, tables.fold.changes()),
        PyArray1::from_slice(py, &tables.spaced),
        changes_arrays(py, tables.casefold.changes()),
        (
            PyArray1::from_slice(py, &tables.quick_check_points),
            PyArray1::from_slice(py, &tables.quick_check_values),
        ),
    )
}

/// (starts, pool): the dense table of `size` code points, each its own UTF-8 but where the
/// changes (code points ascending, starts, pool) say otherwise.
#[pyfunction]
fn dense_table<'py>(
    py: Python<'py>,
    code_points: In1<'py, u32>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
    size: i64,
) -> Pair<'py, i64, u8> {
    let (code_points, starts, pool) = (code_points.values(), starts.values(), pool.values());
    check_changes(py, code_points, starts, pool)?;
    let size = check_at_least(py, "size", size, 0)?;
    if size > 0x11_0000 {
        return Err(input_error(
            py,
            format!("there are 0x110000 code points, not {size}"),
        ));
    }
    let changes = unicode::Changes {
        code_points,
        starts,
        pool,
    };
    let (starts, pool) = native(py, "table", || unicode::dense(changes, size))?;
    Ok((PyArray1::from_vec(py, starts), PyArray1::from_vec(py, pool)))
}

/// Set the bit `m >> shift` of a Bloom filter's `bits` for every mixed hash `m`.
#[pyfunction]
fn bloom_set_bits(
    py: Python<'_>,
    bits: Array1<'_, u8>,
    mixed: In<'_, u64, Ix2>,
    shift: u32,
) -> PyResult<()> {
    let mixed = mixed.values();
    let bits = writable(&bits, "bits")?;
    if shift >= 64 || (bits.len() as u64) < (u64::MAX >> shift) / 8 + 1 {
        return Err(input_error(
            py,
            format!("a filter of {} bytes, shift {shift}", bits.len()),
        ));
    }
    native(py, "Bloom filter", || bloom::set_bits(bits, mixed, shift))
}

/// The character classes of `table` (`char_classes.char_table`), checked.
fn checked_chars<'a>(py: Python<'_>, table: &'a [u32]) -> PyResult<Chars<'a>> {
    Chars::new(table).map_err(|why| input_error(py, format!("table: {why}")))
}

/// The table of character classes this core ships (`char_classes.built_char_table`), for
/// `UNICODE_VERSION`.
#[pyfunction]
fn shipped_char_table(py: Python<'_>) -> Bound<'_, PyArray1<u32>> {
    PyArray1::from_slice(py, facts::shipped_char_table())
}

/// (pairs, starts): the fact tokens of each text (`facts.fact_tokens`) as distinct (token,
/// word after it) hash pairs in ascending order, those of text d `pairs[starts[d]:starts[d +
/// 1]]` (uint64, n × 2; int64).
#[pyfunction]
fn fact_tokens<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyAny>>,
    table: In1<'py, u32>,
) -> PyResult<(Bound<'py, PyArray2<u64>>, Array1<'py, i64>)> {
    let chars = checked_chars(py, table.values())?;
    let owners = utf8_texts(texts)?;
    let texts: Vec<&[u8]> = owners.iter().map(bytes_of).collect();
    let (pairs, starts) = native(py, "fact tokens", || {
        facts::fact_tokens_batch(&texts, &chars)
    })?;
    let rows = pairs.len() / 2;
    Ok((
        PyArray1::from_vec(py, pairs).reshape([rows, 2])?,
        PyArray1::from_vec(py, starts),
    ))
}

/// For each i, whether a fact of text `left[i]` may stand in place of one of text `right[i]`
/// (`facts.may_differ`), the fact tokens of text d being `pairs[starts[d]:starts[d + 1]]`.
#[pyfunction]
fn may_differ<'py>(
    py: Python<'py>,
    pairs: In<'py, u64, Ix2>,
    starts: In1<'py, i64>,
    left: In1<'py, i64>,
    right: In1<'py, i64>,
) -> Out<'py, bool> {
    let (starts, left, right) = (starts.values(), left.values(), right.values());
    let rows = pairs.0.shape()[0];
    if pairs.0.shape()[1] != 2 {
        return Err(input_error(py, "pairs must have two columns".into()));
    }
    let pairs = pairs.values();
    check_offsets(py, "starts", starts, rows)?;
    check_pairs(py, left, right, starts.len() - 1)?;
    let unordered = starts.windows(2).any(|w| {
        let text = &pairs[2 * w[0] as usize..2 * w[1] as usize];
        text.chunks_exact(2)
            .zip(text.chunks_exact(2).skip(1))
            .any(|(a, b)| a >= b)
    });
    if unordered {
        return Err(input_error(
            py,
            "each text's pairs must ascend, distinct".into(),
        ));
    }
    let differ = native(py, "fact tokens", || {
        facts::may_differ_batch(pairs, starts, left, right)
    })?;
    Ok(PyArray1::from_vec(py, differ))
}

/// The facts of each text prepared as `facts.prepared` prepares it: (fields, caps_text), the
/// fields of its facts in order, five a fact (kind, value, shown, before, after), in one flat
/// list (a tuple a fact would be as many more objects for Python's cycle collector to scan).
#[pyfunction]
fn text_facts<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyAny>>,
    table: In1<'py, u32>,
) -> PyResult<Bound<'py, PyList>> {
    let chars = checked_chars(py, table.values())?;
    let owners = utf8_texts(texts)?;
    let texts: Vec<&[u8]> = owners.iter().map(bytes_of).collect();
    let found = native(py, "fact reading", || {
        facts::text_facts_batch(&texts, &chars)
    })?;
    let edge = PyString::intern(py, facts::EDGE);
    let string = |s: &str| {
        if s == facts::EDGE {
            edge.clone()
        } else {
            PyString::new(py, s)
        }
    };
    let out = PyList::empty(py);
    for text in found {
        let fields = text.facts.iter().flat_map(|f| {
            [
                PyString::intern(py, f.kind.name()),
                string(&f.value),
                string(&f.shown),
                string(&f.before),
                string(&f.after),
            ]
        });
        out.append((PyList::new(py, fields)?, text.caps_text))?;
    }
    Ok(out)
}

/// The facts of each text (prepared as `facts.prepared` prepares it) read, and each pair of
/// texts (`left[i]`, `right[i]`) compared as `facts.compare_facts` compares them: (changes,
/// dated, only_numbers, fewer, found) of each pair, as arrays (int64 but the flags,
/// bool).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn compare_facts<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyAny>>,
    left: In1<'py, i64>,
    right: In1<'py, i64>,
    table: In1<'py, u32>,
) -> PyResult<(
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
)> {
    let chars = checked_chars(py, table.values())?;
    let (left, right) = (left.values(), right.values());
    check_pairs(py, left, right, texts.len())?;
    let owners = utf8_texts(texts)?;
    let texts: Vec<&[u8]> = owners.iter().map(bytes_of).collect();
    let found = native(py, "fact comparison", || {
        facts_compare::compare_texts(&texts, left, right, &chars)
    })?;
    let count = |f: fn(&facts_compare::Compared) -> usize| {
        PyArray1::from_iter(py, found.iter().map(|c| f(c) as i64))
    };
    let flag =
        |f: fn(&facts_compare::Compared) -> bool| PyArray1::from_iter(py, found.iter().map(f));
    Ok((
        count(|c| c.changes),
        flag(|c| c.dated),
        flag(|c| c.only_numbers),
        count(|c| c.fewer),
        count(|c| c.found),
    ))
}

/// The code points of a text's words joined by single spaces
/// (`charlook_reference._Side.joined`), its lone surrogates as themselves, checked: no empty
/// word, few enough for an `i32`.
fn joined_code_points(text: &Bound<'_, PyString>, name: &str) -> PyResult<Vec<u32>> {
    let code_points = code_points(text, name)?;
    let space = u32::from(b' ');
    if !code_points.is_empty() && code_points.split(|&c| c == space).any(<[u32]>::is_empty) {
        return Err(input_error(
            text.py(),
            format!("{name} must be words joined by single spaces"),
        ));
    }
    Ok(code_points)
}

/// `aligned` as the kernel reads it, checked: one value per character of its text, each a
/// character of the other text (below `other_len`) or -1.
fn checked_alignment(
    py: Python<'_>,
    name: &str,
    aligned: &[i64],
    len: usize,
    other_len: usize,
) -> PyResult<Vec<i32>> {
    if aligned.len() != len {
        return Err(input_error(
            py,
            format!(
                "{name} must hold {len} values, one per character, not {}",
                aligned.len()
            ),
        ));
    }
    match aligned
        .iter()
        .find(|&&to| to < -1 || to >= other_len as i64)
    {
        Some(to) => Err(input_error(
            py,
            format!("{name}: {to} is neither -1 nor one of {other_len} characters"),
        )),
        None => Ok(aligned.iter().map(|&to| to as i32).collect()),
    }
}

/// The scores of the character-level second look (`charlook_reference._scored`) of two texts,
/// given as their words joined by single spaces and their characters' alignment (`a_to_b[i]`:
/// the character of b aligned to character i of a, or -1): (Jaccard, containment of a in b,
/// containment of b in a), or None where numbers stand in one text where the other has other
/// numbers, more than the noise explains.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn char_look_scores(
    py: Python<'_>,
    joined_a: Bound<'_, PyString>,
    joined_b: Bound<'_, PyString>,
    a_to_b: In1<'_, i64>,
    b_to_a: In1<'_, i64>,
    ngram: i64,
    char_errors: f64,
    number_words: Vec<String>,
) -> PyResult<Option<(f64, f64, f64)>> {
    let ngram = check_at_least(py, "ngram", ngram, 1)?;
    let a = joined_code_points(&joined_a, "joined_a")?;
    let b = joined_code_points(&joined_b, "joined_b")?;
    let a_to_b = checked_alignment(py, "a_to_b", a_to_b.values(), a.len(), b.len())?;
    let b_to_a = checked_alignment(py, "b_to_a", b_to_a.values(), b.len(), a.len())?;
    let number_words = charlook::NumberWords::new(number_words.iter().map(String::as_str));
    native(py, "character look", || {
        let side = |joined: &[u32]| charlook::Side::new(joined, ngram, &number_words);
        charlook::scores(&side(&a), &side(&b), &a_to_b, &b_to_a, char_errors)
    })
}

/// The code points of a str, lone surrogates included (as rapidfuzz compares them); the
/// kernels number characters with an `i32`.
fn code_points(text: &Bound<'_, PyString>, name: &str) -> PyResult<Vec<u32>> {
    let encoded = text.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
    let bytes = encoded.cast::<PyBytes>()?.as_bytes();
    if i32::try_from(bytes.len() / 4).is_err() {
        return Err(input_error(
            text.py(),
            format!("{name} is too long: {} characters", bytes.len() / 4),
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// For each character of `a`, the position in `b` of the character the Levenshtein alignment
/// matches it with, or -1 (int64): the alignment of rapidfuzz's `Levenshtein.editops(a, b)`,
/// decision for decision (`align.rs`).
#[pyfunction]
fn char_alignment<'py>(
    py: Python<'py>,
    a: Bound<'py, PyString>,
    b: Bound<'py, PyString>,
) -> Out<'py, i64> {
    let (a, b) = (code_points(&a, "a")?, code_points(&b, "b")?);
    let a_to_b = native(py, "character alignment", || align::aligned(&a, &b))?;
    Ok(PyArray1::from_iter(py, a_to_b.into_iter().map(i64::from)))
}

/// The character-level second look at pairs of texts (`charlook.second_look`): for each pair
/// `(texts[left[p]], texts[right[p]])`, texts through `normal_bytes.before_table` already,
/// (scores, looked): scores (pairs × 3: Jaccard, containment of the left text in the right,
/// of the right in the left) and looked False where numbers stand in one text where the other
/// has other numbers, more than the noise explains (`charlook.char_scores` is None: scores 0).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn char_look_pairs<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyAny>>,
    left: In1<'py, i64>,
    right: In1<'py, i64>,
    starts: In1<'py, i64>,
    pool: In1<'py, u8>,
    spaced: In1<'py, i64>,
    ngram: i64,
    char_errors: f64,
    number_words: Vec<String>,
) -> Scored<'py> {
    let ngram = check_at_least(py, "ngram", ngram, 1)?;
    let table = checked_table(py, starts.values(), pool.values(), spaced.values())?;
    let (left, right) = (left.values(), right.values());
    check_pairs(py, left, right, texts.len())?;
    let owners = utf8_texts(texts)?;
    let texts: Vec<&[u8]> = owners.iter().map(bytes_of).collect();
    // The kernels number characters with an `i32`; a text has at most as many as bytes.
    if let Some(long) = texts.iter().find(|t| i32::try_from(t.len()).is_err()) {
        return Err(input_error(
            py,
            format!("a text is too long: {} bytes", long.len()),
        ));
    }
    let number_words = charlook::NumberWords::new(number_words.iter().map(String::as_str));
    let folder = Folder::new(&table);
    let look = second_look::Look {
        folder: &folder,
        number_words: &number_words,
        ngram,
        char_errors,
    };
    let index = |values: &[i64]| values.iter().map(|&d| d as usize).collect::<Vec<_>>();
    let found = native(py, "character look", || {
        second_look::look_pairs(&texts, &index(left), &index(right), &look)
    })?;
    let looked: Vec<bool> = found.iter().map(Option::is_some).collect();
    let scores: Vec<f64> = found
        .iter()
        .flat_map(|s| {
            let (j, a, b) = s.unwrap_or_default();
            [j, a, b]
        })
        .collect();
    Ok((
        PyArray1::from_vec(py, scores).reshape([looked.len(), 3])?,
        PyArray1::from_vec(py, looked),
    ))
}

#[pymodule]
fn kernel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // A panic is reported as the exception `native` raises, not printed as well.
    std::panic::set_hook(Box::new(|_| {}));
    m.add("EMPTY_KEY", sketch::EMPTY_KEY)?;
    m.add("UNICODE_VERSION", unicode::UNICODE_VERSION)?;
    m.add_function(wrap_pyfunction!(shipped_tables, m)?)?;
    m.add_function(wrap_pyfunction!(dense_table, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_utf8, m)?)?;
    m.add_function(wrap_pyfunction!(first_token_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(sketch_texts, m)?)?;
    m.add_function(wrap_pyfunction!(sketch_utf8, m)?)?;
    m.add_function(wrap_pyfunction!(minhash, m)?)?;
    m.add_function(wrap_pyfunction!(band_keys, m)?)?;
    m.add_function(wrap_pyfunction!(count_buckets, m)?)?;
    m.add_function(wrap_pyfunction!(fill_buckets, m)?)?;
    m.add_function(wrap_pyfunction!(sort_buckets, m)?)?;
    m.add_function(wrap_pyfunction!(left_work, m)?)?;
    m.add_function(wrap_pyfunction!(pairs_per_bucket, m)?)?;
    m.add_function(wrap_pyfunction!(partners_in_groups, m)?)?;
    m.add_function(wrap_pyfunction!(shared_partners, m)?)?;
    m.add_function(wrap_pyfunction!(jsonl_line_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(pairs_sharing_enough, m)?)?;
    m.add_function(wrap_pyfunction!(gather_segments, m)?)?;
    m.add_function(wrap_pyfunction!(intersection_sizes, m)?)?;
    m.add_function(wrap_pyfunction!(line_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(line_pairs_utf8, m)?)?;
    m.add_function(wrap_pyfunction!(texts_for_python, m)?)?;
    m.add_function(wrap_pyfunction!(read_jsonl, m)?)?;
    m.add_class::<KeptScan>()?;
    m.add_function(wrap_pyfunction!(scan_kept, m)?)?;
    m.add_function(wrap_pyfunction!(kept_lines, m)?)?;
    m.add_function(wrap_pyfunction!(bloom_set_bits, m)?)?;
    m.add_function(wrap_pyfunction!(shipped_char_table, m)?)?;
    m.add_function(wrap_pyfunction!(fact_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(may_differ, m)?)?;
    m.add_function(wrap_pyfunction!(text_facts, m)?)?;
    m.add_function(wrap_pyfunction!(compare_facts, m)?)?;
    m.add_function(wrap_pyfunction!(char_look_scores, m)?)?;
    m.add_function(wrap_pyfunction!(char_alignment, m)?)?;
    m.add_function(wrap_pyfunction!(char_look_pairs, m)?)?;
    Ok(())
}
