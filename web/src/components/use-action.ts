import { useState } from 'react';

export interface ActionMessage {
  error: boolean;
  text: string;
}

/**
 * One owner action at a time: `run` disables the controls while `what` runs, shows what it returns
 * (or the error's message), and calls `onDone` after a success so the page re-reads the video.
 */
export function useAction(onDone: () => void): { busy: boolean; message: ActionMessage | null; run: (what: () => Promise<string>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<ActionMessage | null>(null);
  async function run(what: () => Promise<string>) {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ error: false, text: await what() });
      onDone();
    } catch (err) {
      setMessage({ error: true, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }
  return { busy, message, run };
}
