import { useCallback, useEffect, useState } from 'react';
import { client, ok, type Schema } from '../api.ts';

type Sender = Schema<'Sender'>;

const percent = (rate: number) => `${(rate * 100).toFixed(2)} %`;

/** GET /v1/senders: caps, today's usage, health; PATCH enabled. The IMAP password is never answered. */
export function SendersPage() {
  const [senders, setSenders] = useState<Sender[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    ok(client.GET('/v1/senders')).then(setSenders, (e: Error) => setError(e.message));
  }, []);
  useEffect(load, []);
  const toggle = (s: Sender) =>
    ok(
      client.PATCH('/v1/senders/{id}', { params: { path: { id: s.id } }, body: { enabled: !s.enabled } }),
    ).then(load, (e: Error) => setError(e.message));
  return (
    <section>
      <h1>Senders</h1>
      {error ? <p role="alert">{error}</p> : null}
      {senders?.length === 0 ? <p>No sender: campaigns send from MAIL_FROM.</p> : null}
      {senders && senders.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Sender</th>
              <th>Channel</th>
              <th>From</th>
              <th>Caps</th>
              <th>Today</th>
              <th>Last hour</th>
              <th>Health</th>
              <th>Enabled</th>
            </tr>
          </thead>
          <tbody>
            {senders.map((s) => (
              <tr key={s.id} data-sender={s.id}>
                <td>{s.id}</td>
                <td>{s.channel}</td>
                <td>{s.from}</td>
                <td>
                  {Object.entries(s.caps)
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join(', ')}{' '}
                  (today {s.effectiveDailyCap})
                </td>
                <td>
                  {s.usage.today} / {s.effectiveDailyCap}
                </td>
                <td>{s.usage.lastHour}</td>
                <td>
                  complaints {percent(s.health.complaintRate)}, hard bounces{' '}
                  {percent(s.health.hardBounceRate)}
                  {s.health.pausedAt ? ` — paused ${s.health.pausedAt}: ${s.health.pausedReason ?? ''}` : ''}
                  {s.imap?.error ? ` — IMAP: ${s.imap.error}` : ''}
                </td>
                <td>
                  <button type="button" onClick={() => toggle(s)}>
                    {s.enabled ? 'Disable' : 'Enable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
