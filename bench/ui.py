"""The reader at size: start-up, memory and UI-thread stalls on a large archive.

Goals (issue 4), on a 1M-article archive built from the shared corpora (bench/search.py
builds one at /tmp/nrbench/archive-1000000.sqlite3; see there how copies are varied):
process start to the first page of the list painted <= 1.5 s; peak memory <= 500 MB
after scrolling to the end of the list and back (reported as peak RSS, and split into
private memory and mapped index/database file pages, which the kernel can reclaim); the
UI thread never blocked more than 100 ms (the largest gap of a 10 ms heartbeat timer)
while navigating and while an import runs.

Run: .venv/bin/python bench/ui.py [--archive PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_ARCHIVE = Path("/tmp/nrbench/archive-1000000.sqlite3")

CHILD = r"""
import json, os, resource, sys, tempfile, time, gzip
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QElapsedTimer, QSettings, QTimer, Qt
from PySide6.QtWidgets import QApplication
from newsreader.core.archive import Archive
from newsreader.ui.main_window import MainWindow
from newsreader.ui.app import settle_after_start

def memory():
    fields = {}
    for line in open("/proc/self/status"):
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return fields

app = QApplication([])
settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
archive = Archive(sys.argv[1])
window = MainWindow(archive, seed=False, settings=settings)
window.resize(1400, 900)
window.show()

def wait(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    return condition()

model = window.articles_model
wait(lambda: model.loaded_rows > 0)
app.processEvents()
window.article_list.viewport().repaint()
print("PAINTED", time.time(), flush=True)
settle_after_start()  # as the app does once its first page is up

gaps = []
clock = QElapsedTimer()
clock.start()
last = [clock.elapsed()]
def beat():
    now = clock.elapsed()
    gaps.append(now - last[0])
    last[0] = now
heartbeat = QTimer()
heartbeat.setInterval(10)
heartbeat.timeout.connect(beat)
heartbeat.start()

def settle(seconds):
    wait(lambda: False, seconds)

# Navigation: scrolling to the end and back (the memory goal's scenario), then the next
# article 30 times and a search.
window.article_list.scrollToBottom()
end = model.rowCount() - 1
ok_end = wait(lambda: model.data(model.index(end, 0)) not in (None, "…"), 30)
settle(0.3)
window.article_list.scrollToTop()
ok_top = wait(lambda: model.data(model.index(0, 0)) not in (None, "…"), 30)
settle(0.3)
scrolled_memory = memory()
for _ in range(30):
    window.navigation.next_article()
    settle(0.05)
window.search_field.setText("oil prices")
window.run_search()
wait(lambda: model.results is not None, 30)
settle(0.5)
window.search_field.setText("")
window.run_search()
settle(0.5)
navigation_gap = max(gaps) if gaps else 0
navigation_beats = len(gaps)

# A background import while the reader keeps navigating.
gaps.clear()
source = sys.argv[2]
records = []
with gzip.open(source, "rt", encoding="utf-8") as lines:
    for n, line in enumerate(lines):
        if n >= 1000:
            break
        record = json.loads(line)
        record["id"] = f"ui-bench-{time.time_ns()}-{n}"
        record["body"] = record["body"] + f"\n\nUI bench run {time.time_ns()} item {n}."
        records.append(record)
folder = tempfile.mkdtemp()
path = os.path.join(folder, "import.jsonl")
with open(path, "w", encoding="utf-8") as out:
    out.write("\n".join(json.dumps(r) for r in records))
finished = []
window.import_finished.connect(finished.append)
started = time.monotonic()
window.import_paths([__import__("pathlib").Path(path)])
while not finished and time.monotonic() - started < 300:
    window.navigation.next_article()
    settle(0.1)
import_seconds = time.monotonic() - started
import_gap = max(gaps) if gaps else 0
window.close()
archive.close()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps({
    "memory_after_scrolling_to_the_end_and_back_mb": scrolled_memory,
    "memory_at_the_end_mb": memory(),
    "peak_memory_mb": round(peak_mb, 1), "scrolled_to_end": ok_end, "back_to_top": ok_top,
    "rows": model.rowCount() if False else None,
    "navigation_max_gap_ms": navigation_gap, "navigation_beats": navigation_beats,
    "import_max_gap_ms": import_gap, "import_seconds": round(import_seconds, 1),
    "import_counts": finished[0].counts() if finished else None,
}), flush=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    args = parser.parse_args()
    corpus = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bbc" / "bbc.jsonl.gz"
    if not args.archive.exists() or not corpus.exists():
        print(f"skipped: needs {args.archive} (built by bench/search.py) and {corpus}")
        return 0
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(args.archive), str(corpus)],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert child.stdout is not None
    results: dict[str, object] = {"archive": str(args.archive)}
    for line in child.stdout:
        if line.startswith("PAINTED"):
            results["start_to_first_page_s"] = round(float(line.split()[1]) - started, 2)
            print(f"first page painted {results['start_to_first_page_s']} s after start")
        elif line.startswith("RESULT"):
            results.update(json.loads(line.removeprefix("RESULT ")))
    child.wait()
    results.pop("rows", None)
    print(json.dumps(results, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "ui.json").write_text(json.dumps(results, indent=2))
    return 0 if child.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
