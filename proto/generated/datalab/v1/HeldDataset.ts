// Original file: proto/datalab/v1/node_service.proto

import type { HolderPolicySummary as _datalab_v1_HolderPolicySummary, HolderPolicySummary__Output as _datalab_v1_HolderPolicySummary__Output } from '../../datalab/v1/HolderPolicySummary.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A dataset a holder keeps locally and offers to federated jobs: its schema, never its rows.
 */
export interface HeldDataset {
  /**
   * Shared dataset name agreed among holders (1 .. 128 characters of [A-Za-z0-9._-]); jobs
   * name it in FederatedSpec.dataset_id.
   */
  'datasetId'?: (string);
  /**
   * The dataset's TableSchema as JSON (the `--schema` file format). Holders of one dataset_id
   * declare the same shared schema (categories included) so their encodings agree; the
   * coordinator refuses a job whose holders' schemas differ.
   */
  'schemaJson'?: (string);
  /**
   * Row count rounded down to a coarse bucket (1, 2, 5 x 10^k), so the exact count is not revealed.
   */
  'rowCountBucket'?: (number | string | Long);
  /**
   * The holder's policy for this dataset.
   */
  'policy'?: (_datalab_v1_HolderPolicySummary | null);
}

/**
 * A dataset a holder keeps locally and offers to federated jobs: its schema, never its rows.
 */
export interface HeldDataset__Output {
  /**
   * Shared dataset name agreed among holders (1 .. 128 characters of [A-Za-z0-9._-]); jobs
   * name it in FederatedSpec.dataset_id.
   */
  'datasetId': (string);
  /**
   * The dataset's TableSchema as JSON (the `--schema` file format). Holders of one dataset_id
   * declare the same shared schema (categories included) so their encodings agree; the
   * coordinator refuses a job whose holders' schemas differ.
   */
  'schemaJson': (string);
  /**
   * Row count rounded down to a coarse bucket (1, 2, 5 x 10^k), so the exact count is not revealed.
   */
  'rowCountBucket': (number);
  /**
   * The holder's policy for this dataset.
   */
  'policy': (_datalab_v1_HolderPolicySummary__Output | null);
}
