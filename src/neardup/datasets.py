"""Loaders for public corpora used in examples, tests and benchmarks."""

from __future__ import annotations

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
