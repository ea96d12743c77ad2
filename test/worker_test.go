package test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// metricsURL waits for the worker to say where its metrics are.
func metricsURL(p *proc) string {
	return p.waitLog(`metrics=(http://127\.0\.0\.1:\d+/metrics)`, 30*time.Second)
}

func demoStats(t *testing.T, url string) map[string]map[string]int64 {
	t.Helper()
	resp, err := http.Get(url + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats struct {
		Routes map[string]map[string]int64 `json:"routes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		t.Fatal(err)
	}
	return stats.Routes
}

// TestWorkerCountsWhatTheTargetServed runs a worker process against the
// demo target process and holds the worker's metrics to what the target
// says it served, endpoint by endpoint.
func TestWorkerCountsWhatTheTargetServed(t *testing.T) {
	_, target := startDemoTarget(t)
	out := filepath.Join(t.TempDir(), "summary.json")
	w := start(t, nil, "worker", "--scenario", "testdata/crud-fast.yaml", "--target", target,
		"--users", "20", "--spawn-rate", "40", "--duration", "4s", "--metrics-addr", "127.0.0.1:0",
		"--linger", "60s", "--progress-interval", "1s", "--out", out, "--run-id", "e2e-1")
	url := metricsURL(w)

	// Sample the users while the run goes.
	maxUsers := 0.0
	for !strings.Contains(w.stderr.String(), "run over") {
		families := scrape(t, url)
		maxUsers = max(maxUsers, sum(families, "stampede_users", nil))
		select {
		case <-w.done:
			t.Fatalf("worker exited early: %v", w.err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if maxUsers != 20 {
		t.Errorf("stampede_users peaked at %v, want the target 20", maxUsers)
	}

	families := scrape(t, url)
	served := demoStats(t, target)
	for _, ep := range []struct{ endpoint, method, route string }{
		{"create", "POST", "POST /todo"},
		{"/todo/[id]", "GET", "GET /todo/{id}"},
		{"/todo/[id]", "PUT", "PUT /todo/{id}"},
		{"/todo/[id]", "DELETE", "DELETE /todo/{id}"},
		{"/todo", "GET", "GET /todo"},
	} {
		labels := map[string]string{"endpoint": ep.endpoint, "method": ep.method, "run_id": "e2e-1"}
		counted := sum(families, "stampede_requests_total", labels)
		var want int64
		for _, n := range served[ep.route] {
			want += n
		}
		if counted == 0 || counted != float64(want) {
			t.Errorf("%s %s: worker counted %v requests, target served %d", ep.method, ep.endpoint, counted, want)
		}
		if h := sum(families, "stampede_request_duration_seconds", labels); h != counted {
			t.Errorf("%s %s: histogram count %v != counter %v", ep.method, ep.endpoint, h, counted)
		}
	}
	for _, name := range []string{
		"stampede_requests_total", "stampede_request_duration_seconds", "stampede_iterations_total",
		"stampede_iteration_duration_seconds", "stampede_checks_total", "stampede_users", "stampede_users_target",
		"stampede_data_sent_bytes_total", "stampede_data_received_bytes_total", "stampede_worker_cpu_utilization", "stampede_run_info",
	} {
		f, ok := families[name]
		if !ok {
			t.Errorf("metric %s missing", name)
			continue
		}
		for _, m := range f.GetMetric() {
			if label(m, "run_id") != "e2e-1" {
				t.Errorf("%s series without run_id=e2e-1: %v", name, m.GetLabel())
			}
		}
	}
	if got := sum(families, "stampede_checks_total", map[string]string{"result": "fail"}); got != 0 {
		t.Errorf("%v failed checks against a healthy target", got)
	}

	w.signal(syscall.SIGTERM) // ends the linger
	if code := w.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	stdout := w.stdout.String()
	for _, want := range []string{"create", "/todo/[id]", "P95", "http_req_failed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(w.stderr.String(), "rps") {
		t.Errorf("no progress line on stderr")
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Total struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	}
	if err := json.Unmarshal(raw, &summary); err != nil {
		t.Fatalf("summary.json: %v\n%s", err, raw)
	}
	if float64(summary.Total.Requests) != sum(families, "stampede_requests_total", nil) {
		t.Errorf("summary.json total %d != metrics %v", summary.Total.Requests, sum(families, "stampede_requests_total", nil))
	}
}

// TestWorkerSurvivesDeadAndSlowTargets: failures are counted by reason, the
// worker keeps going and exits 0 with its summary.
func TestWorkerSurvivesDeadAndSlowTargets(t *testing.T) {
	_, slow := startDemoTarget(t, "--latency", "2s")
	for _, tt := range []struct{ name, target, reason string }{
		{"dead", "http://127.0.0.1:1", "refused"},
		{"slow", slow, "timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := start(t, nil, "worker", "testdata/hello.yaml", "--target", tt.target, "--users", "3",
				"--duration", "2s", "--request-timeout", "200ms", "--metrics-addr", "127.0.0.1:0", "--linger", "60s")
			url := metricsURL(w)
			w.waitLog("run over", 30*time.Second)
			families := scrape(t, url)
			if got := sum(families, "stampede_request_errors_total", map[string]string{"reason": tt.reason}); got < 3 {
				t.Errorf("%v errors with reason %s, want at least one per user", got, tt.reason)
			}
			if got := sum(families, "stampede_requests_total", map[string]string{"status": "error"}); got < 3 {
				t.Errorf("%v requests with status=error", got)
			}
			w.signal(syscall.SIGTERM)
			if code := w.wait(30 * time.Second); code != 0 {
				t.Errorf("exit code %d, want 0: failures of the target are results, not worker errors", code)
			}
			if !strings.Contains(w.stdout.String(), "/hello") {
				t.Errorf("no summary:\n%s", w.stdout.String())
			}
		})
	}
}

// TestWorkerOpenModelStopsGracefullyOnSIGINT: no duration, stopped by a
// signal, and still prints the summary.
func TestWorkerOpenModelStopsGracefullyOnSIGINT(t *testing.T) {
	_, target := startDemoTarget(t)
	w := start(t, nil, "worker", "testdata/hello.yaml", "--target", target, "--rate", "50",
		"--metrics-addr", "127.0.0.1:0", "--progress-interval", "500ms")
	url := metricsURL(w)
	w.waitLog("rps", 30*time.Second)
	families := scrape(t, url)
	if got := sum(families, "stampede_arrival_rate_target", nil); got != 50 {
		t.Errorf("stampede_arrival_rate_target = %v, want 50", got)
	}
	if _, ok := families["stampede_dropped_iterations_total"]; !ok {
		t.Errorf("stampede_dropped_iterations_total missing: a 0 must be visible too")
	}
	w.signal(syscall.SIGINT)
	if code := w.wait(30 * time.Second); code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0", code)
	}
	if !strings.Contains(w.stdout.String(), "/hello") {
		t.Errorf("no summary after SIGINT:\n%s", w.stdout.String())
	}
}

func TestWorkerExitsOneWhenAThresholdIsBreached(t *testing.T) {
	_, target := startDemoTarget(t, "--error-rate", "1")
	code, stdout, _ := runToEnd(t, time.Minute, nil, "worker", "testdata/crud-fast.yaml", "--target", target,
		"--users", "2", "--iterations", "10", "--metrics-addr", "127.0.0.1:0")
	if code != 1 {
		t.Errorf("exit code %d with every request failing, want 1", code)
	}
	if !strings.Contains(stdout, "FAIL") {
		t.Errorf("summary does not show the failed threshold:\n%s", stdout)
	}
}

func TestWorkerRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"bad env value", []string{"STAMPEDE_USERS=many"}, []string{"worker", "testdata/hello.yaml"}, `STAMPEDE_USERS="many"`},
		{"bad flag value", nil, []string{"worker", "testdata/hello.yaml", "--duration", "forever"}, `--duration "forever"`},
		{"no scenario", nil, []string{"worker"}, "no scenario"},
		{"missing file", nil, []string{"worker", "testdata/nope.yaml"}, "nope.yaml"},
		{"bad scenario names file line and field", nil, []string{"worker", "testdata/bad.yaml", "--target", "http://127.0.0.1:1"}, `bad.yaml:6: tasks[0].steps[0].request.method: "GETT"`},
		{"bad target", nil, []string{"worker", "testdata/hello.yaml", "--target", "127.0.0.1:8080"}, "127.0.0.1:8080"},
		{"no target", nil, []string{"worker", "testdata/hello.yaml"}, "no base_url"},
		{"both models", nil, []string{"worker", "testdata/hello.yaml", "--target", "http://127.0.0.1:1", "--model", "closed", "--rate", "5"}, "--rate 5 needs the open model"},
		{"unknown command", nil, []string{"wrker"}, `unknown command "wrker"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runToEnd(t, 30*time.Second, tt.env, tt.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not name %q:\n%s", tt.want, stderr)
			}
		})
	}
}

func TestHelpListsFlagsWithTheirVariables(t *testing.T) {
	code, stdout, _ := runToEnd(t, 30*time.Second, nil, "worker", "--help")
	if code != 0 {
		t.Errorf("exit code %d", code)
	}
	for _, want := range []string{"--users int", "STAMPEDE_USERS", "--spawn-rate", "STAMPEDE_SPAWN_RATE", "--metrics-addr", "(default :9464)", "--request-timeout", "STAMPEDE_REQUEST_TIMEOUT"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("worker --help lacks %q", want)
		}
	}
	code, stdout, _ = runToEnd(t, 30*time.Second, nil, "--help")
	if code != 0 || !strings.Contains(stdout, "worker") || !strings.Contains(stdout, "demo-target") {
		t.Errorf("stampede --help: code %d\n%s", code, stdout)
	}
}

// TestMaxConnectionsPoolsTheUsersConnections holds 20 busy users to the
// 3 connections --max-connections allows, counted by the target.
func TestMaxConnectionsPoolsTheUsersConnections(t *testing.T) {
	var opened atomic.Int64
	target := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond) // so that users contend for the pool
		w.Write([]byte("hello"))
	}))
	target.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			opened.Add(1)
		}
	}
	target.Start()
	defer target.Close()

	for _, tc := range []struct {
		maxConns string
		min, max int64
	}{
		{"3", 1, 3},
		{"0", 4, 20}, // no pool: about one per busy user
	} {
		out := filepath.Join(t.TempDir(), "summary.json")
		opened.Store(0)
		code, _, stderr := runToEnd(t, 60*time.Second, nil, "worker", "testdata/hello.yaml", "--target", target.URL,
			"--users", "20", "--spawn-rate", "0", "--iterations", "2000", "--max-connections", tc.maxConns,
			"--metrics-addr", "127.0.0.1:0", "--progress-interval", "0", "--out", out)
		if code != 0 {
			t.Fatalf("--max-connections %s: exit %d: %s", tc.maxConns, code, stderr)
		}
		if n := opened.Load(); n < tc.min || n > tc.max {
			t.Errorf("--max-connections %s: the target saw %d connections, want %d to %d", tc.maxConns, n, tc.min, tc.max)
		}
		var summary struct {
			Total struct {
				Requests int64 `json:"requests"`
				Failures int64 `json:"failures"`
			} `json:"total"`
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &summary); err != nil {
			t.Fatal(err)
		}
		if summary.Total.Requests != 2000 || summary.Total.Failures != 0 {
			t.Errorf("--max-connections %s: %d requests, %d failures; want 2000 and 0", tc.maxConns, summary.Total.Requests, summary.Total.Failures)
		}
	}

	code, _, stderr := runToEnd(t, 30*time.Second, nil, "worker", "testdata/hello.yaml", "--target", target.URL, "--max-connections", "-1")
	if code != 2 || !strings.Contains(stderr, "--max-connections -1") {
		t.Errorf("--max-connections -1: exit %d, %s", code, stderr)
	}
}
