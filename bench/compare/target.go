package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// demoTarget is `stampede demo-target` running on the target core.
type demoTarget struct {
	proc    *proc
	url     string // http://127.0.0.1:PORT
	started time.Time
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// startTarget starts the demo target (with stall "" for none) and waits
// until it answers /healthz.
func startTarget(ctx context.Context, bin string, core int, stall string) (*demoTarget, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	argv := []string{bin, "demo-target", "--listen", addr, "--log-level", "warn"}
	if stall != "" {
		argv = append(argv, "--stall", stall)
	}
	p, err := startProc(ctx, procSpec{argv: argv, core: core})
	if err != nil {
		return nil, err
	}
	t := &demoTarget{proc: p, url: "http://" + addr, started: time.Now()}
	readyCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	client := &http.Client{}
	defer client.CloseIdleConnections()
	for {
		if _, err := fetch(readyCtx, client, t.url+"/healthz"); err == nil {
			return t, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("demo target exited: %w", p.exitError())
		case <-readyCtx.Done():
			_ = t.stop()
			return nil, fmt.Errorf("demo target on %s: no answer on /healthz within 15s", addr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (t *demoTarget) stop() error {
	err := t.proc.stop(10 * time.Second)
	if err != nil && t.proc.cmd.ProcessState != nil && !t.proc.cmd.ProcessState.Exited() {
		return nil // ended by our signal, as intended
	}
	return err
}

// warmUp sends GET /hello from conns connections for d, so each tool meets
// a target whose caches and allocator are warm, then drops the connections.
func warmUp(ctx context.Context, url string, conns int, d time.Duration) {
	if d <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _ = fetch(ctx, client, url+"/hello")
			}
		})
	}
	wg.Wait()
}

// baseLatency is the median of n sequential GET /hello from the harness: the
// target's latency when nothing stalls.
func baseLatency(ctx context.Context, url string, n int) (time.Duration, error) {
	client := &http.Client{}
	defer client.CloseIdleConnections()
	samples := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := fetch(ctx, client, url+"/hello"); err != nil {
			return 0, err
		}
		samples = append(samples, time.Since(start))
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	return samples[len(samples)/2], nil
}
