import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { errorMessage } from '../client';
import { webhookEventName } from '../format';
import { CreateWebhookMutation, type WebhookEvent } from '../graphql/operations';
import { useAction } from './use-action';

/** Every event an endpoint can subscribe to, with what it means for the receiver. */
const WEBHOOK_EVENTS: { event: WebhookEvent; meaning: string }[] = [
  { event: 'VIDEO_READY', meaning: 'processing finished' },
  { event: 'VIDEO_FAILED', meaning: 'processing or the upload failed' },
  { event: 'VIDEO_DELETED', meaning: 'a video was deleted' },
  { event: 'UPLOAD_COMPLETED', meaning: 'an upload was accepted and queued' },
];

/**
 * Adds an endpoint. The server answers with the signing secret only this once, so it is kept in
 * this component's state alone (never stored): a reload or "Done" forgets it for good.
 */
export function WebhookForm({ onCreated }: { onCreated: () => void }) {
  const [, create] = useMutation(CreateWebhookMutation);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['VIDEO_READY', 'VIDEO_FAILED']);
  const [secret, setSecret] = useState<{ url: string; value: string } | null>(null);
  const { busy, message, run } = useAction(onCreated);

  const toggle = (event: WebhookEvent, on: boolean) =>
    setEvents((list) => (on ? WEBHOOK_EVENTS.map((e) => e.event).filter((e) => e === event || list.includes(e)) : list.filter((e) => e !== event)));

  function add(e: FormEvent) {
    e.preventDefault();
    setSecret(null);
    void run(async () => {
      const r = await create({ url: url.trim(), events });
      if (r.error || !r.data) throw new Error(r.error ? errorMessage(r.error) : 'No answer from the server');
      setSecret({ url: r.data.createWebhook.webhook.url, value: r.data.createWebhook.secret });
      setUrl('');
      return 'Endpoint added.';
    });
  }

  return (
    <section className="card" aria-labelledby="add-webhook-heading">
      <h2 id="add-webhook-heading">Add an endpoint</h2>
      <form className="webhook-form" onSubmit={add}>
        <label>
          Endpoint URL
          <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/hooks/videos" required maxLength={2048} disabled={busy} />
        </label>
        <fieldset disabled={busy}>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map(({ event, meaning }) => (
            <label key={event} className="inline">
              <input type="checkbox" checked={events.includes(event)} onChange={(e) => toggle(event, e.target.checked)} />
              <code>{webhookEventName(event)}</code> <span className="hint">{meaning}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={busy || events.length === 0}>Add endpoint</button>
      </form>
      {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'hint'}>{message.text}</p>}
      {secret && (
        <div className="notice secret" role="region" aria-label="Signing secret">
          <p>
            <strong>Copy this signing secret now: it is shown only once.</strong> Requests to {secret.url} carry a{' '}
            <code>webhook-signature</code> header that any Standard Webhooks library verifies with it.
          </p>
          <p><code data-testid="webhook-secret">{secret.value}</code></p>
          <div className="actions">
            {navigator.clipboard && <button type="button" onClick={() => void navigator.clipboard.writeText(secret.value)}>Copy</button>}
            <button type="button" onClick={() => setSecret(null)}>Done</button>
          </div>
        </div>
      )}
    </section>
  );
}
