"""``xinyong check``, ``receipt verify``, ``measures`` and ``matters``: joint rewards and punishments."""

from __future__ import annotations

import datetime as dt
import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from xinyong.cli._common import (
    JsonOption,
    console,
    err,
    feature_app,
    iso_date,
    number,
    print_json,
    print_table,
    whole,
)
from xinyong.errors import InvalidInput
from xinyong.security.principal import operator
from xinyong.services import cases, checks
from xinyong.services.platform import open_platform

app = feature_app()
receipt_app = feature_app("receipt", "Signed receipts: checks and credit repairs.")
app.add_typer(receipt_app)

AsOf = Annotated[
    dt.date | None, typer.Option(parser=iso_date, help="Answer as the platform would have on this day")
]


@app.command()
def check(
    code: Annotated[str | None, typer.Argument(help="Unified social credit code of the entity")] = None,
    matter: Annotated[str, typer.Option("--matter", help="What is asked for (see `xinyong matters`)")] = "",
    name: Annotated[
        str | None, typer.Option("--name", help="The entity's current name instead of a code")
    ] = None,
    bulk: Annotated[
        Path | None, typer.Option("--bulk", help="A bidder list: CSV with a code column, or JSON")
    ] = None,
    person_id_no: Annotated[
        str | None,
        typer.Option(
            "--person-id-no", help="With --matter legal-representative: the proposed person's ID number"
        ),
    ] = None,
    as_of: AsOf = None,
    json: JsonOption = False,
) -> None:
    """May this entity get this matter? The decision, every hit with its legal basis, a signed receipt.
    With --json the printed object is itself the signed document (`xinyong receipt verify` checks it)."""
    if not matter:
        raise InvalidInput(key="check.matter_required")
    if sum(x is not None for x in (code, name, bulk)) != 1:
        raise InvalidInput(key="check.one_target")
    platform = open_platform()
    if bulk is not None:
        document = checks.check_bulk(
            platform, operator(), codes=_read_codes(bulk), matter=matter, as_of=as_of
        )
    else:
        document = checks.check(
            platform, operator(), matter=matter, uscc=code, name=name, as_of=as_of, person_id_no=person_id_no
        )
    if json:
        print_json(document)
        return
    if bulk is not None:
        print_table(
            [whole("code"), "name", "decision", number("hits")],
            (
                [row["uscc"], row["name"] or "—", row["decision"], len(row["hits"])]
                for row in document["rows"]
            ),
            title=f"{matter} · {document['as_of']}",
        )
        console.print("counts: " + ", ".join(f"{k} {v}" for k, v in document["counts"].items()))
    else:
        _print_single(document)
    console.print(
        f"receipt {document['receipt']['id']} (key {document['receipt']['key_id']})", soft_wrap=True
    )


def _print_single(document: dict[str, Any]) -> None:
    entity = document["entity"]
    who = (
        f"{entity['name']} {entity['uscc']}"
        if entity
        else (document["question"]["uscc"] or document["question"]["name"])
    )
    console.print(
        Text.assemble(
            (document["decision"], "bold"), f"  {who}  {document['question']['matter']}  {document['as_of']}"
        ),
        soft_wrap=True,
    )
    for candidate in document["candidates"]:
        console.print(Text(f"  candidate {candidate['uscc']} {candidate['name']}"), soft_wrap=True)
    for hit in document["hits"]:
        console.print(
            f"  {hit['effect']}: {hit['measure_name']} — {hit['list'] or hit['category']} "
            f"{hit['document_no'] or ''} "
            f"({hit['decided_on']}, until {hit['until'] or 'removed'}); {hit['basis']}"
            + ("" if hit["basis_verified"] else " [basis to be checked]"),
            soft_wrap=True,
        )


def _read_codes(path: Path) -> list[str]:
    if not path.is_file():
        raise InvalidInput(key="file.not_readable", params={"path": path})
    if path.stat().st_size > checks.MAX_BULK_FILE_BYTES:
        raise InvalidInput(
            key="check.bidder_list_too_large",
            params={"name": path, "mib": checks.MAX_BULK_FILE_BYTES // 2**20},
        )
    return checks.bidder_codes(path.read_bytes(), path.name)


@receipt_app.command("verify")
def verify(
    receipt: Annotated[
        str,
        typer.Argument(
            help="A file holding what `check --json` printed or a repair receipt, or a check's receipt id"
        ),
    ],
    json: JsonOption = False,
) -> None:
    """Exit 0 when the receipt (a check's or a credit repair's) is authentic, 1 when not, naming what
    failed."""
    platform = open_platform()
    path = Path(receipt)
    if path.is_file():
        try:
            document = jsonlib.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise InvalidInput(key="file.not_json", params={"path": path, "error": error}) from None
    else:
        document = checks.get_receipt(platform, receipt)
    repair = isinstance(document, dict) and document.get("type") == cases.REPAIR_DOCUMENT_TYPE
    verdict = cases.verify_receipt(platform, document) if repair else checks.verify(platform, document)
    if json:
        print_json(verdict)
    elif verdict["authentic"]:
        console.print(
            f"authentic: signed by key {verdict['key_id']}"
            + (", kept by the platform" if verdict["kept"] else "")
        )
    else:
        err.print(Text.assemble(("not authentic:", "red"), " ", verdict["problem"]))
    if not verdict["authentic"]:
        raise typer.Exit(1)


@app.command()
def measures(json: JsonOption = False) -> None:
    """The measures catalogue: trigger, target, matters, effect and legal basis of each measure."""
    catalogue = checks.measures(open_platform())
    if json:
        print_json(catalogue)
        return
    console.print(f"{catalogue['catalogue']['title']}  ({catalogue['version']})")
    for m in catalogue["measures"]:
        trigger = m["trigger"].get("list") or m["trigger"].get("category")
        flag = "" if m["verified"] else "  [basis to be checked]"
        console.print(Text(f"{m['id']}", style="bold", no_wrap=True))
        console.print(f"  {m['effect']} · {', '.join(m['matters'])} · {trigger} · {m['target']}")
        console.print(f"  {m['name']} — {m['basis']['law']}{m['basis']['article']}{flag}")


@app.command()
def matters(json: JsonOption = False) -> None:
    """The matters a check can ask about."""
    items = checks.matters(open_platform())
    if json:
        print_json(items)
        return
    for m in items:
        console.print(Text.assemble((m["slug"], "bold"), f"  {m['name']} · {m['name_en']}"))
