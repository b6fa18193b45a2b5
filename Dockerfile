# Hearth: multi-stage build with uv, slim runtime, non-root user (uid 10001).
# Builds with BuildKit or the classic builder (DOCKER_BUILDKIT=0): no `# syntax=` line and no
# RUN --mount, which the classic builder rejects. Instead the dependency layer comes before
# the source, so a change to bot/ or prompts/ reuses it; only a lock change downloads again.
# Tags are pinned; change them together with compose.yaml.

FROM python:3.11.14-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.9.30 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_NO_CACHE=1
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project --no-editable
COPY README.md ./
COPY bot ./bot
# Not editable: the package (migrations included) is installed into .venv like a wheel,
# so the runtime stage needs no source tree.
COPY scripts/keep_used_bytecode.py ./scripts/
# The image carries what Hearth loads: bytecode for the modules it imports (the rest would
# only be compiled in memory on a rarer path), and of matplotlib's data only the DejaVu Sans
# faces the /trend chart draws with (no sample data, toolbar icons, PDF/PS fonts).
RUN uv sync --locked --no-dev --no-editable \
    && find /app/.venv -type d \( -name tests -o -name test \) -prune -exec rm -rf {} + \
    && find /app/.venv -name "*.pyi" -delete \
    && /app/.venv/bin/python scripts/keep_used_bytecode.py /app/.venv \
    && cd /app/.venv/lib/python3.11/site-packages/matplotlib/mpl-data \
    && rm -rf sample_data images fonts/afm fonts/pdfcorefonts \
    && find fonts/ttf -type f ! -name "DejaVuSans.ttf" ! -name "DejaVuSans-*.ttf" -delete

FROM python:3.11.14-slim-bookworm AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 hearth \
    && mkdir -p /data && chown hearth /data
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY prompts ./prompts
# /app/data is /data: the relative sqlite+aiosqlite:///data/hearth.db of .env.example
# lands in the volume too.
RUN ln -s /data /app/data
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/hearth.db
USER hearth
VOLUME ["/data"]
# `hearth healthcheck` asks /healthz where the settings (environment and .env) say it listens.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["hearth", "healthcheck"]
ENTRYPOINT ["hearth"]
CMD ["run"]
