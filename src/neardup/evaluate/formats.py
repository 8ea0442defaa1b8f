"""The kinds of dataset `neardup eval` measures on, and how to tell which one a path holds.

Apart from the harness, so that the CLI lists the formats without loading it.
"""

from __future__ import annotations

from pathlib import Path

from neardup.errors import InputError

FORMATS = ("auto", "generated", "news-copy", "labelled", "natural", "clough-stevenson", "reuters")
#: The name that asks for the generated news benchmark rather than a path.
NEWS_BENCHMARK = "news-benchmark"


def detect(dataset: str) -> str:
    """The format of a dataset path (or the benchmark's name), from what it holds.

    >>> detect("news-benchmark")
    'generated'
    """
    if dataset == NEWS_BENCHMARK:
        return "generated"
    path = Path(dataset)
    if path.is_dir():
        if (path / "file_information.csv").is_file():
            return "clough-stevenson"
        if any(path.glob("reut2-*.sgm")):
            return "reuters"
        if any(path.glob("*/*.txt")):
            return "generated"
        if any(path.glob("*.parquet")):
            return "news-copy"
    elif path.is_file() and path.suffix == ".parquet":
        import pyarrow.parquet as pq  # imported here: the CLI imports this module at start

        try:
            names = pq.read_schema(path).names
        except (OSError, ValueError) as error:
            raise InputError(f"{path}: not a readable Parquet file ({error})") from None
        return "news-copy" if "article" in names else "labelled"
    elif path.is_file():
        return "natural" if _natural(path) else "labelled"
    raise InputError(f"{dataset}: cannot tell its format; give --format ({', '.join(FORMATS[1:])})")


def _natural(path: Path) -> bool:
    """Whether a file's first line is a natural pair (corpus, id_a, id_b, half): JSON lines
    naming stories of corpora rather than holding texts."""
    import json

    try:
        with path.open("rb") as file:
            first = json.loads(file.readline() or b"null")
    except (OSError, ValueError):
        return False
    return isinstance(first, dict) and {"corpus", "id_a", "id_b", "half"} <= first.keys()
