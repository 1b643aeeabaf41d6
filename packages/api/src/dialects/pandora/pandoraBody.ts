import { z } from 'zod';
import { jsonDepthProblem } from '../../hygiene/jsonDepth.ts';
import { PandoraError, PandoraFault } from './pandoraErrors.ts';

/** Pandora's node types (seed: 消息队列 repo, 实时计算 transform, 实时导出 export, 离线数据源 datasource, 离线计算 job, 离线导出 exportBatch). */
export const PANDORA_NODE_TYPES = ['repo', 'transform', 'export', 'datasource', 'job', 'exportBatch'] as const;
export type PandoraNodeType = (typeof PANDORA_NODE_TYPES)[number];

export const WORKFLOW_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

/** Longest region and comment accepted; longer is E18008. The comment is the definition's description (≤ 2000). */
const MAX_REGION = 64;
const MAX_COMMENT = 2000;

const NodeRef = z.object({ name: z.string(), type: z.enum(PANDORA_NODE_TYPES) });

const PandoraNodeBody = z.object({
  name: z.string(),
  type: z.enum(PANDORA_NODE_TYPES),
  data: z.record(z.string(), z.unknown()).optional().describe("the node's Spec; flowline runs it as data.flowlineType (default noop)"),
  parents: z.array(NodeRef).optional(),
  children: z.array(NodeRef).optional(),
});
export type PandoraNodeBody = z.infer<typeof PandoraNodeBody>;

/**
 * Create (`{region, comment}` per the seed; Qiniu's SDK also sends `name`) and
 * update (`{name, region, nodes}` per the SDK's UpdateWorkflowInput) share one
 * shape; on update an absent field keeps its stored value.
 */
const WorkflowBody = z.object({
  name: z.string().optional(),
  region: z.string().min(1).optional(),
  comment: z.string().optional(),
  nodes: z.record(z.string(), PandoraNodeBody).optional(),
});
export type WorkflowBody = z.infer<typeof WorkflowBody>;

/**
 * Parses a body as JSON. Trailing commas are forgiven because the vendor's own
 * create example sends `{"region": "nb", "comment": "workflow_for_test", }`, and
 * a client written from that document must work unchanged.
 */
export function parsePandoraJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  const tooDeep = jsonDepthProblem(text);
  if (tooDeep !== undefined) throw new PandoraError(PandoraFault.MALFORMED_BODY, tooDeep);
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(withoutTrailingCommas(text));
    } catch (error) {
      throw new PandoraError(PandoraFault.MALFORMED_BODY, (error as Error).message);
    }
  }
}

/** Drops each comma that is followed (past whitespace) by `}` or `]`, outside strings. */
function withoutTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') {
        out += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === ',') {
      let next = i + 1;
      while (next < text.length && /\s/.test(text[next]!)) next++;
      if (text[next] === '}' || text[next] === ']') continue;
    }
    out += c;
  }
  return out;
}

/** The create/update body, checked: E18003/E18006 when absent, E18642 on wrong shapes, E18008 on long fields. */
export function readWorkflowBody(body: unknown, contentLength: string | undefined): WorkflowBody {
  if (contentLength === undefined && body === undefined) throw new PandoraError(PandoraFault.MISSING_CONTENT_LENGTH);
  if (body === undefined) throw new PandoraError(PandoraFault.EMPTY_BODY);
  const parsed = WorkflowBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PandoraError(PandoraFault.INVALID_WORKFLOW, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const { region, comment } = parsed.data;
  if (region !== undefined && region.length > MAX_REGION) throw new PandoraError(PandoraFault.FIELD_TOO_LONG, `region is longer than ${MAX_REGION}`);
  if (comment !== undefined && comment.length > MAX_COMMENT) throw new PandoraError(PandoraFault.FIELD_TOO_LONG, `comment is longer than ${MAX_COMMENT}`);
  return parsed.data;
}
