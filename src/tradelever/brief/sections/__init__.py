"""The brief's sections, one module each, in the order of a research note.

Each module has a ``build(ctx, ...)`` function: a pure function of analysis results (and the
brief's :class:`~tradelever.brief.context.Context`) that returns a
:class:`~tradelever.brief.model.Section` of typed blocks, and, where the section feeds the
bottom line, the asks and offers it yields (:class:`~tradelever.brief.sections.common.Points`).
Nothing here touches the store: :mod:`tradelever.brief.build` runs the analyses.

=====================  ==============================================================
module                 section
=====================  ==============================================================
``summary``            headline numbers and the lead paragraph
``bottom_line``        the three things to ask and the three to offer, with precedents
``leverage``           where the partner depends on the home country (products)
``tariffs``            the partner's effective tariff on home and peers over time
``formula``            the reciprocal formula on the real balance and the purchases
``scenarios``          deal comparison on one baseline
``peers``              what peers gave and got; first in line
``substitution``       rival substitution offers
``exposure``           what home sells to the partner and what it pays
``supply_chain``       input-output dependence (ICIO, intermediate goods only)
``concessions``        purchases home could switch to the partner
``scan``               where in the world home is a critical supplier
``claims``             claims checked (annex)
``method``             method and assumptions in plain language
=====================  ==============================================================
"""
