"""Reconciling a column of a CSV file without OpenRefine: each row gets its best candidate, score and match.

The table comes back with four columns added (RESULT_COLUMNS). Each distinct value is matched once. The
file is a user's: its size is bounded, and a file that is not UTF-8 CSV, lacks the column or already has
the result columns is refused with its name, line and column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from migration_lod.problems import InputError, Problem
from migration_lod.reconcile.match import Query, candidates
from migration_lod.reconcile.service import MAX_TEXT, ReconciliationService

RESULT_COLUMNS = ("reconciled_id", "reconciled_name", "reconciled_score", "reconciled_match")
MAX_TABLE_BYTES = 64 << 20


def reconcile_table(path: Path, column: str, type_key: str | None, service: ReconciliationService
                    ) -> tuple[str, int, int]:
    """The CSV text of the table with the result columns, its number of rows, and how many have a match."""
    try:
        if path.stat().st_size > MAX_TABLE_BYTES:
            raise InputError([Problem(f"larger than {MAX_TABLE_BYTES >> 20} MiB", str(path))])
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError([Problem("not UTF-8 text", str(path), line=line)]) from exc
    except OSError as exc:
        raise InputError([Problem(f"cannot read: {exc.strerror or exc}", str(path))]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError([Problem("empty: a header line naming the columns is expected", str(path))])
        if column not in header:
            raise InputError([Problem(f"no column {column!r}; the columns are {', '.join(header)}", str(path),
                                      line=1, field=column)])
        taken = [name for name in RESULT_COLUMNS if name in header]
        if taken:
            raise InputError([Problem(f"already has the column {taken[0]!r} that reconcile adds", str(path),
                                      line=1, field=taken[0])])
        position = header.index(column)
        types = frozenset({type_key}) if type_key else frozenset()
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*header, *RESULT_COLUMNS])
        found: dict[str, list[str]] = {}
        rows = matches = 0
        for row in reader:
            value = row[position].strip() if position < len(row) else ""
            if len(value) > MAX_TEXT:
                raise InputError([Problem(f"longer than {MAX_TEXT:,} characters", str(path),
                                          line=reader.line_num, field=column)])
            if value not in found:
                best = candidates(service.index, Query(value, types, 1)) if value else []
                found[value] = ([best[0].entity.iri, best[0].entity.name, f"{best[0].score:g}",
                                 "true" if best[0].match else "false"] if best else ["", "", "", ""])
            rows += 1
            matches += found[value][3] == "true"
            writer.writerow([*row, *[""] * (len(header) - len(row)), *found[value]])
    except csv.Error as exc:
        raise InputError([Problem(f"not CSV: {exc}", str(path), line=reader.line_num)]) from exc
    return out.getvalue(), rows, matches
