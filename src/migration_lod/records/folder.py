"""The data folder: what it may hold, read the same way by every command.

A data folder holds one record file per kind (iscms.yaml, practices.csv, ...), the dataset's description
(dataset.yaml) and, optionally, vendored vocabularies (external/). Anything else is an error naming the
kinds that exist, unless the curator says it is deliberate (`ignore` globs); hidden files (.git, .DS_Store)
are left alone. A symbolic link that leads out of the folder is refused unless links are followed, and a
file larger than the limit is refused with its size.
"""

from __future__ import annotations

import fnmatch
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from migration_lod.outputs import EXAMPLE, write_output
from migration_lod.problems import InputError, Problem
from migration_lod.records.formats import RECORD_SUFFIXES
from migration_lod.records.kinds import KIND_BY_STEM
from migration_lod.resources import example_dir

METADATA_FILE = "dataset.yaml"
EXTERNAL_DIR = "external"
MIB = 1 << 20


@dataclass(frozen=True)
class ReadOptions:
    """How a data folder is read: entries deliberately there, links, and the largest record file."""

    ignore: tuple[str, ...] = ()
    follow_links: bool = False
    max_file_bytes: int = 256 * MIB


def _kinds() -> str:
    return ", ".join(f"{stem}{RECORD_SUFFIXES[0]}" for stem in sorted(KIND_BY_STEM))


def check_file(path: Path, options: ReadOptions, shown: str | None = None) -> Problem | None:
    """What is wrong with reading `path` as a record file (too large), or None."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(f"cannot read the file: {exc.strerror or exc}", shown or str(path))
    if size > options.max_file_bytes:
        return Problem(f"the file is {size:,} bytes, more than the limit of {options.max_file_bytes:,} "
                       "(--max-file-mib)", shown or str(path))
    return None


def _leaves(entry: Path, folder: Path) -> bool:
    """True for a symbolic link that leads out of the folder."""
    if not entry.is_symlink():
        return False
    target = entry.resolve()
    return folder.resolve() not in target.parents


def record_files(folder: Path | str, options: ReadOptions | None = None) -> list[Path]:
    """The record files of a data folder, in a stable order; InputError names every entry that is not one."""
    folder = Path(folder)
    options = options or ReadOptions()
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError([Problem(f"cannot read the folder: {exc.strerror or exc}", str(folder))]) from exc
    files, problems = [], []
    for entry in entries:
        name = entry.name
        if name.startswith(".") or any(fnmatch.fnmatch(name, pattern) for pattern in options.ignore):
            continue
        if _leaves(entry, folder) and not options.follow_links:
            problems.append(Problem(f"a link to {entry.resolve()}, outside the data folder (--follow-links "
                                    "reads it anyway)", str(entry)))
            continue
        if (name == METADATA_FILE and entry.is_file()) or (name == EXTERNAL_DIR and entry.is_dir()):
            continue
        stem, suffix = entry.stem, entry.suffix
        if stem in KIND_BY_STEM and suffix in RECORD_SUFFIXES and entry.is_file():
            problem = check_file(entry, options)
            if problem:
                problems.append(problem)
            else:
                files.append(entry)
        elif stem in KIND_BY_STEM and suffix in RECORD_SUFFIXES:
            problems.append(Problem("not a file: a record file of this name must be a file", str(entry)))
        else:
            problems.append(Problem(f"not a record file, {METADATA_FILE} nor {EXTERNAL_DIR}/: record files are "
                                    f"named after their kind ({_kinds()}; also .json or .csv); --ignore "
                                    "takes what is there on purpose", str(entry)))
    if problems:
        raise InputError(problems)
    return files


def external_files(folder: Path) -> list[Path]:
    """The vendored vocabularies of a data folder (external/*.ttl), in a stable order."""
    return sorted((folder / EXTERNAL_DIR).glob("*.ttl"))


def all_files(folder: Path, options: ReadOptions) -> Iterable[Path]:
    """Every file the build reads from a data folder: the record files, the description, the vocabularies."""
    return [*record_files(folder, options), folder / METADATA_FILE, *external_files(folder)]


def write_example(folder: Path) -> list[str]:
    """Write a small valid data folder to start from (records copied from the project's own data) into a
    missing or empty folder; return the names of its files."""
    def fill(staging: Path) -> list[str]:
        for path in sorted(example_dir().glob("*.yaml")):
            shutil.copy2(path, staging / path.name)
        return sorted(p.name for p in staging.iterdir())

    return write_output(folder, EXAMPLE, fill)
