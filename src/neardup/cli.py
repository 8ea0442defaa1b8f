"""The `neardup` command: a thin layer over the Python API.

User errors print one line (`neardup: error: …`) and exit with status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from neardup import api
from neardup.errors import NeardupError
from neardup.options import KEEP_POLICIES, Options
from neardup.read import RecordReader, read_txt_file
from neardup.terminal import show_alignment

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
            "--ignore-boilerplate/--keep-boilerplate",
            default=True,
            show_default=True,
            help="Leave page furniture out of the similarity.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars and no summary."),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def _options(values: dict[str, Any]) -> Options:
    return Options(
        jaccard=values.pop("jaccard"),
        containment=values.pop("containment"),
        ngram=values.pop("ngram"),
        min_words=values.pop("min_words"),
        num_perm=values.pop("num_perm"),
        numbers_matter=values.pop("numbers_matter"),
        ignore_boilerplate=values.pop("ignore_boilerplate"),
    )


def _progress(quiet: bool) -> bool | None:
    return False if quiet else None  # None: shown when stderr is a terminal


def _print_summary(summary: api.Summary, quiet: bool) -> None:
    if not quiet:
        click.echo("\n".join(summary.lines()))


_engine_option = click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Run here, or on Spark (pip install neardup[spark]; .jsonl/.parquet inputs).",
)


def _engine(name: str) -> Any:
    """The module whose find_files/deduplicate_files run the command."""
    if name == "spark":
        from neardup import spark

        return spark
    return api


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
@click.option("--date-field", help="Field with an ISO 8601 date, for --keep newest/oldest.")
@click.option("--report", type=click.Path(path_type=Path), help="Also write an HTML report.")
@click.option(
    "--cluster-id",
    "add_cluster_id",
    is_flag=True,
    help="Add a cluster_id field to the kept records.",
)
@_engine_option
@_matching_options
def dedup(inputs: tuple[Path, ...], **values: Any) -> None:
    """Deduplicate INPUTS (folders of .txt, .jsonl[.gz], .parquet, .csv) into --output."""
    quiet = values.pop("quiet")
    engine = _engine(values.pop("engine"))
    options = _options(values)
    summary = engine.deduplicate_files(inputs, options=options, progress=_progress(quiet), **values)
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
def find(inputs: tuple[Path, ...], **values: Any) -> None:
    """List related pairs in INPUTS without removing anything."""
    quiet = values.pop("quiet")
    engine = _engine(values.pop("engine"))
    options = _options(values)
    summary = engine.find_files(inputs, options=options, progress=_progress(quiet), **values)
    _print_summary(summary, quiet)


@cli.command()
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--brief", is_flag=True, help="Scores only, no sentence alignment.")
@_matching_options
def compare(a: Path, b: Path, as_json: bool, brief: bool, **values: Any) -> None:
    """Compare two text files A and B."""
    for name in ("quiet", "id_field", "text_field"):
        values.pop(name)
    options = _options(values)
    reader = RecordReader("id", "text")
    texts = []
    for path in (a, b):
        if not path.is_file():
            raise NeardupError(f"{path}: no such file")
        texts.append(read_txt_file(path, reader).text)
    result = api.compare(*texts, explain=not brief, options=options)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    click.echo(f"relation: {_describe(result)}")
    click.echo(f"jaccard: {result.jaccard:.3f}")
    click.echo(f"containment of A in B: {result.containment_a_in_b:.3f}")
    click.echo(f"containment of B in A: {result.containment_b_in_a:.3f}")
    if result.alignment:
        show_alignment(result.alignment)


def _describe(result: api.Comparison) -> str:
    if result.relation != "contains":
        return result.relation
    if result.containment_a_in_b >= result.containment_b_in_a:
        return f"contains (B contains {result.containment_a_in_b:.0%} of A)"
    return f"contains (A contains {result.containment_b_in_a:.0%} of B)"


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors become one line on stderr and exit status 2."""
    try:
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
