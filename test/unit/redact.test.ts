import { describe, expect, it } from 'vitest';
import { redact } from '../../src/adapters/process/redact.ts';

describe('redact', () => {
  it('removes every given secret, also in its URL-encoded form', () => {
    const password = 'p@ss/w:rd!';
    const text = `PGPASSWORD=${password} url=postgres://app:${encodeURIComponent(password)}@db:5432/prod`;
    const out = redact(text, [password]);
    expect(out).toBe('PGPASSWORD=[redacted] url=postgres://app:[redacted]@db:5432/prod');
  });

  it('redacts the password of any URL with credentials, even one it was not told about', () => {
    expect(redact('pg_restore: connecting to postgresql://admin:hunter22@10.0.0.5/prod failed')).toBe(
      'pg_restore: connecting to postgresql://admin:[redacted]@10.0.0.5/prod failed',
    );
    expect(redact('redis://default:s3cret@cache:6379 and postgres://nopass@db/x')).toBe(
      'redis://default:[redacted]@cache:6379 and postgres://nopass@db/x',
    );
  });

  it('replaces a whole URL before the password inside it, and ignores values too short to be secrets', () => {
    const url = 'postgres://app:longpassword@db/prod';
    expect(redact(`DATABASE_URL=${url} sslmode on`, [url, 'longpassword', 'on'])).toBe(
      'DATABASE_URL=[redacted] sslmode on',
    );
  });
});
