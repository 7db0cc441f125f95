"""Settings come from the environment: embedded defaults without it, a deploy-clean production with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_KEYS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CELERY_TASK_ALWAYS_EAGER")


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy() -> None:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "-not-a-real-secret-" + "y" * 30,
        "ALLOWED_HOSTS": "prm.example.com",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key() -> None:
    result = run_manage("check", env={"DEBUG": "0", "ALLOWED_HOSTS": "prm.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_are_the_embedded_demo() -> None:
    code = (
        "from django.conf import settings as s; import json;"
        " print(json.dumps({'engine': s.DATABASES['default']['ENGINE'],"
        " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'debug': s.DEBUG, 'secret': bool(s.SECRET_KEY)}))"
    )
    result = run_manage("shell", "-c", code, env={})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "debug": True,
        "secret": True,
    }


def test_database_url_selects_the_rls_aware_postgres_backend() -> None:
    code = (
        "from django.conf import settings as s;"
        " print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {"DATABASE_URL": "postgres://prm@db.invalid:5432/prm", "REDIS_URL": "redis://redis.invalid:6379/0"}
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["prm.db_backend", "False"]
