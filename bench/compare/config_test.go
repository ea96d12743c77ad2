package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseConfigDefaults(t *testing.T) {
	c, err := parseConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.bin != "bin/stampede" || c.duration != 10*time.Second || c.concurrency != 50 || c.rounds != 1 {
		t.Errorf("defaults: bin %q duration %v concurrency %d rounds %d", c.bin, c.duration, c.concurrency, c.rounds)
	}
	if !slices.Equal(c.only, sections()) || !slices.Equal(c.memoryUsers, []int{1000, 10000, 50000}) {
		t.Errorf("defaults: only %v memory users %v", c.only, c.memoryUsers)
	}
	if c.stall != (stall{window: time.Second, period: 10 * time.Second}) || c.openRate != 1000 || c.openDuration != 30*time.Second {
		t.Errorf("defaults: stall %v rate %d open duration %v", c.stall, c.openRate, c.openDuration)
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		args    []string
		check   func(config) bool
		wantErr string // a part of the error, naming what to fix
	}{
		{args: []string{"-only", "memory, raw,raw"}, check: func(c config) bool { return slices.Equal(c.only, []string{"memory", "raw"}) }},
		{args: []string{"-memory-users", "100,2000"}, check: func(c config) bool { return slices.Equal(c.memoryUsers, []int{100, 2000}) }},
		{args: []string{"-duration", "3s", "-concurrency", "8", "-open-rate", "80"}, check: func(c config) bool {
			return c.duration == 3*time.Second && c.concurrency == 8 && c.openRate == 80
		}},
		{args: []string{"-only", "raw,speed"}, wantErr: `unknown table "speed"`},
		{args: []string{"-only", ","}, wantErr: "-only"},
		{args: []string{"-memory-users", "10"}, wantErr: `"10" is not a count above`},
		{args: []string{"-memory-users", "1k"}, wantErr: `"1k"`},
		{args: []string{"-stall", "1s"}, wantErr: "-stall"},
		{args: []string{"-duration", "10ms"}, wantErr: "-duration"},
		{args: []string{"-concurrency", "0"}, wantErr: "-concurrency"},
		{args: []string{"-rounds", "0"}, wantErr: "-rounds"},
		{args: []string{"-open-rate", "10"}, wantErr: "-open-rate"},
		{args: []string{"-pool-connections", "0"}, wantErr: "-pool-connections"},
		{args: []string{"raw"}, wantErr: `unexpected argument "raw"`},
		{args: []string{"-nope"}, wantErr: "-nope"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c, err := parseConfig(tt.args, io.Discard)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr == "" && !tt.check(c):
				t.Errorf("config %+v", c)
			}
		})
	}
}

func TestCommandLine(t *testing.T) {
	c, err := parseConfig([]string{"-bin", "bin/stampede", "-only", "raw"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.commandLine(), "go run ./bench/compare -bin bin/stampede -only raw"; got != want {
		t.Errorf("commandLine = %q, want %q", got, want)
	}
	c.args = []string{"-bin", "my stampede"}
	if got, want := c.commandLine(), `go run ./bench/compare -bin "my stampede"`; got != want {
		t.Errorf("commandLine = %q, want %q", got, want)
	}
}

func TestRunBadFlags(t *testing.T) {
	var stderr strings.Builder
	if code := run(t.Context(), []string{"-rounds", "0"}, io.Discard, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "-rounds 0") {
		t.Errorf("stderr %q does not name the flag", stderr.String())
	}
	stderr.Reset()
	if code := run(t.Context(), []string{"-bin", "/nonexistent/stampede"}, io.Discard, &stderr); code != 2 {
		t.Errorf("missing binary: exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "-bin /nonexistent/stampede") {
		t.Errorf("stderr %q does not name the binary", stderr.String())
	}
}
