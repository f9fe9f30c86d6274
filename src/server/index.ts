export {
  createCharacterProxy,
  JOB_ID_PATTERN,
  type CharacterProxyOptions,
  type FetchHandler,
  type ProxyLogger,
  type ProxyUploadsOptions,
  type RateLimitDecision,
} from './proxy.js';
export type { ProxyErrorBody } from './respond.js';
export { toNodeHandler, type NodeHandler } from './node.js';
export {
  characterProxyPlugin,
  type CharacterProxyPluginOptions,
  type CharacterProxyVitePlugin,
  type ViteServerLike,
} from './vite.js';
export {
  memoryStorage,
  fileSystemStorage,
  type UploadStorage,
  type UploadPutInfo,
  type StoredFile,
  type MemoryStorageOptions,
  type FileSystemStorageOptions,
} from './storage.js';
export { sniffImage, type ImageInfo, type ImageContentType } from './image-header.js';
