package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procSpec describes one child process of the harness.
type procSpec struct {
	argv   []string  // the command and its arguments, without pinning
	core   int       // the CPU core to pin it to with taskset; -1 for none
	stdout io.Writer // where its standard output goes; nil keeps the last bytes for errors only
	stderr io.Writer // also gets its standard error (the last bytes are always kept for errors)
	env    []string  // extra environment variables, KEY=VALUE
	dir    string    // working directory; "" for the harness's
}

// proc is a started child. It runs in its own process group so that ending it
// ends whatever it started too, and it is killed when the harness dies
// (Pdeathsig) or when the context it was started with is cancelled.
type proc struct {
	cmd     *exec.Cmd
	stderr  *tailBuffer
	started time.Time
	done    chan struct{} // closed when the process has exited and been waited for
	waitErr error         // set before done is closed
	wall    time.Duration // set before done is closed
}

// tailBuffer keeps the last max bytes written to it: enough of a tool's
// stderr to explain a failure without holding a chatty tool's whole output.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

// pinnedArgv prefixes argv with taskset when core is a core to pin to.
func pinnedArgv(argv []string, core int) []string {
	if core < 0 {
		return argv
	}
	return append([]string{"taskset", "-c", strconv.Itoa(core)}, argv...)
}

// startProc starts spec. Cancelling ctx kills the process group at once;
// stop ends it gracefully.
func startProc(ctx context.Context, spec procSpec) (*proc, error) {
	if len(spec.argv) == 0 {
		return nil, errors.New("start: empty command")
	}
	argv := pinnedArgv(spec.argv, spec.core)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	// taskset execs the tool, so the process we wait for (and whose CPU time
	// we read) is the tool itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return killGroup(cmd, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second // bounds waiting for output pipes after a kill
	cmd.Dir = spec.dir
	if len(spec.env) > 0 {
		cmd.Env = append(cmd.Environ(), spec.env...)
	}
	p := &proc{cmd: cmd, stderr: newTailBuffer(4096), done: make(chan struct{})}
	cmd.Stdout = spec.stdout
	if cmd.Stdout == nil {
		cmd.Stdout = newTailBuffer(4096)
	}
	cmd.Stderr = p.stderr
	if spec.stderr != nil {
		cmd.Stderr = io.MultiWriter(p.stderr, spec.stderr)
	}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", strings.Join(argv, " "), err)
	}
	go func() { // bounded: the process exits on its own, on stop or on ctx
		p.waitErr = cmd.Wait()
		p.wall = time.Since(p.started)
		_ = killGroup(cmd, syscall.SIGKILL) // anything it left behind
		close(p.done)
	}()
	return p, nil
}

// killGroup signals the process group of a started cmd.
func killGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	if cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// pid is the process id of the child (the tool itself, taskset having exec'd it).
func (p *proc) pid() int { return p.cmd.Process.Pid }

// wait waits for the process to exit and returns its error, with the tail of
// its stderr when it failed.
func (p *proc) wait() error {
	<-p.done
	return p.exitError()
}

func (p *proc) exitError() error {
	if p.waitErr == nil {
		return nil
	}
	if tail := p.stderr.String(); tail != "" {
		return fmt.Errorf("%s: %w: %s", p.cmd.Args[0], p.waitErr, lastLines(tail, 5))
	}
	return fmt.Errorf("%s: %w", p.cmd.Args[0], p.waitErr)
}

// stop asks the process group to end with SIGINT (the tools then print or
// write their summaries), kills it after grace, and waits for it.
func (p *proc) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return p.exitError()
	default:
	}
	_ = killGroup(p.cmd, syscall.SIGINT)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		_ = killGroup(p.cmd, syscall.SIGKILL)
		<-p.done
	}
	return p.exitError()
}

// cpuTime is the user plus system CPU time of the exited process, from the
// rusage wait4 returned.
func (p *proc) cpuTime() time.Duration {
	<-p.done
	if p.cmd.ProcessState == nil {
		return 0
	}
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}

// runToEnd starts spec, waits until it exits or timeout passes (then it is
// killed), and returns the process for its CPU and wall time.
func runToEnd(ctx context.Context, spec procSpec, timeout time.Duration) (*proc, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p, err := startProc(ctx, spec)
	if err != nil {
		return nil, err
	}
	err = p.wait()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && err != nil {
		return p, fmt.Errorf("%s: not done after %v: %w", spec.argv[0], timeout, err)
	}
	return p, err
}

// outputOf runs a short command and returns its standard output.
func outputOf(ctx context.Context, timeout time.Duration, argv ...string) (string, error) {
	var out bytes.Buffer
	_, err := runToEnd(ctx, procSpec{argv: argv, core: -1, stdout: &out}, timeout)
	return out.String(), err
}

// combinedOutputOf runs a short command and returns its standard output
// and standard error together (for --help, which tools print to either).
func combinedOutputOf(ctx context.Context, timeout time.Duration, argv ...string) (string, error) {
	var out syncWriter
	_, err := runToEnd(ctx, procSpec{argv: argv, core: -1, stdout: &out, stderr: &out}, timeout)
	return out.String(), err
}

// syncWriter is a buffer two output pipes may write to at once.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// lastLines returns at most n last lines of s, joined by " | ".
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
