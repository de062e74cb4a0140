# syntax=docker/dockerfile:1
# Tandem's server image: the web apps built with Node, the wheel installed with uv into a
# virtual environment, run as a non-root user with the production settings.
#   docker build -t tandem .
#   docker run -p 8000:8000 -e TANDEM_AUTH_ISSUER=... -e TANDEM_AUTH_CLIENT_IDS='["..."]' tandem

FROM node:20-slim AS web
WORKDIR /src/web
COPY packages/client/ /src/packages/client/
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build

FROM python:3.11-slim AS python
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY config config
COPY cloud cloud
COPY graphs graphs
COPY tools tools
COPY memory memory
COPY prompts prompts
COPY conversations conversations
COPY wiring wiring
COPY channels channels
COPY server server
COPY evals evals
COPY cli cli
COPY bench bench
COPY deploy/build-venv.sh deploy/build-venv.sh
RUN sh deploy/build-venv.sh /src /opt/tandem

FROM python:3.11-slim
RUN groupadd --system --gid 10001 tandem \
    && useradd --system --uid 10001 --gid tandem --home-dir /home/tandem --create-home tandem
COPY --from=python /opt/tandem /opt/tandem
COPY --from=web /src/web/dist /opt/tandem-web
ENV PATH=/opt/tandem/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TANDEM_HOST=0.0.0.0 \
    TANDEM_PORT=8000 \
    TANDEM_DATA_DIR=/home/tandem/data \
    TANDEM_WEB_DIST_DIR=/opt/tandem-web \
    TANDEM_AUTH_MODE=cognito \
    TANDEM_GRAPHQL_INTROSPECTION=false
USER tandem
WORKDIR /home/tandem
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["tandem", "serve", "--host", "0.0.0.0"]
