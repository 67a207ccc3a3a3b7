"""Where the files kkdash ships with live: the demo registry, districts, map and demo answers."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REGISTRY_PATH = DATA_DIR / "agencies.csv"
DISTRICTS_PATH = DATA_DIR / "districts.csv"
GEOJSON_PATH = DATA_DIR / "districts.geojson"
DEMO_RESPONSES_PATH = DATA_DIR / "demo_responses.csv"
