package controller

import (
	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/internal/guard"
)

// Limits are the guard rails of what a run may ask for: where its load may
// go, and how much of it. The zero value allows anything.
type Limits struct {
	AllowedTargets guard.Allowlist // the base URL and every absolute step URL must fall in it
	MaxUsers       int             // 0: no cap; stages are held to it too
	MaxRate        float64         // iterations/s; 0: no cap
}

// checkRun refuses a run outside the limits, naming the field and value.
func (l Limits) checkRun(sc *scenario.Scenario, req api.RunRequest, stages api.Stages) *api.Error {
	for i, target := range sc.Targets() {
		if err := l.AllowedTargets.CheckURL(target); err != nil {
			field := "target"
			if i > 0 || (req.Target == "" && sc.BaseURL == "") {
				field = "scenario"
			}
			return badRequest(field, "%v", err)
		}
	}
	if e := l.checkLoad(req.Users, req.Rate); e != nil {
		return e
	}
	model := req.EffectiveModel()
	for i, s := range stages {
		if model == api.ModelOpen && l.MaxRate > 0 && s.Target > l.MaxRate {
			return badRequest("stages", "stages[%d] target %g iterations/s is above the cap of %g (STAMPEDE_MAX_RATE)", i, s.Target, l.MaxRate)
		}
		if model != api.ModelOpen && l.MaxUsers > 0 && s.Target > float64(l.MaxUsers) {
			return badRequest("stages", "stages[%d] target %g users is above the cap of %d (STAMPEDE_MAX_USERS)", i, s.Target, l.MaxUsers)
		}
	}
	return nil
}

func (l Limits) checkLoad(users int, rate float64) *api.Error {
	if l.MaxUsers > 0 && users > l.MaxUsers {
		return badRequest("users", "%d is above the cap of %d (STAMPEDE_MAX_USERS)", users, l.MaxUsers)
	}
	if l.MaxRate > 0 && rate > l.MaxRate {
		return badRequest("rate", "%g iterations/s is above the cap of %g (STAMPEDE_MAX_RATE)", rate, l.MaxRate)
	}
	return nil
}

func (l Limits) checkPatch(p api.RunPatch) *api.Error {
	var users int
	var rate float64
	if p.Users != nil {
		users = *p.Users
	}
	if p.Rate != nil {
		rate = *p.Rate
	}
	return l.checkLoad(users, rate)
}
