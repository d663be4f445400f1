import os
import time
from pathlib import Path

from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.workers import PagePool


def name_length_unless_doomed(page: Path) -> int | ExtractionError:
    """Work that crashes its process on 'crash' pages and never ends on 'hang' pages."""
    if "crash" in page.name:
        os._exit(13)
    if "hang" in page.name:
        time.sleep(3600)
    return len(page.name)


def run(pages: list[Path], timeout: float = 60.0) -> list[tuple[Path, object]]:
    pool: PagePool[Path, int] = PagePool(2, name_length_unless_doomed, page_timeout=timeout)
    try:
        return list(pool.map(pages))
    finally:
        pool.close()


def test_results_come_back_in_input_order() -> None:
    pages = [Path("x" * n) for n in range(1, 30)]
    assert run(pages) == [(p, len(p.name)) for p in pages]


def test_a_crashing_page_fails_alone_and_the_rest_go_on() -> None:
    pages = [Path(f"p{n}{'-crash' if n in (2, 3, 9) else ''}") for n in range(12)]
    results = dict(run(pages))
    failed = {p.name for p, r in results.items() if isinstance(r, ExtractionError)}
    assert failed == {"p2-crash", "p3-crash", "p9-crash"}
    assert "crashed" in str(results[Path("p2-crash")])
    assert results[Path("p11")] == 3


def test_a_page_that_never_finishes_is_stopped_after_its_time() -> None:
    pages = [Path("a"), Path("b-hang"), Path("c"), Path("d")]
    started = time.monotonic()
    results = dict(run(pages, timeout=1.5))
    assert time.monotonic() - started < 30
    assert "longer than 1.5 s" in str(results[Path("b-hang")])
    assert [results[Path(n)] for n in ("a", "c", "d")] == [1, 1, 1]


def test_a_worker_that_died_between_batches_is_replaced_and_loses_nothing() -> None:
    pool: PagePool[Path, int] = PagePool(2, name_length_unless_doomed)
    try:
        assert [r for _, r in pool.map([Path("ab"), Path("abc")])] == [2, 3]
        for worker in pool._workers:
            worker.process.kill()
            worker.process.join()
        pages = [Path("x" * n) for n in range(1, 7)]
        assert [r for _, r in pool.map(pages)] == [1, 2, 3, 4, 5, 6]
    finally:
        pool.close()
