/**
 * proto/: the datalab.v1 wire contract (datalab/v1/*.proto), its TypeScript types, typed client
 * constructors, authentication helpers, and chunked transfer helpers. coordinator/ and trainer/
 * meet only here.
 */
export { type CallOptions, callJob, callNode, deadlineAfterSeconds, hasStatus, type JobUnaryMethod, type NodeUnaryMethod, unaryCall } from "./calls.js";
export {
  ChunkIntegrityError,
  chunkBuffer,
  type FileChunk,
  isSha256Hex,
  type Manifest,
  manifestOfFile,
  manifestProblem,
  mediaTypeForName,
  readFileChunks,
  sha256Hex,
  verifyChunk,
} from "./chunks.js";
export {
  AUTHORIZATION_METADATA_KEY,
  bearerTokenInterceptor,
  type ClientTls,
  CredentialsFileError,
  connectJobService,
  connectNodeService,
  type NodeTls,
  readClientTls,
  readNodeTls,
  tlsLayout,
} from "./credentials.js";
export { JobKind as JOB_KINDS } from "./generated/datalab/v1/JobKind.js";
export { JobState as JOB_STATES } from "./generated/datalab/v1/JobState.js";
export { ResultKind as RESULT_KINDS } from "./generated/datalab/v1/ResultKind.js";
export {
  CHANNEL_OPTIONS,
  createJobClient,
  createNodeClient,
  type DatalabProto,
  JOB_SERVICE_NAME,
  jobServiceDefinition,
  LOADER_OPTIONS,
  loadDatalabProto,
  NODE_SERVICE_NAME,
  nodeServiceDefinition,
  PROTO_FILES,
  ProtoLoadError,
  protoRoot,
} from "./load.js";
export { type ChunkStreamMessage, type ChunkUploader, downloadFile, type OpenChunkStream, toManifest, type UploadReport, uploadFile } from "./transfer.js";
export { restartGraceSeconds, type Tunables, tunables } from "./tunables.js";
export type * from "./types.js";
export { FolderLockedError, type FolderLock, LOCK_FILE, LOCK_HOLDER_FILE, lockFolder } from "./folder-lock.js";
export {
  createPrivateFile,
  loosenedPaths,
  loosenedWarnings,
  makePrivateDir,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  restrictNewFilesToOwner,
} from "./private-folder.js";
