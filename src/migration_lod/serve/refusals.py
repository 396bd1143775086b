"""The answer to a request the server refuses: one line of plain text saying why, under the status that says so."""

from __future__ import annotations

from starlette.responses import PlainTextResponse

from migration_lod.serve.messages import QueryError

MESSAGE_LIMIT = 500  # characters of an error message


def refusal(error: QueryError) -> PlainTextResponse:
    """A one-line plain-text error, with Retry-After when retrying later can help."""
    message = " ".join(error.message.split())
    message = message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT] + "..."
    headers = {"Vary": "Accept"}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return PlainTextResponse(message + "\n", status_code=error.status, headers=headers)
