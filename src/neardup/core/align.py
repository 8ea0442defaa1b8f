"""Explain a pair sentence by sentence: same, edited, added, removed, moved, boilerplate.

Sentences are compared by their words (the tokens of their normal form, as `exact` compares
texts), so re-typed quotes, ellipses or a missing full stop do not count as edits; a sentence
that runs two of the other text's together (a full stop missing) is cut where they meet. The
order-keeping alignment comes from difflib over the sentences; inside a block that differs,
sentences are paired by word similarity (in order) as `edited`; what is left is `added` or
`removed`, unless the same sentence stands elsewhere on the other side: then it is `moved`.
Words of scripts written without spaces are their characters, as in the shingles.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from neardup.core.segment import Sentence, segments
from neardup.core.tokens import UNSPACED, words

#: A word as the word diff shows it: a character of a script written without spaces (a token of
#: its own, as in the shingles), or a run of other characters between white space.
_SHOWN_WORD = re.compile(f"[{UNSPACED}]|[^\\s{UNSPACED}]+")
#: Where a sentence may be cut between two words: before a character of a script written without
#: spaces, or the first letter or digit of a run.
_CUT_POINT = re.compile(f"[{UNSPACED}]|(?<![^\\W_])[^\\W_]")
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
    """The word-level diff of two sentences, compared by their words, shown as they are written."""
    spans_a = [m.span() for m in _SHOWN_WORD.finditer(a)]
    spans_b = [m.span() for m in _SHOWN_WORD.finditer(b)]
    keys_a = [" ".join(words(a[i:j])) for i, j in spans_a]
    keys_b = [" ".join(words(b[i:j])) for i, j in spans_b]
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    return tuple(
        WordChange(op, _shown(a, spans_a[i1:i2]), _shown(b, spans_b[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    )


def _shown(text: str, spans: list[tuple[int, int]]) -> str:
    """The stretch of `text` from the first to the last of a run of word spans."""
    return text[spans[0][0] : spans[-1][1]] if spans else ""


def similarity(words_a: list[str], words_b: list[str]) -> float:
    """Word similarity of two sentences, given their words (difflib ratio)."""
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


class _WordsOf(dict[str, list[str]]):
    """The words of each sentence of an alignment, found once (a sentence is compared with many)."""

    def __missing__(self, text: str) -> list[str]:
        self[text] = found = words(text)
        return found


def align(a: str, b: str) -> tuple[AlignedSentence, ...]:
    """The sentence alignment of text `b` against text `a`."""
    words_of = _WordsOf()
    segs_a, segs_b = segments(a), segments(b)
    text_a, text_b = _text(segs_a), _text(segs_b)
    blocks = _blocks(text_a, text_b, words_of)
    cut = _cut_run_together(text_a, text_b, blocks, words_of)
    if cut:  # the sentences changed: align them anew
        segs_a, segs_b = _with_pieces(segs_a, cut[0]), _with_pieces(segs_b, cut[1])
        text_a, text_b = _text(segs_a), _text(segs_b)
        blocks = _blocks(text_a, text_b, words_of)
    steps = _align_sentences(text_a, text_b, blocks, words_of)
    steps = _find_moves(steps, words_of)
    return _with_furniture(steps, segs_a, segs_b)


def _text(segs: list[Sentence]) -> list[Sentence]:
    """The sentences that are not furniture, which are what is aligned."""
    return [s for s in segs if not s.furniture]


def _blocks(
    a: list[Sentence], b: list[Sentence], words_of: _WordsOf
) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes over the sentences' words."""
    keys_a = [" ".join(words_of[s.text]) for s in a]
    keys_b = [" ".join(words_of[s.text]) for s in b]
    return SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes()


def _cut_run_together(
    text_a: list[Sentence],
    text_b: list[Sentence],
    blocks: list[tuple[str, int, int, int, int]],
    words_of: _WordsOf,
) -> tuple[dict[int, list[Sentence]], dict[int, list[Sentence]]] | None:
    """Where consecutive sentences of one text hold the same words as consecutive sentences of
    the other, cut differently (a full stop missing on one side runs two sentences together),
    cut each of them where either text ends a sentence, so that the pieces align one to one:
    the pieces of each sentence cut, by its place in `text_a` or `text_b` (None where none is
    cut). `blocks` are the sentences' difflib opcodes."""
    cuts_a: dict[int, list[Sentence]] = {}
    cuts_b: dict[int, list[Sentence]] = {}
    for op, i1, i2, j1, j2 in blocks:
        if op == "equal" or (i2 - i1) * (j2 - j1) > MAX_COMPARISONS:
            continue
        words_a = [words_of[s.text] for s in text_a[i1:i2]]
        words_b = [words_of[s.text] for s in text_b[j1:j2]]
        for i, k, j, m in _joint_runs(words_a, words_b):
            pieces_a = _cut_at(text_a[i1 + i : i1 + k], words_a[i:k], words_b[j:m])
            pieces_b = _cut_at(text_b[j1 + j : j1 + m], words_b[j:m], words_a[i:k])
            if pieces_a is not None and pieces_b is not None:
                cuts_a.update({i1 + i + n: p for n, p in enumerate(pieces_a)})
                cuts_b.update({j1 + j + n: p for n, p in enumerate(pieces_b)})
    return (cuts_a, cuts_b) if cuts_a else None


def _joint_runs(
    words_a: list[list[str]], words_b: list[list[str]]
) -> list[tuple[int, int, int, int]]:
    """(i, k, j, m) for runs of sentences a[i:k] and b[j:m] that hold the same words in all and
    are cut differently (more than one sentence on a side), in order, not overlapping."""
    runs = []
    i = j_from = 0
    while i < len(words_a):
        for j in range(j_from, len(words_b)):
            end = _joint_end(words_a, words_b, i, j)
            if end is not None:
                runs.append((i, end[0], j, end[1]))
                i, j_from = end
                break
        else:
            i += 1
    return runs


def _joint_end(
    words_a: list[list[str]], words_b: list[list[str]], i: int, j: int
) -> tuple[int, int] | None:
    """(k, m) when a[i:k] and b[j:m] hold the same words, with more than two sentences in all."""
    if not words_a[i] or not words_b[j] or words_a[i][0] != words_b[j][0]:
        return None
    joined_a, joined_b = list(words_a[i]), list(words_b[j])
    k, m = i + 1, j + 1
    while joined_a != joined_b:
        if len(joined_a) < len(joined_b):
            if joined_b[: len(joined_a)] != joined_a or k == len(words_a):
                return None
            joined_a += words_a[k]
            k += 1
        else:
            if joined_a[: len(joined_b)] != joined_b or m == len(words_b):
                return None
            joined_b += words_b[m]
            m += 1
    return (k, m) if k - i + m - j > 2 else None


def _cut_at(
    sentences: list[Sentence], own: list[list[str]], other: list[list[str]]
) -> list[list[Sentence]] | None:
    """Each sentence of a run cut where either side's run ends a sentence (as word counts into
    the run); None when a cut falls inside a word as written."""
    ends = {sum(map(len, side[:n])) for side in (own, other) for n in range(1, len(side))}
    out = []
    start = 0
    for sentence, its_words in zip(sentences, own, strict=True):
        inside = sorted(e - start for e in ends if start < e < start + len(its_words))
        texts = _cut(sentence.text, inside)
        if texts is None:
            return None
        out.append([Sentence(t, sentence.paragraph) for t in texts])
        start += len(its_words)
    return out


def _cut(text: str, counts: list[int]) -> list[str] | None:
    """`text` cut where `counts[0]`, `counts[1]`, … of its words are behind (in increasing
    order); None where no cut point stands there."""
    points = []
    done = start = 0
    for point in _CUT_POINT.finditer(text):
        if len(points) == len(counts):
            break
        done += len(words(text[start : point.start()]))
        start = point.start()
        if done == counts[len(points)]:
            points.append(start)
    pieces = [text[x:y].strip() for x, y in itertools.pairwise([0, *points, len(text)])]
    # Counted piece by piece, words could differ from the whole's (normalization looks at
    # neighbouring characters): the pieces must be exactly the whole's words, cut as asked.
    whole = words(text)
    expected = [whole[x:y] for x, y in itertools.pairwise([0, *counts, len(whole)])]
    return pieces if [words(p) for p in pieces] == expected else None


def _with_pieces(segs: list[Sentence], cuts: dict[int, list[Sentence]]) -> list[Sentence]:
    """`segs` with the sentences that were cut (by their place among those that are not
    furniture) replaced by their pieces."""
    place = itertools.count()
    return [
        piece
        for seg in segs
        for piece in ([seg] if seg.furniture else cuts.get(next(place), [seg]))
    ]


def _align_sentences(
    a: list[Sentence],
    b: list[Sentence],
    blocks: list[tuple[str, int, int, int, int]],
    words_of: _WordsOf,
) -> list[AlignedSentence]:
    steps: list[AlignedSentence] = []
    for op, i1, i2, j1, j2 in blocks:
        if op == "equal":
            steps += [
                AlignedSentence("same", a[i].text, b[j].text)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
        else:
            steps += _pair_block([s.text for s in a[i1:i2]], [s.text for s in b[j1:j2]], words_of)
    return steps


def _pair_block(a: list[str], b: list[str], words_of: _WordsOf) -> list[AlignedSentence]:
    """Pair the sentences of a differing block in order, most similar first; the rest one-sided."""
    if len(a) * len(b) > MAX_COMPARISONS:
        return [AlignedSentence("removed", x, "") for x in a] + [
            AlignedSentence("added", "", y) for y in b
        ]
    scores = sorted(
        (
            (similarity(words_of[x], words_of[y]), i, j)
            for i, x in enumerate(a)
            for j, y in enumerate(b)
        ),
        reverse=True,
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


def _find_moves(steps: list[AlignedSentence], words_of: _WordsOf) -> list[AlignedSentence]:
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
            if m in dropped:
                continue
            if similarity(words_of[step.a], words_of[steps[m].b]) >= MOVED_SIMILARITY:
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
