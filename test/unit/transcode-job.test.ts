import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finalReason } from '../../src/worker/transcode.handler';
import { MediaError } from '../../src/media/media-policy';

const job = (attemptsMade: number, attempts = 3) => ({ attemptsMade, opts: { attempts } });
const running = { aborted: false };

describe('which transcode failures are final', () => {
  it('bad media fails at once, with its own message', () => {
    assert.equal(finalReason(new MediaError('Unsupported media: the file has audio but no video'), job(0), running, 60), 'Unsupported media: the file has audio but no video');
  });
  it('a timeout fails at once', () => {
    assert.match(finalReason(new Error('ffmpeg failed (aborted)'), job(0), { aborted: true }, 3600) ?? '', /took longer than 60 minutes/);
  });
  it('a transient fault is retried until the last attempt, which marks the video FAILED', () => {
    const err = new Error('connect ECONNREFUSED 127.0.0.1:7480');
    assert.equal(finalReason(err, job(0), running, 60), null);
    assert.equal(finalReason(err, job(1), running, 60), null);
    assert.match(finalReason(err, job(2), running, 60) ?? '', /^Processing failed after 3 attempts: connect ECONNREFUSED/);
  });
});
