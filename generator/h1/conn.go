package h1

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// bufferSize is the size of a connection's read and write buffers, as
// net/http's.
const bufferSize = 4 << 10

// conn is one keep-alive connection. It serves one exchange at a time, on
// the goroutine of the request, and holds its buffers only during one: an
// idle connection (a user thinking) costs no buffer memory.
type conn struct {
	nc   net.Conn
	bufs *buffers
	br   *bufio.Reader // nil while idle
	bw   *bufio.Writer // nil while idle

	read      int64 // bytes read in this exchange: none means the target closed before answering
	reused    bool  // taken from the pool, not dialled for this request
	idleSince time.Time
	deadline  bool // a deadline is set on nc and must be cleared before reuse
}

func newConn(nc net.Conn, bufs *buffers) *conn {
	return &conn{nc: nc, bufs: bufs}
}

// buffers are the read and write buffers connections borrow for an
// exchange.
type buffers struct{ readers, writers sync.Pool }

func (c *conn) takeBuffers() {
	if c.br == nil {
		if br, ok := c.bufs.readers.Get().(*bufio.Reader); ok {
			br.Reset(countingReader{c})
			c.br = br
		} else {
			c.br = bufio.NewReaderSize(countingReader{c}, bufferSize)
		}
	}
	if c.bw == nil {
		if bw, ok := c.bufs.writers.Get().(*bufio.Writer); ok {
			bw.Reset(c.nc)
			c.bw = bw
		} else {
			c.bw = bufio.NewWriterSize(c.nc, bufferSize)
		}
	}
}

// returnBuffers lends the buffers back between exchanges; a read buffer
// still holding bytes (which would spoil the next answer) stays.
func (c *conn) returnBuffers() {
	if c.br != nil && c.br.Buffered() == 0 {
		c.br.Reset(nil)
		c.bufs.readers.Put(c.br)
		c.br = nil
	}
	if c.bw != nil {
		c.bw.Reset(nil)
		c.bufs.writers.Put(c.bw)
		c.bw = nil
	}
}

// countingReader counts what the connection reads, for the retry rule.
type countingReader struct{ c *conn }

func (r countingReader) Read(p []byte) (int, error) {
	n, err := r.c.nc.Read(p)
	r.c.read += int64(n)
	return n, err
}

func (c *conn) close() {
	c.nc.Close()
	c.returnBuffers()
}

// exchange writes req and reads the response head; the body is read from
// the connection as the caller reads it, and the connection goes back to
// p once the body is read to its end and closed.
func (c *conn) exchange(ctx context.Context, req *http.Request, p *pool) (*http.Response, error) {
	c.takeBuffers()
	if d, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(d)
		c.deadline = true
	}
	// A cancelled request unblocks its read or write by a deadline in the
	// past; no goroutine watches the connection.
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) }) // a deadline in the past
	fail := func(err error) (*http.Response, error) {
		stop()
		return nil, contextError(ctx, err)
	}
	if err := req.Write(c.bw); err != nil {
		return fail(err)
	}
	if err := c.bw.Flush(); err != nil {
		return fail(err)
	}
	resp, err := http.ReadResponse(c.br, req)
	// Informational answers (100 Continue, 103 Early Hints) precede the
	// real one.
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		resp, err = http.ReadResponse(c.br, req)
	}
	if err != nil {
		return fail(err)
	}
	reusable := !resp.Close && !req.Close && resp.StatusCode != http.StatusSwitchingProtocols
	if resp.Body == http.NoBody || resp.Body == nil {
		c.done(p, stop, reusable)
		resp.Body = http.NoBody
		return resp, nil
	}
	resp.Body = &body{rc: resp.Body, c: c, p: p, ctx: ctx, stop: stop, reusable: reusable}
	return resp, nil
}

// done ends an exchange: the connection goes back to the pool when it can
// carry another, else it is closed.
func (c *conn) done(p *pool, stop func() bool, reusable bool) {
	if !stop() { // the cancellation fired: the deadline is poisoned
		reusable = false
	}
	if reusable && c.deadline {
		reusable = c.nc.SetDeadline(time.Time{}) == nil
		c.deadline = false
	}
	if reusable {
		c.returnBuffers()
		p.put(c)
	} else {
		p.discard(c)
	}
}

// body is a response body that returns its connection to the pool once
// read to the end and closed.
type body struct {
	rc       io.ReadCloser
	c        *conn
	p        *pool
	ctx      context.Context
	stop     func() bool
	reusable bool

	eof  bool
	once sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	if b.eof {
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	} else if err != nil {
		err = contextError(b.ctx, err)
	}
	return n, err
}

// Close ends the exchange. A body not read to its end leaves the
// connection mid-response: it is closed rather than drained.
func (b *body) Close() error {
	b.once.Do(func() {
		b.c.done(b.p, b.stop, b.reusable && b.eof)
	})
	return nil
}

// contextError is err as the request's context explains it: its cause
// when it ended, and its deadline when that is what the connection's
// deadline (set from it) met, before the context's own timer fired.
func contextError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if d, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}
