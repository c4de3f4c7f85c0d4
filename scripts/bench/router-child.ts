/**
 * Entry point of the router benchmark's child processes:
 * `router-child.ts --role <role> --payload <json>` (started by router-children.ts).
 */
import { parseArgs } from 'node:util';
import type { Role, RolePayloads } from './router-protocol.ts';
import { runRole } from './router-roles.ts';

const { values } = parseArgs({ options: { role: { type: 'string' }, payload: { type: 'string' } } });
if (!values.role || values.payload === undefined) {
  console.error('usage: router-child.ts --role <role> --payload <json>');
  process.exit(2);
}
await runRole(values.role as Role, JSON.parse(values.payload) as RolePayloads[Role]);
