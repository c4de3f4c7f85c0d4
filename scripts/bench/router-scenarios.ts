/**
 * bench:router's scenarios, and how one is run: every gateway target is
 * measured in every round, in alternating order, after its answers were
 * checked identical to the reference gateway's.
 */
import type { Child, Children } from './router-children.ts';
import { combine, type LoadOptions, type Measurement, measure } from './router-measure.ts';
import { type GatewayTarget, referenceKey } from './router-targets.ts';
import {
  CATALOG_ONLY_QUERY,
  checkSameAnswers,
  checkSignedIn,
  describeLight,
  describeListing,
  type GraphQLBody,
  LIGHT_QUERY,
  SIGNED_IN_QUERY,
  type Shopper,
  STOREFRONT_QUERY,
} from './router-workload.ts';

export type ScenarioKey = 'memory' | 'real' | 'signed-in' | 'light';

export interface Scenario {
  key: ScenarioKey;
  title: string;
  subgraphs: 'memory' | 'real';
  query: string;
  /** Each connection is a shopper with a bearer token of its own. */
  signedIn: boolean;
  /** Also measure the catalog subgraph alone, on the part of the page it answers by itself. */
  directQuery?: string;
  /** Fails unless the reference's answers are the work this scenario means; describes them. */
  describe(answers: GraphQLBody[], shoppers: Shopper[]): string;
  /** A paragraph for docs/benchmarks.md. */
  about: string;
}

export const scenarios: readonly Scenario[] = [
  {
    key: 'memory',
    title: 'Storefront listing, in-memory subgraphs (the gateways’ own cost)',
    subgraphs: 'memory',
    query: STOREFRONT_QUERY,
    signedIn: false,
    directQuery: CATALOG_ONLY_QUERY,
    describe: ([answer]) => describeListing(answer as GraphQLBody),
    about:
      'The real users and catalog schemas on the real subgraph server (subgraph-kit), answering from data recorded from the ' +
      'real subgraphs. The gateway is the bottleneck here, so this is where gateway overhead shows.',
  },
  {
    key: 'real',
    title: 'Storefront listing, real subgraphs on PostgreSQL (end to end)',
    subgraphs: 'real',
    query: STOREFRONT_QUERY,
    signedIn: false,
    directQuery: CATALOG_ONLY_QUERY,
    describe: ([answer]) => describeListing(answer as GraphQLBody),
    about: 'Dedicated databases ecommerce_users_bench and ecommerce_catalog_bench: 60 registered review authors, the demo catalog.',
  },
  {
    key: 'signed-in',
    title: 'Signed-in storefront listing, real subgraphs',
    subgraphs: 'real',
    query: SIGNED_IN_QUERY,
    signedIn: true,
    describe: (answers, shoppers) => {
      checkSignedIn(answers, shoppers);
      return `${describeListing(answers[0] as GraphQLBody)}, plus me { id name }; ${shoppers.length} shoppers, each connection with its own token`;
    },
    about:
      'The same listing plus `me { id name }`, each connection a different bench user signed in through the users ' +
      'subgraph’s `login` mutation and sending `Authorization: Bearer <token>`. Every gateway passes the token on, and ' +
      'the subgraphs verify it again.',
  },
  {
    key: 'light',
    title: 'Light query: the first 20 categories (one subgraph), real subgraphs',
    subgraphs: 'real',
    query: LIGHT_QUERY,
    signedIn: false,
    describe: ([answer]) => describeLight(answer as GraphQLBody),
    about: '`categories(first: 20) { id slug name }`: one fetch to catalog, one small statement.',
  },
];

/** The gateways of one set of subgraphs (real or in-memory). */
export interface GatewayStack {
  catalog: Child;
  /** Answers everyone else's are compared with; measured only if it is also among the targets. */
  reference: Child;
  measured: { target: GatewayTarget; child: Child }[];
}

export interface RoundOptions extends LoadOptions {
  rounds: number;
}

export interface TargetResult {
  target: GatewayTarget;
  combined: Measurement;
  runs: Measurement[];
}

export interface ScenarioResult {
  scenario: Scenario;
  /** What one answer holds. */
  answer: string;
  targets: TargetResult[];
  direct?: Measurement;
}

export interface ScenarioContext {
  children: Children;
  options: RoundOptions;
  /** Signed-in shoppers, for signed-in scenarios. */
  shoppers: Shopper[];
  log: (message: string) => void;
}

/** Checks every target's answers against the reference; returns the reference's description of them. */
async function checkAnswers(scenario: Scenario, stack: GatewayStack, shoppers: Shopper[]): Promise<string> {
  const others = stack.measured.filter(({ child }) => child !== stack.reference).map(({ target, child }) => ({ name: target.label, url: child.url }));
  const tokens = scenario.signedIn ? shoppers.map((shopper) => shopper.token) : [undefined];
  const answers = await checkSameAnswers(scenario.query, { name: referenceKey, url: stack.reference.url }, others, tokens);
  return scenario.describe(answers, shoppers);
}

/** Round order: as listed in even rounds, reversed in odd ones, so no target always runs first or last. */
function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

export async function runScenario(scenario: Scenario, stack: GatewayStack, context: ScenarioContext): Promise<ScenarioResult> {
  const { options, log } = context;
  const tokens = scenario.signedIn ? context.shoppers.map((shopper) => shopper.token) : undefined;
  const load = (url: string, query = scenario.query) => ({ url, query, ...(tokens ? { tokens } : {}) });
  let answer = '';
  let direct: Measurement | undefined;
  if (scenario.directQuery) {
    log(`${scenario.key}: catalog directly…`);
    direct = await measure('catalog directly', load(stack.catalog.url, scenario.directQuery), options, context.children, stack.catalog);
  }
  const runs = new Map<GatewayTarget, Measurement[]>(stack.measured.map(({ target }) => [target, []]));
  for (let round = 0; round < options.rounds; round++) {
    answer = await checkAnswers(scenario, stack, context.shoppers);
    for (const { target, child } of roundOrder(stack.measured, round)) {
      log(`${scenario.key}: round ${round + 1}/${options.rounds}, ${target.label}…`);
      // Warm each target up once per scenario; later rounds follow a measured run of it.
      const roundOptions = round === 0 ? options : { ...options, warmup: 0 };
      runs.get(target)?.push(await measure(target.label, load(child.url), roundOptions, context.children, child));
    }
  }
  return {
    scenario,
    answer,
    targets: [...runs].map(([target, measured]) => ({ target, combined: combine(measured), runs: measured })),
    ...(direct ? { direct } : {}),
  };
}
