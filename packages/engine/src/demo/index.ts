import { BackupCluster } from './backupCluster.ts';
import { CheckPlatform } from './checkPlatform.ts';

/** The workflows every flowline installation ships with. */
export const DEMO_WORKFLOWS = [BackupCluster, CheckPlatform] as const;
