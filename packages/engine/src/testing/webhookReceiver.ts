import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A delivery as a receiver got it: its headers and raw body. */
export interface ReceivedDelivery {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** What the receiver does with a request: answer with a status, or hold it unanswered (a receiver hanging mid-delivery). */
export type ReceiverAnswer = number | 'hold';

/** A local webhook receiver for tests: it listens on loopback, records every request, and answers as told. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedDelivery[];
  /** how the next requests are answered (default 204) */
  answer(with_: ReceiverAnswer | ((delivery: ReceivedDelivery) => ReceiverAnswer)): void;
  /** resolves once `count` requests arrived */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  /** stops listening (the port stays free for `listen` again), dropping held requests */
  close(): Promise<void>;
  /** listens again on the same port */
  listen(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 (only loopback: no test sends a packet
 * further). `port` reuses a port a closed receiver had, for "the receiver is
 * down, then back" scenarios.
 */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  let answer: (delivery: ReceivedDelivery) => ReceiverAnswer = () => 204;
  const held = new Set<http.ServerResponse>();
  let server: http.Server | undefined;
  let boundPort = port;
  const listen = async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const delivery = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        received.push(delivery);
        const status = answer(delivery);
        if (status === 'hold') held.add(response);
        else response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(boundPort, '127.0.0.1', resolve));
    boundPort = (server.address() as AddressInfo).port;
  };
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${boundPort}/hook`;
    },
    get port() {
      return boundPort;
    },
    received,
    answer: (with_) => {
      answer = typeof with_ === 'function' ? with_ : () => with_;
    },
    waitFor: async (count, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`the receiver got ${received.length} requests, not ${count}, in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received.slice(0, count);
    },
    close: async () => {
      for (const response of held) response.destroy();
      held.clear();
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        server?.closeAllConnections();
      });
    },
    listen,
  };
}
