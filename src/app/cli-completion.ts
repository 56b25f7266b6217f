/**
 * `rollback-commander completion bash|zsh`: shell completion for the commands and, after
 * `<incident>`, the step ids. Generated from the command tree so a new command is never missed.
 */
import { STEP_IDS } from '../domain/steps.ts';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** Commands whose second argument is a step id: `run <incident> <step>` and the like. */
export const STEP_COMMANDS = ['run', 'approve', 'confirm', 'skip', 'abort'] as const;

export function completionScript(shell: Shell, commands: readonly string[]): string {
  const cmds = commands.join(' ');
  const steps = STEP_IDS.join(' ');
  const stepCmds = STEP_COMMANDS.join('|');
  if (shell === 'bash') {
    return `# bash completion for rollback-commander: source <(rollback-commander completion bash)
_rollback_commander() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${cmds}" -- "$cur") )
  elif [ "$COMP_CWORD" -eq 3 ]; then
    case \${COMP_WORDS[1]} in ${stepCmds}) COMPREPLY=( $(compgen -W "${steps}" -- "$cur") ) ;; esac
  elif [ "$COMP_CWORD" -eq 2 ] && [ "\${COMP_WORDS[1]}" = completion ]; then
    COMPREPLY=( $(compgen -W "${SHELLS.join(' ')}" -- "$cur") )
  fi
}
complete -F _rollback_commander rollback-commander
`;
  }
  return `#compdef rollback-commander
# zsh completion for rollback-commander: source <(rollback-commander completion zsh)
_rollback_commander() {
  if (( CURRENT == 2 )); then
    compadd -- ${cmds}
  elif (( CURRENT == 4 )); then
    case \${words[2]} in ${stepCmds}) compadd -- ${steps} ;; esac
  elif (( CURRENT == 3 )) && [[ \${words[2]} == completion ]]; then
    compadd -- ${SHELLS.join(' ')}
  fi
}
compdef _rollback_commander rollback-commander
`;
}
