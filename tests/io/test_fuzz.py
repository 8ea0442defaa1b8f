"""Fuzzing, bounded in time: random and damaged inputs through the CLI and the Python API.

Inputs are generated records written as JSONL, .jsonl.gz, CSV, Parquet and folders of text
files, then damaged byte by byte (`fuzz_strategies.py` says how). Every outcome must be a result
or a one-line neardup error: for the CLI, exit 0 with valid outputs, or exit 2 with exactly one
line `neardup: error: …` on stderr and no traceback; for the API, a value or a
`neardup.NeardupError`, never another exception. An output that existed is never half replaced:
after a failed run every output file is byte for byte what it was, after a successful run each
is a complete, valid file, and no temporary file is left in the output folder.

CI runs the same examples every time (derandomized, not shrunk: about two minutes on 2 cores);
the `@example`s are minimal reproducers of what the fuzzers found. For a longer hunt,
`NEARDUP_FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest tests/io/test_fuzz.py` runs at least that
many random examples per test and shrinks a failure; hypothesis then prints its
`@reproduce_failure` line and keeps it in `.hypothesis/` to try first next time.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import neardup as neardup_cli
from fuzz_strategies import (
    Input,
    InputFile,
    api_options,
    csv_bytes,
    html_file,
    inputs,
    matching_flags,
    mostly,
    parquet_bytes,
    records,
    sound_records,
    text_file,
    texts,
    warc_file,
)
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

import neardup
import neardup.io.read

T = TypeVar("T")

LONGER = int(os.environ.get("NEARDUP_FUZZ_EXAMPLES", "0"))
ERROR_PREFIX = "neardup: error: "
RELATIONS = {"exact", "near-duplicate", "contains", "rewrite", "overlap"}
PAIR_FIELDS = [
    "id_a",
    "id_b",
    "relation",
    "jaccard",
    "containment_a_in_b",
    "containment_b_in_a",
    "differs_only_in",
]
CLUSTER_FIELDS = [
    "id",
    "cluster_id",
    "representative_id",
    "is_representative",
    "relation",
    "similarity",
]
BEFORE = b'{"written": "before this run"}\n'
OUTPUT_KINDS = (".jsonl", ".jsonl.gz", ".parquet")


def fuzz(examples: int) -> settings:
    """`examples` examples, the same in every CI run and not shrunk (a failure stops the test at
    once, within the time `make test` has), or NEARDUP_FUZZ_EXAMPLES random ones, shrunk, when
    that is more."""
    same_every_run = {
        "derandomize": True,
        "database": None,
        "phases": (Phase.explicit, Phase.generate),
    }
    return settings(
        max_examples=max(examples, LONGER),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=bool(LONGER),
        **({} if LONGER else same_every_run),
    )


# -- running and checking ---------------------------------------------------------------------


@contextmanager
def workspace(files: list[Input]) -> Iterator[tuple[Path, list[Path]]]:
    """A fresh folder with the inputs written under `in/` and an empty `out/` for outputs."""
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "in").mkdir()
        (root / "out").mkdir()
        yield root, [f.write(root / "in") for f in files]


def prepare_outputs(out: Path, names: list[str], existing: list[bool]) -> dict[str, bytes]:
    """Pre-create some outputs with known content; the folder's files as they are now."""
    for name, exists in zip(names, existing, strict=False):
        if exists:
            (out / name).write_bytes(BEFORE)
    return files_in(out)


def files_in(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def check_outputs_whole(out: Path, before: dict[str, bytes], written: list[str], ok: bool) -> None:
    """After a failure the output folder is as it was; after a success it holds the outputs
    and the files it held, nothing half written beside them."""
    after = files_in(out)
    if ok:
        assert sorted(after) == sorted({*before, *written})
    else:
        assert after == before


def succeeded(run: subprocess.CompletedProcess[str]) -> bool:
    """Whether the command succeeded; if not, it failed with one line naming the error."""
    assert "Traceback" not in run.stderr, run.stderr
    if run.returncode == 0:
        return True
    assert run.returncode == 2, run.stderr
    line, end, rest = run.stderr.partition("\n")
    assert end == "\n" and rest == "", f"not one line: {run.stderr!r}"
    assert line.startswith(ERROR_PREFIX) and line[len(ERROR_PREFIX) :].strip(), line
    return False


def returned(call: Callable[[], T]) -> T | None:
    """What the call returns, or None when it raises a neardup error of one line (any other
    exception fails the test)."""
    try:
        return call()
    except neardup.NeardupError as error:
        message = str(error)
        assert message.strip() and "\n" not in message and "\r" not in message, repr(message)
        return None


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Every row of a complete output file (a truncated or malformed one fails)."""
    if path.name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    assert data == b"" or data.endswith(b"\n"), data[-80:]
    rows = [json.loads(line) for line in data.split(b"\n")[:-1]]
    assert all(isinstance(row, dict) for row in rows)
    return rows


def check_pairs(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        assert list(row) == PAIR_FIELDS
        assert row["relation"] in RELATIONS and row["id_a"] != row["id_b"]
        scores = [row["jaccard"], row["containment_a_in_b"], row["containment_b_in_a"]]
        assert all(0 <= score <= 1 for score in scores), row


def check_clusters(rows: list[dict[str, Any]], kept_ids: set[str] | None) -> None:
    """Each cluster has one representative, which is kept; the other members are not."""
    representatives: dict[int, str] = {}
    for row in rows:
        assert list(row) == CLUSTER_FIELDS
        if row["is_representative"]:
            assert (
                row["cluster_id"] not in representatives and row["id"] == row["representative_id"]
            )
            representatives[row["cluster_id"]] = row["id"]
    for row in rows:
        assert representatives[row["cluster_id"]] == row["representative_id"]
        if kept_ids is not None:
            assert (row["id"] in kept_ids) == row["is_representative"], row


def check_report(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def check_dedup_outputs(out: Path, kept: str, pairs: str, clusters: str) -> None:
    check_pairs(read_rows(out / pairs))
    check_clusters(read_rows(out / clusters), {str(row.get("id")) for row in read_rows(out / kept)})


# -- the CLI ---------------------------------------------------------------------------------

output_names = st.tuples(*[st.sampled_from(OUTPUT_KINDS)] * 3).map(
    lambda kinds: [
        f"{stem}{kind}" for stem, kind in zip(("kept", "pairs", "clusters"), kinds, strict=True)
    ]
)
existing = st.lists(st.booleans(), min_size=4, max_size=4)
keep_flags = st.sampled_from(
    ([], ["--keep", "first"], ["--keep", "newest", "--date-field", "date"], ["--cluster-id"])
)
globs = st.sampled_from(("*.txt", "*"))

#: Regressions the fuzzers found, tried first (the issue's list of them says what each was).
GZIP_DAMAGED = gzip.compress(b'{"id": "a", "text": "hello world"}\n', mtime=0)
GZIP_DAMAGED = GZIP_DAMAGED[:10] + bytes([GZIP_DAMAGED[10] ^ 1]) + GZIP_DAMAGED[11:]
EMPTY_OBJECT_FIELD = InputFile("in0.jsonl", b'{"id": "a", "text": "hello world", "source": {}}\n')
HELLO = InputFile("in0.jsonl", b'{"id": "a", "text": "hello world"}\n')
HELLO_PARQUET = parquet_bytes([{"id": "a", "text": "hello world"}])
#: The last byte of the footer before its length and magic number cut out.
FOOTER_CUT = InputFile("in0.parquet", HELLO_PARQUET[:-9] + HELLO_PARQUET[-8:])


@fuzz(20)
@given(inputs(), output_names, existing, keep_flags, st.booleans(), globs, matching_flags)
@example(
    files=[EMPTY_OBJECT_FIELD],
    names=["kept.parquet", "pairs.jsonl", "clusters.jsonl"],
    exists=[True] * 4,
    keep=[],
    report=False,
    glob="*.txt",
    flags=[],
)
def test_cli_dedup(
    files: list[Input],
    names: list[str],
    exists: list[bool],
    keep: list[str],
    report: bool,
    glob: str,
    flags: list[str],
) -> None:
    kept, pairs, clusters = names
    written = [*names, "report.html"] if report else names
    with workspace(files) as (root, paths):
        before = prepare_outputs(root / "out", written, exists)
        run = neardup_cli(
            "dedup",
            *paths,
            *("-o", f"out/{kept}", "--pairs", f"out/{pairs}", "--clusters", f"out/{clusters}"),
            *(["--report", "out/report.html"] if report else []),
            *keep,
            *("--glob", glob),
            *flags,
            cwd=root,
        )
        ok = succeeded(run)
        check_outputs_whole(root / "out", before, written, ok)
        if ok:
            check_dedup_outputs(root / "out", kept, pairs, clusters)
            if report:
                check_report(root / "out/report.html")


@fuzz(20)
@given(
    inputs(),
    st.sampled_from(OUTPUT_KINDS),
    existing,
    st.booleans(),
    st.booleans(),
    globs,
    matching_flags,
)
@example(
    files=[InputFile("in0.jsonl.gz", GZIP_DAMAGED)],
    kind=".jsonl",
    exists=[True] * 4,
    report=False,
    overlap=False,
    glob="*.txt",
    flags=[],
)
def test_cli_find(
    files: list[Input],
    kind: str,
    exists: list[bool],
    report: bool,
    overlap: bool,
    glob: str,
    flags: list[str],
) -> None:
    written = [f"pairs{kind}", *(["report.html"] if report else [])]
    with workspace(files) as (root, paths):
        before = prepare_outputs(root / "out", written, exists)
        run = neardup_cli(
            "find",
            *paths,
            *("-o", f"out/pairs{kind}"),
            *(["--report", "out/report.html"] if report else []),
            *(["--overlap"] if overlap else []),
            *("--glob", glob),
            *flags,
            cwd=root,
        )
        ok = succeeded(run)
        check_outputs_whole(root / "out", before, written, ok)
        if ok:
            check_pairs(read_rows(root / "out" / written[0]))
            if report:
                check_report(root / "out/report.html")


compare_flags = st.lists(st.sampled_from(("--json", "--brief")), unique=True)
#: What `compare` is given in place of a text file, now and then: a folder, a missing file.
not_a_file = mostly(st.none(), st.sampled_from(("in", "in/missing.txt")), 5)


@fuzz(15)
@given(text_file("a.txt"), text_file("b.txt"), not_a_file, compare_flags, matching_flags)
def test_cli_compare(
    a: Input, b: Input, instead: str | None, flags: list[str], matching: list[str]
) -> None:
    with workspace([a, b]) as (root, paths):
        if instead is not None:
            paths[0] = root / instead
        run = neardup_cli("compare", *paths, *flags, *matching, cwd=root)
        if succeeded(run) and "--json" in flags:
            result = json.loads(run.stdout)
            assert 0 <= result["jaccard"] <= 1 and isinstance(result["relation"], str)
        elif run.returncode == 0:
            assert run.stdout.startswith("relation: ")


#: Text for `--text`: a command line holds no NUL and no lone surrogate.
argv_texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))


@fuzz(15)
@given(
    inputs(),
    inputs(prefix="query"),
    st.one_of(st.none(), argv_texts),
    st.integers(1, 3),
    st.booleans(),
    globs,
)
def test_cli_index_add_and_query(
    added: list[Input], queried: list[Input], text: str | None, k: int, overlap: bool, glob: str
) -> None:
    with workspace([*added, *queried]) as (root, paths):
        index = root / "out" / "news.ndx"
        with neardup.Index(index, min_words=3) as created:
            created.add([{"id": "indexed", "text": "the council closed the old bridge"}])
        before = files_in(root / "out")
        add = neardup_cli(
            "index", "add", "out/news.ndx", *paths[: len(added)], "--glob", glob, cwd=root
        )
        ok = succeeded(add)
        assert sorted(files_in(root / "out")) == ["news.ndx"]  # nor -wal, -shm left behind
        if not ok:  # inputs of fewer than --batch (10,000) records are one transaction
            assert files_in(root / "out") == before
        query = neardup_cli(
            "index",
            "query",
            "out/news.ndx",
            *paths[len(added) :],
            *([] if text is None else [f"--text={text}"]),
            *(["--overlap"] if overlap else []),
            *("-k", k, "--glob", glob),
            cwd=root,
        )
        if succeeded(query):
            for line in query.stdout.splitlines():
                match = json.loads(line)
                assert isinstance(match["query_id"], str) and match["relation"] in RELATIONS


# -- the Python API ---------------------------------------------------------------------------


def as_container(rows: list[Any], kind: str) -> Any:
    """The records as a list, a one-pass iterator, a pyarrow Table or a pandas DataFrame (a list
    where the rows do not make a table)."""
    if kind == "iterator":
        return iter(rows)
    if not all(isinstance(row, dict) for row in rows):
        return rows
    if kind == "arrow":
        try:
            return pa.Table.from_pylist(rows)
        except (pa.ArrowException, TypeError, ValueError, OverflowError, UnicodeError):
            return rows
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(rows)
    return rows


containers = st.sampled_from(("list", "iterator", "arrow", "pandas"))
LINE_BREAK_ID = [{"id": "a\nb", "text": "x"}, {"id": "a\nb", "text": "y"}]


@fuzz(100)
@given(records(), containers, api_options)
@example(rows=LINE_BREAK_ID, kind="list", options={})
def test_api_deduplicate_and_find_pairs(rows: list[Any], kind: str, options: dict) -> None:
    result = returned(lambda: neardup.deduplicate(as_container(rows, kind), **options))
    pairs = returned(lambda: neardup.find_pairs(as_container(rows, kind), **options))
    assert (result is None) == (pairs is None)
    if result is None or pairs is None:
        return
    assert result.pairs == pairs
    check_pairs([pair.to_dict() for pair in pairs])
    check_clusters([member.to_dict() for member in result.clusters], None)
    summary = result.summary
    assert summary.documents == len(rows) == summary.kept + summary.removed
    assert len(result.kept) == summary.kept
    assert summary.removed == sum(not m.is_representative for m in result.clusters)
    if isinstance(result.kept, list):
        assert all(any(k is row for row in rows) for k in result.kept)


@fuzz(150)
@given(texts, texts, st.booleans(), api_options)
def test_api_compare(a: str, b: str, explain: bool, options: dict) -> None:
    result = returned(lambda: neardup.compare(a, b, explain=explain, **options))
    if result is not None:
        assert isinstance(result.relation, str)
        scores = [result.jaccard, result.containment_a_in_b, result.containment_b_in_a]
        assert all(0 <= score <= 1 for score in scores)


def api_files_example(files: list[Input], kept: str = "kept.jsonl") -> Any:
    """An explicit example of `test_api_files`: these inputs, the kept records to `kept`."""
    return example(
        files=files,
        names=[kept, "pairs.jsonl", "clusters.jsonl"],
        exists=[True] * 4,
        report=False,
        keep="longest",
        against=False,
        glob="*.txt",
        options={},
    )


@fuzz(60)
@given(
    inputs(),
    output_names,
    existing,
    st.booleans(),
    st.sampled_from(("longest", "first")),
    st.booleans(),
    globs,
    api_options,
)
@api_files_example([HELLO], kept="kept.jsonl.gz")
@api_files_example([FOOTER_CUT])
def test_api_files(
    files: list[Input],
    names: list[str],
    exists: list[bool],
    report: bool,
    keep: str,
    against: bool,
    glob: str,
    options: dict,
) -> None:
    kept, pairs, clusters = names
    written = [*names, "report.html"] if report else names
    with workspace(files) as (root, paths):
        out = root / "out"
        index = root / "in" / "news.ndx"
        if against:
            returned(lambda: neardup.Index(index, **options).close())
        before = prepare_outputs(out, written, exists)
        summary = returned(
            lambda: neardup.deduplicate_files(
                paths,
                out / kept,
                pairs=out / pairs,
                clusters=out / clusters,
                keep=keep,
                glob=glob,
                report=out / "report.html" if report else None,
                against=index if against else None,
                **options,
            )
        )
        check_outputs_whole(out, before, written, summary is not None)
        if summary is None:
            return
        check_dedup_outputs(out, kept, pairs, clusters)
        assert len(read_rows(out / kept)) == summary.kept
        assert summary.documents == summary.kept + summary.removed
        found = returned(lambda: neardup.find_files(paths, out / pairs, glob=glob, **options))
        assert found is not None  # the inputs were read once: they are readable
        check_pairs(read_rows(out / pairs))


@fuzz(60)
@given(
    st.lists(records(max_size=4), min_size=1, max_size=3),
    st.lists(texts, max_size=3),
    st.integers(-1, 3),
    api_options,
    api_options,
)
def test_api_index(
    batches: list[list[Any]], queries: list[str], k: int, options: dict, reopened: dict
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "news.ndx"
        index = returned(lambda: neardup.Index(path, **options))
        if index is None:
            return
        with index:
            count = len(index)
            if returned(lambda: index.add(batches[0])) is None:
                assert len(index) == count
            # The README shows add_batches with lists of records as dicts.
            returned(lambda: index.add_batches(batches[1:]))
            for text in queries:
                matches = returned(lambda text=text: index.query(text, k))
                assert matches is None or len(matches) <= k
            ids = [str(row.get("id")) for row in batches[0] if isinstance(row, dict)]
            returned(lambda: index.remove(ids))
            assert index.stats().documents == len(index)
        again = returned(lambda: neardup.Index(path, **reopened))
        if again is not None:
            again.close()


UNCLOSED_QUOTE = "malformed CSV (a quoted field starts here and never ends)"


@fuzz(100)
@given(sound_records, st.sampled_from(("\r\n", "\n")), st.data())
def test_api_unclosed_csv_quote_names_its_line(
    rows: list[dict[str, str]], line_end: str, data: st.DataObject
) -> None:
    """A quote that opens a field and is never closed would swallow the rest of the file: it
    is an error naming the file and the line where that field starts (issue 14, item 6)."""
    sound = csv_bytes(rows, line_end)
    closed = sound.rfind(b'"') + 1  # every field after the last quote is unquoted
    starts = [at + 1 for at in range(closed, len(sound)) if sound[at] in b",\n"]
    at = data.draw(st.sampled_from(starts or [0]))
    with workspace([InputFile("in0.csv", sound[:at] + b'"' + sound[at:])]) as (root, paths):
        line = len(re.split(rb"\r\n|\r|\n", sound[:at]))
        with pytest.raises(neardup.InputError) as raised:
            neardup.find_files(paths, root / "out" / "pairs.jsonl")
        assert str(raised.value) == f"{paths[0]}:{line}: {UNCLOSED_QUOTE}"
        assert files_in(root / "out") == {}


@fuzz(40)
@given(st.data(), records(), st.sampled_from((html_file, warc_file)), st.booleans())
def test_api_pages(data: st.DataObject, rows: list[Any], kind: Any, skip: bool) -> None:
    """Random, broken and truncated HTML pages and WARC files (headers, gzip members): read into
    documents, or a one-line error; with skip_bad_records, a damaged WARC file is no error."""
    rows = [row for row in rows if isinstance(row, dict)]
    with workspace([data.draw(kind("in0", rows))]) as (root, paths):
        reader = neardup.io.read.RecordReader("id", "text", skip_bad_records=skip)
        read = returned(lambda: list(neardup.io.read.read_paths(paths, reader)))
        if read is not None:
            assert all(isinstance(record.text, str) for record in read)
        found = returned(
            lambda: neardup.find_files(paths, root / "out" / "pairs.jsonl", skip_bad_records=skip)
        )
        if found is not None:
            check_pairs(read_rows(root / "out" / "pairs.jsonl"))
