"""callops: open-source contact-center operations.

The package is split into pure domain packages (queueing, forecast, scheduling, routing,
simulation, quality, metrics, live) that do no I/O, and edges (ingest, store, web, cli)
that read files, talk to databases and serve HTTP.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
