"""`neardup eval`: load a dataset (`formats.detect` tells its kind), measure neardup and the
baseline on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neardup.errors import InputError, OptionsError
from neardup.evaluate import sets
from neardup.evaluate.datasets import read_bbc, read_reuters, read_semeval_pairs
from neardup.evaluate.formats import FORMATS, NEWS_BENCHMARK, detect
from neardup.evaluate.natural import evaluate_natural
from neardup.evaluate.news_benchmark import generate, same_event_pairs
from neardup.evaluate.reuters import evaluate_reuters
from neardup.evaluate.run import evaluate
from neardup.evaluate.table import Table
from neardup.io.read import no_such_path
from neardup.io.write import write_rows
from neardup.options import Options


@dataclass(frozen=True)
class Generation:
    """How to build the generated news benchmark."""

    source: Path | None = None  # a BBC News folder (CATEGORY/NNN.txt)
    same_event: Path | None = None  # SemEval-2022 Task 8 pairs (negatives)
    per_category: int = 100
    background: int = 300
    seed: int = 1
    write: Path | None = None  # where to write the benchmark records, for users to inspect


def run_eval(
    dataset: str,
    dataset_format: str = "auto",
    *,
    options: Options | None = None,
    generation: Generation | None = None,
    limit: int | None = None,
    id_field: str = "id",
    text_field: str = "text",
    data: Path | None = None,
) -> list[Table]:
    """Load `dataset` in its format and return the result tables of neardup and the baseline.

    `data` is the folder of the corpora that natural pairs name (`reuters21578`, `bbc`)."""
    options = options or Options()
    kind = detect(dataset) if dataset_format == "auto" else dataset_format
    if kind not in FORMATS[1:]:
        raise OptionsError(f"format must be one of {', '.join(FORMATS)}, got '{kind}'")
    path = Path(dataset)
    if kind != "generated" and not path.exists():
        raise no_such_path(dataset)
    if kind == "reuters":
        stories = list(read_reuters(path))
        return evaluate_reuters(stories[:limit] if limit else stories, options)
    if kind == "natural":
        return evaluate_natural(sets.natural_pairs(path, data), options)
    if kind == "clough-stevenson":
        labelled = sets.clough_stevenson(path)
    elif kind == "news-copy":
        labelled = sets.news_copy(_files(path, ".parquet"))
    elif kind == "labelled":
        labelled = sets.labelled_files([path], id_field=id_field, text_field=text_field)
    else:
        labelled = _generated(dataset, generation or Generation())
    return evaluate(labelled, options)


def _generated(dataset: str, generation: Generation) -> sets.LabelledSet:
    source = generation.source or (None if dataset == NEWS_BENCHMARK else Path(dataset))
    if source is None:
        raise OptionsError(
            f"{NEWS_BENCHMARK} is made from BBC News articles: give --source FOLDER "
            "(CATEGORY/NNN.txt files, as ../shared/data/bbc)"
        )
    if not source.is_dir():
        raise InputError(f"{source}: no such folder")
    negatives = []
    if generation.same_event is not None:
        negatives = same_event_pairs(read_semeval_pairs(generation.same_event))
    records = generate(
        read_bbc(source),
        negatives,
        per_category=generation.per_category,
        background=generation.background,
        seed=generation.seed,
    )
    if generation.write is not None:
        write_rows(generation.write, records)
    name = f"news benchmark (from {source}, {generation.per_category} per category, "
    return sets.from_records(name + f"seed {generation.seed})", records)


def _files(path: Path, suffix: str) -> list[Path]:
    files = sorted(path.glob(f"*{suffix}")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no {suffix} files")
    return files
