"""Shared fixtures: the real registry and district list in data/, and a clean app environment."""

import pytest
import streamlit as st

from kkdash.registry import load_districts, load_registry


@pytest.fixture(scope="session")
def districts():
    """data/districts.csv: the 26 official districts of Khon Kaen (read-only: do not mutate)."""
    return load_districts()


@pytest.fixture(scope="session")
def registry(districts):
    """data/agencies.csv, validated: the 154 agencies expected to report (read-only: do not mutate)."""
    return load_registry(districts=districts)


@pytest.fixture
def app_env(monkeypatch, tmp_path):
    """No sheet settings from the environment, a private cache folder, empty Streamlit caches; the fake
    sheet's plain-http loopback links allowed (the test switch)."""
    for name in ("KKDASH_SHEET_URL", "KKDASH_PUBLISHED_CSV_URL", "GOOGLE_APPLICATION_CREDENTIALS",
                 "KKDASH_REGISTRY_PATH", "KKDASH_DEADLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KKDASH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KKDASH_ALLOW_LOOPBACK", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path / "cache"
    st.cache_resource.clear()
