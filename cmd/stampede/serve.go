package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/stampedehq/stampede/metrics"
)

// metricsServer serves /metrics until closed: the process's own
// collectors, and the gatherers added to it (the run's registry).
type metricsServer struct {
	addr  string
	srv   *http.Server
	done  chan struct{}
	close func()

	mu        sync.Mutex
	gatherers prometheus.Gatherers
}

// serveMetrics listens on addr at once (so a bad address fails before any
// load) and serves /metrics and /healthz.
func serveMetrics(addr string, logger *slog.Logger) (*metricsServer, error) {
	base := prometheus.NewRegistry()
	base.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %q: %w", addr, err)
	}
	s := &metricsServer{addr: ln.Addr().String(), done: make(chan struct{}), gatherers: prometheus.Gatherers{base}}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s, promhttp.HandlerOpts{EnableOpenMetrics: true, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", "error", err)
		}
	}()
	s.close = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
		<-s.done
	}
	return s, nil
}

// add serves g's metrics too.
func (s *metricsServer) add(g prometheus.Gatherer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gatherers = append(s.gatherers, g)
}

// Gather makes the server the Gatherer of its own handler.
func (s *metricsServer) Gather() ([]*dto.MetricFamily, error) {
	s.mu.Lock()
	gs := s.gatherers
	s.mu.Unlock()
	return gs.Gather()
}

// writeSummaryFile writes the summary as JSON or CSV, by the file's extension.
func writeSummaryFile(s *metrics.Summary, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	switch filepath.Ext(path) {
	case ".csv":
		err = s.WriteCSV(f)
	default:
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		err = enc.Encode(s)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	return nil
}
