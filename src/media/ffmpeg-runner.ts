import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ProgressParser, type FfmpegProgress } from './progress-parser';

/** ffmpeg exited non-zero (or was stopped); the message ends with the last line of its log. */
export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

export interface RunOptions {
  onProgress?: (p: FfmpegProgress) => void;
  /** Aborting kills ffmpeg (timeouts, worker shutdown). */
  signal?: AbortSignal;
  /**
   * Streams ffmpeg reads as `pipeInput(0)`, `pipeInput(1)`… (stdin, then file descriptors 3, 4…),
   * so media held in storage reach it without a temp copy or a network protocol.
   */
  inputs?: Readable[];
}

/** The ffmpeg input URL of `RunOptions.inputs[index]`. */
export function pipeInput(index: number): string {
  return `pipe:${index === 0 ? 0 : index + 2}`;
}

const STDERR_TAIL = 8 * 1024;

/** Runs one ffmpeg process to completion, relaying its `-progress` blocks; never buffers more than a log tail. */
export function runFfmpeg(ffmpegPath: string, args: string[], opts: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new FfmpegError(`ffmpeg not started: ${reasonOf(opts.signal)}`, true));
      return;
    }
    const inputs = opts.inputs ?? [];
    const extra = inputs.slice(1).map(() => 'pipe' as const);
    const child = spawn(ffmpegPath, args, { stdio: [inputs.length ? 'pipe' : 'ignore', 'pipe', 'pipe', ...extra] });
    const parser = new ProgressParser();
    let stderr = '';
    let aborted = false;
    let inputError: Error | null = null;
    inputs.forEach((input, i) => {
      const sink = child.stdio[i === 0 ? 0 : i + 2] as Writable;
      // ffmpeg may stop reading once it has what it needs (one frame): EPIPE is its choice, not a failure.
      sink.on('error', () => undefined);
      // `on`, not `once`: a stream destroyed mid-read may report more than one error.
      input.on('error', (err) => {
        inputError ??= err;
        child.kill('SIGKILL');
      });
      input.pipe(sink);
    });
    // Piped above; typed nullable only because the stdio list is built at run time.
    const { stdout, stderr: errors } = child as typeof child & { stdout: Readable; stderr: Readable };
    stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const p of parser.push(chunk)) opts.onProgress?.(p);
    });
    errors.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      for (const input of inputs) input.destroy();
      reject(new FfmpegError(`ffmpeg could not start: ${err.message}`, false));
    });
    child.once('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      for (const input of inputs) input.destroy();
      // A storage read that broke is not the media's fault: the caller sees that error itself.
      if (inputError) return reject(inputError);
      if (code === 0 && !aborted) return resolve();
      const why = aborted ? reasonOf(opts.signal) : `exit ${code ?? sig}`;
      reject(new FfmpegError(`ffmpeg failed (${why}): ${lastLine(stderr)}`, aborted));
    });
  });
}

function reasonOf(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'aborted';
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return (lines.at(-1) ?? 'no output').slice(0, 300);
}
