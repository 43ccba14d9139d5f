import { useMutation, useQuery } from 'urql';
import { errorMessage } from '../client';
import { useAction } from '../components/use-action';
import { WebhookForm } from '../components/webhook-form';
import { WebhookItem } from '../components/webhook-item';
import { DeleteWebhookMutation, WebhooksQuery } from '../graphql/operations';
import { useToken } from '../session';
import { SignInForm } from './sign-in.page';

/** The signed-in user's webhook endpoints: add one (its secret shown once), read deliveries, delete. */
export function WebhooksPage() {
  const token = useToken();
  return (
    <section className="narrow">
      <h1>Webhooks</h1>
      <p className="hint">
        Your endpoints receive signed POST requests (Standard Webhooks) when your videos change. Only public addresses are accepted.
      </p>
      {token ? <Endpoints /> : (
        <div className="card" role="region" aria-label="Sign in to manage webhooks">
          <p>Sign in to manage your webhooks.</p>
          <SignInForm mode="signin" onDone={() => undefined} />
        </div>
      )}
    </section>
  );
}

function Endpoints() {
  const [list, refetch] = useQuery({ query: WebhooksQuery });
  const [, remove] = useMutation(DeleteWebhookMutation);
  // Neither mutation's answer updates the cached list (a Boolean; a first Webhook), so read it again.
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const { busy, message, run } = useAction(reload);
  const webhooks = list.data?.webhooks;

  return (
    <>
      <WebhookForm onCreated={reload} />
      <section aria-labelledby="endpoints-heading" data-testid="webhooks">
        <h2 id="endpoints-heading">Your endpoints</h2>
        {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'hint'}>{message.text}</p>}
        {list.error && <p role="alert" className="error">{errorMessage(list.error)}</p>}
        {!webhooks && list.fetching && <p aria-busy="true">Loading…</p>}
        {webhooks?.length === 0 && <p className="empty">No endpoints yet.</p>}
        {webhooks && webhooks.length > 0 && (
          <ul className="webhooks">
            {webhooks.map((w) => (
              <WebhookItem key={w.id} webhook={w} busy={busy} onDelete={() => void run(async () => {
                const r = await remove({ id: w.id });
                if (r.error) throw new Error(errorMessage(r.error));
                return `Endpoint ${w.url} deleted.`;
              })} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
