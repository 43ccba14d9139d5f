import type { StorageConfig } from '../config/config';
import { LocalStorage } from './local-storage';
import { S3Storage } from './s3-storage';
import type { ObjectStorage } from './storage';

/** Builds the configured driver and makes sure its bucket or folder exists. */
export async function createStorage(config: StorageConfig): Promise<ObjectStorage> {
  if (config.driver === 'local') {
    const storage = new LocalStorage(config.dataDir);
    await storage.ping();
    return storage;
  }
  const storage = new S3Storage(config);
  await storage.ensureBucket();
  return storage;
}
