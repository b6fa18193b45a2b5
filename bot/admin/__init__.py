"""Operator-only views: /stats and `hearth stats`, counts that carry nobody's words."""
