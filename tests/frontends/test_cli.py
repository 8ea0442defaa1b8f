"""The `neardup` command as a user runs it: a real process, real files."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import EARLIER, LATER, SEEDS, neardup, shared


def test_compare_seed_pair() -> None:
    run = neardup("compare", EARLIER, LATER)
    assert run.returncode == 0, run.stderr
    assert re.search(r"relation: contains \(B contains 9\d% of A\)", run.stdout)
    assert "alignment (A → B): 11 same, 2 edited, 8 added, 4 boilerplate" in run.stdout
    as_json = json.loads(neardup("compare", "--json", EARLIER, LATER).stdout)
    assert set(as_json) == {
        "relation",
        "jaccard",
        "containment_a_in_b",
        "containment_b_in_a",
        "differs_only_in",
        "alignment",
        "facts_differ",
        "facts_agree",
    }
    assert as_json["facts_differ"] == [] and "Lavrov" in " ".join(as_json["facts_agree"])
    ops = [step["op"] for step in as_json["alignment"]]
    assert ops.count("same") == 11 and ops.count("edited") == 2 and "removed" not in ops
    assert all(set(step) >= {"op", "a", "b"} for step in as_json["alignment"])
    assert as_json["relation"] == "contains"
    assert as_json["containment_a_in_b"] >= 0.85
    assert as_json["jaccard"] < 0.6


def test_dedup_writes_all_outputs_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = neardup(
        "dedup",
        SEEDS,
        "--output",
        out / "kept.jsonl",
        "--pairs",
        out / "pairs.parquet",
        "--clusters",
        out / "clusters.jsonl",
        "--cluster-id",
    )
    assert run.returncode == 0, run.stderr
    assert "documents read: 2" in run.stdout
    assert "clusters: 1, removed: 1, kept: 1" in run.stdout
    assert f"deduplicated: {out / 'kept.jsonl'}" in run.stdout
    kept = [json.loads(line) for line in (out / "kept.jsonl").read_text().splitlines()]
    assert [(k["id"], k["cluster_id"]) for k in kept] == [(LATER.name, 0)]
    assert kept[0]["text"] == LATER.read_text()
    pairs = pq.read_table(out / "pairs.parquet").to_pylist()
    assert pairs[0]["relation"] == "contains" and pairs[0]["id_a"] == EARLIER.name
    clusters = [json.loads(line) for line in (out / "clusters.jsonl").read_text().splitlines()]
    assert clusters[1] == {
        "id": EARLIER.name,
        "cluster_id": 0,
        "representative_id": LATER.name,
        "is_representative": False,
        "relation": "contains",
        "similarity": pairs[0]["containment_a_in_b"],
    }


def test_find_writes_pairs_only(tmp_path: Path) -> None:
    run = neardup("find", SEEDS, "-o", tmp_path / "pairs.jsonl", "--quiet")
    assert run.returncode == 0 and run.stdout == ""
    (pair,) = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    assert (pair["id_a"], pair["id_b"], pair["relation"]) == (EARLIER.name, LATER.name, "contains")


@pytest.mark.parametrize("suffix", ["jsonl", "jsonl.gz", "parquet"])
def test_outputs_are_byte_identical_between_runs(tmp_path: Path, suffix: str) -> None:
    inputs = [SEEDS, Path(__file__).parents[2] / "examples" / "news.jsonl"]
    outputs = []
    for run_number in (1, 2):
        out = tmp_path / str(run_number)
        names = [out / f"{name}.{suffix}" for name in ("kept", "pairs", "clusters")]
        run = neardup(
            "dedup", *inputs, "-o", names[0], "--pairs", names[1], "--clusters", names[2], "-q"
        )
        assert run.returncode == 0, run.stderr
        outputs.append([n.read_bytes() for n in names])
    assert outputs[0] == outputs[1]
    assert all(outputs[0])


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["dedup", "missing.jsonl", "-o", "o.jsonl"], "missing.jsonl: no such file"),
        ('{"id": 1}\n', ["dedup", "in.jsonl", "-o", "o.jsonl"], "in.jsonl:1: no text field"),
        ('{"id": 1, "text"\n', ["find", "in.jsonl", "-o", "o.jsonl"], "in.jsonl:1: malformed JSON"),
        ('{"id": 1, "text": ""}\n', ["find", "in.jsonl", "-o", "o.csv"], "unknown output kind"),
        ('{"id": 1, "text": ""}\n', ["find", "in.jsonl", "-o", "in.jsonl"], "is also an input"),
        (
            '{"id": 1, "text": "a"}\n{"id": 1, "text": "b"}\n',
            ["find", "in.jsonl", "-o", "o.jsonl"],
            "in.jsonl:2: duplicate id '1' (first at in.jsonl:1)",
        ),
        (
            '{"id": 1, "text": "a"}\n',
            ["dedup", "in.jsonl", "-o", "o.jsonl", "--keep", "newest"],
            "no document has a date in the field 'date' (name it with --date-field)",
        ),
        ("", ["compare", "in.jsonl", "nothere.txt"], "nothere.txt: no such file"),
    ],
)
def test_user_errors_are_one_line_without_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: str | None,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if setup is not None:
        (tmp_path / "in.jsonl").write_text(setup)
    run = neardup(*args)
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_bad_option_values_are_usage_errors(tmp_path: Path) -> None:
    run = neardup("find", SEEDS, "-o", tmp_path / "p.jsonl", "--jaccard", "2")
    assert run.returncode == 2
    assert "Invalid value for '--jaccard'" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.slow
def test_seeds_mixed_into_bbc_cluster_together_longer_kept(tmp_path: Path) -> None:
    bbc = shared("data/bbc")
    run = neardup(
        "dedup", SEEDS, bbc, "-o", tmp_path / "kept.jsonl", "--clusters", tmp_path / "c.jsonl"
    )
    assert run.returncode == 0, run.stderr
    invalid = "1 document had invalid UTF-8, replaced by U+FFFD: sport/199.txt"
    assert invalid in run.stdout.splitlines()  # one BBC file is not valid UTF-8
    members = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    seeds = {m["id"]: m for m in members if m["id"] in (EARLIER.name, LATER.name)}
    assert seeds[EARLIER.name]["cluster_id"] == seeds[LATER.name]["cluster_id"]
    assert seeds[EARLIER.name]["representative_id"] == LATER.name
    kept_ids = {json.loads(line)["id"] for line in (tmp_path / "kept.jsonl").open()}
    assert LATER.name in kept_ids and EARLIER.name not in kept_ids
    assert "tech/146.txt" not in kept_ids or "tech/158.txt" not in kept_ids  # an edited re-run


def test_compare_names_what_differs_only(tmp_path: Path) -> None:
    price = (
        "Asarco Inc said it is lowering its domestic copper cathode price by 0.25 cent to "
        "66.75 cents a lb, effective immediately, the company said in New York on Tuesday."
    )
    (tmp_path / "a.txt").write_text(price)
    (tmp_path / "b.txt").write_text(price.replace("0.25 cent to 66.75", "0.50 cent to 66.50"))
    run = neardup("compare", "--brief", tmp_path / "a.txt", tmp_path / "b.txt")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "relation: overlap",
        "differs only in: numbers",
        "jaccard: 0.500",
        "containment of A in B: 0.667",
        "containment of B in A: 0.667",
    ]


def test_compare_of_a_folder_says_it_takes_two_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A text.")
    run = neardup("compare", tmp_path, tmp_path / "a.txt")
    assert run.returncode == 2
    assert run.stderr == f"neardup: error: {tmp_path}: is a folder; compare takes two text files\n"


SENTENCE_MARKS = ("= ", "~ ", "+ ", "- ", "> ", "# ")


def test_compare_shows_at_most_max_lines_sentences(tmp_path: Path) -> None:
    def report(number: int, verb: str) -> str:
        return f"Report {number} says the river near town {number} {verb} overnight."

    (tmp_path / "a.txt").write_text(" ".join(report(i, "rose") for i in range(1000)))
    later = " ".join(report(i, "fell" if i % 10 == 0 else "rose") for i in range(1000))
    (tmp_path / "b.txt").write_text(later)
    pair = (tmp_path / "a.txt", tmp_path / "b.txt")
    for option, shown, more in [([], 200, 800), (["--max-lines", "3"], 3, 997)]:
        lines = neardup("compare", *option, *pair).stdout.splitlines()
        assert lines[4] == "alignment (A → B): 900 same, 100 edited"
        assert sum(line.startswith(SENTENCE_MARKS) for line in lines) == shown
        assert lines[5 + shown :] == [
            f"… {more} more sentences not shown (use --json or --max-lines 0 for all)",
            "facts that agree: " + ", ".join(map(str, range(30))) + " … (970 more)",
        ]
    lines = neardup("compare", "--max-lines", "0", *pair).stdout.splitlines()
    assert len(lines) == 5 + 1000 + 1
    assert all(line.startswith(SENTENCE_MARKS) for line in lines[5:-1])
    assert len(json.loads(neardup("compare", "--json", *pair).stdout)["alignment"]) == 1000


def test_compare_cuts_an_enormous_sentence(tmp_path: Path) -> None:
    words = [f"w{i}" for i in range(20_000)]  # 129,000 characters and no full stop
    (tmp_path / "a.txt").write_text(" ".join(words))
    (tmp_path / "b.txt").write_text(" ".join(words).replace(" w5 ", " v5 "))
    lines = neardup("compare", tmp_path / "a.txt", tmp_path / "b.txt").stdout.splitlines()
    whole = "~ edited      " + " ".join([*words[:5], "[-w5-]{+v5+}", *words[6:]]) + " "
    assert lines[5:] == [whole[:2000] + f"… ({len(whole) - 2000:,} more characters)"]
    everything = neardup("compare", "--max-lines", "0", tmp_path / "a.txt", tmp_path / "b.txt")
    assert everything.stdout.splitlines()[5:] == [whole]


def test_summary_counts_exact_copies_apart_from_the_candidates(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    for name in ("a.txt", "b.txt"):
        (texts / name).write_text(EARLIER.read_text())
    (texts / "c.txt").write_text(LATER.read_text())
    run = neardup("find", texts, "-o", tmp_path / "pairs.jsonl")
    assert run.returncode == 0, run.stderr
    # a and b are one exact pair; c is scored against a only (b is a's copy), then related to both
    assert run.stdout.splitlines()[2] == "pairs: 1 exact, 2 contains; 1 candidate pair scored"


def test_help_loads_no_kernel_pyarrow_or_harness() -> None:
    """`neardup --help` (and so every command's start) imports neither the native core, nor
    pyarrow, nor the evaluation harness: they cost tenths of a second before anything is
    shown."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "neardup", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0
    imported = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if "|" in line}
    heavy = {"neardup.core.kernel", "neardup.evaluate.harness", "pyarrow"}
    assert "neardup.cli" in imported
    assert imported & heavy == set()


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_the_cli_gives_openblas_one_thread_unless_told(given: str | None, expected: str) -> None:
    """numpy's OpenBLAS threads would only spin beside the native core's: the CLI asks for one
    before numpy is imported, and keeps a user's own setting."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    script = (
        "import os, sys; import neardup.cli; assert 'numpy' not in sys.modules; "
        "print(os.environ['OPENBLAS_NUM_THREADS'])"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == expected
