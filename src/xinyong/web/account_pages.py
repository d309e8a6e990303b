"""Staff and entity sign-in on the portal. The sign-in form carries a CSRF token bound to a cookie
(double submit), so another site cannot sign a visitor in to an account of its choosing."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.errors import AccountLocked, Unauthorized
from xinyong.http.auth import (
    SESSION_COOKIE,
    PrincipalDep,
    clear_session_cookie,
    client_ip,
    set_session_cookie,
)
from xinyong.http.deps import PlatformDep
from xinyong.security.policy import policy
from xinyong.services import accounts
from xinyong.web.pages import LangQuery, render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "xinyong_login_csrf"


def _login_form(
    request: Request, lang: str, status: int = 200, problem: str | None = None, username: str = ""
):
    token = secrets.token_urlsafe(32)
    response = render(
        request, "login.html", lang, None, status, csrf_token=token, problem=problem, username=username
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, lang: LangQuery = "zh") -> Response:
    return _login_form(request, lang)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    platform: PlatformDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=100)],
    totp: Annotated[str, Form(max_length=10)] = "",
    lang: LangQuery = "zh",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_form(request, lang, 403, "form_expired", username)
    try:
        session = accounts.login(platform, client_ip(request), username, password, totp or None)
    except AccountLocked:
        return _login_form(request, lang, 401, "sign_in_locked", username)
    except Unauthorized:
        return _login_form(request, lang, 401, "sign_in_wrong", username)
    response = RedirectResponse(f"/account?lang={lang}", status_code=303)
    set_session_cookie(request, response, session["token"], session["expires_at"])
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, principal: PrincipalDep, lang: LangQuery = "zh") -> Response:
    return render(
        request, "account.html", lang, "/api/v1/me", principal=principal, role=policy().roles[principal.role]
    )


@router.post("/logout")
def logout_submit(
    request: Request, platform: PlatformDep, principal: PrincipalDep, lang: LangQuery = "zh"
) -> Response:
    accounts.logout(platform, principal, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(f"/?lang={lang}", status_code=303)
    clear_session_cookie(response)
    return response
