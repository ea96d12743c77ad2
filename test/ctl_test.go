package test

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCtlDrivesAController: every ctl command against a real controller
// with a local worker.
func TestCtlDrivesAController(t *testing.T) {
	_, target := startDemoTarget(t)
	_, ctlURL := startController(t, append([]string{"--scaler", "local", "--workers", "1"}, fastLeases...)...)
	env := []string{"STAMPEDE_CONTROLLER=" + ctlURL}
	ctl := func(args ...string) (int, string, string) {
		t.Helper()
		return runToEnd(t, 30*time.Second, env, append([]string{"ctl"}, args...)...)
	}
	eventually(t, 30*time.Second, "a worker", func() bool { return len(workers(t, ctlURL)) == 1 })

	if code, _, stderr := ctl("start", "testdata/crud-fast.yaml", "--target", target, "--users", "4", "--spawn-rate", "100"); code != 0 {
		t.Fatalf("start: exit %d\n%s", code, stderr)
	}
	eventually(t, 30*time.Second, "4 users", func() bool {
		_, out, _ := ctl("status")
		return strings.Contains(out, "4 active, 4 target")
	})
	if code, _, stderr := ctl("set", "--users", "2"); code != 0 {
		t.Fatalf("set: exit %d\n%s", code, stderr)
	}
	eventually(t, 30*time.Second, "2 users", func() bool {
		_, out, _ := ctl("status")
		return strings.Contains(out, "2 active, 2 target")
	})
	if code, _, stderr := ctl("scale", "2"); code != 0 {
		t.Fatalf("scale: exit %d\n%s", code, stderr)
	}
	eventually(t, 30*time.Second, "2 workers", func() bool {
		_, out, _ := ctl("workers")
		return strings.Count(out, "running") == 2
	})
	if code, _, stderr := ctl("stop"); code != 0 {
		t.Fatalf("stop: exit %d\n%s", code, stderr)
	}
	code, out, _ := ctl("summary", "--format", "csv")
	if code != 0 || !strings.Contains(out, "create") || !strings.Contains(strings.SplitN(out, "\n", 2)[0], "requests") {
		t.Errorf("summary csv: exit %d\n%s", code, out)
	}
	code, out, _ = ctl("summary")
	if code != 0 || !strings.Contains(out, "P95") {
		t.Errorf("summary table: exit %d\n%s", code, out)
	}

	// Refusals name the field; bad input exits 2; a dead controller 1.
	code, _, stderr := ctl("start", "testdata/bad.yaml", "--target", target, "--users", "1")
	if code != 1 || !strings.Contains(stderr, "GETT") {
		t.Errorf("start with a bad scenario: exit %d, stderr %s", code, stderr)
	}
	if code, _, stderr := ctl("set"); code != 2 || !strings.Contains(stderr, "nothing to set") {
		t.Errorf("set with nothing: exit %d, %s", code, stderr)
	}
	if code, _, stderr := ctl("scale", "many"); code != 2 || !strings.Contains(stderr, `"many"`) {
		t.Errorf("scale many: exit %d, %s", code, stderr)
	}
	code, _, stderr = runToEnd(t, 30*time.Second, []string{"STAMPEDE_CONTROLLER=http://127.0.0.1:1"}, "ctl", "status", "--timeout", "2s")
	if code != 1 || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("dead controller: exit %d, %s", code, stderr)
	}
}

func TestCtlStatusWatch(t *testing.T) {
	_, ctlURL := startController(t, fastLeases...)
	w := start(t, []string{"STAMPEDE_CONTROLLER=" + ctlURL}, "ctl", "status", "--watch", "200ms")
	time.Sleep(900 * time.Millisecond)
	w.signal(syscall.SIGINT)
	if code := w.wait(30 * time.Second); code != 0 {
		t.Errorf("exit code %d after Ctrl-C", code)
	}
	out := w.stdout.String()
	if n := strings.Count(out, "Ctrl-C to stop"); n < 3 {
		t.Errorf("%d status blocks in 900ms at 200ms, want several:\n%s", n, out)
	}
	if strings.Contains(out, "\033[") {
		t.Errorf("escape codes in piped output:\n%s", out)
	}
}
