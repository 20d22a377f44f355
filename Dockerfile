# The exporter (and simulator) image: built with dev dependencies, run without them, as non-root.
#
# The root package.json declares the npm workspaces `exporter` and `grafana-plugin`; `npm ci`
# checks the lockfile against every workspace, so each stage copies both package.json files
# and installs only the exporter's workspace (`--workspace exporter`). The build stage also
# needs the root's dev dependencies (TypeScript): `--include-workspace-root`.
# Node 24 is an LTS line the exporter supports (package.json engines: >= 20.19).
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY exporter/package.json exporter/tsconfig.json exporter/
COPY grafana-plugin/package.json grafana-plugin/
RUN npm ci --ignore-scripts --no-audit --no-fund --workspace exporter --include-workspace-root
COPY exporter/src exporter/src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY exporter/package.json exporter/
COPY grafana-plugin/package.json grafana-plugin/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace exporter

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/exporter/dist exporter/dist
COPY exporter/package.json exporter/config.example.yaml exporter/
# The alert log (alerts.log_dir, logs/alerts) and the embedded store (storage.pglite_data_dir,
# .tradewatch/data; unused with DATABASE_URL) are relative to /app and written by `node`.
RUN mkdir -p logs/alerts .tradewatch/data && chown -R node:node logs .tradewatch
USER node
EXPOSE 9473
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s CMD ["node", "-e", "fetch('http://127.0.0.1:9473/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "exporter/dist/main.js"]
