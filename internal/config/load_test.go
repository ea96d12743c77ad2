package config_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/config"
)

type Shared struct {
	Timeout time.Duration `env:"STAMPEDE_REQUEST_TIMEOUT" envDefault:"30s" help:"per-request timeout"`
}

type testConfig struct {
	Shared
	Users     int           `env:"STAMPEDE_USERS" envDefault:"10" help:"virtual users"`
	SpawnRate float64       `env:"STAMPEDE_SPAWN_RATE" envDefault:"1.5" help:"users started per second"`
	Target    string        `env:"STAMPEDE_TARGET" help:"base URL"`
	Insecure  bool          `env:"STAMPEDE_INSECURE" help:"allow it"`
	Duration  time.Duration `env:"STAMPEDE_DURATION" help:"how long"`
	Tags      []string      `env:"STAMPEDE_TAGS" envSeparator:"," help:"tags"`
}

func (c *testConfig) Validate() error {
	if c.Users < 0 {
		return errors.New("--users must be >= 0")
	}
	return nil
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		environ []string
		check   func(t *testing.T, c *testConfig, rest []string)
		wantErr string
	}{
		{
			name: "defaults",
			check: func(t *testing.T, c *testConfig, _ []string) {
				if c.Users != 10 || c.SpawnRate != 1.5 || c.Timeout != 30*time.Second || c.Target != "" || c.Insecure {
					t.Errorf("defaults not applied: %+v", c)
				}
			},
		},
		{
			name:    "env sets",
			environ: []string{"STAMPEDE_USERS=50", "STAMPEDE_REQUEST_TIMEOUT=2s", "STAMPEDE_TAGS=a,b", "HOME=/root"},
			check: func(t *testing.T, c *testConfig, _ []string) {
				if c.Users != 50 || c.Timeout != 2*time.Second || len(c.Tags) != 2 {
					t.Errorf("env not applied: %+v", c)
				}
			},
		},
		{
			name:    "flag wins over env",
			args:    []string{"--users", "7", "--insecure", "scenario.yaml", "extra"},
			environ: []string{"STAMPEDE_USERS=50", "STAMPEDE_INSECURE=false"},
			check: func(t *testing.T, c *testConfig, rest []string) {
				if c.Users != 7 || !c.Insecure {
					t.Errorf("flags did not win: %+v", c)
				}
				if strings.Join(rest, " ") != "scenario.yaml extra" {
					t.Errorf("positional args = %q", rest)
				}
			},
		},
		{
			name: "flags after positional arguments, and -- ends flags",
			args: []string{"scenario.yaml", "--users", "3", "more", "--", "--not-a-flag"},
			check: func(t *testing.T, c *testConfig, rest []string) {
				if c.Users != 3 || strings.Join(rest, " ") != "scenario.yaml more --not-a-flag" {
					t.Errorf("users %d, rest %q", c.Users, rest)
				}
			},
		},
		{
			name:    "single dash and equals",
			args:    []string{"-spawn-rate=3", "-duration=1m"},
			environ: nil,
			check: func(t *testing.T, c *testConfig, _ []string) {
				if c.SpawnRate != 3 || c.Duration != time.Minute {
					t.Errorf("got %+v", c)
				}
			},
		},
		{name: "bad env int names variable and value", environ: []string{"STAMPEDE_USERS=lots"}, wantErr: `invalid STAMPEDE_USERS="lots": want a whole number`},
		{name: "bad flag duration names flag and value", args: []string{"--duration", "5 minutes"}, wantErr: `invalid --duration "5 minutes": want a duration`},
		{name: "bad env float", environ: []string{"STAMPEDE_SPAWN_RATE=fast"}, wantErr: `invalid STAMPEDE_SPAWN_RATE="fast": want a number`},
		{name: "bad bool", environ: []string{"STAMPEDE_INSECURE=maybe"}, wantErr: `invalid STAMPEDE_INSECURE="maybe": want true or false`},
		{name: "two bad values both reported", environ: []string{"STAMPEDE_USERS=x", "STAMPEDE_REQUEST_TIMEOUT=y"}, wantErr: "STAMPEDE_REQUEST_TIMEOUT"},
		{name: "unknown flag", args: []string{"--userz", "3"}, wantErr: "flag provided but not defined: -userz"},
		{name: "validate runs", args: []string{"--users", "-1"}, wantErr: "--users must be >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c testConfig
			rest, err := config.Load(&c, config.Command{Name: "stampede test"}, tt.args, tt.environ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, &c, rest)
		})
	}
}

func TestHelpListsEveryFlagWithVariableAndDefault(t *testing.T) {
	var c testConfig
	var out bytes.Buffer
	_, err := config.Load(&c, config.Command{Name: "stampede test", Summary: "Runs a test.", Output: &out}, []string{"--help"}, nil)
	if !errors.Is(err, config.ErrHelp) {
		t.Fatalf("err = %v, want ErrHelp", err)
	}
	help := out.String()
	for _, want := range []string{
		"Usage: stampede test", "Runs a test.",
		"--users int", "STAMPEDE_USERS", "(default 10)",
		"--request-timeout duration", "STAMPEDE_REQUEST_TIMEOUT", "(default 30s)",
		"--insecure ", "--spawn-rate number", "--tags list",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}

func TestFieldsRejectsBadStructs(t *testing.T) {
	type badPrefix struct {
		X int `env:"USERS"`
	}
	type dupFlag struct {
		A int `env:"STAMPEDE_A"`
		B int `env:"STAMPEDE_B" flag:"a"`
	}
	for name, cfg := range map[string]any{"not a pointer": testConfig{}, "bad prefix": &badPrefix{}, "duplicate flag": &dupFlag{}} {
		if _, err := config.Fields(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzLoadEnv(f *testing.F) {
	for _, seed := range []string{"10", "-3", "1e9", "30s", "true", "", "9999999999999999999999", "1h2m", "x"} {
		f.Add(seed, seed)
	}
	f.Fuzz(func(t *testing.T, users, timeout string) {
		var c testConfig
		_, err := config.Load(&c, config.Command{Name: "fuzz"}, nil, []string{"STAMPEDE_USERS=" + users, "STAMPEDE_REQUEST_TIMEOUT=" + timeout})
		if err == nil {
			return
		}
		msg := err.Error()
		if !strings.Contains(msg, "STAMPEDE_USERS") && !strings.Contains(msg, "STAMPEDE_REQUEST_TIMEOUT") && !strings.Contains(msg, "--users") {
			t.Fatalf("error names no variable: %v", err)
		}
	})
}

func ExampleLoad() {
	var cfg struct {
		Users int `env:"STAMPEDE_USERS" envDefault:"10" help:"virtual users"`
	}
	_, err := config.Load(&cfg, config.Command{Name: "stampede example"}, []string{"--users", "25"}, []string{"STAMPEDE_USERS=5"})
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Users) // the flag wins over the variable
	// Output: 25
}
