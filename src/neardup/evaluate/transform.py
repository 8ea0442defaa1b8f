"""What happens to a news article between outlets, as functions of an article and a random source.

An article is a headline and paragraphs (:class:`Article`). Each transformation returns a new
article, leaving the original alone; all randomness comes from the `random.Random` passed in, so
a seed gives the same output. The rates are those of real copies, fixed before any measurement:
a copy editor changes a word or two in some sentences; an update adds paragraphs; a feed shows
the first paragraphs; good OCR of clean newsprint has a character error rate of 0.5-2%.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Article:
    """A headline and the paragraphs of the body."""

    headline: str
    paragraphs: tuple[str, ...]

    @staticmethod
    def parse(text: str) -> Article:
        """The first non-empty line is the headline; blank lines separate paragraphs.

        >>> Article.parse("Title\\n\\nFirst one.\\nstill first.\\n\\nSecond.").paragraphs
        ('First one. still first.', 'Second.')
        """
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text.strip())]
        blocks = [b for b in blocks if b]
        if not blocks:
            return Article("", ())
        lines = text.strip().splitlines()
        headline = lines[0].strip()
        first_rest = " ".join(blocks[0].split()[len(headline.split()) :])
        body = ([first_rest] if first_rest else []) + blocks[1:]
        return Article(headline, tuple(body))

    @property
    def text(self) -> str:
        return "\n\n".join([self.headline, *self.paragraphs]) if self.headline else self.body

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences (split after . ! ? and closing quotes, before a capital)."""
    return [s for s in re.split(r"(?<=[.!?\"”])\s+(?=[\"“‘']?[A-Z0-9])", paragraph) if s]


# -- re-typed punctuation ---------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')


def retype_punctuation(article: Article, rng: random.Random) -> Article:
    """Typographic quotes, apostrophes and dashes, an ellipsis character, HTML entities for
    ampersands, non-breaking spaces and re-wrapped lines: what a content system does to a wire
    story. The words are unchanged.

    >>> retype_punctuation(Article("Boss's pay - again", ('He said "no" ... & left.',)),
    ...                    random.Random(1)).text
    'Boss’s pay – again\\n\\nHe said “no” … &amp; left.'
    """
    dash = rng.choice(["–", "—", "&mdash;"])

    def retype(text: str) -> str:
        text = _QUOTED.sub(lambda m: f"“{m.group(1)}”", text)
        text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
        text = text.replace("&", "&amp;").replace(" - ", f" {dash} ").replace("...", "…")
        if rng.random() < 0.5:  # a non-breaking space before units and after titles
            text = re.sub(r"(?<=\d) (?=(?:m|bn|%|per|million|billion)\b)", "\u00a0", text)
            text = re.sub(r"\b(Mr|Mrs|Ms|Dr)\.? ", "\\1\u00a0", text)
        return _rewrap(text, rng.randrange(60, 90)) if rng.random() < 0.5 else text

    return Article(retype(article.headline), tuple(retype(p) for p in article.paragraphs))


def _rewrap(paragraph: str, width: int) -> str:
    lines, line = [], ""
    for word in paragraph.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


# -- light edits -------------------------------------------------------------------------------

#: Words a copy editor inserts, and replacements editors make in news copy.
_INSERTED = ("also", "now", "still", "reportedly", "however,", "already", "just", "recently")
_REPLACED = {
    "said": "told reporters",
    "says": "said",
    "told": "said to",
    "but": "although",
    "big": "large",
    "large": "big",
    "about": "around",
    "around": "about",
    "buy": "purchase",
    "firm": "company",
    "company": "firm",
    "show": "suggest",
    "shows": "suggests",
    "expected": "likely",
    "start": "begin",
    "help": "assist",
    "because": "as",
    "while": "whereas",
    "however": "but",
    "people": "individuals",
}


def light_edits(article: Article, rng: random.Random) -> Article:
    """A word or two changed, dropped or added in about one sentence in five, and now and then
    one sentence cut: a copy editor's pass."""
    paragraphs = [sentences(p) for p in article.paragraphs]
    slots = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p))]
    if not slots:
        return article
    count = min(len(slots), max(2, round(len(slots) * rng.uniform(0.15, 0.25))))
    for i, j in rng.sample(slots, count):
        for _ in range(rng.choice((1, 1, 2))):
            paragraphs[i][j] = _edit_sentence(paragraphs[i][j], rng)
    if len(slots) > 6 and rng.random() < 0.3:  # one sentence cut (never the first)
        i, j = rng.choice(slots[1:])
        paragraphs[i][j] = ""
    body = tuple(" ".join(s for s in p if s) for p in paragraphs)
    return Article(article.headline, tuple(p for p in body if p))


def _edit_sentence(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    if len(words) < 4:
        return sentence
    replaceable = [k for k, w in enumerate(words) if w.lower() in _REPLACED]
    choice = rng.random()
    if replaceable and choice < 0.4:
        k = rng.choice(replaceable)
        words[k] = _REPLACED[words[k].lower()]
    elif choice < 0.7:  # drop a word of the middle (an adjective, an adverb, a clause word)
        k = rng.randrange(1, len(words) - 1)
        if words[k][-1] not in '.,;:!?"”':
            del words[k]
    else:
        words.insert(rng.randrange(1, len(words)), rng.choice(_INSERTED))
    return " ".join(words)


# -- expansion, excerpts, moved paragraphs -----------------------------------------------------


def expand(article: Article, donor: Article, rng: random.Random) -> Article:
    """An updated version: 30-120% more words in new paragraphs (from `donor`, another story),
    added in one or two blocks after the first paragraph, and often a new headline."""
    target = article.words * rng.uniform(0.3, 1.2)
    new: list[str] = []
    for paragraph in donor.paragraphs:
        if sum(len(p.split()) for p in new) >= target:
            break
        new.append(paragraph)
    body = list(article.paragraphs)
    split = rng.randrange(len(new) + 1) if rng.random() < 0.5 else len(new)
    for block in (new[split:], new[:split]):
        at = rng.randrange(min(1, len(body)), len(body) + 1)
        body[at:at] = block
    headline = donor.headline if rng.random() < 0.5 else article.headline
    return Article(headline, tuple(body))


def excerpt(article: Article, rng: random.Random) -> Article:
    """The first sentences (as a feed or a teaser shows them), or in one case of three a run
    from further on: 20-60% of the words, cut at a sentence end."""
    share = rng.uniform(0.2, 0.6)
    runs = [sentences(p) for p in article.paragraphs]
    flat = [(i, s) for i, run in enumerate(runs) for s in run]
    start = rng.randrange(1, max(2, len(flat) // 2)) if rng.random() < 1 / 3 else 0
    kept: dict[int, list[str]] = {}
    words = 0
    for i, sentence in flat[start:]:
        if words and words + len(sentence.split()) > share * article.words:
            break
        kept.setdefault(i, []).append(sentence)
        words += len(sentence.split())
    body = tuple(" ".join(run) for run in kept.values())
    return Article(article.headline if start == 0 else "", body)


def move_paragraphs(article: Article, rng: random.Random) -> Article:
    """One to three paragraphs moved elsewhere, as an editor reorders a story.

    >>> move_paragraphs(Article("", ("one", "two", "three")), random.Random(1)).paragraphs
    ('three', 'one', 'two')
    """
    body = list(article.paragraphs)
    if len(body) < 3:
        return article
    for _ in range(rng.randint(1, min(3, len(body) - 1))):
        at = rng.randrange(len(body))
        paragraph = body.pop(at)
        body.insert(rng.choice([k for k in range(len(body) + 1) if k != at]), paragraph)
    return replace(article, paragraphs=tuple(body))


# -- page furniture ----------------------------------------------------------------------------

#: What scrapers keep of a page around the story (the BBC's own and other sites').
FURNITURE = (
    "Media playback is unsupported on your device",
    "Your browser doesn't support HTML5 video",
    "Advertisement",
    "Share this with Facebook Twitter Email",
    "Sign up for our morning newsletter",
    "Related Topics",
    "Copyright 2005 BBC. All rights reserved.",
    "Click here to subscribe",
    "Image caption",
)
_LINKS = ("SEE ALSO:", "READ MORE:", "RELATED:", "Read more:")


def add_furniture(article: Article, other_headlines: list[str], rng: random.Random) -> Article:
    """Two to five bits of page furniture between paragraphs; link headlines ("SEE ALSO: …"
    with another story's headline) are often glued to the next sentence with no space, as
    scrapers leave them."""
    body = list(article.paragraphs)
    for _ in range(rng.randint(2, 5)):
        at = rng.randrange(len(body) + 1)
        if rng.random() < 0.5 and other_headlines:
            link = f"{rng.choice(_LINKS)} {rng.choice(other_headlines)}"
            if at < len(body) and rng.random() < 0.7:
                body[at] = link + body[at]  # glued: "SEE ALSO: Other storyThe minister said"
            else:
                body.insert(at, link)
        else:
            body.insert(at, rng.choice(FURNITURE))
    return replace(article, paragraphs=tuple(body))


# -- OCR noise ---------------------------------------------------------------------------------

#: Character confusions of OCR engines on newsprint (either direction).
_CONFUSIONS = (
    ("rn", "m"),
    ("m", "rn"),
    ("l", "1"),
    ("I", "l"),
    ("O", "0"),
    ("e", "c"),
    ("c", "e"),
    ("h", "b"),
    ("u", "n"),
    ("n", "u"),
    ("i", "l"),
    ("S", "5"),
    ("cl", "d"),
    ("d", "cl"),
    ("f", "t"),
    ("t", "f"),
    (".", ","),
)


def ocr_noise(article: Article, rng: random.Random, rate: float | None = None) -> Article:
    """Character errors at `rate` (by default drawn from 0.5-2%, good OCR of clean print):
    confusions (rn/m, l/1, e/c …), dropped characters, spaces lost or split into words, and
    words hyphenated at line ends."""
    rate = rng.uniform(0.005, 0.02) if rate is None else rate

    def noisy(text: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            if rng.random() >= rate:
                out.append(text[i])
                i += 1
                continue
            kind = rng.random()
            pair = next(
                (p for p in rng.sample(_CONFUSIONS, len(_CONFUSIONS)) if text.startswith(p[0], i)),
                None,
            )
            if pair is not None and kind < 0.6:
                out.append(pair[1])
                i += len(pair[0])
            elif kind < 0.8:  # a dropped character (a dropped space runs two words together)
                i += 1
            elif kind < 0.9 and text[i].isalpha():  # a word split by a space
                out.append(text[i] + " ")
                i += 1
            elif text[i].isalpha():  # hyphenated at a line end
                out.append(text[i] + "-\n")
                i += 1
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    return Article(noisy(article.headline), tuple(noisy(p) for p in article.paragraphs))


# -- negatives: the same template with other numbers -------------------------------------------

#: A number of its own ("42", "1.5" in "£1.5bn", "2005"), not digits inside a name ("G8", "ITV1").
_NUMBER = re.compile(r"(?<![A-Za-z0-9])\d+")


def count_numbers(article: Article) -> int:
    """How many runs of digits the body has."""
    return len(_NUMBER.findall(article.body))


def other_numbers(article: Article, rng: random.Random) -> Article:
    """Every number replaced by another with as many digits: the same template reporting other
    facts (prices, scores, dates), as daily market or results notices do.

    >>> other_numbers(Article("", ("Profit rose 12% to £2.5bn in 2004, G8 said.",)),
    ...               random.Random(1)).body
    'Profit rose 27% to £9.1bn in 5179, G8 said.'
    """

    def change(match: re.Match[str]) -> str:
        digits = match.group(0)
        while True:
            low = 10 ** (len(digits) - 1) if len(digits) > 1 else 0
            new = str(rng.randrange(low, 10 ** len(digits)))
            if new != digits:
                return new

    return Article(
        _NUMBER.sub(change, article.headline),
        tuple(_NUMBER.sub(change, p) for p in article.paragraphs),
    )
