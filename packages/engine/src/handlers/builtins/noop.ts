import type { NodeHandler } from '../nodeHandler.ts';

/** Does nothing and passes its parameters on as output: joins and placeholders. */
export const noopHandler: NodeHandler = async (ctx) => {
  const { parents: _parents, ...own } = ctx.params;
  return own;
};
