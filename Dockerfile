# syntax=docker/dockerfile:1
# Build stage: turn the project into a wheel with the same pip the README uses.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir -U pip
COPY pyproject.toml README.md ./
COPY simulator ./simulator
COPY games ./games
COPY simulator_sdk ./simulator_sdk
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Runtime stage: the installed package only, run by an unprivileged user.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 casino
# the dependencies from the lock file (exact versions, checked by hash), then the project without resolving again
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.lock && rm /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels
WORKDIR /home/casino
USER casino
# the data directory, owned by the service's user: a named volume mounted here starts with this owner and mode
RUN mkdir -m 0700 data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"]
CMD ["casino-sim", "serve", "--host", "0.0.0.0"]
