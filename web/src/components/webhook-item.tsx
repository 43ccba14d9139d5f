import { useState } from 'react';
import { webhookEventName } from '../format';
import type { Webhook } from '../graphql/operations';
import { WebhookDeliveries } from './webhook-deliveries';

/**
 * One endpoint: its address and events, its deliveries (read only when opened), and a Delete that
 * asks first, since deleting also drops the log and any deliveries still pending.
 */
export function WebhookItem({ webhook, busy, onDelete }: { webhook: Webhook; busy: boolean; onDelete: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [open, setOpen] = useState(false);
  const panel = `deliveries-${webhook.id}`;
  return (
    <li className="card webhook" aria-label={webhook.url} data-webhook-id={webhook.id}>
      <p className="title webhook-url">{webhook.url}</p>
      <p className="badges">
        {webhook.events.map((e) => <span key={e} className="badge"><code>{webhookEventName(e)}</code></span>)}
        <span className="hint">added <time dateTime={webhook.createdAt}>{new Date(webhook.createdAt).toLocaleString()}</time></span>
      </p>
      <div className="actions">
        <button type="button" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>Deliveries</button>
        {confirming ? (
          <span role="group" aria-label="Confirm deletion" className="tool">
            <span>Delete this endpoint and its delivery log?</span>
            <button type="button" className="danger" disabled={busy} onClick={onDelete}>Yes, delete</button>
            <button type="button" disabled={busy} onClick={() => setConfirming(false)}>Keep it</button>
          </span>
        ) : (
          <button type="button" disabled={busy} onClick={() => setConfirming(true)}>Delete</button>
        )}
      </div>
      <div id={panel}>{open && <WebhookDeliveries webhookId={webhook.id} />}</div>
    </li>
  );
}
