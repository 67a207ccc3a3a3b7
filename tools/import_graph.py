"""Draw kkdash's import graph: ``python -m tools.import_graph`` writes docs/imports.dot and docs/layers.dot
and, with Graphviz installed, their pictures in docs/images/.

``layers``: one box per layer of the import contract in pyproject.toml, an arrow wherever a module of one
layer imports a module of another — what lint-imports checks, so every arrow points down.
``imports``: every module (a subpackage such as kkdash.app drawn as one), every import between them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ENTRY = ("app.py", "pages/")


def layers() -> list[list[str]]:
    """The layers contract's modules, top layer first."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [[name.strip() for name in layer.replace("|", ":").split(":")] for layer in contract["layers"]]


def module_edges() -> set[tuple[str, str]]:
    """(importer, imported) between kkdash's top-level modules and subpackages."""
    graph = grimp.build_graph("kkdash")

    def top(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if top(module) != top(imported) and top(module) != "kkdash.__main__":
                edges.add((top(module), top(imported)))
    return edges


def dot_text() -> str:
    """The graph in Graphviz's language: one row per layer, entry files on top."""
    lines = ["digraph kkdash {", '  rankdir=TB; node [shape=box, fontname="Helvetica", fontsize=11];',
             '  edge [color="#777777", arrowsize=0.6];',
             '  { rank=same; "app.py" [style=filled, fillcolor="#fff3c4"];'
             ' "pages/" [style=filled, fillcolor="#fff3c4"]; }']
    colours = ["#ffe0b2", "#c8e6c9", "#bbdefb", "#bbdefb", "#d1c4e9"] + ["#eeeeee"] * 20
    for number, (layer, colour) in enumerate(zip(layers(), colours, strict=False)):
        names = " ".join(f'"{name.removeprefix("kkdash.")}"' for name in layer)
        lines.append(f"  {{ rank=same; node [style=filled, fillcolor=\"{colour}\"]; {names}; }}  // layer {number}")
    lines += ['  "app.py" -> "app"; "pages/" -> "app"; "pages/" -> "views"; "pages/" -> "charts";']
    for importer, imported in sorted(module_edges()):
        lines.append(f'  "{importer.removeprefix("kkdash.")}" -> "{imported.removeprefix("kkdash.")}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def layers_dot_text() -> str:
    """One node per layer (its modules listed), one arrow per pair of layers with an import between them."""
    stack = layers()
    where = {name: number for number, layer in enumerate(stack) for name in layer}
    lines = ["digraph layers {", '  rankdir=TB; node [shape=box, fontname="Helvetica", fontsize=12, style=filled,'
             ' fillcolor="#f5f5f5"]; edge [color="#555555"];',
             '  entry [label="app.py · pages/", fillcolor="#fff3c4"]; entry -> L0;']
    for number, layer in enumerate(stack):
        names = " · ".join(name.removeprefix("kkdash.") for name in layer)
        lines.append(f'  L{number} [label="{names}"];')
    pairs = sorted({(where[a], where[b]) for a, b in module_edges()
                    if a in where and b in where and where[a] != where[b]})
    lines += [f"  L{high} -> L{low};" for high, low in pairs]
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write both graphs' .dot files, and their pictures when Graphviz's `dot` is on the PATH."""
    dot = shutil.which("dot")
    for name, text in (("imports", dot_text()), ("layers", layers_dot_text())):
        source = DOCS / f"{name}.dot"
        source.write_text(text, encoding="utf-8")
        if dot:
            subprocess.run([dot, "-Tpng", "-Gdpi=110", str(source), "-o", str(DOCS / "images" / f"{name}.png")],
                           check=True)
    print(f"wrote docs/imports.dot and docs/layers.dot{' and their pictures' if dot else ''}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
