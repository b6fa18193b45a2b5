"""Pairing: invites, accepting them, /start, /help, unpairing, and leaving groups."""
