/**
 * `rollback-commander doctor`: the pre-incident checks of PRODUCT.md, each one line with what to
 * fix. Checks that need an adapter that is not configured say so instead of passing.
 */
import type { Container } from './container.ts';

interface Check {
  name: string;
  run(): Promise<string>;
}

export async function runDoctor(c: Container, out: (line: string) => void): Promise<boolean> {
  const checks: Check[] = [
    { name: 'bot database', run: async () => (await c.pool.query('select version()')).rows[0].version.split(' on ')[0] as string },
    { name: 'bot redis', run: async () => `PING → ${await c.redis.ping()}` },
    ...c.config.runbook.deployments.map((d) => ({
      name: `deployment ${d.name}`,
      run: async () => {
        const snap = await c.deployments.get(d.name);
        if (snap.paused) throw new Error(`paused: run kubectl rollout resume deploy/${d.name} -n ${snap.namespace}`);
        const image = snap.containers.find((x) => x.container === d.container)?.image;
        if (!image) throw new Error(`no container "${d.container}" (has ${snap.containers.map((x) => x.container).join(', ')})`);
        return `${snap.namespace}/${d.name} runs ${image}`;
      },
    })),
    {
      name: 'github',
      run: async () => {
        if (!c.sourceControl) throw new Error('GITHUB_TOKEN is not set');
        const results = await c.sourceControl.checkAccess();
        const bad = results.filter((r) => !r.ok);
        if (bad.length) throw new Error(bad.map((r) => `${r.check}: ${r.detail}`).join('; '));
        return results.map((r) => r.check).join(', ');
      },
    },
    {
      name: 'app redis (backlog)',
      run: async () => {
        if (!c.config.target.redisUrl) throw new Error(`${c.config.runbook.target.redis_url_env} is not set`);
        return 'configured';
      },
    },
  ];
  let ok = true;
  for (const check of checks) {
    try {
      out(`ok    ${check.name}: ${await check.run()}`);
    } catch (err) {
      ok = false;
      out(`FAIL  ${check.name}: ${(err as Error).message}`);
    }
  }
  return ok;
}
