/**
 * Who else writes a Secret. A Secret synced by External Secrets, unsealed by Sealed Secrets or
 * applied by Argo CD / Flux is put back by its controller on the next sync, silently undoing a
 * promotion's swap, so the promote plan names the controller. Read from ownerReferences and from
 * the labels and annotations those tools put on what they manage.
 */

export interface SecretMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; apiVersion?: string }[];
}

const OWNER_KINDS: Record<string, string> = {
  ExternalSecret: 'External Secrets',
  ClusterExternalSecret: 'External Secrets',
  SealedSecret: 'Sealed Secrets',
};

// Label/annotation key prefixes each tool writes on the objects it manages.
const MARKS: [prefix: string, tool: string][] = [
  ['external-secrets.io/', 'External Secrets'],
  ['reconcile.external-secrets.io/', 'External Secrets'],
  ['sealedsecrets.bitnami.com/', 'Sealed Secrets'],
  ['argocd.argoproj.io/', 'Argo CD'],
  ['kustomize.toolkit.fluxcd.io/', 'Flux'],
  ['helm.toolkit.fluxcd.io/', 'Flux'],
];

/** One line per controller found, with the evidence: "External Secrets (owned by ExternalSecret app-db)". */
export function describeSecretManagers(metadata: SecretMetadata): string[] {
  const found = new Map<string, string>();
  for (const owner of metadata.ownerReferences ?? []) {
    const tool = OWNER_KINDS[owner.kind];
    if (tool && !found.has(tool)) found.set(tool, `owned by ${owner.kind} ${owner.name}`);
  }
  const marks = [
    ...Object.keys(metadata.annotations ?? {}).map((k) => ['annotation', k] as const),
    ...Object.keys(metadata.labels ?? {}).map((k) => ['label', k] as const),
  ];
  for (const [where, name] of marks) {
    const tool = MARKS.find(([prefix]) => name.startsWith(prefix))?.[1];
    if (tool && !found.has(tool)) found.set(tool, `${where} ${name}`);
  }
  return [...found].map(([tool, evidence]) => `${tool} (${evidence})`);
}
