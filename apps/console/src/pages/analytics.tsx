import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Title, Tooltip } from 'chart.js';
import { type FormEvent, useEffect, useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { ApiError, client, ok } from '../api.ts';

ChartJS.register(CategoryScale, LinearScale, BarElement, Title, Tooltip, Legend);

const FUNNEL = ['sent', 'delivered', 'opened', 'clicked', 'replied'] as const;
const DAY = 86_400_000;
/** Charts drawn at once: what is shown (and screenshotted) is the data, not a frame of an animation. */
const STILL = { animation: false } as const;
const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

interface Range {
  from: string;
  to: string;
}

const REPORTS = {
  nodes: (query: Range) => ok(client.GET('/v1/analytics/nodes', { params: { query } })),
  experiments: (query: Range) => ok(client.GET('/v1/analytics/experiments', { params: { query } })),
  lateness: (query: Range) => ok(client.GET('/v1/analytics/lateness', { params: { query } })),
};

/** One analytics answer; 404 means this API has no such report yet (shown as such, not as an error). */
function useReport<Data>(
  name: keyof typeof REPORTS,
  load: (range: Range) => Promise<Data>,
  range: Range,
): { data: Data | null; note: string } {
  const [state, setState] = useState<{ data: Data | null; note: string }>({ data: null, note: 'Loading…' });
  useEffect(() => {
    load(range).then(
      (data) => setState({ data, note: '' }),
      (e: Error) =>
        setState({
          data: null,
          note:
            e instanceof ApiError && e.status === 404 ? `This API has no /v1/analytics/${name}.` : e.message,
        }),
    );
  }, [name, load, range]);
  return state;
}

/** Per-node funnel, experiments with p-values, timer lateness (GET /v1/analytics/*). */
export function AnalyticsPage() {
  const [range, setRange] = useState<Range>(() => {
    const to = new Date(Math.ceil(Date.now() / DAY) * DAY + DAY);
    return { from: new Date(to.getTime() - 30 * DAY).toISOString(), to: to.toISOString() };
  });
  const nodes = useReport('nodes', REPORTS.nodes, range);
  const experiments = useReport('experiments', REPORTS.experiments, range);
  const lateness = useReport('lateness', REPORTS.lateness, range);
  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const from = new Date(String(data.get('from')));
    const to = new Date(String(data.get('to')));
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return;
    setRange({ from: from.toISOString(), to: to.toISOString() });
  }
  return (
    <section>
      <h1>Analytics</h1>
      <form onSubmit={apply} aria-label="Range">
        <label>
          From (UTC) <input name="from" defaultValue={range.from} />
        </label>{' '}
        <label>
          To (UTC) <input name="to" defaultValue={range.to} />
        </label>{' '}
        <button type="submit">Show</button>
      </form>
      <h2>Per-node funnel</h2>
      {nodes.note ? <p>{nodes.note}</p> : null}
      {nodes.data ? (
        <div style={{ maxWidth: 800 }}>
          <Bar
            options={STILL}
            data={{
              labels: nodes.data.nodes.map((n) => n.nodeId),
              datasets: FUNNEL.map((key, i) => ({
                label: key,
                data: nodes.data?.nodes.map((n) => n.counts[key] ?? 0) ?? [],
                backgroundColor: `hsl(${i * 60} 60% 55%)`,
              })),
            }}
          />
        </div>
      ) : null}
      <h2>Experiments</h2>
      {experiments.note ? <p>{experiments.note}</p> : null}
      {experiments.data?.experiments.map((x) => (
        <div key={x.experiment} data-experiment={x.experiment}>
          <h3>{x.experiment}</h3>
          <table>
            <thead>
              <tr>
                <th>Variant</th>
                <th>Campaigns</th>
                <th>Open rate</th>
                <th>Reply rate</th>
                <th>Reply p-value</th>
                <th>Open p-value</th>
              </tr>
            </thead>
            <tbody>
              {x.variants.map((v) => (
                <tr key={v.variant} data-variant={v.variant}>
                  <td>{v.variant}</td>
                  <td>{v.campaigns}</td>
                  <td>{fmt(v.openRate)}</td>
                  <td>{fmt(v.replyRate)}</td>
                  <td data-testid="reply-p">{v.replyTest ? fmt(v.replyTest.p, 4) : '—'}</td>
                  <td data-testid="open-p">{v.openTest ? fmt(v.openTest.p, 4) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div style={{ maxWidth: 600 }}>
            <Bar
              options={STILL}
              data={{
                labels: x.variants.map((v) => v.variant),
                datasets: [
                  {
                    label: 'open rate',
                    data: x.variants.map((v) => v.openRate ?? 0),
                    backgroundColor: '#6aa',
                  },
                  {
                    label: 'reply rate',
                    data: x.variants.map((v) => v.replyRate ?? 0),
                    backgroundColor: '#a6a',
                  },
                ],
              }}
            />
          </div>
        </div>
      ))}
      {experiments.data?.experiments.length === 0 ? <p>No experiment in this range.</p> : null}
      <h2>Timer lateness (ms)</h2>
      {lateness.note ? <p>{lateness.note}</p> : null}
      {lateness.data ? (
        <>
          <p>
            {lateness.data.timers.count} timers: p50 {fmt(lateness.data.timers.p50, 0)}, p90{' '}
            {fmt(lateness.data.timers.p90, 0)}, p99 {fmt(lateness.data.timers.p99, 0)}
          </p>
          <div style={{ maxWidth: 800 }}>
            <Bar
              options={STILL}
              data={{
                labels: lateness.data.buckets.map((b) => b.start),
                datasets: (['p50', 'p90', 'p99'] as const).map((k, i) => ({
                  label: k,
                  data: lateness.data?.buckets.map((b) => b.latenessMs[k] ?? 0) ?? [],
                  backgroundColor: `hsl(${200 + i * 40} 60% 55%)`,
                })),
              }}
            />
          </div>
        </>
      ) : null}
    </section>
  );
}
