"""Voice tests reuse the server's in-process app and token helpers."""

from tests.server.conftest import api, server_settings  # noqa: F401
