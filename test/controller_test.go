package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Fast leases so the tests see workers come and go within seconds.
var fastLeases = []string{"--heartbeat-interval", "300ms", "--lease-ttl", "1200ms"}

const leaseTTL = 1200 * time.Millisecond

// startController runs `stampede controller` and returns its URL.
func startController(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := start(t, nil, append([]string{"controller", "--listen", "127.0.0.1:0"}, args...)...)
	return p, p.waitLog(`msg="controller serving" url=(http://127\.0\.0\.1:\d+)`, 30*time.Second)
}

// call does one API request and decodes the JSON answer into out.
func call(t *testing.T, method, url string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, url, err, raw)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, url, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

type workerInfo struct {
	ID          string `json:"id"`
	MetricsAddr string `json:"metrics_addr"`
	State       string `json:"state"`
	Users       int    `json:"users"`
}

func workers(t *testing.T, ctl string) []workerInfo {
	t.Helper()
	var ws []workerInfo
	call(t, http.MethodGet, ctl+"/api/v1/workers", nil, &ws)
	return ws
}

// usersOnWorkers sums stampede_users over the workers' own /metrics.
func usersOnWorkers(t *testing.T, ws []workerInfo) int {
	t.Helper()
	total := 0.0
	for _, w := range ws {
		total += sum(scrape(t, "http://"+w.MetricsAddr+"/metrics"), "stampede_users", nil)
	}
	return int(total)
}

func startRun(t *testing.T, ctl, target string, fields map[string]any) {
	t.Helper()
	text, err := os.ReadFile("testdata/crud-fast.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"scenario": string(text), "target": target}
	for k, v := range fields {
		body[k] = v
	}
	if code := call(t, http.MethodPost, ctl+"/api/v1/runs", body, nil); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("starting the run: %d", code)
	}
}

// eventually polls cond every 100ms for up to timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// childrenOf lists the live child processes of pid (from /proc).
func childrenOf(pid int) []int {
	var kids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at the last ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[0] != "Z" && fields[1] == strconv.Itoa(pid) {
			kids = append(kids, child)
		}
	}
	return kids
}

// TestScaleFourToOneToThreeShowsThree is the field's headline bug: a master
// that counts workers that are gone shows 6 after 4 → 1 → 3. Here the
// controller lists exactly the live worker processes, and the users they
// run (scraped from each worker) sum to the target exactly.
func TestScaleFourToOneToThreeShowsThree(t *testing.T) {
	_, target := startDemoTarget(t)
	ctlProc, ctl := startController(t, append([]string{"--scaler", "local", "--workers", "2"}, fastLeases...)...)
	startRun(t, ctl, target, map[string]any{"users": 12, "spawn_rate": 200})
	for _, n := range []int{2, 4, 1, 3} {
		if code := call(t, http.MethodPut, ctl+"/api/v1/workers/scale", map[string]int{"replicas": n}, nil); code != http.StatusOK {
			t.Fatalf("scale to %d: status %d", n, code)
		}
		eventually(t, 30*time.Second, fmt.Sprintf("%d worker processes and %d listed", n, n), func() bool {
			return len(childrenOf(ctlProc.cmd.Process.Pid)) == n && len(workers(t, ctl)) == n
		})
		time.Sleep(leaseTTL) // nothing gone may linger past its lease
		if ws := workers(t, ctl); len(ws) != n {
			t.Fatalf("after scaling to %d and one lease TTL, the controller lists %d workers: %+v", n, len(ws), ws)
		}
		eventually(t, 30*time.Second, fmt.Sprintf("12 users over %d workers", n), func() bool {
			return usersOnWorkers(t, workers(t, ctl)) == 12
		})
		var status struct {
			Workers struct{ Live, Desired int } `json:"workers"`
		}
		call(t, http.MethodGet, ctl+"/api/v1/status", nil, &status)
		if status.Workers.Live != n || status.Workers.Desired != n {
			t.Errorf("status after scaling to %d: live %d desired %d", n, status.Workers.Live, status.Workers.Desired)
		}
	}
}

// TestKilledWorkerIsDroppedAndItsUsersMove: kill -9 one of three workers
// mid-run; it is dropped within its lease, its users move to the others,
// and what it reported stays in the summary.
func TestKilledWorkerIsDroppedAndItsUsersMove(t *testing.T) {
	_, target := startDemoTarget(t)
	ctlProc, ctl := startController(t, append([]string{"--scaler", "local", "--workers", "3"}, fastLeases...)...)
	eventually(t, 30*time.Second, "3 workers", func() bool { return len(workers(t, ctl)) == 3 })
	startRun(t, ctl, target, map[string]any{"users": 12, "spawn_rate": 200})
	eventually(t, 30*time.Second, "12 users", func() bool { return usersOnWorkers(t, workers(t, ctl)) == 12 })
	time.Sleep(time.Second) // let every worker report some requests

	victim := workers(t, ctl)[0]
	victimRequests := sum(scrape(t, "http://"+victim.MetricsAddr+"/metrics"), "stampede_requests_total", nil)
	if victimRequests == 0 {
		t.Fatal("the worker to kill has made no requests yet")
	}
	var pid int
	for _, kid := range childrenOf(ctlProc.cmd.Process.Pid) {
		if strings.Contains(victim.ID, "-"+strconv.Itoa(kid)+"-") {
			pid = kid
		}
	}
	if pid == 0 {
		t.Fatalf("no child process behind worker %s", victim.ID)
	}
	var before struct {
		Total struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	}
	call(t, http.MethodGet, ctl+"/api/v1/runs/current/summary", nil, &before)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	eventually(t, 10*time.Second, "the killed worker dropped", func() bool {
		for _, w := range workers(t, ctl) {
			if w.ID == victim.ID {
				return false
			}
		}
		return true
	})
	if took := time.Since(killedAt); took > leaseTTL+2*time.Second {
		t.Errorf("the killed worker was dropped %s after its death, lease TTL %s", took, leaseTTL)
	}
	// The local scaler replaces it; whatever runs, the users sum to 12.
	eventually(t, 30*time.Second, "12 users on the live workers", func() bool { return usersOnWorkers(t, workers(t, ctl)) == 12 })
	var after struct {
		Total struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	}
	call(t, http.MethodGet, ctl+"/api/v1/runs/current/summary", nil, &after)
	if after.Total.Requests < before.Total.Requests {
		t.Errorf("summary went from %d to %d requests: the killed worker's reported requests were lost", before.Total.Requests, after.Total.Requests)
	}
	var metricsText string
	resp, err := http.Get(ctl + "/metrics")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metricsText = string(b)
	}
	if !strings.Contains(metricsText, "stampede_controller_workers_lost_total") {
		t.Errorf("controller /metrics lacks stampede_controller_workers_lost_total")
	}
}

// TestRunSummaryEqualsWhatTheTargetServed: `stampede run` with two local
// workers; every worker stops gracefully, so the merged summary counts
// exactly what the target served.
func TestRunSummaryEqualsWhatTheTargetServed(t *testing.T) {
	_, target := startDemoTarget(t)
	out := filepath.Join(t.TempDir(), "summary.json")
	code, _, stderr := runToEnd(t, 2*time.Minute, nil, "run", "testdata/crud-fast.yaml", "--target", target,
		"--workers", "2", "--users", "10", "--spawn-rate", "100", "--duration", "4s", "--heartbeat-interval", "300ms", "--out", out)
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Endpoints []struct {
			Name     string `json:"name"`
			Method   string `json:"method"`
			Requests int64  `json:"requests"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(raw, &summary); err != nil {
		t.Fatal(err)
	}
	served := demoStats(t, target)
	routes := map[string]string{"POST create": "POST /todo", "GET /todo/[id]": "GET /todo/{id}", "PUT /todo/[id]": "PUT /todo/{id}", "DELETE /todo/[id]": "DELETE /todo/{id}", "GET /todo": "GET /todo"}
	for _, ep := range summary.Endpoints {
		var want int64
		for _, n := range served[routes[ep.Method+" "+ep.Name]] {
			want += n
		}
		if ep.Requests == 0 || ep.Requests != want {
			t.Errorf("%s %s: summary %d, target served %d", ep.Method, ep.Name, ep.Requests, want)
		}
	}
	if len(summary.Endpoints) != len(routes) {
		t.Errorf("summary has %d endpoints, want %d", len(summary.Endpoints), len(routes))
	}
	if !strings.Contains(stderr, "workers 2/2") {
		t.Errorf("progress does not show the workers:\n%s", stderr)
	}
}

func TestRunExitCodeFollowsThresholds(t *testing.T) {
	_, target := startDemoTarget(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		name, threshold string
		want            int
	}{
		{"holds", "{metric: http_req_failed, max_rate: 0.5}", 0},
		{"breached", "{metric: http_req_duration, p: 50, max: 1us}", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".yaml")
			text := "name: t\ntasks:\n  - name: t\n    steps:\n      - {name: /hello, request: {path: /hello}}\nthresholds:\n  - " + tt.threshold + "\n"
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runToEnd(t, 2*time.Minute, nil, "run", file, "--target", target, "--workers", "1",
				"--users", "2", "--duration", "2s", "--heartbeat-interval", "300ms")
			if code != tt.want {
				t.Errorf("exit code %d, want %d\n%s\n%s", code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestControllerRestartCarriesOnTheRun: kill -9 the controller mid-run and
// start it again on the same state file; the run goes on, and no worker's
// requests are counted twice.
func TestControllerRestartCarriesOnTheRun(t *testing.T) {
	_, target := startDemoTarget(t)
	state := filepath.Join(t.TempDir(), "state.json")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"controller", "--listen", addr, "--state-file", state}, fastLeases...)
	first := start(t, nil, args...)
	ctl := first.waitLog(`msg="controller serving" url=(http://127\.0\.0\.1:\d+)`, 30*time.Second)
	ws := followersWithARun(t, ctl, target, 2, 6)

	first.signal(syscall.SIGKILL)
	first.wait(10 * time.Second)
	time.Sleep(time.Second) // the workers keep their assignment meanwhile
	second := start(t, nil, args...)
	second.waitLog(`msg="controller serving"`, 30*time.Second)
	var status struct {
		Run *struct {
			State string `json:"state"`
		} `json:"run"`
	}
	call(t, http.MethodGet, ctl+"/api/v1/status", nil, &status)
	if status.Run == nil || status.Run.State != "running" {
		t.Fatalf("restarted controller's first status: run %+v, want it running", status.Run)
	}
	eventually(t, 30*time.Second, "2 workers back", func() bool { return len(workers(t, ctl)) == 2 })
	time.Sleep(time.Second)
	stopRunAndAwaitFinalStats(t, ctl)
	assertSummaryEqualsServed(t, ctl, target)
	for _, w := range ws {
		w.signal(syscall.SIGTERM)
		if code := w.wait(30 * time.Second); code != 0 {
			t.Errorf("worker exit code %d", code)
		}
	}
}

// followersWithARun starts n `stampede worker --controller` processes (with
// extra flags), waits until the controller lists them, starts a run of the
// fast CRUD scenario with users, and waits until the workers run them all.
func followersWithARun(t *testing.T, ctl, target string, n, users int, extra ...string) []*proc {
	t.Helper()
	var ws []*proc
	for range n {
		args := append([]string{"worker", "--controller", ctl, "--metrics-addr", "127.0.0.1:0", "--heartbeat-interval", "300ms"}, extra...)
		ws = append(ws, start(t, nil, args...))
	}
	eventually(t, 30*time.Second, fmt.Sprintf("%d workers", n), func() bool { return len(workers(t, ctl)) == n })
	startRun(t, ctl, target, map[string]any{"users": users, "spawn_rate": 100})
	eventually(t, 30*time.Second, fmt.Sprintf("%d users", users), func() bool { return usersOnWorkers(t, workers(t, ctl)) == users })
	return ws
}
