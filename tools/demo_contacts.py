"""Give every agency of the demo registry invented contacts: ``python -m tools.demo_contacts``.

Rewrites data/agencies.csv in place, adding the optional columns phone, email, contact_name and
contact_position. Nothing here can reach a real office or person:
- phones are 043-0NN-NNN: in the Thai numbering plan a subscriber number never starts with 0 (a 0
  after the area code cannot be dialled), so none of them rings a real line in Khon Kaen;
- e-mails are on the reserved `.example` domain (RFC 2606), which has no mail server;
- names are drawn from the demo generator's invented first and last names.
One agency's e-mail is left malformed on purpose, so the registry check shows its warning.
The same seed always gives the same file.
"""

from __future__ import annotations

import csv
import random
import sys

from kkdash.paths import REGISTRY_PATH
from tools.demo import FIRST_NAMES, LAST_NAMES, POSITIONS

# The demo's first names that are men's; the others take นาง or นางสาว.
MEN = {"สมชาย", "ประเสริฐ", "ธนพล", "สุรชัย", "ณัฐวุฒิ", "อนุชา", "วีระพงษ์"}
DOMAIN = "khonkaen-demo.example"
MALFORMED = {"O02": "saraban.o02@khonkaen-demo"}  # no top-level domain: a registry warning, not a crash


def contacts(agency_id: str, rng: random.Random) -> dict[str, str]:
    """One agency's invented phone(s), e-mail, coordinator and position."""
    numbers = [f"043-0{rng.randrange(10, 99)}-{rng.randrange(100, 999)}" for _ in range(rng.choice((1, 1, 2)))]
    first = rng.choice(FIRST_NAMES)
    title = "นาย" if first in MEN else rng.choice(("นาง", "นางสาว"))
    name = f"{title}{first} {rng.choice(LAST_NAMES)}"
    email = MALFORMED.get(agency_id, f"saraban.{agency_id.lower()}@{DOMAIN}")
    return {"phone": " / ".join(numbers), "email": email, "contact_name": name,
            "contact_position": rng.choice(POSITIONS)}


def main(seed: int = 2566) -> int:
    """Add (or redraw) the contact columns of data/agencies.csv."""
    with open(REGISTRY_PATH, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rng = random.Random(seed)
    columns = ["agency_id", "name_th", "aliases", "kind", "district_code", "phone", "email", "contact_name",
               "contact_position"]
    with open(REGISTRY_PATH, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**row, **contacts(row["agency_id"], rng)} for row in rows)
    print(f"wrote contacts for {len(rows)} agencies to {REGISTRY_PATH.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
