import { Background, type Edge, MarkerType, type Node, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { NODE_HEIGHT, NODE_WIDTH, type PlanNodeLike, pathTaken, planGraph } from '../plan-graph.ts';

/** The plan laid out by dagre: the current node filled, the nodes and arrows taken in bold. */
export function GraphView({
  plan,
  timeline,
  currentNodeId,
}: {
  plan: { startNodeId: string; nodes: PlanNodeLike[] };
  timeline: { kind: string; from?: string; to?: string; node?: string | null }[];
  currentNodeId: string | null;
}) {
  // The page polls: the graph is rebuilt only when the plan, the path or the current node changed, so React
  // Flow keeps its nodes as they are between polls.
  const key = JSON.stringify([plan, pathTaken(timeline), visitedNodes(timeline), currentNodeId]);
  const { nodes, edges } = useMemo(() => {
    const graph = planGraph(plan, timeline, currentNodeId);
    const flowNodes: Node[] = graph.nodes.map((n) => ({
      id: n.id,
      position: { x: n.x, y: n.y },
      // Sized up front (dagre laid them out at this size): drawn at once, with no measuring pass.
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      data: { label: n.label },
      className: [n.current ? 'current' : '', n.visited ? 'visited' : ''].join(' ').trim(),
      style: {
        background: n.current ? '#ffe08a' : '#fff',
        border: n.visited ? '3px solid #1f6feb' : '1px solid #999',
      },
      draggable: false,
      connectable: false,
    }));
    const flowEdges: Edge[] = graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      label: e.label,
      className: e.taken ? 'taken' : '',
      style: e.taken ? { stroke: '#1f6feb', strokeWidth: 3 } : { stroke: '#999' },
      markerEnd: { type: MarkerType.ArrowClosed },
    }));
    return { nodes: flowNodes, edges: flowEdges };
  }, [key]);
  return (
    <div style={{ height: 420, border: '1px solid #ccc' }} data-testid="plan-graph">
      <ReactFlow nodes={nodes} edges={edges} fitView nodesDraggable={false} nodesConnectable={false}>
        <Background />
      </ReactFlow>
    </div>
  );
}

function visitedNodes(timeline: { kind: string; node?: string | null }[]): string[] {
  return timeline.filter((e) => e.kind === 'enter').map((e) => e.node ?? '');
}
