/**
 * A second PostgreSQL cluster that really requires a password (scram-sha-256 for every TCP
 * connection), for proving the restore passes it only through PGPASSWORD. The machine's default
 * cluster trusts local connections, so a password leak there would go unnoticed.
 *
 * Created once with `pg_createcluster <version> rcpw` (cached across runs: later runs only start
 * it), listening on 127.0.0.1 from port 5439 up. Each call sets a fresh random password for the
 * role over the local socket (peer auth, password on stdin — never in argv).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DEFAULT_CLUSTER = 'rcpw';
export const PASSWORD_ROLE = 'rcpw_app';
const HBA = [
  '# Written by test/support/password-cluster.ts: TCP connections must send a password.',
  'local   all   postgres                 peer',
  'host    all   all        127.0.0.1/32  scram-sha-256',
  'host    all   all        ::1/128       scram-sha-256',
  '',
].join('\n');

export interface PasswordCluster {
  /** The server's major version: backends show up in ps as "postgres: <version>/rcpw: …". */
  version: number;
  port: number;
  password: string;
  /** postgres://rcpw_app:<password>@127.0.0.1:<port>/postgres (password URL-encoded). */
  url: string;
  urlWithoutPassword: string;
}

interface ClusterInfo {
  cluster: string;
  version: number;
  port: string;
  running: number;
  configdir: string;
}

export interface ClusterOptions {
  /** Another cluster than rcpw, for settings the password test's cluster should not have. */
  name?: string;
  /** Server settings applied with ALTER SYSTEM and a reload (SIGHUP-level settings only). */
  settings?: Record<string, string>;
}

export async function ensurePasswordCluster(options: ClusterOptions = {}): Promise<PasswordCluster> {
  requireTools();
  const cluster = options.name ?? DEFAULT_CLUSTER;
  let info = (await listClusters()).find((c) => c.cluster === cluster);
  if (!info) {
    const version = newestServerVersion();
    const port = await freePort((await listClusters()).map((c) => Number(c.port)));
    await run('pg_createcluster', [
      String(version),
      cluster,
      '--port',
      String(port),
      '--start-conf',
      'manual',
      '--',
      '--auth-host=scram-sha-256',
      '--auth-local=peer',
    ]);
    info = (await listClusters()).find((c) => c.cluster === cluster) as ClusterInfo;
  }
  const hbaPath = `${info.configdir}/pg_hba.conf`;
  const hbaChanged = readFileSync(hbaPath, 'utf8') !== HBA;
  if (hbaChanged) writeFileSync(hbaPath, HBA);
  if (!info.running) {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', String(info.version), cluster, 'start']);
  } else if (hbaChanged) {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', String(info.version), cluster, 'reload']);
  }
  const port = Number(info.port);
  // Characters that must be URL-encoded, so the encoded form is exercised too.
  const password = `pw/${randomBytes(9).toString('hex')}:@%`;
  await psqlAsPostgres(port, setPasswordSql(password));
  const settings = Object.entries(options.settings ?? {});
  if (settings.length) {
    const sql = settings.map(([key, value]) => `alter system set ${key} = '${value.replace(/'/g, "''")}';`);
    await psqlAsPostgres(port, [...sql, 'select pg_reload_conf();'].join('\n'));
  }
  const user = PASSWORD_ROLE;
  return {
    version: info.version,
    port,
    password,
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    urlWithoutPassword: `postgres://${user}@127.0.0.1:${port}/postgres`,
  };
}

function requireTools(): void {
  const path = (process.env.PATH ?? '').split(':');
  const missing = ['pg_createcluster', 'pg_ctlcluster', 'pg_lsclusters', 'psql', 'runuser'].filter(
    (tool) => !path.some((dir) => existsSync(`${dir}/${tool}`)),
  );
  if (missing.length) {
    throw new Error(
      `the password test needs a second PostgreSQL cluster, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed: ` +
        `install them with 'apt-get install postgresql postgresql-common postgresql-client util-linux' (Debian/Ubuntu) and run the tests again`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the password test creates a PostgreSQL cluster with pg_createcluster, which needs root: run the tests as root (as in the CI container)',
    );
  }
}

async function listClusters(): Promise<ClusterInfo[]> {
  const { stdout } = await run('pg_lsclusters', ['--json']);
  return JSON.parse(stdout) as ClusterInfo[];
}

function newestServerVersion(): number {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))
    .map(Number)
    .sort((a, b) => b - a);
  if (!versions[0])
    throw new Error(
      "no PostgreSQL server is installed (no /usr/lib/postgresql/<version>/bin/initdb): install it with 'apt-get install postgresql'",
    );
  return versions[0];
}

async function freePort(taken: number[]): Promise<number> {
  for (let port = 5439; port < 5500; port += 1) {
    if (taken.includes(port)) continue;
    const inUse = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (!inUse) return port;
  }
  throw new Error('no free port between 5439 and 5499 for the password test cluster');
}

function setPasswordSql(password: string): string {
  const literal = `'${password.replace(/'/g, "''")}'`;
  return [
    `do $$ begin if not exists (select from pg_roles where rolname = '${PASSWORD_ROLE}') then create role ${PASSWORD_ROLE} login createdb; end if; end $$;`,
    `alter role ${PASSWORD_ROLE} password ${literal};`,
  ].join('\n');
}

/** Runs SQL as the postgres superuser over the local socket, the SQL on stdin. */
function psqlAsPostgres(port: number, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        'psql',
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        '/var/run/postgresql',
        '-p',
        String(port),
        '-d',
        'postgres',
      ],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`psql on the password cluster exited ${code}: ${stderr.trim()}`)),
    );
    child.stdin.end(sql);
  });
}
