package local_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampedehq/stampede/scaler/local"
)

// A worker stand-in: the test binary itself, re-executed, says hello and
// waits for SIGTERM (or ignores it, to test the kill).
func TestMain(m *testing.M) {
	mode := os.Getenv("STAMPEDE_TEST_CHILD")
	if mode == "" {
		goleak.VerifyTestMain(m)
		return
	}
	sigs := make(chan os.Signal, 1)
	if mode == "stubborn" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(sigs, syscall.SIGTERM)
	}
	fmt.Println("worker up")
	select {
	case <-sigs:
		os.Exit(0)
	case <-time.After(2 * time.Minute): // never outlive a broken test
		os.Exit(3)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newScaler(t *testing.T, mode string, out *lockedBuffer) (*local.Scaler, func()) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s, err := local.New(local.Options{
		Command: exe, Args: []string{"-test.run=^$"}, Env: []string{"STAMPEDE_TEST_CHILD=" + mode},
		Output: out, StopTimeout: 500 * time.Millisecond, RestartBackoff: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	return s, func() { cancel(); <-done }
}

func waitPIDs(t *testing.T, s *local.Scaler, n int) []int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pids := s.PIDs()
		if _, ready, _ := s.Replicas(context.Background()); len(pids) == n && ready == n {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d workers running, want %d", len(pids), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestScaleUpAndDownRunsExactlyTheDesiredProcesses(t *testing.T) {
	var out lockedBuffer
	s, stop := newScaler(t, "polite", &out)
	var all []int
	for _, n := range []int{2, 4, 1, 3} {
		if err := s.Scale(context.Background(), n); err != nil {
			t.Fatal(err)
		}
		pids := waitPIDs(t, s, n)
		all = append(all, pids...)
		if desired, _, _ := s.Replicas(context.Background()); desired != n {
			t.Errorf("desired %d, want %d", desired, n)
		}
	}
	stop()
	for _, pid := range all {
		if alive(pid) {
			t.Errorf("worker %d still running after Run returned", pid)
		}
	}
	if !strings.Contains(out.String(), "[worker 1] worker up") {
		t.Errorf("children's output not prefixed:\n%s", out.String())
	}
	if s.Crashes() != 0 {
		t.Errorf("%d crashes counted for workers that were asked to stop", s.Crashes())
	}
}

func TestAWorkerThatDiesIsReplaced(t *testing.T) {
	var out lockedBuffer
	s, stop := newScaler(t, "polite", &out)
	defer stop()
	if err := s.Scale(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	pids := waitPIDs(t, s, 3)
	if err := syscall.Kill(pids[1], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		now := s.PIDs()
		if len(now) == 3 && !contains(now, pids[1]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("killed worker not replaced: %v (was %v)", now, pids)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s.Crashes() != 1 {
		t.Errorf("crashes = %d, want 1", s.Crashes())
	}
}

func TestAStubbornWorkerIsKilledAfterTheStopTimeout(t *testing.T) {
	var out lockedBuffer
	s, stop := newScaler(t, "stubborn", &out)
	if err := s.Scale(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	pid := waitPIDs(t, s, 1)[0]
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "worker up") { // SIGTERM is ignored only once it says so
		if time.Now().After(deadline) {
			t.Fatal("stand-in never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if alive(pid) {
		t.Errorf("stubborn worker %d survived", pid)
	}
}

func TestScaleRejectsOutOfRange(t *testing.T) {
	s, err := local.New(local.Options{Command: "/bin/true", MaxReplicas: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{-1, 9} {
		if err := s.Scale(context.Background(), n); err == nil || !strings.Contains(err.Error(), "replicas") {
			t.Errorf("Scale(%d): err = %v", n, err)
		}
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
