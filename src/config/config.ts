import { z } from 'zod';
import { deriveMediaSecret, persistedSecrets, type SigningSecrets } from './secrets';

const GiB = 1024 ** 3;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** Every setting the platform reads, with defaults that work on a developer machine. */
const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(4000),
    PUBLIC_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z.url().default('mysql://root@127.0.0.1:3306/video_platform'),
    MIGRATE_ON_START: bool.default(false),

    REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
    REDIS_COMMAND_TIMEOUT_MS: int(100, 60_000).default(2000),
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('vp'),

    STORAGE_DRIVER: z.enum(['local', 's3']).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    S3_ENDPOINT: z.url().optional(),
    S3_ACCESS_KEY: z.string().optional(),
    S3_SECRET_KEY: z.string().optional(),
    S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'a valid S3 bucket name').default('videos'),
    S3_REGION: z.string().default('us-east-1'),
    S3_PATH_STYLE: bool.default(true),
    S3_CREATE_BUCKET: bool.default(false),

    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    TOKEN_TTL_SECONDS: int(60).default(7 * 24 * 3600),
    SIGNIN_MAX_FAILURES: int(1).default(10),
    SIGNIN_WINDOW_SECONDS: int(1).default(15 * 60),
    SIGNIN_IP_MAX_FAILURES: int(1).default(50),
    SIGNUP_RATE_LIMIT: int(1).default(20),
    SIGNUP_RATE_WINDOW_SECONDS: int(1).default(3600),
    TRUST_PROXY: z.string().min(1).default('loopback, linklocal, uniquelocal'),
    MEDIA_SIGNING_SECRET: z.string().min(32, 'at least 32 characters').optional(),

    FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
    FFPROBE_PATH: z.string().min(1).default('ffprobe'),

    MAX_UPLOAD_BYTES: int(1).default(10 * GiB),
    UPLOAD_RATE_LIMIT: int(1).default(20),
    UPLOAD_RATE_WINDOW_SECONDS: int(1).default(3600),
    UPLOAD_EXPIRY_SECONDS: int(60).default(24 * 3600),
    UPLOAD_CLEANUP_INTERVAL_SECONDS: int(1).default(300),
    WORKER_CONCURRENCY: int(1, 64).default(1),
    WORKER_METRICS_PORT: int(0, 65535).optional(),
    TRANSCODE_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']).default('veryfast'),
    SEGMENT_SECONDS: int(1, 10).default(4),
    TRANSCODE_TIMEOUT_SECONDS: int(1).default(3600),
    TRANSCODE_RATE_CONTROL: z.enum(['capped-crf', 'fixed']).default('capped-crf'),
    TRANSCODE_CRF: int(0, 51).default(21),

    HTTP_HEADERS_TIMEOUT_SECONDS: int(1, 600).default(20),
    HTTP_REQUEST_TIMEOUT_SECONDS: int(1).default(300),
    UPLOAD_IDLE_TIMEOUT_SECONDS: int(1).default(60),

    GRAPHQL_MAX_DEPTH: int(2, 50).default(10),
    GRAPHQL_MAX_COMPLEXITY: int(10).default(5000),
    GRAPHQL_MAX_COMPLEXITY_ANONYMOUS: int(10).default(2000),
    GRAPHQL_MAX_ALIASES: int(1, 1000).default(15),
    GRAPHQL_MAX_TOKENS: int(100).default(2000),

    VIDEO_CACHE_ENABLED: bool.default(true),
    VIDEO_CACHE_TTL_SECONDS: int(1).default(120),
    VIDEO_CACHE_NEGATIVE_TTL_SECONDS: int(1).default(10),
    VIDEO_CACHE_JITTER: z.coerce.number().min(0).max(1).default(0.1),
    RESPONSE_CACHE_ENABLED: bool.default(true),
    RESPONSE_CACHE_TTL_SECONDS: int(1, 3600).default(10),
    MEDIA_TOKEN_TTL_SECONDS: int(10).default(6 * 3600),
    MANIFEST_MAX_AGE_SECONDS: int(0).default(10),
    PUBLIC_MEDIA_BASE_URL: z.url().optional(),
    MEDIA_REDIRECT_PRESIGNED: bool.default(false),
    EDGE_PURGE_URL: z.url().optional(),
    EDGE_PURGE_REPEAT_SECONDS: int(0, 3600).default(10),
    VIEW_FLUSH_INTERVAL_MS: int(100).default(10_000),
    WATCH_FLUSH_INTERVAL_MS: int(100).default(2_000),
    WATCH_HISTORY_MAX: int(1, 1000).default(50),

    THUMBNAIL_RATE_LIMIT: int(1).default(60),
    THUMBNAIL_RATE_WINDOW_SECONDS: int(1).default(60),
    POSTER_MAX_BYTES: int(1).default(10 * 1024 * 1024),
    POSTER_MAX_DIMENSION: int(16, 16_384).default(4096),
    CAPTION_MAX_BYTES: int(1, 100 * 1024 * 1024).default(2 * 1024 * 1024),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.default(false),
    WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(5000),
    WEBHOOK_MAX_ATTEMPTS: int(1, 30).default(10),
    WEBHOOK_RETRY_BASE_MS: int(100).default(60_000),
    WEBHOOK_DELIVERY_RETENTION_DAYS: int(1, 3650).default(30),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required when NODE_ENV=production' });
    }
    if (env.S3_ENDPOINT && (!env.S3_ACCESS_KEY || !env.S3_SECRET_KEY)) {
      const path = env.S3_ACCESS_KEY ? 'S3_SECRET_KEY' : 'S3_ACCESS_KEY';
      ctx.addIssue({ code: 'custom', path: [path], message: 'required when S3_ENDPOINT is set' });
    }
    if (env.STORAGE_DRIVER === 's3' && !env.S3_ENDPOINT) {
      ctx.addIssue({ code: 'custom', path: ['S3_ENDPOINT'], message: 'required when STORAGE_DRIVER=s3' });
    }
  });

type Env = z.infer<typeof schema>;

export type StorageConfig =
  | { driver: 'local'; dataDir: string }
  | {
      driver: 's3';
      endPoint: URL;
      accessKey: string;
      secretKey: string;
      bucket: string;
      region: string;
      pathStyle: boolean;
      /** Create the bucket at start-up when it is missing; otherwise a missing bucket stops start-up. */
      createBucket: boolean;
    };

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  logLevel: Env['LOG_LEVEL'];
  databaseUrl: string;
  migrateOnStart: boolean;
  redisUrl: string;
  /** A Redis command (cache, limits, queue adds) not answered in this long fails, so requests never hang on Redis. */
  redisCommandTimeoutMs: number;
  redisPrefix: string;
  storage: StorageConfig;
  jwtSecret: string;
  tokenTtlSeconds: number;
  /** Wrong passwords allowed per email within the window before sign-in is refused. */
  signIn: {
    /** Per account and client address: the owner elsewhere is never locked out by one address. */
    maxFailures: number;
    /** Per client address, over all accounts (password spraying). */
    ipMaxFailures: number;
    /** Per account over all addresses: a backstop against guessing from many addresses. */
    accountMaxFailures: number;
    windowSeconds: number;
  };
  /** Sign-ups per client address per window (also what slows probing for registered emails). */
  signUp: { rateLimit: number; rateWindowSeconds: number };
  /** Which peers' X-Forwarded-For is believed (express `trust proxy`; also used on the WebSocket). */
  trustProxy: string;
  mediaSigningSecret: string;
  ffmpegPath: string;
  ffprobePath: string;
  maxUploadBytes: number;
  uploads: UploadConfig;
  workerConcurrency: number;
  /** Where the worker serves /metrics; null: not served. */
  workerMetricsPort: number | null;
  /** rateControl and crf: see media/ladder.ts (RateControl). */
  transcode: { preset: string; segmentSeconds: number; timeoutSeconds: number; rateControl: 'capped-crf' | 'fixed'; crf: number };
  http: HttpTimeouts;
  /** The limits every GraphQL operation meets, over HTTP and graphql-ws alike (graphql/limits.ts). */
  graphql: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    /** Cost budgets: callers without a token get the smaller one. */
    maxCost: { anonymous: number; signedIn: number };
  };
  playback: PlaybackConfig;
  /** Whole anonymous GraphQL read responses in Redis, dropped on every lifecycle move; the TTL bounds live view counts and is the public max-age. */
  responseCache: { enabled: boolean; ttlSeconds: number };
  /** Purges of the edge cache in front of /videos/… (deploy/varnish, edge/edge-purger.ts). */
  edgePurge: {
    /** Its purge listener; null when no edge cache runs in front. */
    url: string | null;
    /** When the second BAN of every purge follows the first (responses in flight); 0: none. */
    repeatAfterMs: number;
  };
  derivedMedia: DerivedMediaConfig;
  webhooks: WebhookConfig;
}

/**
 * How long the API waits for clients (http/timeouts.ts). Uploads have no overall limit (a 2 GB
 * upload at 5 MB/s takes 7 minutes), only an idle limit; every other request must arrive whole in time.
 */
export interface HttpTimeouts {
  /** From connection (or the previous request) to the end of the headers: slow-header clients are dropped after this. */
  headersMs: number;
  /** Headers and body of a request that is not an upload. */
  requestMs: number;
  /** An upload (tus PATCH, multipart POST /graphql) is dropped after this long without a byte. */
  uploadIdleMs: number;
}

/** What is made from or added to a video on request: thumbnails at any time, custom posters, caption tracks (issue 13). */
export interface DerivedMediaConfig {
  /** Uncached thumbnails (each one an ffmpeg run) a client may ask for per window. */
  thumbnailRateLimit: number;
  thumbnailRateWindowSeconds: number;
  /** Largest poster image accepted by setPoster, in bytes and in pixels per side. */
  posterMaxBytes: number;
  posterMaxDimension: number;
  /** Largest caption file (WebVTT or SRT) addCaption takes; a feature film's is ~100 KiB. */
  captionMaxBytes: number;
}

/** Outgoing webhooks (issue 13). */
export interface WebhookConfig {
  /** Lets endpoints on loopback, private, link-local and CGNAT addresses through (development, tests). */
  allowPrivateTargets: boolean;
  timeoutMs: number;
  /** Attempts per message, spaced by exponential backoff from `retryBaseMs` (defaults: 10 over ~8.5 h). */
  maxAttempts: number;
  retryBaseMs: number;
  deliveryRetentionDays: number;
}

/** Reads, caching and delivery (issue 5). */
export interface PlaybackConfig {
  /** Off only to troubleshoot or to measure the cache's effect (bench). */
  cacheEnabled: boolean;
  cacheTtlSeconds: number;
  cacheNegativeTtlSeconds: number;
  cacheJitter: number;
  mediaTokenTtlSeconds: number;
  manifestMaxAgeSeconds: number;
  /** CDN in front of the bucket: delivery answers with redirects to `<base>/<storage key>`. */
  publicMediaBaseUrl: string | null;
  /** Redirect to presigned storage URLs instead of proxying bytes through the API. */
  redirectPresigned: boolean;
  viewFlushIntervalMs: number;
  watchFlushIntervalMs: number;
  watchHistoryMax: number;
}

export interface UploadConfig {
  /** Upload creations (either path) a user may start per window. */
  rateLimit: number;
  rateWindowSeconds: number;
  /** An unfinished resumable upload is removed this long after it was created. */
  expirySeconds: number;
  cleanupIntervalSeconds: number;
}

export class ConfigError extends Error {}


/** Parses and validates the environment once; throws ConfigError with one line naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const blankless = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blankless);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const value = typeof blankless[name] === 'string' ? ` (got "${blankless[name]}")` : '';
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}${value}`);
  }
  const e = parsed.data;
  const driver = e.STORAGE_DRIVER ?? (e.S3_ENDPOINT ? 's3' : 'local');
  const storage: StorageConfig =
    driver === 's3' && e.S3_ENDPOINT
      ? {
          driver: 's3',
          endPoint: new URL(e.S3_ENDPOINT),
          accessKey: e.S3_ACCESS_KEY ?? '',
          secretKey: e.S3_SECRET_KEY ?? '',
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
          pathStyle: e.S3_PATH_STYLE,
          createBucket: e.S3_CREATE_BUCKET,
        }
      : { driver: 'local', dataDir: e.DATA_DIR };
  // Never a constant: without JWT_SECRET, the installation's own secrets from DATA_DIR (made on first
  // start, shared by every process of the installation, tests' stacks included). Production still
  // requires JWT_SECRET (several hosts must share it).
  let generated: SigningSecrets | null = null;
  if (!e.JWT_SECRET) {
    try {
      generated = persistedSecrets(e.DATA_DIR);
    } catch (err) {
      throw new ConfigError(`Invalid configuration: JWT_SECRET: unset, and ${(err as Error).message}`);
    }
  }
  const jwtSecret = e.JWT_SECRET ?? generated!.jwtSecret;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    migrateOnStart: e.MIGRATE_ON_START,
    redisUrl: e.REDIS_URL,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    redisPrefix: e.REDIS_PREFIX,
    storage,
    jwtSecret,
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    signIn: {
      maxFailures: e.SIGNIN_MAX_FAILURES,
      ipMaxFailures: e.SIGNIN_IP_MAX_FAILURES,
      accountMaxFailures: e.SIGNIN_MAX_FAILURES * 10,
      windowSeconds: e.SIGNIN_WINDOW_SECONDS,
    },
    signUp: { rateLimit: e.SIGNUP_RATE_LIMIT, rateWindowSeconds: e.SIGNUP_RATE_WINDOW_SECONDS },
    trustProxy: e.TRUST_PROXY,
    mediaSigningSecret: e.MEDIA_SIGNING_SECRET ?? generated?.mediaSigningSecret ?? deriveMediaSecret(jwtSecret),
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    uploads: {
      rateLimit: e.UPLOAD_RATE_LIMIT,
      rateWindowSeconds: e.UPLOAD_RATE_WINDOW_SECONDS,
      expirySeconds: e.UPLOAD_EXPIRY_SECONDS,
      cleanupIntervalSeconds: e.UPLOAD_CLEANUP_INTERVAL_SECONDS,
    },
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerMetricsPort: e.WORKER_METRICS_PORT ?? null,
    transcode: {
      preset: e.TRANSCODE_PRESET,
      segmentSeconds: e.SEGMENT_SECONDS,
      timeoutSeconds: e.TRANSCODE_TIMEOUT_SECONDS,
      rateControl: e.TRANSCODE_RATE_CONTROL,
      crf: e.TRANSCODE_CRF,
    },
    http: {
      headersMs: e.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestMs: e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      uploadIdleMs: e.UPLOAD_IDLE_TIMEOUT_SECONDS * 1000,
    },
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: { anonymous: Math.min(e.GRAPHQL_MAX_COMPLEXITY_ANONYMOUS, e.GRAPHQL_MAX_COMPLEXITY), signedIn: e.GRAPHQL_MAX_COMPLEXITY },
    },
    responseCache: { enabled: e.RESPONSE_CACHE_ENABLED, ttlSeconds: e.RESPONSE_CACHE_TTL_SECONDS },
    playback: {
      cacheEnabled: e.VIDEO_CACHE_ENABLED,
      cacheTtlSeconds: e.VIDEO_CACHE_TTL_SECONDS,
      cacheNegativeTtlSeconds: e.VIDEO_CACHE_NEGATIVE_TTL_SECONDS,
      cacheJitter: e.VIDEO_CACHE_JITTER,
      mediaTokenTtlSeconds: e.MEDIA_TOKEN_TTL_SECONDS,
      manifestMaxAgeSeconds: e.MANIFEST_MAX_AGE_SECONDS,
      publicMediaBaseUrl: e.PUBLIC_MEDIA_BASE_URL?.replace(/\/$/, '') ?? null,
      redirectPresigned: e.MEDIA_REDIRECT_PRESIGNED,
      viewFlushIntervalMs: e.VIEW_FLUSH_INTERVAL_MS,
      watchFlushIntervalMs: e.WATCH_FLUSH_INTERVAL_MS,
      watchHistoryMax: e.WATCH_HISTORY_MAX,
    },
    derivedMedia: {
      thumbnailRateLimit: e.THUMBNAIL_RATE_LIMIT,
      thumbnailRateWindowSeconds: e.THUMBNAIL_RATE_WINDOW_SECONDS,
      posterMaxBytes: e.POSTER_MAX_BYTES,
      posterMaxDimension: e.POSTER_MAX_DIMENSION,
      captionMaxBytes: e.CAPTION_MAX_BYTES,
    },
    webhooks: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      deliveryRetentionDays: e.WEBHOOK_DELIVERY_RETENTION_DAYS,
    },
    edgePurge: { url: e.EDGE_PURGE_URL ?? null, repeatAfterMs: e.EDGE_PURGE_REPEAT_SECONDS * 1000 },
  };
}

/** For entrypoints: a bad configuration is one clear line on stderr and exit code 78 (EX_CONFIG). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
