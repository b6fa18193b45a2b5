"""The HTTP side: the Telegram webhook, /healthz, /readyz and /metrics (Starlette on uvicorn).

Nothing here imports `telegram`: the webhook only stores updates (bot/delivery/inbox.py).
"""
