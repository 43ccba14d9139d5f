import { InitialSchema1764057600000 } from './1764057600000-initial-schema';
import { AllowDownload1764165000000 } from './1764165000000-allow-download';
import { Webhooks1795705200000 } from './1795705200000-webhooks';
import { VideoSearch1795705300000 } from './1795705300000-video-search';
import { VideoStatusIndex1796000000001 } from './1796000000001-video-status-index';
import { AdminFlag1796000005000 } from './1796000005000-admin-flag';
import { Captions1796100000001 } from './1796100000001-captions';

/** Listed explicitly (not globbed) so the compiled build and the tests run the same set. */
export const migrations = [InitialSchema1764057600000, AllowDownload1764165000000, Webhooks1795705200000, VideoSearch1795705300000, VideoStatusIndex1796000000001, AdminFlag1796000005000, Captions1796100000001];
