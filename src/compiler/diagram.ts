/**
 * The state chart of a definition as Mermaid text (`stateDiagram-v2`): nested states, one arrow
 * per event and target, `[*]` for initial and final states. Paste it into any Mermaid viewer.
 */
import type { ProcessDefinition, StateDefinition } from '../definitions/definition.types';

/** Mermaid-safe label text (colons and quotes would end the label). */
function label(text: string): string {
  return text
    .replace(/[:;"#]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function toMermaid(def: ProcessDefinition): string {
  const lines: string[] = ['stateDiagram-v2'];
  const edges: string[] = [];

  const writeLevel = (names: readonly string[], initial: string | undefined, indent: string) => {
    if (initial) lines.push(`${indent}[*] --> ${initial}`);
    for (const name of names) writeState(def.states[name], indent);
  };

  const writeState = (state: StateDefinition, indent: string) => {
    if (state.title) lines.push(`${indent}state "${label(state.title)}" as ${state.name}`);
    if (state.kind === 'compound') {
      lines.push(`${indent}state ${state.name} {`);
      writeLevel(state.children, state.initial, indent + '  ');
      lines.push(`${indent}}`);
    }
    if (state.kind === 'final') lines.push(`${indent}${state.name} --> [*]`);
    for (const event of Object.values(state.on)) {
      const targets = new Set(event.branches.map((b) => b.target).filter((t): t is string => t !== undefined));
      const text = event.title ? `${event.type} (${label(event.title)})` : event.type;
      for (const target of targets) edges.push(`  ${state.name} --> ${target} : ${text}`);
    }
  };

  writeLevel(def.topStates, def.initial, '  ');
  return [...lines, ...edges].join('\n') + '\n';
}
