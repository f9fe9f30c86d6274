import { randomBytes } from 'node:crypto';
import type { SimulatorOptions, SimulatorReference } from '../testing/simulator.js';
import { toNodeHandler, type NodeHandler } from './node.js';
import { publicOrigin } from './origin.js';
import { createCharacterProxy, type CharacterProxyOptions, type FetchHandler, type ProxyLogger } from './proxy.js';
import { memoryStorage, storedName, type UploadStorage } from './storage.js';

/** Options of `characterProxyPlugin`: the proxy's options, plus what to do without a key. */
export interface CharacterProxyPluginOptions extends Omit<CharacterProxyOptions, 'uploads'> {
  /**
   * Reference uploads (`POST {basePath}/uploads`), as the proxy's `uploads`; `false` for none.
   * While simulating, files kept in memory by default, so a dropped photo works out of the box
   * and the simulated images show it. With a key there is no default: PixelDojo must fetch the
   * reference, and it cannot fetch a file from your dev machine (give a storage with a public URL).
   * At most 20 files are kept (the oldest go first), each for an hour: anyone who can reach the
   * dev server (your LAN with `--host`) can post one; other sites' pages cannot (403).
   * @default { storage: memoryStorage({ maxFiles: 20 }) } on the simulator; none with a key
   */
  uploads?: CharacterProxyOptions['uploads'];
  /** The path the proxy answers under in the dev server. @default '/api/character' */
  basePath?: string;
  /**
   * Used when there is no `apiKey` and no `PIXELDOJO_API_KEY`: options of the in-process
   * simulator the proxy then talks to, or `false` to never simulate (the proxy answers 500).
   * With `uploads` whose storage can `read`, the simulated images embed a reference uploaded
   * through this plugin (read from the storage, never over the network); a `readReference` given
   * here is asked about every other URL; other references show the placeholder.
   * @default { speed: 5 }, reading back the references uploaded through this plugin
   */
  simulator?: Omit<SimulatorOptions, 'apiKey' | 'basePath' | 'imagePath'> | false;
  /** Where the simulator is mounted; the browser loads its images from `{simulatorPath}/images/…`. @default '/api/simulator' */
  simulatorPath?: string;
}

/** The subset of a Vite dev or preview server the plugin uses. */
export interface ViteServerLike {
  middlewares: { use(handler: NodeHandler): unknown };
  config: { logger: { info(message: string): void; warn(message: string): void; error(message: string): void } };
}

/** The subset of Vite's resolved config the plugin reads (to find `.env` files). */
export interface ViteConfigLike {
  mode: string;
  root: string;
  envDir?: string | false;
}

/** A Vite plugin object (typed structurally, so this entry does not need Vite's types). */
export interface CharacterProxyVitePlugin {
  name: string;
  configResolved(config: ViteConfigLike): Promise<void>;
  configureServer(server: ViteServerLike): Promise<void>;
  configurePreviewServer(server: ViteServerLike): Promise<void>;
}

/**
 * `PIXELDOJO_API_KEY` from Vite's `.env` files (Vite only exposes `VITE_*` variables itself).
 * Vite is imported by a computed name so bundling this entry never pulls Vite in.
 */
async function keyFromEnvFiles(config: ViteConfigLike): Promise<string | undefined> {
  if (config.envDir === false) return undefined;
  try {
    const vite = 'vite';
    const { loadEnv } = (await import(/* @vite-ignore */ vite)) as { loadEnv(mode: string, dir: string, prefixes: string): Record<string, string> };
    return loadEnv(config.mode, config.envDir || config.root, 'PIXELDOJO_').PIXELDOJO_API_KEY || undefined;
  } catch {
    return undefined;
  }
}

const MAX_ORIGINS = 8;
/** How many uploads the simulator's default memory storage keeps (20 × 10 MB at most). */
const DEFAULT_UPLOADS_KEPT = 20;
/** How many upload URLs the plugin remembers for the simulator to read back (the oldest go first). */
const MAX_ISSUED = 1000;

/**
 * The plugin's upload storage, remembering each URL it hands out, and a reader the simulator
 * embeds references with: it answers only those URLs, from the storage itself (no network, so
 * no request to anything a user typed), and `undefined` for every other URL.
 */
function readableUploads(storage: UploadStorage): { storage: UploadStorage; readReference: (url: string) => Promise<SimulatorReference | undefined> } {
  const issued = new Map<string, string>();
  return {
    storage: {
      publicPath: storage.publicPath,
      async put(bytes, info) {
        const stored = await storage.put(bytes, info);
        const name = storedName(stored.url);
        if (name) {
          issued.delete(stored.url);
          issued.set(stored.url, name);
          while (issued.size > MAX_ISSUED) issued.delete(issued.keys().next().value!);
        }
        return stored;
      },
      ...(storage.read ? { read: (name: string) => storage.read!(name) } : {}),
    },
    async readReference(url) {
      const name = issued.get(url);
      return name === undefined || !storage.read ? undefined : storage.read(name);
    },
  };
}

function viteLogger(server: ViteServerLike): ProxyLogger {
  const logger = server.config.logger;
  const format = (message: string, data?: Record<string, unknown>) => `[character proxy] ${message}${data ? ` ${JSON.stringify(data)}` : ''}`;
  return { warn: (message, data) => logger.warn(format(message, data)), error: (message, data) => logger.error(format(message, data)) };
}

/**
 * Mounts the character proxy in Vite's dev (and preview) server at `basePath`. With a key
 * (`apiKey`, `PIXELDOJO_API_KEY` in the environment or in Vite's `.env` files) it talks to PixelDojo; without one it runs the simulator
 * from `react-ideogram-character/testing` in the same process as its upstream, serves the
 * simulated images at `{simulatorPath}/images/…` (showing a reference uploaded through the
 * plugin's `uploads`), and says so in the terminal.
 *
 * @example
 * // vite.config.ts
 * export default defineConfig({ plugins: [react(), characterProxyPlugin()] })
 */
export function characterProxyPlugin(options: CharacterProxyPluginOptions = {}): CharacterProxyVitePlugin {
  const basePath = (options.basePath ?? '/api/character').replace(/\/+$/, '');
  const simulatorPath = (options.simulatorPath ?? '/api/simulator').replace(/\/+$/, '');

  let envFileKey: string | undefined;

  async function mount(server: ViteServerLike): Promise<void> {
    const logger = options.logger ?? viteLogger(server);
    const hasKey = Boolean(options.apiKey || process.env.PIXELDOJO_API_KEY || envFileKey);
    if (hasKey || options.simulator === false) {
      // An explicit apiKey wins; else the environment (read per request), else the .env files.
      const apiKey = options.apiKey ?? (process.env.PIXELDOJO_API_KEY ? undefined : envFileKey);
      const proxy = createCharacterProxy({ ...options, apiKey, basePath, logger });
      server.middlewares.use(toNodeHandler(proxy));
      server.config.logger.info(`  ➜  Character proxy: ${basePath} → ${options.upstreamUrl ?? 'https://pixeldojo.ai/api/v1'}`);
      return;
    }

    const { createSimulator } = await import('../testing/simulator.js');
    // A throwaway key shared by proxy and simulator: the proxy path is exercised exactly as in production.
    const simulatedKey = `sim_${randomBytes(12).toString('hex')}`;
    // A fresh seed per start: job ids must not repeat across restarts, or a job handle the
    // browser saved before the restart would resume against someone else's job.
    const seed = Number.parseInt(randomBytes(4).toString('hex'), 16) || 1;
    // The simulated images embed a reference uploaded here (read back from the storage); an
    // <img> shows no external image inside an SVG, so a pasted link keeps the placeholder.
    const uploadOptions = options.uploads === false ? undefined : (options.uploads ?? { storage: memoryStorage({ maxFiles: DEFAULT_UPLOADS_KEPT }) });
    const uploads = uploadOptions && readableUploads(uploadOptions.storage);
    // A readReference of the app's own (e.g. for a page asset) is asked about every other URL.
    const theirs = options.simulator ? options.simulator.readReference : undefined;
    const readReference = uploads && theirs ? async (url: string) => (await uploads.readReference(url)) ?? theirs(url) : (uploads?.readReference ?? theirs);
    // Images at {simulatorPath}/images/…, not the simulator's default {basePath}/simulator/images/….
    const simulator = createSimulator({
      speed: 5,
      seed,
      ...(options.simulator || {}),
      readReference,
      apiKey: simulatedKey,
      basePath: simulatorPath,
      imagePath: '/images',
    });
    // The simulator builds image URLs from the origin it is called at, so each browser-facing
    // origin (localhost, 127.0.0.1, a LAN address Vite allowed) gets a proxy whose upstream URL is on it.
    const proxies = new Map<string, FetchHandler>();
    const proxyFor = (origin: string): FetchHandler => {
      let proxy = proxies.get(origin);
      if (!proxy) {
        proxy = createCharacterProxy({
          ...options,
          uploads: uploads ? { ...uploadOptions, storage: uploads.storage } : undefined,
          basePath,
          logger,
          apiKey: simulatedKey,
          upstreamUrl: `${origin}${simulatorPath}`,
          fetch: (request) => simulator(request),
        });
        proxies.set(origin, proxy);
        while (proxies.size > MAX_ORIGINS) proxies.delete(proxies.keys().next().value!);
      }
      return proxy;
    };
    const trustProxy = options.trustProxy ?? false;
    server.middlewares.use(toNodeHandler((request) => proxyFor(publicOrigin(request, trustProxy).origin)(request)));

    // Only the simulator's image routes are reachable from the browser; its API needs the key.
    const images = toNodeHandler(simulator);
    const imagePrefix = `${simulatorPath}/images/`;
    server.middlewares.use((req, res, next) => {
      const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
      if ((req.method === 'GET' || req.method === 'HEAD') && url.startsWith(imagePrefix)) images(req, res);
      else next?.();
    });
    server.config.logger.info(
      `  ➜  Character proxy: ${basePath} → simulated PixelDojo (no PIXELDOJO_API_KEY set; jobs and images are simulated)`,
    );
  }

  return {
    name: 'react-ideogram-character:proxy',
    async configResolved(config) {
      envFileKey = await keyFromEnvFiles(config);
    },
    configureServer: mount,
    configurePreviewServer: mount,
  };
}
