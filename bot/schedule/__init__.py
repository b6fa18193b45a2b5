"""Each partner's own time: /time, /timezone, pauses, reminders, the zone question at pairing,
and time-zone matching.
"""
