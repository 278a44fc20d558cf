"""tradelever: turn bilateral trade data into negotiating power.

The package is laid out as the pipeline in DESIGN.md::

    reference, sources  ->  store  ->  analysis  ->  interfaces

``tradelever.api`` is the public Python entry point; everything else is internal.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
