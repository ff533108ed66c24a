# syntax=docker/dockerfile:1
# Threadline: build with the dev dependencies, run with the production ones only.
#   docker build -t threadline .
#   docker run --rm -p 8080:8080 -v threadline-data:/data \
#     -v "$PWD/config/threadline.yaml:/config/threadline.yaml:ro" \
#     -e MESSAGES_API_KEY -e MESSAGES_WEBHOOK_SECRET -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -e DISCORD_TOKEN \
#     threadline
# Config comes from the mounted file (THREADLINE_CONFIG) and secrets from the environment: none is baked in.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bridges ./bridges
COPY sandbox ./sandbox
# tsc -p tsconfig.build.json: dist/src, dist/bridges, dist/sandbox.
RUN npm run build

FROM node:22-slim AS runtime
# tini as PID 1 forwards SIGTERM to node and reaps zombies, so `docker stop` drains and exits 0.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
# A small young generation keeps the resident size down (a few more, shorter scavenges; measured in bench/).
ENV NODE_ENV=production \
  NODE_OPTIONS=--max-semi-space-size=2 \
  THREADLINE_CONFIG=/config/threadline.yaml \
  PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config/threadline.example.yaml ./config/threadline.example.yaml
# The demo page's static files (tsc emits only .js); dist/src/app/demo finds them at src/app/demo/public.
COPY src/app/demo/public ./src/app/demo/public
# The store lives on the volume. The default store.path (./data/threadline.json, relative to /app) lands
# there too through the link; configs written for the image say store: { path: /data/threadline.json }.
RUN mkdir -p /data /config \
  && chown node:node /data \
  && ln -s /data /app/data
VOLUME /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/threadline.js", "start"]
