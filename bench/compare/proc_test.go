package main

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRunToEnd(t *testing.T) {
	var out bytes.Buffer
	p, err := runToEnd(t.Context(), procSpec{argv: []string{"sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo done"}, core: -1, stdout: &out}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "done\n" {
		t.Errorf("stdout %q", out.String())
	}
	if p.cpuTime() <= 0 || p.wall <= 0 {
		t.Errorf("cpu %v wall %v, want both > 0", p.cpuTime(), p.wall)
	}
}

func TestRunToEndFailure(t *testing.T) {
	_, err := runToEnd(t.Context(), procSpec{argv: []string{"sh", "-c", "echo broken >&2; exit 3"}, core: -1}, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("error %v, want the stderr tail in it", err)
	}
	_, err = runToEnd(t.Context(), procSpec{argv: []string{"sleep", "30"}, core: -1}, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not done after") {
		t.Errorf("timeout: error %v", err)
	}
}

// stop must end the whole process group, not only the leader.
func TestStopEndsGroup(t *testing.T) {
	out := newTailBuffer(1 << 10) // safe to read while the process writes
	p, err := startProc(t.Context(), procSpec{argv: []string{"sh", "-c", "sleep 30 & echo $!; wait"}, core: -1, stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	var child int
	for deadline := time.Now().Add(10 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		child, _ = strconv.Atoi(strings.TrimSpace(out.String()))
	}
	if child == 0 {
		t.Fatal("no child pid printed")
	}
	// A non-interactive sh starts background jobs with SIGINT ignored, so
	// the sleep is only ended by the kill after the grace time.
	start := time.Now()
	_ = p.stop(time.Second)
	if time.Since(start) > 10*time.Second {
		t.Errorf("stop took %v", time.Since(start))
	}
	if !processGone(child, 10*time.Second) {
		t.Errorf("grandchild %d still running after stop", child)
	}
}

func TestCancelKills(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	p, err := startProc(ctx, procSpec{argv: []string{"sleep", "30"}, core: -1})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatal("not killed on cancel")
	}
}

func TestPinnedArgv(t *testing.T) {
	if got := strings.Join(pinnedArgv([]string{"wrk", "-t1"}, 1), " "); got != "taskset -c 1 wrk -t1" {
		t.Errorf("pinned: %q", got)
	}
	if got := strings.Join(pinnedArgv([]string{"wrk"}, -1), " "); got != "wrk" {
		t.Errorf("unpinned: %q", got)
	}
}

func TestTailBuffer(t *testing.T) {
	b := newTailBuffer(5)
	_, _ = b.Write([]byte("abc"))
	_, _ = b.Write([]byte("defg"))
	if b.String() != "cdefg" {
		t.Errorf("tail %q, want cdefg", b.String())
	}
}

// processGone waits until pid has exited (gone, or a zombie).
func processGone(pid int, wait time.Duration) bool {
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		if _, rest, ok := strings.Cut(string(stat), ") "); ok && strings.HasPrefix(rest, "Z") {
			return true
		}
	}
	return false
}
