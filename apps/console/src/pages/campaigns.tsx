import { type FormEvent, useEffect, useState } from 'react';
import { type Answer, client, ok, type Schema } from '../api.ts';

type Status = Schema<'CampaignListItem'>['status'];
const STATUSES: readonly Status[] = ['pending', 'active', 'paused', 'completed', 'stopped', 'cancelled'];
const FILTERS = ['status', 'email', 'sender', 'experiment', 'planShape'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** GET /v1/campaigns with its filters, a page at a time (keyset cursors; "previous" walks back the ones seen). */
export function CampaignsPage() {
  const [filters, setFilters] = useState<Filters>({});
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Answer<'listCampaigns'> | null>(null);
  const [error, setError] = useState('');
  const cursor = cursors.at(-1);
  useEffect(() => {
    const { status, email, sender, experiment, planShape } = filters;
    const query = {
      limit: 20,
      ...(status ? { status: STATUSES.find((s) => s === status) } : {}),
      ...(email ? { email } : {}),
      ...(sender ? { sender } : {}),
      ...(experiment ? { experiment } : {}),
      ...(planShape ? { planShape } : {}),
      ...(cursor ? { cursor } : {}),
    };
    setError('');
    ok(client.GET('/v1/campaigns', { params: { query } })).then(setPage, (e: Error) => setError(e.message));
  }, [filters, cursor]);
  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setFilters(Object.fromEntries(FILTERS.map((name) => [name, String(data.get(name) ?? '').trim()])));
    setCursors([]);
  }
  return (
    <section>
      <h1>Campaigns</h1>
      <form onSubmit={apply} aria-label="Filters" style={{ display: 'flex', gap: '.5rem', flexWrap: 'wrap' }}>
        <label>
          Status{' '}
          <select name="status" defaultValue="">
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {FILTERS.slice(1).map((name) => (
          <label key={name}>
            {name} <input name={name} />
          </label>
        ))}
        <button type="submit">Filter</button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {page ? (
        <table>
          <thead>
            <tr>
              <th>Campaign</th>
              <th>Status</th>
              <th>Node</th>
              <th>Mode</th>
              <th>Created (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((c) => (
              <tr key={c.id} data-campaign={c.id}>
                <td>
                  <a href={`#/campaigns/${encodeURIComponent(c.id)}`}>{c.id}</a>
                </td>
                <td>{c.status}</td>
                <td>{c.currentNodeId ?? '—'}</td>
                <td>{c.mode}</td>
                <td>{c.createdAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {page && page.items.length === 0 ? <p>No campaign matches.</p> : null}
      <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
        Previous
      </button>{' '}
      <button
        type="button"
        disabled={!page?.nextCursor}
        onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
      >
        Next
      </button>
    </section>
  );
}
