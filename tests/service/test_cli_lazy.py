"""The lazy `lianfang` group must know every command its modules define, and only those."""

import importlib
import subprocess
import sys

from service.cli import COMMANDS, cli


def test_command_table_matches_the_modules():
    for module in set(COMMANDS.values()):
        importlib.import_module(f"service.cli.{module}")
    assert set(cli.commands) == set(COMMANDS)


def test_parse_does_not_load_the_service_stack():
    code = (
        "import sys\n"
        "from service.cli import cli\n"
        "cli.get_command(None, 'parse')\n"
        "heavy = [m for m in ('sqlalchemy', 'matplotlib', 'flask', 'rq') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
