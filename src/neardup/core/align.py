"""Explain a pair sentence by sentence: same, edited, added, removed, moved, boilerplate.

Sentences are compared by their normal form, so re-typed quotes and ellipses do not count as
edits. The order-keeping alignment comes from difflib over the sentences; inside a block that
differs, sentences are paired by word similarity (in order) as `edited`; what is left is `added`
or `removed`, unless the same sentence stands elsewhere on the other side: then it is `moved`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from neardup.core.normalize import normalize
from neardup.core.segment import Sentence, segments

_PUNCTUATION = re.compile(r"^\W+|\W+$")
#: The ops of an alignment; page furniture is `boilerplate`, its name in every output.
OPS = ("same", "edited", "added", "removed", "moved", "boilerplate")
#: Two sentences are one `edited` sentence at or above this word similarity (difflib ratio).
EDITED_SIMILARITY = 0.5
#: A removed and an added sentence are one `moved` sentence at or above this similarity.
MOVED_SIMILARITY = 0.9
#: Sentence comparisons a differing block may cost; past that (two long unrelated texts), its
#: sentences are shown as removed and added without pairing, so an alignment never hangs.
MAX_COMPARISONS = 40_000


@dataclass(frozen=True)
class WordChange:
    """A run of words: `equal`, `replace`, `insert` (only in b) or `delete` (only in a)."""

    op: str
    a: str
    b: str


@dataclass(frozen=True)
class AlignedSentence:
    """One step of an alignment; `a` or `b` is empty where the sentence is on one side only."""

    op: str
    a: str
    b: str
    changes: tuple[WordChange, ...] = ()

    def to_dict(self) -> dict[str, object]:
        row: dict[str, object] = {"op": self.op, "a": self.a, "b": self.b}
        if self.changes:
            row["changes"] = [[c.op, c.a, c.b] for c in self.changes if c.op != "equal"]
        return row


def word_changes(a: str, b: str) -> tuple[WordChange, ...]:
    """The word-level diff of two sentences, compared by normal form, shown in their own words."""
    words_a, words_b = a.split(), b.split()
    keys_a, keys_b = [_word_key(w) for w in words_a], [_word_key(w) for w in words_b]
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    return tuple(
        WordChange(op, " ".join(words_a[i1:i2]), " ".join(words_b[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    )


def _word_key(word: str) -> str:
    """A word as compared: normalized, without the punctuation around it."""
    normal = normalize(word)
    return _PUNCTUATION.sub("", normal) or normal


def similarity(a: str, b: str) -> float:
    """Word similarity of two sentences (difflib ratio over normalized words)."""
    return SequenceMatcher(None, normalize(a).split(), normalize(b).split(), autojunk=False).ratio()


def align(a: str, b: str) -> tuple[AlignedSentence, ...]:
    """The sentence alignment of text `b` against text `a`."""
    segs_a, segs_b = segments(a), segments(b)
    text_a = [s for s in segs_a if not s.furniture]
    text_b = [s for s in segs_b if not s.furniture]
    steps = _align_sentences(text_a, text_b)
    steps = _find_moves(steps)
    return _with_furniture(steps, segs_a, segs_b)


def _align_sentences(a: list[Sentence], b: list[Sentence]) -> list[AlignedSentence]:
    keys_a = [normalize(s.text) for s in a]
    keys_b = [normalize(s.text) for s in b]
    steps: list[AlignedSentence] = []
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            steps += [
                AlignedSentence("same", a[i].text, b[j].text)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
        else:
            steps += _pair_block([s.text for s in a[i1:i2]], [s.text for s in b[j1:j2]])
    return steps


def _pair_block(a: list[str], b: list[str]) -> list[AlignedSentence]:
    """Pair the sentences of a differing block in order, most similar first; the rest one-sided."""
    if len(a) * len(b) > MAX_COMPARISONS:
        return [AlignedSentence("removed", x, "") for x in a] + [
            AlignedSentence("added", "", y) for y in b
        ]
    scores = sorted(
        ((similarity(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)), reverse=True
    )
    pairs: dict[int, int] = {}
    for score, i, j in scores:
        if score < EDITED_SIMILARITY:
            break
        # Keep the pairing monotonic: no crossing with pairs already taken.
        if i in pairs or j in pairs.values():
            continue
        if all((i < pi) == (j < pj) for pi, pj in pairs.items()):
            pairs[i] = j
    steps: list[AlignedSentence] = []
    next_b = 0
    for i, x in enumerate(a):
        if i not in pairs:
            steps.append(AlignedSentence("removed", x, ""))
            continue
        j = pairs[i]
        steps += [AlignedSentence("added", "", y) for y in b[next_b:j]]
        steps.append(AlignedSentence("edited", x, b[j], word_changes(x, b[j])))
        next_b = j + 1
    steps += [AlignedSentence("added", "", y) for y in b[next_b:]]
    return steps


def _find_moves(steps: list[AlignedSentence]) -> list[AlignedSentence]:
    """A removed sentence that stands, (nearly) the same, among the added ones was moved."""
    added = [k for k, s in enumerate(steps) if s.op == "added"]
    removed = sum(s.op == "removed" for s in steps)
    if removed * len(added) > MAX_COMPARISONS:
        return steps
    out = list(steps)
    dropped: set[int] = set()
    for k, step in enumerate(steps):
        if step.op != "removed":
            continue
        for m in added:
            if m not in dropped and similarity(step.a, steps[m].b) >= MOVED_SIMILARITY:
                # Shown where it now stands in b.
                changes = word_changes(step.a, steps[m].b)
                out[m] = AlignedSentence("moved", step.a, steps[m].b, changes)
                dropped.add(k)
                added.remove(m)
                break
    return [s for k, s in enumerate(out) if k not in dropped]


def _with_furniture(
    steps: list[AlignedSentence], segs_a: list[Sentence], segs_b: list[Sentence]
) -> tuple[AlignedSentence, ...]:
    """Put each piece of furniture back where it stands, before the sentence that follows it."""
    furniture_b = _furniture_before(segs_b)
    furniture_a = _furniture_before(segs_a)
    out: list[AlignedSentence] = []
    index_a = index_b = 0
    for step in steps:
        if step.a and step.op != "moved":  # a moved sentence is shown where it stands in b
            out += [AlignedSentence("boilerplate", f, "") for f in furniture_a.pop(index_a, [])]
            index_a += 1
        if step.b:
            out += [AlignedSentence("boilerplate", "", f) for f in furniture_b.pop(index_b, [])]
            index_b += 1
        out.append(step)
    for rest in sorted(furniture_a):
        out += [AlignedSentence("boilerplate", f, "") for f in furniture_a[rest]]
    for rest in sorted(furniture_b):
        out += [AlignedSentence("boilerplate", "", f) for f in furniture_b[rest]]
    return tuple(out)


def _furniture_before(segs: list[Sentence]) -> dict[int, list[str]]:
    """Furniture keyed by the index of the next real sentence (among the real sentences)."""
    before: dict[int, list[str]] = {}
    index = 0
    for seg in segs:
        if seg.furniture:
            before.setdefault(index, []).append(seg.text)
        else:
            index += 1
    return before
