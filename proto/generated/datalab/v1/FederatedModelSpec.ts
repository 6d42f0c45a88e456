// Original file: proto/datalab/v1/node_service.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The model a federated training job trains. Parameters travel as one flat little-endian
 * float32 vector: for each layer in order (hidden layers, then the output layer) its weight
 * matrix of shape [inputs x outputs] in row-major order (weights[i * outputs + o]), then its
 * bias of length outputs.
 */
export interface FederatedModelSpec {
  /**
   * "classification" or "regression".
   */
  'task'?: (string);
  /**
   * Column to predict.
   */
  'targetColumn'?: (string);
  /**
   * Hidden layer widths (ReLU after each); empty = logistic / linear regression.
   */
  'hiddenLayerSizes'?: (number)[];
  /**
   * Width of the encoded input: tabular's feature encoding of the shared schema without the
   * target column. A holder whose own encoding is wider or narrower refuses the task.
   */
  'inputDimension'?: (number);
  /**
   * Outputs: the target's category count (classification) or 1 (regression).
   */
  'outputDimension'?: (number);
  /**
   * Total parameters (length of the float32 vector).
   */
  'parameterCount'?: (number | string | Long);
}

/**
 * The model a federated training job trains. Parameters travel as one flat little-endian
 * float32 vector: for each layer in order (hidden layers, then the output layer) its weight
 * matrix of shape [inputs x outputs] in row-major order (weights[i * outputs + o]), then its
 * bias of length outputs.
 */
export interface FederatedModelSpec__Output {
  /**
   * "classification" or "regression".
   */
  'task': (string);
  /**
   * Column to predict.
   */
  'targetColumn': (string);
  /**
   * Hidden layer widths (ReLU after each); empty = logistic / linear regression.
   */
  'hiddenLayerSizes': (number)[];
  /**
   * Width of the encoded input: tabular's feature encoding of the shared schema without the
   * target column. A holder whose own encoding is wider or narrower refuses the task.
   */
  'inputDimension': (number);
  /**
   * Outputs: the target's category count (classification) or 1 (regression).
   */
  'outputDimension': (number);
  /**
   * Total parameters (length of the float32 vector).
   */
  'parameterCount': (number);
}
