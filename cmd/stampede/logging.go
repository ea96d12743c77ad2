package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/stampedehq/stampede/internal/config"
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

// withLogger is a command's config struct: each embeds Logging.
type withLogger interface {
	logger(w io.Writer) (*slog.Logger, error)
}

// parseCommand fills cfg from the arguments and the environment and builds
// the logger. When it returns done, the command ends with code: 0 after
// --help, 2 after bad input (already reported on stderr).
func parseCommand(cfg withLogger, cmd config.Command, args, environ []string, stdout, stderr io.Writer) (rest []string, logger *slog.Logger, code int, done bool) {
	cmd.Output = stdout
	rest, err := config.Load(cfg, cmd, args, environ)
	if errors.Is(err, config.ErrHelp) {
		return nil, nil, exitOK, true
	}
	if err == nil {
		logger, err = cfg.logger(stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd.Name, err)
		return nil, nil, exitUsage, true
	}
	return rest, logger, exitOK, false
}
