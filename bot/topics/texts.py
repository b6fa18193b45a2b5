"""What Hearth says in /topics: decks and relationship stages. HTML parse mode: every piece of
user text is escaped.
"""

from __future__ import annotations

TOPICS_HEADER = (
    "Choose the topics your daily questions come from. Tap one to switch it on or off; "
    "it changes for both of you. (If every topic is off, I'll use them all.)\n\n"
    "The last buttons say where you are as a couple, so some questions fit you better. "
    "Pick any that apply, or none (not said)."
)


TOPIC_ON = "Topic on"


TOPIC_OFF = "Topic off"


# The relationship stages of /topics (bot.prompts.decks.STAGES).
STAGE_LABELS = {
    "new": "New together",
    "long-distance": "Long-distance",
    "living-together": "Living together",
    "parents": "Parents",
}
