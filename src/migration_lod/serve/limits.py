"""Every resource a client can make the server spend, with its limit: one declaration each.

The `serve` command's options are generated from these fields (name, default and help).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

MIB = 1 << 20
HEADER_BYTES = 32 * 1024  # the header fields of a request, all together (431 past it)


def _limit(default: float, help_text: str) -> float:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Limits:
    """The limits of a running endpoint."""

    timeout: float = _limit(30.0, "Seconds a request may take from its arrival: waiting, running and serialising.")
    workers: int = _limit(2, "Query worker processes (queries running at once).")
    client_queries: int = _limit(
        0, "Requests one client (IP address, IPv6 /64) may have in progress at once; more wait their turn "
           "[default: half the workers, at least 1].")
    client_waiting: int = _limit(8, "Requests of one client that may wait for its earlier ones; more get 429.")
    max_waiting: int = _limit(64, "Requests that may wait for a free worker, all clients together; more get 503.")
    max_query_bytes: int = _limit(1 << 20, "Longest query text in bytes (413); a request body may be 4 times this.")
    max_uri_bytes: int = _limit(64 * 1024, "Longest request target (path and query string) in bytes (414).")
    max_result_bytes: int = _limit(50_000_000, "Largest serialised result in bytes (413).")
    worker_memory_mib: int = _limit(1024, "Memory a query may use in its worker, in MiB; past it the query is "
                                          "stopped (503) and the worker replaced.")
    max_connections: int = _limit(128, "Open connections at once; more get 503.")
    head_timeout: float = _limit(10.0, "Seconds a client has to send a request's line and headers.")

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value < 0 or (value == 0 and spec.name != "client_queries"):
                raise ValueError(f"--{spec.name.replace('_', '-')} must be positive, not {value}")

    @property
    def queries_per_client(self) -> int:
        """The requests one client may have in progress at once."""
        return self.client_queries or max(1, self.workers // 2)

    @property
    def max_body_bytes(self) -> int:
        """The largest request body (a URL-encoded form can triple the text it carries)."""
        return 4 * self.max_query_bytes

    @property
    def max_head_bytes(self) -> int:
        """The largest incomplete request head the HTTP parser holds: the request target and the headers."""
        return self.max_uri_bytes + HEADER_BYTES

    @property
    def worker_memory_bytes(self) -> int:
        """The memory limit of a query, in bytes."""
        return self.worker_memory_mib * MIB
