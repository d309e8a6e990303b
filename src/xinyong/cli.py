"""The ``xinyong`` command. Thin: it parses arguments, calls a service and prints the result."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xinyong.errors import XinyongError
from xinyong.model.codes import check_uscc
from xinyong.settings import Settings

app = typer.Typer(
    help="xinyong — public credit information platform for market entities.", no_args_is_help=True
)
workdays_app = typer.Typer(
    help="Chinese working days (State Council holiday notices, 调休).", no_args_is_help=True
)
db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
app.add_typer(workdays_app, name="workdays")
app.add_typer(db_app, name="db")
users_app = typer.Typer(
    help="Staff and entity accounts (run by the operator on the host).", no_args_is_help=True
)
clients_app = typer.Typer(help="API clients and their keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(clients_app, name="clients")
app.add_typer(audit_app, name="audit")

console = Console()
err = Console(stderr=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _print_json(value: Any) -> None:
    sys.stdout.write(
        orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode() + "\n"
    )


def _fail(error: XinyongError) -> None:
    err.print(f"[red]error:[/red] {error.detail}")
    for item in error.errors:
        err.print(f"  {item}")
    raise typer.Exit(error.exit_code)


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@app.command("uscc")
def uscc_command(
    codes: Annotated[list[str], typer.Argument(help="Codes to check")], json: JsonOption = False
) -> None:
    """Validate and decode unified social credit codes (GB 32100-2015)."""
    results = [check_uscc(code) for code in codes]
    if json:
        _print_json([r.to_dict() for r in results])
    else:
        table = Table("code", "valid", "failed check", "type", "region", "org code check")
        for r in results:
            table.add_row(
                r.code,
                "✓" if r.valid else "✗",
                r.failed_check or "",
                r.entity_type or "",
                f"{r.region_code} {r.region}" if r.region_code else "",
                ""
                if r.organization_code_valid is None
                else ("✓" if r.organization_code_valid else "✗ (strict)"),
            )
        console.print(table)
    if not all(r.valid for r in results):
        raise typer.Exit(1)


def _calendar():
    from xinyong.workdays import WorkdayCalendar

    return WorkdayCalendar(Settings().resolved_calendar_dir)


@workdays_app.command("add")
def workdays_add(date: str, n: int, json: JsonOption = False) -> None:
    """The N-th working day after DATE (counting from the next day): "within N working days of DATE"."""
    start = _parse_date(date)
    try:
        result = _calendar().add(start, n)
    except XinyongError as error:
        _fail(error)
    if json:
        _print_json({"date": start.isoformat(), "working_days": n, "result": result.isoformat()})
    else:
        console.print(result.isoformat())


@workdays_app.command("between")
def workdays_between(start: str, end: str, json: JsonOption = False) -> None:
    """Working days after START up to and including END."""
    d1, d2 = _parse_date(start), _parse_date(end)
    try:
        count = _calendar().between(d1, d2)
    except XinyongError as error:
        _fail(error)
    if json:
        _print_json({"start": d1.isoformat(), "end": d2.isoformat(), "working_days": count})
    else:
        console.print(str(count))


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Output directory")],
    entities: Annotated[int, typer.Option(min=1, help="Number of entities")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed and --as-of give the same files")] = 1,
    as_of: Annotated[
        str | None, typer.Option(help="Date the data is generated as of (default today)")
    ] = None,
    penalties: Annotated[int | None, typer.Option(help="Penalty rows (default about 0.3 per entity)")] = None,
    province: Annotated[str, typer.Option(help="2-digit province code")] = "33",
    json: JsonOption = False,
) -> None:
    """Write a synthetic province's department files in the real formats."""
    from xinyong.synth import generate as run

    summary = run(
        out,
        entities=entities,
        seed=seed,
        as_of=_parse_date(as_of) if as_of else dt.date.today(),
        province=province,
        penalties=penalties,
    )
    if json:
        _print_json(summary.files)
        return
    table = Table("file", "kind", "format", "rows", "bad rows")
    for f in summary.files:
        table.add_row(
            str(f["path"]), f["kind"], f["format"], str(f["rows"]), str(sum(f["bad_rows"].values()))
        )
    console.print(table)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to load, or `report` for the quality report")],
    kind: Annotated[str | None, typer.Option(help="penalty, licence, entity, annual-report or list")] = None,
    json: JsonOption = False,
) -> None:
    """Collect department files (CSV UTF-8/GBK, XLSX, JSON); `xinyong ingest report` shows data quality."""
    from xinyong.services.platform import open_platform

    platform = open_platform()
    if [str(p) for p in paths] == ["report"] and not Path("report").exists():
        _quality_report(platform, json)
        return
    summaries, failed = [], False
    for path in paths:
        try:
            summaries.append(_ingest_one(platform, path, kind, quiet=json))
        except XinyongError as error:
            failed = True
            err.print(f"[red]error:[/red] {path}: {error.detail}")
    if json:
        _print_json([s.to_dict() for s in summaries])
    else:
        for s in summaries:
            _print_summary(s)
    if failed:
        raise typer.Exit(2)


def _ingest_one(platform, path: Path, kind: str | None, *, quiet: bool):
    from xinyong.security.principal import operator
    from xinyong.services.collection import collect

    size = path.stat().st_size if path.exists() else 0
    if quiet or size < 5_000_000:
        return collect(platform, operator(), path, kind=kind)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task(path.name, total=None)
        return collect(platform, operator(), path, kind=kind, progress=lambda n: progress.advance(task, n))


def _print_summary(s) -> None:
    console.print(
        f"[bold]{s.file}[/bold] ({s.kind}, {s.format}{', ' + s.encoding if s.encoding else ''}) "
        f"batch {s.batch_id}: "
        f"{s.rows} rows → [green]{s.accepted} accepted[/green], [red]{s.rejected} rejected[/red], "
        f"{s.duplicates} duplicates, {s.review} to review, [yellow]{s.late} late[/yellow]"
        + (
            f", median lag {s.lag_median_workdays:g} working days"
            if s.lag_median_workdays is not None
            else ""
        )
        + (f", {s.timeliness_unknown} with unknown timeliness" if s.timeliness_unknown else "")
    )
    if s.ignored_columns:
        console.print(f"  ignored columns: {', '.join(s.ignored_columns)}")
    for item in s.rejects[:10]:
        console.print(f"  row {item['row']}: {item['field']}: {item['reason']} — {item['message']}")
    if s.rejected > 10:
        console.print(f"  … {s.rejected_by_reason}")
    if s.reject_file:
        console.print(f"  reject file: {s.reject_file}")


def _quality_report(platform, json: bool) -> None:
    from xinyong.services.quality import department_quality

    report = department_quality(platform)
    if json:
        _print_json(report)
        return
    table = Table(
        "department",
        "batches",
        "rows",
        "accepted",
        "rejected",
        "duplicates",
        "review",
        "late",
        "last batch",
        "rejected by reason",
        title="Data quality by department (数据质量)",
    )
    for d in report:
        table.add_row(
            f"{d['name']}\n{d['code']}",
            str(d["batches"]),
            str(d["rows"]),
            str(d["accepted"]),
            str(d["rejected"]),
            str(d["duplicates"]),
            str(d["review"]),
            str(d["late"]),
            str(d["last_batch_at"] or "—"),
            ", ".join(f"{k} {v}" for k, v in d["rejected_by_reason"].items()),
        )
    console.print(table)


@app.command("search")
def search_command(
    query: Annotated[
        list[str], typer.Argument(help="Name (two or more characters) or code; `reindex` rebuilds")
    ],
    limit: Annotated[int, typer.Option(min=1, max=100, help="Results to show")] = 20,
    json: JsonOption = False,
) -> None:
    """Find entities by name, former name or code; `xinyong search reindex` rebuilds the index."""
    from xinyong.services import search
    from xinyong.services.platform import open_platform

    platform = open_platform()
    if query == ["reindex"]:
        from xinyong.security.principal import operator
        from xinyong.services import audit

        result = search.reindex(platform)
        audit.record(platform, operator(), "search.reindex", "search-index", detail=result)
        if json:
            _print_json(result)
        else:
            console.print(f"indexed {result['documents']} entities in {result['seconds']} s")
        return
    result = search.search_entities(platform, " ".join(query), limit=limit)
    if json:
        _print_json(result)
        return
    table = Table("name", "code", "status", "region", "adverse records", "match")
    for h in result["results"]:
        name = (
            h["name"]
            if h["matched_name"] in (h["name"], h["uscc"])
            else f"{h['name']} (曾用名 {h['matched_name']})"
        )
        table.add_row(name, h["uscc"], h["status"] or "—", h["region"], str(h["adverse_records"]), h["match"])
    console.print(table)


@app.command("entity")
def entity_command(
    code: Annotated[str, typer.Argument(help="Unified social credit code")],
    as_of: Annotated[str | None, typer.Option(help="Show the file as public on this date")] = None,
    json: JsonOption = False,
) -> None:
    """An entity's public credit file."""
    from xinyong.services.credit_file import entity_file
    from xinyong.services.platform import open_platform

    file = entity_file(open_platform(), code, as_of=_parse_date(as_of) if as_of else None)
    if json:
        _print_json(file)
        return
    e = file["entity"]
    console.print(f"[bold]{e['name']}[/bold]  {e['uscc']}  {e['entity_type']}  {e['status'] or '—'}")
    console.print(f"{e['region']['name']}  {e['industry']['code'] or ''} {e['industry']['name'] or ''}")
    if e["former_names"]:
        console.print("曾用名: " + "；".join(e["former_names"]))
    console.print(f"records public on {file['as_of']}: {file['record_count']}")
    for group in file["groups"]:
        table = Table("document", "decided", "authority", "basis", "public until", title=group["name"])
        for r in group["records"]:
            table.add_row(
                r["document_no"] or "",
                str(r["decision_date"] or ""),
                r["authority"]["name"] or "",
                r["legal_basis"] or "",
                str(r["publication"]["end"] or "—"),
            )
        console.print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store's tables to the latest revision."""
    from xinyong.security.principal import operator
    from xinyong.services import audit
    from xinyong.services.platform import open_platform

    platform = open_platform()
    audit.record(platform, operator(), "schema.upgrade", "store")
    console.print(f"schema up to date at {platform.engine.url.render_as_string(hide_password=True)}")


@app.command("backup")
def backup_command(
    path: Annotated[Path, typer.Argument(help="Archive to write (a new file, e.g. xinyong-backup.zip)")],
    json: JsonOption = False,
) -> None:
    """Write the whole store to a portable archive: one JSON Lines file per table and a manifest with
    the schema revision and a SHA-256 per file. Readable by SQLite and PostgreSQL stores alike."""
    from xinyong.services.backup import backup
    from xinyong.services.platform import open_platform

    platform = open_platform()
    manifest = _audited_store_action(
        platform,
        "store.backup",
        path,
        lambda: _with_row_progress("backup", json, lambda report: backup(platform, path, progress=report)),
    )
    _print_backup_manifest(manifest, json, f"wrote {path}")


@app.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="Archive written by `xinyong backup`")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Clear a store that is not empty (in the same transaction)")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Load an archive into the store in one transaction, after checking its manifest, schema revision and
    every checksum. A store that is not empty is refused unless --replace; any failure changes nothing."""
    from xinyong.services.backup import restore
    from xinyong.services.platform import open_platform

    platform = open_platform()
    manifest = _audited_store_action(
        platform,
        "store.restore",
        path,
        lambda: _with_row_progress(
            "restore", json, lambda report: restore(platform, path, replace=replace, progress=report)
        ),
    )
    _print_backup_manifest(manifest, json, f"restored {path}")


def _audited_store_action(platform, action: str, path: Path, run) -> dict[str, Any]:
    """Run a backup or a restore as the host's operator and append it to the audit log, refused or done
    (a restore's entry goes to the restored log, after the entries the archive brought)."""
    from xinyong.security.principal import operator
    from xinyong.services import audit

    try:
        manifest = run()
    except XinyongError as error:
        audit.record(
            platform, operator(), action, str(path), outcome="refused", detail={"error": error.detail}
        )
        _fail(error)
    rows = sum(entry["rows"] for entry in manifest["tables"])
    audit.record(
        platform, operator(), action, str(path), detail={"created_at": manifest["created_at"], "rows": rows}
    )
    return manifest


def _with_row_progress(label: str, quiet: bool, run):
    """Run `run(report)` with a rows counter on stderr, unless the output is JSON for a script."""
    if quiet:
        return run(None)
    columns = (TextColumn("{task.description}"), TextColumn("{task.completed} rows"), TimeElapsedColumn())
    with Progress(*columns, console=err) as progress:
        task = progress.add_task(label, total=None)
        return run(lambda n: progress.advance(task, n))


def _print_backup_manifest(manifest: dict[str, Any], json: bool, title: str) -> None:
    if json:
        _print_json(manifest)
        return
    table = Table("table", "rows", "sha256", title=f"{title} (schema {manifest['schema_revision']})")
    for entry in manifest["tables"]:
        table.add_row(entry["name"], str(entry["rows"]), entry["sha256"][:16] + "…")
    console.print(table)


def _operator_call(call, *args: Any, **kwargs: Any) -> Any:
    """Run a service as the host's operator (audited under the OS user), mapping errors to exit codes."""
    from xinyong.security.principal import operator
    from xinyong.services.platform import open_platform

    try:
        return call(open_platform(), operator(), *args, **kwargs)
    except XinyongError as error:
        _fail(error)


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="entity, department_officer, department_admin, platform_admin, security_admin or auditor"
        ),
    ],
    department: Annotated[str | None, typer.Option(help="department USCC, for department roles")] = None,
    entity: Annotated[str | None, typer.Option(help="entity USCC, for an entity account")] = None,
    json: JsonOption = False,
) -> None:
    """Create an account; the password is asked for (or read from XINYONG_NEW_PASSWORD). Administrator roles
    get a TOTP secret, printed once."""
    import os

    from xinyong.services import accounts

    password = os.environ.get("XINYONG_NEW_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    result = _operator_call(
        accounts.create_account,
        username=username,
        password=password,
        role=role,
        kind="entity" if entity else "staff",
        department_code=department,
        entity_uscc=entity,
    )
    if json:
        _print_json(result)
        return
    console.print(f"account [bold]{username}[/bold] ({role}) created")
    if "totp_uri" in result:
        console.print(f"second factor (add to an authenticator app, shown once): {result['totp_uri']}")


@users_app.command("list")
def users_list(json: JsonOption = False) -> None:
    """Accounts with their role, department, second factor and lock state."""
    from xinyong.services import accounts
    from xinyong.services.platform import open_platform

    rows = accounts.list_accounts(open_platform())
    if json:
        _print_json(rows)
        return
    table = Table("username", "kind", "role", "department", "2FA", "locked until", "disabled")
    for r in rows:
        table.add_row(
            r["username"],
            r["kind"],
            r["role"],
            r["department_code"] or "",
            "yes" if r["second_factor"] else "",
            str(r["locked_until"] or ""),
            "yes" if r["disabled"] else "",
        )
    console.print(table)


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """Lift a lockout after failed logins."""
    from xinyong.services import accounts

    _operator_call(accounts.unlock_account, username)
    console.print(f"{username} unlocked")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable an account and end its sessions."""
    from xinyong.services import accounts

    _operator_call(accounts.disable_account, username)
    console.print(f"{username} disabled")


@clients_app.command("add")
def clients_add(
    name: str,
    role: Annotated[
        str, typer.Option(help="department_officer, department_admin, approval_system or credit_agency")
    ],
    department: Annotated[str | None, typer.Option(help="department USCC")] = None,
    json: JsonOption = False,
) -> None:
    """Register an API client; its key is printed once (only a hash is kept)."""
    from xinyong.services import accounts

    result = _operator_call(accounts.create_client, name=name, role=role, department_code=department)
    if json:
        _print_json(result)
        return
    console.print(f"client [bold]{name}[/bold] ({role}); key (shown once): {result['key']}")


@clients_app.command("rotate")
def clients_rotate(
    name: str,
    grace_hours: Annotated[int, typer.Option(help="hours the older keys keep working")] = 24,
    json: JsonOption = False,
) -> None:
    """Issue a new key; older keys stop after the grace period."""
    from xinyong.services import accounts

    result = _operator_call(accounts.rotate_key, name, grace_hours)
    if json:
        _print_json(result)
        return
    console.print(f"new key for {name} (shown once): {result['key']}; older keys expire in {grace_hours} h")


@clients_app.command("revoke")
def clients_revoke(name: str, prefix: str) -> None:
    """Revoke one key now (PREFIX as shown by `xinyong clients list`)."""
    from xinyong.services import accounts

    _operator_call(accounts.revoke_key, name, prefix)
    console.print(f"key {prefix} of {name} revoked")


@clients_app.command("list")
def clients_list(json: JsonOption = False) -> None:
    """API clients and their keys (prefixes only)."""
    from xinyong.services import accounts
    from xinyong.services.platform import open_platform

    rows = accounts.list_clients(open_platform())
    if json:
        _print_json(rows)
        return
    table = Table("client", "role", "department", "keys (live)")
    for r in rows:
        keys = ", ".join(f"{k['prefix']}{'' if k['live'] else ' (dead)'}" for k in r["keys"])
        table.add_row(r["name"], r["role"], r["department_code"] or "", keys)
    console.print(table)


@audit_app.command("verify")
def audit_verify(json: JsonOption = False) -> None:
    """Recompute the audit log from its entries and check every signed checkpoint; exit 1 on any problem."""
    from xinyong.security.principal import operator
    from xinyong.services import audit
    from xinyong.services.platform import open_platform

    platform = open_platform()
    report = audit.verify(platform)
    audit.record(
        platform,
        operator(),
        "audit.verify",
        "audit-log",
        outcome="ok" if report.ok else "failed",
        detail={"entries": report.entries, "problems": len(report.problems)},
    )
    if json:
        _print_json(report.to_dict())
    else:
        verdict = "[green]intact[/green]" if report.ok else "[red]TAMPERED[/red]"
        console.print(
            f"audit log {verdict}: {report.entries} entries, "
            f"{report.checkpoints_verified} signed checkpoints verified, "
            f"{report.unsigned_tail} entries after the last checkpoint"
        )
        for problem in report.problems:
            console.print(f"  [red]•[/red] {problem}")
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("prune")
def audit_prune(json: JsonOption = False) -> None:
    """Empty the content of entries older than XINYONG_AUDIT_RETENTION_DAYS (their hashes stay)."""
    from xinyong.security.principal import operator
    from xinyong.services import audit
    from xinyong.services.platform import open_platform

    result = audit.prune(open_platform(), operator())
    if json:
        _print_json(result)
        return
    console.print(
        f"{result['pruned']} entries recorded before {result['cutoff']} emptied "
        f"(retention {result['retention_days']} days); the log is pruned below entry {result['before_seq']}"
    )


@audit_app.command("checkpoint")
def audit_checkpoint(json: JsonOption = False) -> None:
    """Sign the audit log's current tree now."""
    from xinyong.services import audit
    from xinyong.services.platform import open_platform

    try:
        checkpoint = audit.checkpoint(open_platform())
    except XinyongError as error:
        _fail(error)
    if json:
        _print_json(checkpoint)
        return
    console.print(f"checkpoint: {checkpoint['tree_size']} entries, root {checkpoint['root_hash']}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Serve the portal and the API."""
    import gc

    import uvicorn

    from xinyong.http.app import create_app
    from xinyong.services.platform import open_platform

    app = create_app(open_platform())
    # What start-up built (modules, rules, templates) lives as long as the server: keep it out of the
    # collector's full passes, which otherwise add tens of milliseconds to an unlucky request.
    gc.freeze()
    uvicorn.run(app, host=host, port=port)


@app.command()
def demo(
    entities: Annotated[int, typer.Option(help="Entities in the synthetic province")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 1,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve when loaded")] = True,
) -> None:
    """Generate a synthetic province, load it and serve the portal and API on 127.0.0.1:8000."""
    from xinyong.services.demo import load_demo
    from xinyong.services.platform import open_platform

    platform = open_platform()
    table = Table(
        title=f"Synthetic province loaded into {platform.engine.url.render_as_string(hide_password=True)}"
    )
    table.add_column("file", overflow="fold")
    for column in ("kind", "rows", "accepted", "rejected", "duplicates", "review", "late"):
        table.add_column(column, justify="left" if column == "kind" else "right", no_wrap=True)
    for s in load_demo(platform, entities=entities, seed=seed, today=dt.date.today()):
        table.add_row(
            s.file,
            s.kind,
            str(s.rows),
            str(s.accepted),
            str(s.rejected),
            str(s.duplicates),
            str(s.review),
            str(s.late),
        )
    console.print(table)
    console.print(
        "Rejected rows, by row, field and reason: `xinyong ingest report` and the reject files in "
        f"{platform.settings.data_dir / 'rejects'}"
    )
    console.print(
        "Staff and API clients: `xinyong users add NAME --role R`, `xinyong clients add NAME --role R "
        "--department CODE`; the audit log: `xinyong audit verify`"
    )
    if serve_after:
        console.print(f"serving on http://{host}:{port}/")
        serve(host=host, port=port)


def main() -> None:
    try:
        app()
    except XinyongError as error:
        _fail(error)


if __name__ == "__main__":
    main()
