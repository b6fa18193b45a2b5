"""The question library: deck files, the curator's lint, syncing decks into the database, and
choosing each pair's next question.
"""
