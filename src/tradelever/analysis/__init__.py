"""Pure functions from tables to tables: indicators, leverage, scenarios, negotiation."""
