"""Settings from the environment, read once per process (`settings()` is cached).

Every knob lives here so that `lianfang`, the web app and RQ workers agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    redis_url: str | None
    templates: Path | None
    max_upload_bytes: int
    max_files_per_upload: int
    parse_timeout: float
    parse_memory_total_mb: int  # summed memory budgets of the parse children running at once, machine-wide
    secret_key: str | None
    pin_cores: bool
    trusted_proxies: int  # reverse proxies in front whose X-Forwarded-* headers are believed (0: none)
    secure_cookies: bool  # served over HTTPS: the session cookie is Secure and HSTS is sent
    hsts_seconds: int
    # Optional outgoing hooks for 催报 and other notices (off unless set): a URL that receives a
    # JSON POST, and an SMTP server "host:port" with the sender address.
    notify_webhook: str | None = None
    notify_smtp: str | None = None
    notify_from: str = "lianfang@localhost"

    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@lru_cache(maxsize=1)
def settings() -> Settings:
    home = Path(os.environ.get("LIANFANG_HOME", "instance")).resolve()
    url = os.environ.get("LIANFANG_DATABASE_URL") or f"sqlite:///{home / 'lianfang.sqlite3'}"
    templates = os.environ.get("LIANFANG_TEMPLATES")
    return Settings(
        home=home,
        database_url=url,
        redis_url=os.environ.get("LIANFANG_REDIS_URL") or None,
        templates=Path(templates).resolve() if templates else None,
        max_upload_bytes=_int("LIANFANG_MAX_UPLOAD_MB", 50) * 1024 * 1024,
        max_files_per_upload=_int("LIANFANG_MAX_FILES_PER_UPLOAD", 50),
        parse_timeout=float(os.environ.get("LIANFANG_PARSE_TIMEOUT", 120)),
        parse_memory_total_mb=_int("LIANFANG_PARSE_MEMORY_TOTAL_MB", 2000),
        secret_key=os.environ.get("LIANFANG_SECRET_KEY") or None,
        pin_cores=os.environ.get("LIANFANG_PIN_CORES", "1") != "0",
        trusted_proxies=max(0, _int("LIANFANG_TRUSTED_PROXIES", 0)),
        secure_cookies=os.environ.get("LIANFANG_SECURE_COOKIES", "0") == "1",
        hsts_seconds=max(0, _int("LIANFANG_HSTS_SECONDS", 31_536_000)),
        notify_webhook=os.environ.get("LIANFANG_NOTIFY_WEBHOOK") or None,
        notify_smtp=os.environ.get("LIANFANG_NOTIFY_SMTP") or None,
        notify_from=os.environ.get("LIANFANG_NOTIFY_FROM") or "lianfang@localhost",
    )


_reset_hooks: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> None:
    """Have `reset_settings` call `hook`: what was built from the old settings (the store's
    engines) registers here, so this module imports none of it."""
    if hook not in _reset_hooks:
        _reset_hooks.append(hook)


def reset_settings() -> None:
    """Forget cached settings and what was built from them (tests switch LIANFANG_HOME between cases)."""
    settings.cache_clear()
    for hook in _reset_hooks:
        hook()
