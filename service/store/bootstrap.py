"""Bring a store to life: run the migrations and make sure the admin account exists.

`init_store()` is what `lianfang init`, `make run` and the test fixture call; it is
idempotent, so running it again (or on every start) changes nothing that is there.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config

from service.config import settings
from service.store.activity import SYSTEM, Actor
from service.store.db import engine, write_session
from service.store.users import add_user

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class InitResult:
    admin_user: str
    admin_created: bool
    generated_password: str | None  # set only when we had to invent one; shown once


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", settings().database_url.replace("%", "%%"))
    return cfg


def upgrade() -> None:
    """Migrate the configured database to the newest revision, in one transaction."""
    settings().home.mkdir(parents=True, exist_ok=True)
    eng = engine()
    if eng.dialect.name == "sqlite":
        eng = eng.execution_options(sqlite_begin="IMMEDIATE")  # two concurrent inits queue, not collide
    with eng.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def init_store(admin_user: str = "admin", admin_password: str | None = None, *,
               change_at_first_login: bool = False, actor: Actor = SYSTEM) -> InitResult:
    """Migrate, then create `admin_user` unless it exists (its password is never changed here).

    The password comes from the argument, else LIANFANG_ADMIN_PASSWORD, else a random one
    that is returned so the caller can show it once. `lianfang init` and the demo pass
    `change_at_first_login`: whoever signs in first with that password must choose a new one.
    """
    upgrade()
    settings().files_dir.mkdir(parents=True, exist_ok=True)
    with write_session() as s:
        password = admin_password or os.environ.get("LIANFANG_ADMIN_PASSWORD")
        generated = None if password else secrets.token_urlsafe(12)
        _, created = add_user(s, admin_user, password or generated, is_admin=True, check_password=False,
                              must_change=change_at_first_login, actor=actor)
    if not created:
        return InitResult(admin_user, admin_created=False, generated_password=None)
    return InitResult(admin_user, admin_created=True, generated_password=generated)
