package controller

import (
	"math"

	"github.com/stampedehq/stampede/controller/api"
)

// load is what a run asks of all workers together.
type load struct {
	Model       string
	Users       int
	SpawnRate   float64
	Rate        float64
	MaxInFlight int
	Stages      api.Stages
}

// share is one worker's part of a load.
type share struct {
	Users       int
	SpawnRate   float64
	Rate        float64
	MaxInFlight int
	Stages      api.Stages
}

// shareOf is the share of the worker at index i of n live workers sorted by
// id: n shares add up to l exactly (users and closed-model stage targets as
// integers, the first ones taking the remainder).
func shareOf(l load, i, n int) share {
	if n <= 0 || i < 0 || i >= n {
		return share{}
	}
	s := share{
		Users: splitInt(l.Users, i, n),
		Rate:  l.Rate / float64(n),
	}
	if l.Users > 0 {
		s.SpawnRate = l.SpawnRate * float64(s.Users) / float64(l.Users)
	} else {
		s.SpawnRate = l.SpawnRate / float64(n)
	}
	if l.MaxInFlight > 0 {
		s.MaxInFlight = (l.MaxInFlight + n - 1) / n
	}
	if len(l.Stages) > 0 {
		s.Stages = make(api.Stages, len(l.Stages))
		for k, st := range l.Stages {
			target := st.Target / float64(n)
			if l.Model != api.ModelOpen {
				target = float64(splitInt(int(math.Round(st.Target)), i, n))
			}
			s.Stages[k] = api.StageJSON{Duration: st.Duration, Target: target}
		}
	}
	return s
}

// splitInt is the part of total that the i-th of n gets: total/n, plus one
// for the first total mod n.
func splitInt(total, i, n int) int {
	part := total / n
	if i < total%n {
		part++
	}
	return part
}
