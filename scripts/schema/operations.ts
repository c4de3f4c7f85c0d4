/**
 * The operation check: every GraphQL document a client app sends (written as
 * `graphql(\`…\`)` in its sources, graphql-codegen's client preset) must be
 * valid against the freshly composed API schema. A subgraph change that
 * breaks an app's query fails `npm run schema:check`, naming the file, the
 * operation and the field.
 *
 * Apps are folders (`storefront`, `admin`): their `src/**\/*.{ts,tsx}`
 * except generated code. Fragments may be defined in one file and spread in
 * another (codegen appends them to the operation), so each operation is
 * validated together with the fragments it uses, from any file of its app.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gqlPluckFromCodeStringSync } from '@graphql-tools/graphql-tag-pluck';
import {
  buildSchema,
  GraphQLError,
  Kind,
  NoUnusedFragmentsRule,
  parse,
  specifiedRules,
  validate,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

export interface OperationProblem {
  /** The source file, relative to the repository (or the given base). */
  file: string;
  /** e.g. `query ProductPage`, `fragment CartView`, or `document` when it does not parse. */
  operation: string;
  message: string;
  /** Line in the source file, when known. */
  line: number | undefined;
}

export interface OperationCheckResult {
  /** Operations and fragments found, per app folder. */
  documents: number;
  problems: OperationProblem[];
}

/** Where codegen's client preset puts `graphql()`; documents are plucked from calls to it. */
const PLUCK_OPTIONS = {
  modules: [
    { name: '@/graphql/generated', identifier: 'graphql' },
    { name: '@/graphql/generated/gql', identifier: 'graphql' },
  ],
  globalGqlIdentifierName: ['graphql', 'gql'],
  skipIndent: true,
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'generated' || entry.name === 'node_modules') continue;
      sourceFiles(path, out);
    } else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

interface Plucked {
  file: string;
  definition: OperationDefinitionNode | FragmentDefinitionNode;
  /** Line of the document's first line in the file. */
  lineOffset: number;
  body: string;
}

const label = (definition: OperationDefinitionNode | FragmentDefinitionNode): string =>
  definition.kind === Kind.FRAGMENT_DEFINITION
    ? `fragment ${definition.name.value}`
    : `${definition.operation} ${definition.name?.value ?? '(anonymous)'}`;

function fragmentSpreads(definition: DefinitionNode): string[] {
  const names: string[] = [];
  visit(definition, { FragmentSpread: (node) => void names.push(node.name.value) });
  return names;
}

/** Checks the documents of each app folder (e.g. `<repo>/storefront`) against the API schema SDL. */
export function checkOperations(apiSdl: string, appDirs: readonly string[], base: string = process.cwd()): OperationCheckResult {
  const schema: GraphQLSchema = buildSchema(apiSdl);
  const problems: OperationProblem[] = [];
  let documents = 0;
  for (const appDir of appDirs) {
    const plucked: Plucked[] = [];
    for (const path of sourceFiles(join(appDir, 'src'))) {
      const file = relative(base, path) || path;
      const code = readFileSync(path, 'utf8');
      if (!code.includes('graphql(') && !code.includes('gql`')) continue;
      let sources: ReturnType<typeof gqlPluckFromCodeStringSync>;
      try {
        sources = gqlPluckFromCodeStringSync(path, code, PLUCK_OPTIONS);
      } catch (error) {
        problems.push({ file, operation: 'document', message: `cannot read the file: ${(error as Error).message}`, line: undefined });
        continue;
      }
      for (const source of sources) {
        const lineOffset = source.locationOffset.line;
        try {
          for (const definition of parse(source.body).definitions) {
            if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) {
              plucked.push({ file, definition, lineOffset, body: source.body });
            } else {
              problems.push({ file, operation: 'document', message: `unexpected ${definition.kind} in a client document`, line: lineOffset });
            }
          }
        } catch (error) {
          const line = error instanceof GraphQLError ? error.locations?.[0]?.line : undefined;
          problems.push({ file, operation: 'document', message: (error as Error).message, line: line === undefined ? lineOffset : lineOffset + line - 1 });
        }
      }
    }
    documents += plucked.length;

    const fragments = new Map<string, Plucked>();
    const operationNames = new Map<string, Plucked>();
    for (const item of plucked) {
      const { definition } = item;
      const name = definition.name?.value;
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const earlier = fragments.get(definition.name.value);
        if (earlier) {
          problems.push({ file: item.file, operation: label(definition), message: `fragment name also used in ${earlier.file}`, line: item.lineOffset });
        }
        fragments.set(definition.name.value, item);
        continue;
      }
      if (!name) {
        problems.push({ file: item.file, operation: label(definition), message: 'every operation needs a name (it names the manifest entry and the traces)', line: item.lineOffset });
      } else if (operationNames.has(name)) {
        problems.push({ file: item.file, operation: label(definition), message: `operation name also used in ${operationNames.get(name)?.file}`, line: item.lineOffset });
      } else {
        operationNames.set(name, item);
      }
    }

    /** The definition plus every fragment it uses, transitively. */
    const withFragments = (item: Plucked): { definitions: DefinitionNode[]; missing: string[] } => {
      const definitions: DefinitionNode[] = [item.definition];
      const seen = new Set<string>();
      const missing: string[] = [];
      const queue = fragmentSpreads(item.definition);
      while (queue.length > 0) {
        const name = queue.shift() as string;
        if (seen.has(name)) continue;
        seen.add(name);
        const fragment = fragments.get(name);
        if (!fragment) {
          missing.push(name);
          continue;
        }
        if (fragment !== item) definitions.push(fragment.definition);
        queue.push(...fragmentSpreads(fragment.definition));
      }
      return { definitions, missing };
    };

    const rules = specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule);
    for (const item of plucked) {
      const { definitions, missing } = withFragments(item);
      for (const name of missing) {
        problems.push({ file: item.file, operation: label(item.definition), message: `Unknown fragment "${name}".`, line: item.lineOffset });
      }
      if (missing.length > 0) continue;
      const errors = validate(schema, { kind: Kind.DOCUMENT, definitions }, rules);
      for (const error of errors) {
        // Only errors located in this definition: a broken fragment is reported once, in its own file.
        if (error.nodes?.length && !error.nodes.some((node) => node.loc?.source.body === item.body)) continue;
        const line = error.locations?.[0]?.line;
        problems.push({
          file: item.file,
          operation: label(item.definition),
          message: error.message,
          line: line === undefined ? item.lineOffset : item.lineOffset + line - 1,
        });
      }
    }
  }
  return { documents, problems };
}

export function formatOperationProblems(problems: readonly OperationProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.operation}: ${p.message}${p.line !== undefined ? ` (line ${p.line})` : ''}`).join('\n');
}
