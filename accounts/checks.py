"""Deployment checks on what protects sign-in: the secret key signs sessions, password-reset
links and CSRF tokens, so a guessable one lets anybody forge them.

Django's own check (security.W009) only warns about a weak key, and a warning does not fail
``manage.py check --deploy``; in production mode this one is an error. It also refuses the
placeholder shipped in ``.env.example``, which is long and varied enough to pass Django's check.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.checks.security.base import (
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)

ENV_EXAMPLE = Path(settings.BASE_DIR) / ".env.example"
PLACEHOLDER_MARK = "CHANGE-ME"


def env_example_secret_key(path: Path = ENV_EXAMPLE) -> str | None:
    """The placeholder DJANGO_SECRET_KEY of ``.env.example`` (None without the file)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == "DJANGO_SECRET_KEY":
            return value.strip()
    return None


def secret_key_problem(key: str, placeholder: str | None) -> str | None:
    """Why ``key`` is not fit for production, or None."""
    if (placeholder and key == placeholder) or PLACEHOLDER_MARK in key:
        return "is the placeholder from .env.example"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"is shorter than {SECRET_KEY_MIN_LENGTH} characters"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters"
    return None


def check_production_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Registered by ``AccountsConfig.ready()``, for ``check --deploy`` only."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    placeholder = env_example_secret_key()
    errors = []
    keys = [("DJANGO_SECRET_KEY", settings.SECRET_KEY)] + [
        (f"SECRET_KEY_FALLBACKS[{i}]", key)
        for i, key in enumerate(getattr(settings, "SECRET_KEY_FALLBACKS", []))
    ]
    for name, key in keys:
        problem = secret_key_problem(str(key), placeholder)
        if problem:
            errors.append(
                checks.Error(
                    f"{name} {problem}: in production it must be a long random string.",
                    hint='Generate one with: python -c "import secrets; '
                    'print(secrets.token_urlsafe(50))"',
                    id="portal.E001",
                )
            )
    return errors
