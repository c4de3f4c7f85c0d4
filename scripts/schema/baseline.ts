/**
 * npm run schema:baseline — run when a release ships: the current API becomes
 * the baseline for breaking-change checks and the acknowledgements are cleared.
 */
import { cliOptions } from './cli.ts';
import { acceptBaseline } from './lib.ts';

const result = acceptBaseline(cliOptions());
if (!result.ok) {
  console.error(result.message);
  process.exit(1);
}
console.log(
  `✓ schema/api.baseline.graphql now matches schema/api.graphql` +
    (result.dropped > 0 ? `; cleared ${result.dropped} acknowledged breaking change(s) from schema/breaking-changes.yaml` : ''),
);
