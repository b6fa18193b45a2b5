"""Where an incoming message goes: the pure routing rule, held messages and the "where should
this go?" buttons.
"""
