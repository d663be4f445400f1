"""The layers: newsreader.core never imports Qt; core/ingest/ is pure (bytes in,
extracted articles out) and never imports the archive or the services that write to it."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "newsreader" / "core"
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6", "newsreader.ui")


def _imported_modules(source: Path, *, when_run: bool = False) -> set[str]:
    """Modules `source` imports; `when_run`: only those imported when it runs (not the
    ones under `if TYPE_CHECKING:`, which make no import cycle)."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if when_run and isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            node.body = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_no_module_under_core_imports_qt_or_the_ui() -> None:
    offenders = {
        f"{path.relative_to(CORE)}: {module}"
        for path in CORE.rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith(QT_MODULES)
    }
    assert not offenders


# What only the services above ingest may use: the archive and everything that writes.
WRITERS = (
    "newsreader.core.archive",
    "newsreader.core.saving",
    "newsreader.core.annotations",
    "newsreader.core.fetch_queue",
    "newsreader.core.importing",
    "newsreader.core.db",
    "newsreader.core.models",
    "sqlalchemy",
)


def test_nothing_under_core_ingest_imports_the_archive_saving_annotations_or_the_queue() -> None:
    ingest = CORE / "ingest"
    offenders = {
        f"{path.relative_to(CORE)}: {module}"
        for path in ingest.rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith(WRITERS)
    }
    assert not offenders


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = [
        "newsreader.core." + ".".join(p.relative_to(CORE).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if "migrations" not in p.parts and p.name != "__init__.py"
    ]
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    assert len(modules) > 10


def test_only_the_app_imports_the_main_window_so_no_part_can_import_it_back() -> None:
    ui = CORE.parent / "ui"
    importers = sorted(
        path.name for path in ui.glob("*.py")
        if "newsreader.ui.main_window" in _imported_modules(path, when_run=True)
    )  # fmt: skip
    assert importers == ["app.py"]


def test_the_cli_never_imports_the_ui_so_the_entry_point_alone_chooses_window_or_command() -> None:
    cli = CORE.parent / "cli.py"
    assert not {m for m in _imported_modules(cli) if m.startswith(QT_MODULES)}
    assert "newsreader.ui.app" in _imported_modules(CORE.parent / "__main__.py")


# Entry points that take the archive, reached only through its attributes (archive.search,
# .imports, .web, .feeds, .research, .team, .unread_counts()): no caller imports them.
REACHED_THROUGH_THE_ARCHIVE = {
    "newsreader.core.search.service": {"search", "snippets_for", "matching_ids"},
    "newsreader.core.importing": {"import_paths", "import_export"},
    "newsreader.core.importing.files": {"import_paths"},
    "newsreader.core.importing.exports": {"import_export"},
    "newsreader.core.web.pages": {"save_urls", "save_url", "fetch_queued"},
    "newsreader.core.web.feeds": {"Feeds"},
    "newsreader.core.concordance": {"concordance"},
    "newsreader.core.stats": {"counts_over_time"},
    "newsreader.core.agreement": {"agreement"},
    "newsreader.core.exports": {"export", "select_articles"},
    "newsreader.core.refiqda": {"import_qdc", "import_qdpx"},
    "newsreader.core.citations": {"cited_articles"},
    "newsreader.core.counts": {"unread_counts"},
    "newsreader.core.team": {"init", "add_member", "members"},
}


def _imported_names(source: Path) -> set[tuple[str, str]]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    return {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def test_the_window_the_cli_and_the_benchmarks_reach_services_through_the_archive() -> None:
    root = CORE.parents[1]
    callers = [*(root / "newsreader" / "ui").glob("*.py"), root / "newsreader" / "cli.py",
               *(root / "bench").glob("*.py")]  # fmt: skip
    offenders = {
        f"{path.relative_to(root)}: {module}.{name}"
        for path in callers
        for module, name in _imported_names(path)
        if name in REACHED_THROUGH_THE_ARCHIVE.get(module, ())
        or (module.startswith("newsreader") and name.startswith("_"))
    }
    assert not offenders
    assert len(callers) > 30
