package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/generator/h1"
	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/internal/guard"
)

// Guard is the guard rails of the commands that send or accept load.
type Guard struct {
	AllowedTargets guard.Allowlist `env:"STAMPEDE_ALLOWED_TARGETS" help:"where load may go: comma-separated host names, *.domain patterns, IPs and CIDRs (e.g. *.staging.example.com,10.0.0.0/8); empty allows any"`
	MaxUsers       int             `env:"STAMPEDE_MAX_USERS" help:"refuse runs with more users than this; 0 for no cap"`
	MaxRate        float64         `env:"STAMPEDE_MAX_RATE" help:"refuse runs with a higher rate (iterations/s) than this; 0 for no cap"`
}

func (g *Guard) validate() error {
	var errs []error
	if g.MaxUsers < 0 {
		errs = append(errs, fmt.Errorf("invalid --max-users %d: must be >= 0", g.MaxUsers))
	}
	if g.MaxRate < 0 {
		errs = append(errs, fmt.Errorf("invalid --max-rate %g: must be >= 0", g.MaxRate))
	}
	return errors.Join(errs...)
}

func (g *Guard) limits() controller.Limits {
	return controller.Limits{AllowedTargets: g.AllowedTargets, MaxUsers: g.MaxUsers, MaxRate: g.MaxRate}
}

// checkLoad holds a standalone worker's scenario and load to the rails.
func (g *Guard) checkLoad(sc *scenario.Scenario, l *Load) error {
	for _, target := range sc.Targets() {
		if err := g.AllowedTargets.CheckURL(target); err != nil {
			return err
		}
	}
	if g.MaxUsers > 0 && !l.open() && l.Users > g.MaxUsers {
		return fmt.Errorf("--users %d is above the cap of %d (STAMPEDE_MAX_USERS)", l.Users, g.MaxUsers)
	}
	if g.MaxRate > 0 && l.open() && l.Rate > g.MaxRate {
		return fmt.Errorf("--rate %g is above the cap of %g (STAMPEDE_MAX_RATE)", l.Rate, g.MaxRate)
	}
	return nil
}

// transport is the workers' HTTP transport: plain HTTP/1.1 through h1 (the
// exchange on the user's goroutine), the rest (TLS, HTTP/2, proxies) through
// net/http's, or everything through net/http's with kind "net/http". With
// an allowlist, every connection is checked when it is dialled, and proxies
// are off (through a proxy, the dial would not be to the target).
// maxConns caps the connections per host (0: no cap).
func (g *Guard) transport(kind string, concurrency, maxConns int) http.RoundTripper {
	t := generator.NewTransport(concurrency)
	if maxConns > 0 {
		t.MaxConnsPerHost = maxConns
		t.MaxIdleConnsPerHost = min(t.MaxIdleConnsPerHost, maxConns)
	}
	if !g.AllowedTargets.Open() {
		dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		t.DialContext = g.AllowedTargets.Dial(dialer.DialContext, net.DefaultResolver)
		t.Proxy = nil
	}
	if kind == transportNetHTTP {
		return t
	}
	return h1.New(h1.Options{
		DialContext:         t.DialContext,
		MaxConnsPerHost:     t.MaxConnsPerHost,
		MaxIdleConnsPerHost: t.MaxIdleConnsPerHost,
		IdleConnTimeout:     t.IdleConnTimeout,
		Proxy:               t.Proxy,
		Fallback:            t,
	})
}

// The values of --transport.
const (
	transportH1      = "h1"
	transportNetHTTP = "net/http"
)

// isLoopback reports whether a listen address only takes local connections.
func isLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
