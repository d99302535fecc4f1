import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { type EntryLike, ignoredReason } from '../ignored.ts';
import type { PlanNodeLike } from '../plan-graph.ts';
import { bothTimes } from '../time.ts';
import { GraphView } from './graph-view.tsx';

interface Entry extends EntryLike {
  [key: string]: unknown;
}

interface Details {
  id: string;
  status: string;
  currentNodeId: string | null;
  stopReason: string | null;
  planVersion: number;
  contact: {
    id: string;
    email: string | null;
    name: string | null;
    timezone: string | null;
    suppressed: boolean;
  };
  pendingActions: { id: string; kind: string; node: string; event?: string; runAt: string }[];
  timeline: Entry[];
}

interface Plan {
  timezone: string;
  startNodeId: string;
  nodes: PlanNodeLike[];
}

/** What an entry says besides its kind and time. */
function describe(e: Entry): string {
  const { at: _at, kind: _kind, ...rest } = e;
  return Object.entries(rest)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** A campaign: its plan graph, pending actions, timeline (plan time and UTC), and the controls. */
export function CampaignPage({ id }: { id: string }) {
  const [details, setDetails] = useState<Details | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState('');
  const path = `/v1/campaigns/${encodeURIComponent(id)}`;
  const load = useCallback(() => {
    api<Details>('GET', path).then(setDetails, (e: Error) => setError(e.message));
    api<{ plan: Plan }>('GET', `${path}/plan`).then(
      (p) => setPlan(p.plan),
      (e: Error) => setError(`plan: ${e.message}`),
    );
  }, [path]);
  useEffect(() => {
    load();
    // The campaign moves on its own (workers, events): the page follows it.
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [load]);
  const control = (action: 'pause' | 'resume' | 'cancel') =>
    api('POST', `${path}/${action}`).then(load, (e: Error) => setError(e.message));
  const zone = plan?.timezone ?? 'UTC';
  return (
    <section>
      <h1>Campaign {id}</h1>
      {error ? <p role="alert">{error}</p> : null}
      {details ? (
        <>
          <p>
            Status <strong data-testid="campaign-status">{details.status}</strong>
            {details.stopReason ? ` (${details.stopReason})` : ''}, node{' '}
            <strong data-testid="current-node">{details.currentNodeId ?? '—'}</strong>, plan version{' '}
            {details.planVersion}; contact {details.contact.name ?? ''} &lt;{details.contact.email ?? '—'}&gt;
            {details.contact.suppressed ? ' (suppressed)' : ''}
          </p>
          <p>
            <button type="button" onClick={() => control('pause')} disabled={details.status !== 'active'}>
              Pause
            </button>{' '}
            <button type="button" onClick={() => control('resume')} disabled={details.status !== 'paused'}>
              Resume
            </button>{' '}
            <button
              type="button"
              onClick={() => control('cancel')}
              disabled={!['active', 'paused', 'pending'].includes(details.status)}
            >
              Cancel
            </button>
          </p>
          {plan ? (
            <GraphView plan={plan} timeline={details.timeline} currentNodeId={details.currentNodeId} />
          ) : null}
          <h2>Pending actions</h2>
          <table data-testid="pending-actions">
            <tbody>
              {details.pendingActions.map((a) => {
                const t = bothTimes(a.runAt, zone);
                return (
                  <tr key={a.id}>
                    <td>{a.kind}</td>
                    <td>{a.node}</td>
                    <td>{a.event ?? ''}</td>
                    <td>due {t.local}</td>
                    <td>{t.utc}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {details.pendingActions.length === 0 ? <p>None.</p> : null}
          <h2>Timeline</h2>
          <table data-testid="timeline">
            <thead>
              <tr>
                <th>Plan time ({zone})</th>
                <th>UTC</th>
                <th>Entry</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {details.timeline.map((e, i) => {
                const t = bothTimes(e.at, zone);
                const why = plan ? ignoredReason(details.timeline, i, plan) : '';
                return (
                  <tr key={i} data-kind={e.kind} data-type={e.type ?? ''}>
                    <td>{t.local}</td>
                    <td>{t.utc}</td>
                    <td>{e.kind}</td>
                    <td>
                      {describe(e)}
                      {why ? <em data-testid="ignored-reason"> — ignored: {why}</em> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
