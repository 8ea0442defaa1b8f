"""Rebuild examples/news.jsonl from ../shared (run from the repository root).

The example is small enough to bundle: the two seed articles (an earlier and an expanded later
version of one story) and a Reuters-21578 subset holding its three natural kinds of near-duplicate
(re-sent stories, updated versions, template look-alikes) among ordinary stories.
"""

from __future__ import annotations

import json
from pathlib import Path

import neardup
from neardup.evaluate.datasets import read_reuters

SHARED = Path("../shared")
#: Pairs named in ../shared/data/README.md: re-sent, updated, and a look-alike with other numbers.
NAMED = ("18928", "18939", "6458", "6670", "12215", "14476")
ORDINARY = 200  # the first stories with a body, as a background
PAIRED = 60  # stories taken from the first related pairs neardup finds in the whole collection


def main() -> None:
    stories = [s for s in read_reuters(SHARED / "data/reuters21578") if s["text"]]
    by_id = {s["id"]: s for s in stories}
    chosen = dict.fromkeys(NAMED)
    chosen.update(dict.fromkeys(s["id"] for s in stories[:ORDINARY]))
    for pair in neardup.find_pairs(stories):
        if len(chosen) >= ORDINARY + len(NAMED) + PAIRED:
            break
        chosen.update(dict.fromkeys((pair.id_a, pair.id_b)))
    records = [
        {"id": f"seed/{p.name}", "title": "", "date": "", "source": "seed", "text": p.read_text()}
        for p in sorted((SHARED / "seeds").glob("*.txt"))
    ]
    for story_id in sorted(chosen, key=int):
        story = by_id[story_id]
        records.append({"id": f"reuters/{story_id}", **_fields(story), "source": "reuters21578"})
    with open("examples/news.jsonl", "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"examples/news.jsonl: {len(records)} records")


def _fields(story: dict[str, str]) -> dict[str, str]:
    return {"title": story["title"], "date": story["date"], "text": story["text"]}


if __name__ == "__main__":
    main()
