"""`lianfang` commands: web."""

from service.cli import cli  # noqa: F401
