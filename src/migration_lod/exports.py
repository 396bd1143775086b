"""A package's public names, each imported from its module on first use (PEP 562), so that importing a part of
the library (the command line for --help, a query worker) does not load every stage."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[list[str], Callable[[str], Any],
                                                                  Callable[[], list[str]]]:
    """`__all__`, `__getattr__` and `__dir__` for `package`, whose names are in the modules `exports` gives
    (name -> module, relative to the package)."""
    names = sorted(exports)

    def getattr_(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)

    return names, getattr_, lambda: names
