package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/internal/config"
)

// ctlConfig is everything `stampede ctl` reads. The load settings are
// pointers: `set` sends only what was given.
type ctlConfig struct {
	Logging
	Controller  string        `env:"STAMPEDE_CONTROLLER" envDefault:"http://127.0.0.1:8089" help:"controller URL"`
	APIToken    string        `env:"STAMPEDE_API_TOKEN" flag:"token" help:"bearer token, when the controller requires one"`
	JSON        bool          `env:"STAMPEDE_JSON" flag:"json" help:"print the API's JSON instead of text"`
	Timeout     time.Duration `env:"STAMPEDE_CTL_TIMEOUT" flag:"timeout" envDefault:"10s" help:"bound on each API call"`
	Target      string        `env:"STAMPEDE_TARGET" help:"start: base URL of the system under test"`
	Users       *int          `env:"STAMPEDE_USERS" help:"start, set: virtual users (closed model)"`
	SpawnRate   *float64      `env:"STAMPEDE_SPAWN_RATE" help:"start, set: users started or stopped per second"`
	Rate        *float64      `env:"STAMPEDE_RATE" help:"start, set: iterations per second (open model)"`
	MaxInFlight int           `env:"STAMPEDE_MAX_IN_FLIGHT" help:"start: open model's cap on concurrent iterations"`
	Stages      string        `env:"STAMPEDE_STAGES" help:"start: ramps as duration:target,... e.g. 30s:100,1m:100,30s:0"`
	Duration    time.Duration `env:"STAMPEDE_DURATION" help:"start: how long the run lasts; 0 until stopped"`
	Format      string        `env:"STAMPEDE_FORMAT" flag:"format" envDefault:"table" help:"summary: table, json or csv"`
	Watch       time.Duration `env:"STAMPEDE_WATCH" flag:"watch" help:"status: redraw every this long until Ctrl-C (e.g. 2s); 0 prints once"`
}

const ctlSummary = `Drives a controller through its API.

Commands:
  status [--watch 2s]          the run, the users and the workers (live with --watch)
  workers                      the live workers
  start SCENARIO.yaml [flags]  start a run (--users/--spawn-rate or --rate, --duration, --target, --stages)
  set [flags]                  change the running run: --users, --spawn-rate, --rate
  scale N                      rescale the workers through the controller's scaler
  stop                         stop the run
  summary                      the merged per-endpoint summary (--format table|json|csv)

Exits 0 on success, 1 when the controller refused or failed (its error is
printed with the field it names), 2 on bad input.`

func runCtl(args, environ []string, stdout, stderr io.Writer) int {
	var cfg ctlConfig
	rest, err := config.Load(&cfg, config.Command{Name: "stampede ctl", Args: "COMMAND [args]", Summary: ctlSummary, Output: stdout}, args, environ)
	if errors.Is(err, config.ErrHelp) {
		return exitOK
	}
	if err == nil && len(rest) == 0 {
		err = errors.New("no command: want status, workers, start, set, scale, stop or summary (see --help)")
	}
	if err != nil {
		fmt.Fprintf(stderr, "stampede ctl: %v\n", err)
		return exitUsage
	}
	client, err := api.NewClient(cfg.Controller, api.ClientOptions{Token: cfg.APIToken, Timeout: cfg.Timeout})
	if err != nil {
		fmt.Fprintf(stderr, "stampede ctl: --controller: %v\n", err)
		return exitUsage
	}
	if rest[0] == "status" && cfg.Watch > 0 && !cfg.JSON {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := watchStatus(ctx, client, cfg.Watch, cfg.Timeout, stdout, colorOn(stdout, environ)); err != nil {
			fmt.Fprintf(stderr, "stampede ctl status: %v\n", err)
			return exitBreached
		}
		return exitOK
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout+time.Second)
	defer cancel()
	code, err := ctl(ctx, client, &cfg, rest[0], rest[1:], stdout)
	if err != nil {
		fmt.Fprintf(stderr, "stampede ctl %s: %v\n", rest[0], err)
	}
	return code
}

func ctl(ctx context.Context, c *api.Client, cfg *ctlConfig, cmd string, args []string, out io.Writer) (int, error) {
	want := map[string]int{"status": 0, "workers": 0, "start": 1, "set": 0, "scale": 1, "stop": 0, "summary": 0}
	n, known := want[cmd]
	switch {
	case !known:
		return exitUsage, fmt.Errorf("unknown command %q: want status, workers, start, set, scale, stop or summary", cmd)
	case len(args) != n:
		return exitUsage, fmt.Errorf("takes %d argument(s), got %q", n, args)
	}
	var (
		result any
		err    error
	)
	switch cmd {
	case "status":
		var st api.Status
		if st, err = c.Status(ctx); err == nil {
			result = st
			if !cfg.JSON {
				return exitOK, printStatus(out, st, false)
			}
		}
	case "workers":
		var ws []api.WorkerInfo
		if ws, err = c.Workers(ctx); err == nil {
			result = ws
			if !cfg.JSON {
				return exitOK, printWorkers(out, ws)
			}
		}
	case "start":
		req, rerr := cfg.runRequest(args[0])
		if rerr != nil {
			return exitUsage, rerr
		}
		result, err = c.StartRun(ctx, req)
	case "set":
		p := api.RunPatch{Users: cfg.Users, SpawnRate: cfg.SpawnRate, Rate: cfg.Rate}
		if p.Users == nil && p.SpawnRate == nil && p.Rate == nil {
			return exitUsage, errors.New("nothing to set: give --users, --spawn-rate or --rate")
		}
		result, err = c.PatchRun(ctx, p)
	case "scale":
		replicas, perr := strconv.Atoi(args[0])
		if perr != nil {
			return exitUsage, fmt.Errorf("replicas %q: want a whole number", args[0])
		}
		result, err = c.Scale(ctx, replicas)
	case "stop":
		result, err = c.StopRun(ctx)
	case "summary":
		return summaryCmd(ctx, c, cfg.Format, out)
	}
	if err != nil {
		return exitBreached, err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return exitOK, enc.Encode(result)
}

// runRequest builds `ctl start`'s request from its flags and file.
func (cfg *ctlConfig) runRequest(path string) (api.RunRequest, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return api.RunRequest{}, err
	}
	req := api.RunRequest{Scenario: string(text), Target: cfg.Target, MaxInFlight: cfg.MaxInFlight, Duration: api.Duration(cfg.Duration)}
	if cfg.Users != nil {
		req.Users = *cfg.Users
	}
	if cfg.SpawnRate != nil {
		req.SpawnRate = *cfg.SpawnRate
	}
	if cfg.Rate != nil {
		req.Rate = *cfg.Rate
	}
	if cfg.Stages != "" {
		if req.Stages, err = api.ParseStages(cfg.Stages); err != nil {
			return api.RunRequest{}, fmt.Errorf("--stages: %w", err)
		}
	}
	return req, nil
}

func summaryCmd(ctx context.Context, c *api.Client, format string, out io.Writer) (int, error) {
	switch format {
	case "csv":
		b, err := c.SummaryCSV(ctx)
		if err != nil {
			return exitBreached, err
		}
		_, err = out.Write(b)
		return exitOK, err
	case "json", "table":
		s, err := c.Summary(ctx)
		if err != nil {
			return exitBreached, err
		}
		if format == "table" {
			return exitOK, s.WriteTable(out)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return exitOK, enc.Encode(s)
	}
	return exitUsage, fmt.Errorf("invalid --format %q: want table, json or csv", format)
}

// watchStatus redraws the status every interval until ctx ends: in place on
// a terminal, as timestamped blocks when piped.
func watchStatus(ctx context.Context, c *api.Client, interval, timeout time.Duration, out io.Writer, color bool) error {
	terminal := isTerminal(out)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		callCtx, cancel := context.WithTimeout(ctx, timeout)
		st, err := c.Status(callCtx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if terminal {
			fmt.Fprint(out, "\033[H\033[2J") // home, clear: redraw the block in place
		}
		fmt.Fprintf(out, "%s  (every %s; Ctrl-C to stop)\n", time.Now().Format(time.TimeOnly), interval)
		if err != nil {
			fmt.Fprintf(out, "controller unreachable: %v\n", err)
		} else if err := printStatus(out, st, color); err != nil {
			return err
		}
		if !terminal {
			fmt.Fprintln(out)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func printStatus(out io.Writer, st api.Status, color bool) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	if r := st.Run; r != nil {
		fmt.Fprintf(tw, "run\t%s (%s)\n", r.ID, r.State)
		fmt.Fprintf(tw, "scenario\t%s against %s\n", r.Scenario, r.Target)
		switch r.Model {
		case "open":
			fmt.Fprintf(tw, "load\t%g iterations/s (open model), %.1f/s reported\n", r.Rate, st.Rate)
		default:
			fmt.Fprintf(tw, "load\t%d users at %g/s (closed model)\n", r.Users, r.SpawnRate)
		}
		fmt.Fprintf(tw, "started\t%s\n", r.StartedAt.Format(time.RFC3339))
		if !r.StopAt.IsZero() {
			fmt.Fprintf(tw, "stops\t%s\n", r.StopAt.Format(time.RFC3339))
		}
	} else {
		fmt.Fprintln(tw, "run\tnone yet")
	}
	fmt.Fprintf(tw, "users\t%d active, %d target\n", st.ActiveUsers, st.TargetUsers)
	fmt.Fprintf(tw, "workers\t%d live, %d desired, %d ready\n", st.Workers.Live, st.Workers.Desired, st.Workers.Ready)
	if st.Workers.ScalerError != "" {
		fmt.Fprintf(tw, "scaler error\t%s\n", st.Workers.ScalerError)
	}
	for _, th := range st.Thresholds {
		fmt.Fprintf(tw, "threshold\t%s: %s %s\n", th.Threshold, th.Value, verdict(th.Passed, color))
	}
	return tw.Flush()
}

func printWorkers(out io.Writer, ws []api.WorkerInfo) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tUSERS\tCPU\tMETRICS\tLAST HEARTBEAT")
	for _, w := range ws {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f%%\t%s\t%s ago\n", w.ID, w.State, w.Users, 100*w.CPU, w.MetricsAddr, time.Since(w.LastHeartbeat).Round(100*time.Millisecond))
	}
	return tw.Flush()
}
