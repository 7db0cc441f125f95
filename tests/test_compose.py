"""The deploy files must launch modules that exist and keep the app off a role that bypasses RLS.

Nothing here needs Docker: the compose file and Dockerfile are parsed and their commands resolved
against the code in this checkout, so a renamed module or app breaks the suite, not the deploy.
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}
GUNICORN_TARGET = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_]\w*)$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def split_command(command: str | list[str]) -> list[list[str]]:
    """Split a compose or Dockerfile command into the argv of each program it runs.

    Unwraps `sh -c "..."` and splits the script on shell operators; a leading `exec` is dropped.
    """
    argv = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    if len(argv) >= 3 and Path(argv[0]).name in {"sh", "bash"} and re.fullmatch(r"-\w*c", argv[1]):
        lexer = shlex.shlex(argv[2], posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    else:
        tokens = argv
    argvs: list[list[str]] = [[]]
    for token in tokens:
        if token in SHELL_OPERATORS:
            argvs.append([])
        else:
            argvs[-1].append(token)
    return [argv[1:] if argv[0] == "exec" else argv for argv in argvs if argv]


def option_value(argv: list[str], short: str, long: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg in (short, long) and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(f"{long}="):
            return arg.split("=", 1)[1]
        if arg.startswith(short) and len(arg) > len(short) and not arg.startswith("--"):
            return arg[len(short) :]
    return None


def check_launcher(argv: list[str]) -> str | None:
    """Assert the program argv launches resolves in this checkout; return its kind, None if unknown."""
    program = Path(argv[0]).name
    if program.startswith("python") and len(argv) > 2 and argv[1] == "-m":
        program, argv = argv[2], argv[2:]
    if program == "gunicorn":
        targets = [m for arg in argv[1:] if (m := GUNICORN_TARGET.match(arg))]
        assert len(targets) == 1, f"gunicorn needs exactly one module:attribute target: {argv}"
        module = importlib.import_module(targets[0]["module"])
        assert callable(getattr(module, targets[0]["attr"], None)), f"no WSGI callable for {argv}"
        return "gunicorn"
    if program == "celery":
        app_name = option_value(argv, "-A", "--app")
        assert app_name == "prm", f"celery must load the prm app: {argv}"
        app = getattr(importlib.import_module("prm.celery"), "app", None)
        assert isinstance(app, Celery), "prm.celery.app is not a Celery instance"
        subcommands = {"worker", "beat"} & set(argv)
        assert len(subcommands) == 1, f"expected one of celery worker/beat: {argv}"
        return f"celery {subcommands.pop()}"
    if program.startswith("python") and len(argv) > 2 and Path(argv[1]).name == "manage.py":
        assert (ROOT / "manage.py").is_file(), "manage.py is missing"
        assert argv[2] in get_commands(), f"unknown management command {argv[2]!r}"
        return "manage.py"
    return None


def service_env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def test_split_command_unwraps_shell_and_operators():
    assert split_command(["sh", "-c", "python manage.py migrate && exec gunicorn a.b:c"]) == [
        ["python", "manage.py", "migrate"],
        ["gunicorn", "a.b:c"],
    ]
    assert split_command("celery -A prm beat") == [["celery", "-A", "prm", "beat"]]


def test_expected_services_exist(compose):
    assert {"postgres", "redis", *APP_SERVICES} <= set(compose["services"])


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_service_has_healthcheck(compose, name):
    check = compose["services"][name].get("healthcheck") or {}
    assert not check.get("disable"), f"{name} healthcheck is disabled"
    test = check.get("test")
    assert test and test != ["NONE"], f"{name} has no healthcheck"


def test_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes") or {})
    assert {"pgdata", "redisdata"} <= declared
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.get("source", "") if isinstance(volume, dict) else volume.split(":", 1)[0]
            # Bind mounts and anonymous volumes start with a path; anything else must be declared.
            if source and not source.startswith((".", "/", "~", "$")):
                assert source in declared, f"{name} uses undeclared volume {source!r}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("web", {"manage.py", "gunicorn"}), ("worker", {"celery worker"}), ("beat", {"celery beat"})],
)
def test_app_commands_resolve(compose, name, expected):
    kinds = {check_launcher(argv) for argv in split_command(compose["services"][name]["command"])}
    assert expected <= kinds, f"{name} runs {kinds}, expected {expected}"


def test_worker_consumes_every_routed_queue(compose):
    argv = next(a for a in split_command(compose["services"]["worker"]["command"]) if "worker" in a)
    consumed = set((option_value(argv, "-Q", "--queues") or "").split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert {settings.CELERY_TASK_DEFAULT_QUEUE, *routed} <= consumed


def test_app_does_not_connect_as_superuser(compose):
    init_sql = (ROOT / "deploy" / "postgres-init.sql").read_text()
    for name in APP_SERVICES:
        url = urlsplit(service_env(compose["services"][name])["DATABASE_URL"])
        assert url.username and url.username != "postgres", f"{name} connects as a superuser"
        user, database = re.escape(url.username), re.escape(url.path.lstrip("/"))
        role = re.search(rf"CREATE\s+ROLE\s+\"?{user}\"?\s([^;]*);", init_sql, re.I)
        assert role, f"init script does not create role {url.username!r}"
        options = role[1].upper().split()
        assert "NOSUPERUSER" in options and "NOBYPASSRLS" in options
        assert "SUPERUSER" not in options and "BYPASSRLS" not in options
        owner = rf"CREATE\s+DATABASE\s+\"?{database}\"?\s+(WITH\s+)?OWNER\s*=?\s*\"?{user}\b"
        assert re.search(owner, init_sql, re.I), f"{url.path} is not owned by {url.username!r}"


def test_dockerfile_runs_wsgi_app_as_non_root():
    instructions = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    cmds = [line.split(None, 1)[1] for line in instructions if line.split(None, 1)[:1] == ["CMD"]]
    assert cmds, "Dockerfile has no CMD"
    cmd = cmds[-1].strip()
    argvs = split_command(json.loads(cmd) if cmd.startswith("[") else cmd)
    assert "gunicorn" in {check_launcher(argv) for argv in argvs}
    assert any("prm.wsgi:" in arg for argv in argvs for arg in argv)
    users = [line.split()[1] for line in instructions if line.split(None, 1)[:1] == ["USER"]]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "container runs as root"
