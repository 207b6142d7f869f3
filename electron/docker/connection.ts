import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';

/**
 * Where the Docker engine is, the way the docker CLI decides it: DOCKER_HOST when set
 * (unix://, npipe://, tcp:// with optional TLS), else the platform default — the named pipe
 * `//./pipe/docker_engine` on Windows (Docker Desktop), the unix socket elsewhere.
 */
export function dockerConnectionOptions(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): DockerOptions {
  const host = env.DOCKER_HOST?.trim();
  if (!host) {
    return { socketPath: platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock' };
  }
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) {
    // npipe:////./pipe/docker_engine → //./pipe/docker_engine
    return { socketPath: host.slice('npipe://'.length).replace(/^\/\/\/\//, '//') };
  }
  if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    const tls = Boolean(env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0') || url.protocol === 'https:';
    const options: DockerOptions = {
      host: url.hostname,
      port: Number(url.port || (tls ? 2376 : 2375)),
      protocol: tls ? 'https' : 'http',
    };
    if (tls && env.DOCKER_CERT_PATH) {
      options.ca = readFileSync(join(env.DOCKER_CERT_PATH, 'ca.pem'));
      options.cert = readFileSync(join(env.DOCKER_CERT_PATH, 'cert.pem'));
      options.key = readFileSync(join(env.DOCKER_CERT_PATH, 'key.pem'));
    }
    return options;
  }
  // An unknown scheme (ssh:// etc.) is passed as a socket path so the ping fails with a clear message.
  return { socketPath: host };
}

/** A short text naming the endpoint, for messages ("Docker is not running at …"). */
export function describeConnection(options: DockerOptions): string {
  if (options.socketPath) return String(options.socketPath);
  return `${options.protocol ?? 'http'}://${options.host}:${options.port}`;
}
