"""What a scenario's effects are measured against: its baseline, named in every result.

A partial-equilibrium effect is a difference between two tariff schedules on the same
observed flows. The result says which two:

``no additional tariffs``
    t0 = the scenario's ``baseline`` rates (MFN duties; 0 unless the file sets them): the
    effect of the scenario's duties against none of them. The default.
``schedule``
    t0 = the schedule of another scenario (``relative_to: OTHER`` in the file, or a
    baseline given to the run): the effect of moving from OTHER's duties to the scenario's.

Either way the observed flows of the data year are taken as the trade at the baseline
rates (the usual partial-equilibrium shortcut: the data predate the 2025-26 schedules).

Two scenarios compared side by side must share one baseline: :func:`common_baseline`
picks it and :func:`tradelever.analysis.scenarios.compare.compare_home` refuses results
measured against different ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tradelever.analysis.scenarios.model import Scenario
from tradelever.errors import InputError, UnknownCodeError

__all__ = [
    "NO_ADDITIONAL",
    "Baseline",
    "BaselineSpec",
    "common_baseline",
    "resolve_baseline",
]

NO_ADDITIONAL = "none"
"""Spelling of the "no additional tariffs" baseline (``baseline="none"``)."""

BaselineSpec = Scenario | str | Path | dict[str, Any] | None
"""None: the scenario's own (``relative_to`` or no additional tariffs); ``"none"``: no
additional tariffs; a preset name, YAML path, mapping or Scenario: that schedule."""


@dataclass(frozen=True)
class Baseline:
    """The reference schedule of a run.

    Attributes
    ----------
    kind
        ``no_additional_tariffs`` or ``schedule``.
    scenario
        For ``schedule``: the name of the scenario whose schedule is the reference.
    date
        For ``schedule``: the date of that schedule (None when the scenario has none).
    description
        For ``schedule``: the scenario's description.
    """

    kind: Literal["no_additional_tariffs", "schedule"]
    scenario: str | None = None
    date: dt.date | None = None
    description: str = ""

    @property
    def label(self) -> str:
        """Short name: ``no additional tariffs`` or ``schedule NAME (in force on DATE)``."""
        if self.kind == "no_additional_tariffs":
            return "no additional tariffs"
        when = f" (in force on {self.date.isoformat()})" if self.date else ""
        return f"schedule {self.scenario}{when}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for a result's params."""
        return {
            "kind": self.kind,
            "scenario": self.scenario,
            "date": self.date.isoformat() if self.date else None,
            "label": self.label,
        }

    def assumption(self, year: int | None = None) -> str:
        """The sentence a result carries in its assumptions."""
        flows = f"the {year} flows" if year is not None else "the observed flows"
        if self.kind == "no_additional_tariffs":
            return (
                "baseline: no additional tariffs: every effect is the change from the "
                "scenario's baseline rates (MFN duties; 0 unless the scenario sets them) to "
                f"its schedule, with {flows} taken as the trade at the baseline rates"
            )
        return (
            f"baseline: the {self.label}: every effect is the change from that schedule to "
            f"this scenario's, with {flows} taken as the trade under the baseline schedule "
            "(a partial-equilibrium shortcut: the data predate it)"
        )


def resolve_baseline(
    scenario: Scenario, spec: BaselineSpec = None
) -> tuple[Baseline, Scenario | None]:
    """The baseline of a run and, for a ``schedule`` baseline, the scenario that gives it.

    Parameters
    ----------
    scenario
        The scenario being run (its ``relative_to`` is the default baseline).
    spec
        See :data:`BaselineSpec`.

    Raises
    ------
    InputError, UnknownCodeError
        An unknown preset or unreadable file, naming ``baseline`` (or ``relative_to``).
    """
    from tradelever.analysis.scenarios.presets import load_scenario

    field = "baseline"
    if spec is None:
        spec = scenario.relative_to or NO_ADDITIONAL
        field = "relative_to"
    if isinstance(spec, str) and spec.strip().lower() in (NO_ADDITIONAL, "zero", "no-tariffs"):
        return Baseline("no_additional_tariffs"), None
    try:
        other = load_scenario(spec)
    except InputError as exc:
        raise InputError(f"{field}: {exc}") from None
    except UnknownCodeError as exc:  # an unknown preset name
        raise UnknownCodeError(f"{field}: {exc}") from None
    return Baseline("schedule", other.name, other.date, other.description), other


def common_baseline(a: Scenario, b: Scenario) -> Scenario | str:
    """The baseline two compared scenarios share.

    Their common ``relative_to`` when both name the same one, else no additional tariffs
    (``"none"``): the comparison is then of both schedules against no additional tariffs,
    which is always a common base.
    """
    if a.relative_to is not None and a.relative_to == b.relative_to:
        return a.relative_to
    return NO_ADDITIONAL
