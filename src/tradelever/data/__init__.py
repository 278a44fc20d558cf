"""Package data: code lists, elasticities, groups and tariff presets (CSV and YAML)."""
