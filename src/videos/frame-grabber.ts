import { stat } from 'node:fs/promises';
import { buildFrameArgs, type StillOutput } from '../media/derived-args';
import { MediaError } from '../media/media-policy';
import type { MediaTools } from '../media/media-tools';
import { segmentAt } from '../media/playlists';
import type { ObjectStorage } from '../storage/storage';
import { concatObjects, readStoredRung, type StoredRung } from './stored-rung';

/** The rung a frame is taken from (a rendition row). */
export interface FrameSource {
  playlistKey: string;
  frameRate: number | null;
}

/**
 * Still frames at any time from a published rung: only the init segment and the one media
 * segment holding the time are read from storage, streamed into ffmpeg (no temp copy, no URL).
 * Shared by thumbnails and posters.
 */
export class FrameGrabber {
  constructor(private readonly deps: { storage: ObjectStorage; tools: Pick<MediaTools, 'run'> }) {}

  /** Writes the frame at `time` (seconds, clamped into the rung) to every output, scaled. */
  async grab(source: FrameSource, time: number, outputs: StillOutput[]): Promise<void> {
    const rung = await readStoredRung(this.deps.storage, source.playlistKey);
    const frame = 1 / (source.frameRate && source.frameRate > 0 ? source.frameRate : 30);
    const t = Math.min(Math.max(0, time), Math.max(0, rung.duration - frame));
    const segment = segmentAt(rung, t);
    // Never past the segment's last frame, which would write nothing.
    const offset = Math.min(t - segment.start, Math.max(0, segment.duration - 1.5 * frame));
    await this.run(rung, segment.key, offset, outputs);
    // A segment's first frame is a keyframe and always decodes: the fallback when timing was off.
    if (!(await written(outputs))) await this.run(rung, segment.key, 0, outputs);
    if (!(await written(outputs))) throw new MediaError('No frame could be read at that time');
  }

  private run(rung: StoredRung, segmentKey: string, offsetSeconds: number, outputs: StillOutput[]): Promise<void> {
    const input = concatObjects(this.deps.storage, [rung.initKey, segmentKey]);
    return this.deps.tools.run(buildFrameArgs({ offsetSeconds, outputs }), { inputs: [input] });
  }
}

async function written(outputs: StillOutput[]): Promise<boolean> {
  const sizes = await Promise.all(outputs.map((o) => stat(o.file).then((s) => s.size, () => 0)));
  return sizes.every((s) => s > 0);
}
