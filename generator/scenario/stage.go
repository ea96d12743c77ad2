package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Stage is one ramp of a run: over Duration, move linearly to Target, which
// is users or iterations/s depending on the workload model of the run.
type Stage struct {
	Duration time.Duration
	Target   float64
}

// ParseStages parses the command-line form "30s:100,1m:100,30s:0" (spaces
// around elements are ignored). An empty string means no stages. Errors name
// the bad element.
func ParseStages(s string) ([]Stage, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	elems := strings.Split(s, ",")
	stages := make([]Stage, 0, len(elems))
	for i, elem := range elems {
		elem = strings.TrimSpace(elem)
		st, err := parseStage(elem)
		if err != nil {
			return nil, fmt.Errorf("stage %d %q: %w", i+1, elem, err)
		}
		stages = append(stages, st)
	}
	return stages, nil
}

func parseStage(elem string) (Stage, error) {
	dur, target, ok := strings.Cut(elem, ":")
	if !ok {
		return Stage{}, fmt.Errorf("want duration:target, e.g. 30s:100")
	}
	d, err := time.ParseDuration(strings.TrimSpace(dur))
	if err != nil {
		return Stage{}, fmt.Errorf("duration %q is not a duration (want e.g. 30s, 1m)", dur)
	}
	if d <= 0 {
		return Stage{}, fmt.Errorf("duration %q must be greater than 0", dur)
	}
	t, err := strconv.ParseFloat(strings.TrimSpace(target), 64)
	if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
		return Stage{}, fmt.Errorf("target %q is not a number", target)
	}
	if t < 0 {
		return Stage{}, fmt.Errorf("target %q must not be negative", target)
	}
	return Stage{Duration: d, Target: t}, nil
}

func (d *decoder) stages(n *yaml.Node, field string) []Stage {
	items, ok := d.list(n, field)
	if !ok {
		return nil
	}
	var out []Stage
	for i, item := range items {
		path := fieldIndex(field, i)
		f, ok := d.fields(item, path, "duration", "target")
		if !ok {
			continue
		}
		var st Stage
		valid := true
		if isNull(f["duration"]) {
			d.add(lineOf(item), path+".duration", "missing")
			valid = false
		} else if st.Duration, ok = d.duration(f["duration"], path+".duration"); !ok {
			valid = false
		} else if st.Duration == 0 {
			d.add(lineOf(f["duration"]), path+".duration", "must be greater than 0")
			valid = false
		}
		if isNull(f["target"]) {
			d.add(lineOf(item), path+".target", "missing")
			valid = false
		} else if st.Target, ok = d.number(f["target"], path+".target"); !ok {
			valid = false
		} else if st.Target < 0 {
			d.add(lineOf(f["target"]), path+".target", "%v must not be negative", st.Target)
			valid = false
		}
		if valid {
			out = append(out, st)
		}
	}
	return out
}
