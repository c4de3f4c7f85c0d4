/**
 * npm run schema:check (CI) — fails on composition errors, on committed schema
 * files that drifted from the subgraph schemas, and on unacknowledged breaking
 * changes to the API against schema/api.baseline.graphql.
 */
import { cliOptions } from './cli.ts';
import { checkSchema, formatCheckReport } from './lib.ts';

const report = await checkSchema(cliOptions());
const text = formatCheckReport(report);
if (report.ok) console.log(text);
else console.error(text);
process.exit(report.ok ? 0 : 1);
