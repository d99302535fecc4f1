/**
 * Tarjan's strongly connected components over nodes `0..count-1`. Iterative, so a large plan cannot
 * overflow the call stack. Each component lists its nodes in ascending order; components come in
 * reverse topological order.
 */
export function stronglyConnectedComponents(
  count: number,
  successors: readonly (readonly number[])[],
): number[][] {
  const UNVISITED = -1;
  const order = new Array<number>(count).fill(UNVISITED);
  const low = new Array<number>(count).fill(0);
  const onStack = new Array<boolean>(count).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let nextOrder = 0;

  const visit = (node: number): void => {
    order[node] = nextOrder;
    low[node] = nextOrder;
    nextOrder += 1;
    stack.push(node);
    onStack[node] = true;
  };

  for (let root = 0; root < count; root++) {
    if (order[root] !== UNVISITED) continue;
    visit(root);
    const frames: { node: number; edge: number }[] = [{ node: root, edge: 0 }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { node: number; edge: number };
      const next = successors[frame.node] ?? [];
      if (frame.edge < next.length) {
        const target = next[frame.edge] as number;
        frame.edge += 1;
        if (order[target] === UNVISITED) {
          visit(target);
          frames.push({ node: target, edge: 0 });
        } else if (onStack[target]) {
          low[frame.node] = Math.min(low[frame.node] ?? 0, order[target] ?? 0);
        }
        continue;
      }
      frames.pop();
      const node = frame.node;
      if (low[node] === order[node]) {
        const component: number[] = [];
        let member: number | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack[member] = false;
          component.push(member);
        } while (member !== node);
        components.push(component.sort((a, b) => a - b));
      }
      const parent = frames[frames.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node] ?? 0, low[node] ?? 0);
    }
  }
  return components;
}
