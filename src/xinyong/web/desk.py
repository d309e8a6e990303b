"""A department's desk (部门工作台), for its officers and administrators signed in on the portal: upload a
file, the department's batches with their summaries and timeliness, each batch with its rejects and its
warnings on screen and each as a CSV download (two files: a reject is a row to send again, a warning a value
to correct in a row already loaded, and each list keeps the columns of its own). Each page renders a view of
http/views.py and links its JSON twin under /api/v1/batches; the access policy admits department roles only,
and the services answer for the caller's own department only (another department's batch is a 404, as one
that does not exist)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from xinyong.errors import InvalidInput
from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import BatchId, Offset, PlatformDep
from xinyong.http.uploads import collect_upload
from xinyong.ingest.schema import schemas
from xinyong.security.csvsafe import iter_csv
from xinyong.security.principal import Principal
from xinyong.services import quality
from xinyong.services.platform import Platform
from xinyong.web.i18n import reason_words, translator
from xinyong.web.pages import LangQuery, problem_text, render

router = APIRouter(include_in_schema=False)
BATCHES_PAGE = 20
REJECTS_PAGE = 50
WARNINGS_PAGE = 50
PRIVATE = {"Cache-Control": "private, no-store"}  # a department's own data: never kept by a cache


def _page(
    request: Request, template: str, lang: str, twin: str, status: int = 200, **context: Any
) -> HTMLResponse:
    response = render(request, template, lang, twin, status, reason=reason_words(lang), **context)
    response.headers.update(PRIVATE)
    return response


def _desk(
    request: Request,
    platform: Platform,
    principal: Principal,
    lang: str,
    offset: int = 0,
    *,
    status: int = 200,
    problem: str | None = None,
    switch_path: str | None = None,
) -> HTMLResponse:
    view = views.department_batches(platform, principal, offset=offset, limit=BATCHES_PAGE)
    return _page(
        request,
        "desk.html",
        lang,
        view.twin,
        status,
        d=view.data,
        kinds=list(schemas()),
        csrf_token=principal.session_csrf,
        problem=problem,
        switch_path=switch_path,  # a refused upload is shown at /desk/upload: its other language is /desk's
    )


@router.get("/desk/feedback", response_class=HTMLResponse)
def desk_feedback_page(
    request: Request, platform: PlatformDep, principal: PrincipalDep, lang: LangQuery = "zh"
) -> HTMLResponse:
    """惩戒反馈: the measures the department reported applying (POST /api/v1/feedback), counted."""
    view = views.feedback_statistics(platform, principal)
    return _page(request, "desk_feedback.html", lang, view.twin, f=view.data)


@router.get("/desk", response_class=HTMLResponse)
def desk_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    return _desk(request, platform, principal, lang, offset)


@router.post("/desk/upload", response_class=HTMLResponse)
def desk_upload(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=20)] = "",
    lang: LangQuery = "zh",
) -> Response:
    """The CSRF token (a form field) is checked by the access policy before this runs. A file that cannot
    be read as a whole is said on the desk (422); otherwise the new batch's page follows."""
    try:
        summary = collect_upload(platform, principal, file, kind or None)
    except InvalidInput as error:
        return _desk(
            request,
            platform,
            principal,
            lang,
            status=error.status,
            problem=problem_text(error, lang),
            switch_path="/desk",
        )
    return RedirectResponse(f"/desk/batches/{summary.batch_id}?lang={lang}", status_code=303)


@router.get("/desk/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    batch_id: BatchId,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    view = views.batch(platform, principal, batch_id)
    return _page(request, "desk_batch.html", lang, view.twin, b=view.data)


@router.get("/desk/batches/{batch_id}/rejects", response_class=HTMLResponse)
def rejects_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    batch_id: BatchId,
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    view = views.batch_rejects(platform, principal, batch_id, offset=offset, limit=REJECTS_PAGE)
    return _page(request, "desk_rejects.html", lang, view.twin, p=view.data)


@router.get("/desk/batches/{batch_id}/warnings", response_class=HTMLResponse)
def warnings_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    batch_id: BatchId,
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    view = views.batch_warnings(platform, principal, batch_id, offset=offset, limit=WARNINGS_PAGE)
    return _page(request, "desk_warnings.html", lang, view.twin, p=view.data)


def _csv(batch_id: int, name: str, entries: Iterator[dict[str, Any]], lang: str) -> StreamingResponse:
    """A batch's rejects or warnings (UTF-8 with BOM, cells that would start a formula neutralised), the
    reason in words in the page's language and as its code. Named after the batch, never after the sender's
    file."""
    t, words = translator(lang), reason_words(lang)
    header = [t("row"), t("field"), t("reason"), t("reason_code"), t("message")]
    rows = ([e["row"], e["field"], words(e["reason"]), e["reason"], e["message"]] for e in entries)
    return StreamingResponse(
        iter_csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}-{name}.csv"', **PRIVATE},
    )


@router.get("/desk/batches/{batch_id}/rejects.csv")
def rejects_csv(
    platform: PlatformDep, principal: PrincipalDep, batch_id: BatchId, lang: LangQuery = "zh"
) -> StreamingResponse:
    """Every reject of the batch."""
    rejects = quality.all_rejects(platform, principal, batch_id)  # refuses here, before anything is sent
    return _csv(batch_id, "rejects", rejects, lang)


@router.get("/desk/batches/{batch_id}/warnings.csv")
def warnings_csv(
    platform: PlatformDep, principal: PrincipalDep, batch_id: BatchId, lang: LangQuery = "zh"
) -> StreamingResponse:
    """Every warning of the batch."""
    warnings = quality.all_warnings(platform, principal, batch_id)  # refuses here, before anything is sent
    return _csv(batch_id, "warnings", warnings, lang)
