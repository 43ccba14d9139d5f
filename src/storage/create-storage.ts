import type { StorageConfig } from '../config/config';
import { LocalStorage } from './local-storage';
import { S3Storage } from './s3-storage';
import type { ObjectStorage } from './storage';

/**
 * Builds the configured driver and checks its bucket or folder is there. The bucket is created
 * only when S3_CREATE_BUCKET says so: a production credential usually may not create buckets,
 * and a typo in S3_BUCKET should stop start-up rather than quietly make a new, empty bucket.
 */
export async function createStorage(config: StorageConfig): Promise<ObjectStorage> {
  if (config.driver === 'local') {
    const storage = new LocalStorage(config.dataDir);
    await storage.ping();
    return storage;
  }
  const storage = new S3Storage(config);
  if (config.createBucket) await storage.ensureBucket();
  else await storage.ping();
  return storage;
}
