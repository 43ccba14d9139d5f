import { parseVideoId } from '../../domain/video-id';
import { badInput } from '../../errors';

/** A video id argument in canonical form, or BAD_USER_INPUT naming the argument. */
export function videoIdArg(raw: string, field: string): string {
  return uuidArg(raw, field, 'video');
}

/** User ids are UUIDs made the same way (randomUUID), so they get the same check and canonical form. */
export function userIdArg(raw: string, field: string): string {
  return uuidArg(raw, field, 'user');
}

function uuidArg(raw: string, field: string, what: string): string {
  const id = parseVideoId(raw);
  if (!id) throw badInput(`Malformed ${what} id`, { field });
  return id;
}
