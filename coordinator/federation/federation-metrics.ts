/**
 * Prometheus metrics of federated rounds (registered by ../metrics.ts on the coordinator's
 * registry). Prometheus naming: base units, `_total` on counters only, no job/round/holder labels.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface FederationMetrics {
  readonly roundsCompleted: Counter;
  readonly roundDurationSeconds: Histogram;
  readonly participantsPerRound: Histogram;
  readonly stragglersDropped: Counter;
  readonly updatesRejected: Counter;
  readonly updateBytes: Counter;
  readonly epsilonSpent: Gauge;
  readonly lastRoundTimestampSeconds: Gauge;
}

export function createFederationMetrics(registry: Registry): FederationMetrics {
  const registers = [registry];
  return {
    roundsCompleted: new Counter({ name: "datalab_federation_rounds_completed_total", help: "Federated rounds aggregated and committed.", registers }),
    roundDurationSeconds: new Histogram({
      name: "datalab_federation_round_duration_seconds",
      help: "Time from sending a round's tasks to committing its model.",
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    participantsPerRound: new Histogram({
      name: "datalab_federation_round_participants",
      help: "Updates aggregated per committed round.",
      buckets: [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    }),
    stragglersDropped: new Counter({ name: "datalab_federation_stragglers_dropped_total", help: "Holders whose update missed a round deadline.", registers }),
    updatesRejected: new Counter({
      name: "datalab_federation_updates_rejected_total",
      help: "Updates rejected as poisoned (NaN, Inf, norm far above the bound).",
      registers,
    }),
    updateBytes: new Counter({ name: "datalab_federation_update_bytes_total", help: "Bytes of model updates accepted from holders.", registers }),
    epsilonSpent: new Gauge({
      name: "datalab_federation_epsilon_spent",
      help: "Privacy loss spent so far by the federated job that last committed a round.",
      registers,
    }),
    lastRoundTimestampSeconds: new Gauge({
      name: "datalab_federation_last_successful_round_timestamp_seconds",
      help: "Unix time of the last committed federated round.",
      registers,
    }),
  };
}
