// Original file: proto/datalab/v1/job_service.proto

import type { Job as _datalab_v1_Job, Job__Output as _datalab_v1_Job__Output } from '../../datalab/v1/Job.js';

/**
 * Response of ListJobs.
 */
export interface ListJobsResponse {
  /**
   * The page of jobs, newest first.
   */
  'jobs'?: (_datalab_v1_Job)[];
  /**
   * Token for the next page; empty when this is the last page.
   */
  'nextPageToken'?: (string);
  /**
   * Number of the caller's jobs that match the filter (all pages).
   */
  'totalSize'?: (number);
}

/**
 * Response of ListJobs.
 */
export interface ListJobsResponse__Output {
  /**
   * The page of jobs, newest first.
   */
  'jobs': (_datalab_v1_Job__Output)[];
  /**
   * Token for the next page; empty when this is the last page.
   */
  'nextPageToken': (string);
  /**
   * Number of the caller's jobs that match the filter (all pages).
   */
  'totalSize': (number);
}
