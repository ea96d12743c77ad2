package controller

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stampedehq/stampede/controller/api"
	"github.com/stampedehq/stampede/internal/guard"
)

func TestLimitsRefuseRunsOutsideThem(t *testing.T) {
	allow, err := guard.Parse("127.0.0.0/8, *.staging.example.com")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Options{Limits: Limits{AllowedTargets: allow, MaxUsers: 100, MaxRate: 50}})
	absolute := strings.Replace(testScenario, "path: /todo/1", `url: "http://192.0.2.7/todo/1"`, 1)
	tests := []struct {
		name  string
		req   api.RunRequest
		field string
		names string
	}{
		{"target outside", api.RunRequest{Scenario: testScenario, Target: "http://10.9.8.7:8080", Users: 1}, "target", "http://10.9.8.7:8080"},
		{"absolute step URL outside", api.RunRequest{Scenario: absolute, Users: 1}, "scenario", "http://192.0.2.7"},
		{"too many users", api.RunRequest{Scenario: testScenario, Users: 101}, "users", "101"},
		{"too high a rate", api.RunRequest{Scenario: testScenario, Rate: 51}, "rate", "51"},
		{"a stage above the cap", api.RunRequest{Scenario: testScenario, Stages: api.Stages{{Duration: api.Duration(1e9), Target: 150}}}, "stages", "150"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.c.StartRun(e.ctx(), tt.req)
			var apiErr *api.Error
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || apiErr.Field != tt.field || !strings.Contains(apiErr.Message, tt.names) {
				t.Fatalf("StartRun = %v, want a 400 on field %q naming %q", err, tt.field, tt.names)
			}
		})
	}
	if err := e.c.StartRun(e.ctx(), api.RunRequest{Scenario: testScenario, Users: 100}); err != nil {
		t.Fatalf("a run inside the limits was refused: %v", err)
	}
	users := 101
	var apiErr *api.Error
	if err := e.c.PatchRun(e.ctx(), api.RunPatch{Users: &users}); !errors.As(err, &apiErr) || apiErr.Field != "users" {
		t.Errorf("PatchRun above the cap = %v, want a 400 on users", err)
	}
}
