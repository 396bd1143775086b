"""Problems found in input or in the published graph, each with where it is and why."""

from __future__ import annotations

from dataclasses import dataclass, fields

QUOTED = 100  # characters of a value a message quotes
LIMITS = {"message": 600, "file": 300, "record": 100, "field": 100, "focus": 200, "rule": 200}


def quoted(value: object, limit: int = QUOTED) -> str:
    """A value as a message quotes it: in double quotes, cut to `limit` characters (input can be huge)."""
    text = value if isinstance(value, str) else repr(value) if not isinstance(value, int | float) else str(value)
    if len(text) > limit:
        return f'"{text[:limit]}..." ({len(text):,} characters)'
    return f'"{text}"'


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


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

    def __post_init__(self) -> None:
        # The second line of defence: whatever a message was given, what is printed stays short.
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, str) and spec.name in LIMITS and len(value) > LIMITS[spec.name]:
                object.__setattr__(self, spec.name, _cut(value, LIMITS[spec.name]))

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
