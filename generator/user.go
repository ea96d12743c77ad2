package generator

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

// user is one virtual user: its own variables, cookie jar and random
// source. The closed model keeps one for a VU's life; the open model resets
// one per arrival.
type user struct {
	e        *Engine
	rng      *rand.Rand
	vars     scenario.Vars
	client   http.Client
	jar      lazyJar
	replay   replayTransport // the client's transport: see send
	deadline *requestDeadline
	body     bytes.Buffer
	checks   []scenario.CheckResult
	timer    *time.Timer
}

func (e *Engine) newUser(seed uint64) *user {
	u := &user{
		e:        e,
		rng:      rand.New(rand.NewPCG(e.seed, seed)),
		vars:     scenario.Vars{},
		replay:   replayTransport{next: e.transport},
		deadline: newRequestDeadline(e.opts.RequestTimeout),
		timer:    time.NewTimer(time.Hour),
	}
	u.timer.Stop()
	u.client = http.Client{Transport: &u.replay, Jar: &u.jar}
	u.reset()
	return u
}

// release frees what the user holds once it has left.
func (u *user) release() { u.deadline.release() }

// reset forgets the user's variables and cookies, for a new arrival.
func (u *user) reset() {
	clear(u.vars)
	u.jar.reset()
}

// outcome of one step or iteration.
type outcome int

const (
	outcomeOK          outcome = iota
	outcomeFailed              // counted as a failure; the iteration goes on
	outcomeAborted             // failed, and later steps cannot run (nothing to extract from)
	outcomeInterrupted         // the run is stopping: nothing is recorded
)

// iterate runs one iteration of a task picked by weight. intended is the
// open model's scheduled start (zero in the closed model): the first request
// is timed from it, so a stalled target shows in the latency, not only in
// the rate.
func (u *user) iterate(ctx context.Context, stopping <-chan struct{}, intended time.Time) (outcome, *taskPlan, time.Duration) {
	p := u.e.plan
	tp := p.tasks[p.scenario.PickTask(u.rng)]
	start := time.Now()
	if !intended.IsZero() {
		start = intended
	}
	result := outcomeOK
	for i := range tp.steps {
		sp := &tp.steps[i]
		if i > 0 && closed(stopping) {
			return outcomeInterrupted, tp, 0
		}
		from := time.Time{}
		if i == 0 {
			from = intended
		}
		o := u.step(ctx, sp, from)
		if o == outcomeInterrupted {
			return o, tp, 0
		}
		if o != outcomeOK {
			result = outcomeFailed
		}
		if o == outcomeAborted {
			break
		}
		if sp.think.Kind != scenario.ThinkNone && i < len(tp.steps)-1 {
			if !u.sleep(ctx, nil, stopping, sp.think.Delay(u.rng, 0)) {
				return outcomeInterrupted, tp, 0
			}
		}
	}
	elapsed := time.Since(start)
	tp.rec.Iteration(elapsed, result == outcomeOK)
	return result, tp, elapsed
}

// afterIteration is the wait between two iterations of a closed-model user:
// the last step's think time, or what is left of the task's pacing. It
// returns false when the wait was cut short by stop.
func (u *user) afterIteration(ctx context.Context, retire, stopping <-chan struct{}, tp *taskPlan, elapsed time.Duration) bool {
	var d time.Duration
	if tp.pacing.Kind == scenario.ThinkPacing {
		d = tp.pacing.Delay(u.rng, elapsed)
	} else if last := tp.steps[len(tp.steps)-1].think; last.Kind != scenario.ThinkNone {
		d = last.Delay(u.rng, elapsed)
	}
	return u.sleep(ctx, retire, stopping, d)
}

// step sends one request and records it.
func (u *user) step(ctx context.Context, sp *stepPlan, intended time.Time) outcome {
	e := u.e
	// The deadline covers the whole request, body read included, like
	// http.Client.Timeout; ctx stays the run's, to tell our cancellation
	// from a timeout.
	defer u.deadline.stop()
	req, err := sp.step.NewSharedRequest(u.deadline.start(ctx), e.plan.scenario.BaseURL, u.vars, u.rng, e.opts.UserAgent)
	if err != nil {
		// A template needs a value an earlier step failed to extract, or the
		// scenario has no base URL: nothing was sent, so nothing to count as
		// a request, but the iteration failed.
		e.logOnce(sp.step.Name, "request", "cannot build request", err)
		return outcomeAborted
	}
	sent := requestBytes(req)
	start := time.Now()
	if !intended.IsZero() {
		start = intended
	}
	resp, err := u.send(req)
	if err != nil {
		if ctx.Err() != nil {
			return outcomeInterrupted
		}
		reason := Reason(err)
		sp.rec.Request(0, reason, time.Since(start), sent, 0)
		e.logOnce(sp.step.Name, reason, "request failed", err)
		return outcomeAborted
	}
	received, body, err := u.readBody(resp, sp.needsBody)
	d := time.Since(start)
	u.deadline.stop()
	if err != nil {
		if ctx.Err() != nil {
			return outcomeInterrupted
		}
		reason := Reason(err)
		sp.rec.Request(resp.StatusCode, reason, d, sent, received)
		e.logOnce(sp.step.Name, reason, "reading the response failed", err)
		return outcomeAborted
	}

	u.checks = u.checks[:0]
	r := scenario.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	checks, extractErr := sp.step.Evaluate(&r, u.vars, u.checks)
	u.checks = checks
	reason := ""
	for i, c := range checks {
		sp.rec.Check(i, c.Passed)
		if !c.Passed {
			reason = ReasonCheck
		}
	}
	if extractErr != nil {
		reason = ReasonCheck
		e.logOnce(sp.step.Name, "extract", "extraction failed", extractErr)
	}
	if reason == "" && !sp.expectsStatus && resp.StatusCode >= 400 {
		reason = ReasonStatus
	}
	sp.rec.Request(resp.StatusCode, reason, d, sent, received)
	switch {
	case extractErr != nil:
		return outcomeAborted
	case reason != "":
		return outcomeFailed
	}
	return outcomeOK
}

// readBody reads the response: up to MaxResponseBytes kept when checks or
// extraction need it, the rest drained so the connection can be reused.
func (u *user) readBody(resp *http.Response, keep bool) (int64, []byte, error) {
	defer resp.Body.Close()
	received := headerBytes(resp.Header) + int64(len(resp.Proto)+len(resp.Status)+4)
	var body []byte
	if keep {
		u.body.Reset()
		n, err := u.body.ReadFrom(io.LimitReader(resp.Body, u.e.opts.MaxResponseBytes))
		received += n
		if err != nil {
			return received, nil, err
		}
		body = u.body.Bytes()
	}
	n, err := io.Copy(io.Discard, resp.Body)
	return received + n, body, err
}

// sleep waits d, or less when ctx ends or either channel closes (a nil one
// never does); it reports whether the whole wait elapsed.
func (u *user) sleep(ctx context.Context, a, b <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return !closed(a) && !closed(b) && ctx.Err() == nil
	}
	u.timer.Reset(d)
	select {
	case <-u.timer.C:
		return true
	case <-a:
	case <-b:
	case <-ctx.Done():
	}
	u.timer.Stop()
	return false
}

// requestBytes estimates the bytes a request puts on the wire: the request
// line and headers as HTTP/1.1 writes them, and the body.
func requestBytes(req *http.Request) int64 {
	n := int64(len(req.Method)+len(req.URL.RequestURI())+len(" HTTP/1.1\r\n")+len("Host: \r\n")+len(req.Host)+2) + headerBytes(req.Header)
	if req.ContentLength > 0 {
		n += req.ContentLength
	}
	return n
}

// headerBytes counts header lines as "Key: value\r\n".
func headerBytes(h http.Header) int64 {
	var n int64
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// closed reports whether ch is closed, without blocking.
func closed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
