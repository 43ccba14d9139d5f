/** One scrub preview: a tile of a sprite sheet covering [start, end) seconds. */
export interface StoryboardCue {
  start: number;
  end: number;
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

function parseTimestamp(t: string): number {
  const parts = t.trim().split(':').map(Number);
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !Number.isFinite(p))) throw new Error(`Bad WebVTT timestamp ${t}`);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/**
 * Parses a storyboard WebVTT (cue payload `sprite.jpg#xywh=x,y,w,h`). Image URLs resolve against
 * the VTT's URL; when that names the same file as `imageUrl` (signed for private videos), `imageUrl` wins.
 */
export function parseStoryboardVtt(text: string, vttUrl: string, imageUrl?: string): StoryboardCue[] {
  if (!text.replace(/^\uFEFF/, '').startsWith('WEBVTT')) throw new Error('Not a WebVTT file');
  const cues: StoryboardCue[] = [];
  const signed = imageUrl ? new URL(imageUrl, vttUrl) : null;
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const timing = lines.findIndex((l) => l.includes('-->'));
    const payload = timing >= 0 ? lines[timing + 1] : undefined;
    if (timing < 0 || !payload) continue;
    const [from, to] = lines[timing]!.split('-->');
    const match = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)\s*$/.exec(payload.trim());
    if (!match) continue;
    const resolved = new URL(match[1]!, vttUrl);
    if (signed && resolved.origin === signed.origin && resolved.pathname === signed.pathname) resolved.search = signed.search;
    else if (!resolved.search) resolved.search = new URL(vttUrl).search; // a signed VTT's token also signs its images
    cues.push({
      start: parseTimestamp(from!),
      end: parseTimestamp(to!.trim().split(/\s+/)[0]!),
      url: resolved.toString(),
      x: Number(match[2]),
      y: Number(match[3]),
      w: Number(match[4]),
      h: Number(match[5]),
    });
  }
  return cues;
}

export function cueAt(cues: StoryboardCue[], time: number): StoryboardCue | null {
  return cues.find((c) => time >= c.start && time < c.end) ?? cues.at(-1) ?? null;
}
