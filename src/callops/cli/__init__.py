"""The ``callops`` command-line program: one click group, one module per capability.

Each module in this package defines ``register(group)`` which adds its commands; the group
finds the modules itself, so a capability adds a file here and touches nothing else.
Errors from callops are printed as one line and exit 1.

Modules are imported lazily: the group reads each module's source (not importing it) for the commands
its ``register`` adds (``group.add_command(name)``: the command's name and docstring), so ``callops --help``
lists every command without importing scipy, SQLAlchemy or the web app; running a command imports its module
only. A module that adds subcommands to another module's group says so with ``EXTENDS = "group"`` and is
loaded right after that group's module.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from callops.errors import CallopsError

__all__ = ["main", "cli"]


@dataclass(frozen=True, slots=True)
class _Listed:
    """A command known from its module's source: where it lives and its help text."""

    module: str
    help: str | None


def _command_name(function: ast.FunctionDef) -> str:
    """The name click gives the command defined by ``function`` (its decorator's name, else the function's)."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) \
                and decorator.func.attr in ("command", "group"):
            named = [a.value for a in decorator.args[:1] if isinstance(a, ast.Constant)]
            named += [k.value.value for k in decorator.keywords
                      if k.arg == "name" and isinstance(k.value, ast.Constant)]
            if named:
                return str(named[0])
    name = function.name.lower()
    for suffix in ("_command", "_cmd", "_group", "_grp"):
        if name.endswith(suffix) and name != suffix:
            name = name[: -len(suffix)]
            break
    return name.replace("_", "-")


def _read_module(path: Path) -> tuple[list[tuple[str, str | None]], str | None]:
    """(the commands ``register`` adds: (name, docstring)), the group the module extends) from its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    extends = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "EXTENDS" for t in node.targets) \
                and isinstance(node.value, ast.Constant):
            extends = str(node.value.value)
    register = functions.get("register")
    commands: list[tuple[str, str | None]] = []
    if register is None or not register.args.args:
        return commands, extends
    group = register.args.args[0].arg
    for call in ast.walk(register):
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "add_command"
                and isinstance(call.func.value, ast.Name) and call.func.value.id == group
                and call.args and isinstance(call.args[0], ast.Name) and call.args[0].id in functions):
            function = functions[call.args[0].id]
            commands.append((_command_name(function), ast.get_docstring(function)))
    return commands, extends


class _Group(click.Group):
    """The top-level group: commands listed from the modules' sources, each module imported when first used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listed: dict[str, _Listed] = {}
        self._extensions: dict[str, list[str]] = {}
        self._loaded: set[str] = set()

    def discover(self, package_path: list[str], package: str) -> None:
        for info in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            module = f"{package}.{info.name}"
            commands, extends = _read_module(Path(package_path[0]) / f"{info.name}.py")
            for name, help_text in commands:
                self._listed[name] = _Listed(module, help_text)
            if extends is not None:
                self._extensions.setdefault(extends, []).append(module)

    def _import(self, module: str) -> None:
        if module not in self._loaded:
            self._loaded.add(module)
            importlib.import_module(module).register(self)

    def _load(self, name: str) -> None:
        listed = self._listed.get(name)
        if listed is None:
            return
        self._import(listed.module)
        for module in self._extensions.get(name, []):
            self._import(module)

    def load_all(self) -> None:
        """Import every command module (the CLI reference walks the real commands)."""
        for name in sorted(self._listed):
            self._load(name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self._listed))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            self._load(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's command list, with the help of commands not imported yet read from their source."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self._listed[name].help)
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CallopsError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="callops")
def cli() -> None:
    """callops: contact-center operations (calls, reports, workforce, simulation, quality)."""


cli.discover(list(__path__), __name__)


def main() -> None:
    cli()
