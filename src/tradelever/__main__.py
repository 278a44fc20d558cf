"""``python -m tradelever`` runs the command line."""

from tradelever.interfaces.cli import main

main()
