package controller

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/metrics"
)

var (
	fleetSize     = flag.Int("fleet", 0, "TestHeartbeatFleet: simulated workers heartbeating every second (0 skips the test)")
	fleetDuration = flag.Duration("fleet-duration", 30*time.Second, "TestHeartbeatFleet: how long the fleet heartbeats")
)

const fleetChildEnv = "STAMPEDE_FLEET_CONTROLLER"

// TestHeartbeatFleet is a load check to run by hand:
//
//	go test ./controller -run TestHeartbeatFleet -v -fleet=1000 -fleet-duration=30s
//
// (the package before the flags: go test hands everything after a flag it
// does not know to the test binary).
//
// It starts a controller in a child process (this test binary again, so
// that its CPU and memory are the controller's alone), has -fleet simulated
// workers heartbeat it every second over loopback HTTP with realistic
// cumulative stats, polls the status every 2s (which merges the stats), and
// reports the controller's heartbeat handling latency, CPU and RSS.
func TestHeartbeatFleet(t *testing.T) {
	if *fleetSize <= 0 {
		t.Skip("a load check to run by hand: go test ./controller -run TestHeartbeatFleet -v -fleet=1000 -fleet-duration=30s")
	}
	n, duration := *fleetSize, *fleetDuration
	ctx, cancel := context.WithTimeout(t.Context(), duration+2*time.Minute)
	defer cancel()

	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFleetController$", "-test.count=1")
	child.Env = append(os.Environ(), fleetChildEnv+"=1")
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	addr := ""
	for addr == "" && lines.Scan() {
		addr, _ = strings.CutPrefix(lines.Text(), "FLEET-ADDR ")
	}
	if addr == "" {
		t.Fatal("the controller process did not say where it listens")
	}
	base := "http://" + addr

	transport := &http.Transport{MaxIdleConns: n + 16, MaxIdleConnsPerHost: n + 16, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	client, err := api.NewClient(base, api.ClientOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	const users = 10_000
	info, err := client.StartRun(ctx, api.RunRequest{Scenario: testScenario, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	// Two versions of the stats, sent in turn, so that every heartbeat
	// brings stats that differ from the last, as a busy worker's do.
	var stats [2][]byte
	for k := range stats {
		snap := realisticSnapshot(info.ID, rand.New(rand.NewPCG(1, uint64(k))))
		snap.Taken = snap.Taken.Add(time.Duration(k) * time.Second)
		if stats[k], err = json.Marshal(snap); err != nil {
			t.Fatal(err)
		}
	}

	var (
		sent, failed atomic.Int64
		rttMu        sync.Mutex
		rtt          = metrics.NewHistogram()
		assigned     = make([]atomic.Int64, n)
		wg           sync.WaitGroup
	)
	fleetCtx, stopFleet := context.WithTimeout(ctx, duration)
	defer stopFleet()
	for i := range n {
		bodies := [2][]byte{fleetHeartbeat(t, i, info, stats[0]), fleetHeartbeat(t, i, info, stats[1])}
		wg.Go(func() {
			// Spread the workers over the second, as real ones drift apart.
			select {
			case <-time.After(time.Duration(rand.Int64N(int64(time.Second)))):
			case <-fleetCtx.Done():
				return
			}
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for k := 0; ; k++ {
				start := time.Now()
				users, err := postHeartbeat(fleetCtx, hc, base, bodies[k%2])
				if fleetCtx.Err() != nil {
					return
				}
				sent.Add(1)
				if err != nil {
					failed.Add(1)
				} else {
					assigned[i].Store(int64(users))
					rttMu.Lock()
					rtt.Record(time.Since(start))
					rttMu.Unlock()
				}
				select {
				case <-tick.C:
				case <-fleetCtx.Done():
					return
				}
			}
		})
	}
	wg.Go(func() { // the status poll of `stampede run` or a dashboard
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				_, _ = client.Status(fleetCtx)
			case <-fleetCtx.Done():
				return
			}
		}
	})

	// Measure after the fleet has joined.
	warmup := min(5*time.Second, duration/4)
	time.Sleep(warmup)
	// A summary merges every worker's stats afresh: the costliest call.
	summaryStart := time.Now()
	summary, err := client.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	summaryTook := time.Since(summaryStart)
	cpu0, _ := procCPU(child.Process.Pid)
	sent0, at0 := sent.Load(), time.Now()
	<-fleetCtx.Done()
	cpu1, err := procCPU(child.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(at0)
	rss, hwm, err := procRSS(child.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	beats := sent.Load() - sent0
	wg.Wait()

	st, err := client.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for i := range assigned {
		sum += int(assigned[i].Load())
	}
	_ = stdin.Close() // the controller process reports and exits
	var handling string
	for lines.Scan() {
		if s, ok := strings.CutPrefix(lines.Text(), "FLEET-HANDLING "); ok {
			handling = s
		}
	}
	if err := child.Wait(); err != nil {
		t.Fatalf("the controller process: %v", err)
	}

	t.Logf("%d workers heartbeating every 1s for %s (measured over the last %s)", n, duration, elapsed.Round(time.Millisecond))
	t.Logf("heartbeats: %d sent (%.0f/s measured), %d failed; heartbeat body %d bytes with stats", sent.Load(), float64(beats)/elapsed.Seconds(), failed.Load(), len(fleetHeartbeat(t, 0, info, stats[0])))
	t.Logf("controller handling (server side): %s", handling)
	rttMu.Lock()
	t.Logf("round trip (client side): p50 %s, p99 %s, max %s", rtt.Quantile(0.5), rtt.Quantile(0.99), rtt.Max())
	rttMu.Unlock()
	t.Logf("controller CPU: %.2fs over %s = %.1f%% of one core; RSS %d MiB (peak %d MiB)",
		cpu1-cpu0, elapsed.Round(time.Millisecond), 100*(cpu1-cpu0)/elapsed.Seconds(), rss>>20, hwm>>20)
	t.Logf("status: %d live workers, generation %d; a summary after %s merged the stats of %d workers (%d requests) in %s",
		st.Workers.Live, st.Generation, warmup, len(assigned), summary.Total.Requests, summaryTook.Round(time.Millisecond))

	if failed.Load() > 0 {
		t.Errorf("%d heartbeats failed", failed.Load())
	}
	if st.Workers.Live != n {
		t.Errorf("%d live workers at the end, want %d", st.Workers.Live, n)
	}
	if sum != users {
		t.Errorf("the last assignments add up to %d users, want %d", sum, users)
	}
}

// fleetHeartbeat is worker i's heartbeat, its stats already encoded.
func fleetHeartbeat(t *testing.T, i int, info api.RunInfo, stats []byte) []byte {
	hb := struct {
		api.Heartbeat
		Stats json.RawMessage `json:"stats"`
	}{
		Heartbeat: api.Heartbeat{
			ID: fmt.Sprintf("stampede-worker-%05d", i), MetricsAddr: fmt.Sprintf("127.0.0.1:%d", 20000+i),
			Version: "v0.1.0", RunID: info.ID, State: api.WorkerRunning, Users: 10, Rate: 5, CPU: 0.3, ScenarioHash: info.ScenarioHash,
		},
		Stats: stats,
	}
	data, err := json.Marshal(hb)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// postHeartbeat sends one heartbeat and returns the users assigned.
func postHeartbeat(ctx context.Context, hc *http.Client, base string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+api.PathHeartbeat, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, data)
	}
	var r api.HeartbeatResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return 0, err
	}
	return r.Assignment.Users, nil
}

// TestFleetController is the controller process of TestHeartbeatFleet.
func TestFleetController(t *testing.T) {
	if os.Getenv(fleetChildEnv) == "" {
		t.Skip("the controller process of TestHeartbeatFleet")
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c, err := New(ctx, Options{
		HeartbeatInterval: time.Second,
		Store:             FileStore{Path: filepath.Join(t.TempDir(), "state.json")},
		Logger:            quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.Run(ctx) })

	var mu sync.Mutex
	handling := metrics.NewHistogram()
	h := c.Handler()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		if strings.HasSuffix(r.URL.Path, "/heartbeat") {
			d := time.Since(start)
			mu.Lock()
			handling.Record(d)
			mu.Unlock()
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() { _ = srv.Serve(ln) })
	fmt.Printf("FLEET-ADDR %s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
	shutdownCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	_ = srv.Shutdown(shutdownCtx)
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	fmt.Printf("FLEET-HANDLING %d heartbeats: p50 %s, p99 %s, max %s\n", handling.Count(), handling.Quantile(0.5), handling.Quantile(0.99), handling.Max())
}

// procCPU is the user+system CPU seconds of process pid so far.
func procCPU(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, fields[11], fields[12])
	}
	const clockTicks = 100 // USER_HZ, 100 on every Linux Go runs on
	return (utime + stime) / clockTicks, nil
}

// procRSS is the resident and peak resident memory of process pid, in bytes.
func procRSS(pid int) (rss, peak int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak, nil
}
