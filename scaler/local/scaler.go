package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Options configure a Scaler.
type Options struct {
	Command        string        // the stampede binary; default: this executable
	Args           []string      // e.g. worker --controller http://127.0.0.1:8089
	Env            []string      // added to this process's environment
	Output         io.Writer     // children's stdout and stderr, each line prefixed with its worker; nil discards
	StopTimeout    time.Duration // SIGTERM, then SIGKILL after this; default 15s
	RestartBackoff time.Duration // least time between two starts after a crash; default 1s
	MaxReplicas    int           // refuse Scale above this; default 64
	Logger         *slog.Logger
}

// Scaler keeps a desired number of worker processes running.
type Scaler struct {
	opts Options
	wake chan struct{}

	mu        sync.Mutex
	desired   int
	running   []*child // oldest first; the newest stops first
	nextIndex int
	lastCrash time.Time
	crashes   int
}

type child struct {
	index    int
	cmd      *exec.Cmd
	stopping bool
	done     chan struct{}
}

// New returns a Scaler with no workers; call Run to supervise them.
func New(opts Options) (*Scaler, error) {
	if opts.Command == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("local scaler: finding this executable: %w", err)
		}
		opts.Command = exe
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 15 * time.Second
	}
	if opts.RestartBackoff <= 0 {
		opts.RestartBackoff = time.Second
	}
	if opts.MaxReplicas <= 0 {
		opts.MaxReplicas = 64
	}
	if opts.Output == nil {
		opts.Output = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Scaler{opts: opts, wake: make(chan struct{}, 1)}, nil
}

// Scale sets the number of workers; Run starts or stops processes to match.
func (s *Scaler) Scale(_ context.Context, n int) error {
	if n < 0 || n > s.opts.MaxReplicas {
		return fmt.Errorf("replicas: %d is outside 0..%d (the local scaler runs workers on this machine)", n, s.opts.MaxReplicas)
	}
	s.mu.Lock()
	s.desired = n
	s.mu.Unlock()
	s.poke()
	return nil
}

// Replicas reports the desired count and the processes running now.
func (s *Scaler) Replicas(context.Context) (desired, ready int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.running {
		if !c.stopping {
			ready++
		}
	}
	return s.desired, ready, nil
}

// PIDs lists the running workers' process ids, oldest first.
func (s *Scaler) PIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var pids []int
	for _, c := range s.running {
		if !c.stopping {
			pids = append(pids, c.cmd.Process.Pid)
		}
	}
	return pids
}

// Crashes counts the workers that exited without being asked to.
func (s *Scaler) Crashes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.crashes
}

func (s *Scaler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run reconciles the processes with the desired count until ctx ends, then
// stops every worker (SIGTERM, SIGKILL after StopTimeout) and returns once
// all have exited.
func (s *Scaler) Run(ctx context.Context) {
	var children sync.WaitGroup
	defer children.Wait()
	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	for {
		if wait := s.reconcile(&children); wait > 0 {
			retry.Reset(wait)
		}
		select {
		case <-ctx.Done():
			s.mu.Lock()
			s.desired = 0
			s.mu.Unlock()
			s.reconcile(&children)
			return
		case <-s.wake:
		case <-retry.C:
		}
	}
}

// reconcile starts or stops processes towards the desired count; it returns
// how long to wait before trying again when a crash backoff holds a start.
func (s *Scaler) reconcile(children *sync.WaitGroup) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := 0
	for _, c := range s.running {
		if !c.stopping {
			live++
		}
	}
	for ; live < s.desired; live++ {
		if wait := time.Until(s.lastCrash.Add(s.opts.RestartBackoff)); wait > 0 {
			return wait
		}
		if err := s.start(children); err != nil {
			s.opts.Logger.Error("starting a worker failed", "error", err)
			s.lastCrash = time.Now()
			return s.opts.RestartBackoff
		}
	}
	for i := len(s.running) - 1; i >= 0 && live > s.desired; i-- {
		if c := s.running[i]; !c.stopping {
			c.stopping = true
			live--
			children.Go(func() { s.stop(c) })
		}
	}
	return 0
}

// start runs one worker process; s.mu is held.
func (s *Scaler) start(children *sync.WaitGroup) error {
	s.nextIndex++
	c := &child{index: s.nextIndex, done: make(chan struct{})}
	c.cmd = exec.Command(s.opts.Command, s.opts.Args...)
	c.cmd.Env = append(os.Environ(), s.opts.Env...)
	out := &prefixWriter{w: s.opts.Output, prefix: fmt.Sprintf("[worker %d] ", c.index)}
	c.cmd.Stdout, c.cmd.Stderr = out, out
	detach(c.cmd)
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", s.opts.Command, err)
	}
	s.running = append(s.running, c)
	s.opts.Logger.Debug("worker started", "worker", c.index, "pid", c.cmd.Process.Pid)
	children.Go(func() { s.watch(c) })
	return nil
}

// watch waits for a worker to exit; one that was not asked to is logged and
// replaced by the next reconcile.
func (s *Scaler) watch(c *child) {
	err := c.cmd.Wait()
	close(c.done)
	s.mu.Lock()
	for i, r := range s.running {
		if r == c {
			s.running = append(s.running[:i], s.running[i+1:]...)
			break
		}
	}
	crashed := !c.stopping
	if crashed {
		s.crashes++
		s.lastCrash = time.Now()
	}
	s.mu.Unlock()
	if crashed {
		s.opts.Logger.Warn("worker exited unexpectedly; starting another while the desired count says so", "worker", c.index, "pid", c.cmd.Process.Pid, "exit", exitText(err))
	}
	s.poke()
}

// stop asks a worker to leave (SIGTERM: it sends its final stats and goes)
// and kills it if it has not within StopTimeout.
func (s *Scaler) stop(c *child) {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(s.opts.StopTimeout)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		s.opts.Logger.Warn("worker did not stop in time; killing it", "worker", c.index, "pid", c.cmd.Process.Pid, "stop_timeout", s.opts.StopTimeout)
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func exitText(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.String()
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
