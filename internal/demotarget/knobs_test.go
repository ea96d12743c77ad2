package demotarget

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/fakeclock"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string // a part of the error; "" for none
	}{
		{name: "zero", opts: Options{}},
		{name: "all knobs", opts: Options{ErrorRate: 1, Stall: Stall{For: 1, Every: 2}, Seed: 7}},
		{name: "negative error rate", opts: Options{ErrorRate: -0.1}, wantErr: "ErrorRate -0.1 must be in [0,1]"},
		{name: "error rate above 1", opts: Options{ErrorRate: 1.5}, wantErr: "ErrorRate 1.5 must be in [0,1]"},
		{name: "NaN error rate", opts: Options{ErrorRate: math.NaN()}, wantErr: "ErrorRate NaN"},
		{name: "window as long as the period", opts: Options{Stall: Stall{For: time.Second, Every: time.Second}},
			wantErr: "Stall 1s/1s: window (For) 1s must be shorter than the period (Every) 1s"},
		{name: "no window", opts: Options{Stall: Stall{Every: time.Second}}, wantErr: "window (For) 0s must be positive"},
		{name: "no period", opts: Options{Stall: Stall{For: time.Second}}, wantErr: "period (Every) 0s must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestErrorRateAll checks that ErrorRate 1 fails every counted route with a
// JSON error and leaves the observability routes alone.
func TestErrorRateAll(t *testing.T) {
	s := newTestServer(t, Options{ErrorRate: 1})
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/todo", `{"Description": "d"}`},
		{"GET", "/todo", ""},
		{"GET", "/todo/1", ""},
		{"PUT", "/todo/1", `{}`},
		{"DELETE", "/todo/1", ""},
		{"GET", "/hello", ""},
	} {
		w := serveOne(s, req.method, req.path, req.body)
		mustStatus(t, w, http.StatusInternalServerError)
		if !strings.Contains(w.Body.String(), `"error":"injected failure (ErrorRate)"`) {
			t.Errorf("%s %s: body %q, want the injected JSON error", req.method, req.path, w.Body.String())
		}
	}
	for _, path := range []string{"/stats", "/metrics", "/healthz"} {
		mustStatus(t, serveOne(s, "GET", path, ""), http.StatusOK)
	}
	stats := s.Stats()
	if stats.Total != 6 || stats.Items != 0 {
		t.Errorf("stats %+v, want 6 failures and no items", stats)
	}
}

// TestErrorRateFraction checks that about the given fraction fails, and
// that a seed makes a serial run repeatable.
func TestErrorRateFraction(t *testing.T) {
	const requests = 2000
	statuses := func(seed uint64) []int {
		s := newTestServer(t, Options{ErrorRate: 0.25, Seed: seed})
		codes := make([]int, requests)
		for i := range codes {
			codes[i] = serveOne(s, "GET", "/hello", "").Code
		}
		if got := s.Stats().Routes["GET /hello"]; got["200"]+got["500"] != requests {
			t.Fatalf("counted %v, want %d responses", got, requests)
		}
		return codes
	}
	first := statuses(42)
	failed := 0
	for _, code := range first {
		if code == http.StatusInternalServerError {
			failed++
		}
	}
	// A binomial(2000, 0.25) lands in [400, 600] but for a 1e-7 chance, and
	// the seed fixes it anyway.
	if failed < 400 || failed > 600 {
		t.Errorf("%d of %d failed, want about 25%%", failed, requests)
	}
	again := statuses(42)
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("request %d: status %d, then %d with the same seed", i, first[i], again[i])
		}
	}
}

// TestLatencyDelays checks that a fixed latency holds a request at least
// that long (never an upper bound: the machine is shared).
func TestLatencyDelays(t *testing.T) {
	const latency = 30 * time.Millisecond
	s := newTestServer(t, Options{Latency: Latency{dist: latencyFixed, a: latency}})
	start := time.Now()
	mustStatus(t, serveOne(s, "GET", "/hello", ""), http.StatusOK)
	if took := time.Since(start); took < latency {
		t.Errorf("request took %v, want at least %v", took, latency)
	}
	// The observability routes are never delayed; their handlers do not
	// even look at the knobs, so only check they answer.
	mustStatus(t, serveOne(s, "GET", "/stats", ""), http.StatusOK)
}

// TestStallDecides checks the delay drawn for requests inside and outside a
// stall window, with the test clock, and that a latency adds to it.
func TestStallDecides(t *testing.T) {
	clock := fakeclock.New()
	start := clock.Now()
	s := newTestServer(t, Options{
		Stall:   Stall{For: time.Second, Every: 10 * time.Second},
		Latency: Latency{dist: latencyFixed, a: 5 * time.Millisecond},
		Now:     clock.Now,
	})
	tests := []struct {
		elapsed time.Duration
		want    time.Duration
	}{
		{0, 5 * time.Millisecond},
		{8 * time.Second, 5 * time.Millisecond},
		{9800 * time.Millisecond, 205 * time.Millisecond},
		{29100 * time.Millisecond, 905 * time.Millisecond},
	}
	for _, tt := range tests {
		clock.Set(start.Add(tt.elapsed))
		if got, fail := s.decide(); got != tt.want || fail {
			t.Errorf("at %v: decide() = %v, %v; want %v, false", tt.elapsed, got, fail, tt.want)
		}
	}
}

// TestStallHolds checks that a request arriving 200ms before the end of a
// stall window is held at least those 200ms.
func TestStallHolds(t *testing.T) {
	clock := fakeclock.New()
	start := clock.Now()
	s := newTestServer(t, Options{Stall: Stall{For: time.Second, Every: 10 * time.Second}, Now: clock.Now})
	clock.Set(start.Add(9800 * time.Millisecond))
	began := time.Now()
	mustStatus(t, serveOne(s, "POST", "/todo", `{"Description": "d"}`), http.StatusCreated)
	if took := time.Since(began); took < 200*time.Millisecond {
		t.Errorf("stalled request took %v, want at least 200ms", took)
	}
	clock.Set(start.Add(10 * time.Second))
	if delay, _ := s.decide(); delay != 0 {
		t.Errorf("after the window: delay %v, want 0", delay)
	}
}

// TestClientLeavesWhileHeld checks that a client giving up frees its held
// handler at once, and that the request, never answered, is not counted.
func TestClientLeavesWhileHeld(t *testing.T) {
	for _, req := range []struct{ method, body string }{{"GET", ""}, {"POST", `{"Description": "d"}`}} {
		t.Run(req.method, func(t *testing.T) {
			s := newTestServer(t, Options{Latency: Latency{dist: latencyFixed, a: time.Hour}})
			ts := httptest.NewServer(s.Handler())
			defer ts.Close() // blocks until the handler returns

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				r, err := http.NewRequestWithContext(ctx, req.method, ts.URL+"/todo", strings.NewReader(req.body))
				if err != nil {
					done <- err
					return
				}
				resp, err := ts.Client().Do(r)
				if err == nil {
					_ = resp.Body.Close()
				}
				done <- err
			}()
			waitHeld(t, s, 1)
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("client error %v, want context.Canceled", err)
			}
			waitHeld(t, s, 0)
			if stats := s.Stats(); stats.Total != 0 {
				t.Errorf("stats %+v, want nothing counted", stats)
			}
		})
	}
}

// waitHeld waits, up to 10s, until s holds n requests.
func waitHeld(t *testing.T, s *Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.held.Load() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests held after 10s, want %d", s.held.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
