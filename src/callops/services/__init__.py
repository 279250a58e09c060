"""Orchestration between the edges (web, CLI) and the store plus the pure domain.

A service function takes a connection, the acting user and ``now`` (the caller's clock), checks the
user's rights, runs the domain rules and writes through the store. It never commits: the caller does.
"""

__all__: list[str] = []
