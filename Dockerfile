# syntax=docker/dockerfile:1
# Rollback Commander: Node 24 LTS, sources run with Node's type stripping (what the tests run),
# a non-root user, and a postgresql-client whose major version is at least the server's
# (pg_restore refuses dumps from a newer pg_dump). Set PG_MAJOR to your servers' major version
# or newer.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The type check is the build: a type error fails the image.
RUN npx tsc -p tsconfig.build.json --noEmit \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ARG PG_MAJOR=17
ARG IMAGE_VERSION=0.1.0
ARG REVISION=unknown
# --build-arg IMAGE_VERSION=$(git describe --tags) REVISION=$(git rev-parse HEAD) SOURCE=<repo URL>
ARG SOURCE=""
LABEL org.opencontainers.image.title="rollback-commander" \
      org.opencontainers.image.description="Slack bot that runs the production rollback runbook as an incident commander" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${IMAGE_VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# tini as PID 1: forwards SIGTERM to node (which drains running steps) and reaps the children
# that pg_restore and the revert commands leave.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl tini; \
    install -d /usr/share/postgresql-common/pgdg; \
    curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc; \
    . /etc/os-release; \
    echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" > /etc/apt/sources.list.d/pgdg.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}"; \
    apt-get purge -y curl; apt-get autoremove -y; rm -rf /var/lib/apt/lists/*; \
    pg_restore --version
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json LICENSE rollback.example.yml manifest.yml ./
COPY src ./src
COPY bin ./bin
COPY scripts/with-node24.sh ./scripts/
# The CLI on PATH: `docker run … rollback-commander doctor`, `kubectl exec … -- rollback-commander status rb-12`.
RUN ln -s /app/bin/rollback-commander /usr/local/bin/rollback-commander \
 && rollback-commander --help >/dev/null
# Numeric, so Kubernetes' runAsNonRoot can verify it (deploy/ sets runAsUser: 1000 to match):
# the image's `node` user.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
# node itself, not npm: the signal goes straight to the process that drains. ROLLBACK_MODE picks
# all (default), web or worker.
CMD ["node", "src/app/main.ts"]
