"""Numbers on figure axes in Norwegian: a decimal comma ("0,25") on numeric tick labels.

Done by wrapping an axis' formatter rather than through matplotlib's ``axes.formatter.use_locale``: that needs
a Norwegian C locale installed on the machine, which a fresh server or CI image often lacks. Its own module so
that :mod:`toolkit.report.translate` imports matplotlib only when a figure is translated.
"""

from __future__ import annotations

import re
from typing import Any

from matplotlib import ticker

_NUMERIC_FORMATTERS = (
    ticker.ScalarFormatter,
    ticker.FormatStrFormatter,
    ticker.StrMethodFormatter,
    ticker.PercentFormatter,
    ticker.FuncFormatter,
)
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def with_decimal_comma(label: str) -> str:
    """``label`` with decimal points between digits as commas (``{,}`` in mathtext, so no space follows)."""
    return _DECIMAL_POINT.sub("{,}" if label.startswith("$") else ",", label)


class DecimalCommaFormatter(ticker.Formatter):
    """Another formatter's labels, with a decimal comma."""

    def __init__(self, inner: ticker.Formatter) -> None:
        self.inner = inner

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs: Any) -> None:
        self.inner.set_locs(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return with_decimal_comma(self.inner(x, pos))

    def format_ticks(self, values: Any) -> list[str]:
        return [with_decimal_comma(label) for label in self.inner.format_ticks(values)]

    def get_offset(self) -> str:
        return with_decimal_comma(self.inner.get_offset())


def decimal_comma(axis: Any) -> None:
    """Give a numeric axis (major ticks) a decimal comma; categorical and date axes keep their labels."""
    inner = axis.get_major_formatter()
    if isinstance(inner, _NUMERIC_FORMATTERS):
        axis.set_major_formatter(DecimalCommaFormatter(inner))
