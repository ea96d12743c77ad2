package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/internal/config"
	"github.com/stampedehq/stampede/internal/demotarget"
	"github.com/stampedehq/stampede/metrics"
)

// runConfig is everything `stampede run` reads.
type runConfig struct {
	Load
	Control
	Guard
	Logging
	Workers  int           `env:"STAMPEDE_WORKERS" envDefault:"2" help:"local worker processes"`
	Listen   string        `env:"STAMPEDE_LISTEN" envDefault:"127.0.0.1:0" help:"address of the controller's API and status page (port 0 picks a free one)"`
	Out      string        `env:"STAMPEDE_OUT" help:"also write the summary to this file, as JSON (.json) or CSV (.csv)"`
	Report   string        `env:"STAMPEDE_REPORT" help:"also write the run's report to this file: one HTML file with charts over time, the endpoints and the thresholds, that opens offline"`
	Progress time.Duration `env:"STAMPEDE_PROGRESS_INTERVAL" envDefault:"2s" help:"how often to print progress; 0 for none"`
	Verbose  bool          `env:"STAMPEDE_VERBOSE" help:"show the workers' own logs"`

	Prometheus       bool          `env:"STAMPEDE_PROMETHEUS" help:"also start the prometheus found on PATH, scraping the workers (through the controller's service discovery) every second"`
	PrometheusListen string        `env:"STAMPEDE_PROMETHEUS_LISTEN" help:"with --prometheus: its address; default a free port on 127.0.0.1"`
	Linger           time.Duration `env:"STAMPEDE_LINGER" help:"after the summary, keep the controller (and Prometheus) up this long to look around"`
}

func (c *runConfig) Validate() error {
	errs := []error{c.Load.validate(), c.Control.validate(c.Listen), c.Guard.validate()}
	if c.Workers < 1 || c.Workers > 64 {
		errs = append(errs, fmt.Errorf("invalid --workers %d: want 1..64", c.Workers))
	}
	if c.Iterations != 0 {
		errs = append(errs, fmt.Errorf("--iterations %d: stampede run bounds a run by --duration or --stages, not by iterations", c.Iterations))
	}
	if c.Out != "" && filepath.Ext(c.Out) != ".json" && filepath.Ext(c.Out) != ".csv" {
		errs = append(errs, fmt.Errorf("invalid --out %q: want a file name ending in .json or .csv", c.Out))
	}
	if c.Report != "" && filepath.Ext(c.Report) != ".html" && filepath.Ext(c.Report) != ".htm" {
		errs = append(errs, fmt.Errorf("invalid --report %q: want a file name ending in .html", c.Report))
	}
	return errors.Join(errs...)
}

const runSummary = `Runs a whole load test on this machine: a controller, --workers local worker
processes, and, with no scenario given, the demo ToDo target with the CRUD
scenario. Shows live progress, prints a per-endpoint summary merged from all
workers, and exits 0 when every threshold holds, 1 when one is breached, 2 on
bad input. Ctrl-C stops the run early and still prints the summary.

Examples:
  stampede run --duration 30s                      # the demo target and the CRUD scenario
  stampede run examples/todo-crud.yaml --target http://127.0.0.1:8080 --workers 3 \
      --users 300 --spawn-rate 30 --duration 2m --out summary.json`

func runLocal(args, environ []string, stdout, stderr io.Writer) int {
	var cfg runConfig
	rest, logger, code, done := parseCommand(&cfg, config.Command{Name: "stampede run", Args: "[scenario.yaml]", Summary: runSummary}, args, environ, stdout, stderr)
	if done {
		return code
	}
	if len(rest) > 1 {
		fmt.Fprintf(stderr, "stampede run: unexpected arguments %q: give at most one scenario file\n", rest[1:])
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The scenario: a file, or the demo target and its CRUD scenario.
	var text, source string
	if len(rest) == 1 {
		source = rest[0]
		raw, err := os.ReadFile(source)
		if err != nil {
			fmt.Fprintf(stderr, "stampede run: %v\n", err)
			return exitUsage
		}
		text = string(raw)
		if _, err := checkScenario(source, text, cfg.Target); err != nil {
			fmt.Fprintf(stderr, "stampede run: %v\n", err)
			return exitUsage
		}
	} else {
		url, stopDemo, err := startDemo(ctx, logger)
		if err != nil {
			fmt.Fprintf(stderr, "stampede run: %v\n", err)
			return exitUsage
		}
		defer stopDemo()
		source, text = "the demo CRUD scenario", demotarget.CRUDScenario
		if cfg.Target == "" {
			cfg.Target = url
		}
		fmt.Fprintf(stderr, "demo target: %s (its counts: %s/stats)\n", url, url)
	}

	// The progress and summary say what matters; the controller's and the
	// workers' own logs only with --verbose (warnings and errors always).
	workerOutput, workerLogLevel, controlLogger := io.Discard, "error", logger
	if cfg.Verbose {
		workerOutput, workerLogLevel = stderr, cfg.LogLevel
	} else if quiet, err := (Logging{LogLevel: "warn", LogFormat: cfg.LogFormat}).logger(stderr); err == nil && cfg.LogLevel == "info" {
		controlLogger = quiet
	}
	h, err := startControl(ctx, controlSetup{
		control: cfg.Control, guard: cfg.Guard, listen: cfg.Listen, scaler: "local", maxWorkers: 64,
		workerArgs: []string{
			"--request-timeout", cfg.RequestTimeout.String(), "--graceful-stop", cfg.GracefulStop.String(),
			"--graceful-ramp-down", cfg.GracefulRampDown.String(), "--max-response-bytes", strconv.FormatInt(cfg.MaxResponseBytes, 10),
			"--max-connections", strconv.Itoa(cfg.MaxConnections), "--transport", cfg.Transport,
			"--max-endpoints", strconv.Itoa(cfg.MaxEndpoints), "--seed", strconv.FormatUint(cfg.Seed, 10),
		},
		workerOutput: workerOutput, workerLogLevel: workerLogLevel, logger: controlLogger,
	})
	if err != nil {
		fmt.Fprintf(stderr, "stampede run: %v\n", err)
		return exitUsage
	}
	defer h.shutdown()
	fmt.Fprintf(stderr, "controller: %s (status page; API under /api/v1; workers for Prometheus at %s/api/v1/sd)\n", h.url, h.url)
	if cfg.Prometheus {
		prom, err := startPrometheus(ctx, cfg.PrometheusListen, h.url, workerOutput, logger)
		if err != nil {
			fmt.Fprintf(stderr, "stampede run: %v\n", err)
			return exitUsage
		}
		defer prom.stop()
		fmt.Fprintf(stderr, "prometheus: %s (scraping every 1s, with the alert rules; dashboards in dashboards/*.json)\n", prom.url)
	}

	summary, code := localRun(ctx, h.ctl, &cfg, text, source, logger, stderr)
	if code != exitOK {
		return code
	}
	if cfg.Report != "" {
		if err := writeReport(h.ctl, cfg.Report); err != nil {
			fmt.Fprintf(stderr, "stampede run: --report: %v\n", err)
			return exitBreached
		}
		fmt.Fprintf(stderr, "report written to %s\n", cfg.Report)
	}
	code = finish(summary, cfg.Out, environ, stdout, stderr)
	if cfg.Linger > 0 && ctx.Err() == nil {
		fmt.Fprintf(stderr, "keeping the controller up for %s (Ctrl-C to leave now)\n", cfg.Linger)
		waitFor(ctx, cfg.Linger, func() bool { return false })
	}
	return code
}

// writeReport writes the run's HTML report to path.
func writeReport(ctl *controller.Controller, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := ctl.WriteReport(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// localRun starts the workers and the run, shows progress until the run
// ends, and gathers the workers' final stats.
func localRun(ctx context.Context, ctl *controller.Controller, cfg *runConfig, text, source string, logger *slog.Logger, stderr io.Writer) (*metrics.Summary, int) {
	if err := ctl.Scale(ctx, cfg.Workers); err != nil {
		fmt.Fprintf(stderr, "stampede run: starting %d workers: %v\n", cfg.Workers, err)
		return nil, exitBreached
	}
	if !waitFor(ctx, 30*time.Second, func() bool { return ctl.Status().Workers.Live >= cfg.Workers }) {
		fmt.Fprintf(stderr, "stampede run: %d of %d workers joined within 30s (run with --verbose to see their output)\n", ctl.Status().Workers.Live, cfg.Workers)
		return nil, exitBreached
	}
	req := api.RunRequest{
		Scenario:    text,
		Target:      cfg.Target,
		Users:       cfg.Users,
		SpawnRate:   cfg.SpawnRate,
		Rate:        cfg.Rate,
		MaxInFlight: cfg.MaxInFlight,
		Model:       cfg.Model,
		Duration:    api.Duration(cfg.Duration),
		Stages:      api.StagesOf(cfg.Stages.stages),
	}
	if cfg.open() {
		req.Users, req.SpawnRate = 0, 0
	} else {
		req.Rate, req.MaxInFlight = 0, 0
	}
	if err := ctl.StartRun(ctx, req); err != nil {
		fmt.Fprintf(stderr, "stampede run: %s: %v\n", source, err)
		return nil, exitUsage
	}
	run := ctl.Status().Run
	fmt.Fprintf(stderr, "run %s: %s against %s with %d workers", run.ID, run.Scenario, run.Target, cfg.Workers)
	if cfg.Duration > 0 {
		fmt.Fprintf(stderr, " for %s", cfg.Duration)
	} else if len(run.Stages) == 0 {
		fmt.Fprint(stderr, " until Ctrl-C")
	}
	fmt.Fprintln(stderr)

	progressCtx, stopProgress := context.WithCancel(ctx)
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		newProgress(stderr, cfg.Progress, func() sample { return controllerSample(ctl) }).run(progressCtx)
	}()
	ended := waitFor(ctx, 0, func() bool { st := ctl.Status(); return st.Run == nil || st.Run.State != "running" })
	stopProgress()
	<-progressDone
	if !ended {
		fmt.Fprintln(stderr, "stopping the run...")
		if err := ctl.StopRun(context.WithoutCancel(ctx)); err != nil {
			logger.Warn("stopping the run", "error", err)
		}
	}
	// The workers send their final stats once their users have left.
	grace := cfg.GracefulStop + 3*cfg.HeartbeatInterval + 2*time.Second
	if !waitFor(context.WithoutCancel(ctx), grace, func() bool { return allIdle(ctl, run.ID) }) {
		fmt.Fprintln(stderr, "stampede run: some workers did not report their final stats in time; the summary has what they sent")
	}
	summary := ctl.Summary()
	return &summary, exitOK
}

// controllerSample is the live view of a distributed run.
func controllerSample(ctl *controller.Controller) sample {
	st := ctl.Status()
	total := ctl.Summary().Total
	s := sample{
		users: st.ActiveUsers, targetUsers: st.TargetUsers, workers: st.Workers.Live, desired: st.Workers.Desired,
		requests: total.Requests, failures: total.Failures, p95: total.P95,
	}
	for _, w := range ctl.Workers() {
		s.cpu = max(s.cpu, w.CPU)
	}
	return s
}

// allIdle reports whether every live worker has stopped its load of run id
// and reported so, with its final stats.
func allIdle(ctl *controller.Controller, runID string) bool {
	for _, w := range ctl.Workers() {
		if w.State != api.WorkerIdle && w.RunID == runID {
			return false
		}
	}
	return true
}

// waitFor polls cond every 100ms until it holds (true), ctx ends or the
// timeout (when > 0) passes (false).
func waitFor(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-deadline:
			return false
		case <-tick.C:
		}
	}
	return true
}

// startDemo serves the demo target on a free loopback port.
func startDemo(ctx context.Context, logger *slog.Logger) (string, func(), error) {
	srv, err := demotarget.New(demotarget.Options{Seed: 1})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("demo target: %w", err)
	}
	demoCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(demoCtx, ln); err != nil {
			logger.Error("demo target stopped", "error", err)
		}
	}()
	return "http://" + ln.Addr().String(), func() { cancel(); <-done }, nil
}

// checkScenario validates a scenario's text before any load starts, with
// the target overriding its base URL.
func checkScenario(source, text, target string) (*scenario.Scenario, error) {
	sc, err := scenario.Parse(source, []byte(text))
	if err != nil {
		return nil, err
	}
	if target != "" {
		if err := sc.WithTarget(target); err != nil {
			return nil, fmt.Errorf("--target: %w", err)
		}
	}
	if sc.BaseURL == "" {
		return nil, fmt.Errorf("%s: no base_url, and no --target (STAMPEDE_TARGET) given", source)
	}
	return sc, nil
}
