/**
 * What start checks (FlowDeps.releases) for tests without a cluster: every configured Deployment
 * runs `running`, and the repo has exactly `tags`.
 */
import type { RunbookConfig } from '../../src/config/schema.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';

export function releasesRunning(
  config: RunbookConfig,
  running = 'v1.2.3',
  tags = ['v1.2.1', 'v1.2.2', 'v1.2.3'],
): FlowDeps['releases'] {
  const image = (name: string) =>
    `${config.deployments.find((d) => d.name === name)?.image ?? 'ghcr.io/x/y'}:${running}`;
  return {
    deployments: {
      async get(name) {
        const d = config.deployments.find((x) => x.name === name)!;
        return {
          namespace: 'prod',
          name,
          uid: name,
          generation: 1,
          observedGeneration: 1,
          paused: false,
          replicas: 2,
          containers: [{ container: d.container, image: image(name) }],
        };
      },
      async history() {
        return [];
      },
    },
    tags: { tagExists: async (tag) => tags.includes(tag) },
  };
}
