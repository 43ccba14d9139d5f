import { parseVideoId } from '../../domain/video-id';
import { badInput } from '../../errors';

/** A video id argument in canonical form, or BAD_USER_INPUT naming the argument. */
export function videoIdArg(raw: string, field: string): string {
  const id = parseVideoId(raw);
  if (!id) throw badInput('Malformed video id', { field });
  return id;
}
