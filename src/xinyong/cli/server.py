"""``xinyong serve`` and ``xinyong demo``: the portal and the API, on a demo province if asked."""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from xinyong.cli._common import JsonOption, console, feature_app, number, print_json, print_table
from xinyong.security.principal import operator
from xinyong.services import webhooks
from xinyong.services.collection import BatchSummary
from xinyong.services.demo import load_demo
from xinyong.services.platform import Platform, open_platform

app = feature_app()
Host = Annotated[str, typer.Option(help="Interface to listen on")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port")]


@app.command()
def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Serve the portal and the API."""
    # The web stack (FastAPI, Jinja2, uvicorn) takes longer to import than most commands take to run: only
    # the server loads it.
    import uvicorn

    from xinyong.asgi import create_app

    platform = open_platform()
    app = create_app(platform)
    webhooks.start_worker(platform, operator())  # the change feed's expiries and webhook deliveries
    # What start-up built (modules, rules, templates) lives as long as the server: keep it out of the
    # collector's full passes, which otherwise add tens of milliseconds to an unlucky request.
    gc.freeze()
    uvicorn.run(app, host=host, port=port)


@app.command()
def demo(
    entities: Annotated[int, typer.Option(min=1, help="Entities in the synthetic province")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 1,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve when loaded")] = True,
    json: JsonOption = False,
) -> None:
    """Generate a synthetic province, load it and serve it. As of today by the platform's clock; a second
    run on the same day loads nothing new. Prints a line per kind of file (each batch: `batches report`)."""
    platform = open_platform()
    summaries = list(load_demo(platform, entities=entities, seed=seed, today=platform.clock.today()))
    if json:
        print_json([s.to_dict() for s in summaries])
    else:
        _print_demo_summary(platform, summaries)
    if serve_after:
        console.print(f"serving on http://{host}:{port}/")
        serve(host=host, port=port)


DEMO_COUNTS = ("rows", "accepted", "rejected", "warnings", "duplicates", "review", "late")


def _print_demo_summary(platform: Platform, summaries: list[BatchSummary]) -> None:
    """One column per kind of file and one for the whole load, one row per count: a dozen lines that fit
    80 columns, not a row per file (`batches report` has every batch)."""
    kinds: dict[str, list[BatchSummary]] = {}
    for s in summaries:
        kinds.setdefault(s.kind, []).append(s)
    groups = [*kinds.values(), summaries]
    rows = [["files", *(len(g) for g in groups)]]
    rows += [[c, *(sum(getattr(s, c) for s in g) for g in groups)] for c in DEMO_COUNTS]
    print_table(
        ["count", *(number(kind) for kind in kinds), number("all")],
        rows,
        title=f"Synthetic province loaded into {platform.engine.url.render_as_string(hide_password=True)}",
    )
    console.print(
        "Rejected rows, by row, field and reason: `xinyong batches report` and the reject files in "
        f"{platform.settings.data_dir / 'rejects'}",
        soft_wrap=True,
    )
    console.print(
        "Staff and API clients: `xinyong users add NAME --role R`, `xinyong clients add NAME --role R "
        "--department CODE`; the audit log: `xinyong audit verify`"
    )
