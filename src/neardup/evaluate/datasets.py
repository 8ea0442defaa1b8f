"""Loaders for public corpora used in examples, tests and benchmarks."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from neardup.errors import InputError

_REUTERS = re.compile(r'<REUTERS[^>]*\bNEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("TITLE", "BODY", "DATE")}


def read_reuters(folder: str | Path) -> Iterator[dict[str, str]]:
    """The Reuters-21578 stories (`reut2-*.sgm`) as records: id (NEWID), title, date, text (body).

    Entities are decoded, the SGML control characters removed; stories without a body have an
    empty text.
    """
    files = sorted(Path(folder).glob("reut2-*.sgm"))
    if not files:
        raise InputError(f"{folder}: no reut2-*.sgm files (the Reuters-21578 distribution)")
    for path in files:
        for match in _REUTERS.finditer(path.read_text(encoding="latin-1")):
            story = match.group(2)
            yield {
                "id": match.group(1),
                "title": _field(story, "TITLE"),
                "date": _reuters_date(_field(story, "DATE")),
                "text": _field(story, "BODY"),
            }


def _field(story: str, name: str) -> str:
    found = _FIELD[name].search(story)
    if found is None:
        return ""
    text = html.unescape(found.group(1))
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).strip()


def _reuters_date(raw: str) -> str:
    """'26-FEB-1987 15:01:01.79' as ISO 8601; '' where it does not parse."""
    found = re.search(r"\d{1,2}-[A-Za-z]{3}-\d{4} \d{1,2}:\d{2}:\d{2}", raw)
    try:
        return datetime.strptime(found.group(0), "%d-%b-%Y %H:%M:%S").isoformat() if found else ""
    except ValueError:
        return ""


def read_bbc(folder: str | Path) -> Iterator[dict[str, str]]:
    """The BBC News articles (`CATEGORY/NNN.txt`, headline on line 1) as records.

    The id is `CATEGORY/NNN`; text is the whole file (headline, blank line, paragraphs).
    Invalid UTF-8 (one file has some) is replaced.
    """
    files = sorted(Path(folder).glob("*/*.txt"))
    if not files:
        raise InputError(f"{folder}: no CATEGORY/NNN.txt files (the BBC News corpus)")
    for path in files:
        yield {
            "id": f"{path.parent.name}/{path.stem}",
            "category": path.parent.name,
            "text": path.read_text(encoding="utf-8", errors="replace"),
        }


def read_clough_stevenson(folder: str | Path) -> Iterator[dict[str, str]]:
    """The Corpus of Plagiarised Short Answers: the 5 sources and 95 graded answers.

    Each record has id (the file name), text, task (a-e) and category: `orig` for a source
    (`orig_task<task>.txt`), else the answer's grade (`cut`, `light`, `heavy`, `non`) against it.
    """
    folder = Path(folder)
    table = folder / "file_information.csv"
    if not table.is_file():
        raise InputError(f"{folder}: no file_information.csv (Clough & Stevenson's corpus)")
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        path = folder / row["File"]
        if not path.is_file():
            raise InputError(f"{path}: listed in file_information.csv but missing")
        text = path.read_bytes().decode("utf-8", errors="replace")
        yield {"id": row["File"], "text": text, "task": row["Task"], "category": row["Category"]}


def read_semeval_pairs(folder: str | Path) -> Iterator[dict[str, str]]:
    """SemEval-2022 Task 8 article pairs (`*.csv`): pair_id, lang1, lang2, text1, text2, overall.

    A pair listed in several files is read once. `overall` is the annotators' 1-4 score
    (1: the same story).
    """
    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        raise InputError(f"{folder}: no .csv files (SemEval-2022 Task 8 pairs)")
    csv.field_size_limit(1 << 30)  # article texts exceed csv's default field limit
    seen: set[str] = set()
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["pair_id"] in seen:
                    continue
                seen.add(row["pair_id"])
                yield {
                    "pair_id": row["pair_id"],
                    "lang1": row["lang1"],
                    "lang2": row["lang2"],
                    "text1": row["text1"],
                    "text2": row["text2"],
                    "overall": row["Overall"],
                }
