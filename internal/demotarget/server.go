package demotarget

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are the knobs of a Server. The zero value serves as fast as it can.
type Options struct {
	// Latency is added to every counted request before it is answered.
	Latency Latency
	// ErrorRate is the fraction, in [0,1], of counted requests answered 500
	// (after Latency and Stall) instead of being served.
	ErrorRate float64
	// Stall periodically holds every counted request; see Stall.
	Stall Stall
	// Seed seeds the random numbers of Latency and ErrorRate. Every value,
	// 0 included, is a fixed seed: a serial run with the same seed makes the
	// same decisions.
	Seed uint64
	// Now is the clock the stall windows are computed with; time.Now when
	// nil. Tests inject one to place a request inside or outside a window.
	Now func() time.Time
}

// Server is the demo ToDo target. Create it with New; it is safe for
// concurrent use.
type Server struct {
	latency   Latency
	errorRate float64
	stall     Stall
	now       func() time.Time
	start     time.Time // stall windows are aligned to it

	// rng is guarded by rngMu: math/rand/v2's Rand is not safe for
	// concurrent use. It is only locked when a knob needs a random number.
	rngMu sync.Mutex
	rng   *rand.Rand

	items    *store
	counts   *counters
	held     atomic.Int64 // requests currently held by Latency or Stall
	bodies   sync.Pool    // of *[]byte request body buffers
	encoders sync.Pool    // of *jsonEncoder
	registry *prometheus.Registry
	handler  http.Handler
}

// New validates opts and returns a Server. Its stall windows start now (by
// opts.Now).
func New(opts Options) (*Server, error) {
	if math.IsNaN(opts.ErrorRate) || opts.ErrorRate < 0 || opts.ErrorRate > 1 {
		return nil, fmt.Errorf("demotarget: ErrorRate %v must be in [0,1]", opts.ErrorRate)
	}
	if err := opts.Stall.validate(); err != nil {
		return nil, fmt.Errorf("demotarget: Stall %s: %w", opts.Stall, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		latency:   opts.Latency,
		errorRate: opts.ErrorRate,
		stall:     opts.Stall,
		now:       now,
		start:     now(),
		// The second PCG word is derived from the seed so that one number
		// is enough to reproduce a run.
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		items:  newStore(),
		counts: &counters{},
	}
	s.registry = newRegistry(s)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler serving every route of the target.
func (s *Server) Handler() http.Handler { return s.handler }

// Stats returns what the server has served so far.
func (s *Server) Stats() Stats {
	stats := s.counts.snapshot()
	stats.Items = s.items.len()
	return stats
}

// routes builds the handler: the API routes behind the knobs, the
// observability routes beside them, all counted by countingHandler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(patternCreate, s.counted(readsBody, s.createTodo))
	mux.HandleFunc(patternList, s.counted(noBody, s.listTodos))
	mux.HandleFunc(patternGet, s.counted(noBody, s.getTodo))
	mux.HandleFunc(patternUpdate, s.counted(readsBody, s.updateTodo))
	mux.HandleFunc(patternDelete, s.counted(noBody, s.deleteTodo))
	mux.HandleFunc(patternHello, s.counted(noBody, hello))
	mux.HandleFunc("GET "+pathStats, s.serveStats)
	mux.Handle("GET "+pathMetrics, promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET "+pathHealthz, healthz)
	return &countingHandler{mux: mux, counts: s.counts}
}

func (s *Server) serveStats(w http.ResponseWriter, _ *http.Request) {
	s.writeJSON(w, http.StatusOK, s.Stats())
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header()["Content-Type"] = textContentType
	_, _ = io.WriteString(w, "ok\n")
}

func hello(w http.ResponseWriter, _ *http.Request, _ []byte) {
	w.Header()["Content-Type"] = textContentType
	_, _ = io.WriteString(w, "hello\n")
}
