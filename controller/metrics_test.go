package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/stampedehq/stampede/controller/api"
)

// fakeScaler records what it is asked.
type fakeScaler struct {
	mu       sync.Mutex
	desired  int
	ready    int
	scaleErr error
	calls    []int
}

func (f *fakeScaler) Replicas(context.Context) (int, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.desired, f.ready, nil
}

func (f *fakeScaler) Scale(_ context.Context, n int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, n)
	if f.scaleErr != nil {
		return f.scaleErr
	}
	f.desired = n
	return nil
}

func (f *fakeScaler) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scaleErr = err
}

func (f *fakeScaler) asked() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.calls...)
}

func (e *env) scrape() map[string]*dto.MetricFamily {
	e.t.Helper()
	got := e.send("GET", "/metrics", "", nil)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(got.body))
	if err != nil {
		e.t.Fatalf("parsing /metrics: %v", err)
	}
	return families
}

func TestMetricsExposed(t *testing.T) {
	scaler := &fakeScaler{ready: 1}
	e := newEnv(t, Options{Scaler: scaler})
	e.startRun(api.RunRequest{Users: 7})
	e.beat(api.Heartbeat{ID: "w1"})
	if _, err := e.client.Scale(e.ctx(), 4); err != nil {
		t.Fatal(err)
	}
	scaler.fail(errors.New("the API server is down"))
	_, err := e.client.Scale(e.ctx(), 5)
	apiError(t, err, 502, "replicas")

	families := e.scrape()
	want := []struct {
		name   string
		typ    dto.MetricType
		labels string // of the one series checked, as name=value pairs
		value  float64
	}{
		{"stampede_controller_workers", dto.MetricType_GAUGE, "state=live", 1},
		{"stampede_controller_desired_workers", dto.MetricType_GAUGE, "", 4},
		{"stampede_controller_target_users", dto.MetricType_GAUGE, "", 7},
		{"stampede_controller_workers_lost_total", dto.MetricType_COUNTER, "", 0},
		{"stampede_controller_scale_operations_total", dto.MetricType_COUNTER, "result=ok", 1},
		{"stampede_controller_scale_operations_total", dto.MetricType_COUNTER, "result=error", 1},
		{"stampede_controller_heartbeat_duration_seconds", dto.MetricType_HISTOGRAM, "", 1},
		{"go_goroutines", dto.MetricType_GAUGE, "", -1},
		{"process_cpu_seconds_total", dto.MetricType_COUNTER, "", -1},
	}
	for _, w := range want {
		f := families[w.name]
		if f == nil {
			t.Errorf("%s is not exposed", w.name)
			continue
		}
		if f.GetType() != w.typ {
			t.Errorf("%s is a %v, want %v", w.name, f.GetType(), w.typ)
		}
		found := false
		for _, m := range f.Metric {
			var pairs []string
			for _, l := range m.Label {
				pairs = append(pairs, l.GetName()+"="+l.GetValue())
			}
			if strings.Join(pairs, ",") != w.labels {
				continue
			}
			found = true
			var v float64
			switch {
			case m.Gauge != nil:
				v = m.Gauge.GetValue()
			case m.Counter != nil:
				v = m.Counter.GetValue()
			case m.Histogram != nil:
				v = float64(m.Histogram.GetSampleCount())
			}
			if w.value >= 0 && v != w.value {
				t.Errorf("%s{%s} = %v, want %v", w.name, w.labels, v, w.value)
			}
		}
		if !found {
			t.Errorf("%s has no series {%s}", w.name, w.labels)
		}
	}
}

func TestScaleThroughTheScaler(t *testing.T) {
	scaler := &fakeScaler{ready: 2}
	store := &MemoryStore{}
	e := newEnv(t, Options{Scaler: scaler, Store: store})
	got, err := e.client.Scale(e.ctx(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if asked := scaler.asked(); got.Desired != 3 || got.Ready != 2 || len(asked) != 1 || asked[0] != 3 {
		t.Fatalf("scale answered %+v; scaler asked %v", got, asked)
	}
	st, err := store.Load(t.Context())
	if err != nil || st.Replicas == nil || *st.Replicas != 3 {
		t.Fatalf("saved replicas: %+v, %v", st.Replicas, err)
	}
	scaler.fail(fmt.Errorf("not scalable: one worker per node (DaemonSet): %w", ErrNotScalable))
	_, err = e.client.Scale(e.ctx(), 4)
	apiError(t, err, 409, "replicas")
}

// heldScaler is a fakeScaler whose next Replicas read, once held, answers
// what it read only when released: a slow periodic read.
type heldScaler struct {
	fakeScaler
	hold     chan struct{} // closed by the read being held, once it has read
	release  chan struct{}
	holdNext bool
}

func (h *heldScaler) Replicas(ctx context.Context) (int, int, error) {
	desired, ready, err := h.fakeScaler.Replicas(ctx)
	h.mu.Lock()
	held := h.holdNext
	h.holdNext = false
	h.mu.Unlock()
	if held {
		close(h.hold)
		<-h.release
	}
	return desired, ready, err
}

// TestSlowScalerReadDoesNotUndoAScale: a periodic read begun before a
// Scale, answering after it, must not put the old replicas back in the
// status (seen against a real API server, where reads are slower).
func TestSlowScalerReadDoesNotUndoAScale(t *testing.T) {
	scaler := &heldScaler{fakeScaler: fakeScaler{desired: 2, ready: 2}, hold: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, Options{Scaler: scaler})
	scaler.mu.Lock()
	scaler.holdNext = true
	scaler.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.c.refreshScaler(t.Context())
	}()
	<-scaler.hold // the periodic read has read 2 replicas

	got, err := e.client.Scale(e.ctx(), 4)
	if err != nil {
		t.Fatal(err)
	}
	close(scaler.release)
	<-done
	e.c.mu.Lock()
	view := e.c.scaler
	e.c.mu.Unlock()
	if got.Desired != 4 || view.desired != 4 {
		t.Errorf("after scaling to 4 while a slow read of 2 was under way: scale answered %d, status holds %d", got.Desired, view.desired)
	}
}
