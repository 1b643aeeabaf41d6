import type { Dialect } from './dialect.ts';
import { enosDialect } from './enos/index.ts';
import { explorerDialect } from './explorer/index.ts';
import { pandoraDialect } from './pandora/index.ts';
import { tencentDialect } from './tencent/index.ts';
import { tiemDialect } from './tiem/index.ts';

/** Every vendor dialect the server speaks, registered in this order. */
export const DIALECTS: readonly Dialect[] = [tiemDialect, enosDialect, explorerDialect, pandoraDialect, tencentDialect];
