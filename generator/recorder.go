package generator

import "time"

// Error reasons, the values of the `reason` label of stampede_request_errors_total.
const (
	ReasonTimeout = "timeout"
	ReasonRefused = "refused"
	ReasonReset   = "reset"
	ReasonDNS     = "dns"
	ReasonTLS     = "tls"
	ReasonStatus  = "status" // an HTTP status >= 400 where the step checks no status
	ReasonCheck   = "check"  // a check or an extraction failed
	ReasonOther   = "other"
)

// Recorder receives everything the generator measures. It is declared here,
// where it is consumed; metrics.Recorder implements it. Handles are resolved
// once per step and task before load starts, so that recording on the hot path
// needs no lookup and no allocation.
type Recorder interface {
	// Endpoint returns the recorder for one step's requests. checks names the
	// step's checks in order; EndpointRecorder.Check takes an index into it.
	Endpoint(name, method string, checks []string) EndpointRecorder
	// Task returns the recorder for one task's iterations.
	Task(name string) TaskRecorder
	// DroppedIteration counts an open-model arrival that found no free slot.
	DroppedIteration()
	// SetUsers reports the number of running virtual users (or in-flight
	// iterations in the open model).
	SetUsers(active int)
	// SetUsersTarget reports the number of users the worker is ramping to.
	SetUsersTarget(target int)
	// SetArrivalRateTarget reports the open model's target iterations/s.
	SetArrivalRateTarget(perSecond float64)
}

// EndpointRecorder records the requests of one endpoint (step name and method).
type EndpointRecorder interface {
	// Request records one completed request. status is 0 when no response
	// arrived; reason is "" for a success, else one of the Reason constants.
	// d is measured from the intended send time in the open model.
	Request(status int, reason string, d time.Duration, sentBytes, receivedBytes int64)
	// Check records the outcome of the step's check number index.
	Check(index int, passed bool)
}

// TaskRecorder records the iterations of one task.
type TaskRecorder interface {
	// Iteration records one finished iteration; ok is false when any of its
	// requests failed or it was cut short.
	Iteration(d time.Duration, ok bool)
}
