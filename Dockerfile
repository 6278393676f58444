FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# gettext's msgfmt compiles the translations below; WeasyPrint draws the certificates of service with Pango,
# embeds their fonts with HarfBuzz's subsetter, and the certificates are set in DejaVu (Makefile: pango).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Translations are compiled and static files collected at build time (the .mo files are not in git); the
# key exists only for this step.
RUN SECRET_KEY=build-only python manage.py compilemessages --ignore=staticfiles \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 globalir \
    && mkdir -p /app/private-media \
    && chown -R globalir:globalir /app/private-media

USER globalir
EXPOSE 8000
CMD ["gunicorn", "globalir.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
