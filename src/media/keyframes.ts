import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { buildKeyframeArgs } from './input-args';

/** Presentation times of the video keyframes, read from packet flags (no decoding), streamed line by line. */
export function keyframeTimes(ffprobePath: string, input: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffprobePath, buildKeyframeArgs(input), {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const times: number[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [pts, flags] = line.split(',');
      if (flags?.startsWith('K')) {
        const t = Number(pts);
        if (Number.isFinite(t)) times.push(t);
      }
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(times.sort((a, b) => a - b)) : reject(new Error(`ffprobe exited ${code}`))));
  });
}

/**
 * Pure: whether the source has a keyframe at every segment boundary, so its video can be copied
 * as the top rung and still switch cleanly with the encoded rungs (which cut exactly there).
 */
export function keyframesAligned(times: number[], duration: number, segmentSeconds: number, frameRate: number): boolean {
  if (!times.length || !(frameRate > 0)) return false;
  const start = times[0];
  const tolerance = 0.5 / frameRate;
  for (let b = 0; b < duration - tolerance; b += segmentSeconds) {
    if (!times.some((t) => Math.abs(t - start - b) <= tolerance)) return false;
  }
  return true;
}
