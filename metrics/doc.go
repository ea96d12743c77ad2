// Package metrics records what the load engine measures. Its Recorder
// implements generator.Recorder and keeps every measurement in two forms:
//
//   - as OpenTelemetry instruments exported by the OTel Prometheus exporter
//     into a client_golang registry, which the CLI serves on /metrics for
//     Prometheus and Grafana (names below); and
//   - as the run's cumulative per-endpoint stats with mergeable HDR latency
//     histograms (Snapshot), which feed the end-of-run Summary, the
//     thresholds, and the worker's heartbeats to the controller, which merges
//     the snapshots of all workers (never a percentile of percentiles).
//
// # Exposed metrics
//
// The names are a contract with dashboards and alert rules:
//
//	stampede_requests_total                 counter   endpoint, method, status ("200"…, "error" when no response)
//	stampede_request_errors_total           counter   endpoint, method, reason
//	stampede_request_duration_seconds       histogram endpoint, method
//	stampede_iterations_total               counter   task
//	stampede_iterations_failed_total        counter   task
//	stampede_iteration_duration_seconds     histogram task
//	stampede_checks_total                   counter   endpoint, check, result ("pass" | "fail")
//	stampede_dropped_iterations_total       counter
//	stampede_users                          gauge
//	stampede_users_target                   gauge
//	stampede_arrival_rate_target            gauge
//	stampede_data_sent_bytes_total          counter
//	stampede_data_received_bytes_total      counter
//	stampede_worker_cpu_utilization         gauge     0..1 of the process's CPU quota
//	stampede_run_info                       gauge = 1 scenario
//
// Every series also carries run_id. The exporter adds no otel_scope_* labels
// and no target_info, and no unit or _total suffixes of its own: the
// instruments are named exactly as above.
//
// The latency histograms have explicit (classic) buckets only. A native
// histogram alongside them in the same family cannot come through
// OpenTelemetry: the SDK keeps one aggregation per stream name (a second view
// of the same name is deduplicated into the first), and the exporter turns an
// explicit-bucket aggregation into a classic histogram and an exponential one
// into a native histogram without classic buckets, never both.
//
// # Cardinality
//
// Past Options.MaxEndpoints distinct endpoint names, new names are recorded
// as endpoint="other", and a warning is logged once.
//
// # Cost
//
// Request, Check, Iteration and DroppedIteration allocate nothing: every
// attribute set is built when Endpoint or Task is called, or the first time a
// status code or error reason is seen. The counters are OTel observable
// counters that read the Recorder's own counts when Prometheus scrapes, so a
// request costs one lock, one HDR histogram update and one OTel histogram
// measurement (about 150ns); a check or a dropped iteration, one atomic add.
package metrics
