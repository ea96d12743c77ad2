package demotarget

import (
	"io"
	"net/http"
	"sync"
)

// routeOf maps the pattern that served r to a counted route; ok is false for
// the uncounted observability endpoints.
func routeOf(r *http.Request) (route int, ok bool) {
	switch r.Pattern {
	case patternCreate:
		return routeCreate, true
	case patternList:
		return routeList, true
	case patternGet:
		return routeGet, true
	case patternUpdate:
		return routeUpdate, true
	case patternDelete:
		return routeDelete, true
	case patternHello:
		return routeHello, true
	}
	switch r.URL.Path {
	case pathStats, pathMetrics, pathHealthz:
		return 0, false
	}
	return routeOther, true
}

// statusRecorder remembers the status a handler wrote, so that the response
// can be counted after it was written.
type statusRecorder struct {
	http.ResponseWriter
	status int // 0 until the handler writes
}

func (rec *statusRecorder) WriteHeader(status int) {
	// 1xx responses are interim; the final status comes after them.
	if rec.status == 0 && (status >= 200 || status == http.StatusSwitchingProtocols) {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

// WriteString spares the []byte conversion of io.WriteString.
func (rec *statusRecorder) WriteString(text string) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return io.WriteString(rec.ResponseWriter, text)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// countingHandler serves requests through mux and counts each response once
// it has been written. A request whose handler wrote nothing (its client left
// during a delay) is not counted: nothing was served.
type countingHandler struct {
	mux       *http.ServeMux
	counts    *counters
	recorders sync.Pool // of *statusRecorder; saves an allocation per request
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec, _ := h.recorders.Get().(*statusRecorder)
	if rec == nil {
		rec = &statusRecorder{}
	}
	rec.ResponseWriter, rec.status = w, 0
	h.mux.ServeHTTP(rec, r)
	status := rec.status
	rec.ResponseWriter = nil // do not keep the connection's writer alive
	h.recorders.Put(rec)
	if status == 0 {
		return
	}
	if route, ok := routeOf(r); ok {
		h.counts.add(route, status)
	}
}
