"""An alignment shown in a terminal: one line per sentence, coloured where the terminal allows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from neardup.core.align import OPS, AlignedSentence

_MARK = {"same": "=", "edited": "~", "added": "+", "removed": "-", "moved": ">", "boilerplate": "#"}
_STYLE = {
    "same": "dim",
    "edited": "yellow",
    "added": "green",
    "removed": "red",
    "moved": "cyan",
    "boilerplate": "bright_black italic",
}


def alignment_text(step: AlignedSentence) -> Text:
    """One aligned sentence: its mark, its op, and its words (changes marked in edits)."""
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
        return line
    line.append(
        step.b or step.a, style=None if step.op in ("added", "removed") else _STYLE[step.op]
    )
    return line


def show_alignment(alignment: Sequence[AlignedSentence], console: Console | None = None) -> None:
    """Print a count of each op, then the alignment, sentence by sentence."""
    console = console or Console(highlight=False, soft_wrap=True)
    counts = Counter(step.op for step in alignment)
    console.print(
        "alignment (A → B): " + ", ".join(f"{counts[op]} {op}" for op in OPS if counts[op])
    )
    for step in alignment:
        console.print(alignment_text(step))
