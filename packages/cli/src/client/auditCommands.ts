import type { AuditQuery } from '@flowline/client';
import { Command, InvalidArgumentError } from 'commander';
import { clientContext, withClientOptions } from './clientContext.ts';
import { formatTime, renderTable } from './table.ts';

function limit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('expected 1 to 500');
  return n;
}

/** `flowline audit`: who changed what, when, from where, with what outcome (admins). */
export function auditCommands(): Command {
  return withClientOptions(new Command('audit'))
    .description('the audit trail, newest first: every state-changing call on every surface (admins)')
    .option('-p, --principal <name>', "a principal's name or id")
    .option('-a, --action <action>', 'an action (run.cancel) or its family (run)')
    .option('-t, --target <target>', 'what the call was about: a run id, a definition name, a schedule id…')
    .option('--surface <surface>', 'native, cli, ui, tiem, enos, explorer, tencent, pandora')
    .option('--outcome <outcome>', 'ok, denied or failed')
    .option('--org <org>', "superadmin only: one org's trail")
    .option('-n, --limit <n>', 'how many', limit, 20)
    .option('--cursor <cursor>', 'the next page, as printed below the previous one')
    .action(
      async (
        options: { principal?: string; action?: string; target?: string; surface?: string; outcome?: AuditQuery['outcome']; org?: string; limit: number; cursor?: string },
        command: Command,
      ) => {
        const ctx = clientContext(command);
        const page = await ctx.client.audit({
          ...(options.principal ? { principal: options.principal } : {}),
          ...(options.action ? { action: options.action } : {}),
          ...(options.target ? { target: options.target } : {}),
          ...(options.surface ? { surface: options.surface } : {}),
          ...(options.outcome ? { outcome: options.outcome } : {}),
          ...(options.org ? { orgId: options.org } : {}),
          ...(options.cursor ? { cursor: options.cursor } : {}),
          limit: options.limit,
        });
        if (ctx.json) return ctx.printJson(page);
        const rows = page.items.map((e) => [formatTime(e.at), e.principalName ?? '(none)', e.orgId ?? '-', e.action, e.target, e.surface, e.address, `${e.outcome} ${e.httpStatus}`]);
        ctx.print(rows.length ? renderTable(['AT (UTC)', 'PRINCIPAL', 'ORG', 'ACTION', 'TARGET', 'SURFACE', 'ADDRESS', 'OUTCOME'], rows) : 'no audit events');
        if (page.nextCursor) ctx.print(`\nmore: flowline audit --cursor ${page.nextCursor}`);
      },
    );
}
