# flowline: one image for every role (start | api | worker | migrate).
FROM node:20-bookworm-slim
WORKDIR /app
RUN corepack enable && corepack prepare pnpm@10.34.8 --activate
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.json ./
COPY packages ./packages
COPY drizzle ./drizzle
RUN pnpm install --frozen-lockfile
# The data dir (embedded Postgres, a generated seal key) must be writable by the unprivileged user.
RUN mkdir -p /app/.flowline && chown node:node /app/.flowline
ENV NODE_ENV=production PORT=8080
# 8080: API, UI and /metrics; 9464: /metrics of a process without the API (a worker).
EXPOSE 8080 9464
USER node
# node itself as PID 1, not a package manager: SIGTERM reaches flowline, which drains its workers.
ENTRYPOINT ["node", "packages/cli/bin/flowline.js"]
CMD ["start"]
