package test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// freeAddr picks a free loopback address for a process to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// rssKiB is a process's resident memory.
func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(rest)[0])
			return n
		}
	}
	return 0
}

func TestTargetDiesAndComesBack(t *testing.T) {
	addr := freeAddr(t)
	first := start(t, nil, "demo-target", "--listen", addr)
	first.waitLog("demo target serving", 30*time.Second)
	// hello.yaml has no thresholds: the outage's failures are results, not a breach.
	w := start(t, nil, "worker", "testdata/hello.yaml", "--target", "http://"+addr, "--users", "4", "--spawn-rate", "100",
		"--duration", "6s", "--request-timeout", "1s", "--metrics-addr", "127.0.0.1:0", "--linger", "60s")
	url := metricsURL(w)
	time.Sleep(1500 * time.Millisecond)
	first.signal(syscall.SIGKILL)
	first.wait(10 * time.Second)
	time.Sleep(1500 * time.Millisecond)
	second := start(t, nil, "demo-target", "--listen", addr)
	second.waitLog("demo target serving", 30*time.Second)
	w.waitLog("run over", 30*time.Second)

	families := scrape(t, url)
	if got := sum(families, "stampede_request_errors_total", map[string]string{"reason": "refused"}); got == 0 {
		t.Error("no requests counted as refused while the target was down")
	}
	var served int64
	for _, route := range demoStats(t, "http://"+addr) {
		for _, n := range route {
			served += n
		}
	}
	if served == 0 {
		t.Error("the load did not resume on the target that came back")
	}
	w.signal(syscall.SIGTERM)
	if code := w.wait(30 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// hangingServer accepts connections and never answers.
func hangingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String()
}

func TestHangingTargetTimesOutWithBoundedMemory(t *testing.T) {
	target := hangingServer(t)
	w := start(t, nil, "worker", "testdata/hello.yaml", "--target", target, "--users", "50", "--spawn-rate", "0",
		"--duration", "4s", "--request-timeout", "300ms", "--metrics-addr", "127.0.0.1:0", "--linger", "60s")
	url := metricsURL(w)
	w.waitLog("run over", 30*time.Second)
	rss := rssKiB(t, w.cmd.Process.Pid)
	t.Logf("worker RSS after 4s of 50 users against a hanging target: %d MiB", rss/1024)
	if got := sum(scrape(t, url), "stampede_request_errors_total", map[string]string{"reason": "timeout"}); got < 50 {
		t.Errorf("%v timeouts counted, want at least one per user", got)
	}
	if rss > 512*1024 {
		t.Errorf("worker RSS %d MiB against a hanging target: memory is not bounded", rss/1024)
	}
	w.signal(syscall.SIGTERM)
	if code := w.wait(30 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestHugeAndGarbageResponses: 10 MB bodies are read within bounds (and
// drained), garbage that is not HTTP is counted as a failure; no crash.
func TestHugeAndGarbageResponses(t *testing.T) {
	chunk := []byte(strings.Repeat("x", 64<<10))
	big := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for range 160 { // 10 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})}
	bigLn, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = big.Serve(bigLn) }()
	defer big.Shutdown(context.Background())

	garbageLn, _ := net.Listen("tcp", "127.0.0.1:0")
	garbageDone := make(chan struct{})
	go func() {
		defer close(garbageDone)
		for {
			c, err := garbageLn.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = c.Write([]byte("\x00\xffthis is not HTTP at all\r\n\r\n\x01\x02"))
				_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<16))
			}()
		}
	}()
	defer func() { garbageLn.Close(); <-garbageDone }()

	dir := t.TempDir()
	file := filepath.Join(dir, "big.yaml")
	// body_contains makes the worker keep the body for the check: bounded by --max-response-bytes.
	text := "name: big\ntasks:\n  - name: t\n    steps:\n      - {name: big, request: {path: /}, check: {body_contains: xxx}}\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, target, reason string }{
		{"10 MB bodies", "http://" + bigLn.Addr().String(), ""},
		{"garbage", "http://" + garbageLn.Addr().String(), "other"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := start(t, nil, "worker", file, "--target", tt.target, "--users", "4", "--spawn-rate", "0", "--duration", "3s",
				"--request-timeout", "5s", "--metrics-addr", "127.0.0.1:0", "--linger", "60s")
			url := metricsURL(w)
			w.waitLog("run over", 30*time.Second)
			rss := rssKiB(t, w.cmd.Process.Pid)
			families := scrape(t, url)
			t.Logf("%s: RSS %d MiB, %v requests, %v received bytes", tt.name, rss/1024,
				sum(families, "stampede_requests_total", nil), sum(families, "stampede_data_received_bytes_total", nil))
			if tt.reason == "" {
				if ok := sum(families, "stampede_checks_total", map[string]string{"result": "pass"}); ok < 4 {
					t.Errorf("%v passed checks on 10 MB bodies", ok)
				}
			} else if got := sum(families, "stampede_requests_total", map[string]string{"status": "error"}); got == 0 {
				t.Errorf("garbage not counted as failed requests")
			}
			if rss > 512*1024 {
				t.Errorf("RSS %d MiB: reads are not bounded", rss/1024)
			}
			w.signal(syscall.SIGTERM)
			if code := w.wait(30 * time.Second); code != 0 {
				t.Errorf("exit code %d", code)
			}
		})
	}
}

// TestOrphanedWorkersStopThenResume: with the controller killed, workers
// keep their assignment for the orphan timeout, then stop their load; when
// the controller is back (same state file) the run resumes, and no request
// is counted twice.
func TestOrphanedWorkersStopThenResume(t *testing.T) {
	_, target := startDemoTarget(t)
	addr := freeAddr(t)
	state := filepath.Join(t.TempDir(), "state.json")
	args := append([]string{"controller", "--listen", addr, "--state-file", state}, fastLeases...)
	ctlProc := start(t, nil, args...)
	ctl := ctlProc.waitLog(`url=(http://127\.0\.0\.1:\d+)`, 30*time.Second)
	ws := followersWithARun(t, ctl, target, 2, 6, "--orphan-timeout", "2s")
	live := workers(t, ctl)

	ctlProc.signal(syscall.SIGKILL)
	ctlProc.wait(10 * time.Second)
	killed := time.Now()
	time.Sleep(time.Second)
	if got := usersOnWorkers(t, live); got != 6 {
		t.Errorf("1s after the controller died the workers run %d users, want their assignment of 6 kept", got)
	}
	eventually(t, 30*time.Second, "the load stopped by the orphan timeout", func() bool { return usersOnWorkers(t, live) == 0 })
	if took := time.Since(killed); took < 2*time.Second {
		t.Errorf("load stopped %s after the controller died, before the 2s orphan timeout", took)
	}

	second := start(t, nil, args...)
	second.waitLog("controller serving", 30*time.Second)
	eventually(t, 30*time.Second, "the run resumed", func() bool { return usersOnWorkers(t, workers(t, ctl)) == 6 })
	stopRunAndAwaitFinalStats(t, ctl)
	assertSummaryEqualsServed(t, ctl, target)
	for _, w := range ws {
		w.signal(syscall.SIGTERM)
		w.wait(30 * time.Second)
	}
}

// stopRunAndAwaitFinalStats stops the run and waits until every worker is
// idle and has sent one more heartbeat, with its final stats.
func stopRunAndAwaitFinalStats(t *testing.T, ctl string) {
	t.Helper()
	if code := call(t, http.MethodPost, ctl+"/api/v1/runs/current/stop", nil, nil); code != http.StatusOK {
		t.Fatalf("stop: %d", code)
	}
	eventually(t, 30*time.Second, "every worker idle", func() bool {
		for _, w := range workers(t, ctl) {
			if w.State != "idle" {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second)
}

// assertSummaryEqualsServed holds the controller's merged count to what
// the demo target served: nothing lost, nothing counted twice.
func assertSummaryEqualsServed(t *testing.T, ctl, target string) {
	t.Helper()
	var summary struct {
		Total struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	}
	call(t, http.MethodGet, ctl+"/api/v1/runs/current/summary", nil, &summary)
	var served int64
	for _, route := range demoStats(t, target) {
		for _, n := range route {
			served += n
		}
	}
	if summary.Total.Requests != served || served == 0 {
		t.Errorf("summary counts %d requests, the target served %d", summary.Total.Requests, served)
	}
}

// proxy forwards TCP from a fixed loopback port to a backend until cut.
type proxy struct {
	t       *testing.T
	addr    string
	backend string
	mu      sync.Mutex
	ln      net.Listener
	conns   []net.Conn
	wg      sync.WaitGroup
}

func (p *proxy) up() {
	p.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment after a cut
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", p.backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			p.wg.Go(func() { _, _ = io.Copy(b, c); b.Close() })
			p.wg.Go(func() { _, _ = io.Copy(c, b); c.Close() })
		}
	})
}

// cut closes the listener and every connection: the path is gone.
func (p *proxy) cut() {
	p.mu.Lock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func TestNetworkCutBetweenWorkerAndController(t *testing.T) {
	_, target := startDemoTarget(t)
	_, ctl := startController(t, append([]string{"--scaler", "none"}, fastLeases...)...)
	px := &proxy{t: t, addr: freeAddr(t), backend: strings.TrimPrefix(ctl, "http://")}
	px.up()
	defer px.cut()
	start(t, nil, "worker", "--controller", "http://"+px.addr, "--metrics-addr", "127.0.0.1:0", "--heartbeat-interval", "300ms", "--orphan-timeout", "2s")
	eventually(t, 30*time.Second, "the worker", func() bool { return len(workers(t, ctl)) == 1 })
	startRun(t, ctl, target, map[string]any{"users": 3, "spawn_rate": 100})
	eventually(t, 30*time.Second, "3 users", func() bool { return usersOnWorkers(t, workers(t, ctl)) == 3 })
	live := workers(t, ctl)

	px.cut()
	eventually(t, 30*time.Second, "the orphaned worker stops its load", func() bool { return usersOnWorkers(t, live) == 0 })
	eventually(t, 30*time.Second, "the controller drops the silent worker", func() bool { return len(workers(t, ctl)) == 0 })
	px.up()
	eventually(t, 30*time.Second, "the worker back with its load", func() bool {
		ws := workers(t, ctl)
		return len(ws) == 1 && usersOnWorkers(t, ws) == 3
	})
}

// TestWorkerSIGTERMLosesNothing: a worker stopped mid-run sends its final
// stats and leaves; its users move to the other; nothing it counted is
// missing from the summary.
func TestWorkerSIGTERMLosesNothing(t *testing.T) {
	_, target := startDemoTarget(t)
	_, ctl := startController(t, append([]string{"--scaler", "none"}, fastLeases...)...)
	ws := followersWithARun(t, ctl, target, 2, 6)
	time.Sleep(time.Second)
	ws[0].signal(syscall.SIGTERM)
	if code := ws[0].wait(30 * time.Second); code != 0 {
		t.Errorf("worker exit code %d after SIGTERM", code)
	}
	if n := len(workers(t, ctl)); n != 1 {
		t.Errorf("%d workers listed right after one left, want 1 (it deregisters)", n)
	}
	eventually(t, 30*time.Second, "6 users on the other", func() bool { return usersOnWorkers(t, workers(t, ctl)) == 6 })
	stopRunAndAwaitFinalStats(t, ctl)
	assertSummaryEqualsServed(t, ctl, target)
}
