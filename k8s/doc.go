// Package k8s holds stampede's Kubernetes deployment: the Helm chart in
// chart/stampede and the plain manifests rendered from it in manifests/.
// It has no Go API; its tests render the chart with the helm CLI for the
// defaults and each variant, decode every object with client-go's scheme
// and hold the chart to the code: the Role to the scaler's one list of API
// calls, every env var to the binaries' own --help, ports and probes to
// their defaults, the copied dashboards and rules to dashboards/, the
// manifests to a fresh render, and the Dockerfile to its rules. Then they
// apply every variant with server-side apply to a real kube-apiserver
// (internal/kubeapiserver), which must accept every object.
package k8s
