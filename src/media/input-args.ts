import { SOURCE_CONTAINERS } from './file-types';

/**
 * How ffmpeg and ffprobe may read a user's file. Without these options a playlist (HLS), a
 * manifest (DASH) or a concat list uploaded as "video.mp4" is followed: the tool would open the
 * files and URLs it names (local files, internal services). Two locks:
 * - `-protocol_whitelist`: only the protocol the input itself needs (a local path: `file`; a
 *   presigned storage URL: `http`/`https` with its transport), nothing nested may use another;
 * - `-format_whitelist`: only the accepted containers' demuxers (file-types.ts, SOURCE_CONTAINERS),
 *   so a playlist or concat demuxer is refused before it reads its first entry.
 */

/**
 * Demuxers that read only their own bytes and that uploads are recognised as, though refused by
 * the media policy: listed so the uploader gets the policy's plain reason ("a still image", "no
 * video stream") instead of an unreadable file.
 */
const RECOGNISED_REFUSED = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'gif', 'mp3', 'wav', 'flac'];

/** `-format_whitelist` of user files: ffmpeg matches each name against a demuxer's aliases (mov matches "mov,mp4,m4a,3gp,3g2,mj2"). */
export const SOURCE_DEMUXERS: readonly string[] = [...SOURCE_CONTAINERS, ...RECOGNISED_REFUSED];

/** The protocols reading `input` needs, and no other. */
export function inputProtocols(input: string): string {
  if (/^https:/i.test(input)) return 'https,tls,tcp';
  if (/^http:/i.test(input)) return 'http,tcp';
  return 'file';
}

/** Input options (they go before `-i`, or before the input for ffprobe) pinning one user file. */
export function sourceInputOptions(input: string): string[] {
  return ['-protocol_whitelist', inputProtocols(input), '-format_whitelist', SOURCE_DEMUXERS.join(',')];
}

/** ffprobe of an upload (a local path or a presigned URL): container and streams as JSON. */
export function buildProbeArgs(input: string): string[] {
  return ['-v', 'error', ...sourceInputOptions(input), '-print_format', 'json', '-show_format', '-show_streams', input];
}

/** ffprobe decoding the first frame and, for videos over a second, the last one. */
export function buildDecodeCheckArgs(input: string, durationSeconds: number | null): string[] {
  const tail = durationSeconds && durationSeconds > 1 ? `,${Math.max(0, durationSeconds - 1).toFixed(3)}%+#1` : '';
  return [
    '-v', 'error', ...sourceInputOptions(input),
    '-select_streams', 'v:0', '-read_intervals', `%+#1${tail}`, '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', input,
  ];
}

/** ffprobe listing video packets' times and flags (keyframes), without decoding. */
export function buildKeyframeArgs(input: string): string[] {
  return ['-v', 'error', ...sourceInputOptions(input), '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', input];
}
