# flowline: one image for every role (start | api | worker | migrate).
FROM node:20-bookworm-slim
WORKDIR /app
RUN corepack enable && corepack prepare pnpm@10.34.8 --activate
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.json ./
COPY packages ./packages
COPY drizzle ./drizzle
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production PORT=8080
EXPOSE 8080
USER node
ENTRYPOINT ["pnpm", "flowline"]
CMD ["start"]
