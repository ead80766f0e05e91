"""Fixtures of the integration tests: server-everything over streamable HTTP (tests/integration/npm.py)."""

from tests.integration.npm import everything  # noqa: F401 (a fixture)
