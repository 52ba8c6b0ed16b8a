"""`lianfang` commands: parse."""

from service.cli import cli  # noqa: F401
