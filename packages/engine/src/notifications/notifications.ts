import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretSeal } from '../auth/secretSeal.ts';
import { newUuid } from '../core/ids.ts';
import type { WorkflowSpec } from '../core/spec.ts';
import { egressRequest, systemResolver, type HostResolver } from '../handlers/egress/egressRequest.ts';
import type { EgressPolicy } from '../handlers/egress/egressPolicy.ts';
import type { FlowlineMetrics } from '../metrics/flowlineMetrics.ts';
import { newLeaseOwner } from '../runtime/leaseOwner.ts';
import { claimDueDeliveries, type ClaimedDelivery } from '../storage/claimDueDeliveries.ts';
import type { Database } from '../storage/database.ts';
import { listRunDeliveries, type DeliveryRecord } from '../storage/listRunDeliveries.ts';
import { listWebhooks, type IssuedWebhook, type WebhookRecord } from '../storage/listWebhooks.ts';
import { readNotifiedRun } from '../storage/readNotifiedRun.ts';
import { recordDeliveryAttempt } from '../storage/recordDeliveryAttempt.ts';
import { recordSlaMisses } from '../storage/recordSlaMisses.ts';
import { syncNotificationWebhooks, type WantedWebhook } from '../storage/syncNotificationWebhooks.ts';
import { syncSlaPolicies } from '../storage/syncSlaPolicies.ts';
import { DeliveryStatus, deliveryVerdict, type RetryPolicy } from './deliveryVerdict.ts';
import { webhookEvent } from './webhookEvent.ts';
import { SIGNATURE_HEADER, webhookSignature } from './webhookSignature.ts';

/** How deliveries are sent: under which egress policy, how long an attempt may take, how failures are retried, what links they carry. */
export interface DeliveryOptions extends RetryPolicy {
  /** the http node's policy (FLOWLINE_HTTP_ALLOW / DENY): a webhook reaches nothing a workflow could not */
  readonly egress: EgressPolicy;
  readonly timeoutMs: number;
  /** FLOWLINE_PUBLIC_URL, for the links in each event */
  readonly publicUrl?: string | undefined;
  /** the resolver of webhook hosts; tests pass a stub, as for the http node */
  readonly resolver?: HostResolver;
}

/** Deliveries one pass of a sender takes at most, sent at once. */
const DELIVERY_BATCH = 20;
/** Beyond the attempt's timeout, how long its lease lasts: the attempt's result has this long to be written. */
const LEASE_GRACE_MS = 1000;
/** Runs one SLA sweep records a miss for at most; a longer backlog is the next sweep's. */
const SLA_SWEEP_LIMIT = 500;
/** What of a receiver's answer the attempt log keeps. */
const EXCERPT_BYTES = 200;

/**
 * Run notifications: the webhooks definitions and schedules declare (synced
 * from their specs, each with a signing secret shown once), the outbox their
 * events are written to — by the statement that ends a run (a trigger), or
 * the sweep that records an SLA missed — and the senders that deliver it.
 *
 * Delivery is at least once: a sender claims due rows (SKIP LOCKED, the claim
 * a lease past the attempt's timeout), POSTs each event signed with its
 * webhook's secret and keyed by its event id, and records the attempt and its
 * verdict conditionally on still holding it. A sender that dies mid-attempt
 * leaves the row due again; a receiver that is down gets the event after it
 * returns (exponential backoff), until the attempts run out (DEAD).
 */
export class Notifications {
  /** this process's name in the attempt log */
  private readonly sender = newLeaseOwner('notifier');

  constructor(
    private readonly db: Database,
    private readonly seal: SecretSeal | undefined,
    private readonly now: () => Date,
    private readonly metrics: FlowlineMetrics,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Makes a stored definition's webhooks and SLAs match its spec (called
   * whenever a spec is stored, after its schedules). Answers the webhooks it
   * declared for the first time, with their secrets: the only time they show.
   */
  async sync(definition: { readonly id: number; readonly orgId: string; readonly spec: WorkflowSpec }): Promise<IssuedWebhook[]> {
    const wanted = wantedWebhooks(definition.spec);
    const secrets = new Map<string, string>();
    const rows: WantedWebhook[] = wanted.map((w) => {
      if (!this.seal) throw new Error('webhooks need a seal key for their secrets: give the engine one (FLOWLINE_SEAL_KEY)');
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      const newId = newUuid();
      secrets.set(newId, secret);
      return { ...w, newId, newSecretSealed: this.seal.seal(secret) };
    });
    const inserted = await syncNotificationWebhooks(this.db.pool, definition, rows, this.now());
    await syncSlaPolicies(this.db.pool, definition.id, [
      ...(definition.spec.sla ? [{ scheduleName: '', finishWithinMs: definition.spec.sla.finishWithinMs }] : []),
      ...(definition.spec.schedules ?? []).flatMap((s) => (s.sla ? [{ scheduleName: s.name, finishWithinMs: s.sla.finishWithinMs }] : [])),
    ]);
    if (inserted.size === 0) return [];
    return (await this.webhooks(definition.id)).flatMap((w) => (inserted.has(w.id) ? [{ ...w, secret: secrets.get(w.id)! }] : []));
  }

  /** A definition's webhooks (never their secrets). */
  webhooks(definitionId: number): Promise<WebhookRecord[]> {
    return listWebhooks(this.db.pool, definitionId);
  }

  /** A run's deliveries with their attempts. */
  runDeliveries(runUuid: string, orgId: string): Promise<DeliveryRecord[]> {
    return listRunDeliveries(this.db.pool, orgId, runUuid);
  }

  /** Sends one batch of due deliveries; true when there was one (the loop asks again at once). */
  async deliverDue(options: DeliveryOptions): Promise<boolean> {
    const now = this.now();
    const claimed = await claimDueDeliveries(this.db.pool, now, new Date(now.getTime() + options.timeoutMs + LEASE_GRACE_MS), DELIVERY_BATCH);
    await Promise.all(claimed.map((delivery) => this.attempt(delivery, options)));
    return claimed.length > 0;
  }

  /** Records the SLA misses due now (and their deliveries); true when the sweep hit its limit (the loop sweeps again at once). */
  async sweepSla(): Promise<boolean> {
    const misses = await recordSlaMisses(this.db.pool, this.now(), SLA_SWEEP_LIMIT);
    for (const { workflow } of misses) this.metrics.slaMissed.inc({ workflow });
    return misses.length === SLA_SWEEP_LIMIT;
  }

  /** One attempt at one delivery: the signed POST, then its record and verdict. */
  private async attempt(delivery: ClaimedDelivery, options: DeliveryOptions): Promise<void> {
    const startedAt = this.now();
    const payload = delivery.payload ?? (await this.payloadOf(delivery, options.publicUrl));
    const { httpStatus, error } = await this.send(delivery, payload, options);
    const endedAt = this.now();
    const delivered = error === null;
    const verdict = delivery.secretSealed === null || payload === undefined ? { status: DeliveryStatus.DEAD, nextAttemptAt: endedAt } : deliveryVerdict(delivered, delivery.attempt, options, endedAt);
    const recorded = await recordDeliveryAttempt(this.db.pool, {
      deliveryId: delivery.id,
      attempt: delivery.attempt,
      startedAt,
      endedAt,
      httpStatus,
      error,
      sender: this.sender,
      status: verdict.status,
      nextAttemptAt: verdict.nextAttemptAt,
      payload: payload ?? {},
    });
    if (!recorded) return;
    const outcome = verdict.status === DeliveryStatus.DELIVERED ? 'delivered' : verdict.status === DeliveryStatus.DEAD ? 'dead' : 'failed';
    this.metrics.notificationAttempts.inc({ event: delivery.event, outcome });
    if (delivered) this.metrics.notificationLatency.observe({ event: delivery.event }, (endedAt.getTime() - delivery.occurredAt.getTime()) / 1000);
    if (verdict.status === DeliveryStatus.DEAD) this.logger?.warn({ delivery: delivery.id, url: delivery.url, error }, 'webhook delivery given up');
  }

  /** The event's body, built from the run on its first attempt (every retry sends the same); undefined when the run is gone. */
  private async payloadOf(delivery: ClaimedDelivery, publicUrl: string | undefined): Promise<Record<string, unknown> | undefined> {
    const run = await readNotifiedRun(this.db.pool, delivery.runId);
    return run && webhookEvent(delivery, run, publicUrl);
  }

  /** POSTs the event; an answer other than 2xx, a refusal of the egress policy or a network failure is the attempt's error. */
  private async send(
    delivery: ClaimedDelivery,
    payload: Record<string, unknown> | undefined,
    options: DeliveryOptions,
  ): Promise<{ httpStatus: number | null; error: string | null }> {
    if (delivery.secretSealed === null) return { httpStatus: null, error: 'the webhook was removed from its definition' };
    if (payload === undefined) return { httpStatus: null, error: 'the run is gone' };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(this.now().getTime() / 1000);
    try {
      const response = await egressRequest(
        {
          url: delivery.url,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'flowline-webhook',
            'flowline-event': delivery.event,
            'flowline-event-id': delivery.id,
            'idempotency-key': delivery.id,
            [SIGNATURE_HEADER]: webhookSignature(this.seal!.open(delivery.secretSealed), timestamp, body),
          },
          body,
          credentialHeaders: new Set([SIGNATURE_HEADER]),
        },
        {
          policy: options.egress,
          resolver: options.resolver ?? systemResolver,
          maxResponseBytes: 64 * 1024,
          excerptBytes: EXCERPT_BYTES,
          // A POST that a redirect would turn into a GET is no delivery: a 3xx is a failed attempt.
          maxRedirects: 0,
          signal: AbortSignal.timeout(options.timeoutMs),
        },
      );
      if (response.status >= 200 && response.status < 300) return { httpStatus: response.status, error: null };
      return { httpStatus: response.status, error: `answered ${response.status}: ${response.excerpt.toString('utf8').slice(0, EXCERPT_BYTES)}` };
    } catch (error) {
      return { httpStatus: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** A spec's webhooks by (scope, URL), the events of one URL declared twice in a scope merged. */
function wantedWebhooks(spec: WorkflowSpec): Omit<WantedWebhook, 'newId' | 'newSecretSealed'>[] {
  const byKey = new Map<string, { scheduleName: string; url: string; events: Set<string> }>();
  const add = (scheduleName: string, notify: WorkflowSpec['notify']) => {
    for (const { on, webhook } of notify ?? []) {
      const key = `${scheduleName}\n${webhook}`;
      const found = byKey.get(key) ?? { scheduleName, url: webhook, events: new Set<string>() };
      for (const event of on) found.events.add(event);
      byKey.set(key, found);
    }
  };
  add('', spec.notify);
  for (const schedule of spec.schedules ?? []) add(schedule.name, schedule.notify);
  return [...byKey.values()].map((w) => ({ scheduleName: w.scheduleName, url: w.url, events: [...w.events].sort() }));
}
