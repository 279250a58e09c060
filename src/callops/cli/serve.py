"""``callops serve``: the web app (pages and API) under uvicorn."""

from __future__ import annotations

from typing import TypedDict

import click

from callops.cli import _context


# proxy_headers=False: the app alone reads X-Forwarded-For, and only from CALLOPS_TRUSTED_PROXIES;
# server_header=False: no "server: uvicorn" telling scanners what runs here
class UvicornOptions(TypedDict):
    proxy_headers: bool
    server_header: bool


UVICORN_OPTIONS = UvicornOptions(proxy_headers=False, server_header=False)


def register(group: click.Group) -> None:
    group.add_command(serve)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), envvar="CALLOPS_WEB_WORKERS",
              help="Processes serving requests (CALLOPS_WEB_WORKERS): one per core for many report users; each "
                   "keeps its own KPI result cache.")
@click.option("--reload", is_flag=True, help="Restart when the code changes (development; one process).")
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the web app on http://HOST:PORT (settings from CALLOPS_* variables)."""
    import uvicorn

    if reload and workers > 1:
        raise click.UsageError("--reload runs one process: leave out --workers")
    _context.settings()  # refuse bad settings before starting the server
    click.echo(f"callops on http://{host}:{port}  (API reference: http://{host}:{port}/docs)")
    uvicorn.run("callops.web:app_from_env", factory=True, host=host, port=port, reload=reload,
                workers=workers if workers > 1 else None, log_level="info", **UVICORN_OPTIONS)
