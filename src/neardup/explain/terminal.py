"""An alignment shown in a terminal: one line per sentence, coloured where the terminal allows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from neardup.core.align import OPS, AlignedSentence

#: Characters of one aligned sentence shown (unless everything is asked for): a text of
#: megabytes with no full stop would otherwise print all of itself on one line.
MAX_LINE_CHARACTERS = 2000
#: Facts listed at most on a line of `show_facts`.
MAX_FACTS = 30
_MARK = {"same": "=", "edited": "~", "added": "+", "removed": "-", "moved": ">", "boilerplate": "#"}
_STYLE = {
    "same": "dim",
    "edited": "yellow",
    "added": "green",
    "removed": "red",
    "moved": "cyan",
    "boilerplate": "bright_black italic",
}


def alignment_text(step: AlignedSentence, max_characters: int | None = None) -> Text:
    """One aligned sentence: its mark, its op, and its words (changes marked in edits); cut
    after `max_characters`, saying how many more there are."""
    line = Text(f"{_MARK[step.op]} {step.op:<11} ", style=_STYLE[step.op])
    if step.changes:
        for change in step.changes:
            if change.op == "equal":
                line.append(change.a)
            else:
                if change.a:
                    line.append(f"[-{change.a}-]", style="red strike")
                if change.b:
                    line.append(f"{{+{change.b}+}}", style="green")
            line.append(" ")
    else:
        line.append(
            step.b or step.a, style=None if step.op in ("added", "removed") else _STYLE[step.op]
        )
    if max_characters is None or len(line) <= max_characters:
        return line
    cut = line[:max_characters]
    cut.append(f"… ({len(line) - max_characters:,} more characters)", style="dim")
    return cut


def show_alignment(
    alignment: Sequence[AlignedSentence],
    console: Console | None = None,
    max_lines: int = 0,
) -> None:
    """Print a count of each op, then the alignment, sentence by sentence: at most `max_lines`
    sentences of at most MAX_LINE_CHARACTERS characters, then how many sentences are not
    shown (`max_lines` 0: everything, whole)."""
    console = console or Console(highlight=False, soft_wrap=True)
    counts = Counter(step.op for step in alignment)
    console.print(
        "alignment (A → B): " + ", ".join(f"{counts[op]} {op}" for op in OPS if counts[op])
    )
    shown = alignment[:max_lines] if max_lines else alignment
    for step in shown:
        console.print(alignment_text(step, MAX_LINE_CHARACTERS if max_lines else None))
    if len(shown) < len(alignment):
        console.print(
            f"… {len(alignment) - len(shown):,} more sentences not shown "
            "(use --json or --max-lines 0 for all)"
        )


def show_facts(differ: Sequence[str], agree: Sequence[str], console: Console | None = None) -> None:
    """The facts that stand in place of others ("March → April") and those found in both, on a
    line each (nothing when there are none), at most MAX_FACTS a line."""
    console = console or Console(highlight=False, soft_wrap=True)
    for what, facts, style in (("differ", differ, "yellow"), ("agree", agree, "dim")):
        if facts:
            line = Text(f"facts that {what}: ", style="bold")
            line.append(", ".join(facts[:MAX_FACTS]), style=style)
            if len(facts) > MAX_FACTS:
                line.append(f" … ({len(facts) - MAX_FACTS:,} more)", style="dim")
            console.print(line)
