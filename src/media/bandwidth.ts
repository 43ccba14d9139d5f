/**
 * Pure: the bit rates a manifest advertises, measured from the segments that were written. With
 * constant-quality encoding the encoder's settings say nothing about the real rate (a slide show
 * spends a tenth of its ceiling), and players pick rungs from these figures, so they must be the
 * output's own.
 */

export interface SegmentSize {
  bytes: number;
  /** Seconds. */
  duration: number;
}

export interface Bandwidth {
  /** Peak bits per second (HLS BANDWIDTH, DASH @bandwidth). */
  peak: number;
  /** Bits per second over the whole stream (HLS AVERAGE-BANDWIDTH). */
  average: number;
}

/**
 * Average over all segments; peak as HLS defines it (RFC 8216 §4.3.4.2): the largest rate of any
 * run of contiguous segments lasting 0.5–1.5 target durations, so a short final segment holding
 * little more than a keyframe does not inflate it. Runs shorter than that only when the whole
 * stream is.
 */
export function measureBandwidth(segments: readonly SegmentSize[], targetDuration: number): Bandwidth {
  const segs = segments.filter((s) => s.duration > 0);
  if (!segs.length) throw new Error('No segments to measure');
  const totalBytes = segs.reduce((n, s) => n + s.bytes, 0);
  const totalSeconds = segs.reduce((n, s) => n + s.duration, 0);
  const average = Math.ceil((totalBytes * 8) / totalSeconds);
  const min = 0.5 * targetDuration;
  const max = 1.5 * targetDuration;
  let peak = 0;
  for (let i = 0; i < segs.length; i += 1) {
    let bytes = 0;
    let seconds = 0;
    for (let j = i; j < segs.length; j += 1) {
      bytes += segs[j].bytes;
      seconds += segs[j].duration;
      if (seconds > max + 1e-9) break;
      if (seconds + 1e-9 >= min) peak = Math.max(peak, (bytes * 8) / seconds);
    }
  }
  // No qualifying run (a stream shorter than half a target duration, or one overlong segment).
  if (!peak) peak = Math.max(...segs.map((s) => (s.bytes * 8) / s.duration));
  return { peak: Math.max(Math.ceil(peak), average), average };
}

/** A variant and its audio are fetched together: their rates add up. */
export function combine(video: Bandwidth, audio: Bandwidth | null): Bandwidth {
  return audio ? { peak: video.peak + audio.peak, average: video.average + audio.average } : video;
}

/**
 * The HLS master with each variant's BANDWIDTH and AVERAGE-BANDWIDTH replaced by the measured
 * figures (keyed by the variant's URI as written in the master). A variant not in the map is
 * an error: a stale figure would mislead players.
 */
export function withMeasuredBandwidth(master: string, byUri: ReadonlyMap<string, Bandwidth>): string {
  const lines = master.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    const uri = lines.slice(i + 1).find((l) => l.trim() && !l.startsWith('#'))?.trim();
    const bw = uri ? byUri.get(uri) : undefined;
    if (!bw) throw new Error(`No measured bandwidth for variant ${uri ?? '(none)'}`);
    const attrs = lines[i]
      .slice('#EXT-X-STREAM-INF:'.length)
      .split(/,(?=[A-Z0-9-]+=)/)
      .filter((a) => !/^(AVERAGE-)?BANDWIDTH=/.test(a));
    lines[i] = `#EXT-X-STREAM-INF:${[`BANDWIDTH=${bw.peak}`, `AVERAGE-BANDWIDTH=${bw.average}`, ...attrs].join(',')}`;
  }
  return lines.join('\n');
}

/** The DASH MPD with each Representation's @bandwidth set to its measured peak (keyed by @id). */
export function withMpdBandwidth(mpd: string, peakById: ReadonlyMap<string, number>): string {
  return mpd.replace(/<Representation\b[^>]*>/g, (tag) => {
    const id = /\bid="([^"]*)"/.exec(tag)?.[1];
    const peak = id === undefined ? undefined : peakById.get(id);
    if (peak === undefined) return tag;
    return /\bbandwidth="/.test(tag) ? tag.replace(/\bbandwidth="\d*"/, `bandwidth="${peak}"`) : tag.replace(/<Representation\b/, `<Representation bandwidth="${peak}"`);
  });
}
