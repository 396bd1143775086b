"""Fairness between clients: one client's requests in progress are capped, so it cannot take every worker."""

from __future__ import annotations

import asyncio
import ipaddress
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from migration_lod.serve.messages import QueryError
from migration_lod.serve.turns import wait_turn


def client_key(host: str | None) -> str:
    """Who a request comes from: its IPv4 address, or the /64 network of an IPv6 one (one host's usual share)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass
class _Client:
    active: int = 0
    waiting: deque[asyncio.Future] = field(default_factory=deque)


class ClientLimiter:
    """At most `concurrent` requests of one client in progress; up to `waiting` more wait in order (429 beyond)."""

    def __init__(self, concurrent: int, waiting: int) -> None:
        self.concurrent = concurrent
        self.waiting = waiting
        self._clients: dict[str, _Client] = {}

    async def acquire(self, client: str, deadline: float, gone: asyncio.Future | None) -> Callable[[], None]:
        """Wait for a place for one more request of `client`; return the function that gives it back."""
        state = self._clients.setdefault(client, _Client())
        if state.active < self.concurrent and not state.waiting:
            state.active += 1
            return self._releaser(client)
        if len(state.waiting) >= self.waiting:
            raise QueryError(429, f"too many requests from this client at once (at most {self.concurrent} in "
                                  f"progress and {self.waiting} waiting): wait for the earlier ones", retry_after=1)
        turn = asyncio.get_running_loop().create_future()
        state.waiting.append(turn)
        try:
            if not await wait_turn(turn, deadline, gone):
                raise QueryError(503, "this client's earlier requests did not finish within the time limit",
                                 retry_after=1)
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._releaser(client)()
            else:
                turn.cancel()
                state.waiting.remove(turn)
                self._forget_if_idle(client)
            raise
        return self._releaser(client)

    def _releaser(self, client: str) -> Callable[[], None]:
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            state = self._clients[client]
            while state.waiting:  # the place passes to the client's next waiting request
                turn = state.waiting.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
            state.active -= 1
            self._forget_if_idle(client)

        return release

    def _forget_if_idle(self, client: str) -> None:
        state = self._clients.get(client)
        if state is not None and state.active == 0 and not state.waiting:
            del self._clients[client]
