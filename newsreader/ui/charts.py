"""Counts over time as a chart: articles (or codings) per week or month, a bar per period
stacked by section, source or code. Drawn with QPainter (PySide6-Essentials has no
QtCharts)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QVBoxLayout, QWidget

from newsreader.core.stats import Count
from newsreader.ui.plain_text import plain_label

if TYPE_CHECKING:
    from newsreader.ui.main_window import MainWindow

PALETTE = (
    "#4363d8",
    "#e6194b",
    "#3cb44b",
    "#f58231",
    "#911eb4",
    "#46f0f0",
    "#f032e6",
    "#bcf60c",
    "#008080",
    "#9a6324",
)


class CountsChart(QWidget):
    """Stacked bars of counts per period; the legend names each group's colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countsChart")
        self.setAccessibleName("Counts over time")
        self.setMinimumSize(480, 260)
        self.counts: list[Count] = []

    def set_counts(self, counts: list[Count]) -> None:
        self.counts = counts
        periods = sorted({c.period for c in counts})
        self.setToolTip(f"{sum(c.count for c in counts):,} in {len(periods)} periods")
        self.update()

    def groups(self) -> list[str]:
        totals: dict[str, int] = defaultdict(int)
        for c in self.counts:
            totals[c.group] += c.count
        return sorted(totals, key=lambda g: -totals[g])

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if not self.counts:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing to count")
            return
        periods = sorted({c.period for c in self.counts})
        groups = self.groups()
        colours = {g: QColor(PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)}
        stacks: dict[str, dict[str, int]] = defaultdict(dict)
        for c in self.counts:
            stacks[c.period][c.group] = c.count
        highest = max(sum(s.values()) for s in stacks.values())
        legend = 18 if groups != [""] else 0
        left, bottom, top = 40.0, 24.0, 8.0 + legend
        width = self.width() - left - 8
        height = self.height() - bottom - top
        step = width / len(periods)
        painter.setPen(self.palette().text().color())
        painter.drawText(
            QRectF(0, top - 4, left - 4, 16), Qt.AlignmentFlag.AlignRight, f"{highest:,}"
        )
        for i, period in enumerate(periods):
            y = top + height
            for group in groups:
                value = stacks[period].get(group, 0)
                if not value:
                    continue
                bar = height * value / highest
                painter.fillRect(
                    QRectF(left + i * step + 1, y - bar, max(1.0, step - 2), bar), colours[group]
                )
                y -= bar
            if i % max(1, len(periods) // 8) == 0:
                painter.drawText(
                    QRectF(left + i * step, top + height + 4, 80, 16),
                    Qt.AlignmentFlag.AlignLeft,
                    period,
                )
        x = left
        for group in groups[:8] if legend else []:
            painter.fillRect(QRectF(x, 4, 10, 10), colours[group])
            painter.drawText(
                QRectF(x + 14, 0, 120, 16), Qt.AlignmentFlag.AlignLeft, group or "(none)"
            )
            x += 140
        painter.end()


class ChartDialog(QDialog):
    """The chart of a search (or the whole archive) with its period and split."""

    def __init__(self, window: MainWindow, query: str) -> None:
        super().__init__(window)
        self.main, self.query = window, query
        self.setObjectName("chartDialog")
        self.setWindowTitle("Counts over time")
        self.by = QComboBox(self)
        self.by.setObjectName("chartPeriod")
        self.by.setAccessibleName("Count per")
        self.by.addItem("Per month", "month")
        self.by.addItem("Per week", "week")
        self.split = QComboBox(self)
        self.split.setObjectName("chartSplit")
        self.split.setAccessibleName("Split by")
        for text, value in (
            ("All together", None),
            ("By section", "section"),
            ("By source", "source"),
            ("Codings per code", "code"),
        ):
            self.split.addItem(text, value)
        self.title = plain_label(f"Articles matching {query}" if query else "All articles", self)
        self.chart = CountsChart(self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.by)
        top.addWidget(self.split)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.chart)
        self.loaded = 0
        self.by.currentIndexChanged.connect(lambda _i: self.reload())
        self.split.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    def reload(self) -> None:
        archive, query = self.main.archive, self.query
        by, split = self.by.currentData(), self.split.currentData()
        self.main.executor.read(
            lambda: archive.research.counts_over_time(query, by=by, split=split),
            self._show,
            lambda error: self.main.status.report_error("Counts over time", error),
        )

    def _show(self, counts: list[Count]) -> None:
        self.chart.set_counts(counts)
        self.loaded += 1


def open_chart(window: MainWindow) -> ChartDialog:
    dialog = ChartDialog(window, window.search_field.text().strip())
    dialog.show()
    return dialog
