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


def test_help_lists_every_command_without_loading_the_service():
    """`lianfang --help` imports each area's module for its one-line help, and nothing heavy."""
    code = (
        "import sys\n"
        "from service.cli import main\n"
        "sys.argv = ['lianfang', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'alembic', 'matplotlib', 'flask', 'rq', 'openpyxl', 'docx', 'numpy', 'parsers.api')\n"
        "print('loaded:', *(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert all(f"  {name} " in out.stdout for name in COMMANDS)
    assert out.stdout.splitlines()[-1] == "loaded:"
