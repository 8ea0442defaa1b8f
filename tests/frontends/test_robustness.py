"""Regressions found in review: no traceback, no overwritten output, no lone surrogate written."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEEDS
from conftest import neardup as neardup_cli

import neardup


def _one_line_error(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_outputs_named_twice_are_refused(tmp_path: Path) -> None:
    run = neardup_cli("dedup", SEEDS, "-o", "s.jsonl", "--pairs", "s.jsonl", cwd=tmp_path)
    _one_line_error(run, "named twice")


def test_output_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    run = neardup_cli("find", SEEDS, "-o", "f/sub/p.jsonl", cwd=tmp_path)
    _one_line_error(run, "cannot be written")


def test_unreadable_and_deeply_nested_input(tmp_path: Path) -> None:
    (tmp_path / "folder.jsonl").mkdir()
    _one_line_error(
        neardup_cli("find", "folder.jsonl/", "-o", "p.jsonl", cwd=tmp_path),
        "folder.jsonl: the folder holds no files matching *.txt\n",
    )
    (tmp_path / "deep.jsonl").write_text("[" * 100_000 + "\n")
    _one_line_error(
        neardup_cli("find", "deep.jsonl", "-o", "p.jsonl", cwd=tmp_path),
        "deep.jsonl:1: malformed JSON",
    )
    (tmp_path / "extra.csv").write_text("id,text\na,one,two\n")
    _one_line_error(
        neardup_cli("find", "extra.csv", "-o", "p.jsonl", cwd=tmp_path),
        "more values than the header",
    )


def test_invalid_utf8_is_written_repaired(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_bytes(b'{"id": "a\xff", "text": "caf\xe9 au lait"}\n')
    for name in ("k.jsonl", "k.parquet"):
        run = neardup_cli("dedup", "in.jsonl", "-o", name, "--pairs", "p.parquet", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    line = (tmp_path / "k.jsonl").read_text(encoding="utf-8")
    assert "\\udc" not in line and json.loads(line)["text"] == "caf\ufffd au lait"


def test_report_is_byte_identical_between_runs(tmp_path: Path) -> None:
    pages = []
    for n in (1, 2):
        run = neardup_cli(
            "find", SEEDS, "-o", f"p{n}.jsonl", "--report", f"r{n}.html", cwd=tmp_path
        )
        assert run.returncode == 0, run.stderr
        pages.append((tmp_path / f"r{n}.html").read_bytes())
    assert pages[0] == pages[1]


def test_furniture_only_texts_agree_between_compare_and_find() -> None:
    text = "Advertisement\nYour browser doesn't support HTML5"
    docs = [{"id": "a", "text": text}, {"id": "b", "text": text}]
    assert neardup.compare(text, text).relation == "exact"
    assert [p.relation for p in neardup.find_pairs(docs)] == ["exact"]


def test_pandas_missing_values_and_cluster_ids() -> None:
    pd = pytest.importorskip("pandas")
    story = "the river rose overnight and the town council closed the old bridge to traffic"
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "text": [story, story + " until friday", float("nan")],
            "date": [pd.Timestamp("2024-01-01"), pd.NaT, pd.Timestamp("2024-02-01")],
        }
    )
    kept = neardup.deduplicate(frame, keep="newest", date_field="date", add_cluster_id=True).kept
    assert kept["id"].tolist() == [1, 3]  # the dated copy is kept; NaN text is an empty document
    assert kept["cluster_id"].tolist()[0] == 0 and pd.isna(kept["cluster_id"].tolist()[1])
    with pytest.raises(neardup.InputError, match="no document has a date in the field 'nope'"):
        neardup.deduplicate(frame, keep="newest", date_field="nope")


def test_alignment_of_long_unrelated_texts_does_not_hang() -> None:
    a = " ".join(f"Alpha sentence number {i} talks about apples." for i in range(700))
    b = " ".join(f"Beta line {i} mentions quite other things." for i in range(700))
    started = time.perf_counter()
    ops = {s.op for s in neardup.compare(a, b).alignment}
    assert ops == {"removed", "added"}
    assert time.perf_counter() - started < 60  # generous: unbounded, it took minutes


STORY = "the river rose overnight and the town council closed the old bridge to all traffic"


def _without_root_override(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`neardup` in a process that file permissions bind. Tests run as root, whom a chmod 000
    does not stop: as root, the process runs without the capabilities that override them."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
        if shutil.which("setpriv") is None or subprocess.run([*prefix, "true"]).returncode:
            pytest.skip("as root, needs setpriv (util-linux) and CAP_SETPCAP to drop overrides")
    command = [*prefix, sys.executable, "-m", "neardup", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.mark.parametrize("unreadable", ["texts/locked", "texts/b.txt"])
def test_an_unreadable_subfolder_or_file_is_an_error_naming_it(
    tmp_path: Path, unreadable: str
) -> None:
    (tmp_path / "texts" / "locked").mkdir(parents=True)
    (tmp_path / "texts" / "locked" / "c.txt").write_text(STORY)
    for name in ("a.txt", "b.txt"):
        (tmp_path / "texts" / name).write_text(STORY)
    (tmp_path / unreadable).chmod(0)
    try:
        run = _without_root_override("dedup", "texts", "-o", "kept.jsonl", cwd=tmp_path)
    finally:
        (tmp_path / unreadable).chmod(0o755)
    assert (run.returncode, run.stderr) == (
        2,
        f"neardup: error: {unreadable}: cannot be read (Permission denied)\n",
    )
    assert not (tmp_path / "kept.jsonl").exists()


def test_files_a_folder_holds_that_are_not_read_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(STORY)
    (texts / "B.TXT").write_text(STORY + " until friday")
    (texts / "bad.txt").write_bytes(b"caf\xe9 au lait")
    for name in ("a.md", "b.html", "c"):
        (texts / name).write_text(STORY)
    (texts / "gone.txt").symlink_to(texts / "missing.txt")
    notices = (
        "neardup: skipped 3 files in texts/ that do not match *.txt: a.md, b.html, c "
        "(use --glob to read them)\n"
        "neardup: skipped 1 entry in texts/ that is not a file: gone.txt (a dangling link)\n"
    )
    for quiet in ((), ("--quiet",)):
        run = neardup_cli("dedup", "texts", "-o", "kept.jsonl", *quiet, cwd=tmp_path)
        assert (run.returncode, run.stderr) == (0, notices)
    kept = [json.loads(line)["id"] for line in (tmp_path / "kept.jsonl").open()]
    assert kept == ["B.TXT", "bad.txt"]
    run = neardup_cli("find", "texts", "-o", "pairs.jsonl", "--report", "r.html", cwd=tmp_path)
    assert run.stderr == notices
    assert run.stdout.splitlines()[:2] == [
        "documents read: 3",
        "1 document had invalid UTF-8, replaced by U+FFFD: bad.txt",
    ]
    report = (tmp_path / "r.html").read_text()
    assert "1 document had invalid UTF-8, replaced by U+FFFD: bad.txt." in report
    monkeypatch.chdir(tmp_path)
    summary = neardup.deduplicate_files(["texts"], "k.jsonl", glob="*")
    assert summary.documents == 6 and summary.invalid_utf8_ids == ["bad.txt"]
    # With every file read, b.html is a web page: its few words are no article to trafilatura.
    assert summary.skipped == [
        "skipped 1 entry in texts/ that is not a file: gone.txt (a dangling link)",
        "1 page in texts/ has no article text, read as an empty document (kept, never matched): "
        "b.html",
    ]


def test_glob_reads_folders_of_extensionless_files(tmp_path: Path) -> None:
    """20 Newsgroups: a post a file without an extension (alt.atheism/49960)."""
    for name in ("alt.atheism/49960", "alt.atheism/51060", "sci.space/59497"):
        (tmp_path / "news" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "news" / name).write_text(STORY)
    run = neardup_cli("dedup", "news", "-o", "kept.jsonl", cwd=tmp_path)
    assert (run.returncode, run.stderr) == (
        2,
        "neardup: error: news: the folder holds no files matching *.txt (it holds 3 other "
        "files: alt.atheism/49960, alt.atheism/51060, sci.space/59497; use --glob to read them)\n",
    )
    run = neardup_cli("dedup", "news", "-o", "kept.jsonl", "--glob", "*", "-q", cwd=tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    kept = [json.loads(line)["id"] for line in (tmp_path / "kept.jsonl").open()]
    assert kept == ["alt.atheism/49960"]
    assert neardup_cli("index", "create", "news.ndx", cwd=tmp_path).returncode == 0
    run = neardup_cli("index", "add", "news.ndx", "news", "--glob", "4*", cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (
        0,
        "added 1; documents in the index: 1\n",
        "neardup: skipped 2 files in news/ that do not match 4*: alt.atheism/51060, "
        "sci.space/59497 (use --glob to read them)\n",
    )


def test_an_unclosed_csv_quote_is_an_error_and_nothing_is_written(tmp_path: Path) -> None:
    """The issue's file: row `b` was swallowed by the quoted field of row `a`, with exit 0."""
    (tmp_path / "broken.csv").write_text('id,text\n"a","unterminated quote\nb,hello\n')
    run = neardup_cli("dedup", "broken.csv", "-o", "o.jsonl", cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (
        2,
        "",
        "neardup: error: broken.csv:2: malformed CSV (a quoted field starts here and never ends)\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.csv"]


def _waits_on_a_pipe(pid: int) -> bool:
    """Whether a thread of the process waits in the kernel for a pipe's other end to open."""
    for wchan in Path(f"/proc/{pid}/task").glob("*/wchan"):
        with contextlib.suppress(OSError):
            if wchan.read_text() == "wait_for_partner":
                return True
    return False


def test_sigterm_in_the_write_phase_leaves_every_output_as_it_was(tmp_path: Path) -> None:
    """Killed after writing the pairs and clusters, before the kept records: no output is
    changed, and no temporary file is left. The kept records' temporary file is made a pipe
    that nobody reads, so that the run waits there until the signal comes."""
    rows = [("a", STORY), ("b", STORY + " until friday"), ("c", "another story")]
    (tmp_path / "in.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows)
    )
    (tmp_path / "kept.jsonl").write_text("from an earlier run\n")
    os.mkfifo(tmp_path / ".kept.jsonl.partial")
    command = [
        "dedup",
        "in.jsonl",
        "-o",
        "kept.jsonl",
        "--pairs",
        "p.jsonl",
        "--clusters",
        "c.jsonl",
    ]
    run = subprocess.Popen(
        [sys.executable, "-m", "neardup", *command],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while run.poll() is None and not _waits_on_a_pipe(run.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=600)
    assert (run.returncode, stdout, stderr) == (130, "", "\nneardup: interrupted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "kept.jsonl"]
    assert (tmp_path / "kept.jsonl").read_text() == "from an earlier run\n"


def test_an_output_that_cannot_be_written_leaves_the_others_unwritten(tmp_path: Path) -> None:
    """The report is written last; the kept records, pairs and clusters before it wait for it."""
    (tmp_path / "f").write_text("")
    outputs = ["-o", "kept.jsonl", "--pairs", "p.jsonl", "--clusters", "c.parquet"]
    run = neardup_cli("dedup", SEEDS, *outputs, "--report", "f/sub/r.html", cwd=tmp_path)
    assert (run.returncode, run.stderr) == (
        2,
        "neardup: error: f/sub/r.html: cannot be written (Not a directory)\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]
