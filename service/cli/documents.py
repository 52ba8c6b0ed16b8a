"""`lianfang` commands: documents."""

from service.cli import cli  # noqa: F401
