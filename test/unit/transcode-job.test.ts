import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finalReason, onTranscodeJobFailed } from '../../src/worker/transcode.handler';
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
    assert.equal(finalReason(err, job(2), running, 60), 'Processing failed after 3 attempts', 'no address or path: the owner reads it');
  });
  it('a job that dies outside its handler marks the video FAILED without the error\'s internals', async () => {
    const failed: [string, string][] = [];
    const logged: unknown[] = [];
    const onFailed = onTranscodeJobFailed({
      service: { fail: async (id: string, reason: string) => void failed.push([id, reason]) },
      logger: { error: (o: unknown) => void logged.push(o) },
    } as unknown as Parameters<typeof onTranscodeJobFailed>[0]);
    const dead = (attemptsMade: number) => ({ name: 'video.transcode', data: { videoId: 'v1' }, attemptsMade, opts: { attempts: 3 } }) as unknown as Parameters<typeof onFailed>[0];
    await onFailed(dead(1), new Error('job stalled more than allowable limit'));
    await onFailed(dead(3), new Error('connect ECONNREFUSED 10.0.0.5:7480 at /tmp/vp-transcode-x1/source'));
    assert.deepEqual(failed, [['v1', 'Processing stopped: the worker running it was lost too often'], ['v1', 'Processing failed']]);
    assert.equal(logged.length, 2, 'the errors themselves go to the log');
  });
});
