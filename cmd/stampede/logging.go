package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Logging is the log settings every command shares.
type Logging struct {
	LogLevel  string `env:"STAMPEDE_LOG_LEVEL" envDefault:"info" help:"debug, info, warn or error"`
	LogFormat string `env:"STAMPEDE_LOG_FORMAT" envDefault:"text" help:"text or json"`
}

func (l Logging) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.LogLevel)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: want debug, info, warn or error", l.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(l.LogFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q: want text or json", l.LogFormat)
}
