import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema (`pnpm db:generate`) and committed;
// they are applied only by `flowline migrate` or at start-up of `flowline start`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/engine/src/storage/schema.ts',
  out: './drizzle',
});
