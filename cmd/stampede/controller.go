package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/internal/config"
	"github.com/stampedehq/stampede/scaler/local"
)

// Control is the controller settings shared by `controller` and `run`.
type Control struct {
	HeartbeatInterval time.Duration `env:"STAMPEDE_HEARTBEAT_INTERVAL" envDefault:"2s" help:"how often workers heartbeat"`
	LeaseTTL          time.Duration `env:"STAMPEDE_LEASE_TTL" help:"a worker silent this long is dropped and its share given to the others; default 3 × the heartbeat interval"`
	StateFile         string        `env:"STAMPEDE_STATE_FILE" help:"keep the desired state in this file, so a restarted controller carries on the run"`
	APIToken          string        `env:"STAMPEDE_API_TOKEN" help:"when set, mutating API calls and heartbeats need 'Authorization: Bearer <token>'"`
	APITokenFile      string        `env:"STAMPEDE_API_TOKEN_FILE,file" help:"read the API token from this file (e.g. a mounted Secret) instead"`
	GrafanaURL        string        `env:"STAMPEDE_GRAFANA_URL" help:"base URL of the Grafana with stampede's dashboards; the status page then links to them"`
	Insecure          bool          `env:"STAMPEDE_INSECURE" help:"allow listening beyond loopback without an API token: anyone who reaches the port can then start load and rescale"`
}

// token is the API token, from the variable or the file.
func (c *Control) token() string {
	if c.APIToken != "" {
		return c.APIToken
	}
	return strings.TrimSpace(c.APITokenFile)
}

// controllerConfig is everything `stampede controller` reads.
type controllerConfig struct {
	Control
	Guard
	Kube
	Logging
	Listen     string `env:"STAMPEDE_LISTEN" envDefault:"127.0.0.1:8089" help:"address of the API, the status page and /metrics"`
	Scaler     string `env:"STAMPEDE_SCALER" envDefault:"none" help:"how workers are rescaled: none (workers join by themselves), local (child processes) or kubernetes (the scale of their Deployment or StatefulSet)"`
	Workers    int    `env:"STAMPEDE_WORKERS" help:"local scaler: workers to start with"`
	MaxWorkers int    `env:"STAMPEDE_MAX_WORKERS" envDefault:"64" help:"local scaler: most workers a rescale may ask for"`
}

func (c *controllerConfig) Validate() error {
	var errs []error
	switch c.Scaler {
	case "none", "local":
	case "kubernetes":
		if c.WorkersName == "" {
			errs = append(errs, errors.New("--scaler kubernetes needs the workers' Deployment or StatefulSet: set STAMPEDE_WORKERS_NAME (--workers-name)"))
		}
	default:
		errs = append(errs, fmt.Errorf("invalid --scaler %q: want none, local or kubernetes", c.Scaler))
	}
	if c.StateFile != "" && c.StateConfigMap != "" {
		errs = append(errs, errors.New("--state-file and --state-configmap: keep the state in one place"))
	}
	if c.Workers < 0 || c.Workers > c.MaxWorkers {
		errs = append(errs, fmt.Errorf("invalid --workers %d: want 0..%d (--max-workers)", c.Workers, c.MaxWorkers))
	}
	if c.Workers > 0 && c.Scaler != "local" {
		errs = append(errs, fmt.Errorf("--workers %d needs --scaler local", c.Workers))
	}
	return errors.Join(append(errs, c.Control.validate(c.Listen), c.Guard.validate())...)
}

func (c *Control) validate(listen string) error {
	if c.APIToken != "" && strings.TrimSpace(c.APITokenFile) != "" {
		return errors.New("--api-token and --api-token-file: give one")
	}
	if c.token() == "" && !c.Insecure && !isLoopback(listen) {
		return fmt.Errorf("--listen %s takes connections from other hosts, and no API token is set: anyone reaching it could start load or rescale. Set STAMPEDE_API_TOKEN (or --api-token-file), listen on 127.0.0.1, or pass --insecure", listen)
	}
	if c.HeartbeatInterval <= 0 {
		return fmt.Errorf("invalid --heartbeat-interval %s: must be > 0", c.HeartbeatInterval)
	}
	if c.LeaseTTL != 0 && c.LeaseTTL <= c.HeartbeatInterval {
		return fmt.Errorf("invalid --lease-ttl %s: must be longer than --heartbeat-interval %s", c.LeaseTTL, c.HeartbeatInterval)
	}
	return nil
}

const controllerSummary = `Holds the desired state of a run, hands each live worker its share through
heartbeats with leases (a silent worker is dropped and its share rebalanced),
merges the workers' stats, and rescales them through a scaler. Serves the
API, a status page and Prometheus HTTP service discovery of the workers.

Example:
  stampede controller --listen 127.0.0.1:8089 --scaler local --workers 2
  curl -X POST 127.0.0.1:8089/api/v1/runs -d '{"scenario": "...", "users": 100, "spawn_rate": 10, "duration": "5m"}'`

func runController(args, environ []string, stdout, stderr io.Writer) int {
	var cfg controllerConfig
	rest, logger, code, done := parseCommand(&cfg, config.Command{Name: "stampede controller", Summary: controllerSummary}, args, environ, stdout, stderr)
	if done {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "stampede controller: unexpected arguments %q\n", rest)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h, err := startControl(ctx, controlSetup{
		control: cfg.Control, guard: cfg.Guard, kube: cfg.Kube, listen: cfg.Listen, scaler: cfg.Scaler, maxWorkers: cfg.MaxWorkers,
		workerOutput: stderr, workerLogLevel: cfg.LogLevel, logger: logger,
	})
	if err != nil {
		fmt.Fprintf(stderr, "stampede controller: %v\n", err)
		return exitUsage
	}
	logger.Info("controller serving", "url", h.url, "scaler", cfg.Scaler, "status_page", h.url+"/", "sd", h.url+"/api/v1/sd")
	if cfg.Workers > 0 {
		if err := h.ctl.Scale(ctx, cfg.Workers); err != nil {
			logger.Error("starting the workers", "error", err)
		}
	}
	<-ctx.Done()
	logger.Info("controller stopping: workers leave first")
	h.shutdown()
	return exitOK
}

// controlSetup is what startControl needs.
type controlSetup struct {
	control        Control
	guard          Guard
	kube           Kube
	listen         string
	scaler         string // none | local
	maxWorkers     int
	workerArgs     []string // extra flags for local workers
	workerOutput   io.Writer
	workerLogLevel string
	logger         *slog.Logger
}

// control is a running controller with its HTTP server and scaler.
type control struct {
	ctl      *controller.Controller
	url      string
	shutdown func()
}

// startControl runs a controller on its listener, with a local scaler
// whose workers heartbeat back to it. shutdown stops the workers first
// (they leave with their final stats), then the server.
func startControl(ctx context.Context, s controlSetup) (*control, error) {
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: %w", s.listen, err)
	}
	url := "http://" + ln.Addr().String()
	if host, port, _ := net.SplitHostPort(ln.Addr().String()); net.ParseIP(host).IsUnspecified() {
		url = "http://127.0.0.1:" + port // where local workers reach it
	}

	opts := controller.Options{
		HeartbeatInterval: s.control.HeartbeatInterval,
		LeaseTTL:          s.control.LeaseTTL,
		Token:             s.control.token(),
		Limits:            s.guard.limits(),
		Logger:            s.logger,
		Version:           version,
		GrafanaURL:        s.control.GrafanaURL,
	}
	if s.control.StateFile != "" {
		opts.Store = &controller.FileStore{Path: s.control.StateFile}
	}
	if s.scaler == "kubernetes" || s.kube.StateConfigMap != "" {
		if err := s.kube.setup(&opts, s.scaler == "kubernetes", s.logger); err != nil {
			ln.Close()
			return nil, err
		}
	}
	var scaler *local.Scaler
	if s.scaler == "local" {
		args := append([]string{"worker", "--controller", url, "--metrics-addr", "127.0.0.1:0",
			"--heartbeat-interval", s.control.HeartbeatInterval.String(), "--log-level", s.workerLogLevel}, s.workerArgs...)
		scaler, err = local.New(local.Options{
			Args: args,
			// The scenario comes from the controller; the token is passed in
			// the environment, not on a command line ps can show.
			Env: []string{"STAMPEDE_SCENARIO=", "STAMPEDE_CONTROLLER=", "STAMPEDE_API_TOKEN_FILE=",
				"STAMPEDE_API_TOKEN=" + s.control.token(), "STAMPEDE_ALLOWED_TARGETS=" + s.guard.AllowedTargets.String()},
			Output:      s.workerOutput,
			MaxReplicas: s.maxWorkers,
			Logger:      s.logger,
		})
		if err != nil {
			ln.Close()
			return nil, err
		}
		opts.Scaler = scaler
	}
	ctl, err := controller.New(ctx, opts)
	if err != nil {
		ln.Close()
		return nil, err
	}

	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	scalerCtx, stopScaler := context.WithCancel(runCtx)
	srv := &http.Server{Handler: ctl.Handler(), ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("API server stopped", "error", err)
		}
	})
	wg.Go(func() { _ = ctl.Run(runCtx) })
	scalerDone := make(chan struct{})
	if scaler != nil {
		go func() { defer close(scalerDone); scaler.Run(scalerCtx) }()
	} else {
		close(scalerDone)
	}
	return &control{ctl: ctl, url: url, shutdown: func() {
		stopScaler()
		<-scalerDone // workers have left, with their final stats
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		cancelRun()
		wg.Wait()
	}}, nil
}
