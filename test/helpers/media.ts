import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A temp folder of generated media, removed by `cleanup()`. Nothing is committed. */
export interface MediaDir {
  dir: string;
  /** A short test-pattern clip with a tone; `name` must end in a container extension. */
  clip(name: string, opts?: { seconds?: number; size?: string; extra?: string[] }): Promise<string>;
  png(name: string): Promise<string>;
  mp3(name: string): Promise<string>;
  /** The first `fraction` of a file's bytes. */
  truncate(file: string, name: string, fraction: number): Promise<string>;
  text(name: string, content: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function mediaDir(): Promise<MediaDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vp-uploads-'));
  const out = (name: string) => path.join(dir, name);
  return {
    dir,
    async clip(name, opts = {}) {
      const seconds = String(opts.seconds ?? 3);
      await run('ffmpeg', [
        '-v', 'error', '-y',
        '-f', 'lavfi', '-i', `testsrc2=size=${opts.size ?? '320x240'}:rate=25`,
        '-f', 'lavfi', '-i', 'sine=frequency=440',
        '-t', seconds, '-pix_fmt', 'yuv420p', '-g', '25',
        ...(opts.extra ?? []),
        out(name),
      ]);
      return out(name);
    },
    async png(name) {
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', out(name)]);
      return out(name);
    },
    async mp3(name) {
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:a', 'libmp3lame', '-f', 'mp3', out(name)]);
      return out(name);
    },
    async truncate(file, name, fraction) {
      const bytes = await readFile(file);
      await writeFile(out(name), bytes.subarray(0, Math.floor(bytes.length * fraction)));
      return out(name);
    },
    async text(name, content) {
      await writeFile(out(name), content);
      return out(name);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
