"""Shared fixtures: the real registry and district list in data/, and a clean app environment."""


import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager

from kkdash import metrics
from kkdash.registry import load_districts, load_registry


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """The run's own cache folder (last good sheet, link results, the SQLite chase log), for every test and
    every `python -m kkdash` it starts: a developer's real chase log never changes a test, nor a test it."""
    folder = tmp_path_factory.mktemp("kkdash-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KKDASH_CACHE_DIR", str(folder))
        yield folder


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


@pytest.fixture
def downloads(monkeypatch) -> list[bytes]:
    """The bytes of every download button the app renders (caught in Streamlit's media manager); a download
    built only when clicked is built here, as a click would."""
    caught: list[bytes] = []
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def recording(self, path_or_data, *args, **kwargs):
        if isinstance(path_or_data, bytes):
            caught.append(path_or_data)
        return add(self, path_or_data, *args, **kwargs)

    def recording_deferred(self, data_callable, *args, **kwargs):
        caught.append(data_callable())
        return add_deferred(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_deferred)
    return caught


@pytest.fixture
def rollup(districts) -> pd.DataFrame:
    """District figures for the charts: every district with 3 agencies; 4012 has 1 on time, 1 late, 1 missing
    (which sent a bad row); 4001 has all on time; 4029 has none to report."""
    frame = districts[["district_code", "name_th"]].copy()
    frame = pd.concat([frame, pd.DataFrame({"district_code": [None], "name_th": ["ระดับจังหวัด"]})],
                      ignore_index=True)
    frame["expected"], frame["on_time"], frame["late"], frame["missing"] = 3, 2, 0, 1
    frame.loc[frame["district_code"] == "4012", ["on_time", "late", "missing"]] = [1, 1, 1]
    frame.loc[frame["district_code"] == "4001", ["on_time", "late", "missing"]] = [3, 0, 0]
    frame.loc[frame["district_code"] == "4029", ["expected", "on_time", "missing"]] = [0, 0, 0]
    frame["reported"] = frame["on_time"] + frame["late"]
    frame["needing_correction"] = (frame["district_code"] == "4012").astype(int)  # พล's missing one sent a bad row
    frame["personnel_total"], frame["personnel_signed"] = 100, 90
    frame["signing_rate"] = 0.9
    frame["coverage"] = metrics.rate(frame["reported"], frame["expected"])
    return frame
