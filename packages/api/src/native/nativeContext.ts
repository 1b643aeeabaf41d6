import type { CredentialAuthority, Engine } from '@flowline/engine';

/** What native routes act on. */
export interface NativeContext {
  readonly engine: Engine;
  readonly authority: CredentialAuthority;
}

/** OpenAPI security requirement of every authenticated native route. */
export const BEARER_SECURITY = [{ bearerAuth: [] }];
