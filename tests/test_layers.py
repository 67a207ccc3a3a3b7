"""The layers are a checked rule: the import contracts in pyproject.toml cover every module and do catch a breach."""

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import kkdash

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def layered_modules() -> set[str]:
    """Every module named in the layers contract."""
    (layers,) = [c["layers"] for c in CONFIG["contracts"] if c["type"] == "layers"]
    return {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}


def test_every_module_of_the_package_sits_in_a_layer():
    top_level = {f"kkdash.{module.name}" for module in pkgutil.iter_modules(kkdash.__path__)} - {"kkdash.__main__"}
    assert top_level - layered_modules() == set()
    assert layered_modules() - top_level == set()


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with the project's contracts, on the kkdash package found in ``cwd``."""
    command = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", command, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(cwd)})


def test_the_contracts_hold_on_the_code_as_it_is():
    done = lint_imports(ROOT)
    assert (done.returncode, "3 kept, 0 broken" in done.stdout) == (0, True), done.stdout


def test_a_core_module_importing_streamlit_breaks_the_contracts(tmp_path):
    shutil.copytree(ROOT / "kkdash", tmp_path / "kkdash", ignore=shutil.ignore_patterns("__pycache__"))
    metrics = tmp_path / "kkdash" / "metrics.py"
    metrics.write_text(metrics.read_text(encoding="utf-8") + "\nimport streamlit\n", encoding="utf-8")
    done = lint_imports(tmp_path)
    assert done.returncode == 1
    assert "the pure core imports no UI, network or storage library BROKEN" in done.stdout
    assert "kkdash.metrics -> streamlit" in done.stdout


def test_the_pictures_of_the_import_graph_are_up_to_date():
    from tools import import_graph

    assert (ROOT / "docs" / "imports.dot").read_text(encoding="utf-8") == import_graph.dot_text()
    assert (ROOT / "docs" / "layers.dot").read_text(encoding="utf-8") == import_graph.layers_dot_text()
