import path from 'node:path/posix';

/** manifest: rewritten per response; index: a text file listing media (WebVTT); media: bytes as stored. */
export type FileKind = 'manifest' | 'index' | 'media';

export interface FileType {
  contentType: string;
  kind: FileKind;
}

/**
 * The one table of file types the platform writes and delivers: the Content-Type stored with
 * each output and sent by the delivery routes, and how delivery treats it.
 */
const TYPES: Record<string, FileType> = {
  '.m3u8': { contentType: 'application/vnd.apple.mpegurl', kind: 'manifest' },
  '.mpd': { contentType: 'application/dash+xml', kind: 'manifest' },
  '.vtt': { contentType: 'text/vtt; charset=utf-8', kind: 'index' },
  '.m4s': { contentType: 'video/iso.segment', kind: 'media' },
  '.mp4': { contentType: 'video/mp4', kind: 'media' },
  '.m4v': { contentType: 'video/mp4', kind: 'media' },
  '.m4a': { contentType: 'audio/mp4', kind: 'media' },
  '.ts': { contentType: 'video/mp2t', kind: 'media' },
  '.aac': { contentType: 'audio/aac', kind: 'media' },
  '.webm': { contentType: 'video/webm', kind: 'media' },
  '.jpg': { contentType: 'image/jpeg', kind: 'media' },
  '.jpeg': { contentType: 'image/jpeg', kind: 'media' },
  '.png': { contentType: 'image/png', kind: 'media' },
  '.webp': { contentType: 'image/webp', kind: 'media' },
  '.avif': { contentType: 'image/avif', kind: 'media' },
};

/**
 * The containers uploads are accepted in, by ffmpeg's demuxer names (ffprobe's `format_name` is a
 * comma list of aliases; any one matching is enough). The media policy accepts them and every
 * ffmpeg/ffprobe read of a user file is limited to them (input-args.ts).
 */
export const SOURCE_CONTAINERS = ['mov', 'mp4', 'matroska', 'webm', 'avi', 'mpegts', 'flv', 'mpeg', '3gp', 'ogg', 'mxf'] as const;

/** Content-Type and kind by extension; null for types the platform neither writes nor delivers. */
export function fileType(file: string): FileType | null {
  return TYPES[path.extname(file).toLowerCase()] ?? null;
}

/** The Content-Type to store a file with. */
export function contentTypeOf(file: string): string {
  return fileType(file)?.contentType ?? 'application/octet-stream';
}
