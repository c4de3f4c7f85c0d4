/**
 * npm run schema:compose — composes supergraph.yaml offline and writes
 * schema/supergraph.graphql (for the router) and schema/api.graphql (what clients see).
 */
import { relative } from 'node:path';
import { cliOptions } from './cli.ts';
import { composeSupergraph, formatCompositionErrors, writeComposed } from './lib.ts';

const options = cliOptions();
const result = composeSupergraph(options.configPath);
if (!result.ok) {
  console.error(formatCompositionErrors(result.errors));
  process.exit(1);
}
const files = writeComposed(options.schemaDir, result);
for (const hint of result.hints) console.warn(`hint: ${hint.replace(/\n/g, '\n      ')}`);
console.log(`✓ composed ${relative(process.cwd(), options.configPath)} → ${relative(process.cwd(), files.supergraph)}, ${relative(process.cwd(), files.api)}`);
