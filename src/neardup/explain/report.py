"""One self-contained HTML report of a run: summary, similarity histogram, clusters, aligned diffs.

The page makes no network request and runs no script; every document text is escaped by the
template engine (autoescape), so a text holding `<script>` shows as text. Large runs are capped:
the report says how many pairs and clusters it shows of how many.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from neardup.core.align import AlignedSentence, align
from neardup.core.facts import FactComparison, compare_facts, facts_of, story
from neardup.core.furniture import Furniture
from neardup.errors import OutputError
from neardup.explain.pages import load_template
from neardup.io.write import write_file
from neardup.options import Options
from neardup.results import ClusterMember, Pair, Summary

#: Pairs shown with a side-by-side diff, and rows of the pair table, at the most.
MAX_DIFFS = 200
MAX_TABLE_ROWS = 1000
MAX_CLUSTERS = 20
#: Which pairs are most worth a diff: the ones whose differences need explaining first.
_DIFF_PRIORITY = {"contains": 0, "rewrite": 0, "near-duplicate": 1, "overlap": 2, "exact": 3}
BINS = 20


@dataclass(frozen=True)
class ShownPair:
    pair: Pair
    alignment: tuple[AlignedSentence, ...]
    #: The facts that stand in place of others, and those that agree, next to the alignment.
    facts: FactComparison


def pairs_to_explain(pairs: Sequence[Pair], limit: int = MAX_DIFFS) -> list[Pair]:
    """The pairs that get a diff: contains first, then near-duplicates, overlaps, exact copies."""
    ranked = sorted(range(len(pairs)), key=lambda i: (_DIFF_PRIORITY[pairs[i].relation], i))
    return [pairs[i] for i in ranked[:limit]]


def histogram(values: Sequence[float], bins: int = BINS) -> list[int]:
    """Counts of values in `bins` equal bins over [0, 1] (1.0 falls in the last)."""
    counts = [0] * bins
    for value in values:
        counts[min(int(value * bins), bins - 1)] += 1
    return counts


def largest_clusters(members: Sequence[ClusterMember], limit: int) -> list[list[ClusterMember]]:
    """The `limit` largest clusters, each representative first; ties in cluster order."""
    by_cluster: dict[int, list[ClusterMember]] = {}
    for member in members:
        by_cluster.setdefault(member.cluster_id, []).append(member)
    ranked = sorted(by_cluster.values(), key=lambda c: (-len(c), c[0].cluster_id))
    return ranked[:limit]


def render_report(
    *,
    summary: Summary,
    options: Options,
    pairs: Sequence[Pair],
    clusters: Sequence[ClusterMember],
    texts: Mapping[str, str],
    furniture: Furniture,
    title: str = "neardup report",
) -> str:
    """The report as one HTML string; `texts` holds the texts of the pairs to explain, whose
    facts are read without the `furniture` the run left out (as the facts rule read them)."""
    shown = [
        ShownPair(
            p,
            align(texts[p.id_a], texts[p.id_b]),
            compare_facts(*(facts_of(story(texts[i], furniture)) for i in (p.id_a, p.id_b))),
        )
        for p in pairs_to_explain(pairs)
        if p.id_a in texts and p.id_b in texts
    ]
    template = load_template("report.html.j2")
    cluster_count = len({m.cluster_id for m in clusters})
    return template.render(
        title=title,
        summary=summary,
        options=options,
        relations=Counter(p.relation for p in pairs),
        jaccard_bins=histogram([p.jaccard for p in pairs]),
        containment_bins=histogram(
            [max(p.containment_a_in_b, p.containment_b_in_a) for p in pairs]
        ),
        bins=BINS,
        pairs=pairs[:MAX_TABLE_ROWS],
        pair_count=len(pairs),
        clusters=largest_clusters(clusters, MAX_CLUSTERS),
        cluster_count=cluster_count,
        shown=shown,
    )


def check_report(path: str | Path) -> Path:
    """The path, if it names an HTML file."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise OutputError(f"{path}: a report is an .html file")
    return path


def write_report(path: str | Path, html: str) -> None:
    """Write the report, creating its folder (renamed into place when complete, as every
    output is)."""
    write_file(check_report(path), lambda partial: partial.write_text(html, encoding="utf-8"))
