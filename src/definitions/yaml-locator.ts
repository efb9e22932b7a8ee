/**
 * Maps a path into the parsed YAML document (`['states', 'open', 'on']`) to the file, line and
 * column where it was written, so every problem points at the offending node.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourcePosition } from './definition.types';

export type YamlPath = readonly (string | number)[];

export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    readonly file: string,
    private readonly text: string,
  ) {}

  /** Position of a byte offset in the text. */
  atOffset(offset: number, path: YamlPath = []): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, path: dotted(path) };
  }

  /**
   * Position of the node at `path`: its value, or its key when `which` is 'key' (for unknown or
   * duplicate keys). Falls back to the deepest existing ancestor when the path does not exist.
   */
  at(path: YamlPath, which: 'key' | 'value' = 'value'): SourcePosition {
    const found = this.find(path);
    const node = which === 'key' ? (found.key ?? found.node) : (found.node ?? found.key);
    const offset = node?.range?.[0] ?? 0;
    return this.atOffset(offset, path);
  }

  /**
   * For a string scalar holding an expression after `prefixLength` characters (e.g. `=`),
   * returns a function mapping an index in the expression to its exact column, when the text is
   * written literally on one line (plain or quoted without escapes); otherwise the node start.
   */
  expressionLocator(path: YamlPath, expression: string, prefixLength: number): (index: number) => SourcePosition {
    const { node } = this.find(path);
    const start = node?.range?.[0] ?? 0;
    if (!node || !isScalar(node)) return () => this.atOffset(start, path);
    const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    const textStart = start + quote + prefixLength;
    const literal = this.text.slice(textStart, textStart + expression.length) === expression;
    return (index) => this.atOffset(literal ? textStart + Math.max(0, Math.min(index, expression.length)) : start, path);
  }

  private find(path: YamlPath): { node?: Node; key?: Node } {
    let current: unknown = this.doc.contents;
    let key: Node | undefined;
    for (const segment of path) {
      if (isMap(current)) {
        const pair = current.items.find((p: Pair) => keyOf(p) === String(segment));
        if (!pair) return { node: current as Node, key };
        key = isScalar(pair.key) ? (pair.key as Node) : undefined;
        current = pair.value ?? pair.key;
      } else if (isSeq(current)) {
        const item = current.items[Number(segment)];
        if (item === undefined) return { node: current as Node, key };
        key = undefined;
        current = isPair(item) ? item.value : item;
      } else {
        return { node: current as Node, key };
      }
    }
    return { node: current as Node, key };
  }
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** `['states', 'open', 'on']` → `states.open.on`. */
export function dotted(path: YamlPath): string {
  return path.map(String).join('.');
}
