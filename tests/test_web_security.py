"""The security headers on the pages each role uses, HSTS in production mode, and templates with no
inline script, style or event handler (which the Content-Security-Policy would block)."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from .test_deploy import ENV_EXAMPLE, ROOT, clean_environment, read_env_file
from .workshops.test_group_rules import keep_group_rules

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]

# For each role of the cast: their home page and one page they use.
ROLE_PAGES = {
    "staff": ["/", "/evidence/review/", "/admin/", "/admin/cohorts/enrolment/"],
    "leader": ["/", "/programmes/{programme}/progress/"],
    "school_admin": ["/", "/evidence/review/", "/programmes/{programme}/sessions/"],
    "lead": ["/", "/groups/{team}/"],
    "mentor": ["/", "/groups/"],
    "teacher": ["/", "/progress/"],
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response, url: str) -> None:
    assert response.status_code == 200, url
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"], url
    assert csp["script-src"] == ["'self'"], url
    assert csp["style-src"] == ["'self'"], url
    assert csp["object-src"] == ["'none'"], url
    assert csp["frame-ancestors"] == ["'none'"], url
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], url
    assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["Referrer-Policy"] == "same-origin", url


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_security_headers_on_the_pages_of(role, xuhui):
    # PT-HOURS and XC-ATTEND: the session hours and the group's attendance are on these pages.
    keep_group_rules(xuhui, keeps_attendance=True, training_hours_a_year=Decimal(40))
    client = xuhui.client(role)
    ids = {"programme": xuhui.programme.pk, "team": xuhui.extras["team"].pk}
    for url in ROLE_PAGES[role]:
        url = url.format(**ids)
        assert_security_headers(client.get(url), url)


def test_security_headers_on_the_sign_in_page(client, db):
    assert_security_headers(client.get("/accounts/login/"), "/accounts/login/")


def test_production_mode_sends_hsts_with_the_other_headers(tmp_path):
    """In a subprocess with the production settings of .env.example: HTTPS behind the proxy."""
    env = clean_environment(tmp_path)
    env.update(read_env_file(ENV_EXAMPLE))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'hsts.sqlite3'}"
    env.pop("REDIS_URL", None)
    code = "\n".join(
        [
            "import django",
            "django.setup()",
            "from django.conf import settings",
            "from django.test import Client, override_settings",
            # Static files are collected at build time; their manifest is not needed here.
            "plain = {**settings.STORAGES, 'staticfiles': {'BACKEND': "
            "'django.contrib.staticfiles.storage.StaticFilesStorage'}}",
            "with override_settings(STORAGES=plain):",
            "    r = Client().get('/accounts/login/', headers={'X-Forwarded-Proto': 'https'},"
            " HTTP_HOST='portal.example.edu.cn')",
            "print(r.status_code)",
            "for h in ('Strict-Transport-Security', 'Content-Security-Policy',"
            " 'X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy'):",
            "    print(f'{h}: {r.get(h)}')",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # The sign-in page needs no database to render; a 200 proves the headers of a real page.
    assert lines[0] == "200", result.stdout + result.stderr
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


# --- No inline script or style in the templates -------------------------------------------------

INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def inline_code(text: str) -> list[str]:
    return [name for name, pattern in INLINE.items() if pattern.search(text)]


def templates() -> list[Path]:
    found = sorted({p for d in TEMPLATE_DIRS for p in d.rglob("*.html")})
    assert len(found) > 40, TEMPLATE_DIRS  # the project's own templates, admin ones included
    return found


def test_no_template_carries_inline_script_style_or_event_handlers():
    problems = {
        str(path.relative_to(ROOT)): found
        for path in templates()
        if (found := inline_code(path.read_text("utf-8")))
    }
    assert not problems, f"move these into static/ (the CSP blocks them): {problems}"


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        "<style>p {color: red}</style>",
        '<p style="color: red">',
        '<button onclick="go()">',
        '<input type="checkbox" onchange="toggle(event)">',
        '<a href="javascript:go()">',
    ],
)
def test_the_template_scan_finds(snippet):
    assert inline_code(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/portal.js" defer></script>',
        '<link rel="stylesheet" href="/static/css/portal.css">',
        '<p class="muted">',
        '<svg fill="currentColor" viewBox="0 0 24 24">',
    ],
)
def test_the_template_scan_lets_pass(snippet):
    assert not inline_code(snippet)
