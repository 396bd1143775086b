"""The `migration-lod` command: a thin layer over the Python API."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migration_lod.changes.options import CHANGE_FORMATS
from migration_lod.outputs import write_new_file
from migration_lod.problems import InputError, Problem, ValidationFailed
from migration_lod.publish.push_options import MAX_PART_MIB
from migration_lod.rdf.namespaces import DEFAULT_BASE_IRI
from migration_lod.records.folder import MIB, ReadOptions
from migration_lod.records.formats import RECORD_FORMATS, RECORD_SUFFIXES
from migration_lod.serve.limits import Limits
from migration_lod.validation.options import ENGINES, REPORT_FORMATS

if TYPE_CHECKING:
    from migration_lod.dataset import Dataset
    from migration_lod.progress import Progress
    from migration_lod.validation.report import ValidationReport

# Each command imports the stages it runs when it runs, so that --help and the small commands start fast.
EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _checked_base_iri(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from migration_lod.records.mapping import check_base_iri

    try:
        check_base_iri(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


def _base_iri_option(help_text: str) -> Callable:
    """The --base-iri option, checked before the command runs (exit 2 with the reason)."""
    return click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help=help_text,
                        callback=_checked_base_iri)


def _read_options(command: Callable) -> Callable:
    """The options that say how a data folder is read (folder.ReadOptions); _options() makes them one."""
    command = click.option("--ignore", multiple=True, metavar="GLOB",
                           help="An entry the data folder holds on purpose besides records (repeatable).")(command)
    command = click.option("--follow-links", is_flag=True,
                           help="Read record files that are links to outside the data folder.")(command)
    return click.option("--max-file-mib", type=click.IntRange(min=1), default=ReadOptions.max_file_bytes // MIB,
                        show_default=True, help="The largest record file, in MiB.")(command)


def _options(ignore: tuple[str, ...], follow_links: bool, max_file_mib: int) -> ReadOptions:
    return ReadOptions(ignore=ignore, follow_links=follow_links, max_file_bytes=max_file_mib * MIB)


def _print_report(report: ValidationReport, err: bool) -> None:
    for note in dict.fromkeys(report.notes):
        click.echo(f"note: {note}", err=True)
    for problem in report.problems:
        click.echo(f"{problem.severity}: {problem}", err=err)
    click.echo(f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)", err=err)


def _fail_input(error: InputError) -> None:
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(EXIT_BAD_INPUT)


class _Commands(click.Group):
    """The command group, with one exit-code contract: 0 done, 1 violations, 2 input or usage, 3 internal error.

    An InputError anywhere is reported as such (exit 2); any other exception is a fault of this tool: a short
    report and exit 3, the traceback only with --debug.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            _fail_input(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            message = " ".join(str(exc).split())[:300]
            click.echo(f"internal error: {type(exc).__name__}: {message}\nThis is a fault of migration-lod, not of "
                       "your input: run the command again with --debug (migration-lod --debug ...) for the "
                       "traceback, and report it.", err=True)
            sys.exit(EXIT_INTERNAL)
        return None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="migration-lod")
@click.option("--debug", is_flag=True, envvar="MIGRATION_LOD_DEBUG", help="Show the traceback of an internal error.")
def main(debug: bool) -> None:
    """Publish records about the governance of international migration as Linked Open Data.

    Exit status of every command: 0 done, 1 violations (or refused links, a server that said no),
    2 bad input or usage, 3 an internal error of this tool.
    """


def _publishing_options(out_help: str) -> Callable:
    """The options of the commands that build and publish a data folder (build, release)."""
    def decorate(command: Callable) -> Callable:
        for option in reversed((
                click.option("--data", "data_dir", type=click.Path(path_type=Path), default=Path("data"),
                             show_default=True, help="Folder of record files (iscms, organisations, practices, "
                             "events, documents) and dataset.yaml."),
                click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"),
                             show_default=True, help=out_help),
                _base_iri_option("Base IRI of the records' IRIs (BASE/KIND/ID)."),
                click.option("--validator", type=click.Choice(ENGINES), default="fast", show_default=True,
                             help="SHACL engine: shapes compiled to SPARQL (fast), or pyshacl (the reference)."),
                click.option("--quiet", "-q", is_flag=True, help="Print only problems."),
                click.option("--streamed/--in-memory", default=None, help="Build through an on-disk store without "
                             "holding the records (memory that does not grow with the data), or in memory (faster "
                             "for small data). Default: streamed when the record files hold more than "
                             "64 MiB in all."),
                _read_options)):
            command = option(command)
        return command
    return decorate


@main.command("build")
@_publishing_options("Folder to publish into; replaced only when the whole build succeeds.")
@click.option("--no-query-store", is_flag=True, help="Leave out OUT/store/, the store `serve` opens at once "
              "(without it, serve loads the dumps at each start); a build of a publication never served is faster.")
def build_command(data_dir: Path, out_dir: Path, base_iri: str, validator: str, quiet: bool, streamed: bool | None,
                  ignore: tuple[str, ...], follow_links: bool, max_file_mib: int, no_query_store: bool) -> None:
    """Map the records to RDF, validate them with SHACL and publish the dumps.

    OUT must be missing, empty, or an earlier publication of this tool, and apart from the data folder.
    Exit status: 0 published, 1 SHACL violations (nothing published), 2 bad input or usage.
    """
    from migration_lod.outputs import check_output
    from migration_lod.publish.distribution import PUBLICATION

    check_output(out_dir, PUBLICATION, [data_dir])  # before the work, not only before the swap
    _build_and_publish(data_dir, out_dir, base_iri, validator, quiet, streamed,
                       _options(ignore, follow_links, max_file_mib),
                       lambda dataset, report, progress, catalogue: ", ".join(
                           dataset.publish(out_dir, report, progress, catalogue, query_store=not no_query_store)))


def _build_and_publish(data_dir: Path, out_dir: Path, base_iri: str, validator: str, quiet: bool,
                       streamed: bool | None, options: ReadOptions, write: Callable) -> None:
    """Build and validate the data folder, then `write` it (a publication or a release), reporting as build
    does: the problems, exit 1 on violations with nothing written, the catalogue's warnings, what was written."""
    from migration_lod.dataset import build
    from migration_lod.progress import Progress

    progress = Progress(quiet=quiet)
    with build(data_dir, base_iri, progress=progress, options=options, streamed=streamed) as dataset:
        _validate_and_write(dataset, out_dir, validator, quiet, progress, write)


def _validate_and_write(dataset: Dataset, out_dir: Path, validator: str, quiet: bool, progress: Progress,
                        write: Callable) -> None:
    report = dataset.validate(engine=validator, progress=progress)
    if (report.problems and (not quiet or not report.conforms)) or report.notes:
        _print_report(report, err=True)
    catalogue: list[Problem] = []
    try:
        if not report.conforms:
            raise ValidationFailed(report.violations)
        written = write(dataset, report, progress, catalogue)
    except ValidationFailed as exc:
        for problem in exc.problems if report.conforms else ():  # the catalogue's: not printed yet
            click.echo(f"{problem.severity}: {problem}", err=True)
        click.echo(f"not published: fix the violations above; {out_dir} is unchanged", err=True)
        sys.exit(EXIT_VIOLATIONS)
    if not quiet:
        for problem in catalogue:
            click.echo(f"{problem.severity}: {problem}", err=True)
        click.echo(f"catalogue: conforms to DCAT-AP 3.0.1, {len(catalogue)} warning(s)", err=True)
        click.echo(f"published {len(dataset.graph):,} triples into {out_dir}: {written}", err=True)


@main.command("release")
@click.option("--version", "version", required=True, help="The release's version (2026.12, v1.0): a new folder "
              "OUT/releases/VERSION and the catalogue's dcat:version.")
@click.option("--notes", default="", help="What the release is about, in a sentence or two (release.json).")
@_publishing_options("The publication folder whose releases/ receives the release.")
def release_command(version: str, notes: str, data_dir: Path, out_dir: Path, base_iri: str, validator: str,
                    quiet: bool, streamed: bool | None, ignore: tuple[str, ...], follow_links: bool,
                    max_file_mib: int) -> None:
    """Build, validate and freeze the data as release VERSION in OUT/releases/VERSION.

    The release holds the dumps, context, catalogue, VoID, SSSOM and ontology documentation, CHANGES.md (what
    changed since the previous release), release.json and SHA256SUMS; its files are read-only. A version that
    exists is refused. Exit status: 0 released, 1 SHACL violations (nothing written), 2 bad input or usage.
    """
    from migration_lod.publish.releases import new_release_folder

    new_release_folder(out_dir, version)  # before the work: a version that exists is refused at once
    _build_and_publish(data_dir, out_dir, base_iri, validator, quiet, streamed,
                       _options(ignore, follow_links, max_file_mib),
                       lambda dataset, report, progress, catalogue: dataset.release(
                           out_dir, version, notes, report, progress, catalogue))


@main.command("shacl")
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--shapes", "-s", multiple=True, type=click.Path(path_type=Path),
              help="A file of the shapes graph (repeatable); without it, the data graph is its own shapes graph.")
@click.option("--engine", type=click.Choice(ENGINES), default="fast", show_default=True,
              help="fast: shapes compiled to SPARQL on pyoxigraph, falling back to pyshacl for what it refuses.")
@click.option("--format", "-f", "report_format", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True, help="The report: text for a person, or the sh:ValidationReport graph.")
def shacl_command(data: tuple[Path, ...], shapes: tuple[Path, ...], engine: str, report_format: str) -> None:
    """Validate any RDF data (.ttl .nt .nq .trig .rdf .jsonld, .gz) against any SHACL shapes.

    The report goes to standard output. Exit status: 0 conforms, 1 does not conform (results of any
    severity), 2 unreadable input or shapes that are not well-formed SHACL.
    """
    from migration_lod.rdf.formats import read_quads
    from migration_lod.validation import ShapeError, shacl_validate

    missing = [Problem("no such file", str(p)) for p in (*data, *shapes) if not p.is_file()]
    if missing:
        raise InputError(missing)
    data_quads, shape_quads = read_quads(data), read_quads(shapes) if shapes else None
    try:
        report = shacl_validate(data_quads, shape_quads, engine=engine)
    except ShapeError as exc:
        raise InputError([Problem(f"not well-formed SHACL: {exc}", ", ".join(map(str, shapes or data)))]) from exc
    if report.fallback:
        click.echo(f"note: validated with pyshacl, because the fast engine refused the shapes: {report.fallback}",
                   err=True)
    click.echo(report.serialize(report_format), nl=False)
    sys.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_base_iri_option("Base IRI used to map record files.")
@click.option("--validator", type=click.Choice(ENGINES), default="fast", show_default=True,
              help="SHACL engine: shapes compiled to SPARQL (fast), or pyshacl (the reference).")
@click.option("--quiet", "-q", is_flag=True, help="Print only violations.")
@_read_options
def validate_command(files: tuple[Path, ...], base_iri: str, validator: str, quiet: bool,
                     ignore: tuple[str, ...], follow_links: bool, max_file_mib: int) -> None:
    """Validate record files, a data folder, or RDF files (.ttl .nt .nq .trig .rdf .jsonld, .gz) against the shapes.

    A record file is checked with its whole data folder, read exactly as `build` reads it (its references to
    documents, ISCMs and organisations need the others). Exit status: 0 conforms, 1 violations, 2 bad usage
    or unreadable input.
    """
    from migration_lod.dataset import validate_data_folders, validate_rdf_files
    from migration_lod.rdf import formats
    from migration_lod.validation.report import ValidationReport

    paths = list(files)
    missing = [Problem("no such file or folder", str(p)) for p in paths if not p.exists()]
    if missing:
        raise InputError(missing)
    rdf = [p for p in paths if p.is_file() and formats.is_rdf(p)]
    records = [p for p in paths if p not in rdf]
    unknown = [p for p in records if p.is_file() and p.suffix not in RECORD_SUFFIXES]
    if unknown:
        raise click.BadParameter(f"{unknown[0]}: not a record file ({', '.join(RECORD_SUFFIXES)}) nor RDF "
                                 f"({', '.join(formats.FORMATS)}, each also .gz)", param_hint="FILES")
    reports = []
    if rdf:
        reports.append(validate_rdf_files(rdf, validator))
    if records:
        reports.append(validate_data_folders(records, base_iri, validator,
                                             _options(ignore, follow_links, max_file_mib)))
    report = ValidationReport([p for r in reports for p in r.problems
                               if not quiet or p.severity == "Violation"], [n for r in reports for n in r.notes])
    _print_report(report, err=False)
    sys.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


@main.command("export")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
              help="Folder of record files to read.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder to write one file per kind into (with dataset.yaml and external/ copied along).")
@click.option("--format", "fmt", type=click.Choice(list(RECORD_FORMATS)), default="csv", show_default=True)
@_read_options
def export_command(data_dir: Path, out_dir: Path, fmt: str, ignore: tuple[str, ...], follow_links: bool,
                   max_file_mib: int) -> None:
    """Write the records as CSV, JSON or YAML files that `build` reads back into the same graph.

    OUT must be missing, empty, or an earlier export of this tool, and apart from the data folder; it is
    replaced only when every file is written.
    """
    from migration_lod.records.export import export_folder

    count, names = export_folder(data_dir, out_dir, fmt, _options(ignore, follow_links, max_file_mib))
    click.echo(f"wrote {count} records into {out_dir}: {', '.join(names)}", err=True)


def _limit_options(command: Callable) -> Callable:
    """One option per field of the endpoint's Limits: name, default and help come from there."""
    for spec in reversed(fields(Limits)):
        command = click.option("--" + spec.name.replace("_", "-"), type=type(spec.default), default=spec.default,
                               show_default=bool(spec.default), help=spec.metadata["help"])(command)
    return command


@main.command("serve")
@click.argument("dumps", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@_base_iri_option("Base IRI of the dataset: its IRIs are served as paths of this server.")
@_limit_options
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Proxies trusted to name the client (X-Forwarded-For), comma-separated, or *.")
@click.option("--allow-unsandboxed-workers", is_flag=True,
              help="Serve where the kernel cannot cut the query workers off the network (no seccomp); "
                   "SERVICE is still refused on the parsed query.")
@click.option("--load-dumps", is_flag=True,
              help="Load the dumps into a temporary store even where the store `build` left beside them holds them.")
def serve_command(dumps: tuple[Path, ...], host: str, port: int, base_iri: str, forwarded_allow_ips: str,
                  allow_unsandboxed_workers: bool, load_dumps: bool, **limit_values: float) -> None:
    """Serve the dumps: SPARQL 1.1 Protocol at /sparql, a query page at /, a page per resource, the files.

    Read-only; SERVICE is refused on the parsed query, and the query workers cannot open a socket. Every
    query runs in a worker process that is stopped at the time limit, when its client hangs up, or past the
    memory limit; each client's requests in progress are capped. Dumps that `build` published are served
    from the store it left beside them (store/), opened at once; others are loaded first.
    """
    # The web stack is imported only by the command that serves, so that the others start fast.
    from migration_lod.serve.pool import QueryEngine
    from migration_lod.serve.sandbox import SandboxUnavailable
    from migration_lod.serve.server import run_server

    try:
        limits = Limits(**limit_values)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        engine = QueryEngine(list(dumps), limits, sandboxed=not allow_unsandboxed_workers, published=not load_dumps)
    except SandboxUnavailable as exc:
        click.echo(f"error: the query workers cannot be cut off from the network here ({exc}); "
                   "--allow-unsandboxed-workers serves anyway", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except (OSError, SyntaxError, ValueError) as exc:
        _fail_input(InputError([Problem(f"cannot load the dump: {exc}", ", ".join(map(str, dumps)))]))
    except RuntimeError as exc:  # a worker that cannot start: the memory limit, or the machine
        click.echo(f"error: {exc} (is --worker-memory-mib large enough?)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    opened = f"opened the store built with the dumps ({engine.triples:,} triples) in {engine.load_seconds:.2f} s" \
        if engine.why_loaded is None else \
        f"loaded {engine.triples:,} triples in {engine.load_seconds:.2f} s ({engine.why_loaded})"
    click.echo(f"{opened}; {limits.workers} query workers{'' if engine.sandboxed else ' (not sandboxed)'}; "
               f"time limit {limits.timeout:g} s", err=True)
    run_server(engine, list(dumps), host=host, port=port, base_iri=base_iri, forwarded_allow_ips=forwarded_allow_ips)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
def init_command(folder: Path) -> None:
    """Write a small valid data folder to start from: an ISCM, an organisation, a document, dataset.yaml.

    FOLDER must be missing or empty. The records are copied from the project's own data; replace them.
    """
    from migration_lod.records.folder import write_example

    names = write_example(folder)
    click.echo(f"wrote {', '.join(names)} into {folder}\nnext: migration-lod build --data {folder} --out dist "
               "(the fields of every kind: migration-lod fields)", err=True)


@main.command("fields")
def fields_command() -> None:
    """Print the record format: the data folder, and the fields of every kind of record (Markdown)."""
    from migration_lod.records.documentation import record_format_page

    click.echo(record_format_page(), nl=False)


@main.command("synth")
@click.option("--records", type=int, required=True, help="How many records to write (all kinds together).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder to write into.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed: the same seed gives the same files.")
@click.option("--violations", type=float, default=0.0, show_default=True,
              help="Share of records (0-1) to break: missing label, bad date, unknown code, concept outside its "
                   "scheme.")
def synth_command(records: int, out_dir: Path, seed: int, violations: float) -> None:
    """Write synthetic records shaped like the real ones (YAML and CSV), for benchmarks."""
    from migration_lod.records.synth import synthesize

    if records < 1 or not 0 <= violations <= 1:
        raise click.BadParameter("--records must be at least 1 and --violations between 0 and 1")
    result = synthesize(records, out_dir, seed=seed, violations=violations)
    click.echo("wrote " + ", ".join(f"{n} {kind} records" for kind, n in sorted(result.records.items()))
               + f" into {out_dir}", err=True)
    injected = ", ".join(f"{n} {kind}" for kind, n in sorted(result.violations.items())) or "none"
    click.echo(f"injected violations: {injected}", err=True)


@main.group("links")
def links_group() -> None:
    """Check the dataset's links to other vocabularies, or import mappings others made to it."""


@links_group.command("check")
@click.option("--dump", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("dist/migration-lod.nt"), show_default=True, help="The dump whose links to check.")
@click.option("--concurrency", default=8, show_default=True, type=int, help="Requests at once, in all.")
@click.option("--per-host", default=2, show_default=True, type=int, help="Requests at once to one host.")
@click.option("--interval", default=0.2, show_default=True, type=float,
              help="Seconds between the starts of two requests to one host.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds to wait for an answer.")
@click.option("--retries", default=3, show_default=True, type=int, help="Retries on transient errors.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the result cache (HTTP validators kept); a second run is cheap.")
@click.option("--max-age", default=86400.0, show_default=True, type=float,
              help="Seconds a cached success stays fresh (no request at all).")
@click.option("--proxy", default=None, help="HTTP proxy to send every request through.")
@_base_iri_option("The dataset's own IRIs (skipped).")
@click.option("--json", "as_json", is_flag=True, help="Print every result as JSON.")
def links_check_command(dump: Path, concurrency: int, per_host: int, interval: float, timeout: float, retries: int,
                        cache_dir: Path | None, max_age: float, proxy: str | None, base_iri: str,
                        as_json: bool) -> None:
    """Dereference every distinct external IRI of a dump and report the broken ones.

    Exit status: 0 no broken link, 1 some broken, 2 bad usage.
    """
    from migration_lod.links.online import LinkChecker, external_iris, report_table
    from migration_lod.rdf.formats import unreadable

    try:
        iris = external_iris(dump, tuple(dict.fromkeys((base_iri, DEFAULT_BASE_IRI))))
    except (OSError, SyntaxError, ValueError) as exc:
        raise unreadable(dump, exc) from exc
    checker = LinkChecker(timeout=timeout, concurrency=concurrency, per_host=per_host, interval=interval,
                          retries=retries, cache_dir=cache_dir, max_age=max_age, proxy=proxy)
    results = checker.check(iris)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(r) for r in results], indent=1))
    else:
        click.echo(report_table(results))
        click.echo(f"{len(results)} IRIs checked, {checker.requests_sent} requests sent", err=True)
    sys.exit(EXIT_OK if all(r.ok for r in results) else EXIT_VIOLATIONS)


@links_group.command("import")
@click.argument("mappings", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dump", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("dist/migration-lod.nt"), show_default=True, help="The dataset the mappings are about.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist/imported"),
              show_default=True, help="Folder for the imported graph (TriG, one named graph per file).")
@click.option("--attributed-to", default=None, help="Who made the mappings (IRI or name), if the file does not say.")
@_base_iri_option("Base IRI of the imported graph's IRI.")
def links_import_command(mappings: Path, dump: Path, out_dir: Path, attributed_to: str | None,
                         base_iri: str) -> None:
    """Import mappings someone else made to this dataset's IRIs (SSSOM TSV or Turtle) as an attributed graph.

    Every subject must be a resource of the dump. Writes OUT/NAME.trig, which `serve` loads as a named graph.
    Exit status: 0 imported, 1 refused (unknown subjects, no attribution), 2 bad usage.
    """
    from migration_lod.links.sssom import MappingImportError, import_mapping_file

    try:
        target, graph_iri, count = import_mapping_file(mappings, dump, out_dir, base_iri, attributed_to)
    except MappingImportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"imported {count} mapping triples into <{graph_iri}>: {target}", err=True)


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(CHANGE_FORMATS), default="md",
              show_default=True, help="Markdown or HTML for people, JSON for programs, Turtle (Changeset vocabulary).")
@click.option("--out", "-o", type=click.Path(path_type=Path), help="Write here (a new file) instead of to standard "
              "output.")
@_base_iri_option("The base IRI of the dataset's records, to name their kinds and fields.")
def diff_command(old: Path, new: Path, fmt: str, out: Path | None, base_iri: str) -> None:
    """What changed from the dump OLD to the dump NEW (.ttl .nt .nq .trig .rdf .jsonld, .gz), resource by resource.

    Records added, removed and changed, each changed field with the values it lost and gained; vocabularies
    and the content of others apart. Blank nodes and a resource's fragment IRIs are compared by content.
    Exit status: 0 (with or without changes), 2 unreadable input or an --out that exists.
    """
    from migration_lod.changes.compare import diff_dumps
    from migration_lod.changes.writers import WRITERS

    problems = [Problem("no such file", str(p)) for p in (old, new) if not p.is_file()]
    if out is not None and out.exists():
        problems.append(Problem("exists: diff writes a new file and never replaces one", str(out)))
    if problems:
        raise InputError(problems)
    try:
        changes = diff_dumps(old, new, base_iri)
    except OSError as exc:  # no room for the sorted copies, or no temporary folder: the user's to fix
        raise InputError([Problem(f"cannot compare the dumps: {exc}", f"{old}, {new}")]) from exc
    text = WRITERS[fmt](changes)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_new_file(out, text, "diff")
    counts = changes.counts()
    click.echo(f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed", err=True)


@main.command("reconcile")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--column", required=True, help="The column of names to match.")
@click.option("--type", "type_given", default=None,
              help="The type of the names: iscm, state, objective, element, cluster, principle, sdg, organisation, "
                   "document, practice, event (or the type's IRI); any type when omitted.")
@click.option("--dump", "dumps", multiple=True, type=click.Path(path_type=Path),
              default=[Path("dist/migration-lod.nt")], show_default=True,
              help="The dataset to match against (repeatable); its published store is used when it has one.")
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="Write here (a new file) instead of to standard output.")
def reconcile_command(table: Path, column: str, type_given: str | None, dumps: tuple[Path, ...],
                      out: Path | None) -> None:
    """Match the names in a column of a CSV file to the dataset's IRIs, as the /reconcile service does.

    Writes the table with four columns added: reconciled_id, reconciled_name, reconciled_score (0-100) and
    reconciled_match (true when one candidate is clearly right). Exit status: 0 written, 2 bad input or usage
    (a missing column, an unknown type, an --out that exists).
    """
    from migration_lod.reconcile.index import open_index
    from migration_lod.reconcile.service import ReconcileError, ReconciliationService
    from migration_lod.reconcile.table import reconcile_table

    problems = [Problem("no such file", str(p)) for p in (table, *dumps) if not p.is_file()]
    if out is not None and (out.exists() or out.is_symlink()):
        problems.append(Problem("exists: reconcile writes a new file and never replaces one", str(out)))
    if problems:
        raise InputError(problems)
    service = ReconciliationService(open_index(dumps))
    try:
        type_key = service.type_key(type_given, "--type") if type_given else None
    except ReconcileError as exc:
        raise click.BadParameter(exc.message.removeprefix("--type: "), param_hint="--type") from exc
    text, rows, matches = reconcile_table(table, column, type_key, service)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_new_file(out, text, "reconcile")
    click.echo(f"{matches} of {rows} rows matched", err=True)


@main.command("push")
@click.argument("dump", type=click.Path(path_type=Path))
@click.option("--endpoint", required=True,
              help="Graph Store Protocol endpoint, e.g. http://host:7878/store (Oxigraph) or "
                   "http://host:8890/sparql-graph-crud (Virtuoso).")
@click.option("--graph", default=None, help="IRI of the graph to write; the default graph when omitted.")
@click.option("--append", is_flag=True, help="Add to the graph (POST) instead of replacing it (PUT).")
@click.option("--user", default=None, help="User name for HTTP authentication.")
@click.option("--password", default=None, envvar="MIGRATION_LOD_PASSWORD",
              help="Password (or the MIGRATION_LOD_PASSWORD environment variable).")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="HTTP authentication scheme (Virtuoso's /sparql-graph-crud-auth uses digest).")
@click.option("--retries", default=4, show_default=True, type=int, help="Attempts on transient errors.")
@click.option("--max-part-mib", default=MAX_PART_MIB, show_default=True, type=click.IntRange(min=1),
              help="The largest request body; a larger N-Triples or N-Quads dump is sent in parts of whole lines "
                   "(Virtuoso stores nothing of a body of 2 GiB or more).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def push_command(dump: Path, endpoint: str, graph: str | None, append: bool, user: str | None,
                 password: str | None, auth: str, retries: int, max_part_mib: int, quiet: bool) -> None:
    """Load a dump into a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol.

    Exit status: 0 stored, 1 the server refused or could not be reached, 2 bad usage.
    """
    from migration_lod.publish.push import PushError, push

    try:
        result = push(dump, endpoint, graph=graph, append=append, user=user, password=password, auth=auth,
                      retries=retries, max_part=max_part_mib * MIB)
    except PushError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    if not quiet:
        action = "appended to" if append else "replaced"
        click.echo(f"{dump} {action} {graph or 'the default graph'} at {endpoint}: HTTP {result.status} in "
                   f"{result.seconds:.2f} s ({result.parts} part(s), {result.attempts} attempt(s))", err=True)
