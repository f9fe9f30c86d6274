import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { ImageContentType } from './image-header.js';

/** What the proxy tells storage about an upload. */
export interface UploadPutInfo {
  /** The type decided from the file's magic bytes. */
  contentType: ImageContentType;
  /**
   * Where the proxy serves files this storage can `read`: `{request origin}{basePath}/uploads`,
   * the origin taken from `X-Forwarded-Proto`/`X-Forwarded-Host` when the proxy has `trustProxy`.
   * Storages without a `publicUrl` of their own build their URLs on it.
   */
  baseUrl: string;
}

/** A file read back from storage. */
export interface StoredFile {
  /** The bytes as stored. */
  bytes: Uint8Array;
  /** The type decided at upload time. */
  contentType: ImageContentType;
}

/**
 * Where uploaded reference images go. The upstream must be able to fetch the returned URL.
 * Implement `put` for your own store (S3, R2, …); add `read` (and `publicPath`) to have the
 * proxy serve the files itself.
 */
export interface UploadStorage {
  /** Store the bytes; resolve with a public http(s) URL and, optionally, when it stops working. */
  put(bytes: Uint8Array, info: UploadPutInfo): Promise<{ url: string; expiresAt?: string }>;
  /** Read a stored file back by its name (the last path segment of its URL); `undefined` when gone. */
  read?(name: string): Promise<StoredFile | undefined>;
  /** The URL path under which the proxy serves `read` files. @default `{basePath}/uploads` */
  readonly publicPath?: string;
}

const EXTENSIONS: Record<ImageContentType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const TYPES_BY_EXTENSION: Record<string, ImageContentType> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Names this module hands out: a UUID and one of three extensions. Nothing else is ever read. */
export const STORED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(jpg|png|webp)$/;

/**
 * The name a stored file is read back by (`UploadStorage.read`): the last segment of the path of
 * its URL (`location` is that URL, or a path starting with `/`). With `under`, the path the proxy
 * serves files at, only a path exactly one segment below it has a name (`{under}/{name}`);
 * anything else gives `undefined`. Internal: the proxy and the Vite plugin share this rule.
 */
export function storedName(location: string, under?: string): string | undefined {
  const path = location.startsWith('/') ? location : new URL(location).pathname;
  if (under !== undefined) {
    if (!path.startsWith(`${under}/`)) return undefined;
    const name = path.slice(under.length + 1);
    return name.includes('/') ? undefined : name;
  }
  return path.slice(path.lastIndexOf('/') + 1);
}

function newName(contentType: ImageContentType): string {
  return `${randomUUID()}.${EXTENSIONS[contentType]}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function publicPathOf(publicUrl: string | undefined): string | undefined {
  if (!publicUrl) return undefined;
  return trimSlash(new URL(publicUrl).pathname);
}

export interface MemoryStorageOptions {
  /** Base URL the files are reachable at (the proxy's own path when left out; see the proxy's `trustProxy` behind a TLS-terminating proxy). @default `{request origin}{basePath}/uploads` */
  publicUrl?: string;
  /** How long a file is kept and served, in ms. @default 3_600_000 (one hour) */
  ttlMs?: number;
  /** The most files kept; the oldest go first. @default 100 */
  maxFiles?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Keeps uploads in this process's memory and lets the proxy serve them: for development, tests
 * and single-instance demos. Files expire after `ttlMs` and the oldest are dropped past `maxFiles`.
 *
 * @example
 * createCharacterProxy({ uploads: { storage: memoryStorage() } })
 */
export function memoryStorage(options: MemoryStorageOptions = {}): UploadStorage {
  const ttlMs = options.ttlMs ?? 3_600_000;
  const maxFiles = options.maxFiles ?? 100;
  const now = options.now ?? Date.now;
  const files = new Map<string, StoredFile & { expiresAt: number }>();
  return {
    publicPath: publicPathOf(options.publicUrl),
    async put(bytes, info) {
      const name = newName(info.contentType);
      const expiresAt = now() + ttlMs;
      files.set(name, { bytes: bytes.slice(), contentType: info.contentType, expiresAt });
      while (files.size > maxFiles) files.delete(files.keys().next().value!);
      return { url: `${trimSlash(options.publicUrl ?? info.baseUrl)}/${name}`, expiresAt: new Date(expiresAt).toISOString() };
    },
    async read(name) {
      const file = files.get(name);
      if (!file) return undefined;
      if (file.expiresAt <= now()) {
        files.delete(name);
        return undefined;
      }
      return { bytes: file.bytes, contentType: file.contentType };
    },
  };
}

export interface FileSystemStorageOptions {
  /** The directory files are written to (created when missing). */
  directory: string;
  /** The public base URL of that directory, e.g. `https://app.example/api/character/uploads`; the proxy serves GETs under its path. */
  publicUrl: string;
}

/**
 * Writes uploads to a directory under random names and lets the proxy serve them back under
 * the path of `publicUrl` (with the stored type and `nosniff`). Nothing outside the directory
 * and no name it did not hand out can be read.
 *
 * @example
 * fileSystemStorage({ directory: './uploads', publicUrl: 'https://app.example/api/character/uploads' })
 */
export function fileSystemStorage(options: FileSystemStorageOptions): UploadStorage {
  const directory = resolve(options.directory);
  const publicUrl = trimSlash(options.publicUrl);
  let ready: Promise<unknown> | undefined;
  return {
    publicPath: publicPathOf(publicUrl),
    async put(bytes, info) {
      ready ??= mkdir(directory, { recursive: true });
      await ready;
      const name = newName(info.contentType);
      await writeFile(resolve(directory, name), bytes, { flag: 'wx' });
      return { url: `${publicUrl}/${name}` };
    },
    async read(name) {
      const match = STORED_NAME.exec(name);
      if (!match) return undefined;
      const path = resolve(directory, name);
      if (!path.startsWith(directory + sep)) return undefined;
      try {
        const bytes = await readFile(path);
        return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType: TYPES_BY_EXTENSION[match[1]!]! };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}
