package main

import (
	"log/slog"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/scaler/kubernetes"
)

// Kube is where the controller finds its workers and keeps its state on
// Kubernetes.
type Kube struct {
	Kubeconfig     string `env:"STAMPEDE_KUBECONFIG" help:"kubeconfig for --scaler kubernetes; default: the pod's in-cluster config"`
	Namespace      string `env:"STAMPEDE_NAMESPACE" help:"namespace of the workers and the state ConfigMap; default: the pod's own"`
	WorkersKind    string `env:"STAMPEDE_WORKERS_KIND" envDefault:"Deployment" help:"kind of the workers' workload: Deployment, StatefulSet or DaemonSet (not scalable)"`
	WorkersName    string `env:"STAMPEDE_WORKERS_NAME" help:"name of the workers' Deployment or StatefulSet"`
	StateConfigMap string `env:"STAMPEDE_STATE_CONFIGMAP" help:"keep the desired state in this ConfigMap, so a restarted controller pod carries on the run"`
}

// setup connects to the cluster and sets the controller's scaler and, when
// asked, its ConfigMap state store.
func (k Kube) setup(opts *controller.Options, scale bool, logger *slog.Logger) error {
	cs, namespace, err := kubernetes.Connect(k.Kubeconfig)
	if err != nil {
		return err
	}
	if k.Namespace != "" {
		namespace = k.Namespace
	}
	if scale {
		s, err := kubernetes.NewWithClient(cs, kubernetes.Options{Namespace: namespace, Kind: k.WorkersKind, Name: k.WorkersName, Logger: logger})
		if err != nil {
			return err
		}
		opts.Scaler = s
	}
	if k.StateConfigMap != "" {
		opts.Store = kubernetes.ConfigMapStore{Client: cs, Namespace: namespace, Name: k.StateConfigMap}
	}
	return nil
}
