package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/worker"
)

// Follow is the settings of a worker that takes its load from a controller.
type Follow struct {
	Controller        string        `env:"STAMPEDE_CONTROLLER" help:"controller URL (e.g. http://127.0.0.1:8089); when set, the scenario and the load come from it"`
	APIToken          string        `env:"STAMPEDE_API_TOKEN" help:"bearer token for the controller's API, when it requires one"`
	APITokenFile      string        `env:"STAMPEDE_API_TOKEN_FILE,file" help:"read the token from this file instead"`
	WorkerID          string        `env:"STAMPEDE_WORKER_ID" help:"this worker's id; default: POD_NAME, else host-pid-random"`
	AdvertiseAddr     string        `env:"STAMPEDE_ADVERTISE_ADDR" help:"host:port Prometheus should scrape, when it differs from --metrics-addr (an unspecified host is taken from the connection)"`
	OrphanTimeout     time.Duration `env:"STAMPEDE_ORPHAN_TIMEOUT" envDefault:"60s" help:"stop the load when the controller has not answered for this long"`
	HeartbeatInterval time.Duration `env:"STAMPEDE_HEARTBEAT_INTERVAL" envDefault:"2s" help:"heartbeat interval until the controller says otherwise"`
}

// follow runs a worker that follows a controller until ctx ends.
func follow(ctx context.Context, cfg *workerConfig, logger *slog.Logger, stderr io.Writer) error {
	token := cfg.APIToken
	if token == "" {
		token = strings.TrimSpace(cfg.APITokenFile)
	}
	client, err := api.NewClient(cfg.Controller, api.ClientOptions{Token: token})
	if err != nil {
		return fmt.Errorf("--controller: %w", err)
	}
	id := cfg.WorkerID
	if id == "" {
		id = worker.DefaultID()
	}
	srv, err := serveMetrics(cfg.MetricsAddr, logger)
	if err != nil {
		return err
	}
	defer srv.close()
	advertise := cfg.AdvertiseAddr
	if advertise == "" {
		advertise = srv.addr
	}
	if _, _, err := net.SplitHostPort(advertise); err != nil {
		return fmt.Errorf("invalid --advertise-addr %q: want host:port", advertise)
	}
	w, err := worker.New(worker.Options{
		ID:                id,
		Controller:        client,
		MetricsAddr:       advertise,
		OrphanTimeout:     cfg.OrphanTimeout,
		HeartbeatInterval: cfg.HeartbeatInterval,
		Engine: generator.Options{
			RequestTimeout:   cfg.RequestTimeout,
			GracefulStop:     cfg.GracefulStop,
			GracefulRampDown: cfg.GracefulRampDown,
			MaxResponseBytes: cfg.MaxResponseBytes,
			Seed:             cfg.Seed,
			UserAgent:        "stampede/" + version,
			Transport:        cfg.Guard.transport(cfg.Transport, 1000, cfg.MaxConnections),
		},
		MaxEndpoints: cfg.MaxEndpoints,
		Version:      version,
		Logger:       logger,
	})
	if err != nil {
		return err
	}
	srv.add(w.Gatherer())
	logger.Info("worker following the controller", "id", id, "controller", cfg.Controller, "metrics", "http://"+srv.addr+"/metrics")
	return w.Run(ctx)
}
