package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/internal/config"
	"github.com/stampedehq/stampede/metrics"
)

// Load is the workload settings shared by `worker` and `run`.
type Load struct {
	Target           string        `env:"STAMPEDE_TARGET" help:"base URL of the system under test; overrides the scenario's base_url"`
	Users            int           `env:"STAMPEDE_USERS" envDefault:"10" help:"virtual users (closed model)"`
	SpawnRate        float64       `env:"STAMPEDE_SPAWN_RATE" envDefault:"10" help:"users started or stopped per second; 0 starts them all at once"`
	Rate             float64       `env:"STAMPEDE_RATE" help:"iterations per second (open model); when set, --users is not used"`
	MaxInFlight      int           `env:"STAMPEDE_MAX_IN_FLIGHT" envDefault:"1000" help:"open model: most iterations running at once; arrivals past it are dropped and counted"`
	Model            string        `env:"STAMPEDE_MODEL" help:"closed (users) or open (arrivals); default: open when --rate is set, else closed"`
	Stages           stagesFlag    `env:"STAMPEDE_STAGES" help:"ramps as duration:target,..., e.g. 30s:100,1m:100,30s:0 (users, or iterations/s in the open model)"`
	Duration         time.Duration `env:"STAMPEDE_DURATION" help:"how long to run; 0 runs until stopped, the stages end or the iterations are done"`
	Iterations       int64         `env:"STAMPEDE_ITERATIONS" help:"stop after this many iterations in all; 0 for no limit"`
	RequestTimeout   time.Duration `env:"STAMPEDE_REQUEST_TIMEOUT" envDefault:"30s" help:"bound on each request, body included"`
	GracefulStop     time.Duration `env:"STAMPEDE_GRACEFUL_STOP" envDefault:"10s" help:"at the end, how long requests in flight may finish before they are cancelled"`
	GracefulRampDown time.Duration `env:"STAMPEDE_GRACEFUL_RAMP_DOWN" envDefault:"30s" help:"how long a user being removed may finish its iteration"`
	MaxResponseBytes int64         `env:"STAMPEDE_MAX_RESPONSE_BYTES" envDefault:"1048576" help:"most bytes of a response body kept for checks and extraction (the rest is read and discarded)"`
	Transport        string        `env:"STAMPEDE_TRANSPORT" envDefault:"h1" help:"HTTP client: h1 (plain HTTP/1.1 on each user's goroutine, fastest; TLS, HTTP/2 and proxies still go through net/http) or net/http (Go's client for everything)"`
	MaxConnections   int           `env:"STAMPEDE_MAX_CONNECTIONS" help:"connections to each target host, shared by all users (a pool); 0: as many as users need at once (about one per user)"`
	MaxEndpoints     int           `env:"STAMPEDE_MAX_ENDPOINTS" envDefault:"200" help:"distinct endpoint labels before new ones fold into endpoint=\"other\""`
	Seed             uint64        `env:"STAMPEDE_SEED" help:"random seed for think times, task choice and template functions; 0 picks one"`
}

// open reports whether the settings select the open model.
func (l *Load) open() bool {
	return l.Model == "open" || (l.Model == "" && l.Rate > 0)
}

func (l *Load) validate() error {
	var errs []error
	switch l.Model {
	case "", "open", "closed":
	default:
		errs = append(errs, fmt.Errorf("invalid --model %q: want closed or open", l.Model))
	}
	if l.Model == "closed" && l.Rate > 0 {
		errs = append(errs, fmt.Errorf("--rate %g needs the open model, but --model is closed", l.Rate))
	}
	if l.Users < 0 {
		errs = append(errs, fmt.Errorf("invalid --users %d: must be >= 0", l.Users))
	}
	if l.SpawnRate < 0 {
		errs = append(errs, fmt.Errorf("invalid --spawn-rate %g: must be >= 0", l.SpawnRate))
	}
	if l.Rate < 0 {
		errs = append(errs, fmt.Errorf("invalid --rate %g: must be >= 0", l.Rate))
	}
	if l.MaxInFlight < 1 {
		errs = append(errs, fmt.Errorf("invalid --max-in-flight %d: must be >= 1", l.MaxInFlight))
	}
	if l.Duration < 0 {
		errs = append(errs, fmt.Errorf("invalid --duration %s: must be >= 0", l.Duration))
	}
	if l.Iterations < 0 {
		errs = append(errs, fmt.Errorf("invalid --iterations %d: must be >= 0", l.Iterations))
	}
	if l.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("invalid --request-timeout %s: must be > 0", l.RequestTimeout))
	}
	if l.MaxResponseBytes < 1 {
		errs = append(errs, fmt.Errorf("invalid --max-response-bytes %d: must be >= 1", l.MaxResponseBytes))
	}
	if l.Transport != transportH1 && l.Transport != transportNetHTTP {
		errs = append(errs, fmt.Errorf("invalid --transport %q: want h1 or net/http", l.Transport))
	}
	if l.MaxConnections < 0 {
		errs = append(errs, fmt.Errorf("invalid --max-connections %d: must be >= 0", l.MaxConnections))
	}
	if l.MaxEndpoints < 1 {
		errs = append(errs, fmt.Errorf("invalid --max-endpoints %d: must be >= 1", l.MaxEndpoints))
	}
	return errors.Join(errs...)
}

// engineOptions turns the settings into the generator's options.
func (l *Load) engineOptions(sc *scenario.Scenario, rec generator.Recorder, logger *slog.Logger) generator.Options {
	o := generator.Options{
		Scenario:         sc,
		Recorder:         rec,
		SpawnRate:        l.SpawnRate,
		Stages:           l.Stages.stages,
		Duration:         l.Duration,
		Iterations:       l.Iterations,
		RequestTimeout:   l.RequestTimeout,
		GracefulStop:     l.GracefulStop,
		GracefulRampDown: l.GracefulRampDown,
		MaxResponseBytes: l.MaxResponseBytes,
		Seed:             l.Seed,
		UserAgent:        "stampede/" + version,
		Logger:           logger,
	}
	if len(o.Stages) == 0 {
		o.Stages = sc.Stages // --stages wins over the scenario's
	}
	if l.open() {
		o.Open, o.Rate, o.MaxInFlight = true, l.Rate, l.MaxInFlight
	} else if len(o.Stages) == 0 {
		o.Users = l.Users
	}
	return o
}

// stagesFlag parses --stages / STAMPEDE_STAGES.
type stagesFlag struct{ stages []scenario.Stage }

func (s *stagesFlag) UnmarshalText(b []byte) error {
	if len(strings.TrimSpace(string(b))) == 0 {
		s.stages = nil
		return nil
	}
	stages, err := scenario.ParseStages(string(b))
	s.stages = stages
	return err
}

// workerConfig is everything `stampede worker` reads.
type workerConfig struct {
	Load
	Follow
	Guard
	Logging
	Scenario    string        `env:"STAMPEDE_SCENARIO" help:"scenario YAML file (or the first argument); not used with --controller"`
	MetricsAddr string        `env:"STAMPEDE_METRICS_ADDR" envDefault:":9464" help:"where to serve /metrics (host:port; port 0 picks a free one)"`
	RunID       string        `env:"STAMPEDE_RUN_ID" help:"run id carried by every metric series; default: generated"`
	Out         string        `env:"STAMPEDE_OUT" help:"also write the summary to this file, as JSON (.json) or CSV (.csv)"`
	Linger      time.Duration `env:"STAMPEDE_LINGER" help:"keep serving /metrics this long after the run ends, for a last scrape"`
	Progress    time.Duration `env:"STAMPEDE_PROGRESS_INTERVAL" envDefault:"2s" help:"how often to print progress; 0 for none"`
	PprofAddr   string        `env:"STAMPEDE_PPROF_ADDR" help:"serve Go's net/http/pprof profiles on this loopback host:port, to profile a worker under load; empty: off"`
}

func (c *workerConfig) Validate() error {
	errs := []error{c.Load.validate(), c.Guard.validate()}
	if c.Out != "" && !strings.HasSuffix(c.Out, ".json") && !strings.HasSuffix(c.Out, ".csv") {
		errs = append(errs, fmt.Errorf("invalid --out %q: want a file name ending in .json or .csv", c.Out))
	}
	if c.Progress < 0 {
		errs = append(errs, fmt.Errorf("invalid --progress-interval %s: must be >= 0", c.Progress))
	}
	if c.PprofAddr != "" && !isLoopback(c.PprofAddr) {
		errs = append(errs, fmt.Errorf("invalid --pprof-addr %q: want a loopback host:port such as 127.0.0.1:6060 (profiles reveal the process's memory)", c.PprofAddr))
	}
	return errors.Join(errs...)
}

// servePprof serves net/http/pprof on addr until ctx ends; the returned
// function waits for the server to have stopped.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) (wait func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-addr %q: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("pprof server stopped", "error", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	logger.Info("serving pprof", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { <-done }, nil
}

const workerSummary = `Runs a scenario's virtual users (closed model) or arrivals (open model)
against a target, serves the metrics on /metrics for Prometheus, prints
progress while it runs and a per-endpoint summary at the end.
Exits 0 when all thresholds hold, 1 when one is breached, 2 on bad input.

With --controller URL it instead joins a controller: it heartbeats, takes its
share of the controller's run, and leaves with its final stats on SIGTERM.

Example:
  stampede worker --scenario examples/todo-crud.yaml --target http://127.0.0.1:8080 \
      --users 50 --spawn-rate 10 --duration 30s --metrics-addr 127.0.0.1:9464`

func runWorker(args, environ []string, stdout, stderr io.Writer) int {
	var cfg workerConfig
	rest, logger, code, done := parseCommand(&cfg, config.Command{Name: "stampede worker", Args: "[scenario.yaml]", Summary: workerSummary}, args, environ, stdout, stderr)
	if done {
		return code
	}
	if cfg.PprofAddr != "" {
		pprofCtx, stopPprof := context.WithCancel(context.Background())
		wait, err := servePprof(pprofCtx, cfg.PprofAddr, logger)
		if err != nil {
			stopPprof()
			fmt.Fprintf(stderr, "stampede worker: %v\n", err)
			return exitUsage
		}
		defer wait()
		defer stopPprof()
	}
	if cfg.Scenario == "" && len(rest) > 0 {
		cfg.Scenario, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "stampede worker: unexpected arguments %q\n", rest)
		return exitUsage
	}
	if cfg.Controller != "" {
		if cfg.Scenario != "" {
			fmt.Fprintln(stderr, "stampede worker: --scenario and --controller: with a controller, the scenario comes from the run it starts")
			return exitUsage
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := follow(ctx, &cfg, logger, stderr); err != nil {
			fmt.Fprintf(stderr, "stampede worker: %v\n", err)
			return exitBreached
		}
		return exitOK
	}
	if cfg.Scenario == "" {
		fmt.Fprintln(stderr, "stampede worker: no scenario: give --scenario FILE (or STAMPEDE_SCENARIO), or --controller URL; see examples/todo-crud.yaml")
		return exitUsage
	}
	sc, err := loadScenario(cfg.Scenario, cfg.Target)
	if err == nil {
		err = cfg.Guard.checkLoad(sc, &cfg.Load)
	}
	if err != nil {
		fmt.Fprintf(stderr, "stampede worker: %v\n", err)
		return exitUsage
	}
	if cfg.RunID == "" {
		cfg.RunID = uuid.NewString()[:8]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	summary, err := work(ctx, &cfg, sc, logger, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "stampede worker: %v\n", err)
		return exitUsage
	}
	return finish(summary, cfg.Out, environ, stdout, stderr)
}

// loadScenario loads and validates a scenario file, with the target
// overriding its base URL.
func loadScenario(path, target string) (*scenario.Scenario, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return checkScenario(path, string(raw), target)
}

// work runs one scenario to its end on this process, serving its metrics.
func work(ctx context.Context, cfg *workerConfig, sc *scenario.Scenario, logger *slog.Logger, stderr io.Writer) (*metrics.Summary, error) {
	reg := prometheus.NewRegistry()
	rec, err := metrics.NewRecorder(reg, metrics.Options{RunID: cfg.RunID, Scenario: sc.Name, MaxEndpoints: cfg.MaxEndpoints, Logger: logger})
	if err != nil {
		return nil, err
	}
	defer rec.Shutdown(context.WithoutCancel(ctx))

	srv, err := serveMetrics(cfg.MetricsAddr, logger)
	if err != nil {
		return nil, err
	}
	defer srv.close()
	srv.add(reg)
	logger.Info("worker started", "run_id", cfg.RunID, "scenario", sc.Name, "target", sc.BaseURL, "metrics", "http://"+srv.addr+"/metrics")

	opts := cfg.engineOptions(sc, rec, logger)
	opts.Transport = cfg.Guard.transport(cfg.Transport, max(cfg.Users, cfg.MaxInFlight), cfg.MaxConnections)
	engine, err := generator.New(opts)
	if err != nil {
		return nil, err
	}
	progressCtx, stopProgress := context.WithCancel(ctx)
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		newProgress(stderr, cfg.Progress, func() sample {
			total := rec.Snapshot().Total()
			s := sample{users: engine.ActiveUsers(), targetUsers: cfg.Users, requests: total.Requests, failures: total.Failures, cpu: rec.CPU()}
			if cfg.open() {
				s.targetUsers = cfg.MaxInFlight
			}
			if total.Latency != nil {
				s.p95 = total.Latency.Quantile(0.95)
			}
			return s
		}).run(progressCtx)
	}()
	err = engine.Run(ctx)
	stopProgress()
	<-progressDone
	if err != nil {
		return nil, err
	}
	summary := rec.Snapshot().Summarize(sc.Thresholds)
	if cfg.Linger > 0 {
		logger.Info("run over; serving /metrics a little longer for a last scrape", "linger", cfg.Linger)
		select {
		case <-time.After(cfg.Linger):
		case <-ctx.Done():
		}
	}
	return &summary, nil
}

// finish prints the summary, writes --out, and picks the exit code.
func finish(summary *metrics.Summary, out string, environ []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stdout)
	if err := summary.WriteTableColor(stdout, colorOn(stdout, environ)); err != nil {
		fmt.Fprintf(stderr, "stampede: writing the summary: %v\n", err)
	}
	if out != "" {
		if err := writeSummaryFile(summary, out); err != nil {
			fmt.Fprintf(stderr, "stampede: %v\n", err)
			return exitBreached
		}
		fmt.Fprintf(stderr, "summary written to %s\n", out)
	}
	if !summary.Passed {
		fmt.Fprintln(stderr, "stampede: a threshold was breached")
		return exitBreached
	}
	return exitOK
}
