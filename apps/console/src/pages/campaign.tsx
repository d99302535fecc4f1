import { useCallback, useEffect, useState } from 'react';
import { client, ok, type Schema } from '../api.ts';
import { ignoredReason } from '../ignored.ts';
import { bothTimes } from '../time.ts';
import { GraphView } from './graph-view.tsx';

type Entry = Schema<'TimelineEntry'>;

const CONTROLS = {
  pause: (id: string) => client.POST('/v1/campaigns/{id}/pause', { params: { path: { id } } }),
  resume: (id: string) => client.POST('/v1/campaigns/{id}/resume', { params: { path: { id } } }),
  cancel: (id: string) => client.POST('/v1/campaigns/{id}/cancel', { params: { path: { id } } }),
};

/** What an entry says besides its kind and time. */
function describe(e: Entry): string {
  const { at: _at, kind: _kind, ...rest } = e;
  return Object.entries(rest)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** A campaign: its plan graph, pending actions, timeline (plan time and UTC), and the controls. */
export function CampaignPage({ id }: { id: string }) {
  const [details, setDetails] = useState<Schema<'Campaign'> | null>(null);
  const [plan, setPlan] = useState<Schema<'Plan'> | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    const params = { path: { id } };
    ok(client.GET('/v1/campaigns/{id}', { params })).then(setDetails, (e: Error) => setError(e.message));
    ok(client.GET('/v1/campaigns/{id}/plan', { params })).then(
      (p) => setPlan(p.plan),
      (e: Error) => setError(`plan: ${e.message}`),
    );
  }, [id]);
  useEffect(() => {
    load();
    // The campaign moves on its own (workers, events): the page follows it.
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [load]);
  const control = (action: keyof typeof CONTROLS) =>
    ok(CONTROLS[action](id)).then(load, (e: Error) => setError(e.message));
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
                  <tr key={i} data-kind={e.kind} data-type={e.kind === 'event' ? e.type : ''}>
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
