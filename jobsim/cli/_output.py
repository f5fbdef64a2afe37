"""Output helpers of the command line (layer 7): tables (with rich when installed), CSV, and
the files a command writes (checked before a run starts, reported by name if writing fails)."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from jobsim.errors import JobsimError

__all__ = ["OutputFiles", "check_output_path", "csv_text", "print_table"]


def check_output_path(path: str, option: str) -> Path:
    """Refuse, before any work, a file a command could not write: its folder must exist and be
    writable, and the path must not be a folder."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        msg = f"{option} {path}: folder {str(folder)!r} does not exist; create it or pass another"
        raise JobsimError(msg)
    if target.is_dir():
        msg = f"{option} {path}: is a folder; pass a file name"
        raise JobsimError(msg)
    writable = os.access(target, os.W_OK) if target.exists() else os.access(folder, os.W_OK)
    if not writable:
        msg = f"{option} {path}: not writable; pass a file in a folder you can write to"
        raise JobsimError(msg)
    return target


class OutputFiles:
    """Writes a command's files after its run; a failure is remembered (not raised) so the
    summary still prints, and :meth:`raise_failures` names every file that could not be written."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def write(self, option: str, path: str, writer: Callable[[], str]) -> None:
        """Run ``writer`` (writes the file, returns the line to show on stderr)."""
        try:
            line = writer()
        except OSError as error:
            self.failures.append(f"{option} {path}: could not write it ({error.strerror})")
            return
        print(line, file=sys.stderr)

    def raise_failures(self) -> None:
        if self.failures:
            raise JobsimError("; ".join(self.failures))


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
