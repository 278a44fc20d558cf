"""Number formatting for briefs, and conversion to the home currency at a stated rate.

No exchange rate is ever fetched: the caller states the rate, its date and (optionally) its
source, and the brief prints them next to the converted figures. Converting values of one
data year at a rate of another date (e.g. 2022 trade at an April 2025 rate) is a
publication-date conversion; the brief says so.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from tradelever.errors import InputError
from tradelever.formatting import fmt_money, fmt_usd, is_number

__all__ = ["FxRate", "fmt_number", "fmt_share", "fmt_usd", "is_number"]

# Display symbols of a few currencies; any other ISO 4217 code prints as "XXX 1.23 bn".
_SYMBOLS = {"MYR": "RM", "USD": "US$", "EUR": "€", "GBP": "£", "JPY": "¥", "SGD": "S$"}


def fmt_share(value: Any, digits: int = 1) -> str:
    """A share as a percentage: ``0.0274`` -> ``2.7%`` (``-`` when undefined).

    Shares below the display precision keep two significant figures instead of printing 0.0%.
    """
    if not is_number(value):
        return "-"
    pct = 100.0 * float(value)
    if pct != 0 and abs(pct) < 10 ** (-digits):
        return f"{pct:.2g}%"
    return f"{pct:.{digits}f}%"


def fmt_number(value: Any) -> str:
    """A plain number: 3 significant decimals for small values, thousands separators otherwise."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not is_number(value):
        try:
            v = float(value)
        except (TypeError, ValueError):
            return str(value)
        return "unbounded" if math.isinf(v) else "-"
    v = float(value)
    if float(v).is_integer() and abs(v) >= 1:
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


@dataclass(frozen=True)
class FxRate:
    """A stated exchange rate: ``rate`` units of ``currency`` per US dollar on ``date``.

    Parameters
    ----------
    currency
        ISO 4217 code of the home currency (``MYR``).
    rate
        Home-currency units per US dollar (``4.4510``), > 0.
    date
        The date of the quote (``2025-04-02``).
    source
        Who published the rate (e.g. ``"Bernama closing quote"``); ``None`` when the user did
        not say; the brief then calls it "stated by the user".
    """

    currency: str
    rate: float
    date: dt.date
    source: str | None = None

    @classmethod
    def parse(
        cls, currency: str, rate: float | str, date: str | dt.date, source: str | None = None
    ) -> FxRate:
        """Validate user input (``--currency``, ``--fx``, ``--fx-date``)."""
        code = str(currency).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise InputError(f"--currency: {currency!r} is not an ISO 4217 code such as MYR")
        try:
            value = float(rate)
        except (TypeError, ValueError):
            raise InputError(f"--fx: {rate!r} is not a number") from None
        if not math.isfinite(value) or value <= 0:
            raise InputError(f"--fx: the rate must be a positive number, got {rate!r}")
        if isinstance(date, dt.date):
            day = date
        else:
            try:
                day = dt.date.fromisoformat(str(date).strip())
            except ValueError:
                raise InputError(f"--fx-date: {date!r} is not a date (YYYY-MM-DD)") from None
        return cls(code, value, day, source)

    @property
    def symbol(self) -> str:
        """Display prefix (``RM`` for MYR, ``XXX `` for currencies without a symbol)."""
        return _SYMBOLS.get(self.currency, f"{self.currency} ")

    def convert(self, usd: float) -> float:
        """US dollars -> home currency: ``usd * rate``."""
        return float(usd) * self.rate

    def fmt(self, usd: Any) -> str:
        """The home-currency text of a US-dollar value (``RM11.01 bn``)."""
        if not is_number(usd):
            return fmt_usd(usd)
        return fmt_money(self.convert(float(usd)), self.symbol)

    def statement(self) -> str:
        """The sentence that states the rate, its date and source."""
        who = self.source or "stated by the user; not fetched"
        return (
            f"{self.currency} figures are converted at {self.rate:.4f} {self.currency} per US "
            f"dollar, the rate of {self.date.isoformat()} ({who}), not at the average of the "
            "data year"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "currency": self.currency,
            "rate": self.rate,
            "date": self.date.isoformat(),
            "source": self.source,
        }
