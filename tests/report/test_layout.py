"""`aicommons.report.layout`: a table when it fits, else one block per row; ids never broken."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from aicommons.report.layout import TEXT_MIN, Col, Listing

POOLS = [Col("pool", "id"), Col("nodes min/peak/max", "id"), Col("USD/month", "number"), Col("hosts")]
ROWS = [
    [
        "gpu-a100-mig-inference",
        "0/40/50",
        "12,794.69",
        "inference-mig, notebook and a long line of prose that wraps",
    ],
    ["core", "2/2/2", "521.22", "hub, proxy, system"],
]


def render(listing: Listing, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(listing)
    return out.getvalue()


def lines_of(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_column_widths_worked_by_hand() -> None:
    listing = Listing("pools", POOLS, ROWS)
    # ids and numbers: their longest value or heading word: pool 22 ("gpu-a100-mig-inference"),
    # nodes 12 ("min/peak/max" beats "0/40/50"), USD/month 9. Prose: longest word "inference-mig," 14,
    # raised to min(longest line 59, TEXT_MIN 24) = 24. Borders: 3 x 4 columns + 1 = 13.
    # Smallest table: 22 + 12 + 9 + 24 + 13 = 80.
    assert TEXT_MIN == 24
    assert listing.widths(79) is None
    assert listing.widths(80) == [22, 12, 9, 24]
    # 100 columns: 87 for cells, 20 spare; the prose wants 59 - 24 = 35 more, gets all 20.
    assert listing.widths(100) == [22, 12, 9, 44]
    # 119 columns: 106 for cells; the prose takes its 35 (102), the 4 left go to the heading
    # "nodes min/peak/max" (18 on one line, 6 more than 12).
    assert listing.widths(119) == [22, 16, 9, 59]
    # 200 columns: every column at its natural width, headings on one line.
    assert listing.widths(200) == [22, 18, 9, 59]


def test_wide_console_draws_a_table_narrow_one_a_list() -> None:
    listing = Listing("pools", POOLS, ROWS)
    wide = render(listing, 200)
    assert "┃ pool " in wide and "│ gpu-a100-mig-inference │" in wide
    narrow = render(listing, 60)
    assert "│" not in narrow
    assert lines_of(narrow)[:6] == [
        "pools",
        "- pool: gpu-a100-mig-inference",
        "  nodes min/peak/max: 0/40/50",
        "  USD/month: 12,794.69",
        "  hosts: inference-mig, notebook and a long line of",  # each line leaves room
        "    prose that wraps",  # for the 4-space indent of the next
    ]
    assert "- pool: core" in narrow


def test_no_id_is_broken_and_every_cell_is_present_at_any_width() -> None:
    listing = Listing("pools", POOLS, ROWS)
    for width in (40, 60, 79, 80, 100, 200):
        out = render(listing, width)
        tokens = {t.strip("│┃") for line in out.splitlines() for t in line.split()}
        for row in ROWS:
            for i, cell in enumerate(row):
                if POOLS[i].kind != "text":
                    assert cell in tokens, (width, cell)  # whole, on one line
                else:
                    assert all(word in tokens for word in cell.split()), (width, cell)
        assert max(len(line) for line in lines_of(out)) <= width


def test_a_word_longer_than_the_line_is_the_only_thing_folded() -> None:
    digest = "sha256:" + "0123456789abcdef" * 4
    out = render(Listing(None, [Col("chart", "id"), Col("digest", "id")], [["hub", digest]]), 50)
    lines = lines_of(out)
    assert lines[:2] == ["- chart: hub", "  digest:"]
    assert max(map(len, lines)) <= 50
    assert "".join(line.strip() for line in lines[2:]) == digest


def test_ditto_rows_repeat_the_row_above_only_in_the_list() -> None:
    rows = [["user", "m6i.4xlarge", "notebook"], ["", "m6i.large", ""]]
    cols = [Col("pool", "id"), Col("instance type", "id"), Col("hosts")]
    narrow = lines_of(render(Listing(None, cols, rows, ditto=True), 24))
    assert narrow == [
        "- pool: user",
        "  instance type:",
        "    m6i.4xlarge",
        "  hosts: notebook",
        "- pool: user",
        "  instance type:",
        "    m6i.large",
        "  hosts: notebook",
    ]
    wide = render(Listing(None, cols, rows, ditto=True), 80)
    assert "│      │ m6i.large     │          │" in wide


def test_strings_are_literal_and_text_keeps_its_style() -> None:
    listing = Listing(
        None, [Col("what"), Col("status", "id")], [["[red]not markup[/]", Text("failed", "red")]]
    )
    assert "[red]not markup[/]" in render(listing, 80)
    out = io.StringIO()
    Console(file=out, width=20, force_terminal=True, color_system="standard").print(listing)
    assert "\x1b[31mfailed" in out.getvalue()


def test_empty_cells_are_left_out_of_a_block() -> None:
    cols = [Col("release", "id"), Col("object", "id"), Col("finding"), Col("cause")]
    out = lines_of(render(Listing("admission", cols, [["", "", "no finding", ""]]), 30))
    assert out == ["admission", "- finding: no finding"]
