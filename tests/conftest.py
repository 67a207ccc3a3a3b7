"""Shared fixtures: only the core ones (the real registry and district list in data/)."""

import pytest

from kkdash.registry import load_districts, load_registry


@pytest.fixture(scope="session")
def districts():
    """data/districts.csv: the 26 official districts of Khon Kaen (read-only: do not mutate)."""
    return load_districts()


@pytest.fixture(scope="session")
def registry(districts):
    """data/agencies.csv, validated: the 154 agencies expected to report (read-only: do not mutate)."""
    return load_registry(districts=districts)
