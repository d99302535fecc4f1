import { useEffect, useState } from 'react';
import { type Answer, client, ok } from '../api.ts';

/** The emergency stop: GET/POST /v1/admin/sending. */
export function SendingPage() {
  const [state, setState] = useState<Answer<'getSending'> | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    ok(client.GET('/v1/admin/sending')).then(setState, (e: Error) => setError(e.message));
  }, []);
  const set = (enabled: boolean) =>
    ok(client.POST('/v1/admin/sending', { body: { enabled } })).then(setState, (e: Error) =>
      setError(e.message),
    );
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
