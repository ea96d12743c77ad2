package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/stampedehq/stampede/controller/api"
)

// Scaler changes how many workers run: Kubernetes, local processes, or none.
type Scaler interface {
	// Replicas reports how many workers are wanted and how many are ready.
	Replicas(ctx context.Context) (desired, ready int, err error)
	// Scale asks for n workers.
	Scale(ctx context.Context, n int) error
}

// ErrNotScalable is what a Scaler's error wraps when scaling cannot work at
// all (scaling is off, or the workers are a DaemonSet): the API answers 409
// rather than 502.
var ErrNotScalable = errors.New("not scalable")

// NoScaler is the scaler of --scaler none: the controller only spreads the
// load over whatever workers heartbeat.
type NoScaler struct {
	// Live counts the live workers; New sets it when it is nil.
	Live func() int
}

// Replicas reports the live workers as both desired and ready.
func (s NoScaler) Replicas(context.Context) (int, int, error) {
	if s.Live == nil {
		return 0, 0, nil
	}
	n := s.Live()
	return n, n, nil
}

// Scale always fails: there is nothing to scale.
func (NoScaler) Scale(context.Context, int) error {
	return fmt.Errorf("scaling is off (--scaler none): start or stop workers yourself: %w", ErrNotScalable)
}

// Scale asks the scaler for n workers. Errors are *api.Error values: 400 for
// a bad count, 409 when scaling cannot work (ErrNotScalable), 502 when the
// scaler failed.
func (c *Controller) Scale(ctx context.Context, n int) error {
	req := api.ScaleRequest{Replicas: n}
	if err := req.Validate(); err != nil {
		return err
	}
	if err := c.opts.Scaler.Scale(ctx, n); err != nil {
		c.metrics.scaleOps.WithLabelValues("error").Inc()
		c.log.Warn("rescaling the workers failed", "replicas", n, "err", err)
		status := http.StatusBadGateway
		if errors.Is(err, ErrNotScalable) {
			status = http.StatusConflict
		}
		return &api.Error{Status: status, Field: "replicas", Message: err.Error()}
	}
	c.metrics.scaleOps.WithLabelValues("ok").Inc()
	c.log.Info("workers rescaled", "replicas", n)
	c.mu.Lock()
	c.replicas = &n
	c.changedLocked(false)
	c.mu.Unlock()
	c.persist(ctx, false)
	c.refreshScaler(ctx)
	return nil
}
