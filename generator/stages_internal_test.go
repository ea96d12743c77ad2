package generator

import (
	"testing"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

func TestStageTarget(t *testing.T) {
	stages := []scenario.Stage{{Duration: 10 * time.Second, Target: 100}, {Duration: 10 * time.Second, Target: 100}, {Duration: 5 * time.Second, Target: 0}}
	tests := []struct {
		at   time.Duration
		want float64
		done bool
	}{
		{0, 0, false},
		{5 * time.Second, 50, false},
		{10 * time.Second, 100, false},
		{15 * time.Second, 100, false},
		{22500 * time.Millisecond, 50, false},
		{25 * time.Second, 0, true},
		{time.Hour, 0, true},
	}
	for _, tt := range tests {
		got, done := stageTarget(stages, tt.at)
		if got != tt.want || done != tt.done {
			t.Errorf("at %s: %v, %v; want %v, %v", tt.at, got, done, tt.want, tt.done)
		}
	}
}
