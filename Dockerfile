# flowline: one image for every role (start | api | worker | scheduler | migrate).
# Two stages: the workspace compiles and packs flowline's packages (`pnpm pack:all`),
# then the image installs those tarballs as a user would (`npm install`): plain node
# runs the compiled JavaScript, with no TypeScript and no workspace tooling.
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN corepack enable && corepack prepare pnpm@10.34.8 --activate
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.json tsconfig.build.json tsconfig.build.base.json ./
COPY scripts ./scripts
COPY packages ./packages
COPY drizzle ./drizzle
RUN pnpm install --frozen-lockfile && pnpm pack:all

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /src/dist/tarballs /tmp/tarballs
RUN echo '{"name":"flowline-image","private":true,"type":"module"}' > package.json \
 && npm install --omit=dev --no-audit --no-fund /tmp/tarballs/*.tgz \
 && rm -rf /tmp/tarballs /root/.npm
# The data dir (embedded Postgres, a generated seal key) must be writable by the unprivileged user.
RUN mkdir -p /app/.flowline && chown node:node /app/.flowline
ENV NODE_ENV=production PORT=8080
# 8080: API, UI and /metrics; 9464: /metrics of a process without the API (a worker).
EXPOSE 8080 9464
USER node
# node itself as PID 1, not a package manager: SIGTERM reaches flowline, which drains its workers.
# Your own workflows: COPY a module into /app (it imports @flowline/sdk from here) and run
# `worker --workflows ./your-workflows.js`.
ENTRYPOINT ["node", "node_modules/flowline/packages/cli/bin/flowline.js"]
CMD ["start"]
