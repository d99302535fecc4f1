import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { client, ok, signOut } from './api.ts';
import { AnalyticsPage } from './pages/analytics.tsx';
import { CampaignPage } from './pages/campaign.tsx';
import { CampaignsPage } from './pages/campaigns.tsx';
import { SendersPage } from './pages/senders.tsx';
import { SendingPage } from './pages/sending.tsx';
import { SignInPage } from './pages/sign-in.tsx';

/** Pages by hash (`#/campaigns/<id>`): the server only ever serves index.html under /console. */
function useRoute(): string[] {
  const read = () =>
    window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function App() {
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  const route = useRoute();
  useEffect(() => {
    ok(client.GET('/v1/admin/sending')).then(
      () => setSignedIn(true),
      () => setSignedIn(false),
    );
  }, []);
  if (signedIn === null) return <p>Loading…</p>;
  if (!signedIn) return <SignInPage onSignedIn={() => setSignedIn(true)} />;
  const [page = 'campaigns', id] = route;
  return (
    <>
      <nav style={{ display: 'flex', gap: '1rem', borderBottom: '1px solid #ccc', paddingBottom: '.5rem' }}>
        <a href="#/campaigns">Campaigns</a>
        <a href="#/senders">Senders</a>
        <a href="#/analytics">Analytics</a>
        <a href="#/sending">Emergency stop</a>
        <button
          type="button"
          onClick={() => {
            void signOut().then(() => setSignedIn(false));
          }}
        >
          Sign out
        </button>
      </nav>
      <main>
        {page === 'campaigns' && id ? <CampaignPage id={id} /> : null}
        {page === 'campaigns' && !id ? <CampaignsPage /> : null}
        {page === 'senders' ? <SendersPage /> : null}
        {page === 'analytics' ? <AnalyticsPage /> : null}
        {page === 'sending' ? <SendingPage /> : null}
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
