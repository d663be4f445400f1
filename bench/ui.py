"""The reader at size: start-up, memory and UI-thread stalls on a large archive.

Goals (issues 4 and 11), on a 1M-article archive built from the shared corpora
(bench/search.py builds one at /tmp/nrbench/archive-1000000.sqlite3; see there how copies
are varied): process start to the first page of the list painted <= 1.5 s, through the
real `newsreader` command (it writes the time its first page was painted when
NEWSREADER_REPORT_FIRST_PAGE is set), in a fresh process with the page cache warm and,
with --drop-caches (root), after emptying the whole page cache; peak memory <= 500 MB
after scrolling to the end of the list and back (reported as peak RSS, and split into
private memory and mapped index/database file pages, which the kernel can reclaim); the
UI thread never blocked more than 100 ms (the largest gap of a 10 ms heartbeat timer)
while navigating and while an import runs.

The package's bytecode is compiled first, as an installed package has it (this machine
sets PYTHONDONTWRITEBYTECODE, which would otherwise compile every module at each start).
With --baseline-tree DIR (an older checkout with the same 10-line first-page report
added) its command is timed too, alternating with this one. The window runs --window-runs
times: navigating, reading (the next article every 1.2 s, counting sidebar loads), and
importing 1,000 articles while navigating. --trace-stalls DIR writes every thread's stack
at each UI stall while importing, and splits each stall by the kernel's account of the UI
thread (running / runnable without a core / asleep, i.e. waiting for the GIL or a lock);
the CPU time of the import phase is summed by thread name (Python's are "python"). The
import adds 1,000 articles to the archive: point --archive at a copy.

Run: .venv/bin/python bench/ui.py [--archive PATH] [--runs 5] [--drop-caches]
     [--baseline-tree DIR] [--window-runs 2] [--trace-stalls DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from page_cache import drop_all

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
COMMAND = ROOT / ".venv" / "bin" / "newsreader"
DEFAULT_ARCHIVE = Path("/tmp/nrbench/archive-1000000.sqlite3")

CHILD = r"""
import json, os, resource, sys, tempfile, time, gzip
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QElapsedTimer, QSettings, QTimer, Qt
from PySide6.QtWidgets import QApplication
from newsreader.core.archive import Archive
from newsreader.ui.main_window import MainWindow
from newsreader.ui.app import _application, settle_after_start

def memory():
    fields = {}
    for line in open("/proc/self/status"):
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return fields


app = _application([])  # as the app starts: the interpreter's switch interval too
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
# With NR_BENCH_TRACE_STALLS=FILE, a UI thread that misses its beat for TRACE_AFTER_S
# while importing has every thread's stack written to FILE by a watchdog thread (once it
# has the GIL: faulthandler's dump, which needs none, crashed the process now and then):
# what the UI thread waited in, and what the others were doing. And each such gap is
# split by the kernel's account of the UI thread (schedstat): running, runnable but
# without a core (the machine's load), and asleep (waiting for the GIL or a lock).
trace = os.environ.get("NR_BENCH_TRACE_STALLS")
TRACE_AFTER_S = 0.06
tracing = [False]
stalls = []
def cpu_by_thread_name():  # CPU seconds so far of our threads by name (Python's: python)
    out = {}
    for task in os.listdir("/proc/self/task"):
        try:
            name = open(f"/proc/self/task/{task}/comm").read().strip().rstrip("0123456789_")
            fields = open(f"/proc/self/task/{task}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks = int(fields[11]) + int(fields[12])
        out[name] = out.get(name, 0) + ticks / os.sysconf("SC_CLK_TCK")
    return out
def schedstat():
    ran, queued, _slices = open("/proc/thread-self/schedstat").read().split()
    return int(ran) / 1e6, int(queued) / 1e6
if trace:
    import threading, traceback
    trace_file = open(trace, "w")
    account = [schedstat()]
    beaten = [time.monotonic()]
    ui_thread = threading.get_ident()
    def watchdog():
        dumped = None
        while True:
            time.sleep(0.01)
            if not tracing[0] or time.monotonic() - beaten[0] < TRACE_AFTER_S:
                continue
            if dumped == beaten[0]:
                continue  # one dump per stall
            dumped = beaten[0]
            stall = round((time.monotonic() - beaten[0]) * 1000)
            trace_file.write(f"\n=== UI thread {stall} ms without a beat\n")
            for ident, frame in sys._current_frames().items():
                if ident != threading.get_ident():
                    trace_file.write(f"Thread {ident}{' (UI)' if ident == ui_thread else ''}\n")
                    trace_file.write("".join(traceback.format_stack(frame)[-8:]))
            trace_file.flush()
    threading.Thread(target=watchdog, daemon=True).start()
    def beat(beat=beat):
        beat()
        now = schedstat()
        if tracing[0]:
            gap = gaps[-1]
            if gap > TRACE_AFTER_S * 1000:
                ran, queued = (now[i] - account[0][i] for i in (0, 1))
                stalls.append({"gap_ms": gap, "running_ms": round(ran, 1),
                               "without_a_core_ms": round(queued, 1),
                               "asleep_ms": round(gap - ran - queued, 1)})
        beaten[0] = time.monotonic()
        account[0] = now
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

# Reading: the next article every 1.2 s (each marks one read: one write of ours), long
# enough for the data_version poll (1 s) to run between them.
current = window.article_list.currentIndex().row()
for row in range(current + 1, current + 9):  # unread again (by another connection), so
    article_id = model.article_id(row)       # that each step below is a real write
    if article_id is not None:
        Archive(sys.argv[1]).mark_read(article_id, False)
settle(3.0)  # the counts from the search and from these settle
sidebar_loads = [0]
load_now = window._load_sidebar_now
def counted_load():
    sidebar_loads[0] += 1
    load_now()
window._sidebar_timer.timeout.disconnect()
window._sidebar_timer.timeout.connect(counted_load)
gaps.clear()
for _ in range(8):
    window.navigation.next_article()
    settle(1.2)
settle(3.0)
reading_gap = max(gaps) if gaps else 0

# A background import while the reader keeps navigating.
gaps.clear()
tracing[0] = bool(trace)
cpu_before = cpu_by_thread_name()
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
tracing[0] = False
cpu_after = cpu_by_thread_name()  # threads gone since are missing: a floor
import_cpu = {name: round(cpu_after[name] - cpu_before.get(name, 0), 2) for name in cpu_after}
window.close()
archive.close()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps({
    "memory_after_scrolling_to_the_end_and_back_mb": scrolled_memory,
    "memory_at_the_end_mb": memory(),
    "peak_memory_mb": round(peak_mb, 1), "scrolled_to_end": ok_end, "back_to_top": ok_top,
    "rows": model.rowCount() if False else None,
    "navigation_max_gap_ms": navigation_gap, "navigation_beats": navigation_beats,
    "reading_max_gap_ms": reading_gap, "reading_sidebar_loads": sidebar_loads[0],
    "import_max_gap_ms": import_gap, "import_seconds": round(import_seconds, 1),
    "import_counts": finished[0].counts() if finished else None,
    "import_stalls": sorted(stalls, key=lambda s: -s["gap_ms"])[:10],
    "import_cpu_s_by_thread": import_cpu,
}), flush=True)
"""


def compile_bytecode(tree: Path) -> None:
    """Bytecode beside the sources, as an installed package has it."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "newsreader")],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def first_page(archive: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning `newsreader --archive ARCHIVE` to its first page painted, and
    the process's peak RSS (MB) by then; the process is then closed."""
    scratch = Path(tempfile.mkdtemp(prefix="nr-ui-"))
    env = dict(env, HOME=str(scratch), XDG_CONFIG_HOME=str(scratch / "config"),
               XDG_DATA_HOME=str(scratch / "data"), NEWSREADER_REPORT_FIRST_PAGE="1")  # fmt: skip
    started = time.time()
    command = [str(COMMAND), "--archive", str(archive)]
    child = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert child.stderr is not None
    painted = None
    for line in child.stderr:
        if line.startswith("first page"):
            painted = float(line.split()[2])
            break
    peak = 0.0
    with open(f"/proc/{child.pid}/status") as status:
        for field in status:
            if field.startswith("VmHWM:"):
                peak = int(field.split()[1]) / 1024
    child.terminate()
    child.wait(timeout=30)
    if painted is None:
        raise RuntimeError("the app never reported its first page")
    return painted - started, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--runs", type=int, default=5, help="first-page runs per tree and kind")
    parser.add_argument("--drop-caches", action="store_true",
                        help="also time starts after emptying the page cache (root)")  # fmt: skip
    parser.add_argument("--baseline-tree", type=Path, help="an older checkout to compare")
    parser.add_argument("--skip-window", action="store_true", help="first page only")
    parser.add_argument(
        "--window-runs",
        type=int,
        default=2,
        help="window runs (navigating, reading, importing) per variant",
    )
    parser.add_argument(
        "--trace-stalls", type=Path, metavar="DIR",
        help="write every thread's stack at each UI stall while importing, one file a run",
    )  # fmt: skip
    args = parser.parse_args()
    corpus = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bbc" / "bbc.jsonl.gz"
    if not args.archive.exists() or not corpus.exists():
        print(f"skipped: needs {args.archive} (built by bench/search.py) and {corpus}")
        return 0
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("NEWSREADER_ARCHIVE", None)
    trees = {"current": env}
    compile_bytecode(ROOT)
    if args.baseline_tree:
        compile_bytecode(args.baseline_tree)
        trees = {"baseline": dict(env, PYTHONPATH=str(args.baseline_tree.resolve())), **trees}
    results: dict[str, Any] = {"archive": str(args.archive), "loadavg_before": os.getloadavg(),
                               "runs": args.runs, "first_page": {}}  # fmt: skip
    kinds = ["warm", "dropped"] if args.drop_caches else ["warm"]
    first_page(args.archive, env)  # caches in place, as after any earlier start
    samples: dict[str, list[tuple[float, float]]] = {}
    for kind in (
        kinds if args.runs else []
    ):  # every warm run first: a dropped cache is not warm again at once
        for _ in range(args.runs):
            for tree, tree_env in trees.items():  # alternating, the same conditions
                if kind == "dropped" and not drop_all():
                    raise SystemExit("cannot drop the page cache (needs root)")
                samples.setdefault(f"{tree} {kind}", []).append(first_page(args.archive, tree_env))
    for name, runs in samples.items():
        times = sorted(t for t, _ in runs)
        entry = {"p50_s": round(statistics.median(times), 2), "min_s": round(times[0], 2),
                 "max_s": round(times[-1], 2), "peak_rss_mb": round(max(m for _, m in runs)),
                 "runs": len(runs)}  # fmt: skip
        results["first_page"][name] = entry
        print(f"first page, {name:18} p50 {entry['p50_s']:.2f} s  (min {entry['min_s']:.2f}, "
              f"max {entry['max_s']:.2f}; peak RSS {entry['peak_rss_mb']} MB)")  # fmt: skip
    if not args.skip_window:
        for run in range(args.window_runs):
            child_env = dict(env)
            if args.trace_stalls:
                args.trace_stalls.mkdir(parents=True, exist_ok=True)
                child_env["NR_BENCH_TRACE_STALLS"] = str(args.trace_stalls / f"stalls-{run}.txt")
            results.setdefault("window", []).append(window_run(args.archive, corpus, child_env))
    results["loadavg_after"] = os.getloadavg()
    print(json.dumps(results, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "ui.json").write_text(json.dumps(results, indent=2))
    return 0


def window_run(archive: Path, corpus: Path, env: dict[str, str]) -> dict[str, Any]:
    """The in-process part: memory after scrolling to the end and back, and UI-thread gaps
    while navigating, reading and importing."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(archive), str(corpus)],
                             stdout=subprocess.PIPE, text=True,
                             env=dict(env, PYTHONFAULTHANDLER="1"))  # fmt: skip
    assert child.stdout is not None
    result: dict[str, Any] = {}
    for line in child.stdout:
        if line.startswith("RESULT"):
            result = json.loads(line.removeprefix("RESULT "))
    if child.wait() != 0 or not result:
        print(f"window run failed (exit status {child.returncode}); see its stderr above")
    result.pop("rows", None)
    summary = {k: result.get(k) for k in ("peak_memory_mb", "scrolled_to_end",
               "navigation_max_gap_ms", "reading_max_gap_ms", "reading_sidebar_loads",
               "import_max_gap_ms", "import_seconds", "import_stalls",
               "import_cpu_s_by_thread")}  # fmt: skip
    print(f"window: {summary}", flush=True)
    return result


if __name__ == "__main__":
    sys.exit(main())
