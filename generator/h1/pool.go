package h1

import (
	"context"
	"slices"
	"sync"
	"time"
)

// staleAfter is how long a connection may sit idle before it is checked
// for a close from the target when it is next taken: one non-blocking peek,
// skipped for the connections busy users hand back and forth.
const staleAfter = time.Millisecond

// pool holds the connections to one host:port.
type pool struct {
	addr    string
	maxIdle int
	bufs    *buffers

	mu      sync.Mutex
	idle    []*conn      // most recently used last
	open    int          // connections counted against MaxConnsPerHost
	waiters []chan *conn // requests waiting for a connection (MaxConnsPerHost reached)
}

// get returns an idle connection, dials a new one, or waits for one when
// the host is at MaxConnsPerHost.
func (p *pool) get(ctx context.Context, opts Options) (*conn, error) {
	p.mu.Lock()
	for len(p.idle) > 0 {
		c := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		idleFor := time.Since(c.idleSince)
		if idleFor > opts.IdleConnTimeout || (idleFor > staleAfter && !c.alive()) {
			p.open--
			p.mu.Unlock()
			c.close()
			p.mu.Lock()
			continue
		}
		p.mu.Unlock()
		c.reused = true
		return c, nil
	}
	if opts.MaxConnsPerHost <= 0 || p.open < opts.MaxConnsPerHost {
		p.open++
		p.mu.Unlock()
		return p.dial(ctx, opts)
	}
	wait := make(chan *conn, 1)
	p.waiters = append(p.waiters, wait)
	p.mu.Unlock()

	select {
	case c := <-wait:
		if c == nil { // a connection was closed: its slot is ours
			return p.dial(ctx, opts)
		}
		c.reused = true
		return c, nil
	case <-ctx.Done():
		p.mu.Lock()
		if i := slices.Index(p.waiters, wait); i >= 0 {
			p.waiters = slices.Delete(p.waiters, i, i+1)
			p.mu.Unlock()
		} else { // handed one just now: pass it on
			p.mu.Unlock()
			if c := <-wait; c != nil {
				p.put(c)
			} else {
				p.release()
			}
		}
		return nil, context.Cause(ctx)
	}
}

// dial opens a connection in a slot already counted in open.
func (p *pool) dial(ctx context.Context, opts Options) (*conn, error) {
	nc, err := opts.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		p.release()
		return nil, err
	}
	return newConn(nc, p.bufs), nil
}

// put returns a connection fit for another request.
func (p *pool) put(c *conn) {
	c.reused, c.read = false, 0
	p.mu.Lock()
	if p.handOver(c) {
		return
	}
	if len(p.idle) >= p.maxIdle {
		p.open--
		p.mu.Unlock()
		c.close()
		return
	}
	c.idleSince = time.Now()
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// discard closes a connection that cannot be used again.
func (p *pool) discard(c *conn) {
	c.close()
	p.release()
}

// release frees the slot of a connection closed or never opened: a waiter
// may dial in it.
func (p *pool) release() {
	p.mu.Lock()
	if p.handOver(nil) {
		return
	}
	p.open--
	p.mu.Unlock()
}

// handOver gives c (nil: a slot to dial in) to the longest waiting
// request, if any, and then unlocks p.mu, which the caller holds; it
// reports whether there was one (p.mu is still held when not).
func (p *pool) handOver(c *conn) bool {
	if len(p.waiters) == 0 {
		return false
	}
	wait := p.waiters[0]
	p.waiters = slices.Delete(p.waiters, 0, 1)
	p.mu.Unlock()
	wait <- c
	return true
}

// closeIdle closes every idle connection.
func (p *pool) closeIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.open -= len(idle)
	p.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
}
