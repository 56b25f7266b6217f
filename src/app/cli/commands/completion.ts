import type { Command } from 'commander';
import { UserFacingError } from '../../../domain/errors.ts';
import { completionScript, SHELLS, type Shell } from '../../cli-completion.ts';
import type { CliContext } from '../context.ts';
import { examples } from '../options.ts';

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion <shell>')
    .description('print a shell completion script (commands and step ids)')
    .addHelpText(
      'after',
      examples(
        'completion bash > /etc/bash_completion.d/rollback-commander',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh variable in the example, not a template
        'completion zsh > "${fpath[1]}/_rollback-commander"',
      ),
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UserFacingError('invalid_input', `no completion for "${shell}": use one of ${SHELLS.join(', ')}`);
      }
      ctx.io.out(
        completionScript(
          shell as Shell,
          program.commands.map((c) => c.name()),
        ),
      );
    });
}
