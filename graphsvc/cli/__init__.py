"""`graphsvc ...`: one module per command group (common.py holds what they share)."""

from graphsvc.cli import data, db, discover, estate, reports, serve, tokens, utilization
from graphsvc.cli.common import app
from graphsvc.cli.serve import tcp_listener

__all__ = ["app", "main", "tcp_listener"]

# imported for the commands they add to `app`
_GROUPS = (data, db, discover, estate, reports, serve, tokens, utilization)


def main() -> None:
    """Console entry point."""
    app()
