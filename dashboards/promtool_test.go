package dashboards

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// promtoolTimeout bounds one promtool run; the day-long burn-rate fixtures
// take about 15s on a busy machine.
const promtoolTimeout = 3 * time.Minute

// promtool runs promtool with args in dir and returns its output and error.
func promtool(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("no promtool on PATH: install Debian's prometheus package (make deps does)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), promtoolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return out.String(), err
}

// ruleTestFiles are the promtool unit test files.
func ruleTestFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(rulesTestDir, "*_test.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no promtool tests in %s/*_test.yaml (%v)", rulesTestDir, err)
	}
	return files
}

func TestPromtoolCheckRules(t *testing.T) {
	if out, err := promtool(t, ".", "check", "rules", rulesFile); err != nil {
		t.Fatalf("promtool check rules %s: %v\n%s", rulesFile, err, out)
	}
}

// TestPromtoolCheckRulesCatchesABadRule: the check above can fail.
func TestPromtoolCheckRulesCatchesABadRule(t *testing.T) {
	dir := t.TempDir()
	bad := "groups:\n  - name: bad\n    rules:\n      - alert: Bad\n        expr: rate(stampede_requests_total[5m]\n"
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := promtool(t, dir, "check", "rules", "rules.yaml"); err == nil {
		t.Fatalf("promtool check rules passed a rule with an unclosed parenthesis:\n%s", out)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	for _, file := range ruleTestFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			if out, err := promtool(t, ".", "test", "rules", file); err != nil {
				t.Fatalf("promtool test rules %s: %v\n%s", file, err, out)
			}
		})
	}
}

// ruleTests is the part of a promtool test file that says which alerts
// each evaluation expects.
type ruleTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			EvalTime  string           `yaml:"eval_time"`
			Alertname string           `yaml:"alertname"`
			ExpAlerts []map[string]any `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// TestEveryAlertHasFiringAndQuietFixtures: each alert of rules.yaml is
// expected to fire in at least one fixture and to stay quiet in another.
func TestEveryAlertHasFiringAndQuietFixtures(t *testing.T) {
	fires, quiet := map[string]int{}, map[string]int{}
	for _, file := range ruleTestFiles(t) {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var rt ruleTests
		if err := yaml.Unmarshal(raw, &rt); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(rt.RuleFiles) != 1 || filepath.Clean(filepath.Join(rulesTestDir, rt.RuleFiles[0])) != rulesFile {
			t.Errorf("%s: rule_files %v, want [../%s]", file, rt.RuleFiles, rulesFile)
		}
		for _, tc := range rt.Tests {
			for _, a := range tc.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					fires[a.Alertname]++
				} else {
					quiet[a.Alertname]++
				}
			}
		}
	}
	for _, a := range alerts(loadRules(t, rulesFile)) {
		if fires[a.Alert] == 0 {
			t.Errorf("%s: no fixture in %s expects it to fire", a.Alert, rulesTestDir)
		}
		if quiet[a.Alert] == 0 {
			t.Errorf("%s: no fixture in %s expects it to stay quiet", a.Alert, rulesTestDir)
		}
	}
}

// TestPromtoolFixturesCatchBrokenAlerts: the fixtures fail on rules that
// are subtly wrong, so they test something.
func TestPromtoolFixturesCatchBrokenAlerts(t *testing.T) {
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, testFile, old, new string
	}{
		{"burn-rate pairs without their short window", "burn_rate_test.yaml", "\n          and\n", "\n          or\n"},
		{"saturation at 0.8", "fleet_test.yaml", "stampede_worker_cpu_utilization > 0.9", "stampede_worker_cpu_utilization > 0.8"},
		{"latency objective 1s", "fleet_test.yaml", `quantile="0.95"} > 0.5`, `quantile="0.95"} > 1`},
		{"no traffic without the open model", "fleet_test.yaml", "            or\n            sum by (namespace, job, run_id) (stampede_arrival_rate_target) > 0\n", ""},
		{"workers missing counted from the scraped workers", "fleet_test.yaml", `stampede_controller_workers{state="live"} < ignoring(state)`, `stampede_controller_workers{state="live"} <= ignoring(state)`},
		{"error ratio absent without errors", "recording_test.yaml", "            or\n            sum by (namespace, job, run_id) (rate(stampede_requests_total[5m])) * 0\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(string(rules), tt.old) {
				t.Fatalf("%s no longer contains %q: update this mutation", rulesFile, tt.old)
			}
			dir := t.TempDir()
			mutated := strings.Replace(string(rules), tt.old, tt.new, 1)
			if err := os.WriteFile(filepath.Join(dir, rulesFile), []byte(mutated), 0o600); err != nil {
				t.Fatal(err)
			}
			fixture, err := os.ReadFile(filepath.Join(rulesTestDir, tt.testFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, rulesTestDir), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, rulesTestDir, tt.testFile), fixture, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := promtool(t, dir, "check", "rules", rulesFile); err != nil {
				t.Fatalf("the mutated rules do not load, so this proves nothing: %v\n%s", err, out)
			}
			out, err := promtool(t, dir, "test", "rules", filepath.Join(rulesTestDir, tt.testFile))
			if err == nil {
				t.Fatalf("%s passed against rules with %s", tt.testFile, tt.name)
			}
			if !strings.Contains(out, "FAILED") {
				t.Fatalf("promtool failed for another reason: %v\n%s", err, out)
			}
		})
	}
}
