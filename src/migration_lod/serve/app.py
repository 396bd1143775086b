"""The HTTP application: the SPARQL 1.1 Protocol (queries only), a Linked Data page per IRI, the published files,
the Reconciliation Service API (serve/reconcile.py).

Every request that needs the query engine holds one of its client's places (see clients.py) from the
moment its body has arrived until its answer has been sent, and runs under one deadline counted from its
arrival; when the client hangs up, its query is stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from urllib.parse import quote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from migration_lod.publish.distribution import CATALOGUE_FILE, ONTOLOGY_HTML, ONTOLOGY_TURTLE, RELEASES
from migration_lod.rdf.namespaces import DEFAULT_BASE_IRI, PREFIXES
from migration_lod.serve.clients import ClientLimiter, client_key
from migration_lod.serve.files import PublishedFiles
from migration_lod.serve.limits import HEADER_BYTES
from migration_lod.serve.messages import Answer, QueryError, QueryRequest
from migration_lod.serve.negotiation import GRAPHS, RESULTS, NotAcceptable, Representation, choose, choose_language
from migration_lod.serve.pages import Example, query_page, releases_page, resource_page, results_page
from migration_lod.serve.pool import QueryEngine
from migration_lod.serve.reconcile import Reconciliation
from migration_lod.serve.refusals import refusal
from migration_lod.serve.sparql_protocol import read_query_request

PAGE_LIMIT = 500  # incoming links shown on a resource page
# IRIs (paths under the base IRI) with a published document of their own: (HTML, Turtle) file names.
ONTOLOGY_PATH = "ontology"  # the ontology's IRI under the base: answered with its documents
SD = "http://www.w3.org/ns/sparql-service-description#"


def _negotiated(response: Response) -> Response:
    response.headers.add_vary_header("Accept")
    return response


class _BoundedHead:
    """ASGI middleware: a request target past the URI limit gets 414, header fields past HEADER_BYTES 431.

    The HTTP parser bounds what it buffers of a head still arriving; a head that arrives whole in one read
    is bounded here.
    """

    def __init__(self, app: ASGIApp, max_uri_bytes: int) -> None:
        self.app = app
        self.max_uri_bytes = max_uri_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            if target > self.max_uri_bytes:
                error = QueryError(414, f"the request target is longer than {self.max_uri_bytes:,} bytes: "
                                        "send the query in the body of a POST")
                return await refusal(error)(scope, receive, send)
            if sum(len(name) + len(value) for name, value in scope["headers"]) > HEADER_BYTES:
                error = QueryError(431, f"the request's header fields are larger than {HEADER_BYTES:,} bytes")
                return await refusal(error)(scope, receive, send)
        await self.app(scope, receive, send)


class _Released:
    """An ASGI response that gives its client's place back once it has been sent (or the client has gone)."""

    def __init__(self, response: Response, release: Callable[[], None]) -> None:
        self.response = response
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.response(scope, receive, send)
        finally:
            self.release()


async def _disconnection(receive: Receive) -> None:
    """Complete when the client closes the connection (the request's body has been read before)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _formats(request: Request) -> tuple[str, ...]:
    return tuple(v for k, v in request.query_params.multi_items() if k in ("format", "output"))


class Endpoint:
    """The application's state: the query engine, the clients' places, where IRIs live, the examples."""

    def __init__(self, engine: QueryEngine, examples: list[Example], base_iri: str = DEFAULT_BASE_IRI,
                 files: PublishedFiles | None = None) -> None:
        self.engine = engine
        self.files = files
        self.limits = engine.limits
        self.clients = ClientLimiter(self.limits.queries_per_client, self.limits.client_waiting)
        self.examples = examples
        self.base_iri = base_iri
        # The dataset's own IRIs and the project's vocabulary may live under different bases.
        self.namespaces = list(dict.fromkeys([base_iri, DEFAULT_BASE_IRI]))

    def link(self, iri: str) -> str:
        """Where this server shows an IRI: its path when it lives here, else /resource?iri=..."""
        for namespace in self.namespaces:
            if iri.startswith(namespace) and "#" not in iri[len(namespace):]:
                return "/" + iri[len(namespace):]
        return "/resource?iri=" + quote(iri, safe="")

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.limits.timeout

    def _endpoint_iri(self, request: Request) -> str:
        """This endpoint's IRI as the client addressed it (the base IRI of queries), else BASE/sparql."""
        iri = str(request.url.replace(query="", fragment=""))
        try:
            ox.NamedNode(iri)
        except ValueError:
            return self.base_iri + "sparql"
        return iri

    async def _answer(self, request: Request, query: QueryRequest, deadline: float) -> tuple[Answer, Callable]:
        """Run a query for the request's client; return the answer and the function that frees the client's place.

        The client's place is taken once the request has been read and is held until the answer is sent.
        """
        gone = asyncio.ensure_future(_disconnection(request.receive))
        try:
            host = request.client.host if request.client else None
            release = await self.clients.acquire(client_key(host), deadline, gone)
            try:
                answer = await self.engine.query(query, deadline=deadline, gone=gone)
            except BaseException:
                release()
                raise
        finally:
            gone.cancel()
        return answer, release

    async def sparql(self, request: Request) -> Response | _Released:
        """SPARQL 1.1 Protocol, query operation: GET, POST form, POST sparql-query."""
        deadline = self._deadline()
        try:
            query = await read_query_request(request, self.limits, deadline, self._endpoint_iri(request))
            if query is None:
                return self.service_description(request)
            answer, release = await self._answer(request, query, deadline)
        except QueryError as exc:
            return refusal(exc)
        if answer.html:
            response: Response = HTMLResponse(results_page(answer.body, answer.media_type, self.link))
        else:
            response = Response(answer.body, media_type=answer.media_type)
        return _Released(_negotiated(response), release)

    def service_description(self, request: Request) -> Response:
        """The SPARQL 1.1 Service Description of this endpoint."""
        try:
            representation = choose(GRAPHS, request.headers.get("accept"), _formats(request))
        except NotAcceptable as exc:
            return refusal(QueryError(406, str(exc)))
        if representation.html:
            return _negotiated(RedirectResponse("/", status_code=303))
        endpoint = self._endpoint_iri(request)
        formats = sorted({r.format.iri for offer in (RESULTS, GRAPHS) for r in offer.representations})
        text = (f"@prefix sd: <{SD}> .\n@prefix void: <http://rdfs.org/ns/void#> .\n"
                f"<{endpoint}> a sd:Service ;\n    sd:endpoint <{endpoint}> ;\n"
                "    sd:supportedLanguage sd:SPARQL11Query ;\n"
                "    sd:resultFormat " + ", ".join(f"<{f}>" for f in formats) + " ;\n"
                "    sd:feature sd:EmptyGraphs ;\n"
                f"    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:triples "
                f"{self.engine.triples} ] ] .\n")
        triples = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)
        body = ox.serialize(triples, format=representation.format,
                            prefixes={"sd": SD} if representation.format == ox.RdfFormat.TURTLE else None)
        return _negotiated(Response(body, media_type=representation.media_type))

    async def home(self, request: Request) -> Response:
        """The query page."""
        chosen = next((e for e in self.examples if e.name == request.query_params.get("example")), None)
        text = chosen.text if chosen else (self.examples[0].text if self.examples else
                                           "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10")
        return HTMLResponse(query_page(self.examples, text, self.engine.triples))

    async def releases(self, request: Request) -> Response:
        """The releases of the publication served, with their notes, changes and files."""
        return HTMLResponse(releases_page(self.files.releases if self.files is not None else []))

    async def resource(self, request: Request) -> Response | _Released:
        """The Linked Data page or description of any IRI: /resource?iri=..."""
        iri = request.query_params.get("iri", "")
        if not iri.startswith(("http://", "https://")):
            return refusal(QueryError(400, "give the IRI to describe: /resource?iri=http..."))
        return await self.describe(request, [iri])

    async def local(self, request: Request) -> Response | _Released:
        """The Linked Data page or description of an IRI minted under the base IRI; for a documented IRI (the
        ontology's and its version IRIs), a redirect to the published document in the representation asked for."""
        path = request.path_params["path"]
        parts = path.split("/")
        if self.files is not None and len(parts) == 3 and parts[0] == RELEASES and parts[2] == "dataset":
            catalogue = f"{RELEASES}/{parts[1]}/{CATALOGUE_FILE}"  # a release's IRI: its catalogue describes it
            if catalogue in self.files.names:
                return RedirectResponse("/" + catalogue, status_code=303)
        folder = self._ontology_folder(path)
        if folder is not None:
            try:
                representation = choose(GRAPHS, request.headers.get("accept"), _formats(request))
            except NotAcceptable as exc:
                return refusal(QueryError(406, str(exc)))
            target = ONTOLOGY_HTML if representation.html else \
                ONTOLOGY_TURTLE if representation.format == ox.RdfFormat.TURTLE else None
            if target is not None and folder + target in self.files.names:
                return _negotiated(RedirectResponse("/" + folder + target, status_code=303))
        return await self.describe(request, [namespace + path for namespace in self.namespaces])

    def _ontology_folder(self, path: str) -> str | None:
        """The folder served whose ontology documents stand for the IRI at `path`: the publication's own for the
        ontology's IRI, the newest release that holds it for a version IRI; None for any other IRI."""
        if self.files is None:
            return None
        if path == ONTOLOGY_PATH:
            return ""
        return next((folder for namespace in self.namespaces
                     if (folder := self.files.ontology_folder(namespace + path)) is not None), None)

    async def describe(self, request: Request, candidates: list[str]) -> Response | _Released:
        """Content negotiation between the HTML page and the concise bounded description of the first IRI known."""
        deadline = self._deadline()
        try:
            representation = choose(GRAPHS, request.headers.get("accept"), _formats(request))
        except NotAcceptable as exc:
            return refusal(QueryError(406, str(exc)))
        for iri in candidates:
            try:
                ox.NamedNode(iri)
            except ValueError:
                return refusal(QueryError(400, f"not a valid IRI: {iri[:200]!r}"))
            query = QueryRequest(_page_query(iri) if representation.html else _description_query(iri),
                                 formats=("nt",), trusted=True)
            try:
                answer, release = await self._answer(request, query, deadline)
            except QueryError as exc:
                return refusal(exc)
            try:
                response = self._description(request, iri, answer.body, representation)
            except BaseException:
                release()
                raise
            if response is not None:
                return _Released(_negotiated(response), release)
            release()
        return refusal(QueryError(404, f"no resource {candidates[0][:200]} in this dataset"))

    def _description(self, request: Request, iri: str, ntriples: bytes,
                     representation: Representation) -> Response | None:
        triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
        if not any(t.subject.value == iri or (isinstance(t.object, ox.NamedNode) and t.object.value == iri)
                   for t in triples):
            return None
        if representation.html:
            languages = [t.object.language for t in triples if t.subject.value == iri and
                         isinstance(t.object, ox.Literal) and t.object.language]
            choice = choose_language(languages, request.query_params.get("lang"),
                                     request.headers.get("accept-language"))
            history = self.files.history.get(iri, []) if self.files is not None else []
            response = HTMLResponse(resource_page(iri, triples, self.link, choice, history))
            response.headers.add_vary_header("Accept-Language")
            return response
        own = [t for t in triples if t.subject.value == iri or t.subject.value.startswith(iri + "#")]
        if not own:
            return None
        prefixes = PREFIXES if representation.format == ox.RdfFormat.TURTLE else None
        return Response(ox.serialize(own, format=representation.format, prefixes=prefixes),
                        media_type=representation.media_type)


def _description_query(iri: str) -> str:
    """The resource's own triples and those of its fragment nodes (#source-1 ...): no blank nodes exist."""
    return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?part ?q ?v }} WHERE {{ {{ <{iri}> ?p ?o }} UNION "
            f"{{ <{iri}> ?r ?part . FILTER (isIRI(?part) && STRSTARTS(STR(?part), \"{iri}#\")) ?part ?q ?v }} }}")


def _page_query(iri: str) -> str:
    """For a page: the description, links in (bounded), and the labels and notations of what it links to."""
    labels = ("<http://www.w3.org/2004/02/skos/core#prefLabel> <http://www.w3.org/2000/01/rdf-schema#label> "
              "<http://www.w3.org/2004/02/skos/core#notation>")
    return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?part ?q ?v . ?s ?in <{iri}> . ?n ?l ?label }} WHERE {{"
            f" {{ <{iri}> ?p ?o }}"
            f" UNION {{ <{iri}> ?r ?part . FILTER (isIRI(?part) && STRSTARTS(STR(?part), \"{iri}#\")) ?part ?q ?v }}"
            f" UNION {{ SELECT ?s ?in WHERE {{ ?s ?in <{iri}> }} LIMIT {PAGE_LIMIT} }}"
            f" UNION {{ {{ <{iri}> ?any ?n }} UNION {{ <{iri}> ?r2 ?part2 . ?part2 ?any2 ?n }}"
            f" UNION {{ SELECT ?n WHERE {{ ?n ?in2 <{iri}> }} LIMIT {PAGE_LIMIT} }} UNION {{ BIND (<{iri}> AS ?n) }}"
            f" VALUES ?l {{ {labels} }} ?n ?l ?label }} }}")


def create_app(engine: QueryEngine, examples: list[Example], base_iri: str = DEFAULT_BASE_IRI,
               files: PublishedFiles | None = None) -> Starlette:
    """The ASGI application over a query engine (the engine is closed when the application shuts down)."""
    endpoint = Endpoint(engine, examples, base_iri, files)
    reconciliation = Reconciliation(engine.store_dir, engine.limits, endpoint.clients, base_iri)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        reconciliation.close()
        engine.close()

    routes = [
        Route("/", endpoint.home),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
        Route("/resource", endpoint.resource),
        Route("/releases/", endpoint.releases),
        *reconciliation.routes(),
        *([Route("/" + name, files, methods=["GET", "HEAD"]) for name in sorted(files.names)] if files else []),
        Route("/{path:path}", endpoint.local),
    ]
    middleware = [Middleware(_BoundedHead, max_uri_bytes=engine.limits.max_uri_bytes),
                  Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["*"], expose_headers=["Content-Type", "Retry-After"])]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
