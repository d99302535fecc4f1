import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api.ts';

interface Item {
  id: string;
  contactId: string;
  status: string;
  currentNodeId: string | null;
  planVersion: number;
  mode: string;
  createdAt: string;
  planShape: string | null;
}

const FILTERS = ['status', 'email', 'sender', 'experiment', 'planShape'] as const;

/** GET /v1/campaigns with its filters, a page at a time (keyset cursors; "previous" walks back the ones seen). */
export function CampaignsPage() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<{ items: Item[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState('');
  const cursor = cursors.at(-1);
  useEffect(() => {
    const query = new URLSearchParams({ limit: '20' });
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    if (cursor) query.set('cursor', cursor);
    setError('');
    api<{ items: Item[]; nextCursor: string | null }>('GET', `/v1/campaigns?${query}`).then(
      setPage,
      (e: Error) => setError(e.message),
    );
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
            {['pending', 'active', 'paused', 'completed', 'exited', 'cancelled', 'failed'].map((s) => (
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
