import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command } from 'commander';
import { clientContext, withClientOptions } from './clientContext.ts';
import { CliFailure, ExitCode } from './exitCode.ts';
import { renderTable } from './table.ts';

/** Reads a definition file: JSON for `.json`, YAML otherwise (YAML is a superset of JSON). */
async function readDefinitionFile(file: string): Promise<{ name: string } & Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as Error).message}`, ExitCode.USAGE);
  }
  let parsed: unknown;
  // The YAML parser is loaded here, by the one command that reads YAML: every other command (and every server process) is spared its modules.
  const json = extname(file).toLowerCase() === '.json';
  const yaml = json ? undefined : await import('yaml');
  try {
    parsed = yaml ? yaml.parse(text) : JSON.parse(text);
  } catch (error) {
    throw new CliFailure(`${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`, ExitCode.USAGE);
  }
  // The server checks the rest (node fields, the DAG) and names the node at fault.
  const spec = parsed as { name?: unknown; nodes?: unknown } | null;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.nodes)) {
    throw new CliFailure(`${file}: expected a definition: an object with a name and a list of nodes`, ExitCode.FAILURE);
  }
  return spec as { name: string } & Record<string, unknown>;
}

/** `flowline defs apply|list`. */
export function definitionCommands(): Command {
  const defs = new Command('defs').description('workflow definitions');

  withClientOptions(defs.command('apply'))
    .description('create a definition from a file (YAML or JSON), or update it if it exists; the server validates the DAG')
    .requiredOption('-f, --file <file>', 'flow.yaml or flow.json')
    .action(async (options: { file: string }, command: Command) => {
      const ctx = clientContext(command);
      const spec = await readDefinitionFile(options.file);
      const { definition, created } = await ctx.client.applyDefinition(spec);
      if (ctx.json) return ctx.printJson({ ...definition, created });
      ctx.print(`${created ? 'created' : 'applied'} ${definition.name} version ${definition.version} (${definition.nodes.length} nodes)`);
    });

  withClientOptions(defs.command('list'))
    .description('list definitions')
    .action(async (_options: unknown, command: Command) => {
      const ctx = clientContext(command);
      const { items } = await ctx.client.definitions();
      if (ctx.json) return ctx.printJson(items);
      ctx.print(renderTable(['NAME', 'VERSION', 'NODES', 'DESCRIPTION'], items.map((d) => [d.name, String(d.version), String(d.nodes.length), d.description])));
    });

  return defs;
}
