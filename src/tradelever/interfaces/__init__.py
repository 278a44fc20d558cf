"""User-facing interfaces: the command line (and, later, the HTTP API and dashboard)."""
