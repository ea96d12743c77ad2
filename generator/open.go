package generator

import (
	"context"
	"sync"
	"time"
)

// openModel starts iterations at a target rate whatever the target does, the
// way real users arrive. Each arrival has an intended start time and its
// first request is timed from it, so when the target stalls the latency
// grows instead of the load quietly falling (no coordinated omission). An
// arrival that finds MaxInFlight iterations already running is dropped and
// counted, never silently skipped.
type openModel struct {
	e        *Engine
	changed  chan struct{}  // the rate changed; capacity 1
	arrivals chan time.Time // to idle workers; unbuffered, so a send succeeds only when one is idle
	quit     chan struct{}  // closed when no more arrivals come
	workers  int            // started so far; only the pacer touches it

	mu   sync.Mutex
	rate float64
}

func newOpenModel(e *Engine) *openModel {
	m := &openModel{
		e:        e,
		changed:  make(chan struct{}, 1),
		arrivals: make(chan time.Time),
		quit:     make(chan struct{}),
		rate:     e.opts.Rate,
	}
	e.opts.Recorder.SetArrivalRateTarget(m.rate)
	return m
}

func (m *openModel) setRate(rate float64) {
	m.mu.Lock()
	m.rate = rate
	m.mu.Unlock()
	m.e.opts.Recorder.SetArrivalRateTarget(rate)
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

func (m *openModel) currentRate() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rate
}

// run paces arrivals until the run stops or the iteration budget is spent,
// then waits for the iterations in flight.
func (m *openModel) run(hard context.Context) {
	var workers sync.WaitGroup
	defer workers.Wait()
	defer close(m.quit)
	e := m.e
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var next time.Time // intended start of the next arrival
	for {
		rate := m.currentRate()
		if rate <= 0 {
			select {
			case <-m.changed:
				next = time.Time{}
				continue
			case <-e.stopping:
				return
			}
		}
		interval := time.Duration(float64(time.Second) / rate)
		now := time.Now()
		if next.IsZero() {
			next = now
		}
		if wait := next.Sub(now); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-m.changed:
				timer.Stop()
				// A slower rate had put the next arrival far out: re-space it.
				if newRate := m.currentRate(); newRate > 0 {
					next = minTime(next, now.Add(time.Duration(float64(time.Second)/newRate)))
				}
				continue
			case <-e.stopping:
				timer.Stop()
				return
			}
		}
		if closed(e.stopping) || !e.claimIteration() {
			return
		}
		m.dispatch(hard, next, &workers)
		// When the pacer falls behind, the next arrivals are due at once and
		// keep their own intended times.
		next = next.Add(interval)
	}
}

// dispatch hands an arrival to an idle worker, starts a new one while under
// MaxInFlight, or drops it.
func (m *openModel) dispatch(hard context.Context, intended time.Time, workers *sync.WaitGroup) {
	select {
	case m.arrivals <- intended:
		return
	default:
	}
	if m.workers < m.e.opts.MaxInFlight {
		m.workers++
		workers.Go(func() { m.work(hard, intended) })
		return
	}
	m.e.opts.Recorder.DroppedIteration()
}

// work runs arrivals one after the other, each as a new user.
func (m *openModel) work(hard context.Context, intended time.Time) {
	e := m.e
	u := e.newUser(e.userSeq.Add(1))
	defer u.release()
	for {
		e.userStarted()
		u.iterate(hard, e.stopping, intended)
		e.userEnded()
		u.reset()
		select {
		case intended = <-m.arrivals:
		case <-m.quit:
			return
		case <-e.stopping:
			return
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
