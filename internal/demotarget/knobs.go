package demotarget

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"
)

// errShuttingDown is the cause with which Serve cancels the requests it
// holds, to tell a shutdown from a client that left.
var errShuttingDown = errors.New("demotarget: server shutting down")

// routeHandler serves one counted route; body is the request body, read
// before the knobs hold the request.
type routeHandler func(w http.ResponseWriter, r *http.Request, body []byte)

// Whether a counted route reads a request body.
const (
	readsBody = true
	noBody    = false
)

// counted wraps a counted route: it reads the body (when the route takes
// one), holds the request for Stall and Latency, fails it for ErrorRate, and
// otherwise lets next serve it.
func (s *Server) counted(takesBody bool, next routeHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if takesBody {
			// Reading the body first also lets net/http notice a client
			// that disconnects while its request is held: it only watches
			// the connection once the body is consumed.
			buf := s.bodyBuffer()
			defer s.bodies.Put(buf)
			var ok bool
			if body, ok = s.readBody(w, r, buf); !ok {
				return
			}
		}
		delay, fail := s.decide()
		if delay > 0 && !s.hold(w, r, delay) {
			return
		}
		if fail {
			s.writeError(w, http.StatusInternalServerError, "injected failure (ErrorRate)")
			return
		}
		next(w, r, body)
	}
}

// decide draws what the knobs do to one request: how long to hold it and
// whether to fail it.
func (s *Server) decide() (delay time.Duration, fail bool) {
	if !s.stall.IsZero() {
		delay = s.stall.remaining(s.now().Sub(s.start))
	}
	randomLatency := s.latency.random()
	randomFailure := s.errorRate > 0 && s.errorRate < 1
	var latency time.Duration
	switch {
	case randomLatency || randomFailure:
		s.rngMu.Lock()
		latency = s.latency.sample(s.rng)
		if randomFailure {
			fail = s.rng.Float64() < s.errorRate
		}
		s.rngMu.Unlock()
	default:
		latency = s.latency.sample(nil)
	}
	if !randomFailure {
		fail = s.errorRate == 1
	}
	if latency > math.MaxInt64-delay { // saturate rather than wrap around
		return math.MaxInt64, fail
	}
	return delay + latency, fail
}

// hold waits for delay and reports whether the request should go on. A
// client that leaves frees the handler at once, with nothing written (and so
// nothing counted); a shutdown answers 503.
func (s *Server) hold(w http.ResponseWriter, r *http.Request, delay time.Duration) bool {
	s.held.Add(1)
	defer s.held.Add(-1)
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		if errors.Is(context.Cause(r.Context()), errShuttingDown) {
			s.writeError(w, http.StatusServiceUnavailable, "server shutting down")
		}
		return false
	}
}
