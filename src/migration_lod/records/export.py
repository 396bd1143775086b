"""Exporting records: one file per kind in a record format (records/formats), into a folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from migration_lod.outputs import EXPORT, check_output, write_output
from migration_lod.records.folder import EXTERNAL_DIR, METADATA_FILE, ReadOptions
from migration_lod.records.formats import RECORD_FORMATS
from migration_lod.records.load import Record, load_records


def export_records(records: list[Record], out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Write the records as one file per kind (iscms.csv, ...) into `out_dir`, which the caller has made and
    claimed (outputs.write_output); return the files."""
    record_format = RECORD_FORMATS[fmt]
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind.file_stem, []).append(record)
    written = []
    for stem, group in sorted(by_kind.items()):
        path = out_dir / f"{stem}{record_format.suffixes[0]}"
        record_format.write(group, path)
        written.append(path)
    return written


def export_folder(data_dir: Path, out_dir: Path, fmt: str = "csv", options: ReadOptions | None = None,
                  ) -> tuple[int, list[str]]:
    """Export the records of a data folder, with its dataset.yaml and external/, into `out_dir` (missing, empty
    or an earlier export, apart from the data folder; replaced only when every file is written); return the
    number of records and the names of the files."""
    check_output(out_dir, EXPORT, [data_dir])
    records = load_records(data_dir, options=options)

    def fill(staging: Path) -> list[str]:
        files = export_records(records, staging, fmt)
        if (data_dir / METADATA_FILE).is_file():
            shutil.copy2(data_dir / METADATA_FILE, staging / METADATA_FILE)
        if (data_dir / EXTERNAL_DIR).is_dir():
            shutil.copytree(data_dir / EXTERNAL_DIR, staging / EXTERNAL_DIR)
        return [f.name for f in files]

    return len(records), write_output(out_dir, EXPORT, fill, [data_dir])
