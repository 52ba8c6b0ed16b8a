"""`lianfang` commands: audit."""

from service.cli import cli  # noqa: F401
