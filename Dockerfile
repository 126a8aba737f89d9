FROM python:3.11-slim
# A fixed UID/GID, not whatever useradd picks: Compose bind-mounts ./secrets as it is on the host
# (uid, gid and mode of file secrets are not applied outside Swarm), so the operator gives the
# audit key to this id: `sudo chown 10001:10001 secrets/*` (docs/production.md).
ARG HUB_UID=10001
ARG HUB_GID=10001
WORKDIR /app
# .dockerignore keeps keys, stores, virtualenvs, tests and .git out of this copy.
COPY . .
RUN pip install --no-cache-dir . \
    && groupadd --system --gid "$HUB_GID" hub \
    && useradd --system --uid "$HUB_UID" --gid hub --no-create-home hub \
    && mkdir -p /var/lib/hub && chown hub:hub /var/lib/hub
USER hub:hub
