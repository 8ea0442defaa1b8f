"""A news benchmark labelled by construction: real articles, and copies made of them the ways
news is copied, with look-alikes that are not copies.

Each source article is used once, for one category: the benchmark holds the source and its
transformed copy (`transform.py`). Positive categories (the copy is a duplicate of its source):
`punctuation`, `light-edits`, `expanded`, `excerpt`, `furniture`, `moved`, `ocr`, and
`seed-like` (light edits, new paragraphs and glued furniture at once, as the seed pair shows).
Negative categories: `numbers` (the same text with other numbers: other facts) and
`same-event` (two outlets' articles on one story, SemEval-2022 Task 8 pairs that annotators
scored 1-1.5 on 1-4). Unrelated `background` articles fill the rest. Articles of the source
corpus that are already near-copies of one another (BBC News has some) are left out first, by
the exact all-pairs computation, so that no unlabelled copy is in the benchmark.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from neardup.errors import InputError
from neardup.evaluate import transform
from neardup.evaluate.allpairs import exact_pairs
from neardup.evaluate.transform import Article
from neardup.options import Options

POSITIVE = (
    "punctuation",
    "light-edits",
    "expanded",
    "excerpt",
    "furniture",
    "moved",
    "ocr",
    "seed-like",
)
NEGATIVE = ("numbers", "same-event")
#: Shortest source article used (words of the body): shorter ones are matched only when exact.
MIN_WORDS = 80
#: A source article sharing this much with another one (exact containment) is left out.
MAX_SHARED = 0.2


@dataclass(frozen=True)
class Donors:
    """Articles outside the benchmark that lend new paragraphs and link headlines."""

    articles: list[Article]
    headlines: list[str]

    def pick(self, rng: random.Random) -> Article:
        return rng.choice(self.articles)


def _seed_like(article: Article, donors: Donors, rng: random.Random) -> Article:
    edited = transform.light_edits(article, rng)
    return transform.add_furniture(
        transform.expand(edited, donors.pick(rng), rng), donors.headlines, rng
    )


MAKERS: dict[str, Callable[[Article, Donors, random.Random], Article]] = {
    "punctuation": lambda a, d, rng: transform.retype_punctuation(a, rng),
    "light-edits": lambda a, d, rng: transform.light_edits(a, rng),
    "expanded": lambda a, d, rng: transform.expand(a, d.pick(rng), rng),
    "excerpt": lambda a, d, rng: transform.excerpt(a, rng),
    "furniture": lambda a, d, rng: transform.add_furniture(a, d.headlines, rng),
    "moved": lambda a, d, rng: transform.move_paragraphs(a, rng),
    "ocr": lambda a, d, rng: transform.ocr_noise(a, rng),
    "seed-like": _seed_like,
    "numbers": lambda a, d, rng: transform.other_numbers(a, rng),
}


def generate(
    articles: Iterable[dict[str, str]],
    same_event: Sequence[tuple[str, str]] = (),
    *,
    per_category: int = 100,
    background: int = 300,
    seed: int = 1,
) -> list[dict[str, str | None]]:
    """Benchmark records: id, text, cluster (the truth), category, source (id of the original).

    `articles` are records with id and text (headline on the first line, blank lines between
    paragraphs); `same_event` are pairs of texts on one story from different outlets. The same
    inputs and seed give the same records, in a shuffled order.

    >>> body = " ".join(f"word{i}" for i in range(100))
    >>> docs = [{"id": str(n), "text": f"Head {n}\\n\\n{n} {body.replace('word', f'w{n}x')}"}
    ...         for n in range(40)]
    >>> records = generate(docs, per_category=1, background=2, seed=3)
    >>> sorted({r["category"] for r in records if r["source"]})[:3]
    ['excerpt', 'expanded', 'furniture']
    """
    rng = random.Random(seed)
    pool = _distinct([a for a in articles if Article.parse(a["text"]).words >= MIN_WORDS])
    rng.shuffle(pool)
    needed = per_category * len(MAKERS) + background
    if len(pool) < needed + per_category:  # a few left over to lend paragraphs
        raise InputError(
            f"the source has {len(pool)} usable articles; {per_category} per category and "
            f"{background} background need {needed + per_category}"
        )
    # Template look-alikes need numbers to change: take those first.
    with_numbers = [a for a in pool if transform.count_numbers(Article.parse(a["text"])) >= 2]
    sources = {"numbers": with_numbers[:per_category]}
    taken = {a["id"] for a in sources["numbers"]}
    rest = [a for a in pool if a["id"] not in taken]
    for category in POSITIVE:
        sources[category], rest = rest[:per_category], rest[per_category:]
    records = [_record(a["id"], a["text"], "background") for a in rest[:background]]
    lenders = [Article.parse(a["text"]) for a in rest[background:]]
    donors = Donors(lenders, [a.headline for a in lenders if a.headline])
    for category, chosen in sources.items():
        for n, original in enumerate(chosen):
            copy = MAKERS[category](Article.parse(original["text"]), donors, rng)
            records.append(_record(original["id"], original["text"], "original"))
            records.append(
                _record(
                    f"{category}/{n:04d}",
                    copy.text,
                    category,
                    source=original["id"],
                    cluster=original["id"] if category in POSITIVE else None,
                )
            )
    for n, (a, b) in enumerate(same_event[:per_category]):
        first = f"same-event/{n:04d}a"
        records.append(_record(first, a, "original"))
        records.append(_record(f"same-event/{n:04d}b", b, "same-event", source=first))
    rng.shuffle(records)
    return records


def _record(
    doc_id: str, text: str, category: str, *, source: str | None = None, cluster: str | None = None
) -> dict[str, str | None]:
    return {
        "id": doc_id,
        "text": text,
        "cluster": cluster or doc_id,
        "category": category,
        "source": source,
    }


def _distinct(articles: list[dict[str, str]]) -> list[dict[str, str]]:
    """The articles without those sharing more than MAX_SHARED with an earlier one (exactly)."""
    loose = Options(jaccard=MAX_SHARED, containment=MAX_SHARED, overlap=None, min_words=0)
    dropped: set[str] = set()
    for a, b in sorted(exact_pairs(articles, loose)):
        if a not in dropped:
            dropped.add(b)
    return [a for a in articles if a["id"] not in dropped]


def same_event_pairs(
    pairs: Iterable[dict[str, str]], *, max_overall: float = 1.5
) -> list[tuple[str, str]]:
    """(text1, text2) of SemEval-2022 Task 8 pairs in one language scored at most `max_overall`
    (1: the same story), each article used once."""
    seen: set[str] = set()
    out = []
    for pair in pairs:
        ids = pair["pair_id"].split("_")
        texts = (pair["text1"].strip(), pair["text2"].strip())
        if pair["lang1"] != pair["lang2"] or float(pair["overall"]) > max_overall:
            continue
        if not all(texts) or seen & {*ids, *texts}:
            continue
        seen.update([*ids, *texts])
        out.append(texts)
    return out
