FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . && useradd --system hub && mkdir -p /var/lib/hub \
    && chown hub /var/lib/hub
USER hub
