import { registerEnumType } from 'type-graphql';
import { VideoOrder } from '../../domain/video-order';
import { VideoStatus, Visibility } from '../../domain/video-status';

registerEnumType(VideoStatus, { name: 'VideoStatus', description: 'Where a video is in its life.' });
registerEnumType(Visibility, {
  name: 'Visibility',
  description: 'PUBLIC: listed; UNLISTED: playable by link, never listed; PRIVATE: owner only, signed URLs.',
});

registerEnumType(VideoOrder, {
  name: 'VideoOrder',
  description: 'NEWEST and OLDEST by upload time; MOST_VIEWED by the stored view count (flushed from live counts every few seconds).',
});

export { VideoOrder, VideoStatus, Visibility };
