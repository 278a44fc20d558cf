"""Supply-chain dependence: the analysis on the input-output network, with its options.

How much of the partner's production depends on home's intermediate deliveries, per home
industry, on the embedded ICIO network: the orchestration of the Leontief model of
:mod:`tradelever.analysis.network` (imported when the analysis runs: it loads NumPy and
pandas, which the command line does not need to start). The model of a data-set version
is loaded from the store's cache (built on first use, in any process) and kept by the
data set's view for the life of a session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from tradelever.analysis.request import DATASET, DEFAULT_DATASET, HOME, PARTNER, Request
from tradelever.analysis.result import TableResult
from tradelever.options import Analysis, Option

__all__ = ["SUPPLY_CHAIN", "supply_chain"]

SUPPLY_CHAIN: Final = Analysis(
    name="supply_chain",
    command="supply-chain",
    summary="Supply-chain dependence of the partner on home (ICIO network)",
    options=(
        HOME,
        PARTNER,
        Option(
            "industry",
            str | Sequence[str] | None,
            None,
            "Home industry code(s), e.g. C26 (comma-separated or repeated; default all).",
            short="-i",
            min_length=1,
            max_length=1000,
            cli_annotation=list[str] | None,
            http_annotation=str | None,
        ),
        DATASET.but(help="Data set (only the ICIO network icio2022)."),
        Option(
            "share_lost",
            float,
            1.0,
            "Fraction of home's deliveries that stops, in [0, 1].",
            ge=0.0,
            le=1.0,
        ),
    ),
    levels=("industry",),
    datasets=(DEFAULT_DATASET,),
)


def supply_chain(
    request: Request, *, industry: str | Sequence[str] | None = None, share_lost: float = 1.0
) -> TableResult:
    """Supply-chain dependence of the partner on home on the embedded ICIO network.

    Per home industry: direct deliveries to the partner, home value added embodied in the
    partner's output and final-demand sales, and the hypothetical-extraction loss of the
    partner's output (and of home's) if those deliveries stopped; see
    :func:`tradelever.analysis.network.table.supply_chain_result` (kind ``supply_chain``). The
    network's assumptions follow the data set's.
    """
    from tradelever.analysis.network import model as network_model
    from tradelever.analysis.network import table

    SUPPLY_CHAIN.check(share_lost=share_lost)
    view = request.view
    model = view.memo(
        ("leontief_model",), lambda: network_model.stored_model(view.store, view.name)
    )
    return table.supply_chain_result(
        model,
        str(request.home),
        str(request.partner),
        industries=table.parse_industries(industry),
        share=share_lost,
        dataset=request.dataset,
        year=request.year,
        provenance=request.provenance,
        assumptions=request.assumptions,
    )
