package generator

import "github.com/stampedehq/stampede/generator/scenario"

// plan is a scenario resolved against a Recorder before load starts: every
// step knows its recorder handle and think time, so the hot path looks
// nothing up.
type plan struct {
	scenario *scenario.Scenario
	tasks    map[*scenario.Task]*taskPlan
}

type taskPlan struct {
	rec    TaskRecorder
	steps  []stepPlan
	pacing scenario.ThinkTime // one iteration every pacing.Min, when set
}

type stepPlan struct {
	step          *scenario.Step
	rec           EndpointRecorder
	think         scenario.ThinkTime // waited after the step; never pacing
	needsBody     bool
	expectsStatus bool
}

func newPlan(sc *scenario.Scenario, rec Recorder) *plan {
	p := &plan{scenario: sc, tasks: make(map[*scenario.Task]*taskPlan, len(sc.Tasks))}
	for _, t := range sc.Tasks {
		tp := &taskPlan{rec: rec.Task(t.Name)}
		if tt := sc.TaskThinkTime(t); tt.Kind == scenario.ThinkPacing {
			tp.pacing = tt
		}
		for _, st := range t.Steps {
			think := sc.StepThinkTime(t, st)
			if think.Kind == scenario.ThinkPacing {
				// Pacing spaces iterations, not steps.
				think = scenario.ThinkTime{}
			}
			tp.steps = append(tp.steps, stepPlan{
				step:          st,
				rec:           rec.Endpoint(st.Name, st.Method, st.CheckNames()),
				think:         think,
				needsBody:     st.NeedsBody(),
				expectsStatus: st.ExpectsStatus(),
			})
		}
		p.tasks[t] = tp
	}
	return p
}
