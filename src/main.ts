import 'reflect-metadata';
import { startApi } from './app/api';
import { runProcess } from './config/process-runner';

export { startApi, type RunningApi } from './app/api';

// The API process: validated config, ffprobe present (uploads are checked with it), then the API.
if (require.main === module) runProcess('api', (c) => [c.ffprobePath], startApi);
