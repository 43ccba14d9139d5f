/** Types for the W3C's WebVTT parser and validator (webvtt-parser ships none); only what is used. */
declare module 'webvtt-parser' {
  export interface WebVTTNode {
    type: 'text' | 'object' | 'timestamp';
    name?: string;
    value?: string | number;
    classes?: string[];
    children?: WebVTTNode[];
  }
  export interface WebVTTCue {
    id: string | undefined;
    startTime: number;
    endTime: number;
    text: string;
    tree: { children: WebVTTNode[] };
  }
  export interface WebVTTError {
    message: string;
    line: number;
    col?: number;
  }
  export class WebVTTParser {
    constructor(entities?: Record<string, string>);
    parse(input: string, mode?: 'subtitles' | 'chapters' | 'metadata'): { cues: WebVTTCue[]; errors: WebVTTError[]; styles: string[] };
  }
  export class WebVTTSerializer {
    serialize(cues: WebVTTCue[], styles?: string[]): string;
  }
}
