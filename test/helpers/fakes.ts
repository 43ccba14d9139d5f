import { Readable } from 'node:stream';
import type { ByteRange, ObjectStat, ObjectStorage, PutOptions, UnfinishedUpload } from '../../src/storage/storage';
import type { ProbeResult } from '../../src/media/probe';

/** Object storage in memory, for unit tests of services (integration tests use the real drivers). */
export class MemoryStorage implements ObjectStorage {
  readonly driver = 'local' as const;
  readonly objects = new Map<string, Buffer>();

  async put(key: string, body: Readable, _opts?: PutOptions): Promise<{ size: number; etag: string }> {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Buffer));
    const data = Buffer.concat(chunks);
    this.objects.set(key, data);
    return { size: data.length, etag: `"${data.length}"` };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const data = this.objects.get(key);
    if (!data) throw new Error(`No object at ${key}`);
    return Readable.from([range ? data.subarray(range.start, range.end + 1) : data]);
  }

  async stat(key: string): Promise<ObjectStat | null> {
    const data = this.objects.get(key);
    return data ? { size: data.length, etag: `"${data.length}"`, lastModified: new Date(0) } : null;
  }

  async presignedGetUrl(key: string): Promise<string> {
    return `memory://${key}`;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    for (const k of keys) this.objects.delete(k);
    return keys.length;
  }

  async ping(): Promise<void> {}
  async listUnfinishedUploads(): Promise<UnfinishedUpload[]> {
    return [];
  }
  async abortUnfinishedUpload(): Promise<void> {}
}

/** What ffprobe says about a 4-second 640x360 H.264/AAC MP4 a browser plays as is. */
export function probeOf(overrides: Partial<ProbeResult> = {}): ProbeResult {
  return {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    duration: 4,
    width: 640,
    height: 360,
    rotation: 0,
    displayWidth: 640,
    displayHeight: 360,
    frameRate: 25,
    bitrate: 1_000_000,
    videoBitrate: null,
    videoCodec: 'h264',
    videoProfile: 'High',
    pixelFormat: 'yuv420p',
    audioCodec: 'aac',
    audioChannels: 2,
    audioSampleRate: 48_000,
    hasVideo: true,
    hasAudio: true,
    isStillImage: false,
    ...overrides,
  };
}

/** Records every call made on it, by method name. */
export function recorder<T extends object>(impl: T): T & { calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  return new Proxy(impl, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push([String(prop), args]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as T & { calls: [string, unknown[]][] };
}
