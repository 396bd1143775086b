"""The HTTP connection: uvicorn's h11 protocol with a bounded request head and a deadline to send it.

uvicorn answers a request head larger than h11's buffer with 400 and closes the socket while the client
is still sending, so the client sees a reset instead of an answer. Here the head is bounded by the URI
limit plus room for headers, a longer request target gets 414 (a header block, 431), and the connection
lingers (reads and drops what is still coming for a moment) so that the client can read the answer. A
client that has not sent a whole head within `head_timeout` seconds is cut off (slow-loris clients).
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from migration_lod.serve.limits import Limits

LINGER_SECONDS = 2.0


class _Connection(h11.Connection):
    """h11's connection, keeping the protocol error it raised (uvicorn's handler of it is not told which)."""

    error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        """The next event, as h11 gives it; a protocol error is remembered before it propagates."""
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.error = exc
            raise


def _response(status: HTTPStatus, text: str) -> bytes:
    body = (text + "\n").encode()
    return (f"HTTP/1.1 {status.value} {status.phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


def protocol_class(limits: Limits) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol class, bounded by `limits` (pass it as uvicorn's `http`)."""

    class BoundedH11Protocol(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.conn = _Connection(h11.SERVER, limits.max_head_bytes)
            self.head_timer: asyncio.TimerHandle | None = None
            self.lingering = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._start_head_timer()

        def data_received(self, data: bytes) -> None:
            if self.lingering:
                return
            if self.conn.their_state is h11.IDLE and self.head_timer is None:
                self._start_head_timer()
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE and self.head_timer is not None:
                self.head_timer.cancel()
                self.head_timer = None

        def connection_lost(self, exc: Exception | None) -> None:
            if self.head_timer is not None:
                self.head_timer.cancel()
            super().connection_lost(exc)

        def send_400_response(self, msg: str) -> None:
            error = self.conn.error
            if error is None or error.error_status_hint != HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
                super().send_400_response(msg)
            elif b"\n" in self.conn.trailing_data[0]:
                self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                             "the request's header fields are larger than this server accepts")
            else:
                self._refuse(HTTPStatus.REQUEST_URI_TOO_LONG,
                             f"the request target is longer than {limits.max_uri_bytes:,} bytes: "
                             "send the query in the body of a POST")

        def _start_head_timer(self) -> None:
            self.head_timer = self.loop.call_later(limits.head_timeout, self._head_timed_out)

        def _head_timed_out(self) -> None:
            self.head_timer = None
            if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
                return
            if self.conn.trailing_data[0]:
                self._refuse(HTTPStatus.REQUEST_TIMEOUT,
                             f"the request's head did not arrive within {limits.head_timeout:g} s")
            else:
                self.transport.close()

        def _refuse(self, status: HTTPStatus, text: str) -> None:
            """Answer and close, reading and dropping what the client still sends for a moment."""
            self.logger.warning("refused a request: %s %s", status.value, text)
            self.transport.write(_response(status, text))
            self.lingering = True
            if self.transport.can_write_eof():
                self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)

    return BoundedH11Protocol
