"""Output folders: written only when missing, empty, or this tool's earlier output of the same kind, and
never over the data they are made from; always atomically.

A folder the tool writes carries a marker file naming what it is and the files it holds. Writing fills a
staging folder beside the target, marks it, and swaps it in place of the target only when everything is
there: a failure leaves the earlier output untouched, and nothing the tool did not write is ever deleted.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from migration_lod.problems import InputError, Problem

MARKER = ".migration-lod"  # JSON: the tool, the kind of output, the files it wrote
TOOL = "migration-lod"
SHOWN_NAMES = 5  # names of foreign files quoted in a refusal
T = TypeVar("T")


@dataclass(frozen=True)
class OutputKind:
    """What the tool writes into a folder, what of an earlier output of the kind a new one keeps, and whether
    an earlier one may be replaced at all (not when it becomes the user's own files, as init's does)."""

    name: str
    keep: tuple[str, ...] = ()
    replaceable: bool = True
    # Whether an unmarked folder (the folder's entries given) is one written before folders were marked.
    unmarked: Callable[[Path, set[str]], bool] | None = None


EXPORT = OutputKind("export")
SYNTHETIC = OutputKind("synthetic data")
EXAMPLE = OutputKind("example data", replaceable=False)  # the start of someone's data folder


def _refuse(out: Path, why: str) -> InputError:
    return InputError([Problem(f"not written: {why}", str(out))])


def _names(names: Iterable[str]) -> str:
    listed = sorted(names)
    shown = ", ".join(listed[:SHOWN_NAMES])
    return shown + (f" and {len(listed) - SHOWN_NAMES} more" if len(listed) > SHOWN_NAMES else "")


def _marker(folder: Path) -> dict | None:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("tool") != TOOL or not isinstance(marker.get("files"), list):
        return None
    return marker


def check_output(out: Path, kind: OutputKind, inputs: Iterable[Path] = ()) -> None:
    """Raise InputError unless writing `kind` into `out` can destroy nothing: not an input folder, inside one
    or around one; missing, empty, or this tool's earlier output of the same kind with nothing added."""
    target = out.resolve()
    for source in inputs:
        source = source.resolve()
        if target == source or source in target.parents or target in source.parents:
            raise _refuse(out, f"it is, holds or lies inside the input folder {source}: writing there would "
                               "replace the input")
    if not out.exists():
        return
    if not out.is_dir():
        raise _refuse(out, "it exists and is not a folder")
    try:
        entries = {p.name for p in out.iterdir()}
    except OSError as exc:
        raise _refuse(out, f"the folder cannot be read ({exc.strerror})") from exc
    if not entries - set(kind.keep):  # what a new output keeps is this tool's own: the folder is as good as empty
        return
    if not kind.replaceable:
        raise _refuse(out, f"the folder is not empty ({_names(entries)}): {kind.name} goes into a new or empty folder")
    marker = _marker(out)
    if marker is None:
        if kind.unmarked is not None and kind.unmarked(out, entries):
            return
        raise _refuse(out, f"the folder holds files this tool did not write ({_names(entries)}): give a new or "
                           "empty folder")
    if marker.get("kind") != kind.name:
        raise _refuse(out, f"the folder holds this tool's {marker.get('kind')}, not its {kind.name}")
    foreign = entries - {str(f) for f in marker["files"]} - {MARKER, *kind.keep}
    if foreign:
        raise _refuse(out, f"files were added to this {kind.name} since it was written ({_names(foreign)}): "
                           "move them away or give another folder")


def write_output(out: Path, kind: OutputKind, fill: Callable[[Path], T], inputs: Iterable[Path] = ()) -> T:
    """Let `fill` write `kind` into a staging folder beside `out`, mark it, and swap it in place of `out`.

    `out` is checked first (check_output) and again just before the swap; what `fill` returns is returned.
    """
    inputs = list(inputs)
    check_output(out, kind, inputs)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise _refuse(out, f"its folder cannot be written ({exc.strerror or exc})") from exc
    try:
        try:
            result = fill(staging)
        except OSError as exc:
            raise _refuse(out, f"writing failed ({exc.strerror or exc})") from exc
        files = sorted(p.name for p in staging.iterdir())
        if kind.replaceable:
            (staging / MARKER).write_text(json.dumps({"tool": TOOL, "kind": kind.name, "files": files}, indent=1)
                                          + "\n", encoding="utf-8")
        check_output(out, kind, inputs)
        _replace(staging, out, kind.keep)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _replace(staging: Path, out: Path, keep: tuple[str, ...]) -> None:
    """Swap the staged folder in place of `out`, keeping the old one until the new one is there."""
    os.chmod(staging, 0o755)  # noqa: S103 - mkdtemp makes it private; an output is for everyone to read
    if not out.exists():
        staging.rename(out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    for name in keep:
        if (retired / name).exists():
            (retired / name).rename(out / name)
    shutil.rmtree(retired, ignore_errors=True)


def write_new_file(out: Path, text: str, command: str) -> None:
    """Write a new file whole, or refuse (InputError) when `out` exists: a file is never replaced.

    The text is staged beside `out` and linked into place; a link, unlike a rename, fails when a file of that
    name appeared meanwhile.
    """
    refusal = Problem(f"exists: {command} writes a new file and never replaces one", str(out))
    if out.exists() or out.is_symlink():
        raise InputError([refusal])
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out.parent, prefix=f".{out.name}.",
                                     delete=False, newline="") as staging:
        staging.write(text)
    try:
        os.link(staging.name, out)
    except FileExistsError as exc:
        raise InputError([refusal]) from exc
    finally:
        os.unlink(staging.name)
