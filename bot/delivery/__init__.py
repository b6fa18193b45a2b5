"""Getting messages out and updates in: the outbox sender, send budget and rate limits, the Bot
API client, renderers, and the webhook inbox.
"""
