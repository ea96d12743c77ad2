package metrics

// Metric names as Prometheus shows them: a contract with dashboards and
// alert rules, change one only together with everything that uses it.
const (
	MetricRequests          = "stampede_requests_total"
	MetricRequestErrors     = "stampede_request_errors_total"
	MetricRequestDuration   = "stampede_request_duration_seconds"
	MetricIterations        = "stampede_iterations_total"
	MetricIterationsFailed  = "stampede_iterations_failed_total"
	MetricIterationDuration = "stampede_iteration_duration_seconds"
	MetricChecks            = "stampede_checks_total"
	MetricDroppedIterations = "stampede_dropped_iterations_total"
	MetricUsers             = "stampede_users"
	MetricUsersTarget       = "stampede_users_target"
	MetricArrivalRateTarget = "stampede_arrival_rate_target"
	MetricDataSent          = "stampede_data_sent_bytes_total"
	MetricDataReceived      = "stampede_data_received_bytes_total"
	MetricWorkerCPU         = "stampede_worker_cpu_utilization"
	MetricRunInfo           = "stampede_run_info"
)

// Label names.
const (
	LabelRunID    = "run_id"
	LabelScenario = "scenario"
	LabelEndpoint = "endpoint"
	LabelMethod   = "method"
	LabelStatus   = "status"
	LabelReason   = "reason"
	LabelTask     = "task"
	LabelCheck    = "check"
	LabelResult   = "result"
)

// Values of the status and result labels.
const (
	StatusError = "error" // status label of a request that got no response
	ResultPass  = "pass"
	ResultFail  = "fail"
)

// requestDurationBuckets spans what an HTTP request takes, 1ms to 60s,
// denser where service latency objectives usually sit (50ms-1s).
func requestDurationBuckets() []float64 {
	return []float64{
		0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25,
		0.35, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30, 60,
	}
}

// iterationDurationBuckets spans whole iterations, which hold several
// requests and the think time between them: 5ms to 5 minutes.
func iterationDurationBuckets() []float64 {
	return []float64{
		0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
		10, 15, 30, 60, 120, 300,
	}
}
