package generator

import (
	"context"
	"fmt"
	"time"
)

// requestDeadline bounds a user's requests, body read included, by the
// request timeout. It reuses one context and one timer for all of a user's
// requests: http.Client.Timeout would build a deadline context, a timer and
// three closures per request, and copy the request.
//
// A user sends one request at a time: start, the request, stop.
type requestDeadline struct {
	timeout time.Duration
	cause   error // what a timed-out request fails with; wraps context.DeadlineExceeded

	parent context.Context
	ctx    context.Context // cancelled with cause when the timer fires
	cancel context.CancelCauseFunc
	timer  *time.Timer
	armed  bool          // between start and stop
	fired  chan struct{} // the timer's function has cancelled ctx
}

func newRequestDeadline(timeout time.Duration) *requestDeadline {
	d := &requestDeadline{
		timeout: timeout,
		cause:   fmt.Errorf("request timeout (%s) exceeded: %w", timeout, context.DeadlineExceeded),
		fired:   make(chan struct{}, 1),
	}
	d.timer = time.AfterFunc(time.Hour, func() {
		d.cancel(d.cause)
		d.fired <- struct{}{}
	})
	d.timer.Stop()
	return d
}

// start returns the context of the next request, a child of parent that
// ends when the timeout is over.
func (d *requestDeadline) start(parent context.Context) context.Context {
	if d.ctx == nil || d.parent != parent || d.ctx.Err() != nil {
		d.release()
		d.parent = parent
		d.ctx, d.cancel = context.WithCancelCause(parent)
	}
	d.timer.Reset(d.timeout)
	d.armed = true
	return d.ctx
}

// stop ends the deadline of the request start began, once its body has
// been read.
func (d *requestDeadline) stop() {
	if !d.armed {
		return
	}
	d.armed = false
	if !d.timer.Stop() {
		// The timer fired: wait until its function has cancelled ctx, so the
		// next start sees it cancelled and makes a new one.
		<-d.fired
	}
}

// release detaches the context from its parent, when the user is done.
func (d *requestDeadline) release() {
	d.stop()
	if d.cancel != nil {
		d.cancel(context.Canceled)
	}
}
