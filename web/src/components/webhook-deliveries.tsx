import { useQuery } from 'urql';
import { errorMessage } from '../client';
import { deliveryOutcome, webhookEventName } from '../format';
import { WebhookDeliveriesQuery } from '../graphql/operations';

const RECENT = 20;

/** An endpoint's latest delivery attempts, newest first; read when opened and again on "Refresh". */
export function WebhookDeliveries({ webhookId }: { webhookId: string }) {
  const [result, refetch] = useQuery({ query: WebhookDeliveriesQuery, variables: { webhookId, first: RECENT }, requestPolicy: 'network-only' });
  const deliveries = result.data?.webhookDeliveries;
  return (
    <div className="deliveries" data-testid="deliveries">
      <div className="tool">
        <button type="button" onClick={() => refetch({ requestPolicy: 'network-only' })} disabled={result.fetching}>Refresh</button>
        {result.fetching && <span className="hint" aria-busy="true">Loading…</span>}
      </div>
      {result.error && <p role="alert" className="error">{errorMessage(result.error)}</p>}
      {deliveries && deliveries.length === 0 && <p className="empty">No deliveries yet.</p>}
      {deliveries && deliveries.length > 0 && (
        <table>
          <caption>Last {RECENT} delivery attempts, newest first</caption>
          <thead>
            <tr><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Result</th><th scope="col">Latency</th><th scope="col">Time</th></tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id} data-succeeded={d.succeeded}>
                <td><code>{webhookEventName(d.event)}</code></td>
                <td>{d.attempt}</td>
                <td><span className={`badge ${d.succeeded ? 'badge-ready' : 'badge-failed'}`}>{deliveryOutcome(d)}</span></td>
                <td>{d.latencyMs === null ? '—' : `${d.latencyMs} ms`}</td>
                <td><time dateTime={d.createdAt}>{new Date(d.createdAt).toLocaleString()}</time></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
