import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ROUTER_PORT } from '@commerce/config';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deployDir, readSupergraph, renderDeployFiles, supergraphPath } from './deploy.js';

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  command?: string[] | string;
}

const compose = parse(readFileSync(join(deployDir(), 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
const subgraphs = existsSync(supergraphPath()) ? readSupergraph() : [];

describe('deploy/ matches supergraph.yaml', () => {
  it('finds subgraphs in supergraph.yaml', () => {
    expect(existsSync(supergraphPath()), `${supergraphPath()} is missing`).toBe(true);
    expect(subgraphs.length).toBeGreaterThan(0);
  });

  it.each(subgraphs.map((s) => [s.name, s] as const))('compose runs subgraph %s on its routing_url port with its environment', (name, subgraph) => {
    const service = compose.services[name];
    expect(service, `no compose service "${name}"`).toBeDefined();
    expect(service?.build?.dockerfile).toBe('deploy/Dockerfile');
    expect(service?.build?.args?.SERVICE).toBe(`subgraphs/${name}`);
    const env = service?.environment ?? {};
    const p = subgraph.envPrefix;
    expect(env[`${p}_PORT`]).toBe(String(subgraph.port));
    expect(service?.expose).toContain(String(subgraph.port));
    expect(env[`${p}_DATABASE_URL`]).toMatch(new RegExp(`^postgresql://.+@postgres:5432/ecommerce_${name}$`));
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.APP_ENV).toBe('production');
    expect(env.JWT_PUBLIC_KEY).toMatch(/^\$\{JWT_PUBLIC_KEY/);
  });

  it('compose runs the router on 4000 with every subgraph URL', () => {
    const router = compose.services.router;
    expect(router?.build?.args?.SERVICE).toBe('router');
    expect(router?.ports).toContain(`${DEFAULT_ROUTER_PORT}:${DEFAULT_ROUTER_PORT}`);
    const env = router?.environment ?? {};
    expect(env.ROUTER_PORT).toBe(String(DEFAULT_ROUTER_PORT));
    for (const subgraph of subgraphs) {
      // The router reaches the subgraph container by service name, on the port it listens on.
      expect(env[`${subgraph.envPrefix}_URL`]).toBe(`http://${subgraph.name}:${subgraph.port}/graphql`);
    }
  });

  it('compose provides PostgreSQL, Redis and a KRaft Kafka 3.9 that gets every topic', () => {
    expect(compose.services.postgres?.image).toBe('postgres:15');
    expect(compose.services.redis?.image).toBe('redis:7');
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    // Topics come from ALL_TOPICS at run time, through the same code as local development.
    const topicsJob = compose.services['kafka-topics'];
    expect(topicsJob?.build?.args?.SERVICE).toBe('packages/infra');
    expect(topicsJob?.command).toEqual(['npx', '--no-install', 'tsx', 'packages/infra/src/cli.ts', 'topics']);
    expect(topicsJob?.environment?.KAFKA_BROKERS).toBe('kafka:9092');
    const init = readFileSync(join(deployDir(), 'postgres', 'init-databases.sql'), 'utf8');
    for (const subgraph of subgraphs) expect(init).toContain(`CREATE DATABASE ecommerce_${subgraph.name};`);
  });

  it.each(subgraphs.map((s) => [s.name, s] as const))('k8s base has a Deployment, Service, autoscaler and disruption budget for %s on its port', (name, subgraph) => {
    const docs = parseAllDocuments(readFileSync(join(deployDir(), 'k8s', 'base', `${name}.yaml`), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']);
    expect(JSON.stringify(docs[0])).toContain(`"containerPort":${subgraph.port}`);
    expect(JSON.stringify(docs[1])).toContain(`"port":${subgraph.port}`);
  });

  it('committed deploy files are what the generator renders (run `npx tsx packages/infra/src/cli.ts deploy`)', () => {
    for (const [relative, content] of renderDeployFiles(subgraphs)) {
      expect(readFileSync(join(deployDir(), relative), 'utf8'), `deploy/${relative} is stale`).toBe(content);
    }
  });
});
