package kubernetes

import (
	"context"
	"fmt"
	"log/slog"
	"math"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/stampedehq/stampede/controller"
)

// Scaler scales the workers' Deployment or StatefulSet through its scale
// subresource, and reports a DaemonSet's workers without scaling them. It
// implements controller.Scaler and is safe for concurrent use: it keeps no
// state beyond which workload it is for.
type Scaler struct {
	client    kubernetes.Interface
	kind      kind
	namespace string
	name      string
	log       *slog.Logger
}

var _ controller.Scaler = (*Scaler)(nil)

func (s *Scaler) String() string {
	return fmt.Sprintf("%s %s/%s", s.kind.lower(), s.namespace, s.name)
}

// call is the apiCalls entry for the workload's resource, subresource and
// verb; it panics on a call missing from that list, so the code cannot call
// what Permissions does not grant.
func (s *Scaler) call(subresource, verb string) apiCall {
	for _, c := range apiCalls(s.kind) {
		if c.resource == s.kind.resource() && c.subresource == subresource && c.verb == verb {
			return c
		}
	}
	panic(fmt.Sprintf("kubernetes scaler: %s %s/%s is not in apiCalls", verb, s.kind.resource(), subresource))
}

// explain names the workload in err.
func (s *Scaler) explain(err error, c apiCall) error {
	return explain(err, c, s.kind.lower(), s.namespace, s.name, "STAMPEDE_WORKERS_NAME and STAMPEDE_WORKERS_KIND")
}

// Replicas reports the desired replicas (the scale subresource's
// spec.replicas) and the ready ones (the workload's status.readyReplicas).
// For a DaemonSet they are status.desiredNumberScheduled and
// status.numberReady.
func (s *Scaler) Replicas(ctx context.Context) (desired, ready int, err error) {
	if s.kind == daemonSet {
		ds, err := s.client.AppsV1().DaemonSets(s.namespace).Get(ctx, s.name, metav1.GetOptions{})
		if err != nil {
			return 0, 0, s.explain(err, s.call("", "get"))
		}
		return int(ds.Status.DesiredNumberScheduled), int(ds.Status.NumberReady), nil
	}
	scale, err := s.getScale(ctx)
	if err != nil {
		return 0, 0, err
	}
	readyReplicas, err := s.readyReplicas(ctx)
	if err != nil {
		return 0, 0, err
	}
	return int(scale.Spec.Replicas), int(readyReplicas), nil
}

// Scale sets the workload's replicas to n. The update carries no
// resourceVersion: n does not depend on what was read, so an edit of the
// workload meanwhile (its status, an annotation: frequent on a real
// cluster) must not make it fail with a 409 Conflict, as about half did on
// a real API server while another client edited the Deployment. A conflict
// from anything else is still retried after reading the scale again. A
// DaemonSet answers an error wrapping controller.ErrNotScalable.
func (s *Scaler) Scale(ctx context.Context, n int) error {
	if n < 0 || n > math.MaxInt32 {
		return fmt.Errorf("replicas %d: must be between 0 and %d", n, math.MaxInt32)
	}
	if s.kind == daemonSet {
		return fmt.Errorf("daemonset %s/%s: workers run as a DaemonSet: one per node, %w", s.namespace, s.name, controller.ErrNotScalable)
	}
	attempt := 0
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		attempt++
		if attempt > 1 {
			s.log.Debug("scale changed meanwhile; reading it again", "workload", s.String(), "attempt", attempt)
		}
		scale, err := s.getScale(ctx)
		if err != nil {
			return err
		}
		if int(scale.Spec.Replicas) == n {
			return nil
		}
		scale.Spec.Replicas = int32(n)
		scale.ResourceVersion = "" // last writer wins, as with kubectl scale
		return s.updateScale(ctx, scale)
	})
}

func (s *Scaler) getScale(ctx context.Context) (*autoscalingv1.Scale, error) {
	var (
		scale *autoscalingv1.Scale
		err   error
	)
	apps := s.client.AppsV1()
	switch s.kind {
	case deployment:
		scale, err = apps.Deployments(s.namespace).GetScale(ctx, s.name, metav1.GetOptions{})
	case statefulSet:
		scale, err = apps.StatefulSets(s.namespace).GetScale(ctx, s.name, metav1.GetOptions{})
	}
	return scale, s.explain(err, s.call("scale", "get"))
}

// updateScale keeps a conflict as it is, for RetryOnConflict to see.
func (s *Scaler) updateScale(ctx context.Context, scale *autoscalingv1.Scale) error {
	var err error
	apps := s.client.AppsV1()
	switch s.kind {
	case deployment:
		_, err = apps.Deployments(s.namespace).UpdateScale(ctx, s.name, scale, metav1.UpdateOptions{})
	case statefulSet:
		_, err = apps.StatefulSets(s.namespace).UpdateScale(ctx, s.name, scale, metav1.UpdateOptions{})
	}
	return s.explain(err, s.call("scale", "update"))
}

func (s *Scaler) readyReplicas(ctx context.Context) (int32, error) {
	var (
		ready int32
		err   error
	)
	apps := s.client.AppsV1()
	switch s.kind {
	case deployment:
		dep, e := apps.Deployments(s.namespace).Get(ctx, s.name, metav1.GetOptions{})
		err = e
		if err == nil {
			ready = dep.Status.ReadyReplicas
		}
	case statefulSet:
		sts, e := apps.StatefulSets(s.namespace).Get(ctx, s.name, metav1.GetOptions{})
		err = e
		if err == nil {
			ready = sts.Status.ReadyReplicas
		}
	}
	return ready, s.explain(err, s.call("", "get"))
}
