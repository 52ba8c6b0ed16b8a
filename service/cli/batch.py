"""`lianfang` commands: batch."""

from service.cli import cli  # noqa: F401
