/**
 * The dependency rule of src/: imports point down the layers, never up or sideways where noted.
 * Checked by `npm test` (test/unit/dependency-rules.test.ts), or by hand with
 * `npx depcruise src --config .dependency-cruiser.cjs`.
 *
 *   entry      src/main.ts, src/worker.ts, src/audit.ts   process entry points (audit: an ops command)
 *   app        src/app/                            the one composition root (builds every object graph)
 *   handlers   src/http/, src/graphql/, src/worker/ routers and server, resolvers, job handlers
 *   services   src/videos/, src/playback/, src/users/, src/webhooks/   the rules
 *   infra      src/db/, src/cache/, src/storage/, src/media/, src/events/, src/jobs/, src/edge/
 *              (edge/ talks to the CDN in front of /videos/…: an adapter to an outside system, like storage/)
 *   base       src/domain/, src/config/, src/utils/, src/errors.ts
 *
 * Within a layer, the order is fixed too (each line below explains why):
 *   - http may import graphql (the HTTP server hosts Apollo and graphql-ws), never the reverse;
 *     the worker imports neither.
 *   - playback may import videos (who may see a video is a videos rule), never the reverse.
 *   - webhooks may import videos (the webhook service implements the lifecycle's VideoEvents
 *     port), never the reverse: the lifecycle knows only its port, app/ plugs webhooks in.
 *   - cache may import db (the metadata cache loads rows through the video repository); the
 *     other infra folders stand alone.
 *   - domain imports nothing else of src/.
 * One exception, explained at its rule: the TypeORM entities' relation cycle.
 */
const layers = {
  entry: '^src/(main|worker|audit)[.]ts$',
  app: '^src/app/',
  handlers: '^src/(http|graphql|worker)/',
  services: '^src/(videos|playback|users|webhooks)/',
  infra: '^src/(db|cache|storage|media|events|jobs|edge)/',
  base: '^src/(domain|config|utils)/|^src/errors[.]ts$',
};

const rule = (name, from, to, comment) => ({ name, severity: 'error', comment, from: { path: from }, to });

const upward = (name, from, above) =>
  rule(name, layers[from], { path: above.map((l) => layers[l]).join('|') }, `${name}: a lower layer must not import a higher one`);

module.exports = {
  forbidden: [
    upward('base-imports-up', 'base', ['infra', 'services', 'handlers', 'app', 'entry']),
    upward('infra-imports-up', 'infra', ['services', 'handlers', 'app', 'entry']),
    upward('services-import-up', 'services', ['handlers', 'app', 'entry']),
    upward('handlers-import-up', 'handlers', ['app', 'entry']),
    upward('app-imports-entry', 'app', ['entry']),
    rule('worker-imports-api-layers', '^src/worker/', { path: '^src/(graphql|http)/' }, 'Job handlers run in the worker process: no GraphQL, no HTTP.'),
    rule('graphql-imports-http', '^src/graphql/', { path: '^src/(http|worker)/' }, 'The HTTP server hosts GraphQL, not the other way round.'),
    rule('http-imports-worker', '^src/http/', { path: '^src/worker/' }, 'The API process runs no job handlers.'),
    rule('videos-imports-playback', '^src/videos/', { path: '^src/playback/' }, 'Playback builds on the videos rules (access), not the reverse.'),
    rule('videos-imports-webhooks', '^src/videos/', { path: '^src/webhooks/' }, 'The lifecycle raises events through its VideoEvents port; app/ wires webhooks to it.'),
    rule('users-imports-videos', '^src/users/', { path: '^src/(videos|playback|webhooks)/' }, 'Accounts know nothing of videos.'),
    rule(
      'infra-siblings',
      '^src/(db|storage|media|events|jobs|edge)/',
      { path: '^src/(db|cache|storage|media|events|jobs|edge)/', pathNot: '^src/$1/' },
      'Infrastructure folders stand alone (only cache reads through db).',
    ),
    rule('cache-imports-infra', '^src/cache/', { path: '^src/(storage|media|events|jobs|edge)/' }, 'The cache reads through db only.'),
    rule('domain-is-a-leaf', '^src/domain/', { path: '^src/', pathNot: '^src/domain/' }, 'Statuses and ids depend on nothing else of src/.'),
    {
      name: 'video-rows-written-by-the-lifecycle-only',
      severity: 'error',
      comment:
        'Every write to a video row goes through videos/video-lifecycle.ts, which invalidates the cache and announces the change; ' +
        'only it (and app/, which constructs it) may use the write repository.',
      from: { pathNot: '^src/videos/video-lifecycle[.]ts$|^src/app/' },
      to: { path: '^src/db/repositories/video-write[.]repository[.]ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'The one exception: TypeORM entities reference each other for their relations (video ↔ renditions), ' +
        'through lazy `() => Entity` functions, which is how TypeORM declares both sides of a relation.',
      from: { path: '^src/', pathNot: '^src/db/entities/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|web|node_modules)/' },
    // Type-only imports count: an upward type import couples the layers just as much.
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
  },
};
