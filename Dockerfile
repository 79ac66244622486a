FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 leadgen
USER leadgen
EXPOSE 8000
CMD ["gunicorn", "leadgen.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
