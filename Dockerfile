FROM python:3.12-slim

# DEBUG off by default so an unconfigured container fails closed (SECRET_KEY required), not open.
ENV DEBUG=0 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system prm && useradd --system --gid prm --no-create-home --shell /usr/sbin/nologin prm
WORKDIR /app

# The lock alone first, so source edits reuse the cached dependency layer.
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .
# Inline env rather than ENV so the throwaway key never ships in the image; run as root so the code
# and collected static files stay read-only to the runtime user.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

USER prm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "prm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
