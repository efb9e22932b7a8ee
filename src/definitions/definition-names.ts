/**
 * Names a definition may not use: those every JavaScript object already has (`constructor`,
 * `toString`, `hasOwnProperty`, `__proto__`, …), for roles, rules, states, events and
 * schedules. Reported at the name's own position, so nothing downstream ever looks such a
 * name up.
 */
import { PROTOTYPE_NAMES } from '../common/objects.util';
import { isMap, type BuildContext, type Raw } from './definition-build-context';
import type { YamlPath } from './yaml-locator';

export function checkReservedNames(ctx: BuildContext, raw: Raw): void {
  const check = (map: unknown, path: YamlPath, kind: string): void => {
    if (!isMap(map)) return;
    for (const name of Object.keys(map)) {
      if (PROTOTYPE_NAMES.has(name)) {
        ctx.report(
          [...path, name],
          `'${name}' cannot be the name of a ${kind}: it is a built-in name of JavaScript objects, so it would match things nobody declared; choose another name`,
          'key',
        );
      }
    }
  };
  check(raw.roles, ['roles'], 'role');
  check(raw.rules, ['rules'], 'rule');
  check(raw.schedules, ['schedules'], 'schedule');
  const states = (map: unknown, path: YamlPath): void => {
    check(map, path, 'state');
    if (!isMap(map)) return;
    for (const [name, state] of Object.entries(map)) {
      if (!isMap(state)) continue;
      check(state.on, [...path, name, 'on'], 'event');
      states(state.states, [...path, name, 'states']);
    }
  };
  states(raw.states, ['states']);
}
