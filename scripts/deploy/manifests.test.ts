/**
 * deploy/k8s: every manifest, the base and both overlays as kustomize renders
 * them, is a valid Kubernetes object (kubernetes-models' schemas), and the
 * set is consistent: each Deployment probes /ready and /health over HTTP, has
 * measured requests, a termination period that covers its drain, a Service,
 * a HorizontalPodAutoscaler and a PodDisruptionBudget that select its pods.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_PROBES, PRE_STOP_SLEEP_SECONDS, readSupergraph, TERMINATION_GRACE_SECONDS } from '../../packages/infra/src/deploy.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type K8sObject, k8sDir, kubectlAvailable, kustomize, OVERLAYS, parseManifests, readBase, renderOverlay, validateObject } from './manifests.ts';

/** installSignalHandlers' hard exit (packages/subgraph-kit/src/server.ts, SignalHandlerOptions.timeoutMs). */
const SUBGRAPH_HARD_EXIT_SECONDS = 25;

interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path?: string; port?: string | number } };
  livenessProbe?: { httpGet?: { path?: string; port?: string | number } };
  startupProbe?: { httpGet?: { path?: string; port?: string | number } };
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } };
}

const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined => objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const mebibytes = (quantity: string): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`memory quantity ${quantity} is not in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

const subgraphs = readSupergraph().map((s) => s.name);
const expectedWorkloads = [...subgraphs, 'router', 'storefront', 'admin'].sort();
const probePaths = (name: string): { readiness: string; liveness: string } => {
  const app = APP_PROBES[name as keyof typeof APP_PROBES];
  return app ? { readiness: app.readinessPath, liveness: app.livenessPath } : { readiness: '/ready', liveness: '/health' };
};

/** The checks every rendering (base, dev, prod) must pass. */
function checkWorkloads(objects: K8sObject[]): void {
  for (const object of objects) validateObject(object);
  const deployments = byKind(objects, 'Deployment');
  expect(deployments.map((d) => d.metadata.name).sort()).toEqual(expectedWorkloads);
  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const spec = deployment.spec as { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
    const pod = spec.template;
    expect(spec.replicas, `${name}: replicas belong to the HorizontalPodAutoscaler`).toBeUndefined();
    expect(matches(spec.selector.matchLabels, pod.metadata.labels), `${name}: selector matches its pods`).toBe(true);
    expect(pod.spec.securityContext?.runAsNonRoot, `${name}: runs as non-root`).toBe(true);
    expect(pod.spec.containers).toHaveLength(1);
    const container = pod.spec.containers[0] as Container;
    const portNames = (container.ports ?? []).map((p) => p.name);
    expect(portNames).toContain('http');

    // Probes over HTTP on the named port, on the paths the process serves.
    const paths = probePaths(name);
    expect(container.readinessProbe?.httpGet, `${name}: readiness over HTTP`).toEqual({ path: paths.readiness, port: 'http' });
    expect(container.livenessProbe?.httpGet, `${name}: liveness over HTTP`).toEqual({ path: paths.liveness, port: 'http' });
    expect(container.startupProbe?.httpGet?.port).toBe('http');

    // Requests from the measured table; a memory limit above the request.
    const requests = container.resources?.requests;
    expect(requests?.cpu, `${name}: CPU request`).toMatch(/^\d+m$/);
    expect(mebibytes(container.resources?.limits?.memory ?? '0Mi')).toBeGreaterThanOrEqual(mebibytes(requests?.memory ?? '0Mi'));
    expect(mebibytes(requests?.memory ?? '0Mi')).toBeGreaterThanOrEqual(128);

    // preStop sleep, then SIGTERM and the drain: all of it inside the grace period.
    expect(container.lifecycle?.preStop?.exec?.command).toEqual(['sleep', String(PRE_STOP_SLEEP_SECONDS)]);
    expect(pod.spec.terminationGracePeriodSeconds, `${name}: grace period`).toBe(TERMINATION_GRACE_SECONDS);
    expect(TERMINATION_GRACE_SECONDS).toBeGreaterThan(PRE_STOP_SLEEP_SECONDS + SUBGRAPH_HARD_EXIT_SECONDS);

    const service = named(objects, 'Service', name);
    expect(service, `${name}: Service`).toBeDefined();
    const serviceSpec = service?.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
    expect(matches(serviceSpec.selector, pod.metadata.labels), `${name}: Service selects its pods`).toBe(true);
    for (const port of serviceSpec.ports) expect(portNames).toContain(port.targetPort);

    const hpa = named(objects, 'HorizontalPodAutoscaler', name);
    expect(hpa, `${name}: HorizontalPodAutoscaler`).toBeDefined();
    const hpaSpec = hpa?.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: unknown[] };
    expect(hpaSpec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name });
    expect(hpaSpec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpaSpec.maxReplicas).toBeGreaterThanOrEqual(hpaSpec.minReplicas);
    expect(hpaSpec.metrics.length).toBeGreaterThan(0);

    const pdb = named(objects, 'PodDisruptionBudget', name);
    expect(pdb, `${name}: PodDisruptionBudget`).toBeDefined();
    const pdbSpec = pdb?.spec as { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number };
    expect(matches(pdbSpec.selector.matchLabels, pod.metadata.labels), `${name}: PDB selects its pods`).toBe(true);
    expect(pdbSpec.maxUnavailable).toBe(1);
  }
  // Nothing dangling: every HPA and PDB belongs to a Deployment.
  for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']) {
    expect(byKind(objects, kind).map((o) => o.metadata.name).sort()).toEqual(expectedWorkloads);
  }
}

describe('deploy/k8s manifests against the Kubernetes object schemas', () => {
  it('validation is real: a malformed Deployment and a wrong-typed probe are refused', () => {
    const base = readBase();
    const deployment = structuredClone(named(base, 'Deployment', 'router')) as K8sObject;
    expect(() => validateObject(deployment)).not.toThrow();
    const broken = structuredClone(deployment) as { spec: { template: { spec: { containers: unknown } } } } & K8sObject;
    broken.spec.template.spec.containers = 'router';
    expect(() => validateObject(broken)).toThrow(/containers must be array/);
    const badProbe = structuredClone(deployment) as { spec: { template: { spec: { containers: { readinessProbe: unknown }[] } } } } & K8sObject;
    (badProbe.spec.template.spec.containers[0] as { readinessProbe: unknown }).readinessProbe = { httpGet: { path: '/ready' } };
    expect(() => validateObject(badProbe)).toThrow(/port/);
    expect(() => validateObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { maxReplicas: 'many' } })).toThrow();
  });

  it('base: every object valid, every workload probed, sized, scaled and protected', () => {
    checkWorkloads(readBase());
  });

  it('base: kustomize renders it to the same objects its files hold', { skip: !kubectlAvailable() }, () => {
    const rendered = kustomize(join(k8sDir(), 'base'));
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(readBase().map((o) => `${o.kind}/${o.metadata.name}`).sort());
  });

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    const dir = join(k8sDir(), 'overlays', overlay);
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
      namespace: string;
      resources: string[];
      patches: { path: string; target?: { kind?: string; name?: string } }[];
    };

    it('its files exist and each patch targets objects of the base', () => {
      const base = readBase();
      for (const resource of kustomization.resources) expect(existsSync(join(dir, resource)), resource).toBe(true);
      for (const patch of kustomization.patches) {
        const text = readFileSync(join(dir, patch.path), 'utf8');
        if (patch.target) {
          const ops = parse(text) as { op: string; path: string }[];
          expect(Array.isArray(ops) && ops.every((op) => ['add', 'replace', 'remove'].includes(op.op) && op.path.startsWith('/')), patch.path).toBe(true);
          const nameRe = patch.target.name ? new RegExp(`^(?:${patch.target.name})$`) : undefined;
          const targets = base.filter((o) => o.kind === patch.target?.kind && (!nameRe || nameRe.test(o.metadata.name)));
          expect(targets.length, `${patch.path} targets something`).toBeGreaterThan(0);
        } else {
          const [object] = parseManifests(text, patch.path);
          expect(object && named(base, object.kind, object.metadata.name), `${patch.path} patches a base object`).toBeTruthy();
        }
      }
    });

    it('rendered by kustomize: every object valid, every workload probed, sized, scaled and protected', { skip: !kubectlAvailable() }, () => {
      const objects = renderOverlay(overlay) ?? [];
      checkWorkloads(objects.filter((o) => o.kind !== 'Namespace'));
      for (const object of objects) validateObject(object);
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(kustomization.namespace);
      const hpa = (name: string) => named(objects, 'HorizontalPodAutoscaler', name)?.spec as { minReplicas: number; maxReplicas: number };
      const images = byKind(objects, 'Deployment').map((d) => ((d.spec as { template: PodTemplate }).template.spec.containers[0] as Container).image);
      if (overlay === 'dev') {
        for (const name of expectedWorkloads) expect(hpa(name)).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
        expect(named(objects, 'ConfigMap', 'commerce-config')?.data?.APP_ENV).toBe('development');
      } else {
        for (const name of ['router', 'storefront']) expect(hpa(name)).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
        expect(named(objects, 'ConfigMap', 'commerce-config')?.data?.APP_ENV).toBe('production');
        // A release pins its images: nothing runs ":latest" in production.
        for (const image of images) expect(image).toMatch(/:(?!latest$)[\w.-]+$/);
        for (const d of byKind(objects, 'Deployment')) {
          const pod = (d.spec as { template: PodTemplate & { spec: { topologySpreadConstraints?: { labelSelector: { matchLabels: Record<string, string> } }[] } } }).template;
          const spread = pod.spec.topologySpreadConstraints ?? [];
          expect(spread.length, `${d.metadata.name} spreads over zones and nodes`).toBe(2);
          for (const constraint of spread) expect(matches(constraint.labelSelector.matchLabels, pod.metadata.labels)).toBe(true);
        }
      }
    });
  });
});
