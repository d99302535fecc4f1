import { toJsonPointer } from '../json-pointer.ts';
import type { JsonPatchOperation } from '../plan-issues.ts';
import { isTimeoutEvent } from '../plan-schema.ts';
import { isRecord, valueAt } from '../raw-value.ts';

type Path = readonly (string | number)[];

/**
 * The move that puts a misplaced `delay` where it belongs, `schedule.delay` of a send node (adding an
 * empty `schedule` first when the node has none), or undefined when where it belongs is a matter of
 * judgement. `parent` is the object holding the unknown key `key`:
 * - a send node (`/nodes/i`): its own `schedule.delay`, unless that is already set;
 * - a transition (`/nodes/i/transitions/j`): the `schedule.delay` of the send node it enters, when its
 *   `to` names exactly one send node with no delay of its own, no other transition with a `delay`
 *   enters that node, and the transition is not a timeout without `after` (there the delay may well
 *   mean `after`).
 */
export function misplacedDelayFix(
  input: unknown,
  parent: Path,
  key: string,
): JsonPatchOperation[] | undefined {
  if (key !== 'delay') return undefined;
  const [first, nodeIndex, third, transitionIndex] = parent;
  if (first !== 'nodes' || typeof nodeIndex !== 'number') return undefined;
  const from = toJsonPointer([...parent, key]);
  if (parent.length === 2) return moveIntoSchedule(input, nodeIndex, from);
  if (parent.length !== 4 || third !== 'transitions' || typeof transitionIndex !== 'number') return undefined;
  const transition = valueAt(input, parent);
  if (!isRecord(transition) || (isTimeoutEvent(transition.on) && transition.after === undefined)) {
    return undefined;
  }
  const { to } = transition;
  if (typeof to !== 'string') return undefined;
  const target = onlySendNodeWithId(input, to);
  if (target === undefined || delayedTransitionsInto(input, to) !== 1) return undefined;
  return moveIntoSchedule(input, target, from);
}

function moveIntoSchedule(input: unknown, nodeIndex: number, from: string): JsonPatchOperation[] | undefined {
  const node = valueAt(input, ['nodes', nodeIndex]);
  if (!isRecord(node) || node.action !== 'send') return undefined;
  const move: JsonPatchOperation = { op: 'move', from, path: `/nodes/${nodeIndex}/schedule/delay` };
  if (!Object.hasOwn(node, 'schedule')) {
    return [{ op: 'add', path: `/nodes/${nodeIndex}/schedule`, value: {} }, move];
  }
  const schedule = node.schedule;
  return isRecord(schedule) && !Object.hasOwn(schedule, 'delay') ? [move] : undefined;
}

function nodesOf(input: unknown): readonly unknown[] {
  const nodes = valueAt(input, ['nodes']);
  return Array.isArray(nodes) ? nodes : [];
}

/** The index of the one node with id `id` when it is a send node; undefined for none, several, or another action. */
function onlySendNodeWithId(input: unknown, id: string): number | undefined {
  const matches: number[] = [];
  nodesOf(input).forEach((node, index) => {
    if (isRecord(node) && node.id === id) matches.push(index);
  });
  const [only] = matches;
  return matches.length === 1 && only !== undefined && isRecord(nodesOf(input)[only]) ? only : undefined;
}

/** How many transitions of the plan with a `delay` field enter the node with id `id`. */
function delayedTransitionsInto(input: unknown, id: string): number {
  let count = 0;
  for (const node of nodesOf(input)) {
    const transitions = isRecord(node) ? node.transitions : undefined;
    if (!Array.isArray(transitions)) continue;
    for (const transition of transitions) {
      if (isRecord(transition) && transition.to === id && Object.hasOwn(transition, 'delay')) count += 1;
    }
  }
  return count;
}
