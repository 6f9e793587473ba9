# One image for every process of the Procfile (web, clock, release): the command picks the role.
# Build: docker build -t actionbot .   Run: see compose.yaml and README "Deploy".
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY scheduler scheduler
COPY store store
# wheels of the app and everything it needs, so the final image carries no compiler cache or build tools
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[postgres]'

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin actionbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
USER actionbot
WORKDIR /home/actionbot
ENV PORT=3000 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
EXPOSE 3000
# the web role answers /healthz (200 while the database answers); compose turns this off for the others
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '3000')}/healthz\", timeout=4)"]
CMD ["actionbot", "run", "--no-scheduler"]
