package test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// promQuery evaluates an instant query (at time at, or now when zero) and
// returns the result vector's values.
func promQuery(t *testing.T, prom, query string, at time.Time) []float64 {
	t.Helper()
	v := url.Values{"query": {query}}
	if !at.IsZero() {
		v.Set("time", strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64))
	}
	resp, err := http.Get(prom + "/api/v1/query?" + v.Encode())
	if err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	if body.Status != "success" {
		t.Fatalf("query %s: %s", query, body.Error)
	}
	var out []float64
	for _, r := range body.Data.Result {
		f, _ := strconv.ParseFloat(r.Value[1].(string), 64)
		out = append(out, f)
	}
	return out
}

// activeWorkerTargets counts the healthy worker targets Prometheus scrapes.
func activeWorkerTargets(t *testing.T, prom string) int {
	t.Helper()
	resp, err := http.Get(prom + "/api/v1/targets?state=active")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			ActiveTargets []struct {
				Labels map[string]string `json:"labels"`
				Health string            `json:"health"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tg := range body.Data.ActiveTargets {
		if tg.Labels["job"] == "stampede-workers" && tg.Health == "up" {
			n++
		}
	}
	return n
}

// TestPrometheusFollowsTheLiveWorkers: `stampede run --prometheus` starts a
// real Prometheus that finds the workers through the controller's /api/v1/sd;
// after scaling 3 → 1 the gone workers leave its targets within the SD
// refresh plus one lease TTL, and what it scraped agrees with the summary.
func TestPrometheusFollowsTheLiveWorkers(t *testing.T) {
	if _, err := exec.LookPath("prometheus"); err != nil {
		t.Fatal("no prometheus on PATH: install Debian's prometheus package (make deps does)")
	}
	// A few errors, under the scenario's 1% threshold, so the error panels have data.
	_, target := startDemoTarget(t, "--error-rate", "0.005")
	run := start(t, nil, "run", "testdata/crud-fast.yaml", "--target", target, "--workers", "3", "--users", "12",
		"--spawn-rate", "100", "--heartbeat-interval", "300ms", "--lease-ttl", "1200ms", "--prometheus",
		"--progress-interval", "0", "--out", t.TempDir()+"/summary.json")
	ctl := run.waitLog(`controller: (http://127\.0\.0\.1:\d+)`, 30*time.Second)
	prom := run.waitLog(`prometheus: (http://127\.0\.0\.1:\d+)`, 60*time.Second)

	eventually(t, 30*time.Second, "3 worker targets up", func() bool { return activeWorkerTargets(t, prom) == 3 })
	eventually(t, 30*time.Second, "12 users seen by Prometheus", func() bool {
		v := promQuery(t, prom, `sum(stampede_users)`, time.Time{})
		return len(v) == 1 && v[0] == 12
	})

	if code := call(t, http.MethodPut, ctl+"/api/v1/workers/scale", map[string]int{"replicas": 1}, nil); code != http.StatusOK {
		t.Fatalf("scale: %d", code)
	}
	scaled := time.Now()
	eventually(t, 30*time.Second, "1 worker target", func() bool { return activeWorkerTargets(t, prom) == 1 })
	t.Logf("gone workers left Prometheus's targets %s after the scale-down", time.Since(scaled).Round(10*time.Millisecond))
	// SD refresh 1s + lease 1.2s, plus a scrape interval and a graceful stop's heartbeats.
	if took := time.Since(scaled); took > 6*time.Second {
		t.Errorf("gone workers stayed in Prometheus's targets %s after the scale-down", took)
	}
	eventually(t, 30*time.Second, "dashboards count 1 worker and all 12 users on it", func() bool {
		workers := promQuery(t, prom, `count(stampede_users)`, time.Time{})
		users := promQuery(t, prom, `sum(stampede_users)`, time.Time{})
		return len(workers) == 1 && workers[0] == 1 && len(users) == 1 && users[0] == 12
	})

	// A steady window: the controller's merged count against Prometheus's rate.
	var before, after struct {
		Total struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	}
	time.Sleep(3 * time.Second) // past the rescale
	call(t, http.MethodGet, ctl+"/api/v1/runs/current/summary", nil, &before)
	t0 := time.Now()
	time.Sleep(10 * time.Second)
	call(t, http.MethodGet, ctl+"/api/v1/runs/current/summary", nil, &after)
	t1 := time.Now()
	summaryRPS := float64(after.Total.Requests-before.Total.Requests) / t1.Sub(t0).Seconds()
	window := fmt.Sprintf("%ds", int(math.Round(t1.Sub(t0).Seconds())))
	time.Sleep(2 * time.Second) // the last scrape of the window
	got := promQuery(t, prom, `sum(rate(stampede_requests_total[`+window+`]))`, t1)
	t.Logf("over %s: Prometheus %v req/s, the controller's merged summary %.1f req/s", window, got, summaryRPS)
	if len(got) != 1 || math.Abs(got[0]-summaryRPS) > 0.05*summaryRPS {
		t.Errorf("Prometheus rate %v vs the summary's %.1f req/s over the same %s: want within 5%%", got, summaryRPS, window)
	}

	// Every panel of every dashboard shows data from what Prometheus scraped.
	var empty []string
	queries := 0
	for _, file := range []string{"../dashboards/stampede-overview.json", "../dashboards/stampede-endpoint.json"} {
		for _, expr := range panelQueries(t, file) {
			queries++
			if len(promQuery(t, prom, expr, time.Time{})) == 0 {
				empty = append(empty, filepath.Base(file)+": "+expr)
			}
		}
	}
	t.Logf("%d panel queries run against the real Prometheus", queries)
	if len(empty) > 0 {
		t.Errorf("%d panel queries return no data:\n%s", len(empty), strings.Join(empty, "\n"))
	}

	run.signal(syscall.SIGINT)
	if code := run.wait(60 * time.Second); code != 0 {
		t.Errorf("stampede run exit code %d", code)
	}
}

// panelQueries returns every panel target's expression of a dashboard,
// with Grafana's variables substituted as "All" would.
func panelQueries(t *testing.T, file string) []string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	replacer := strings.NewReplacer("$__rate_interval", "30s", "$__interval", "5s", "$__range", "5m",
		"${namespace}", ".*", "$namespace", ".*", "${job}", ".*", "$job", ".*", "${run}", ".*", "$run", ".*", "${endpoint}", ".*", "$endpoint", ".*")
	var out []string
	var walk func(v any, inTargets bool)
	walk = func(v any, inTargets bool) {
		switch v := v.(type) {
		case map[string]any:
			if expr, ok := v["expr"].(string); ok && inTargets {
				out = append(out, replacer.Replace(expr))
			}
			for k, child := range v {
				walk(child, k == "targets" || (inTargets && k != "templating"))
			}
		case []any:
			for _, child := range v {
				walk(child, inTargets)
			}
		}
	}
	walk(doc, false)
	if len(out) == 0 {
		t.Fatalf("%s: no panel queries found", file)
	}
	return out
}
