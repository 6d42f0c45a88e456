// Original file: proto/datalab/v1/node_service.proto

import type { ResultFile as _datalab_v1_ResultFile, ResultFile__Output as _datalab_v1_ResultFile__Output } from '../../datalab/v1/ResultFile.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What a holder returns for a federated task.
 */
export interface FederatedResult {
  /**
   * The update file: RESULT_KIND_MODEL_UPDATE (TRAIN), RESULT_KIND_MEASUREMENTS (MEASURE) or
   * RESULT_KIND_SCORES (SCORE). Its chunks are uploaded with UploadChunk (or sent inline) first.
   * A MODEL_UPDATE is (local - global) float32 parameters, already clipped to clip_norm per
   * participant (summed over included shards).
   */
  'update'?: (_datalab_v1_ResultFile | null);
  /**
   * Local training examples behind the update (FedAvg weight). With DP the server ignores it and
   * divides by the expected cohort size instead.
   */
  'exampleCount'?: (number | string | Long);
  /**
   * Participants summed in the update: 1, or the included shards (0 = nothing to add).
   */
  'participantCount'?: (number);
  /**
   * Participants whose update norm was at most clip_norm before clipping (adaptive clipping's
   * b_i, summed over shards).
   */
  'unclippedCount'?: (number);
  /**
   * Example-weighted mean local training loss of the last local epoch.
   */
  'localLoss'?: (number | string);
}

/**
 * What a holder returns for a federated task.
 */
export interface FederatedResult__Output {
  /**
   * The update file: RESULT_KIND_MODEL_UPDATE (TRAIN), RESULT_KIND_MEASUREMENTS (MEASURE) or
   * RESULT_KIND_SCORES (SCORE). Its chunks are uploaded with UploadChunk (or sent inline) first.
   * A MODEL_UPDATE is (local - global) float32 parameters, already clipped to clip_norm per
   * participant (summed over included shards).
   */
  'update': (_datalab_v1_ResultFile__Output | null);
  /**
   * Local training examples behind the update (FedAvg weight). With DP the server ignores it and
   * divides by the expected cohort size instead.
   */
  'exampleCount': (number);
  /**
   * Participants summed in the update: 1, or the included shards (0 = nothing to add).
   */
  'participantCount': (number);
  /**
   * Participants whose update norm was at most clip_norm before clipping (adaptive clipping's
   * b_i, summed over shards).
   */
  'unclippedCount': (number);
  /**
   * Example-weighted mean local training loss of the last local epoch.
   */
  'localLoss': (number);
}
