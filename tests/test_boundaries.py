"""Who may import whom: the product runs without its simulation, and the event bus and its
timed-job scheduler know no domain (domains register with them instead)."""

from __future__ import annotations

import ast
from pathlib import Path

import pingan

SRC = Path(pingan.__file__).parent
INFRASTRUCTURE = {"bus", "db", "http", "i18n", "web", "pii", "audit", "auth", "geo"}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    found: set[str] = set()
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1],
                                 base]).strip(".")  # fmt: skip
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_no_product_module_imports_the_simulation() -> None:
    offenders = {
        _module(path): sorted(n for n in _imports(path) if _under(n, "pingan.sim"))
        for path in SRC.rglob("*.py")
        if not _under(_module(path), "pingan.sim") and not _under(_module(path), "pingan.demo")
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_the_bus_and_the_job_scheduler_import_no_domain() -> None:
    domains = {
        p.name
        for p in SRC.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in INFRASTRUCTURE
    }
    assert {"crowd", "dispatch", "incidents", "video", "deployment", "sim"} <= domains
    files = [*sorted((SRC / "bus").rglob("*.py")), SRC / "jobs.py", SRC / "periodic.py"]
    offenders = {
        _module(path): sorted(
            n for n in _imports(path) if any(_under(n, f"pingan.{d}") for d in domains)
        )
        for path in files
    }
    assert {m: names for m, names in offenders.items() if names} == {}
