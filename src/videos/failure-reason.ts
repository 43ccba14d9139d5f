/**
 * Why a video failed, as told to anyone but its owner: a short public reason. The stored reason
 * may name internals (an address, a path, a library's message); it goes to the owner, whose upload
 * it is, and to the logs, never to other viewers or subscribers.
 */
export function publicFailureReason(reason: string | null | undefined): string | null {
  if (!reason) return null;
  return /^(Unsupported|Not a playable video)/.test(reason) ? 'The file is not a supported video' : 'The video could not be processed';
}

/** The reason this viewer may see: the owner's own, anyone else's public one. */
export function failureReasonFor(viewerId: string | null, video: { ownerId: string; failureReason: string | null }): string | null {
  return viewerId === video.ownerId ? video.failureReason : publicFailureReason(video.failureReason);
}
