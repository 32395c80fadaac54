"""The Dockerfile, compose.yaml and Procfile, read rather than run (no Docker engine where this
was written): every file they copy or name exists, and every command they run is a real entry
point — manage.py commands Django knows, importable gunicorn/celery/honcho, a gunicorn config
that loads, the Celery app `config`, the beat scheduler."""

from __future__ import annotations

import fnmatch
import importlib
import re
import runpy
import shlex
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
PROCESS_TYPES = {"web", "worker", "beat", "release"}


# --- Reading the files -----------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, rest = line.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def procfile() -> dict[str, str]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    return processes


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _expand_defaults(command: str) -> str:
    """${VAR:-default} and $${VAR:-default} (compose's escape) as their defaults."""
    return re.sub(r"\$?\$\{\w+:-([^}]*)\}", r"\1", command)


def argv_of(command) -> list[str]:
    if isinstance(command, list):
        command = shlex.join(str(part) for part in command)
    argv = shlex.split(_expand_defaults(command))
    while argv and "=" in argv[0] and not argv[0].startswith("-"):
        argv = argv[1:]  # VAR=value prefixes
    if argv[:2] == ["sh", "-c"]:
        return argv_of(argv[2])
    return argv


# --- What makes a command real ---------------------------------------------------------------


def manage_commands_in(script: Path) -> list[str]:
    """The manage.py commands a shell script runs (comments aside)."""
    code = "\n".join(
        line for line in script.read_text().splitlines() if not line.lstrip().startswith("#")
    )
    return re.findall(r"manage\.py\"?\s+(\w+)", code)


def assert_gunicorn_config_loads(path: Path) -> None:
    from gunicorn.config import Config

    assert path.exists(), path
    settings = runpy.run_path(str(path))
    config = Config()
    known = set(config.settings)
    names = {k for k in settings if not k.startswith("_") and k.islower()}
    names -= {"multiprocessing", "os", "portal_logging"}
    unknown = names - known
    assert not unknown, f"not gunicorn settings: {unknown}"
    for name in names:
        config.set(name, settings[name])  # gunicorn's own validation of each value
    assert config.worker_class_str == "gthread"
    assert re.fullmatch(r"[\w.:\[\]]+:\d+", config.bind[0])


def assert_entry_point(argv: list[str]) -> None:
    """Fail unless `argv` runs something that exists in this checkout."""
    program = Path(argv[0]).name
    if program in ("python", "python3") and argv[1:2] == ["manage.py"]:
        assert argv[2] in get_commands(), f"no manage.py command {argv[2]!r}"
    elif program == "sh":
        script = ROOT / argv[1]
        assert script.exists(), script
        commands = manage_commands_in(script)
        assert commands, f"{script} runs no manage.py command"
        for command in commands:
            assert command in get_commands(), f"{script}: no manage.py command {command!r}"
    elif program == "gunicorn":
        importlib.import_module("gunicorn")
        app = next(a for a in argv[1:] if ":" in a and not a.startswith("-"))
        module, _, attribute = app.partition(":")
        assert hasattr(importlib.import_module(module), attribute), app
        assert "-c" in argv, "gunicorn without its config file"
        assert_gunicorn_config_loads(ROOT / argv[argv.index("-c") + 1])
    elif program == "celery":
        from celery.bin.celery import celery as celery_cli

        assert argv[1:3] == ["-A", "config"], argv
        config = importlib.import_module("config")
        assert config.celery_app.main == "twinning"
        subcommand = argv[3]
        assert subcommand in celery_cli.commands, f"no celery subcommand {subcommand!r}"
        known_options = {
            opt
            for param in celery_cli.commands[subcommand].params
            for opt in (*param.opts, *param.secondary_opts)
        }
        for option in (a.split("=")[0] for a in argv[4:] if a.startswith("-")):
            assert option in known_options, f"celery {subcommand}: unknown option {option}"
        if "--scheduler" in argv:
            path = argv[argv.index("--scheduler") + 1]
            module, _, attribute = path.partition(":")
            assert hasattr(importlib.import_module(module), attribute), path
    else:
        pytest.fail(f"unknown program in {argv}")


# --- Procfile --------------------------------------------------------------------------------


def test_procfile_defines_the_processes_once():
    assert set(procfile()) == PROCESS_TYPES
    assert next(iter(procfile())) == "web"  # honcho gives $PORT to the first process


@pytest.mark.parametrize("name", sorted(PROCESS_TYPES))
def test_procfile_commands_are_real(name):
    assert_entry_point(argv_of(procfile()[name]))


def test_honcho_runs_the_procfile():
    from honcho.environ import parse_procfile

    honcho_view = parse_procfile((ROOT / "Procfile").read_text())
    assert set(honcho_view.processes) == PROCESS_TYPES


def test_exactly_one_beat_and_it_uses_the_database_schedule():
    from django.conf import settings

    assert "django_celery_beat.schedulers:DatabaseScheduler" in procfile()["beat"]
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


# --- The release step ------------------------------------------------------------------------


def test_release_script_runs_check_migrate_messages_static_in_order():
    script = (ROOT / "scripts" / "release.sh").read_text()
    commands = manage_commands_in(ROOT / "scripts" / "release.sh")
    assert commands == ["check", "migrate", "collectstatic"]
    # The translations are compiled by Babel (no GNU gettext needed), between the two.
    compile_at = script.index("babel.messages.frontend compile -d locale -D django")
    assert script.rindex("manage.py migrate") < compile_at < script.rindex("collectstatic")


def test_release_steps_run_alone_and_refuse_unknown_ones(tmp_path):
    import subprocess

    ok = subprocess.run(
        ["sh", "scripts/release.sh"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "RELEASE_STEPS": "messages", "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "compile messages" in ok.stdout
    bad = subprocess.run(
        ["sh", "scripts/release.sh"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "RELEASE_STEPS": "deploy-everything"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "unknown step" in bad.stderr


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_base_packages_and_user():
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim-bookworm")
    installs = " ".join(args for kw, args in steps if kw == "RUN" and "apt-get install" in args)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "postgresql-client"):
        assert package in installs.split(), package
    users = [args for kw, args in steps if kw == "USER"]
    assert users and users[-1] not in ("root", "0")
    last_run = max(i for i, (kw, _) in enumerate(steps) if kw == "RUN")
    last_user = max(i for i, (kw, _) in enumerate(steps) if kw == "USER")
    assert last_user > last_run, "the processes must not run as root"
    assert any(kw == "RUN" and "pip install ." in args for kw, args in steps)


def test_dockerfile_copies_files_that_exist_and_dockerignore_keeps_them():
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    needed = ["pyproject.toml", "README.md", "manage.py", "gunicorn.conf.py", "Procfile"]
    needed += ["scripts/release.sh", "config/settings/base.py", "static", "templates"]
    for kw, args in dockerfile():
        if kw != "COPY":
            continue
        *sources, _destination = [a for a in args.split() if not a.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: missing"
            if source != ".":
                needed.append(source)
    for path in needed:
        assert (ROOT / path).exists(), path
        for pattern in ignored:
            assert not fnmatch.fnmatch(path, pattern), f".dockerignore {pattern} drops {path}"
            assert not path.startswith(pattern + "/"), f".dockerignore {pattern} drops {path}"


def test_dockerfile_collects_static_at_build_with_a_dummy_key_and_runs_gunicorn():
    steps = dockerfile()
    build = [args for kw, args in steps if kw == "RUN" and "release.sh" in args]
    assert len(build) == 1
    assert re.search(r'RELEASE_STEPS="[^"]*static[^"]*"', build[0])
    assert "SECRET_KEY=" in build[0] and "migrate" not in build[0].split('"')[1]
    argv = argv_of(build[0].split("&&")[0])
    assert_entry_point(argv)
    cmd = [args for kw, args in steps if kw == "CMD"][-1]
    import json

    assert_entry_point(json.loads(cmd))


# --- compose.yaml ----------------------------------------------------------------------------


def test_compose_has_every_process_and_the_services_they_need():
    services = compose()["services"]
    assert set(services) == {"db", "redis", "release", "web", "worker", "beat"}
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert services["release"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["release"]["condition"]
        assert condition == "service_completed_successfully"
        assert services[name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()
    # Only one beat: no replicas anywhere near it.
    assert "deploy" not in services["beat"]


def test_compose_commands_are_real():
    services = compose()["services"]
    for name in ("release", "web", "worker", "beat"):
        assert_entry_point(argv_of(services[name]["command"]))


def test_compose_requires_the_secrets_instead_of_defaulting_them():
    environment = compose()["services"]["web"]["environment"]
    assert ":?" in environment["SECRET_KEY"]
    assert ":?" in environment["PORTAL_BASE_URL"]
