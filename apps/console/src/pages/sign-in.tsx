import { type FormEvent, useState } from 'react';
import { signIn } from '../api.ts';

/** The API key, typed once, becomes the session cookie; it is kept nowhere in the page. */
export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const field = form.elements.namedItem('apiKey') as HTMLInputElement;
    setBusy(true);
    const ok = await signIn(field.value).catch(() => false);
    field.value = '';
    setBusy(false);
    setFailed(!ok);
    if (ok) onSignedIn();
  }
  return (
    <form onSubmit={submit} aria-label="Sign in">
      <h1>Campaign engine console</h1>
      {failed ? <p role="alert">That is not the API key.</p> : null}
      <label>
        API key <input type="password" name="apiKey" autoComplete="current-password" required />
      </label>{' '}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
