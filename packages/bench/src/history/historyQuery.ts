import type { CredentialKind, IssuedCredential } from '@flowline/engine';
import type { LoadedHistory } from './historyLoader.ts';

/** What a dialect's queries are built from: the server, the loaded history, and credentials of any kind. */
export interface HistoryContext {
  readonly baseUrl: string;
  readonly history: LoadedHistory;
  readonly orgId: string;
  issue(kind: CredentialKind): Promise<IssuedCredential>;
}

/** One list request, repeated and timed; it must answer 200. */
export interface HistoryQuery {
  readonly name: string;
  send(): Promise<Response>;
}

/** The list endpoints of one API (native or a vendor dialect) and the queries the scenario times on them. */
export interface HistoryApi {
  /** the dialect's registered name; 'native' for /v1 */
  readonly name: string;
  /** the list route; the API counts as present in this tree when the server has it */
  readonly route: { readonly method: 'GET' | 'POST'; readonly url: string };
  queries(context: HistoryContext): Promise<HistoryQuery[]>;
}
