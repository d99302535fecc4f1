import { isRecord, nodeLabel, nodeName, transitionLabel, usableId } from './raw-value.ts';

/** One transition of the raw input that is an object; its fields are as written, unchecked. */
export interface TransitionFacts {
  /** Its position in the node's `transitions`. */
  index: number;
  /** `/nodes/i/transitions/j`. */
  path: string;
  /** `the transition at /nodes/i/transitions/j (node "id")`, for sentences. */
  where: string;
  on: unknown;
  to: unknown;
  after: unknown;
  within: unknown;
}

/** One entry of the raw input's `nodes`, whatever it holds. */
export interface NodeFacts {
  index: number;
  /** `/nodes/i`. */
  path: string;
  /** The entry when it is an object; undefined for anything else (reported by the schema pass). */
  node: Record<string, unknown> | undefined;
  /** The node's id when it is a non-empty string. */
  id: string | undefined;
  action: unknown;
  /** `"id" (/nodes/i)`, for lists of nodes. */
  name: string;
  /** `node "id" (/nodes/i)`, for sentences. */
  label: string;
  /** The transitions that are objects, in plan order (others are the schema pass's concern). */
  transitions: TransitionFacts[];
  /**
   * Version 1.1: the zero-time moves of a branch (each branch's `to`, then `otherwise`) or a split
   * (each variant's `to`), as written; empty for other nodes. `path` points at the `to`/`otherwise`.
   */
  choices: ChoiceFacts[];
}

/** One target of a branch or split node, as written. */
export interface ChoiceFacts {
  /** `/nodes/i/branches/k/to`, `/nodes/i/otherwise` or `/nodes/i/variants/k/to`. */
  path: string;
  to: unknown;
}

/**
 * What the validator needs of raw, possibly malformed, plan input, read in one walk: each check and
 * the schema pass's messages take it from here instead of reading the input again.
 */
export interface PlanFacts {
  /** The input itself, for the values at the paths the schema pass reports. */
  input: unknown;
  /** The input when it is an object; undefined for anything else. */
  plan: Record<string, unknown> | undefined;
  /** One entry per element of `nodes`; empty when `nodes` is not an array. */
  nodes: NodeFacts[];
  /** Whether `nodes` is an array (the node checks run only then). */
  hasNodes: boolean;
  /** The indexes of the nodes with each usable id, in plan order (more than one: a duplicate). */
  indicesById: ReadonlyMap<string, readonly number[]>;
}

/** Reads the plan input once, defensively: any value is accepted. */
export function readPlanFacts(input: unknown): PlanFacts {
  const plan = isRecord(input) ? input : undefined;
  const rawNodes = plan !== undefined && Array.isArray(plan.nodes) ? (plan.nodes as unknown[]) : undefined;
  const nodes = (rawNodes ?? []).map(readNode);
  const indicesById = new Map<string, number[]>();
  for (const { id, index } of nodes) {
    if (id === undefined) continue;
    const indices = indicesById.get(id);
    if (indices === undefined) indicesById.set(id, [index]);
    else indices.push(index);
  }
  return { input, plan, nodes, hasNodes: rawNodes !== undefined, indicesById };
}

function readNode(raw: unknown, index: number): NodeFacts {
  const node = isRecord(raw) ? raw : undefined;
  const id = usableId(node?.id);
  const transitions: TransitionFacts[] = [];
  const rawTransitions = node?.transitions;
  if (Array.isArray(rawTransitions)) {
    rawTransitions.forEach((transition: unknown, j) => {
      if (!isRecord(transition)) return;
      const { on, to, after, within } = transition;
      const path = `/nodes/${index}/transitions/${j}`;
      transitions.push({ index: j, path, where: transitionLabel(id, index, j), on, to, after, within });
    });
  }
  return {
    index,
    path: `/nodes/${index}`,
    choices: readChoices(node, index),
    node,
    id,
    action: node?.action,
    name: nodeName(id, index),
    label: nodeLabel(id, index),
    transitions,
  };
}

/** The indexes of the nodes a transition's `to` names: none when it is not a string or names no node. */
export function targetsOf(facts: PlanFacts, to: unknown): readonly number[] {
  return typeof to === 'string' ? (facts.indicesById.get(to) ?? []) : [];
}

/** The usable id of the node at `index` of the input, for labels of paths the schema pass reports. */
export function idAt(facts: PlanFacts, index: number): string | undefined {
  return facts.nodes[index]?.id;
}

function readChoices(node: Record<string, unknown> | undefined, index: number): ChoiceFacts[] {
  const choices: ChoiceFacts[] = [];
  const listed = (key: 'branches' | 'variants'): void => {
    const list = node?.[key];
    if (!Array.isArray(list)) return;
    list.forEach((entry: unknown, k) => {
      if (isRecord(entry) && entry.to !== undefined)
        choices.push({ path: `/nodes/${index}/${key}/${k}/to`, to: entry.to });
    });
  };
  if (node?.action === 'branch') {
    listed('branches');
    if (node.otherwise !== undefined) choices.push({ path: `/nodes/${index}/otherwise`, to: node.otherwise });
  } else if (node?.action === 'split') listed('variants');
  return choices;
}

/** The plan's version as written when it is "1.1"; every other value reads as 1.0 rules. */
export function isVersion11(facts: PlanFacts): boolean {
  return facts.plan?.version === '1.1';
}
