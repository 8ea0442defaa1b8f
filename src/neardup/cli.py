"""The `neardup` command: a thin layer over the Python API.

About 450 lines, nearly all of them click's declarations of the commands and their options;
each command's body is a few lines that call the API.

User errors print one line (`neardup: error: …`) and exit with status 2, never a traceback.
Each command imports what it runs when it runs: `neardup --help` loads neither the compiled
kernel nor the evaluation harness.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from neardup.engine import ENGINES
from neardup.errors import InputError, NeardupError, OutputError
from neardup.evaluate.formats import FORMATS
from neardup.index.files import ADD_BATCH, add_files, query_files
from neardup.io.read import DEFAULT_GLOB, ReadStats, RecordReader, read_txt_file
from neardup.limits import MAX_BATCH, MAX_BODY_BYTES
from neardup.options import KEEP_POLICIES, Options

if TYPE_CHECKING:
    from neardup.index.store import Index
    from neardup.results import Comparison, Summary

# numpy is first imported after this (the imports above leave it out): neardup does no linear
# algebra, and OpenBLAS's threads would only spin beside the native core's on every core (about
# 3% of a run's CPU). A user's own setting is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_DEFAULTS = Options()


def _matching_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options every matching command shares; they become an `Options` value."""
    decorators = [
        click.option("--id-field", default="id", show_default=True, help="Field with the id."),
        click.option("--text-field", default="text", show_default=True, help="Field with text."),
        click.option(
            "--jaccard",
            type=click.FloatRange(0, 1, min_open=True),
            default=_DEFAULTS.jaccard,
            show_default=True,
            help="Near-duplicate at or above this Jaccard similarity.",
        ),
        click.option(
            "--containment",
            type=click.FloatRange(0, 1, min_open=True),
            default=_DEFAULTS.containment,
            show_default=True,
            help="`contains` when this share of the smaller document is in the larger.",
        ),
        click.option(
            "--ngram",
            type=click.IntRange(1, 32),
            default=_DEFAULTS.ngram,
            show_default=True,
            help="Words per shingle.",
        ),
        click.option(
            "--min-words",
            type=click.IntRange(0),
            default=_DEFAULTS.min_words,
            show_default=True,
            help="Shorter documents are matched only when identical.",
        ),
        click.option(
            "--num-perm",
            type=click.IntRange(8, 1024),
            default=_DEFAULTS.num_perm,
            show_default=True,
            help="MinHash permutations.",
        ),
        click.option(
            "--numbers-matter/--numbers-dont-matter",
            default=True,
            show_default=True,
            help="Texts that differ only in their numbers are not duplicates.",
        ),
        click.option(
            "--facts-matter/--facts-dont-matter",
            default=True,
            show_default=True,
            help="Texts whose months, weekdays, names or places stand in place of others are not "
            "duplicates; texts with the same facts in other words are (relation rewrite).",
        ),
        click.option(
            "--ignore-furniture/--keep-furniture",
            # The earlier spellings, still taken.
            "--ignore-boilerplate/--keep-boilerplate",
            "ignore_furniture",
            default=True,
            show_default=True,
            help="Leave page furniture out of the similarity.",
        ),
        click.option(
            "--char-errors",
            type=click.FloatRange(0, 1, max_open=True),
            default=_DEFAULTS.char_errors,
            show_default=True,
            help="Second look at pairs below both thresholds: a word counts as the same where "
            "at most this share of its characters differ (OCR noise, typos). 0: off.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars and no summary."),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


_glob_option = click.option(
    "--glob",
    default=DEFAULT_GLOB,
    show_default=True,
    help="Which files of an input folder are documents, by name in any case ('*': all).",
)


def _page_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options of web-page inputs (HTML files and fields, WARC files); see `io/html.py`."""
    command = click.option(
        "--skip-bad-records",
        is_flag=True,
        help="Skip (and count) truncated or corrupt WARC records instead of stopping.",
    )(command)
    return click.option(
        "--html-field",
        help="Field of JSONL/CSV/Parquet records holding an HTML page: its main text is the "
        "text (pip install neardup[html]).",
    )(command)


def _options(values: dict[str, Any]) -> Options:
    return Options(
        jaccard=values.pop("jaccard"),
        containment=values.pop("containment"),
        ngram=values.pop("ngram"),
        min_words=values.pop("min_words"),
        num_perm=values.pop("num_perm"),
        numbers_matter=values.pop("numbers_matter"),
        facts_matter=values.pop("facts_matter"),
        ignore_furniture=values.pop("ignore_furniture"),
        char_errors=values.pop("char_errors"),
    )


def _progress(quiet: bool) -> bool | None:
    return False if quiet else None  # None: shown when stderr is a terminal


def _print_summary(summary: Summary, quiet: bool) -> None:
    _print_skipped(summary.skipped)
    if not quiet:
        click.echo("\n".join(summary.lines()))


def _print_skipped(skipped: list[str]) -> None:
    """What the input folders held that was not read, on stderr even with --quiet: input is
    never left out without a word."""
    for notice in skipped:
        click.echo(f"neardup: {notice}", err=True)


_engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Run here, or on Spark (pip install neardup[spark]; .jsonl/.parquet inputs).",
)


def _index(path: Path, options: Options | None = None, *, create: bool = True) -> Index:
    """The index at `path`, opened as `Index` opens it."""
    from neardup.index.store import Index

    return Index(path, options, create=create)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="neardup")
def cli() -> None:
    """Find near-duplicate and reused text, and say how the copies relate."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="Kept records (.jsonl, .jsonl.gz or .parquet), unchanged.",
)
@click.option("--pairs", type=click.Path(path_type=Path), help="Also write the related pairs.")
@click.option("--clusters", type=click.Path(path_type=Path), help="Also write the clusters.")
@click.option(
    "--keep",
    type=click.Choice(KEEP_POLICIES),
    default="longest",
    show_default=True,
    help="Which document of a cluster is kept.",
)
@click.option(
    "--date-field", help="Field with an ISO 8601 date, for --keep newest/oldest [default: date]."
)
@click.option("--report", type=click.Path(path_type=Path), help="Also write an HTML report.")
@click.option(
    "--cluster-id",
    "add_cluster_id",
    is_flag=True,
    help="Add a cluster_id field to the kept records.",
)
@click.option(
    "--against",
    type=click.Path(path_type=Path),
    help="Also remove copies of documents in this index (see `neardup index`).",
)
@_engine_option
@_matching_options
@_glob_option
@_page_options
def dedup(inputs: tuple[Path, ...], **values: Any) -> None:
    """Deduplicate INPUTS (folders of .txt or .html, .jsonl[.gz], .parquet, .csv, .html,
    .warc[.gz]) into --output."""
    from neardup.engine.files import deduplicate_files

    quiet = values.pop("quiet")
    # The matching options go as keywords: the engine and its --against are checked first.
    summary = deduplicate_files(inputs, progress=_progress(quiet), **values)
    _print_summary(summary, quiet)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="Pairs file (.jsonl, .jsonl.gz or .parquet).",
)
@click.option("--report", type=click.Path(path_type=Path), help="Also write an HTML report.")
@click.option(
    "--overlap",
    "report_overlap",
    is_flag=True,
    help="Also report pairs that share passages below both thresholds.",
)
@_engine_option
@_matching_options
@_glob_option
@_page_options
def find(inputs: tuple[Path, ...], **values: Any) -> None:
    """List related pairs in INPUTS without removing anything."""
    from neardup.engine.files import find_files

    quiet = values.pop("quiet")
    summary = find_files(inputs, progress=_progress(quiet), **values)
    _print_summary(summary, quiet)


@cli.command()
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--brief", is_flag=True, help="Scores only, no sentence alignment.")
@click.option(
    "--max-lines",
    type=click.IntRange(0),
    default=200,
    show_default=True,
    help="Aligned sentences shown at most (0: all). --json shows all.",
)
@_matching_options
def compare(a: Path, b: Path, as_json: bool, brief: bool, max_lines: int, **values: Any) -> None:
    """Compare two text files (or web pages, by their main text) A and B."""
    for name in ("quiet", "id_field", "text_field"):
        values.pop(name)
    from neardup import api
    from neardup.io.html import is_html, read_html_file

    options = _options(values)
    reader = RecordReader("id", "text")
    texts = []
    for path in (a, b):
        if path.is_dir():
            raise InputError(f"{path}: is a folder; compare takes two text files")
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        if is_html(path):  # the article, as `find` and `dedup` read it
            (page,) = read_html_file(path, reader)
            texts.append(page.text)
        else:
            texts.append(read_txt_file(path, reader).text)
    result = api.compare(*texts, explain=not brief, options=options)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    click.echo(f"relation: {_describe(result)}")
    if result.differs_only_in:
        click.echo(f"differs only in: {result.differs_only_in}")
    click.echo(f"jaccard: {result.jaccard:.3f}")
    click.echo(f"containment of A in B: {result.containment_a_in_b:.3f}")
    click.echo(f"containment of B in A: {result.containment_b_in_a:.3f}")
    if result.alignment:
        from neardup.explain.terminal import show_alignment, show_facts  # rich, where shown

        show_alignment(result.alignment, max_lines=max_lines)
        show_facts(result.facts_differ, result.facts_agree)


@cli.command(name="eval")
@click.argument("dataset")
@click.option(
    "--format",
    "dataset_format",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="What DATASET is (auto: from what it holds).",
)
@click.option("--source", type=click.Path(path_type=Path), help="BBC News folder (generated).")
@click.option(
    "--same-event",
    type=click.Path(path_type=Path),
    help="SemEval-2022 Task 8 folder: same story from other outlets (generated negatives).",
)
@click.option(
    "--per-category",
    type=click.IntRange(1),
    default=100,
    show_default=True,
    help="Generated: source articles (and copies) per category.",
)
@click.option(
    "--background",
    type=click.IntRange(0),
    default=300,
    show_default=True,
    help="Generated: unrelated articles around them.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generator.")
@click.option(
    "--write",
    type=click.Path(path_type=Path),
    help="Write the generated benchmark (.jsonl or .parquet) to inspect or re-use.",
)
@click.option("--limit", type=click.IntRange(2), help="Reuters: only the first N stories.")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    help="Natural pairs: the folder of the corpora they name (reuters21578, bbc).",
)
@click.option("--markdown", is_flag=True, help="Print Markdown tables.")
@click.option("--json", "as_json", is_flag=True, help="Print the tables as JSON.")
@_matching_options
def eval_command(dataset: str, **values: Any) -> None:
    """Measure neardup and a MinHash-LSH baseline on a labelled DATASET.

    DATASET is `news-benchmark` (generated from --source), a NEWS-COPY Parquet file, a labelled
    .jsonl/.parquet (id, text, cluster[, category, source]), natural pairs (.jsonl: corpus,
    id_a, id_b, half, label; texts from --data), or the Clough & Stevenson or Reuters-21578
    folder.
    """
    from neardup.evaluate.harness import Generation, run_eval

    values.pop("quiet")
    markdown, as_json = values.pop("markdown"), values.pop("as_json")
    generation = Generation(
        **{k: values.pop(k) for k in ("source", "same_event", "per_category", "background")},
        seed=values.pop("seed"),
        write=values.pop("write"),
    )
    tables = run_eval(
        dataset,
        values.pop("dataset_format"),
        options=_options(values),
        generation=generation,
        **values,
    )
    if as_json:
        click.echo(json.dumps([t.to_dict() for t in tables], ensure_ascii=False, indent=1))
    else:
        click.echo("\n\n".join(t.markdown() if markdown else t.text() for t in tables))


@cli.group("index")
def index_group() -> None:
    """A persistent index (one SQLite file): check new documents against all added so far."""


@index_group.command("create")
@click.argument("path", type=click.Path(path_type=Path))
@_matching_options
def index_create(path: Path, **values: Any) -> None:
    """Create an empty index at PATH with these matching options."""
    for name in ("quiet", "id_field", "text_field"):
        values.pop(name)
    if path.exists():
        raise OutputError(f"{path}: already exists")
    with _index(path, _options(values)):
        pass
    click.echo(f"created {path}")


@index_group.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--id-field", default="id", show_default=True, help="Field with the id.")
@click.option("--text-field", default="text", show_default=True, help="Field with text.")
@_glob_option
@_page_options
@click.option(
    "--batch",
    type=click.IntRange(1),
    default=ADD_BATCH,
    show_default=True,
    help="Documents per transaction.",
)
@click.option("--quiet", "-q", is_flag=True, help="No summary.")
def index_add(path: Path, inputs: tuple[Path, ...], quiet: bool, **values: Any) -> None:
    """Add the records of INPUTS to the index at PATH (an indexed id is replaced)."""
    with _index(path, create=False) as index:
        stats = ReadStats()
        added = add_files(index, inputs, stats=stats, **values)
        _print_skipped(stats.skipped)
        if not quiet:
            click.echo(f"added {added}; documents in the index: {len(index)}")


@index_group.command("query")
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--text", help="Query this text (its query_id is empty).")
@click.option("-k", type=click.IntRange(1), default=10, show_default=True, help="Matches at most.")
@click.option("--id-field", default="id", show_default=True, help="Field with the id.")
@click.option("--text-field", default="text", show_default=True, help="Field with text.")
@_glob_option
@_page_options
@click.option(
    "--overlap",
    "report_overlap",
    is_flag=True,
    help="Also report documents that share passages below both thresholds.",
)
def index_query(
    path: Path, inputs: tuple[Path, ...], text: str | None, k: int, **values: Any
) -> None:
    """Print the indexed documents related to each record of INPUTS (or to --text), one JSON
    object a line: query_id, id, relation and scores (A is the query)."""
    if not inputs and text is None:
        raise click.UsageError("give INPUTS or --text")
    with _index(path, create=False) as index:
        if text is not None:
            for found in index.query(text, k, report_overlap=values["report_overlap"]):
                click.echo(json.dumps({"query_id": "", **found.to_dict()}, ensure_ascii=False))
        if inputs:
            stats = ReadStats()
            for row in query_files(index, inputs, k=k, stats=stats, **values):
                click.echo(json.dumps(row, ensure_ascii=False))
            _print_skipped(stats.skipped)


@index_group.command("remove")
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("ids", nargs=-1, required=True)
def index_remove(path: Path, ids: tuple[str, ...]) -> None:
    """Remove documents by id from the index at PATH."""
    with _index(path, create=False) as index:
        removed = index.remove(ids)
    click.echo(f"removed {removed} of {len(set(ids))}")


@index_group.command("stats")
@click.argument("path", type=click.Path(path_type=Path))
def index_stats(path: Path) -> None:
    """Print what the index at PATH holds, as JSON."""
    with _index(path, create=False) as index:
        click.echo(json.dumps(index.stats().to_dict(), indent=2))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--token",
    help="Require `Authorization: Bearer TOKEN` (default: $NEARDUP_TOKEN; none: no token).",
)
@click.option(
    "--max-body",
    type=click.IntRange(1),
    default=MAX_BODY_BYTES,
    show_default=True,
    help="Largest request body, in bytes.",
)
@click.option(
    "--max-batch",
    type=click.IntRange(1),
    default=MAX_BATCH,
    show_default=True,
    help="Most documents in one POST /documents.",
)
@click.option("--access-log", is_flag=True, help="Write a line per request on stdout.")
def serve(path: Path, token: str | None, **values: Any) -> None:
    """Serve the index at PATH over HTTP (FastAPI; OpenAPI page at /docs)."""
    from neardup.service import serve as run

    # Read here, not by click's `envvar`: click takes an empty variable for none, and an empty
    # NEARDUP_TOKEN is a mistake to refuse, not a wish to serve without a token.
    run(str(path), token=os.environ.get("NEARDUP_TOKEN") if token is None else token, **values)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a service manager, a batch system's time limit) raises KeyboardInterrupt
    as Ctrl-C does, so that every `finally` runs: without it, the process ends where it stands,
    leaving its temporary files."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _describe(result: Comparison) -> str:
    if result.relation != "contains":
        return result.relation
    if result.containment_a_in_b >= result.containment_b_in_a:
        return f"contains (B contains {result.containment_a_in_b:.0%} of A)"
    return f"contains (A contains {result.containment_b_in_a:.0%} of B)"


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors become one line on stderr and exit status 2; Ctrl-C and SIGTERM
    stop it alike (temporary files removed, no output changed), with exit status 130."""
    try:
        with _terminate_as_interrupt():
            cli.main(args=argv, prog_name="neardup", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("neardup: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except NeardupError as error:
        click.echo(f"neardup: error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("neardup: interrupted", err=True)
        sys.exit(130)
