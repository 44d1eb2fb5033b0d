# The app image: `syndication serve` with one writer and two reader processes.
# Content is mounted read-only at /srv/content; the archive lives on a volume at /srv/data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SYNDICATION_CONTENT_DIR=/srv/content \
    SYNDICATION_DB_PATH=/srv/data/syndication.db \
    SYNDICATION_HOST=0.0.0.0 \
    SYNDICATION_PORT=8080

WORKDIR /srv/app
COPY pyproject.toml README.md ./
COPY syndication ./syndication
RUN pip install --no-cache-dir '.[speed]' \
    && useradd --system --uid 10001 --home-dir /srv/data syndication \
    && mkdir -p /srv/data /srv/content \
    && chown syndication /srv/data
COPY syndication.toml /srv/app/syndication.toml

USER syndication
EXPOSE 8080
VOLUME ["/srv/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=2)"
CMD ["syndication", "serve", "--workers", "2", "--config", "/srv/app/syndication.toml"]
