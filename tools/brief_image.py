"""Render page 1 of the demo brief to docs/images/brief.png (the README's picture of it).

Run from the repository root: python -m tools.brief_image   (needs poppler's pdftoppm)
"""

from __future__ import annotations

import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from kkdash import brief, pipeline
from kkdash.dates import BANGKOK
from kkdash.intake import DEMO_AS_OF
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_districts, load_registry
from kkdash.sources import read_responses_csv

IMAGE = Path(__file__).resolve().parent.parent / "docs" / "images" / "brief.png"
DPI = 130


def main() -> None:
    """The demo at 5 ก.ค. 2566 16:00, as the overview opens it -> docs/images/brief.png."""
    outcome = pipeline.run(read_responses_csv(DEMO_RESPONSES_PATH), load_registry(), load_districts(),
                           as_of=DEMO_AS_OF.replace(second=59))
    data = brief.brief_pdf(outcome, source_label="ข้อมูลตัวอย่าง", demo=True,
                           generated_at=datetime(2023, 7, 5, 16, 5, tzinfo=BANGKOK))
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "brief.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(IMAGE.with_suffix(""))], check=True)
    print(f"wrote {IMAGE}")


if __name__ == "__main__":
    main()
