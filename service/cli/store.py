"""`lianfang` commands: store."""

from service.cli import cli  # noqa: F401
