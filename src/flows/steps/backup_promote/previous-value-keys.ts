/**
 * Where promotion keeps the connection string it replaces: `<key>.previous` in the same Secret,
 * then `<key>.previous.2`, `.3`, … for later promotions. Never overwritten: after a second
 * promotion (a restore promoted, then another), `<key>.previous` still holds the URL from before the
 * first one — usually the original production database, the one an SRE most needs to find. A
 * refusal would instead block the promotion mid-incident until someone edits the Secret by hand.
 */
import { UserFacingError } from '../../../domain/errors.ts';
import type { SecretStore } from './secret-store.ts';

/** Far more than any Secret should see; past it something is looping and a person should look. */
const MAX_SLOTS = 50;

export function previousValueKey(key: string, n = 1): string {
  return n === 1 ? `${key}.previous` : `${key}.previous.${n}`;
}

/** The kept values, oldest first (values stay in memory: they are secrets). */
export async function readPreviousValues(
  secrets: SecretStore,
  secret: string,
  key: string,
): Promise<{ key: string; value: string }[]> {
  const kept: { key: string; value: string }[] = [];
  for (let n = 1; n <= MAX_SLOTS; n += 1) {
    const slot = previousValueKey(key, n);
    const value = await secrets.readKey(secret, slot);
    if (value === null) break;
    kept.push({ key: slot, value });
  }
  return kept;
}

/**
 * The slot `value` goes to: the newest one when it already holds it (a retried promotion after a
 * crash between recording and swapping), else the first free one.
 */
export async function previousValueSlot(
  secrets: SecretStore,
  secret: string,
  key: string,
  value: string,
): Promise<{ key: string; kept: boolean }> {
  const kept = await readPreviousValues(secrets, secret, key);
  const newest = kept.at(-1);
  if (newest?.value === value) return { key: newest.key, kept: true };
  if (kept.length >= MAX_SLOTS) {
    throw new UserFacingError(
      'conflict',
      `Secret ${secret} already keeps ${MAX_SLOTS} previous values of ${key}: ` +
        'remove the ones no longer needed, then Retry',
    );
  }
  return { key: previousValueKey(key, kept.length + 1), kept: false };
}

/** Records `value` in its slot (once); returns the slot's key. */
export async function keepPreviousValue(
  secrets: SecretStore,
  secret: string,
  key: string,
  value: string,
): Promise<string> {
  const slot = await previousValueSlot(secrets, secret, key, value);
  if (!slot.kept) await secrets.writeKey(secret, slot.key, value);
  return slot.key;
}
