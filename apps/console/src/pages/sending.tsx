import { useEffect, useState } from 'react';
import { api } from '../api.ts';

interface Sending {
  enabled: boolean;
  since: string | null;
}

/** The emergency stop: GET/POST /v1/admin/sending. */
export function SendingPage() {
  const [state, setState] = useState<Sending | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Sending>('GET', '/v1/admin/sending').then(setState, (e: Error) => setError(e.message));
  }, []);
  const set = (enabled: boolean) =>
    api<Sending>('POST', '/v1/admin/sending', { enabled }).then(setState, (e: Error) => setError(e.message));
  return (
    <section>
      <h1>Emergency stop</h1>
      {error ? <p role="alert">{error}</p> : null}
      {state ? (
        <>
          <p data-testid="sending-state">
            Sending is {state.enabled ? 'enabled' : 'STOPPED'}
            {state.since ? ` since ${state.since}` : ''}
          </p>
          {state.enabled ? (
            <button type="button" onClick={() => set(false)}>
              Stop all sending
            </button>
          ) : (
            <button type="button" onClick={() => set(true)}>
              Enable sending
            </button>
          )}
        </>
      ) : null}
    </section>
  );
}
