"""Tables that stay readable at any width: every command's tables go through `Listing`.

A rich table when it fits the console; otherwise one block per row of "field: value" lines, the
layout a CI log or a pipe (80 columns) can show. Names and ids are never broken: an ``id`` or
``number`` column is as wide as its longest value, and prose (``text``) wraps at spaces only.
A table is drawn only when every id fits whole and every text column keeps at least
`TEXT_MIN` columns (or its longest word, when longer); else the list layout is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

Kind = Literal["id", "number", "text"]
Cell = str | Text

TEXT_MIN = 24  # narrower prose columns read as a column of single words
_INDENT = "    "  # continuation lines of a value in the list layout


@dataclass(frozen=True)
class Col:
    """A column: its heading and what it holds (id: a name never broken; number: right-aligned,
    never broken; text: prose wrapped at spaces)."""

    head: str
    kind: Kind = "text"


def _text(cell: Cell) -> Text:
    """Plain strings are taken literally (a message with [brackets] is not rich markup)."""
    return cell if isinstance(cell, Text) else Text(cell)


def _lines(cell: Text) -> list[str]:
    return cell.plain.split("\n")


def _longest_word(texts: Iterable[str]) -> int:
    return max((cell_len(w) for t in texts for w in t.split()), default=0)


class Listing:
    """A titled table of rows, drawn as a table when it fits the console, else as a list."""

    def __init__(
        self,
        title: str | None,
        columns: Sequence[Col],
        rows: Iterable[Sequence[Cell]],
        *,
        ditto: bool = False,
    ):
        """`ditto`: a row whose first cell is blank continues the row above (a table's way of
        saying "same pool"); the list layout, where each block stands alone, repeats the blank
        cells from the row above."""
        self.title = title
        self.ditto = ditto
        self.columns = list(columns)
        self.rows = [[_text(c) for c in row] for row in rows]
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"a row of {len(row)} cells for {len(self.columns)} columns")

    # -- widths -------------------------------------------------------------------------------
    def _natural(self, i: int) -> int:
        """The width that shows every line of the column, and its heading, on one line each."""
        lines = [line for row in self.rows for line in _lines(row[i])]
        return max([cell_len(self.columns[i].head), *map(cell_len, lines)])

    def _minimum(self, i: int) -> int:
        """Ids and numbers whole (a heading may wrap at spaces); prose at least `TEXT_MIN` wide."""
        col = self.columns[i]
        lines = [line for row in self.rows for line in _lines(row[i])]
        if col.kind != "text":
            return max([_longest_word([col.head]), *map(cell_len, lines)])
        longest = max(map(cell_len, lines), default=0)
        return max(_longest_word([col.head, *lines]), min(longest, TEXT_MIN))

    def widths(self, width: int) -> list[int] | None:
        """Each column's width in a table `width` columns wide; None when the table does not fit.
        Room beyond the minimum goes to the prose first, then to headings of ids and numbers."""
        room = width - (3 * len(self.columns) + 1)  # a border and a space either side of each cell
        out = [self._minimum(i) for i in range(len(self.columns))]
        if sum(out) > room:
            return None
        natural = [self._natural(i) for i in range(len(self.columns))]
        for kinds in (("text",), ("id", "number")):
            spare = room - sum(out)
            lacking = [i for i, c in enumerate(self.columns) if c.kind in kinds and natural[i] > out[i]]
            want = sum(natural[i] - out[i] for i in lacking)
            if want <= spare:
                for i in lacking:
                    out[i] = natural[i]
                continue
            # share what is left in proportion to what each column lacks
            given = 0
            for i in lacking:
                add = (natural[i] - out[i]) * spare // want
                out[i] += add
                given += add
            for i in lacking[: spare - given]:  # the rounding remainder, one column each
                out[i] += 1
            break
        return out

    # -- rendering ----------------------------------------------------------------------------
    def table(self, widths: list[int]) -> Table:
        table = Table()  # the title is a line of its own: it wraps at the console's width, not the table's
        for col, w in zip(self.columns, widths, strict=True):
            table.add_column(
                Text(col.head, no_wrap=False, overflow="fold"),
                width=w,
                no_wrap=col.kind != "text",
                overflow="fold",  # never reached: each width holds the column's longest word
                justify="right" if col.kind == "number" else "left",
            )
        for row in self.rows:
            table.add_row(*row)
        return table

    def blocks(self, console: Console, width: int) -> list[Text]:
        """One block per row: "- field: value" then "  field: value"; empty cells are left out.
        A value wraps at spaces with its continuation lines indented; a value of several lines
        starts under its field, a line each. Only a word longer than a whole line is folded."""
        out: list[Text] = []
        if self.title:
            out.append(Text(self.title, style="table.title"))
        above: list[Text] = []
        for row in self.rows:
            if self.ditto and above and not row[0].plain.strip():
                row = [c if c.plain.strip() else a for c, a in zip(row, above, strict=True)]
            above = row
            first = True
            for col, cell in zip(self.columns, row, strict=True):
                if not cell.plain.strip():
                    continue
                lead = Text("- " if first else "  ")
                first = False
                label = Text(f"{col.head}:" if col.head else "")
                if "\n" not in cell.plain:
                    out += _hanging(console, lead + label + (" " if col.head else "") + cell, "", width)
                    continue
                out.append(lead + label)
                for part in cell.split("\n"):
                    out += _hanging(console, Text(_INDENT) + part, "  ", width)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.widths(options.max_width)
        if widths is not None:
            if self.title:
                yield Text(self.title, style="table.title")
            yield self.table(widths)
        else:
            yield from self.blocks(console, options.max_width)


def _hanging(console: Console, line: Text, more: str, width: int) -> list[Text]:
    """`line` wrapped at spaces, its continuation lines indented by `_INDENT` plus `more`."""
    indent = _INDENT + more
    wrapped = line.wrap(console, max(width - len(indent), 1), overflow="fold")
    out = []
    for k, part in enumerate(wrapped):
        part.rstrip()
        out.append(part if k == 0 else Text(indent) + part)
    return out
