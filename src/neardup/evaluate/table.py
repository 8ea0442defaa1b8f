"""Result tables, printed aligned on a terminal or as Markdown (for ACCURACY.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """A titled table of rows; cells are numbers (shown with 3 decimals) or text."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def cells(self) -> list[list[str]]:
        return [[_cell(v) for v in row] for row in self.rows]

    def text(self) -> str:
        """Aligned columns, numbers to the right.

        >>> print(Table("T", ["system", "F1"], [["neardup", 0.98765]]).text())
        T
        system      F1
        -------  -----
        neardup  0.988
        """
        cells = self.cells()
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(self.columns)]

        def line(row: list[str], raw: list[Any] | None) -> str:
            parts = []
            for i, value in enumerate(row):
                numeric = raw is not None and isinstance(raw[i], int | float)
                parts.append(value.rjust(widths[i]) if numeric else value.ljust(widths[i]))
            return "  ".join(parts).rstrip()

        numeric_columns = [
            any(isinstance(r[i], int | float) for r in self.rows) for i in range(len(self.columns))
        ]
        header = "  ".join(
            c.rjust(widths[i]) if numeric_columns[i] else c.ljust(widths[i])
            for i, c in enumerate(self.columns)
        ).rstrip()
        out = [self.title, header, "  ".join("-" * w for w in widths)]
        out += [line(c, r) for c, r in zip(cells, self.rows, strict=True)]
        if self.note:
            out.append(self.note)
        return "\n".join(out)

    def markdown(self) -> str:
        """A Markdown table under a bold title."""
        out = [f"**{self.title}**", "", "| " + " | ".join(self.columns) + " |"]
        out.append("|" + "|".join(" --- " for _ in self.columns) + "|")
        out += ["| " + " | ".join(row) + " |" for row in self.cells()]
        if self.note:
            out += ["", self.note]
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
        }


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
