#!/usr/bin/env node
// The workspace runs its TypeScript sources as they are (no build step): tsx loads them.
// Client commands skip the server's modules (engine, BullMQ, embedded Postgres): they start ~4x faster.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const CLIENT_GROUPS = ['runs', 'defs', 'schedules', 'credentials'];
await import(CLIENT_GROUPS.includes(process.argv[2]) ? '../src/client/clientMain.ts' : '../src/main.ts');
