import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as apps from 'kubernetes-models/apps/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(root, 'deploy/kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: a manifest is read as the YAML has it
  spec: any;
}

/** The validating model of each kind the manifests use, by `apiVersion/kind`. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Service': core.Service,
  'apps/v1/StatefulSet': apps.StatefulSet,
  'apps/v1/Deployment': apps.Deployment,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': keda.ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': keda.TriggerAuthentication,
};

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const manifests: Array<Manifest & { file: string }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
    expect(doc.errors, file).toEqual([]);
    return { ...(doc.toJS() as Manifest), file };
  }),
);
const named = (kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);

/** A container's `--flag=value` arguments. */
function flags(args: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const arg of args) {
    const match = /^--([\w-]+)=(.*)$/.exec(arg);
    if (match !== null) found.set(match[1]!, [...(found.get(match[1]!) ?? []), match[2]!]);
  }
  return found;
}

describe('the Kubernetes manifests in deploy/kubernetes', () => {
  it('are every file the kustomization lists, and valid objects of their kinds', () => {
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
    for (const manifest of manifests) {
      const key = `${manifest.apiVersion}/${manifest.kind}`;
      const Model = MODELS[key];
      expect(Model, `${manifest.file}: ${key}`).toBeDefined();
      const { file: _file, ...object } = manifest;
      expect(
        () => new Model!(object as never).validate(),
        `${manifest.file}: ${key}`,
      ).not.toThrow();
    }
  });

  it('name every coordinator member in --peers, at the address its headless service gives it', () => {
    const set = named('StatefulSet', 'dtf-coordinator')!;
    const peers = named('Service', set.spec.serviceName)!;
    expect(peers.spec.clusterIP).toBe('None');
    const container = set.spec.template.spec.containers[0];
    const port = container.ports[0].containerPort;
    const given = flags(container.args).get('peers')![0]!.split(',');
    expect(given).toEqual(
      Array.from(
        { length: set.spec.replicas },
        (_, i) =>
          `${set.metadata.name}-${i}=http://${set.metadata.name}-${i}.${peers.metadata.name}:${port}`,
      ),
    );
    expect(set.spec.replicas % 2).toBe(1);
  });

  it('take every key from the dtf-keys Secret docs/deploy.md creates', () => {
    const refs = JSON.stringify(manifests).match(/"secretKeyRef":\{[^}]*\}/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const { name, key } = JSON.parse(ref.slice('"secretKeyRef":'.length)) as Record<
        string,
        string
      >;
      expect(name).toBe('dtf-keys');
      expect(['admin-key', 'worker-token', 'cluster-token']).toContain(key);
    }
    const deploy = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
    for (const key of ['admin-key', 'worker-token', 'cluster-token']) {
      expect(deploy).toContain(`--from-literal=${key}=`);
    }
  });

  it("scale each pool on the queue of the workers it runs: its slots, its group's labels", () => {
    const scaled = manifests.filter((m) => m.kind === 'ScaledObject');
    expect(scaled.length).toBeGreaterThan(0);
    for (const object of scaled) {
      const target = named('Deployment', object.spec.scaleTargetRef.name);
      expect(target, object.metadata.name).toBeDefined();
      const args: string[] = target!.spec.template.spec.containers[0].args;
      const [trigger] = object.spec.triggers;
      expect(trigger.type).toBe('metrics-api');
      expect(named('TriggerAuthentication', trigger.authenticationRef.name)).toBeDefined();
      const url = new URL(trigger.metadata.url);
      expect(url.pathname).toBe('/api/queue');
      const given = flags(args);
      if (args[0] === 'worker') {
        const slots = given.get('slots')![0]!;
        expect(url.searchParams.get('worker')).toBe('node');
        expect(url.searchParams.get('slots')).toBe(slots);
        expect(trigger.metadata.targetValue).toBe(slots);
        expect(url.searchParams.get('labels') ?? '').toBe((given.get('label') ?? []).join(','));
      } else {
        expect(args[0]).toBe('pool');
        const [browser, count] = given.get('browser')![0]!.split('=');
        expect(url.searchParams.get('browser')).toBe(browser);
        expect(trigger.metadata.targetValue).toBe(count);
      }
      expect(object.spec.minReplicaCount).toBeLessThanOrEqual(object.spec.maxReplicaCount);
    }
  });

  it('use the images the Dockerfile builds', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const targets = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    const images = new Set(
      manifests.flatMap((m) =>
        (m.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image),
      ),
    );
    for (const image of images) expect(targets).toContain(image);
  });
});
