import type { CreateCredentialRequest, CredentialKind, CredentialRole } from '@flowline/client';
import { text } from 'node:stream/consumers';
import { Command, Option } from 'commander';
import { CliFailure, ExitCode } from './exitCode.ts';
import { clientContext, withClientOptions } from './clientContext.ts';
import { formatTime, renderTable } from './table.ts';

const KINDS: readonly CredentialKind[] = ['bearer', 'enos', 'explorer', 'cos', 'qiniu', 'secret'];
const ROLES: readonly CredentialRole[] = ['reader', 'operator', 'admin', 'superadmin', 'metrics'];

/** `flowline credentials create|list|revoke` (admins only). */
export function credentialCommands(): Command {
  const credentials = new Command('credentials').description('issue, list and revoke API credentials (admin)');

  withClientOptions(credentials.command('create'))
    .description('issue a credential; its secret is printed once')
    .addOption(new Option('--kind <kind>', 'auth scheme').choices(KINDS).default('bearer'))
    .addOption(new Option('--role <role>', 'what it may do (superadmin and metrics: a superadmin issues them)').choices(ROLES))
    .option('--org <orgId>', "the principal's org (default: yours; another only for a superadmin)")
    .option('--name <name>', 'a label for the list; for --kind secret, the name http nodes refer to')
    .option('--access-key <user>', 'explorer only: the user name')
    .option('--secret <value>', 'secret only: the value to seal, never shown again; "-" reads it from standard input (kept out of shell history)')
    .option('--expires-at <iso>', 'expiry, ISO 8601 with offset')
    .action(
      async (
        options: { kind: CredentialKind; role?: CredentialRole; org?: string; name?: string; accessKey?: string; secret?: string; expiresAt?: string },
        command: Command,
      ) => {
        if (options.role === undefined && options.kind !== 'secret') throw new CliFailure('--role is required (except for --kind secret)', ExitCode.USAGE);
        const ctx = clientContext(command);
        const secret = options.secret === '-' ? (await text(process.stdin)).replace(/\r?\n$/, '') : options.secret;
        const request: CreateCredentialRequest = {
          kind: options.kind,
          ...(options.role ? { role: options.role } : {}),
          ...(secret === undefined ? {} : { secret }),
          ...(options.org ? { orgId: options.org } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.accessKey ? { accessKey: options.accessKey } : {}),
          ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
        };
        const issued = await ctx.client.createCredential(request);
        if (ctx.json) return ctx.printJson(issued);
        ctx.print(`issued ${issued.kind} credential ${issued.id} (${issued.role}, org ${issued.orgId})`);
        if (issued.accessKey) ctx.print(`access key: ${issued.accessKey}`);
        ctx.print(`secret:     ${issued.secret}\n(shown only now; store it somewhere safe)`);
      },
    );

  withClientOptions(credentials.command('list'))
    .description("list your org's credentials (never their secrets)")
    .action(async (_options: unknown, command: Command) => {
      const ctx = clientContext(command);
      const { items } = await ctx.client.credentials();
      if (ctx.json) return ctx.printJson(items);
      const rows = items.map((c) => [c.id, c.kind, c.role, c.name, c.accessKey ?? '', formatTime(c.createdAt), c.revokedAt ? `revoked ${formatTime(c.revokedAt)}` : c.expiresAt ? `expires ${formatTime(c.expiresAt)}` : 'active']);
      ctx.print(renderTable(['ID', 'KIND', 'ROLE', 'NAME', 'ACCESS KEY', 'CREATED', 'STATE'], rows));
    });

  withClientOptions(credentials.command('revoke'))
    .description('revoke a credential')
    .argument('<id>', 'credential id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = clientContext(command);
      await ctx.client.revokeCredential(id);
      if (ctx.json) return ctx.printJson({ id, revoked: true });
      ctx.print(`revoked ${id}`);
    });

  return credentials;
}
