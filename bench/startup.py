"""Start-up: the installed `newsreader` command as a process, cold and warm.

Goals (issue 11): `newsreader --help` <= 0.3 s and `newsreader list --limit 1` <= 0.6 s;
the app's first page <= 1.5 s from process start through the real entry point.

What runs is what a user runs: `.venv/bin/newsreader` (the console script) in a fresh
process, timed from spawn to exit. "cold": before each run the files a start reads — the
virtualenv (our package and its dependencies), Python's standard library and the archive
— are evicted from the page cache with posix_fadvise(DONTNEED), which leaves other
programs' cached files alone; "warm": the same command right after a run. The app is
timed as `newsreader --screenshot PNG`: spawn to exit, which includes building the
window, loading and painting the first page, waiting for the sidebar's counts and saving
a PNG — so it bounds the first page from above.

Archives: a small one (the bundled sample article imported by `newsreader import`) and,
when present, the bench archive of bench/search.py (`--archive`, 1M articles by default).

Run: .venv/bin/python bench/startup.py [--runs 7] [--archive /tmp/nrbench/archive-1000000.sqlite3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from page_cache import archive_files, drop_all, evict

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
VENV = ROOT / ".venv"
COMMAND = VENV / "bin" / "newsreader"
DEFAULT_ARCHIVE = Path("/tmp/nrbench/archive-1000000.sqlite3")
MIGRATIONS = Path("newsreader/core/migrations/versions")


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "runs": len(times),
        "p50_s": round(statistics.median(ordered), 3),
        "max_s": round(ordered[-1], 3),
        "min_s": round(ordered[0], 3),
    }


def measure(
    name: str, args: list[str], runs: int, env: dict[str, str], cold_files: list[Path],
    dropped: bool = False,
) -> dict[str, object]:  # fmt: skip
    """`runs` each of: cold (our files evicted), warm (a fresh process right after) and,
    with `dropped`, after emptying the whole page cache (the Python interpreter, its
    libraries and every module read from disk again, as after a reboot)."""
    times: dict[str, list[float]] = {"cold": [], "warm": [], "dropped": []}
    timed(args, env)  # compiled bytecode and caches in place, as after any first run
    for _ in range(runs):
        evict(cold_files)
        times["cold"].append(timed(args, env))
        times["warm"].append(timed(args, env))
        if dropped and drop_all():
            times["dropped"].append(timed(args, env))
    shown = " ".join(Path(a).name if a == str(COMMAND) else a for a in args)
    result: dict[str, object] = {"command": shown}
    result |= {kind: summary(ts) for kind, ts in times.items() if ts}
    line = "   ".join(
        f"{kind} p50 {summary(ts)['p50_s']:.3f} s (max {summary(ts)['max_s']:.3f})"
        for kind, ts in times.items() if ts
    )  # fmt: skip
    print(f"  {name:24} {line}")
    return result


def compile_bytecode(tree: Path) -> None:
    """Bytecode beside the sources, as an installed package has it (this machine sets
    PYTHONDONTWRITEBYTECODE, which would have every start compile every module)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "newsreader")],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def same_schema(args: argparse.Namespace) -> bool:
    """Whether the baseline tree's newest migration is ours (it can open our archives)."""
    ours = sorted(p.name for p in (ROOT / MIGRATIONS).glob("*.py"))
    theirs = sorted(p.name for p in (args.baseline_tree / MIGRATIONS).glob("*.py"))
    return ours == theirs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="cold and warm runs per command")
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument(
        "--baseline-tree", type=Path,
        help="also time an older checkout (e.g. `git archive ef7cb6f | tar -x -C DIR`): its "
        "package is put first on PYTHONPATH, the same virtualenv and console script run it",
    )  # fmt: skip
    parser.add_argument("--drop-caches", action="store_true",
                        help="also time runs after emptying the page cache (root)")  # fmt: skip
    parser.add_argument("--only", nargs="+", help="only these runs (e.g. help list_large)")
    args = parser.parse_args()
    if not COMMAND.exists():
        print(f"skipped: {COMMAND} is not installed (make .venv/.installed)")
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="nr-startup-"))
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(scratch),
        XDG_DATA_HOME=str(scratch / "data"), XDG_CONFIG_HOME=str(scratch / "config"),
    )  # fmt: skip
    env.pop("NEWSREADER_ARCHIVE", None)
    trees = {"current": env}
    code = [VENV, Path(sysconfig.get_paths()["stdlib"]), ROOT / "newsreader"]
    compile_bytecode(ROOT)
    if args.baseline_tree:
        compile_bytecode(args.baseline_tree)
        trees = {"baseline": dict(env, PYTHONPATH=str(args.baseline_tree.resolve())), **trees}
        code.append(args.baseline_tree)
    sample = sorted((ROOT / "resources" / "sample").glob("*.txt"))
    small = {}
    for tree, tree_env in trees.items():  # each tree makes its own: schemas differ
        small[tree] = scratch / f"small-{tree}.sqlite3"
        subprocess.run(
            [str(COMMAND), "import", "--archive", str(small[tree]), "-q", *map(str, sample)],
            env=tree_env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    cmd, png = str(COMMAND), str(scratch / "shot.png")
    results: dict[str, object] = {
        "runs": args.runs, "cpus": os.cpu_count(), "loadavg_before": os.getloadavg(),
        "small_archive_articles": len(sample), "baseline_tree": str(args.baseline_tree),
    }  # fmt: skip
    print(f"{args.runs} cold and {args.runs} warm runs each (p50 and max of wall time)")
    print(f"small archives: {len(sample)} sample article(s), made by each tree's own import")
    runs: dict[str, list[str]] = {
        "help": [cmd, "--help"],
        "list_small": [cmd, "list", "--limit", "1", "--archive", "{small}"],
        "search_small": [cmd, "search", "iraq", "--limit", "5", "--archive", "{small}"],
        "app_small": [cmd, "--archive", "{small}", "--screenshot", png],
    }
    big = args.archive
    if big.exists():  # an older tree only if its schema is the same (it cannot open a newer)
        results["large_archive"] = str(big)
        runs |= {
            "list_large": [cmd, "list", "--limit", "1", "--archive", str(big)],
            "search_large": [cmd, "search", "oil", "--limit", "5", "--archive", str(big)],
            "app_large": [cmd, "--archive", str(big), "--screenshot", png],
        }
        print(f"large archive (current tree only): {big}")
    else:
        print(f"no large archive at {big}: build it with bench/search.py")
    for name, command in runs.items():
        for tree, tree_env in trees.items():
            if name.endswith("_large") and tree != "current" and not same_schema(args):
                continue
            if args.only and name not in args.only:
                continue
            archive = small[tree] if "{small}" in command else big
            argv = [str(archive) if a == "{small}" else a for a in command]
            results[f"{name}_{tree}"] = measure(
                f"{name} ({tree})",
                argv,
                args.runs,
                tree_env,
                code + archive_files(archive),
                args.drop_caches,
            )
    results["loadavg_after"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    out_file = OUT / "startup.json"
    out_file.write_text(json.dumps(results, indent=2))
    print(f"written to {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
