"""Reference data shared by every layer: countries and groups, industry and product names.

This package sits below ``sources``: it holds only code lists, never trade values, so every
stage may use it to validate and label codes.
"""
