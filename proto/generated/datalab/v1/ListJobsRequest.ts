// Original file: proto/datalab/v1/job_service.proto


/**
 * Request of ListJobs (AIP-158 pagination, AIP-160-style filter).
 */
export interface ListJobsRequest {
  /**
   * Jobs per page, 1 .. 1000; 0 = 50. Larger values are clamped to 1000.
   */
  'pageSize'?: (number);
  /**
   * next_page_token of the previous page; empty for the first page. Opaque; it fails with
   * INVALID_ARGUMENT if altered or used with a different filter.
   */
  'pageToken'?: (string);
  /**
   * Optional filter: clauses joined by AND; each is `state = X`, `kind = Y`, or a group
   * `state = (X OR Y)`. Values are enum names with or without prefix: `state = RUNNING`,
   * `state = (QUEUED OR LEASED) AND kind = SYNTHESIS`. Empty = all of the caller's jobs.
   */
  'filter'?: (string);
}

/**
 * Request of ListJobs (AIP-158 pagination, AIP-160-style filter).
 */
export interface ListJobsRequest__Output {
  /**
   * Jobs per page, 1 .. 1000; 0 = 50. Larger values are clamped to 1000.
   */
  'pageSize': (number);
  /**
   * next_page_token of the previous page; empty for the first page. Opaque; it fails with
   * INVALID_ARGUMENT if altered or used with a different filter.
   */
  'pageToken': (string);
  /**
   * Optional filter: clauses joined by AND; each is `state = X`, `kind = Y`, or a group
   * `state = (X OR Y)`. Values are enum names with or without prefix: `state = RUNNING`,
   * `state = (QUEUED OR LEASED) AND kind = SYNTHESIS`. Empty = all of the caller's jobs.
   */
  'filter': (string);
}
