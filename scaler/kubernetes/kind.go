package kubernetes

import (
	"fmt"
	"strings"
)

// kind is the kind of workload the workers run as.
type kind string

const (
	deployment  kind = "Deployment"
	statefulSet kind = "StatefulSet"
	daemonSet   kind = "DaemonSet"
)

// kindNames maps what a user may write (lower-cased: the kind, its plural
// resource, or kubectl's short name) to the kind.
var kindNames = map[string]kind{
	"deployment": deployment, "deployments": deployment, "deploy": deployment,
	"statefulset": statefulSet, "statefulsets": statefulSet, "sts": statefulSet,
	"daemonset": daemonSet, "daemonsets": daemonSet, "ds": daemonSet,
}

// parseKind reads STAMPEDE_WORKERS_KIND; empty means a Deployment, the
// chart's default.
func parseKind(s string) (kind, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return deployment, nil
	}
	if k, ok := kindNames[strings.ToLower(s)]; ok {
		return k, nil
	}
	return "", fmt.Errorf("workers kind %q (STAMPEDE_WORKERS_KIND): want Deployment, StatefulSet or DaemonSet", s)
}

// resource is the kind's API resource: "deployments".
func (k kind) resource() string { return strings.ToLower(string(k)) + "s" }

// lower is the kind as errors name it: "deployment".
func (k kind) lower() string { return strings.ToLower(string(k)) }
