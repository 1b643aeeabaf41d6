import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every name a package exports is part of its contract with other packages
 * and with users, so each carries a doc comment where it is declared (as the
 * Temporal SDK documents every export). Checked with the compiler on each
 * package's entry point.
 */
const ENTRY_POINTS = ['engine', 'worker', 'api', 'client'].map((pkg) => fileURLToPath(new URL(`../../${pkg}/src/index.ts`, import.meta.url)));

const program = ts.createProgram(ENTRY_POINTS, {
  allowImportingTsExtensions: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2023,
  strict: true,
  skipLibCheck: true,
  types: ['node'],
});
const checker = program.getTypeChecker();

/** The exports of an entry point that have no doc comment where they are declared. */
function undocumentedExports(entry: string): string[] {
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker
    .getExportsOfModule(module)
    .filter((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const documented = symbol.getDocumentationComment(checker).length > 0 || symbol.getJsDocTags(checker).length > 0;
      return !documented;
    })
    .map((symbol) => symbol.getName())
    .sort();
}

describe('the public surface', () => {
  for (const entry of ENTRY_POINTS) {
    const pkg = entry.split('/packages/')[1]!.split('/')[0]!;
    it(`@flowline/${pkg}: every export is documented where it is declared`, () => {
      expect(undocumentedExports(entry)).toEqual([]);
    });
  }
});
