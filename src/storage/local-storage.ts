import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, StorageWriteError, type ByteRange, type ObjectStat, type ObjectStorage, type PutOptions, type UnfinishedUpload } from './storage';

const READ_CHUNK = 512 * 1024;

/** The embedded default: objects are files under one directory. For single-host use. */
export class LocalStorage implements ObjectStorage {
  readonly driver = 'local' as const;
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, 'objects');
  }

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, body: Readable, opts: PutOptions = {}): Promise<{ size: number; etag: string }> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    // Written beside the target and renamed, so readers never see a half-written object.
    const temp = `${target}.${randomUUID()}.partial`;
    const hash = createHash('md5');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk);
        opts.onProgress?.(chunk.length);
        cb(null, chunk);
      },
    });
    // The disk failing (full, read-only) is the platform's failure; the body failing is the caller's.
    const file = createWriteStream(temp);
    let diskError: unknown = null;
    file.once('error', (err) => (diskError ??= err));
    try {
      await pipeline(body, meter, file);
      await rename(temp, target).catch((err: unknown) => {
        throw (diskError = err);
      });
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err === diskError ? new StorageWriteError(key, err) : err;
    }
    return { size, etag: hash.digest('hex') };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    // Opened here, so a missing file fails now with ENOENT rather than on the first read (one
    // syscall, where a stat then an open were two); large chunks: fewer reads and writes per segment.
    const handle = await open(this.file(key), 'r');
    return handle.createReadStream({ highWaterMark: READ_CHUNK, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const s = await stat(this.file(key));
      if (!s.isFile()) return null;
      // size and mtime change whenever the content does, which is what an ETag must track here.
      const etag = createHash('md5').update(`${key}:${s.size}:${s.mtimeMs}`).digest('hex');
      return { size: s.size, etag, lastModified: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async presignedGetUrl(key: string): Promise<string> {
    return this.file(key);
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.file(prefix.replace(/\/$/, '') || '.');
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (!e.name.endsWith('.partial')) out.push(path.relative(this.root, full).split(path.sep).join('/'));
      }
    };
    await walk(base);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (!prefix.endsWith('/')) throw new Error('deletePrefix takes a folder prefix ending in /');
    const count = (await this.list(prefix)).length;
    await rm(this.file(prefix.slice(0, -1)), { recursive: true, force: true });
    return count;
  }

  /** Files are written whole (temp file, then rename): nothing is ever left half-uploaded. */
  async listUnfinishedUploads(): Promise<UnfinishedUpload[]> {
    return [];
  }

  async abortUnfinishedUpload(): Promise<void> {}

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }
}
