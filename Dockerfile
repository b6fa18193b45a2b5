# syntax=docker/dockerfile:1
# Hearth: multi-stage build with uv, slim runtime, non-root user.

FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY bot ./bot
COPY migrations ./migrations
COPY prompts ./prompts
RUN uv sync --locked --no-dev

FROM python:3.11-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 hearth \
    && mkdir -p /data && chown hearth /data
WORKDIR /app
COPY --from=build --chown=hearth /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/hearth.db
USER hearth
VOLUME ["/data"]
# /healthz answers on HTTP_PORT (default 8080); slim has no curl, so Python asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('HTTP_PORT') or 8080}/healthz\", timeout=4)"]
ENTRYPOINT ["hearth"]
CMD ["run"]
