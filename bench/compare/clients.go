package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// client is one load tool set up for one run: run starts it (pinned to the
// client core), waits for it, and returns what it reported plus its CPU
// and wall time.
type client interface {
	label() string
	run(ctx context.Context) (result, error)
}

// runSlack bounds a run past its nominal duration: start-up (k6 allocating
// VUs), the graceful end and writing the summary.
const runSlack = 90 * time.Second

// measure runs spec (a client for duration d) to its end, bounded.
func measure(ctx context.Context, spec procSpec, d time.Duration) (*proc, error) {
	return runToEnd(ctx, spec, d+runSlack)
}

// withTimes adds the client process's CPU and wall time to what it reported.
func withTimes(r result, p *proc) result {
	r.cpu, r.wall = p.cpuTime(), p.wall
	return r
}

// seconds writes d as whole seconds, at least 1, for tools that want "10s".
func seconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(d.Round(time.Second).Seconds()))) + "s"
}

// wrkClient is wrk with one thread: one client core.
type wrkClient struct {
	path     string
	url      string
	conns    int
	duration time.Duration
	core     int
}

func (c wrkClient) label() string { return fmt.Sprintf("wrk -t1 -c%d", c.conns) }

func (c wrkClient) run(ctx context.Context) (result, error) {
	var out bytes.Buffer
	p, err := measure(ctx, procSpec{
		argv:   []string{c.path, "-t1", "-c" + strconv.Itoa(c.conns), "-d" + seconds(c.duration), "--latency", c.url},
		core:   c.core,
		stdout: &out,
	}, c.duration)
	if err != nil {
		return result{}, err
	}
	r, err := parseWrk(out.String())
	return withTimes(r, p), err
}

// heyClient is hey for a duration; qps > 0 limits each worker to that rate
// (hey's -q), which is how hey approximates a fixed rate.
type heyClient struct {
	path     string
	url      string
	conns    int
	qps      float64
	duration time.Duration
	core     int
}

func (c heyClient) label() string {
	if c.qps > 0 {
		return fmt.Sprintf("hey -c %d -q %s", c.conns, strconv.FormatFloat(c.qps, 'f', -1, 64))
	}
	return fmt.Sprintf("hey -c %d", c.conns)
}

func (c heyClient) run(ctx context.Context) (result, error) {
	argv := []string{c.path, "-z", c.duration.String(), "-c", strconv.Itoa(c.conns)}
	if c.qps > 0 {
		argv = append(argv, "-q", strconv.FormatFloat(c.qps, 'f', -1, 64))
	}
	var out bytes.Buffer
	p, err := measure(ctx, procSpec{argv: append(argv, c.url), core: c.core, stdout: &out}, c.duration)
	if err != nil {
		return result{}, err
	}
	r, err := parseHey(out.String())
	return withTimes(r, p), err
}

// vegetaClient is `vegeta attack` at full speed with a fixed number of
// workers; its results go to a file that `vegeta report` (not measured)
// reads afterwards.
type vegetaClient struct {
	path     string
	url      string
	workers  int
	duration time.Duration
	core     int
	dir      string // for the targets and results files
}

func (c vegetaClient) label() string {
	return fmt.Sprintf("vegeta -rate=0 -max-workers=%d", c.workers)
}

func (c vegetaClient) run(ctx context.Context) (result, error) {
	targets := filepath.Join(c.dir, "vegeta-targets.txt")
	results := filepath.Join(c.dir, "vegeta-results.bin")
	defer func() { _ = os.Remove(results) }()
	if err := os.WriteFile(targets, []byte("GET "+c.url+"\n"), 0o644); err != nil {
		return result{}, err
	}
	workers := strconv.Itoa(c.workers)
	p, err := measure(ctx, procSpec{
		argv: []string{c.path, "attack", "-rate=0", "-workers=" + workers, "-max-workers=" + workers,
			"-duration=" + c.duration.String(), "-targets=" + targets, "-output=" + results},
		core: c.core,
	}, c.duration)
	if err != nil {
		return result{}, err
	}
	report, err := outputOf(ctx, 2*time.Minute, c.path, "report", "-type=json", results)
	if err != nil {
		return result{}, fmt.Errorf("vegeta report: %w", err)
	}
	r, err := parseVegetaJSON([]byte(report))
	return withTimes(r, p), err
}

// k6Client runs a generated k6 script whose handleSummary writes the
// summary JSON to summaryPath.
type k6Client struct {
	path        string
	name        string // the row label
	script      string
	summaryPath string
	duration    time.Duration
	core        int
}

func (c k6Client) label() string { return c.name }

func (c k6Client) run(ctx context.Context) (result, error) {
	_ = os.Remove(c.summaryPath)
	p, err := measure(ctx, procSpec{
		argv: []string{c.path, "run", "--quiet", "--no-color", "--no-usage-report", c.script},
		core: c.core,
		env:  []string{"K6_NO_USAGE_REPORT=true"},
	}, c.duration)
	if err != nil {
		return result{}, err
	}
	summary, err := os.ReadFile(c.summaryPath)
	if err != nil {
		return result{}, fmt.Errorf("k6 wrote no summary: %w", err)
	}
	r, err := parseK6Summary(summary)
	return withTimes(r, p), err
}

// stampedeClient is a stampede worker with full metrics on: its /metrics is
// scraped every second while it runs, so the cost of metrics is included.
type stampedeClient struct {
	bin      string
	name     string   // the row label
	scenario string   // scenario file
	target   string   // base URL
	args     []string // the load: --users/--rate and the like
	duration time.Duration
	core     int
	dir      string // for the summary file
}

func (c stampedeClient) label() string { return c.name }

// argv is the worker command line for a run measured by the harness.
func (c stampedeClient) argv(metricsAddr, out string) []string {
	argv := []string{c.bin, "worker", c.scenario, "--target", c.target,
		"--duration", c.duration.String(), "--metrics-addr", metricsAddr,
		"--progress-interval", "0", "--log-level", "warn", "--out", out}
	return append(argv, c.args...)
}

func (c stampedeClient) run(ctx context.Context) (result, error) {
	addr, err := freeAddr()
	if err != nil {
		return result{}, err
	}
	out := filepath.Join(c.dir, "stampede-summary.json")
	_ = os.Remove(out)
	scrapeCtx, stopScraping := context.WithCancel(ctx)
	var scrapes int
	var wg sync.WaitGroup
	wg.Go(func() { scrapes = scrapeEvery(scrapeCtx, "http://"+addr+"/metrics", time.Second) })
	p, runErr := measure(ctx, procSpec{argv: c.argv(addr, out), core: c.core}, c.duration)
	stopScraping()
	wg.Wait()
	summary, err := os.ReadFile(out)
	if err != nil || p == nil {
		if runErr != nil {
			return result{}, runErr
		}
		return result{}, fmt.Errorf("stampede wrote no summary: %w", err)
	}
	// Exit status 1 means a threshold was breached; the scenarios here have
	// none, but the numbers stand either way.
	r, err := parseStampedeSummary(summary)
	if err != nil {
		return result{}, err
	}
	r.scrapes = scrapes
	return withTimes(r, p), nil
}
