// Package kubernetes is the scaler for workers that run on Kubernetes
// (`stampede controller --scaler kubernetes`), and the ConfigMap store that
// keeps the controller's state there.
//
// The Scaler reads and updates the scale subresource of the workers'
// Deployment or StatefulSet through client-go, and reports the workload's
// ready replicas. Workers run as a DaemonSet are reported but cannot be
// scaled: there is one per node. Errors name what to fix: the workload that
// is not found, or the verb and resource a Role must grant.
//
// Permissions lists exactly the API calls this package makes, so that the
// Role the chart grants is derived from the code rather than kept beside it.
package kubernetes
