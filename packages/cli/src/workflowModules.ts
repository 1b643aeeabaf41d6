import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkflowDefinition } from '@flowline/engine';
import { workflowsOf } from '@flowline/sdk';
import { CliFailure, ExitCode } from './client/exitCode.ts';

/**
 * Loads the modules named by `--workflows` (paths from the working directory,
 * or package names) and collects their `defineWorkflow` exports. A module
 * that cannot be loaded, or exports no workflow, is a usage error naming it.
 */
export async function loadWorkflowModules(specifiers: readonly string[]): Promise<WorkflowDefinition[]> {
  const workflows: WorkflowDefinition[] = [];
  for (const specifier of specifiers) {
    const url = isPath(specifier) ? pathToFileURL(path.resolve(specifier)).href : specifier;
    let module: Record<string, unknown>;
    try {
      module = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw new CliFailure(`--workflows ${specifier}: cannot load it: ${(error as Error).message}`, ExitCode.USAGE);
    }
    const found = workflowsOf(module);
    if (found.length === 0) throw new CliFailure(`--workflows ${specifier}: it exports no workflow made by defineWorkflow(...)`, ExitCode.USAGE);
    workflows.push(...found);
  }
  return workflows;
}

/** `./x.js`, `../x.js`, `/abs/x.js` and `x.js` (a file beside you) are paths; `@scope/pkg` or `pkg/sub` are packages. */
function isPath(specifier: string): boolean {
  return specifier.startsWith('.') || path.isAbsolute(specifier) || /\.[cm]?[jt]s$/.test(specifier);
}
