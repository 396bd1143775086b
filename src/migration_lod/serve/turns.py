"""Waiting for one's turn: until a deadline, and no longer than the client who asked is still there."""

from __future__ import annotations

import asyncio

from migration_lod.serve.messages import QueryError

CLIENT_GONE = 499  # nginx's status for a request whose client closed the connection; it reaches no one


def client_gone() -> QueryError:
    """The error that ends a request whose client has closed the connection."""
    return QueryError(CLIENT_GONE, "the client closed the connection")


async def wait_turn(turn: asyncio.Future, deadline: float, gone: asyncio.Future | None) -> bool:
    """Wait until `turn` is done; False when the deadline (loop time) passes first. Raises when the client goes."""
    waiting: set[asyncio.Future] = {turn} if gone is None else {turn, gone}
    remaining = deadline - asyncio.get_running_loop().time()
    done, _ = await asyncio.wait(waiting, timeout=max(0.0, remaining), return_when=asyncio.FIRST_COMPLETED)
    if gone is not None and gone in done:
        raise client_gone()
    return turn in done
