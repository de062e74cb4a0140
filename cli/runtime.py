"""The composition root for CLI commands: one `Root` built from the settings."""

from __future__ import annotations

from config.settings import get_settings
from wiring.root import Root


def cli_root() -> Root:
    """The root every CLI command that runs the graph builds its parts from."""
    return Root(get_settings())
