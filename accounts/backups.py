"""Back up and restore the whole database: the code behind `make backup` / `make restore`.

PostgreSQL: `pg_dump -Fc` (custom format: compressed, restored table by table) and
`pg_restore --clean --if-exists --no-owner` in a single transaction, so a failed restore
leaves the target as it was. SQLite (the laptop default): `dumpdata` with natural keys as XML
(Django's JSON encoder cuts datetimes to milliseconds; XML keeps the microseconds), leaving
out content types and permissions (re-created by `migrate`), and `loaddata` into the freshly
migrated and flushed database. Which one is chosen by the database's engine, that is
by DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import environ
from django.core.management import call_command
from django.db import connections

from core import page_cache

POSTGRESQL = "django.db.backends.postgresql"
# Left out of a SQLite (JSON) backup: rebuilt by `migrate`, and their ids differ per database.
DUMPDATA_EXCLUDE = ["contenttypes", "auth.Permission"]
TARGET_ALIAS = "restore_target"


def is_postgresql(settings_dict: dict) -> bool:
    return settings_dict["ENGINE"] == POSTGRESQL


def default_backup_path(settings_dict: dict, folder: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"{stamp}{expected_suffixes(settings_dict)[0]}"


def expected_suffixes(settings_dict: dict) -> tuple[str, ...]:
    """What a backup of this database is called; SQLite still restores older .json backups."""
    return (".dump",) if is_postgresql(settings_dict) else (".xml", ".json")


def _pg_args_and_env(settings_dict: dict) -> tuple[list[str], dict]:
    """libpq connection options for pg_dump/pg_restore; the password only in the environment."""
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def backup(path: Path, *, using: str = "default") -> Path:
    """Write a backup of database `using` to `path` and return it."""
    settings_dict = connections[using].settings_dict
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgresql(settings_dict):
        args, env = _pg_args_and_env(settings_dict)
        cmd = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args]
        cmd += ["--file", str(path), "--dbname", settings_dict["NAME"]]
        subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    else:
        call_command(
            "dumpdata",
            format="xml",
            natural_foreign=True,
            natural_primary=True,
            exclude=DUMPDATA_EXCLUDE,
            database=using,
            output=str(path),
            verbosity=0,
        )
    return path


def target_alias(database_url: str | None) -> str:
    """The alias to restore into: the configured database, or another one given by URL."""
    if not database_url:
        return "default"
    config = environ.Env.db_url_config(database_url)
    configured = connections.configure_settings(
        {"default": dict(connections.settings["default"]), TARGET_ALIAS: config}
    )
    connections.settings[TARGET_ALIAS] = configured[TARGET_ALIAS]
    return TARGET_ALIAS


def restore(path: Path, *, using: str = "default") -> None:
    """Replace the content of database `using` with the backup at `path`."""
    if not path.is_file():
        raise FileNotFoundError(path)
    connection = connections[using]
    settings_dict = connection.settings_dict
    if is_postgresql(settings_dict):
        connection.close()  # our own session must not hold locks on tables being replaced
        args, env = _pg_args_and_env(settings_dict)
        cmd = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        cmd += ["--single-transaction", "--exit-on-error", *args]
        cmd += ["--dbname", settings_dict["NAME"], str(path)]
        subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    else:
        call_command("migrate", database=using, interactive=False, verbosity=0)
        call_command("flush", database=using, interactive=False, verbosity=0)
        call_command("loaddata", str(path), database=using, verbosity=0)
    page_cache.bump(using)  # every page shown before the restore is out of date
