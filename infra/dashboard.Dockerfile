# The web dashboard: built with Node 20 from the committed lock file, served by nginx (static
# files plus the same /api/<service> routing as `mlaas up`, see infra/nginx/dashboard.conf).
# Build context: the repo root (docker-compose.yml builds it as the `dashboard` service).
FROM node:20-bookworm-slim AS build
WORKDIR /src/dashboard
COPY dashboard/package.json dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY dashboard/ ./
RUN npx vite build

FROM nginxinc/nginx-unprivileged:1.27-alpine
COPY infra/nginx/dashboard.conf /etc/nginx/conf.d/default.conf
COPY --from=build /src/dashboard/dist /usr/share/nginx/html
EXPOSE 8080
