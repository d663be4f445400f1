"""Hostile input meets both stores (tests/stores.py)."""

from tests.stores import archive, pytest_generate_tests

__all__ = ["archive", "pytest_generate_tests"]
