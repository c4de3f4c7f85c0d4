/**
 * deploy/prometheus and deploy/grafana against the code: promtool accepts the
 * scrape config and the alert rules and passes the rules' unit tests, and
 * every series an alert or a dashboard panel reads (metric and label names)
 * is one the router and the subgraphs register (@commerce/metrics), so a
 * renamed metric cannot leave a dashboard silently empty.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ensurePrometheus } from '../../packages/infra/src/prometheus.ts';
import { metricsRegistry } from '../../packages/metrics/src/index.ts';
import { domainMetrics } from '../../packages/metrics/src/collectors.ts';
import { graphqlRequestMetrics } from '../../packages/metrics/src/graphql.ts';
import { ORDER_SAGA_GAUGES } from '../../subgraphs/orders/src/metrics.ts';
import '../../router/src/metrics.ts';

const deployDir = new URL('../../deploy/', import.meta.url).pathname;
const prometheusDir = join(deployDir, 'prometheus');
const dashboardsDir = join(deployDir, 'grafana', 'dashboards');

/** Labels Prometheus adds to every scraped series (target labels from deploy/prometheus). */
const TARGET_LABELS = new Set(['job', 'instance', 'subgraph', 'namespace', 'pod']);
/** PromQL words that look like identifiers but name no series. */
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

interface Series {
  labels: Set<string>;
}

/** Every series name the code registers, with its label names (histograms: _bucket with le, _sum, _count). */
function registeredSeries(): Map<string, Series> {
  graphqlRequestMetrics('catalog');
  // Registers the collectors' gauges; nothing connects until a scrape, and none happens here.
  const collectors = domainMetrics({
    domain: 'orders',
    databaseUrl: 'postgresql://nobody@127.0.0.1:1/none',
    consumerGroups: ['orders'],
    sqlGauges: ORDER_SAGA_GAUGES,
  });
  void collectors.close();
  const series = new Map<string, Series>();
  for (const metric of metricsRegistry().getMetricsAsArray() as unknown as { name: string; labelNames?: string[]; type?: string }[]) {
    const labels = new Set(metric.labelNames ?? []);
    // Default metrics with labels they set themselves.
    if (metric.name.startsWith('nodejs_gc_duration')) labels.add('kind');
    if (metric.type === 'histogram') {
      series.set(`${metric.name}_bucket`, { labels: new Set([...labels, 'le']) });
      series.set(`${metric.name}_sum`, { labels });
      series.set(`${metric.name}_count`, { labels });
    } else series.set(metric.name, { labels });
  }
  return series;
}

interface Reference {
  metric: string;
  labels: string[];
}

/** The series an expression selects (metric and matcher label names) and the labels it groups by. */
function references(expr: string): { selectors: Reference[]; grouping: string[] } {
  const grouping: string[] = [];
  let rest = expr.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_all, _word, list: string) => {
    grouping.push(...list.split(',').map((label) => label.trim()).filter(Boolean));
    return ' ';
  });
  const selectors: Reference[] = [];
  // name{matchers}: the matchers' label names, before strings are dropped.
  rest = rest.replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g, (_all, metric: string, matchers: string) => {
    const labels = [...matchers.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1] as string);
    selectors.push({ metric, labels });
    return ' ';
  });
  rest = rest.replace(/"(?:[^"\\]|\\.)*"/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  for (const match of rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, word, call] = match as unknown as [string, string, string | undefined];
    if (call || PROMQL_WORDS.has(word.toLowerCase()) || /^\d/.test(word)) continue;
    // Durations and numbers such as 5m, 1e3 are not identifiers at a word start.
    const before = rest[(match.index ?? 0) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    selectors.push({ metric: word, labels: [] });
  }
  return { selectors, grouping };
}

/** Problems with an expression: unknown series, or labels that no selected series has. */
function problems(expr: string, series: Map<string, Series>): string[] {
  const found: string[] = [];
  const { selectors, grouping } = references(expr);
  if (selectors.length === 0) found.push(`no series in ${expr}`);
  const available = new Set(TARGET_LABELS);
  for (const { metric, labels } of selectors) {
    const known = series.get(metric);
    if (!known) {
      found.push(`unknown series ${metric}`);
      continue;
    }
    for (const label of known.labels) available.add(label);
    for (const label of labels) if (!known.labels.has(label) && !TARGET_LABELS.has(label)) found.push(`${metric} has no label ${label}`);
  }
  for (const label of grouping) if (!available.has(label)) found.push(`grouping by unknown label ${label} in ${expr}`);
  return found;
}

describe('Prometheus config and alert rules', () => {
  let promtool: string;
  beforeAll(async () => {
    ({ promtool } = await ensurePrometheus());
  }, 300_000);

  it('promtool accepts the scrape config with its rule files', () => {
    const out = execFileSync(promtool, ['check', 'config', join(prometheusDir, 'prometheus.yml')], { encoding: 'utf8' });
    expect(out).toContain('is valid prometheus config file syntax');
  });

  it('promtool accepts the alert rules, and their unit tests pass', () => {
    expect(execFileSync(promtool, ['check', 'rules', join(prometheusDir, 'alerts.yml')], { encoding: 'utf8' })).toMatch(/SUCCESS: \d+ rules found/);
    expect(execFileSync(promtool, ['test', 'rules', join(prometheusDir, 'alerts.test.yml')], { encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('alerts on what the issue asks for, each on series the code registers', () => {
    const series = registeredSeries();
    const rules = (parse(readFileSync(join(prometheusDir, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['GraphQLErrorRateHigh', 'LatencyP99High', 'KafkaConsumerLagHigh', 'OutboxNotPublishing', 'DeadLetterNotEmpty', 'SagaStuck', 'SubscriptionsDropping']),
    );
    for (const rule of rules) expect(problems(rule.expr, series), rule.alert).toEqual([]);
  });

  it('the router and every subgraph Deployment carry the annotations that job keeps, on a port the pod exposes', () => {
    const baseDir = join(deployDir, 'k8s', 'base');
    const annotated: string[] = [];
    for (const file of readdirSync(baseDir).filter((name) => name.endsWith('.yaml'))) {
      for (const document of parseAllDocuments(readFileSync(join(baseDir, file), 'utf8'))) {
        const object = document.toJS() as {
          kind?: string;
          metadata?: { name: string };
          spec?: { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { ports?: { containerPort: number }[] }[] } } };
        } | null;
        if (object?.kind !== 'Deployment' || !object.spec || !object.metadata) continue;
        const annotations = object.spec.template.metadata.annotations ?? {};
        if (annotations['prometheus.io/scrape'] !== 'true') continue;
        annotated.push(object.metadata.name);
        const ports = object.spec.template.spec.containers.flatMap((c) => c.ports ?? []).map((p) => String(p.containerPort));
        expect(ports, object.metadata.name).toContain(annotations['prometheus.io/port']);
        expect(annotations['prometheus.io/path']).toBe('/metrics');
      }
    }
    expect(annotated.sort()).toEqual(['cart', 'catalog', 'inventory', 'notifications', 'orders', 'payments', 'router', 'search', 'users']);
  });

  it('the Kubernetes scrape job is YAML with the annotations it documents', () => {
    const job = (parse(readFileSync(join(prometheusDir, 'kubernetes-scrape.yml'), 'utf8')) as { scrape_configs: { job_name: string; relabel_configs: { source_labels?: string[] }[] }[] }).scrape_configs[0];
    expect(job?.job_name).toBe('kubernetes-pods');
    expect(JSON.stringify(job?.relabel_configs)).toContain('__meta_kubernetes_pod_annotation_prometheus_io_scrape');
  });
});

describe('Grafana dashboards', () => {
  const files = readdirSync(dashboardsDir).filter((file) => file.endsWith('.json'));

  it('are the router, checkout saga, subgraphs and Kafka', () => {
    expect(files.sort()).toEqual(['checkout-saga.json', 'kafka.json', 'router.json', 'subgraphs.json']);
  });

  it.each(files)('%s: every panel queries series the code registers', (file) => {
    const series = registeredSeries();
    const dashboard = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as {
      uid: string;
      title: string;
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { name: string; query: string | { query: string } }[] };
    };
    expect(dashboard.uid).toMatch(/^commerce-/);
    expect(dashboard.panels.length).toBeGreaterThan(3);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        // Grafana's own variables are not PromQL.
        const promql = expr.replaceAll('$__rate_interval', '5m').replace(/\$[a-z_]+/g, 'x');
        expect(problems(promql, series), `${file} / ${panel.title}`).toEqual([]);
      }
    }
    for (const variable of dashboard.templating.list) {
      if (typeof variable.query !== 'object') continue;
      const inner = /label_values\((.*),\s*([a-zA-Z_]+)\)$/.exec(variable.query.query);
      expect(inner, variable.name).not.toBeNull();
      const [, selector, label] = inner as unknown as [string, string, string];
      expect(problems(selector, series), variable.name).toEqual([]);
      const metric = references(selector).selectors[0]?.metric ?? '';
      expect(series.get(metric)?.labels.has(label), `${variable.name}: ${metric} has ${label}`).toBe(true);
    }
  });

  it('the checker itself catches a renamed metric and a wrong label', () => {
    const series = registeredSeries();
    expect(problems('sum(rate(http_server_requests_total[5m]))', series)).toEqual(['unknown series http_server_requests_total']);
    expect(problems('sum by (topic) (messaging_kafka_consumer_lag{group="x"})', series)).toEqual([
      'messaging_kafka_consumer_lag has no label group',
      'grouping by unknown label topic in sum by (topic) (messaging_kafka_consumer_lag{group="x"})',
    ]);
  });
});
