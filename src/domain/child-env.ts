/** The environment a configured command gets: only the variables its config names (pure, no I/O). */
import { UserFacingError } from './errors.ts';

/** PATH and the named variables from `source`; a name that is not set is a config error. */
export function childEnv(
  names: readonly string[],
  source: NodeJS.ProcessEnv,
  configKey: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (value === undefined) {
      throw new UserFacingError(
        'config_invalid',
        `${configKey} passes ${name} to the command, but ${name} is not set in the bot's environment: set it or remove it from the list`,
      );
    }
    env[name] = value;
  }
  return env;
}
