package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

// MaxStages bounds the stages of a run.
const MaxStages = 1000

// StageJSON is one ramp of a run: over Duration, move linearly to Target
// (users, or iterations/s in the open model).
type StageJSON struct {
	Duration Duration `json:"duration"`
	Target   float64  `json:"target"`
}

// Stages are the ramps of a run. In JSON they are either an array of
// {"duration": "30s", "target": 100} objects or the command-line form
// "30s:100,1m:100,30s:0"; they are always written as an array.
type Stages []StageJSON

// ParseStages parses the command-line form "30s:100,1m:0".
func ParseStages(s string) (Stages, error) {
	st, err := scenario.ParseStages(s)
	if err != nil {
		return nil, err
	}
	return StagesOf(st), nil
}

// StagesOf converts the scenario's stages.
func StagesOf(st []scenario.Stage) Stages {
	if len(st) == 0 {
		return nil
	}
	out := make(Stages, len(st))
	for i, s := range st {
		out[i] = StageJSON{Duration: Duration(s.Duration), Target: s.Target}
	}
	return out
}

// Scenario converts s to the scenario's stages, as the load engine takes them.
func (s Stages) Scenario() []scenario.Stage {
	if len(s) == 0 {
		return nil
	}
	out := make([]scenario.Stage, len(s))
	for i, st := range s {
		out[i] = scenario.Stage{Duration: st.Duration.Std(), Target: st.Target}
	}
	return out
}

// Total is how long the stages last in all.
func (s Stages) Total() time.Duration {
	var d time.Duration
	for _, st := range s {
		d += st.Duration.Std()
	}
	return d
}

// UnmarshalJSON reads either JSON form. Errors are *Error values whose Field
// is relative to the stages ("[1].duration").
func (s *Stages) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*s = nil
		return nil
	case len(data) > 0 && data[0] == '"':
		var text string
		if err := json.Unmarshal(data, &text); err != nil {
			return badRequest("", "%v", err)
		}
		st, err := ParseStages(text)
		if err != nil {
			return badRequest("", "%v", err)
		}
		*s = st
	case len(data) > 0 && data[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return syntaxError(err)
		}
		if len(items) > MaxStages {
			return badRequest("", "%d stages, more than the %d allowed", len(items), MaxStages)
		}
		out := make(Stages, len(items))
		for i, item := range items {
			st := &out[i]
			if err := decodeObject(item, map[string]any{"duration": &st.Duration, "target": &st.Target}, false); err != nil {
				return err.prefixField(fmt.Sprintf("[%d]", i))
			}
		}
		*s = out
	default:
		return badRequest("", "want an array of {\"duration\", \"target\"} or a string such as \"30s:100,1m:0\"")
	}
	if e := s.validate(); e != nil {
		return e
	}
	return nil
}

// validate checks what both forms must hold; field paths are relative.
func (s Stages) validate() *Error {
	if len(s) > MaxStages {
		return badRequest("", "%d stages, more than the %d allowed", len(s), MaxStages)
	}
	for i, st := range s {
		if st.Duration <= 0 {
			return badRequest(fmt.Sprintf("[%d].duration", i), "%s: must be greater than 0", st.Duration)
		}
		if st.Target < 0 || math.IsNaN(st.Target) || math.IsInf(st.Target, 0) || st.Target > MaxUsers {
			return badRequest(fmt.Sprintf("[%d].target", i), "%g: must be between 0 and %d", st.Target, MaxUsers)
		}
	}
	return nil
}
