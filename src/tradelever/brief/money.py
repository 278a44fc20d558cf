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

__all__ = [
    "FX_MAX",
    "FxRate",
    "fmt_number",
    "fmt_points",
    "fmt_rate",
    "fmt_share",
    "fmt_usd",
    "is_number",
    "prose_money",
    "prose_text",
]

#: Largest accepted rate, home-currency units per US dollar. The weakest currencies quoted in
#: 2025 trade near 10^6 per dollar (Iranian rial on the open market); anything above 10^7 is
#: a typing error, and at 10^308 the converted figures overflow to infinity.
FX_MAX = 1e7

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


def fmt_points(value: Any) -> str:
    """A difference of two rates in percentage points (``-`` when undefined).

    ``0.13`` -> ``13 pp``, ``0.125`` -> ``12.5 pp``.
    """
    if not is_number(value):
        return "-"
    pts = 100.0 * float(value)
    if abs(pts - round(pts)) < 1e-9:
        return f"{round(pts):.0f} pp"
    return f"{pts:.1f} pp"


def fmt_rate(value: Any) -> str:
    """A tariff rate: a whole percent when it is one (``0.19`` -> ``19%``), else one decimal."""
    if not is_number(value):
        return "-"
    pct = 100.0 * float(value)
    if abs(pct - round(pct)) < 1e-9:
        return f"{round(pct):.0f}%"
    return f"{pct:.1f}%"


_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def prose_money(value: float, symbol: str) -> str:
    """Money for a sentence: three significant figures (``US$12.2 bn``, ``US$917 m``)."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    for scale, suffix in _SCALES:
        if v >= scale * 0.9995:
            x = v / scale
            digits = 0 if x >= 99.95 else 1 if x >= 9.995 else 2
            return f"{sign}{symbol}{x:,.{digits}f} {suffix}"
    return f"{sign}{symbol}{v:,.0f}"


def prose_text(value: Any, unit: str, fx: FxRate | None = None) -> str:
    """A figure as printed in a sentence, rounded to what the data supports.

    US dollars to three significant figures (with the home currency when ``fx`` is given);
    shares to one decimal of a percent (two significant figures below 0.1%); tariff rates as
    whole percents when they are; years as years; other numbers to three significant figures.
    Tables print the full precision (:func:`tradelever.brief.model.figure_text`).
    """
    if unit == "usd":
        if not is_number(value):
            return fmt_usd(value)
        usd = prose_money(float(value), "US$")
        if fx is not None:
            return f"{usd} ({fx.prose(float(value))})"
        return usd
    if unit == "share":
        return fmt_share(value)
    if unit == "rate":
        return fmt_rate(value)
    if unit == "points":
        return fmt_points(value)
    if unit == "year":
        return str(int(value)) if is_number(value) else "-"
    if not is_number(value):
        return fmt_number(value)
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"


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
            raise InputError(
                f"{currency!r} is not an ISO 4217 code such as MYR", parameter="currency"
            )
        try:
            value = float(rate)
        except (TypeError, ValueError):
            raise InputError(f"{rate!r} is not a number", parameter="fx") from None
        if not math.isfinite(value) or value <= 0 or value > FX_MAX:
            raise InputError(
                f"the rate must be a number above 0 and at most {FX_MAX:.0e} home-currency "
                f"units per US dollar, got {rate!r}",
                parameter="fx",
            )
        if isinstance(date, dt.date):
            day = date
        else:
            try:
                day = dt.date.fromisoformat(str(date).strip())
            except ValueError:
                raise InputError(
                    f"{date!r} is not a date (YYYY-MM-DD)", parameter="fx_date"
                ) from None
        return cls(code, value, day, source)

    @property
    def symbol(self) -> str:
        """Display prefix (``RM`` for MYR, ``XXX `` for currencies without a symbol)."""
        return _SYMBOLS.get(self.currency, f"{self.currency} ")

    def convert(self, usd: float) -> float:
        """US dollars -> home currency: ``usd * rate``."""
        return float(usd) * self.rate

    def fmt(self, usd: Any) -> str:
        """The home-currency text of a US-dollar value (``RM11.01 bn``); ``-`` if undefined."""
        if not is_number(usd):
            return fmt_usd(usd)
        value = self.convert(float(usd))
        return fmt_money(value, self.symbol) if math.isfinite(value) else "-"

    def prose(self, usd: float) -> str:
        """The home-currency text for a sentence (three significant figures)."""
        value = self.convert(float(usd))
        return prose_money(value, self.symbol) if math.isfinite(value) else "-"

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
