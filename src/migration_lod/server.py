"""The HTTP server: the SPARQL 1.1 Protocol (queries only) at /sparql and a Linked Data page per IRI."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, quote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from migration_lod.engine import GRAPH_FORMATS, RESULT_FORMATS, QueryEngine, QueryError, QueryRequest
from migration_lod.namespaces import DEFAULT_BASE_IRI, PREFIXES
from migration_lod.pages import Example, query_page, resource_page, results_page

FORMAT_NAMES = {  # the `format` parameter, for browsers and links
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "jsonld": "application/ld+json", "ntriples": "application/n-triples", "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
KNOWN_TYPES = set(RESULT_FORMATS) | set(GRAPH_FORMATS) | {"*/*", "application/*", "text/*"}
PAGE_LIMIT = 500  # incoming links shown on a resource page
SD = "http://www.w3.org/ns/sparql-service-description#"


def accepted(request: Request) -> list[str]:
    """The media types a client accepts, best first (q-values honoured, q=0 dropped)."""
    fmt = request.query_params.get("format")
    if fmt:
        return [FORMAT_NAMES.get(fmt, fmt)]
    ranked = []
    for position, item in enumerate(request.headers.get("accept", "*/*").split(",")):
        media_type, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                with contextlib.suppress(ValueError):
                    quality = float(param[2:])
        if media_type and quality > 0:
            ranked.append((-quality, position, media_type.lower()))
    return [m for _, _, m in sorted(ranked)] or ["*/*"]


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


class Endpoint:
    """The application's state: the query engine, where IRIs live, and the example queries."""

    def __init__(self, engine: QueryEngine, examples: list[Example], base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.engine = engine
        self.examples = examples
        # The dataset's own IRIs and the project's vocabulary may live under different bases.
        self.namespaces = list(dict.fromkeys([base_iri, DEFAULT_BASE_IRI]))

    def link(self, iri: str) -> str:
        """Where this server shows an IRI: its path when it lives here, else /resource?iri=..."""
        for namespace in self.namespaces:
            if iri.startswith(namespace) and "#" not in iri[len(namespace):]:
                return "/" + iri[len(namespace):]
        return "/resource?iri=" + quote(iri, safe="")

    async def sparql(self, request: Request) -> Response:
        """SPARQL 1.1 Protocol, query operation: GET, POST form, POST sparql-query."""
        params = list(request.query_params.multi_items())
        query_texts = [v for k, v in params if k == "query"]
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = (await request.body()).decode("utf-8", errors="replace")
            if content_type == "application/x-www-form-urlencoded":
                form = parse_qsl(body, keep_blank_values=True)
                params += form
                query_texts += [v for k, v in form if k == "query"]
            elif content_type == "application/sparql-query":
                query_texts.append(body)
            elif content_type == "application/sparql-update":
                return _error(403, "this endpoint is read-only: SPARQL Update is not accepted")
            else:
                return _error(415, f"unsupported content type {content_type!r}: use application/sparql-query or "
                                   "application/x-www-form-urlencoded")
        if any(k == "update" for k, _ in params):
            return _error(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if not query_texts:
            if request.method == "GET":
                return self.service_description(request)
            return _error(400, "missing query: give exactly one 'query'")
        if len(query_texts) > 1:
            return _error(400, "more than one query: give exactly one 'query'")
        accept = accepted(request)
        html = accept == ["html"]
        if html:
            accept = ["application/sparql-results+json", "text/turtle"]
        elif not any(m in KNOWN_TYPES for m in accept):
            return _error(406, "unsupported Accept: " + ", ".join(accept) + "; offered: "
                          + ", ".join([*RESULT_FORMATS, *GRAPH_FORMATS]))
        query = QueryRequest(query_texts[0], accept, [v for k, v in params if k == "default-graph-uri"],
                             [v for k, v in params if k == "named-graph-uri"])
        try:
            answer = await self.engine.query(query)
        except QueryError as exc:
            return _error(exc.status, exc.message)
        if html:
            return HTMLResponse(results_page(answer.body, answer.content_type, self.link))
        return Response(answer.body, media_type=answer.content_type)

    def service_description(self, request: Request) -> Response:
        """The SPARQL 1.1 Service Description of this endpoint."""
        if "text/html" in accepted(request)[:1]:
            return RedirectResponse("/", status_code=303)
        endpoint = str(request.url.replace(query=""))
        formats = "".join(f", <http://www.w3.org/ns/formats/{f}>" for f in (
            "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples",
            "RDF_XML"))
        text = (f"@prefix sd: <{SD}> .\n@prefix void: <http://rdfs.org/ns/void#> .\n"
                f"<{endpoint}> a sd:Service ;\n    sd:endpoint <{endpoint}> ;\n"
                "    sd:supportedLanguage sd:SPARQL11Query ;\n"
                f"    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>{formats} ;\n"
                "    sd:feature sd:EmptyGraphs ;\n"
                f"    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:triples "
                f"{self.engine.triples} ] ] .\n")
        wanted = [m for m in accepted(request) if m in GRAPH_FORMATS or m in ("*/*", "text/*", "application/*")]
        if not wanted:
            return _error(406, "the service description is available as " + ", ".join(GRAPH_FORMATS))
        media_type = wanted[0] if wanted[0] in GRAPH_FORMATS else "text/turtle"
        triples = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)
        return Response(ox.serialize(triples, format=GRAPH_FORMATS[media_type],
                                     prefixes={"sd": SD} if media_type == "text/turtle" else None),
                        media_type=media_type)

    async def home(self, request: Request) -> Response:
        """The query page."""
        chosen = next((e for e in self.examples if e.name == request.query_params.get("example")), None)
        text = chosen.text if chosen else (self.examples[0].text if self.examples else
                                           "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10")
        return HTMLResponse(query_page(self.examples, text, self.engine.triples))

    async def resource(self, request: Request) -> Response:
        """The Linked Data page or description of any IRI: /resource?iri=..."""
        iri = request.query_params.get("iri", "")
        if not iri.startswith(("http://", "https://")):
            return _error(400, "give the IRI to describe: /resource?iri=http...")
        return await self.describe(request, iri)

    async def local(self, request: Request) -> Response:
        """The Linked Data page or description of an IRI minted under the base IRI."""
        path = request.path_params["path"]
        for namespace in self.namespaces:
            response = await self.describe(request, namespace + path, missing_ok=True)
            if response is not None:
                return response
        return _error(404, f"no resource /{path} in this dataset")

    async def describe(self, request: Request, iri: str, missing_ok: bool = False) -> Response | None:
        """Content negotiation between the HTML page and the resource's concise bounded description."""
        if any(c in iri for c in '<>"{}|\\^` '):
            return _error(400, "not a valid IRI")
        accept = accepted(request)
        html = next((m for m in accept if m in ("text/html", "application/xhtml+xml", "html")), None)
        rdf = next((m for m in accept if m in GRAPH_FORMATS), None)
        wants_html = html is not None and (rdf is None or accept.index(html) < accept.index(rdf))
        if not wants_html and rdf is None and not any(m in ("*/*", "text/*", "application/*") for m in accept):
            return _error(406, "offered: text/html, " + ", ".join(GRAPH_FORMATS))
        query = _page_query(iri) if wants_html else _description_query(iri)
        try:
            answer = await self.engine.query(QueryRequest(query, ["application/n-triples"]))
        except QueryError as exc:
            return _error(exc.status, exc.message)
        triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        if not any(t.subject.value == iri or (isinstance(t.object, ox.NamedNode) and t.object.value == iri)
                   for t in triples):
            return None if missing_ok else _error(404, f"no resource {iri} in this dataset")
        if wants_html:
            return HTMLResponse(resource_page(iri, triples, self.link))
        media_type = rdf or "text/turtle"
        own = [t for t in triples if t.subject.value == iri or t.subject.value.startswith(iri + "#")]
        if not own:
            return None if missing_ok else _error(404, f"no description of {iri} in this dataset")
        prefixes = PREFIXES if media_type == "text/turtle" else None
        return Response(ox.serialize(own, format=GRAPH_FORMATS[media_type], prefixes=prefixes), media_type=media_type)


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


def create_app(engine: QueryEngine, examples: list[Example], base_iri: str = DEFAULT_BASE_IRI) -> Starlette:
    """The ASGI application over a query engine (the engine is closed when the application shuts down)."""
    endpoint = Endpoint(engine, examples, base_iri)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        engine.close()

    routes = [
        Route("/", endpoint.home),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
        Route("/resource", endpoint.resource),
        Route("/{path:path}", endpoint.local),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["*"], expose_headers=["Content-Type"])]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
