/**
 * When `npm start` runs drill mode instead of the bot (issue 9 §1): a fresh clone — no runbook
 * config given or found, and nothing set for Slack, GitHub or Kubernetes. Anything a real
 * deployment sets keeps today's behaviour, config errors included.
 */
const REAL_SETTINGS = [
  'ROLLBACK_CONFIG',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'GITHUB_TOKEN',
  'GITHUB_APP_ID',
  'GITHUB_APP_PRIVATE_KEY',
  'GITHUB_APP_PRIVATE_KEY_FILE',
  'KUBECONFIG',
  // Every pod has it: a bot deployed without its config must fail loudly, not rehearse quietly.
  'KUBERNETES_SERVICE_HOST',
] as const;

export function shouldStartDrill(
  env: NodeJS.ProcessEnv,
  args: readonly string[],
  configExists: (path: string) => boolean,
): boolean {
  if (args.includes('--config') || args.includes('-c')) return false;
  if (REAL_SETTINGS.some((name) => env[name])) return false;
  return !configExists('rollback.yml');
}
