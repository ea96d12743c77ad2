package test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestControllerRefusesAnOpenListenWithoutAToken(t *testing.T) {
	code, _, stderr := runToEnd(t, 30*time.Second, nil, "controller", "--listen", "0.0.0.0:0")
	if code != 2 || !strings.Contains(stderr, "no API token is set") {
		t.Errorf("exit %d, stderr %s; want 2 and a reason", code, stderr)
	}
	// With --insecure it starts, and says where.
	p := start(t, nil, "controller", "--listen", "0.0.0.0:0", "--insecure")
	p.waitLog(`msg="controller serving"`, 30*time.Second)
	// With a token from a file it starts too.
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	q := start(t, nil, "controller", "--listen", "0.0.0.0:0", "--api-token-file", tokenFile)
	q.waitLog(`msg="controller serving"`, 30*time.Second)
}

func TestTheTokenGuardsMutationsAndHeartbeats(t *testing.T) {
	env := []string{"STAMPEDE_API_TOKEN=s3cret"}
	p := start(t, env, append([]string{"controller", "--listen", "127.0.0.1:0"}, fastLeases...)...)
	ctl := p.waitLog(`msg="controller serving" url=(http://127\.0\.0\.1:\d+)`, 30*time.Second)

	// No token, or a wrong one: 401, nothing more.
	for _, auth := range []string{"", "Bearer nope", "Basic czNjcmV0"} {
		req, _ := http.NewRequest(http.MethodPut, ctl+"/api/v1/workers/scale", strings.NewReader(`{"replicas": 1}`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("scale with %q: %d, want 401", auth, resp.StatusCode)
		}
	}
	code, _, stderr := runToEnd(t, 30*time.Second, []string{"STAMPEDE_CONTROLLER=" + ctl}, "ctl", "stop")
	if code != 1 || !strings.Contains(stderr, "unauthorized") {
		t.Errorf("ctl without the token: exit %d, %s", code, stderr)
	}
	// A worker with the wrong token never joins; with the right one it does.
	bad := start(t, []string{"STAMPEDE_API_TOKEN=wrong"}, "worker", "--controller", ctl, "--metrics-addr", "127.0.0.1:0", "--heartbeat-interval", "300ms")
	bad.waitLog("unauthorized", 30*time.Second)
	if n := len(workers(t, ctl)); n != 0 {
		t.Errorf("%d workers joined with a wrong token", n)
	}
	start(t, env, "worker", "--controller", ctl, "--metrics-addr", "127.0.0.1:0", "--heartbeat-interval", "300ms")
	eventually(t, 30*time.Second, "the worker with the token", func() bool { return len(workers(t, ctl)) == 1 })
	code, _, stderr = runToEnd(t, 30*time.Second, []string{"STAMPEDE_CONTROLLER=" + ctl}, "ctl", "status", "--token", "s3cret")
	if code != 0 {
		t.Errorf("ctl status with the token: exit %d %s", code, stderr)
	}
}

func TestAllowedTargetsRefuseLoadElsewhere(t *testing.T) {
	_, target := startDemoTarget(t)
	env := []string{"STAMPEDE_ALLOWED_TARGETS=10.0.0.0/8,*.staging.example.com"}
	code, _, stderr := runToEnd(t, 30*time.Second, env, "worker", "testdata/hello.yaml", "--target", target, "--metrics-addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, target) || !strings.Contains(stderr, "not in the allowed targets") {
		t.Errorf("worker outside the allowlist: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = runToEnd(t, 30*time.Second, env, "run", "testdata/hello.yaml", "--target", target, "--workers", "1", "--duration", "1s")
	if code != 2 || !strings.Contains(stderr, target) {
		t.Errorf("run outside the allowlist: exit %d, stderr %s", code, stderr)
	}
	// A host only a template knows is checked when dialled: the requests fail, none reaches the target.
	dir := t.TempDir()
	file := filepath.Join(dir, "templated.yaml")
	text := "name: t\ntasks:\n  - name: t\n    steps:\n      - {name: x, request: {url: '{{ env \"HIDDEN_TARGET\" }}/hello'}}\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	w := start(t, append(env, "HIDDEN_TARGET="+target), "worker", file, "--target", "http://10.1.2.3", "--users", "2",
		"--duration", "1s", "--metrics-addr", "127.0.0.1:0", "--linger", "60s")
	url := metricsURL(w)
	w.waitLog("run over", 30*time.Second)
	if got := sum(scrape(t, url), "stampede_requests_total", map[string]string{"status": "error"}); got == 0 {
		t.Errorf("no refused requests counted")
	}
	if served := demoStats(t, target)["GET /hello"]; len(served) != 0 {
		t.Errorf("the target served %v despite the allowlist", served)
	}
	if !strings.Contains(w.stderr.String(), "not in the allowed targets") {
		t.Errorf("the worker did not say why its requests failed:\n%s", w.stderr.String())
	}
}
