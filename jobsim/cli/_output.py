"""Output helpers of the command line (layer 7): tables (with rich when installed) and CSV."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence
from typing import IO, Any

__all__ = ["csv_text", "print_table"]


def _rich_console(out: IO[str]) -> Any:
    try:
        from rich.console import Console
    except ImportError:  # pragma: no cover - rich ships with the dev extra
        return None
    width = None if out.isatty() else 200  # pipes and files: no wrapping of columns
    return Console(file=out, highlight=False, soft_wrap=True, width=width)


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    console = _rich_console(sys.stdout)
    if console is not None:
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for index, name in enumerate(header):
            table.add_column(name, justify="left" if index == 0 and not rows else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(header)]
    print(title)
    print("  ".join(name.rjust(width) for name, width in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def csv_text(rows: list[dict[str, Any]], fields: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")
