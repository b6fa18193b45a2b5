"""Check-ins: the regular private "how close have you felt?", its reveal, notes, the trend
chart and the reconnect follow-up.
"""
