package generator

import (
	"context"
	"sync"
	"time"
)

// closedModel runs a number of virtual users, each looping over iterations
// with think time between steps. The number moves towards the target at the
// spawn rate, in both directions; a user asked to leave finishes its
// iteration first, within GracefulRampDown.
type closedModel struct {
	e       *Engine
	changed chan struct{} // a target changed; capacity 1

	mu        sync.Mutex
	target    int
	spawnRate float64
	running   []*virtualUser // oldest first; the newest leaves first
}

type virtualUser struct {
	retire chan struct{} // closed: leave after this iteration
	cancel context.CancelFunc
	done   chan struct{}
}

func newClosedModel(e *Engine) *closedModel {
	m := &closedModel{e: e, changed: make(chan struct{}, 1), target: e.opts.Users, spawnRate: e.opts.SpawnRate}
	e.opts.Recorder.SetUsersTarget(m.target)
	return m
}

func (m *closedModel) setTarget(users int, spawnRate float64) {
	m.mu.Lock()
	m.target, m.spawnRate = users, spawnRate
	m.mu.Unlock()
	m.e.opts.Recorder.SetUsersTarget(users)
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// run starts and retires users until the run stops or, with an iteration
// budget, every user has left because the budget is spent.
func (m *closedModel) run(hard context.Context) {
	var users sync.WaitGroup
	defer users.Wait()
	budgetSpent := make(chan struct{})
	var next time.Time // earliest time of the next start or retirement
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		m.mu.Lock()
		target, rate, current := m.target, m.spawnRate, len(m.running)
		m.mu.Unlock()
		if current == target || closed(budgetSpent) {
			if closed(budgetSpent) && m.e.ActiveUsers() == 0 {
				return
			}
			var recheck <-chan time.Time
			if m.e.opts.Iterations > 0 {
				recheck = time.After(100 * time.Millisecond) // users leave as the budget runs out
			}
			select {
			case <-m.changed:
			case <-m.e.stopping:
				return
			case <-recheck:
			}
			continue
		}
		if rate > 0 {
			now := time.Now()
			if next.Before(now) {
				next = now // no credit for time spent at the target
			}
			if wait := next.Sub(now); wait > 0 {
				timer.Reset(wait)
				select {
				case <-timer.C:
				case <-m.e.stopping:
					return
				}
			}
			next = next.Add(time.Duration(float64(time.Second) / rate))
		}
		if current < target {
			m.start(hard, &users, budgetSpent)
		} else {
			m.retireNewest(&users)
		}
	}
}

func (m *closedModel) start(hard context.Context, users *sync.WaitGroup, budgetSpent chan struct{}) {
	e := m.e
	ctx, cancel := context.WithCancel(hard)
	v := &virtualUser{retire: make(chan struct{}), cancel: cancel, done: make(chan struct{})}
	m.mu.Lock()
	m.running = append(m.running, v)
	m.mu.Unlock()
	e.userStarted()
	users.Go(func() {
		defer close(v.done)
		defer e.userEnded()
		defer cancel()
		u := e.newUser(e.userSeq.Add(1))
		defer u.release()
		for !closed(v.retire) && !closed(e.stopping) {
			if !e.claimIteration() {
				m.spendBudget(v, budgetSpent)
				return
			}
			o, tp, elapsed := u.iterate(ctx, e.stopping, time.Time{})
			if o == outcomeInterrupted || !u.afterIteration(ctx, v.retire, e.stopping, tp, elapsed) {
				return
			}
		}
	})
}

// spendBudget notes that the iteration budget is spent: no user is started
// again, and this one leaves the running list.
func (m *closedModel) spendBudget(v *virtualUser, budgetSpent chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !closed(budgetSpent) {
		close(budgetSpent)
	}
	for i, r := range m.running {
		if r == v {
			m.running = append(m.running[:i], m.running[i+1:]...)
			break
		}
	}
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// retireNewest asks the newest user to leave after its iteration, and
// cancels it if it has not within GracefulRampDown.
func (m *closedModel) retireNewest(users *sync.WaitGroup) {
	m.mu.Lock()
	v := m.running[len(m.running)-1]
	m.running = m.running[:len(m.running)-1]
	m.mu.Unlock()
	close(v.retire)
	grace := m.e.opts.GracefulRampDown
	users.Go(func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-v.done:
		case <-t.C:
			v.cancel()
		}
	})
}
