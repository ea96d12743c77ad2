package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/stampedehq/stampede/internal/config"
	"github.com/stampedehq/stampede/internal/demotarget"
)

// demoTargetConfig is everything `stampede demo-target` reads.
type demoTargetConfig struct {
	Logging
	Listen    string      `env:"STAMPEDE_DEMO_LISTEN" flag:"listen" envDefault:"127.0.0.1:8080" help:"address to serve the ToDo API on"`
	Latency   latencyFlag `env:"STAMPEDE_DEMO_LATENCY" flag:"latency" help:"added latency: 10ms, uniform(5ms,20ms), normal(20ms,5ms) or exp(10ms)"`
	ErrorRate float64     `env:"STAMPEDE_DEMO_ERROR_RATE" flag:"error-rate" help:"fraction of API requests answered 500, 0 to 1"`
	Stall     stallFlag   `env:"STAMPEDE_DEMO_STALL" flag:"stall" help:"hold every request for FOR once every EVERY, as FOR/EVERY (e.g. 1s/10s)"`
	Seed      uint64      `env:"STAMPEDE_DEMO_SEED" flag:"seed" help:"random seed for latency and errors; 0 picks one"`
}

type latencyFlag struct{ demotarget.Latency }

func (l *latencyFlag) UnmarshalText(b []byte) (err error) {
	l.Latency, err = demotarget.ParseLatency(string(b))
	return err
}

type stallFlag struct{ demotarget.Stall }

func (s *stallFlag) UnmarshalText(b []byte) (err error) {
	s.Stall, err = demotarget.ParseStall(string(b))
	return err
}

const demoTargetSummary = `Serves the demo ToDo API (in memory): POST /todo, GET/PUT/DELETE /todo/{id},
GET /todo, GET /hello, with what it served per route on /stats (JSON) and
/metrics (Prometheus). Knobs add latency, errors and stalls for experiments.`

func runDemoTarget(args, environ []string, stdout, stderr io.Writer) int {
	var cfg demoTargetConfig
	rest, logger, code, done := parseCommand(&cfg, config.Command{Name: "stampede demo-target", Summary: demoTargetSummary}, args, environ, stdout, stderr)
	if done {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "stampede demo-target: unexpected arguments %q\n", rest)
		return exitUsage
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()
	}
	srv, err := demotarget.New(demotarget.Options{Latency: cfg.Latency.Latency, ErrorRate: cfg.ErrorRate, Stall: cfg.Stall.Stall, Seed: cfg.Seed})
	if err != nil {
		fmt.Fprintf(stderr, "stampede demo-target: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintf(stderr, "stampede demo-target: --listen %q: %v\n", cfg.Listen, err)
		return exitUsage
	}
	url := "http://" + ln.Addr().String()
	logger.Info("demo target serving", "url", url, "stats", url+"/stats")
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "stampede demo-target: %v\n", err)
		return exitBreached
	}
	return exitOK
}
