import { AddCaptionMutation, type CaptionKind } from '../graphql/operations';
import { sendMultipart } from './multipart';

/** `addCaption` (multipart): a WebVTT or SRT file becomes the track of `language`; rejects with the server's message. */
export async function uploadCaption(token: string, videoId: string, input: { language: string; label: string; kind: CaptionKind }, file: File): Promise<void> {
  await sendMultipart(token, AddCaptionMutation, { videoId, input, file });
}
