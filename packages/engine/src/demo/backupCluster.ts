import { newUuid, uuidToShortId } from '../core/ids.ts';
import { defineWorkflow } from '../definitions/defineWorkflow.ts';

interface BackupInput {
  readonly address?: string;
  readonly storageType?: string;
}

/**
 * The demo BackupCluster of the TiEM seed: backup → updateBackupRecord → end,
 * with result texts in the seed's style. It does no real backup. Its hourly
 * schedule ships paused: a demo must not start backups nobody asked for.
 */
export const BackupCluster = defineWorkflow({
  name: 'BackupCluster',
  description: 'Back up a cluster and record the backup (demo)',
  schedules: [{ name: 'hourly', expression: '0 0 * * * ?', overlap: 'skip', misfire: 'fire_once', paused: true, input: { storageType: 's3' } }],
  nodes: [
    {
      name: 'backup',
      description: 'backs up the cluster (demo: no real backup)',
      run: async (ctx) => {
        const input = (ctx.input ?? {}) as BackupInput;
        ctx.log(`get cluster ${ctx.bizId} tidb address: ${input.address ?? '127.0.0.1:4000'}`);
        ctx.log(`convert storage type: ${input.storageType ?? 's3'}`);
        ctx.log(`backup cluster ${ctx.bizId}`);
        return { backupRecordId: uuidToShortId(newUuid()) };
      },
    },
    {
      name: 'updateBackupRecord',
      description: 'records the backup of its parent (demo)',
      dependsOn: ['backup'],
      run: async (ctx) => {
        const { backupRecordId } = ctx.parents.backup as { backupRecordId: string };
        ctx.log(`update backup record ${backupRecordId} of cluster ${ctx.bizId}`);
        return { backupRecordId };
      },
    },
    { name: 'end', type: 'noop', dependsOn: ['updateBackupRecord'] },
  ],
});
