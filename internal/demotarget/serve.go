package demotarget

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server timeouts. shutdownTimeout bounds a graceful shutdown: held requests
// are answered at once, so only slow clients can make it last; it exceeds
// the 5s after which net/http gives up on a connection that never sent a
// request.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 10 * time.Second
)

// ListenAndServe serves on addr (host:port) until ctx is done, then shuts
// down gracefully, bounded by a timeout. It returns nil after a clean
// shutdown.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("demotarget: listen on %q: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on a listener it takes over (and closes). On
// shutdown, requests held by Latency or Stall are answered 503 at once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// Requests' contexts derive from base, so cancelling it releases the
	// held ones; the cause tells them it is a shutdown, not a client gone.
	base, cancelBase := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelBase(nil)
	fresh := &freshConns{conns: map[net.Conn]struct{}{}}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnState:         fresh.track,
	}
	// Shutdown waits up to 5s for a connection that has not sent a request
	// yet; load generators open spare ones, so close them (after the
	// listener, which Shutdown closes first).
	srv.RegisterOnShutdown(fresh.closeAll)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("demotarget: serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	cancelBase(errShuttingDown)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if err != nil {
		_ = srv.Close() // give up on the connections still open
		err = fmt.Errorf("demotarget: shutdown on %s not done within %v: %w", ln.Addr(), shutdownTimeout, err)
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("demotarget: serve on %s: %w", ln.Addr(), serveErr)
	}
	return err
}

// freshConns tracks the connections that have not started a request yet.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	count atomic.Int64 // len(conns), read without the lock
}

func (f *freshConns) track(conn net.Conn, state http.ConnState) {
	// Most state changes are requests on kept-alive connections, long out
	// of StateNew; spare them the lock.
	if state != http.StateNew && f.count.Load() == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		f.conns[conn] = struct{}{}
	} else {
		delete(f.conns, conn)
	}
	f.count.Store(int64(len(f.conns)))
}

func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for conn := range f.conns {
		_ = conn.Close()
	}
	clear(f.conns)
	f.count.Store(0)
}
