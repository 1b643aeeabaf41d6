import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A lease owner name unique to one worker or reconciler instance: readable in
 * node_runs.lease_owner (which host and process holds a node), and never
 * reused, so a restarted process cannot mistake its predecessor's leases for its own.
 */
export function newLeaseOwner(role: string): string {
  return `${role}:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
