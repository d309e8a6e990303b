"""``xinyong repair eligibility`` and ``xinyong cases``: the rights of entities on record."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from xinyong.cli._common import JsonOption, console, feature_app, print_json
from xinyong.security.principal import operator
from xinyong.services import cases
from xinyong.services.platform import open_platform

app = feature_app()
repair_app = feature_app("repair", "Credit repair (信用修复).")
cases_app = feature_app("cases", "Objections, repair applications and commitments as cases.")
app.add_typer(repair_app)
app.add_typer(cases_app)


@repair_app.command("eligibility")
def eligibility(
    record_id: Annotated[int, typer.Argument(min=1, help="A record id (any version of the record)")],
    temporary: Annotated[
        bool, typer.Option(help="Temporary repair under a court-approved restructuring plan")
    ] = False,
    json: JsonOption = False,
) -> None:
    """May the record be repaired today, and if not, why and from when (exit 0 either way)."""
    answer = cases.repair_eligibility(open_platform(), record_id, temporary=temporary)
    if json:
        print_json(answer)
        return
    verdict = (
        ("eligible · 可以申请修复", "green") if answer["eligible"] else ("not eligible · 暂不可修复", "red")
    )
    console.print(
        Text.assemble(f"record {answer['record_id']} ({answer['document_no']}): ", verdict), soft_wrap=True
    )
    for reason in answer["reasons"]:
        console.print(f"  - {reason['message']} / {reason['message_en']}", soft_wrap=True)
    if answer["earliest_on"]:
        console.print(f"  earliest_on: {answer['earliest_on']}")
    for item in answer["review"]:
        console.print(f"  review: {item['message']} / {item['message_en']}", soft_wrap=True)
    if answer["commitment_required"]:
        console.print("  a credit-repair commitment is signed with the application")
    for rule in answer["rules"]:
        console.print(Text(f"  rule {rule['id']}: {rule['citation']}"), soft_wrap=True)


@cases_app.command("overdue")
def overdue(json: JsonOption = False) -> None:
    """Open cases past their deadline, most overdue first (exit 0; none is not an error)."""
    answer = cases.overdue(open_platform(), operator())
    if json:
        print_json(answer)
        return
    if not answer["cases"]:
        console.print(f"no case is overdue on {answer['as_of']}")
    for case in answer["cases"]:
        console.print(
            Text(
                f"case {case['id']} {case['kind']} {case['state']} due {case['due_on']} · {case['uscc']} "
                f"{case['entity_name']} · department {case['department_code']}"
            ),
            soft_wrap=True,
        )
