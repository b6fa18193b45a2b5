"""Daily rounds: the fan-out of the day's question, answers, the exactly-once reveal,
reactions, reminders, history and streaks.
"""
