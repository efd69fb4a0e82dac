# Production image of the portal: gunicorn serves the web application, and the same image runs the
# Celery worker and beat with another command (see docker-compose.yml).
#
#   docker build -t teacher-portal .
#   docker run --env-file .env -p 8000:8000 teacher-portal
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# Runtime libraries WeasyPrint needs to render PDF certificates (Pango and HarfBuzz's subsetter,
# without which font subsetting is about 60x slower), CJK fonts for Chinese text, and fontconfig
# so that the system font cache is built here once instead of by every process at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-noto-cjk \
        fonts-arphic-ukai \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that changing the code does not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .

# Static files live outside var/, where the volumes for uploaded files and beat's schedule go.
ENV DJANGO_ENV=production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3

# collectstatic only needs settings to load: the secret key and host below exist for this one
# command and are not kept in the image. The real ones come from the environment at run time.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-never-used-to-serve-requests-0123456789 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput -v0

# An unprivileged user owns only what it writes: uploaded files, beat's schedule, and its home
# (gunicorn's control socket lives in ~/.gunicorn).
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
    && rm -rf /app/var \
    && mkdir -p /app/var/media /app/var/celery \
    && chown -R app:app /app/var
USER app

EXPOSE 8000

# Workers: WEB_CONCURRENCY (3 by default; about 2 x CPU cores + 1 is usual). Access and error logs
# go to stdout/stderr. The timeout leaves room for rendering a large PDF.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--error-logfile", "-", \
     "--timeout", "120"]
