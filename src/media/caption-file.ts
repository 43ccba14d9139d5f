import { parseSync as parseSrt, type NodeCue } from 'subtitle';
import { WebVTTParser, WebVTTSerializer, type WebVTTCue } from 'webvtt-parser';
import entities from 'webvtt-parser/html-entities.json';
import { vttTime } from './outputs';

/**
 * Caption files as uploaded (WebVTT or SRT) → one canonical WebVTT, or the reasons it is refused.
 * Pure: bytes in, text out. The W3C's WebVTT parser and validator (webvtt-parser) judges every
 * file, SRT after conversion, so both formats follow one set of rules; the stored file is then
 * re-serialised from the parsed cues, so it holds WebVTT's cue markup only (c, i, b, u, ruby, rt,
 * v, lang, timestamps), escaped text, and no STYLE, REGION or NOTE blocks.
 */

export type CaptionFormat = 'vtt' | 'srt';

export interface CaptionProblem {
  /** 1-based line of the uploaded file (WebVTT) or of the converted text (SRT: see `cue`). */
  line: number;
  /** SRT: the start time of the cue the problem is in, as the file wrote it. */
  cue?: string;
  message: string;
}

/** Why a file was refused: `unrecognised` is not a caption file at all; `invalid` is one with errors. */
export class CaptionFileError extends Error {
  constructor(
    readonly kind: 'unrecognised' | 'invalid',
    message: string,
    readonly problems: CaptionProblem[] = [],
  ) {
    super(message);
    this.name = 'CaptionFileError';
  }
}

export interface CaptionFile {
  format: CaptionFormat;
  vtt: string;
  cues: number;
}

/**
 * Validator findings that do not make a file unusable, since the re-serialised output fixes them:
 * header lines after the signature (`Kind:`, `Language:`, as many tools write), a bare `&`, and
 * cues out of order (sorted on output).
 */
const TOLERATED = new Set([
  'No blank line after the signature.',
  'Incorrect escape.',
  'Start timestamp is not greater than or equal to start timestamp of previous cue.',
]);
const MAX_PROBLEMS = 10;

/** The canonical WebVTT of an uploaded caption file; throws CaptionFileError. */
export function toWebVtt(bytes: Uint8Array): CaptionFile {
  const text = decodeUtf8(bytes);
  const format = sniff(text);
  if (format === 'vtt') return validated('vtt', text, (line) => ({ line }));
  const converted = srtToVtt(text);
  return validated('srt', converted.vtt, (line) => ({ line, cue: converted.cueAt(line) }));
}

function decodeUtf8(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CaptionFileError('unrecognised', 'The file is not UTF-8 text (save it as UTF-8)');
  }
  if (text.includes('\0')) throw new CaptionFileError('unrecognised', 'The file is not a text file');
  return text.replace(/^\uFEFF/, '');
}

/** By content, never by name: WebVTT begins with its signature; anything else must parse as SRT. */
function sniff(text: string): CaptionFormat {
  return /^WEBVTT(?:[ \t]|\r?\n|\r|$)/.test(text) ? 'vtt' : 'srt';
}

function validated(format: CaptionFormat, vtt: string, where: (line: number) => Omit<CaptionProblem, 'message'>): CaptionFile {
  const parsed = new WebVTTParser(entities).parse(vtt, 'subtitles');
  const problems = parsed.errors
    .filter((e) => !TOLERATED.has(e.message))
    .map((e) => ({ ...where(e.line), message: e.col ? `${e.message} (column ${e.col})` : e.message }));
  if (problems.length) {
    const first = problems[0]!;
    const at = first.cue ? `the cue at ${first.cue}` : `line ${first.line}`;
    throw new CaptionFileError('invalid', `The ${format === 'vtt' ? 'WebVTT' : 'SRT'} file has errors, first at ${at}: ${first.message}`, problems.slice(0, MAX_PROBLEMS));
  }
  if (!parsed.cues.length) throw new CaptionFileError('invalid', 'The file has no cues');
  // An empty id would be written as an empty line; ids are optional.
  const cues: WebVTTCue[] = parsed.cues.map((c) => ({ ...c, id: c.id ? c.id : undefined }));
  return { format, vtt: new WebVTTSerializer().serialize(cues), cues: cues.length };
}

interface Converted {
  vtt: string;
  /** The SRT start time of the cue a line of `vtt` belongs to. */
  cueAt(line: number): string | undefined;
}

/**
 * SRT → WebVTT text, cue by cue (parsed by `subtitle`), for the validator to judge. SRT's own
 * markup is mapped: <b>, <i>, <u> kept, <font> dropped (WebVTT colours need a STYLE block), ASS
 * override codes such as {\an8} dropped; `<` and `&` that start no tag or reference become text.
 * Any other tag is left in place, so the validator refuses it like in a WebVTT file.
 */
function srtToVtt(text: string): Converted {
  let nodes;
  try {
    nodes = parseSrt(text);
  } catch (err) {
    throw new CaptionFileError('unrecognised', `The file is neither WebVTT nor SRT: ${(err as Error).message}`);
  }
  const cues = nodes.filter((n): n is NodeCue => n.type === 'cue');
  if (!cues.length) throw new CaptionFileError('unrecognised', 'The file is neither WebVTT nor SRT: no cues found');
  const lines = ['WEBVTT', ''];
  const starts: { line: number; time: string }[] = [];
  for (const { data } of cues) {
    starts.push({ line: lines.length + 1, time: srtTime(data.start) });
    lines.push(`${vttTime(data.start / 1000)} --> ${vttTime(data.end / 1000)}`, ...srtMarkup(data.text).split('\n'), '');
  }
  return {
    vtt: lines.join('\n'),
    cueAt: (line) => [...starts].reverse().find((s) => s.line <= line)?.time,
  };
}

function srtMarkup(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/<\/?font\b[^>]*>/gi, '')
    .replace(/<(\/?)([biu])>/gi, (_m, slash: string, tag: string) => `<${slash}${tag.toLowerCase()}>`)
    .replace(/&(?![a-zA-Z][a-zA-Z0-9]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/g, '&amp;')
    .replace(/<(?![/a-zA-Z0-9])/g, '&lt;');
}

function srtTime(ms: number): string {
  return vttTime(ms / 1000).replace('.', ',');
}
