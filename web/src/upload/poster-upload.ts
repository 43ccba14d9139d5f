import { SetPosterMutation } from '../graphql/operations';
import { sendMultipart } from './multipart';

/** `setPoster` (multipart): resolves when the server accepted the image; rejects with its message otherwise. */
export async function uploadPoster(token: string, videoId: string, file: File): Promise<void> {
  await sendMultipart(token, SetPosterMutation, { videoId, file });
}
