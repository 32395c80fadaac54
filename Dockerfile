# The portal's image: one image for every process (web, worker, beat, release), chosen by the
# command (compose.yaml, Procfile). Not built on the machine this was written on (no Docker
# engine there): tests/deploy/test_container_files.py checks what it copies and runs.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (the dossier PDF) needs Pango (translations are compiled by Babel: no gettext); the
# PostgreSQL client is for `manage.py backup` / `restore` (pg_dump 15, as compose's db).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal \
    && useradd --system --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Translations and static files are part of the image; the build needs a key, not a secret.
RUN RELEASE_STEPS="messages static" DEBUG=false SECRET_KEY=build-only-not-a-secret \
    sh scripts/release.sh \
    && mkdir -p /app/media \
    && chown portal:portal /app/media

USER portal
ENV PORT=8000 \
    MEDIA_ROOT=/app/media
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "-c", "gunicorn.conf.py"]
