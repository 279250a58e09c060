"""``callops serve`` is registered with its options and refuses bad settings before starting."""

from __future__ import annotations

from click.testing import CliRunner

from callops.cli import cli


def test_serve_is_a_command_with_host_port_reload() -> None:
    """The command group lists serve, and its help names --host, --port and --reload."""
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output and "--reload" in result.output


def test_serve_refuses_a_bad_port_and_bad_settings() -> None:
    """A port outside 1-65535 and an unknown site zone both stop serve with exit code non-zero."""
    assert CliRunner().invoke(cli, ["serve", "--port", "70000"]).exit_code == 2
    result = CliRunner().invoke(cli, ["serve"], env={"CALLOPS_TZ": "Mars/Olympus"})
    assert result.exit_code == 1 and "CALLOPS_TZ" in result.output
