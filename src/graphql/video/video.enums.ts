import { registerEnumType } from 'type-graphql';
import { VideoStatus, Visibility } from '../../domain/video-status';

registerEnumType(VideoStatus, { name: 'VideoStatus', description: 'Where a video is in its life.' });
registerEnumType(Visibility, {
  name: 'Visibility',
  description: 'PUBLIC: listed; UNLISTED: playable by link, never listed; PRIVATE: owner only, signed URLs.',
});

export { VideoStatus, Visibility };
