// Command compare measures stampede next to other load generators on this
// machine, one after the other in one run, and prints markdown tables that
// paste into docs/performance.md:
//
//   - raw: a single GET with no think time; stampede, wrk, hey, Vegeta and
//     k6, each for the same duration and concurrency, pinned to the client
//     core while the demo target is pinned to the other: requests/s, p50
//     and p99 as each tool reports them, the client's CPU, and stampede's
//     rate over each;
//   - crud: the CRUD flow of examples/todo-crud.yaml (JSON bodies, Id
//     extraction, checks) without think time; stampede and k6;
//   - open: a constant arrival rate against a target that stalls, stampede's
//     and k6's open models and hey's rate limit next to the percentiles an
//     intended-time measurement should show;
//   - memory: RSS per idle user (1 s think time) at growing user counts,
//     with a connection per user and with a shared pool, next to k6's per VU.
//
// stampede runs with full metrics on and its /metrics scraped every second.
// Tools that cannot be found or installed are skipped with the reason.
//
// Usage (make bench-compare builds stampede and runs it):
//
//	go run ./bench/compare -bin bin/stampede [-duration 10s] [-concurrency 50]
//	    [-only raw,crud,open,memory] [-memory-users 1000,10000,50000] [-rounds 1]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sections are the parts of a run, in the order they run.
func sections() []string { return []string{"raw", "crud", "open", "memory"} }

// config is the command line.
type config struct {
	bin             string
	duration        time.Duration
	concurrency     int
	only            []string
	memoryUsers     []int
	rounds          int
	openRate        int
	openDuration    time.Duration
	stall           stall
	poolConnections int
	memorySteady    time.Duration
	warmup          time.Duration
	pause           time.Duration
	installTimeout  time.Duration
	args            []string // as given, for the report
}

// memoryBaseUsers is the small run the memory table subtracts, so the
// per-user number leaves out what a process costs with no users.
const memoryBaseUsers = 10

func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var only, memoryUsers, stallText string
	fs.StringVar(&c.bin, "bin", "bin/stampede", "the stampede binary to measure")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long each client runs in the raw and crud tables")
	fs.IntVar(&c.concurrency, "concurrency", 50, "connections, workers, VUs or users of each client")
	fs.StringVar(&only, "only", strings.Join(sections(), ","), "which tables to make, comma-separated: "+strings.Join(sections(), ","))
	fs.StringVar(&memoryUsers, "memory-users", "1000,10000,50000", "user counts of the memory table, comma-separated")
	fs.IntVar(&c.rounds, "rounds", 1, "rounds of the raw and crud tables; each row is the round with the median rate")
	fs.IntVar(&c.openRate, "open-rate", 1000, "arrivals per second of the open-model table")
	fs.DurationVar(&c.openDuration, "open-duration", 30*time.Second, "how long each client runs in the open-model table (whole stall periods keep the expected values exact)")
	fs.StringVar(&stallText, "stall", "1s/10s", "the demo target's stall in the open-model table, FOR/EVERY")
	fs.IntVar(&c.poolConnections, "pool-connections", 100, "--max-connections of stampede's shared-pool rows in the memory table")
	fs.DurationVar(&c.memorySteady, "memory-steady", 5*time.Second, "how long the users idle before RSS is read")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "GET burst against the target before each client")
	fs.DurationVar(&c.pause, "pause", 2*time.Second, "pause between clients")
	fs.DurationVar(&c.installTimeout, "install-timeout", 5*time.Minute, "bound on `go install` of a missing vegeta or k6")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	c.args = args
	var err error
	if c.only, err = parseSections(only); err != nil {
		return config{}, err
	}
	if c.memoryUsers, err = parseUserCounts(memoryUsers); err != nil {
		return config{}, err
	}
	if c.stall, err = parseStall(stallText); err != nil {
		return config{}, err
	}
	switch {
	case c.duration < time.Second:
		return config{}, fmt.Errorf("-duration %v: want at least 1s", c.duration)
	case c.openDuration < time.Second:
		return config{}, fmt.Errorf("-open-duration %v: want at least 1s", c.openDuration)
	case c.concurrency < 1:
		return config{}, fmt.Errorf("-concurrency %d: want at least 1", c.concurrency)
	case c.rounds < 1:
		return config{}, fmt.Errorf("-rounds %d: want at least 1", c.rounds)
	case c.openRate < c.concurrency:
		return config{}, fmt.Errorf("-open-rate %d: want at least -concurrency (%d), hey's workers each need a rate", c.openRate, c.concurrency)
	case c.poolConnections < 1:
		return config{}, fmt.Errorf("-pool-connections %d: want at least 1", c.poolConnections)
	case c.memorySteady < 0 || c.warmup < 0 || c.pause < 0:
		return config{}, errors.New("-memory-steady, -warmup and -pause: want 0 or more")
	}
	return c, nil
}

func parseSections(text string) ([]string, error) {
	var out []string
	for s := range strings.SplitSeq(text, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(sections(), s) {
			return nil, fmt.Errorf("-only %q: unknown table %q, want some of %s", text, s, strings.Join(sections(), ","))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-only %q: name at least one of %s", text, strings.Join(sections(), ","))
	}
	return out, nil
}

func parseUserCounts(text string) ([]int, error) {
	var out []int
	for s := range strings.SplitSeq(text, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= memoryBaseUsers {
			return nil, fmt.Errorf("-memory-users %q: %q is not a count above the %d-user baseline", text, s, memoryBaseUsers)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-memory-users %q: want at least one count", text)
	}
	return out, nil
}

func (c config) wants(section string) bool { return slices.Contains(c.only, section) }

// commandLine is how this run was started, for the report.
func (c config) commandLine() string {
	parts := []string{"go run ./bench/compare"}
	for _, a := range c.args {
		if strings.ContainsAny(a, " \t'\"$") {
			a = strconv.Quote(a)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run makes the tables: 0 when it ran (even with rows skipped), 1 when a
// table failed or it was interrupted, 2 on bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "compare:", err)
		}
		return 2
	}
	h, cleanup, err := newHarness(ctx, cfg, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 2
	}
	defer cleanup()
	h.header(ctx)
	code := 0
	for _, section := range sections() {
		if !cfg.wants(section) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(stderr, "== %s\n", section)
		if err := h.section(ctx, section); err != nil && ctx.Err() == nil {
			fmt.Fprintf(stdout, "\n**%s failed:** %v\n", section, err)
			code = 1
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "compare: interrupted")
		return 1
	}
	return code
}
