// Package kubeapiserver runs a real Kubernetes API server for tests: Debian's
// etcd and a kube-apiserver built from the Go module proxy (by
// scripts/ensure-kube-apiserver, cached outside the repo), both on free
// 127.0.0.1 ports with their data, keys and logs in a temporary directory.
//
// It is test support, kept in internal/ so that the chart's tests (k8s/) and
// the end-to-end tests (test/) share it. A Cluster has no controller-manager,
// scheduler or kubelet: API objects, validation, admission, authentication
// and RBAC are all real, but a Deployment never gets pods.
//
// Every process is started in its own process group with a parent-death
// signal, and Stop ends them (SIGTERM, then SIGKILL after a bound), so none
// outlives the test binary.
package kubeapiserver
