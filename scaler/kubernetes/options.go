package kubernetes

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// serviceAccountNamespace is where a pod finds its own namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// The client's limits. client-go's default rate (5 requests/s, bursts of
// 10) is made for informer-based controllers; this one asks directly: a
// rescale is 4 calls (get and update the scale, then the status refresh)
// plus 2 for saving the state, and the status refresh runs every heartbeat
// interval. Under the default, a few rescales in a row left the refresh
// waiting on the client's own limiter past its deadline ("client rate
// limiter Wait returned an error") and /api/v1/status reporting stale
// replicas, and a conflict's retries came ~200 ms apart. The API server's
// priority and fairness protects it; this only bounds a runaway loop.
// The timeout bounds every call, so a hung API server cannot hold a
// rescale, or the controller's state saves, forever.
const (
	clientQPS     = 50
	clientBurst   = 100
	clientTimeout = 15 * time.Second
)

// Options configure a Scaler.
type Options struct {
	// Kubeconfig is the path of a kubeconfig file (STAMPEDE_KUBECONFIG or
	// --kubeconfig); "" uses the pod's in-cluster config.
	Kubeconfig string
	// Namespace of the workers; "" is the pod's own namespace (from its
	// service account), or the kubeconfig context's namespace.
	Namespace string
	// Kind of the workers' workload (STAMPEDE_WORKERS_KIND): Deployment
	// (the default), StatefulSet or DaemonSet.
	Kind string
	// Name of the workers' workload (STAMPEDE_WORKERS_NAME).
	Name   string
	Logger *slog.Logger
}

// New returns a Scaler that talks to the cluster the pod runs in, or to the
// one opts.Kubeconfig names. It makes no request yet: a missing workload or
// permission shows at the first Replicas or Scale.
func New(opts Options) (*Scaler, error) {
	if err := checkName(opts.Name); err != nil {
		return nil, err
	}
	config, namespace, err := restConfig(opts.Kubeconfig, serviceAccountNamespace)
	if err != nil {
		return nil, err
	}
	if opts.Namespace == "" {
		opts.Namespace = namespace
	}
	cs, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return NewWithClient(cs, opts)
}

// NewWithClient returns a Scaler that uses cs (a fake in tests, or a
// clientset the caller already has); opts.Kubeconfig is ignored.
func NewWithClient(cs kubernetes.Interface, opts Options) (*Scaler, error) {
	if cs == nil {
		return nil, errors.New("kubernetes scaler: no clientset")
	}
	if err := checkName(opts.Name); err != nil {
		return nil, err
	}
	k, err := parseKind(opts.Kind)
	if err != nil {
		return nil, err
	}
	if opts.Namespace == "" {
		ns, err := podNamespace(serviceAccountNamespace)
		if err != nil {
			return nil, err
		}
		opts.Namespace = ns
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Scaler{client: cs, kind: k, namespace: opts.Namespace, name: opts.Name, log: opts.Logger}, nil
}

func checkName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("workers name is empty: set STAMPEDE_WORKERS_NAME to the workers' Deployment, StatefulSet or DaemonSet")
	}
	return nil
}

// restConfig loads the kubeconfig at path, or the in-cluster config when
// path is "", and the namespace that goes with it: the kubeconfig
// context's, else the pod's (read from nsFile), else "" when neither says.
func restConfig(path, nsFile string) (*rest.Config, string, error) {
	if path == "" {
		config, err := rest.InClusterConfig()
		if errors.Is(err, rest.ErrNotInCluster) {
			return nil, "", errors.New("not in a Kubernetes pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset) and no kubeconfig given: set STAMPEDE_KUBECONFIG or --kubeconfig")
		}
		if err != nil {
			return nil, "", fmt.Errorf("in-cluster kubernetes config: %w", err)
		}
		ns, _ := podNamespace(nsFile) // NewWithClient reports it if still needed
		return tune(config), ns, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, "", fmt.Errorf("kubeconfig %s (STAMPEDE_KUBECONFIG or --kubeconfig): %w", path, err)
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: path}, &clientcmd.ConfigOverrides{})
	config, err := loader.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	ns := "default" // what kubectl uses when nothing says
	if c := raw.Contexts[raw.CurrentContext]; c != nil && c.Namespace != "" {
		ns = c.Namespace
	} else if podNS, err := podNamespace(nsFile); err == nil {
		ns = podNS
	}
	return tune(config), ns, nil
}

// tune sets the client's rate limit and timeout (see clientQPS), unless
// the kubeconfig already sets a timeout.
func tune(config *rest.Config) *rest.Config {
	config.QPS, config.Burst = clientQPS, clientBurst
	if config.Timeout == 0 {
		config.Timeout = clientTimeout
	}
	return config
}

// podNamespace reads the pod's namespace from its service account.
func podNamespace(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("namespace of the workers is not set and is not the pod's (%v): set it (STAMPEDE_NAMESPACE)", err)
	}
	ns := strings.TrimSpace(string(data))
	if ns == "" {
		return "", fmt.Errorf("namespace of the workers is not set and %s is empty: set it (STAMPEDE_NAMESPACE)", file)
	}
	return ns, nil
}

// Connect returns a clientset for the cluster this pod runs in, or for the
// one the kubeconfig at path names, with the namespace that goes with it
// ("" when nothing says), so a scaler and a ConfigMapStore can share one.
func Connect(path string) (kubernetes.Interface, string, error) {
	config, namespace, err := restConfig(path, serviceAccountNamespace)
	if err != nil {
		return nil, "", err
	}
	cs, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, "", fmt.Errorf("kubernetes client: %w", err)
	}
	return cs, namespace, nil
}
