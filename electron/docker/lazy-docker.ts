import type Docker from 'dockerode';
import type { ContainerInfo, DockerOptions } from 'dockerode';
import { engineGetJson } from './engine-http';

/**
 * The engine client, loaded on first use. Requiring dockerode costs ~0.25 s (it pulls in ssh2, grpc
 * and protobufjs); a `dify-stack timeouts` or `env get` only lists containers, which one plain GET
 * answers (engine-http.ts), so it never pays for the client. The app uses it from its first status on.
 */
export function lazyDocker(options: DockerOptions): Docker {
  let real: Docker | null = null;
  const client = (): Docker => {
    // A plain require so the bundle loads dockerode here, not at start (esbuild keeps it in place).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    real ??= new (require('dockerode') as typeof Docker)(options);
    return real;
  };
  return new Proxy({} as Docker, {
    get(_target, prop) {
      const docker = client();
      const value: unknown = Reflect.get(docker, prop, docker);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(docker) : value;
    },
  });
}

/** `GET /containers/json?all=1&filters=…`: what `docker.listContainers({ all: true, filters })` asks. */
export async function listContainersHttp(
  options: DockerOptions,
  filters: Record<string, string[]>,
  timeoutMs = 30_000,
): Promise<ContainerInfo[]> {
  const list = await engineGetJson(options, containersPath(filters), timeoutMs);
  if (!Array.isArray(list)) throw new Error('GET /containers/json: not a list');
  return list as ContainerInfo[];
}

/** The path of that GET. */
export function containersPath(filters: Record<string, string[]>): string {
  return `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify(filters))}`;
}
