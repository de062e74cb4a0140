# syntax=docker/dockerfile:1
# Tandem's AWS compute images, built from the same wheel as the server image:
#   webhooks       the channel webhooks as a Lambda function (container image):
#                    docker build -f deploy/compute.Dockerfile --target webhooks -t tandem-webhooks .
#   understanding  the intent and sentiment engines as a SageMaker serving container
#                  (`serve` starts GET /ping and POST /invocations on port 8080):
#                    docker build -f deploy/compute.Dockerfile --target understanding \
#                      -t tandem-understanding .

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

FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 tandem \
    && useradd --system --uid 10001 --gid tandem --home-dir /home/tandem --create-home tandem
COPY --from=python /opt/tandem /opt/tandem
ENV PATH=/opt/tandem/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TANDEM_DATA_DIR=/tmp/tandem
WORKDIR /home/tandem

FROM runtime AS webhooks
COPY --from=python /usr/local/bin/uv /usr/local/bin/uv
RUN uv pip install --no-cache --python /opt/tandem/bin/python "awslambdaric==4.2.2" \
    && rm /usr/local/bin/uv
USER tandem
ENTRYPOINT ["/opt/tandem/bin/python", "-m", "awslambdaric"]
CMD ["channels.aws_lambda.handler.handler"]

FROM runtime AS understanding
ENV TANDEM_DATA_DIR=/home/tandem/data
# The classifier is trained from the catalogue at build time, so /ping is ready at once.
USER tandem
RUN python -c "from prompts.catalogue import load_catalogue; from wiring.serving import serving_engines; serving_engines(load_catalogue())"
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/ping', timeout=2)"]
ENTRYPOINT ["python", "-m", "server.sagemaker"]
CMD ["serve"]
