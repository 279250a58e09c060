"""`callops --help` lists every command from the modules' sources without importing them; running a command
imports its module; the listing read from source equals the real commands."""

from __future__ import annotations

import inspect
import subprocess
import sys

from click.testing import CliRunner

from callops.cli import cli


def test_help_imports_no_command_module() -> None:
    probe = ("import sys; from click.testing import CliRunner; from callops.cli import cli; "
             "out = CliRunner().invoke(cli, ['--help']).output; "
             "print(sorted(m for m in sys.modules if m.startswith(('callops.cli.', 'scipy', 'sqlalchemy')) "
             "and not m.startswith('callops.cli._'))); print(out)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded, _, help_text = result.stdout.partition("\n")
    assert loaded == "[]"
    for name in ("erlang", "staffing", "import", "qa", "report", "serve"):
        assert f"\n  {name} " in help_text


def test_listing_from_source_equals_the_real_commands() -> None:
    listed = {name: item.help for name, item in cli._listed.items()}
    before = CliRunner().invoke(cli, ["--help"]).output
    cli.load_all()
    assert set(listed) == set(cli.commands)
    for name, command in cli.commands.items():
        assert inspect.cleandoc(command.help or "") == listed[name], name
    assert CliRunner().invoke(cli, ["--help"]).output == before
    qa = cli.commands["qa"]
    assert {"rules", "evaluations", "appeals"} <= set(getattr(qa, "commands", {}))  # EXTENDS = "qa" loaded
