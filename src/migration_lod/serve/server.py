"""Starting the endpoint: the query engine, the application and uvicorn, all under one set of limits."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from migration_lod.resources import queries_dir
from migration_lod.serve.app import create_app
from migration_lod.serve.connection import protocol_class
from migration_lod.serve.files import PublishedFiles
from migration_lod.serve.pages import load_examples
from migration_lod.serve.pool import QueryEngine

LOGGED_ARGUMENT = 300  # characters of a logged value (a request target may be 64 KiB)


class _ShortArguments(logging.Filter):
    """Cut long values out of log records: a client must not be able to write megabytes into the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Shorten the record's long string arguments; keep every record."""
        if isinstance(record.args, tuple):
            record.args = tuple(f"{a[:LOGGED_ARGUMENT]}... ({len(a):,} characters)"
                                if isinstance(a, str) and len(a) > LOGGED_ARGUMENT else a for a in record.args)
        return True


def run_server(engine: QueryEngine, dumps: list[Path], *, host: str, port: int, base_iri: str,
               forwarded_allow_ips: str) -> None:
    """Serve until interrupted; the engine is closed when the server shuts down."""
    files = PublishedFiles.beside(dumps)
    app = create_app(engine, load_examples(queries_dir()), base_iri, files)
    config = uvicorn.Config(app, host=host, port=port, http=protocol_class(engine.limits),
                            limit_concurrency=engine.limits.max_connections, proxy_headers=True,
                            forwarded_allow_ips=forwarded_allow_ips, log_level="info", access_log=True,
                            timeout_graceful_shutdown=10)
    for name in ("uvicorn.access", "uvicorn.error", "migration_lod.serve"):
        logging.getLogger(name).addFilter(_ShortArguments())
    uvicorn.Server(config).run()
