# Terugbel's image: web (gunicorn, the default command), worker and beat (compose.yaml gives their commands).
# Built in three stages so the final image holds no compiler, npm or gettext: the JavaScript and CSS from
# the npm lock, then the Python packages from the hashed lock with messages compiled and static files
# collected, then the slim runtime under a user without rights.

FROM node:22-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.13-slim AS build
# gettext's msgfmt compiles the Dutch messages; the version is whatever the base image's Debian release ships.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /venv \
    && /venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.txt
WORKDIR /app
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# collectstatic runs under the production settings (hashed, compressed files for whitenoise); the key and
# host exist only for this command and end up in no layer.
RUN DJANGO_DEBUG=true /venv/bin/python manage.py compilemessages --locale nl --verbosity 0 \
    && DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=build DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       /venv/bin/python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf node_modules

FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings TERUGBEL_VAR_DIR=/app/var WEB_CONCURRENCY=2
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin terugbel
COPY --from=build /venv /venv
COPY --from=build --chown=root:root /app /app
WORKDIR /app
RUN mkdir -p /app/var && chown terugbel /app/var
USER 10001
EXPOSE 8000
# Liveness for `docker run`; compose.yaml overrides it per service (the worker and beat serve no HTTP).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4)"]
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
