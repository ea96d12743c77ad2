package metrics

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

type endpointKey struct{ name, method string }

// endpointState holds one endpoint's stats and attribute sets, shared by all
// the EndpointRecorders of that name and method.
type endpointState struct {
	inst         *instruments
	name, method string
	durationOpts []metric.RecordOption

	mu       sync.Mutex // guards the fields below
	requests int64
	failures int64
	sent     int64
	received int64
	statuses []*labelCount // few: the distinct codes seen, scanned linearly
	errors   []*labelCount // few: the distinct reasons seen
	latency  *Histogram
}

// labelCount is one value of the status or reason label of an endpoint: its
// count and its attribute set, made the first time the value is seen.
type labelCount struct {
	code  int // status code, 0 for "error"; unused for reasons
	label string
	attrs []metric.ObserveOption
	n     int64
}

func newEndpointState(inst *instruments, name, method string) *endpointState {
	set := attribute.NewSet(attribute.String(LabelEndpoint, name), attribute.String(LabelMethod, method))
	return &endpointState{
		inst:         inst,
		name:         name,
		method:       method,
		durationOpts: []metric.RecordOption{metric.WithAttributeSet(set)},
		latency:      NewHistogram(),
	}
}

// status returns the count of status code code (0 or less: no response).
// e.mu must be held.
func (e *endpointState) status(code int) *labelCount {
	code = max(code, 0)
	for _, s := range e.statuses {
		if s.code == code {
			return s
		}
	}
	label := StatusError
	if code > 0 {
		label = strconv.Itoa(code)
	}
	s := &labelCount{code: code, label: label, attrs: e.attrs(attribute.String(LabelStatus, label))}
	e.statuses = append(e.statuses, s)
	return s
}

// reason returns the count of error reason reason. e.mu must be held.
func (e *endpointState) reason(reason string) *labelCount {
	for _, r := range e.errors {
		if r.label == reason {
			return r
		}
	}
	r := &labelCount{label: reason, attrs: e.attrs(attribute.String(LabelReason, reason))}
	e.errors = append(e.errors, r)
	return r
}

// attrs returns the attribute set of a series of this endpoint with one more
// label.
func (e *endpointState) attrs(kv attribute.KeyValue) []metric.ObserveOption {
	set := attribute.NewSet(attribute.String(LabelEndpoint, e.name), attribute.String(LabelMethod, e.method), kv)
	return []metric.ObserveOption{metric.WithAttributeSet(set)}
}

// observe reports the endpoint's counters and adds its byte counts to sent
// and received.
func (e *endpointState) observe(o metric.Observer, sent, received *int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.statuses {
		o.ObserveInt64(e.inst.requests, s.n, s.attrs...)
	}
	for _, r := range e.errors {
		o.ObserveInt64(e.inst.requestErrors, r.n, r.attrs...)
	}
	*sent += e.sent
	*received += e.received
}

func (e *endpointState) stats() EndpointStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := EndpointStats{
		Name:          e.name,
		Method:        e.method,
		Requests:      e.requests,
		Failures:      e.failures,
		Statuses:      make(map[string]int64, len(e.statuses)),
		Errors:        make(map[string]int64, len(e.errors)),
		SentBytes:     e.sent,
		ReceivedBytes: e.received,
		Latency:       e.latency.Clone(),
	}
	for _, st := range e.statuses {
		s.Statuses[st.label] += st.n
	}
	for _, r := range e.errors {
		s.Errors[r.label] += r.n
	}
	return s
}

// endpointRecorder is what the generator records one step's requests into.
type endpointRecorder struct {
	state  *endpointState
	checks []*checkState // by the index the generator passes to Check
}

// Request records one completed request: status 0 when no response arrived,
// reason "" for a success. It allocates nothing once the status code and
// reason have been seen before.
func (r *endpointRecorder) Request(status int, reason string, d time.Duration, sentBytes, receivedBytes int64) {
	e := r.state
	e.mu.Lock()
	e.requests++
	e.status(status).n++
	if reason != "" {
		e.failures++
		e.reason(reason).n++
	}
	e.sent += max(sentBytes, 0)
	e.received += max(receivedBytes, 0)
	e.latency.Record(d)
	e.mu.Unlock()

	// Outside the lock: the histogram synchronizes itself.
	e.inst.requestDuration.Record(context.Background(), d.Seconds(), e.durationOpts...)
}

// Check records the outcome of the step's check number index; an index out
// of the range of the checks given to Endpoint is ignored.
func (r *endpointRecorder) Check(index int, passed bool) {
	if uint(index) >= uint(len(r.checks)) {
		return
	}
	if passed {
		r.checks[index].passed.Add(1)
	} else {
		r.checks[index].failed.Add(1)
	}
}

type checkKey struct{ endpoint, name string }

// checkState counts one check of one endpoint name, over all its methods.
type checkState struct {
	key            checkKey
	passed, failed atomic.Int64
	passAttrs      []metric.ObserveOption
	failAttrs      []metric.ObserveOption
}

func newCheckState(key checkKey) *checkState {
	attrs := func(result string) []metric.ObserveOption {
		return []metric.ObserveOption{metric.WithAttributeSet(attribute.NewSet(
			attribute.String(LabelEndpoint, key.endpoint),
			attribute.String(LabelCheck, key.name),
			attribute.String(LabelResult, result),
		))}
	}
	return &checkState{key: key, passAttrs: attrs(ResultPass), failAttrs: attrs(ResultFail)}
}

// observe reports the check's counters, both from the start (at 0), so that
// a ratio of failed to all has data all along.
func (c *checkState) observe(o metric.Observer, counter metric.Int64ObservableCounter) {
	o.ObserveInt64(counter, c.passed.Load(), c.passAttrs...)
	o.ObserveInt64(counter, c.failed.Load(), c.failAttrs...)
}

func (c *checkState) stats() CheckStats {
	return CheckStats{Endpoint: c.key.endpoint, Name: c.key.name, Passed: c.passed.Load(), Failed: c.failed.Load()}
}
