/**
 * Config gives commands as argv templates (`["dbmate", "rollback", "--to={previous_version}"]`).
 * Values are checked against a strict pattern before substitution: there is no shell to inject
 * into, but a value starting with "-" could still smuggle an option, and a path could escape.
 */
import { UserFacingError } from './errors.ts';

/** A migration version, a tag, a database name: letters and digits first, then a few separators. */
export const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/g;

export function renderArgv(
  template: readonly string[],
  values: Record<string, string | null | undefined>,
  configKey: string,
): string[] {
  if (template.length === 0) {
    throw new UserFacingError(
      'config_invalid',
      `${configKey} is empty: give the command as a list, like ["dbmate", "rollback"]`,
    );
  }
  return template.map((part, index) =>
    part.replace(PLACEHOLDER, (_match, name: string) => {
      if (index === 0) {
        throw new UserFacingError(
          'config_invalid',
          `${configKey}[0] must be the program itself, not a placeholder ({${name}})`,
        );
      }
      if (!Object.hasOwn(values, name)) {
        const known = Object.keys(values)
          .map((k) => `{${k}}`)
          .join(', ');
        throw new UserFacingError(
          'config_invalid',
          `${configKey} uses {${name}}, which is not a known placeholder: use ${known}`,
        );
      }
      const value = values[name];
      if (value === null || value === undefined) {
        throw new UserFacingError(
          'prerequisite_unmet',
          `${configKey} needs {${name}}, but there is no value for it here: revert by hand or remove {${name}} from the command`,
        );
      }
      if (!SAFE_VALUE.test(value)) {
        const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
        throw new UserFacingError(
          'invalid_input',
          `refusing to run ${configKey}: {${name}} would be ${shown}, which is not a plain version or name (letters, digits, ".", "_", "+", "-", starting with a letter or digit)`,
        );
      }
      return value;
    }),
  );
}
