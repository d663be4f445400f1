"""Guards against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 on Python 3.11 decrements the count of None on calls that return
nothing; after enough calls the interpreter aborts ("deallocating None").
"""

import sys

from PySide6.QtCore import QObject, Signal

from newsreader.core.blocks import Block
from newsreader.ui.document import build_document


class _Emitter(QObject):
    flag = Signal(bool)


def test_building_a_long_document_leaves_the_count_of_none_level(qapp: object) -> None:
    blocks = [Block("paragraph", f"Paragraph {n}.") for n in range(1000)]
    before = sys.getrefcount(None)
    build_document(blocks)
    assert sys.getrefcount(None) >= before - 50


def test_emitting_booleans_leaves_their_counts_level(qapp: object) -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.flag.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for n in range(500):
        emitter.flag.emit(n % 2 == 0)
    received.clear()
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert after[0] >= before[0] - 20 and after[1] >= before[1] - 20
