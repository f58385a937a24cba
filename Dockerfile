# syntax=docker/dockerfile:1
# Build: install the pinned runtime dependencies and the bot into a virtual environment.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements.lock ./
RUN python -m venv /venv \
 && /venv/bin/pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN /venv/bin/pip install --no-deps .

# Run: only the environment and feeds.toml, as an unprivileged user, data on a volume.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 veille \
 && mkdir -p /app/data && chown veille:veille /app/data
COPY --from=build /venv /venv
WORKDIR /app
COPY feeds.toml casestudies.toml .env.example ./
COPY examples ./examples
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////app/data/veille.db \
    FEEDS_FILE=/app/feeds.toml
USER veille
VOLUME ["/app/data"]
ENTRYPOINT ["veille"]
CMD ["run"]
