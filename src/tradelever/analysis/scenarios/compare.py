"""Two scenarios side by side for the home country, on one baseline.

:func:`compare_home` puts home's exports by (importer, code) under scenario A and under
scenario B next to each other::

    exports_X(i, k) = V(home, i, k) + total effect of scenario X on that flow
    difference      = exports_B - exports_A

Both effects must be measured against the same baseline (the same observed flows at the
same reference schedule, :mod:`tradelever.analysis.scenarios.baseline`), otherwise the two
columns are on different bases and their difference means nothing; results with different
baselines are refused. Run both with
:func:`~tradelever.analysis.scenarios.baseline.common_baseline`.
"""

from __future__ import annotations

import pandas as pd

from tradelever import schema as f
from tradelever.analysis.result import TableResult
from tradelever.analysis.scenarios.result import ScenarioResult
from tradelever.errors import InputError

__all__ = ["compare_home"]


def _baseline_of(res: ScenarioResult) -> dict[str, object]:
    base = res.params.get("baseline")
    return base if isinstance(base, dict) else {"kind": "no_additional_tariffs", "label": "?"}


def compare_home(
    a: ScenarioResult,
    b: ScenarioResult,
    frame: pd.DataFrame,
    home: str,
    descriptions: dict[str, str] | None = None,
) -> TableResult:
    """Home's exports by (importer, code) under scenarios A and B, and B - A.

    Parameters
    ----------
    a, b
        Results of :func:`~tradelever.analysis.scenarios.run.run_on_flows` on ``frame``,
        with the same baseline.
    frame
        The baseline flows both runs used (importer, exporter, code, value).
    home
        ISO3 of the home country.
    descriptions
        Code -> description.

    Raises
    ------
    InputError
        Home exports nothing to the importers, or A and B have different baselines.
    """
    ba, bb = _baseline_of(a), _baseline_of(b)
    if (ba.get("kind"), ba.get("scenario")) != (bb.get("kind"), bb.get("scenario")):
        raise InputError(
            f"compare: scenario {a.params.get('scenario')} is measured against "
            f"{ba.get('label')} and {b.params.get('scenario')} against {bb.get('label')}; run "
            "both against one baseline (baseline='none' for no additional tariffs)"
        )
    descriptions = descriptions or {}
    base = (
        frame[frame[f.EXPORTER] == home].groupby([f.IMPORTER, "code"], observed=True)["value"].sum()
    )
    if base.empty:
        raise InputError(f"--home: {home} exports nothing to the scenarios' importers")

    def effect(res: ScenarioResult) -> pd.Series:
        # home's rows of the run (every one, whatever max_rows kept of the rows table)
        if res.home is not None and res.home.get("home") == home and res.home_rows is not None:
            r = res.home_rows
        elif "rows_returned" in res.summary:
            raise InputError(
                f"compare: scenario {res.params.get('scenario')} kept only "
                f"{res.summary['rows_returned']} of its {res.summary['rows']} rows; run it "
                f"with home={home!r} (or max_rows=None)",
                parameter="home",
            )
        else:
            r = res.rows[res.rows["exporter"] == home]
        return r.groupby(["importer", "code"], observed=True)["total_effect_usd"].sum()

    ea = effect(a).reindex(base.index, fill_value=0.0)
    eb = effect(b).reindex(base.index, fill_value=0.0)
    out = pd.DataFrame(
        {
            "importer": base.index.get_level_values(0),
            "code": base.index.get_level_values(1),
            "baseline_exports_usd": base.to_numpy(),
            "exports_a_usd": (base + ea).to_numpy(),
            "exports_b_usd": (base + eb).to_numpy(),
        }
    )
    out["difference_usd"] = out["exports_b_usd"] - out["exports_a_usd"]
    out.insert(2, "description", [descriptions.get(c, "") for c in out["code"]])
    out = out.reindex(out["difference_usd"].abs().sort_values(ascending=False).index)
    out = out.reset_index(drop=True)
    keys = ("total_effect_usd", "welfare_usd")
    home_keys = (
        "own_tariff_effect_usd",
        "rival_tariff_effect_usd",
        "rate_level_effect_usd",
        "rate_gap_effect_usd",
    )
    summary = {
        "home": home,
        "baseline": ba.get("label"),
        "baseline_exports_usd": float(base.sum()),
        "exports_a_usd": float(out["exports_a_usd"].sum()),
        "exports_b_usd": float(out["exports_b_usd"].sum()),
        "difference_usd": float(out["difference_usd"].sum()),
        "a": {k: a.summary.get(k) for k in keys},
        "b": {k: b.summary.get(k) for k in keys},
    }
    for label, res in (("a", a), ("b", b)):
        if res.home is not None:
            summary[label].update({k: res.home[k] for k in home_keys if k in res.home})
            summary[label]["home_total_effect_usd"] = res.home.get("total_effect_usd")
            summary[label]["total_effect_low_usd"] = res.home.get("total_effect_low_usd")
            summary[label]["total_effect_high_usd"] = res.home.get("total_effect_high_usd")
        flags: dict[str, int] = {}
        if res.home_rows is not None and "flags" in res.home_rows.columns:
            for text in res.home_rows["flags"].astype(str):
                for name in filter(None, text.split(";")):
                    flags[name] = flags.get(name, 0) + 1
        summary[label]["flags"] = flags
    assumptions = [
        f"A = scenario {a.params.get('scenario')}, B = scenario {b.params.get('scenario')}, "
        f"both measured against {ba.get('label')}; exports under each = baseline + "
        "modelled total effect; difference = B - A",
        *[x for x in a.assumptions if x not in b.assumptions],
        *b.assumptions,
    ]
    params = {
        "scenario_a": a.params.get("scenario"),
        "scenario_b": b.params.get("scenario"),
        "home": home,
        "dataset": a.params.get("dataset"),
        "year": a.params.get("year"),
        "mode": a.params.get("mode"),
        "baseline": ba,
    }
    return TableResult(
        kind="scenario-compare",
        params=params,
        rows=out,
        provenance={"a": a.provenance, "b": b.provenance},
        assumptions=list(dict.fromkeys(assumptions)),
        summary=summary,
    )
