"""The production configuration: .env.example with a real secret key passes `check --deploy`, its
placeholder key (or a short one) fails it, production mode refuses to start without a secret key,
and docker-compose.yml is a valid stack with health checks.

None of these needs a database: each runs manage.py or docker-compose in a subprocess.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES = {"postgres", "redis", "web", "proxy", "worker", "beat"}
SERVICES_WITH_HEALTHCHECK = {"postgres", "redis", "web", "proxy", "worker"}


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and comments are ignored."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a KEY=VALUE line in {path.name}: {line!r}"
        values[key.strip()] = value.strip()
    return values


def settings_variables() -> set[str]:
    """Every environment variable config/settings.py reads."""
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    return set(
        re.findall(r"""(?:env(?:_bool|_list)?|os\.environ\.get)\(\s*["']([A-Z0-9_]+)["']""", source)
    )


def clean_environment(tmp_path: Path) -> dict[str, str]:
    """This process's environment without anything the settings read, and the real settings."""
    env = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PORTAL_VAR_DIR"] = str(tmp_path / "var")
    return env


def manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_sets_the_production_essentials():
    values = read_env_file(ENV_EXAMPLE)
    assert values["DJANGO_ENV"] == "production"
    for name in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
        "POSTGRES_DB",
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
        "REDIS_URL",
        "DJANGO_MEDIA_ROOT",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "DEFAULT_FROM_EMAIL",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_HSTS_SECONDS",
        "DJANGO_BEHIND_TLS_PROXY",
        "PORTAL_TRUSTED_PROXY_COUNT",
    ):
        assert values.get(name), f"{name} missing from .env.example"
    # Every variable it sets is one the settings read, or one the postgres container reads.
    unknown = (
        set(values) - settings_variables() - {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
    )
    assert not unknown, f".env.example sets variables nothing reads: {sorted(unknown)}"


def test_production_mode_passes_check_deploy_with_zero_issues(tmp_path):
    env = clean_environment(tmp_path)
    env.update(read_env_file(ENV_EXAMPLE))
    # The check needs no services: SQLite instead of the postgres container. REDIS_URL stays, as
    # neither the cache nor Celery connects during a check.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}"
    # The placeholder key of .env.example fails the check (below): a real one, as the README says.
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)

    result = manage(["check", "--deploy", "--fail-level", "WARNING"], env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)" in output, output


def production_environment(tmp_path: Path, secret_key: str) -> dict[str, str]:
    env = clean_environment(tmp_path)
    env.update(read_env_file(ENV_EXAMPLE))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}"
    env["DJANGO_SECRET_KEY"] = secret_key
    return env


@pytest.mark.parametrize(
    "secret_key, problem",
    [
        (read_env_file(ENV_EXAMPLE)["DJANGO_SECRET_KEY"], "is the placeholder from .env.example"),
        ("CHANGE-ME-" + secrets.token_urlsafe(50), "is the placeholder from .env.example"),
        (secrets.token_urlsafe(30), "is shorter than 50 characters"),
        ("ab" * 30, "has fewer than 5 different characters"),
    ],
    ids=["env-example-placeholder", "edited-placeholder", "short", "too-few-characters"],
)
def test_check_deploy_fails_in_production_mode_on_a_weak_secret_key(tmp_path, secret_key, problem):
    env = production_environment(tmp_path, secret_key)

    # Without --fail-level: Django's own weak-key check (security.W009) is only a warning.
    result = manage(["check", "--deploy"], env)

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "portal.E001" in output and f"DJANGO_SECRET_KEY {problem}" in output, output
    assert secret_key not in output  # the key itself is never printed


def test_a_weak_secret_key_is_a_deployment_matter_only(tmp_path):
    """The ordinary check (run at every start) and development mode let it pass."""
    env = production_environment(tmp_path, "short-key-but-fine-for-startup")
    result = manage(["check"], env)
    assert result.returncode == 0, result.stdout + result.stderr

    env = clean_environment(tmp_path)
    env["DJANGO_SECRET_KEY"] = "short"
    result = manage(["check", "--deploy"], env)
    assert "portal.E001" not in result.stdout + result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    env = clean_environment(tmp_path)
    env.update(
        DJANGO_ENV="production",
        DJANGO_ALLOWED_HOSTS="portal.example.edu.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'no-secret.sqlite3'}",
    )

    result = manage(["check"], env)

    assert result.returncode != 0, result.stdout + result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr, result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts(tmp_path):
    env = clean_environment(tmp_path)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=read_env_file(ENV_EXAMPLE)["DJANGO_SECRET_KEY"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'no-hosts.sqlite3'}",
    )

    result = manage(["check"], env)

    assert result.returncode != 0, result.stdout + result.stderr
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr, result.stderr


def services_with_healthcheck(config_yaml: str) -> dict[str, bool]:
    """Read `docker-compose config` output (normalised YAML, two-space indent) without PyYAML."""
    found: dict[str, bool] = {}
    in_services = False
    current = None
    for line in config_yaml.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            in_services = line.rstrip() == "services:"
            current = None
            continue
        if not in_services:
            continue
        service = re.match(r"^  ([A-Za-z0-9_.-]+):\s*$", line)
        if service:
            current = service.group(1)
            found[current] = False
        elif current and re.match(r"^    healthcheck:\s*$", line):
            found[current] = True
    return found


def unfolded(config_yaml: str) -> str:
    """`docker-compose config` output with its long double-quoted strings joined again."""
    joined = re.sub(r"\\\n\s*", "", config_yaml).replace("\\ ", " ")
    return re.sub(r"\n\s+", " ", joined)


@pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose is not installed"
)
def test_docker_compose_file_is_valid_with_health_checks(tmp_path):
    # In a copy, with .env.example as .env, as the README tells: never touch a real .env here.
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    env = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    env.pop("COMPOSE_FILE", None)
    env.pop("COMPOSE_PROJECT_NAME", None)

    def compose(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker-compose", "-f", str(tmp_path / "docker-compose.yml"), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    quiet = compose("config", "-q")
    assert quiet.returncode == 0, quiet.stderr

    listed = compose("config", "--services")
    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) == SERVICES

    full = compose("config")
    assert full.returncode == 0, full.stderr
    health = services_with_healthcheck(full.stdout)
    assert set(health) == SERVICES
    missing = sorted(name for name in SERVICES_WITH_HEALTHCHECK if not health[name])
    assert not missing, f"services without a healthcheck: {missing}"

    # Web and worker share the uploaded files at DJANGO_MEDIA_ROOT.
    media_root = read_env_file(ENV_EXAMPLE)["DJANGO_MEDIA_ROOT"]
    assert full.stdout.count(f"media:{media_root}") == 2, full.stdout

    # The proxy refuses request bodies over the portal's own limit, before gunicorn reads them.
    limit = read_env_file(ENV_EXAMPLE)["UPLOAD_MAX_REQUEST_MB"]
    proxy = unfolded(full.stdout)
    assert f"client_max_body_size {limit}m;" in proxy, proxy
    assert "proxy_pass http://web:8000;" in proxy, proxy


def test_uploaded_files_switch_to_s3_compatible_storage_by_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        'from django.core.files.storage import storages; s = storages["default"]; '
        "print(type(s).__module__, s.bucket_name, s.endpoint_url, s.default_acl)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "S3_BUCKET": "portal-files",
        "S3_ENDPOINT_URL": "http://minio:9000",
        "S3_ACCESS_KEY_ID": "key",
        "S3_SECRET_ACCESS_KEY": "secret",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3",
        "portal-files",
        "http://minio:9000",
        "private",
    ]
