"""Problems found in input or in the published graph, each with where it is and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A problem a curator can act on: file, line, record and field, what is wrong, and how bad it is."""

    message: str
    file: str | None = None
    line: int | None = None
    record: str | None = None
    field: str | None = None
    severity: str = "Violation"
    focus: str | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where += f":{self.line}"
        parts = [p for p in (where, self.record or self.focus) if p]
        head = " ".join(parts)
        tail = " · ".join(p for p in (self.field, self.message) if p)
        return f"{head} · {tail}" if head else tail


class InputError(Exception):
    """Records that cannot be read or mapped; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ValidationFailed(Exception):
    """The graph has SHACL violations, so it is not published."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
