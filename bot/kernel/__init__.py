"""Pure, shared building blocks: the clock, people, results, schedule maths, safe text input
and wording helpers (standard library only).
"""
