import 'reflect-metadata';
import { startWorker } from './app/worker';
import { runProcess } from './config/process-runner';

export { startWorker, type RunningWorker } from './app/worker';

// A worker process: validated config, ffmpeg and ffprobe present, then the job worker.
if (require.main === module) runProcess('worker', (c) => [c.ffmpegPath, c.ffprobePath], startWorker);
