package controller

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stampedehq/stampede/controller/api"
)

// routes builds the API router: the design's table, with JSON 404 and 405
// answers, and the bearer token (or the control page's session and CSRF
// token) on every call that changes something.
func (c *Controller) routes() http.Handler {
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(notFound)
	r.MethodNotAllowedHandler = methodNotAllowed(r)
	get := func(path string, h http.Handler) {
		r.Handle(path, h).Methods(http.MethodGet, http.MethodHead)
	}
	change := func(method, path string, h http.HandlerFunc) {
		r.Handle(path, c.requireAuth(h)).Methods(method)
	}

	get("/", http.HandlerFunc(c.handlePage))
	r.Handle("/login", http.HandlerFunc(c.handleLogin)).Methods(http.MethodPost)
	get(pathControlJS, http.HandlerFunc(handleControlJS))
	get(api.PathStatus, http.HandlerFunc(c.handleStatus))
	change(http.MethodPost, api.PathRuns, c.handleStartRun)
	change(http.MethodPatch, api.PathRun, c.handlePatchRun)
	change(http.MethodPost, api.PathRunStop, c.handleStopRun)
	get(api.PathSummary, http.HandlerFunc(c.handleSummary))
	get(api.PathReport, http.HandlerFunc(c.handleReport))
	get(api.PathWorkers, http.HandlerFunc(c.handleWorkers))
	change(http.MethodPut, api.PathScale, c.handleScale)
	change(http.MethodPost, api.PathHeartbeat, c.handleHeartbeat)
	change(http.MethodDelete, api.PathWorkers+"/{id}", c.handleLeave)
	get(api.PathSD, http.HandlerFunc(c.handleSD))
	get("/metrics", promhttp.HandlerFor(c.opts.Registry, promhttp.HandlerOpts{Registry: c.opts.Registry}))
	get("/healthz", http.HandlerFunc(handleHealthz))
	get("/readyz", http.HandlerFunc(c.handleReadyz))
	return r
}

func (c *Controller) handleStatus(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, c.Status())
}

func (c *Controller) handleStartRun(w http.ResponseWriter, r *http.Request) {
	req, err := api.DecodeRunRequest(http.MaxBytesReader(w, r.Body, c.opts.MaxBodyBytes))
	if err != nil {
		writeError(w, err)
		return
	}
	if err := c.StartRun(r.Context(), req); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, c.runInfo())
}

func (c *Controller) handlePatchRun(w http.ResponseWriter, r *http.Request) {
	p, err := api.DecodeRunPatch(http.MaxBytesReader(w, r.Body, c.opts.MaxBodyBytes))
	if err != nil {
		writeError(w, err)
		return
	}
	if err := c.PatchRun(r.Context(), p); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c.runInfo())
}

func (c *Controller) handleStopRun(w http.ResponseWriter, r *http.Request) {
	if err := c.StopRun(r.Context()); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c.runInfo())
}

// runInfo describes the current run, or is nil.
func (c *Controller) runInfo() *api.RunInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == nil {
		return nil
	}
	return c.run.info()
}

func (c *Controller) handleSummary(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		writeError(w, badRequest("format", "%q: want json or csv", format))
		return
	}
	if c.runInfo() == nil {
		writeError(w, &api.Error{Status: http.StatusNotFound, Message: "no run has been started yet"})
		return
	}
	sum := c.Summary()
	if format != "csv" {
		writeJSON(w, http.StatusOK, sum)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="summary-`+sum.RunID+`.csv"`)
	if err := sum.WriteCSV(w); err != nil {
		c.log.Warn("writing the CSV summary", "err", err)
	}
}

func (c *Controller) handleWorkers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, c.Workers())
}

func (c *Controller) handleScale(w http.ResponseWriter, r *http.Request) {
	req, err := api.DecodeScale(http.MaxBytesReader(w, r.Body, c.opts.MaxBodyBytes))
	if err != nil {
		writeError(w, err)
		return
	}
	if err := c.Scale(r.Context(), req.Replicas); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c.Status().Workers)
}

func (c *Controller) handleHeartbeat(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() { c.metrics.heartbeat.Observe(time.Since(start).Seconds()) }()
	hb, stats, err := api.DecodeHeartbeatRawStats(http.MaxBytesReader(w, r.Body, c.opts.MaxHeartbeatBytes))
	if err != nil {
		writeError(w, err)
		return
	}
	hb.MetricsAddr = resolveMetricsAddr(hb.MetricsAddr, r.RemoteAddr)
	writeJSON(w, http.StatusOK, c.heartbeat(hb, stats))
}

func (c *Controller) handleLeave(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if err := api.ValidWorkerID(id); err != nil {
		writeError(w, err)
		return
	}
	c.leave(id)
	w.WriteHeader(http.StatusNoContent)
}

func (c *Controller) handleSD(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, c.serviceDiscovery())
}

func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReadyz says whether the controller answers from its state: it is
// loaded before New returns, and Run ending means the controller is going.
func (c *Controller) handleReadyz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !c.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("shutting down\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
