"""Sending an HTTP request again when it failed for a reason that may pass: a connection that failed or timed
out, or an answer that says to come back (408, 429, 5xx). Used by the online link check and by push."""

from __future__ import annotations

from collections.abc import Callable

import requests

TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})


def send_with_retries(send: Callable[[], requests.Response], attempts: int, backoff: float,
                      sleep: Callable[[float], None]) -> tuple[requests.Response | None, Exception | None, int]:
    """Call `send` until an answer that is not transient, `attempts` times at most, waiting backoff x 1, 2, 4...
    seconds between; return the last answer (None when the last attempt raised), the last attempt's
    exception, and how many attempts were made."""
    attempts = max(1, attempts)
    for attempt in range(1, attempts + 1):
        try:
            response, error = send(), None
        except requests.RequestException as exc:
            response, error = None, exc
        if response is not None and response.status_code not in TRANSIENT:
            return response, None, attempt
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
    return response, error, attempts
