"""Serving the dumps: a SPARQL 1.1 endpoint and Linked Data pages that are safe to put on the public internet.

    app.py              routes: /sparql, pages, the publication's files
    sparql_protocol.py  reading a query request strictly, within limits
    negotiation.py      which representation a client gets
    clients.py          fairness between clients
    pool.py             confined worker processes, deadlines, cancellation, memory
    worker.py           what runs in a worker: check, evaluate, serialise
    query_check.py      the parsed query must not hold SERVICE
    sandbox.py          the kernel's part: no sockets, bounded memory
    connection.py       the HTTP connection: bounded request head, a deadline to send it
    server.py           start it all

This package imports nothing itself: the workers' fork server preloads only what a worker needs.
"""
