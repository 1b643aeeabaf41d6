import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every name a package exports is part of its contract with other packages
 * and with users, so each carries a doc comment where it is declared (as the
 * Temporal SDK documents every export). Checked with the compiler on each
 * package's entry point.
 */
const ENTRY_POINTS = ['engine', 'worker', 'api', 'client', 'sdk'].map((pkg) => fileURLToPath(new URL(`../../${pkg}/src/index.ts`, import.meta.url)));

const program = ts.createProgram(ENTRY_POINTS, {
  allowImportingTsExtensions: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2023,
  strict: true,
  skipLibCheck: true,
  types: ['node'],
  // the workspace packages' sources, as the repository's tsconfig resolves them
  customConditions: ['@flowline/source'],
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
      return !documented && !documentedReExport(exported, symbol);
    })
    .map((symbol) => symbol.getName())
    .sort();
}

/** A third-party name (zod's `z`) is declared, for this package, where it re-exports it: that export statement carries the doc. */
function documentedReExport(exported: ts.Symbol, aliased: ts.Symbol): boolean {
  const thirdParty = aliased.declarations?.some((d) => d.getSourceFile().fileName.includes('/node_modules/')) ?? false;
  const statements = (exported.declarations ?? []).filter(ts.isExportSpecifier).map((specifier) => specifier.parent.parent);
  return thirdParty && statements.some((statement) => ts.getJSDocCommentsAndTags(statement).length > 0);
}

describe('the public surface', () => {
  for (const entry of ENTRY_POINTS) {
    const pkg = entry.split('/packages/')[1]!.split('/')[0]!;
    it(`@flowline/${pkg}: every export is documented where it is declared`, () => {
      expect(undocumentedExports(entry)).toEqual([]);
    });
  }
});
