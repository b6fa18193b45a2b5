"""Getting updates: getUpdates (with long polling) and the webhook methods."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import ApiError, bad_request, conflict
from sandbox.methods.context import ApiContext

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _webhook_conflict() -> ApiError:
    return conflict(
        "can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )


def _allowed_updates(ctx: ApiContext) -> list[str] | None:
    allowed = ctx.params.json("allowed_updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed updates JSON object")
    return allowed


async def get_updates(ctx: ApiContext) -> list[dict[str, Any]]:
    """Serve pending updates; with a timeout, hold the request until one arrives.

    Like Telegram, a newer getUpdates ends an older one still waiting with 409 Conflict,
    which is how two bot instances polling one token notice each other.
    """
    params, queue, core = ctx.params, ctx.world.updates, ctx.core
    if core.webhook.active:
        raise _webhook_conflict()
    offset = params.optional_int("offset")
    if offset is not None:
        queue.confirm(offset)
    limit = min(max(params.int_or("limit", 100), 1), 100)
    timeout = max(0.0, params.number_or("timeout", 0))
    queue.set_allowed(_allowed_updates(ctx))
    poll = queue.begin_poll()
    try:
        await queue.changed.wait_until(
            lambda: (
                bool(len(queue))
                or queue.superseded(poll)
                or core.closing.is_set()
                or core.webhook.active
            ),
            timeout,
        )
    finally:
        queue.end_poll()
    if core.closing.is_set():
        return []
    if queue.superseded(poll):
        raise conflict(
            "terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
    if core.webhook.active:
        raise _webhook_conflict()
    return queue.first(limit)


async def set_webhook(ctx: ApiContext) -> bool:
    """Any http(s) URL is accepted: Telegram's HTTPS-and-port rules make no sense on loopback."""
    params, webhook = ctx.params, ctx.core.webhook
    url = params.optional_str("url") or ""
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.optional_str("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if params.flag("drop_pending_updates"):
        ctx.world.updates.clear()
    ctx.world.updates.set_allowed(_allowed_updates(ctx))
    if not url:
        await webhook.delete()
        return True
    max_connections = params.int_or("max_connections", 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    webhook.set(url, secret, max_connections)
    return True


async def delete_webhook(ctx: ApiContext) -> bool:
    if ctx.params.flag("drop_pending_updates"):
        ctx.world.updates.clear()
    await ctx.core.webhook.delete()
    return True


async def get_webhook_info(ctx: ApiContext) -> dict[str, Any]:
    return ctx.core.webhook.info()
