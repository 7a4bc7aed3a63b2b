import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';

/**
 * deploy/k8s/backchannel.yaml checked offline against the Kubernetes API schemas
 * (kubernetes-models: the OpenAPI schemas of the Kubernetes API, validated with ajv), plus
 * the parts that tie it to this app: the roles, the probes' routes, the Dockerfile's command.
 */
const root = join(__dirname, '..', '..', '..');
const docs = loadAll(readFileSync(join(root, 'deploy/k8s/backchannel.yaml'), 'utf8')) as any[];
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};
const byName = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);

describe('deploy/k8s/backchannel.yaml', () => {
  it('holds the five objects, each valid against the Kubernetes API schema', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Deployment/backchannel-api',
      'Service/backchannel-api',
      'HorizontalPodAutoscaler/backchannel-api',
      'Deployment/backchannel-worker',
      'HorizontalPodAutoscaler/backchannel-worker',
    ]);
    for (const d of docs) {
      const Model = MODELS[`${d.apiVersion}/${d.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(d).validate()).not.toThrow();
    }
  });

  it('rejects what the schema forbids (the check is real)', () => {
    const broken = structuredClone(byName('Deployment', 'backchannel-api'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort/);
  });

  it('runs one image in two roles, probes the API on its health routes, and selectors match', () => {
    const api = byName('Deployment', 'backchannel-api');
    const worker = byName('Deployment', 'backchannel-worker');
    const role = (d: any) => d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'APP_ROLES').value;
    expect([role(api), role(worker)]).toEqual(['api', 'worker']);
    expect(api.spec.template.spec.containers[0].image).toBe(worker.spec.template.spec.containers[0].image);
    const c = api.spec.template.spec.containers[0];
    // Readiness checks PostgreSQL, Redis and migrations; liveness only that the process answers.
    expect(c.readinessProbe.httpGet.path).toBe('/health');
    expect(c.livenessProbe.httpGet.path).toBe('/health/live');
    expect(c.ports.map((p: any) => p.name)).toContain(c.readinessProbe.httpGet.port);
    for (const d of [api, worker]) expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
    expect(byName('Service', 'backchannel-api').spec.selector).toEqual(api.spec.selector.matchLabels);
    for (const name of ['backchannel-api', 'backchannel-worker']) {
      expect(byName('HorizontalPodAutoscaler', name).spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    }
    // The app drains for at most 25 s after SIGTERM: the grace period must outlast it.
    for (const d of [api, worker]) expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(25);
  });

  it('the Dockerfile builds the entry point the package starts', () => {
    const dockerfile = readFileSync(join(root, 'deploy/Dockerfile'), 'utf8');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)![1]) as string[];
    expect(pkg.scripts.start).toContain(cmd.slice(1).join(' '));
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
  });
});
