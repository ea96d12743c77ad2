package k8s

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/stampedehq/stampede/scaler/kubernetes"
)

// chart is one rendering of the chart, its objects sorted by kind.
type chart struct {
	secrets         []*corev1.Secret
	configMaps      []*corev1.ConfigMap
	services        []*corev1.Service
	serviceAccounts []*corev1.ServiceAccount
	deployments     []*appsv1.Deployment
	daemonSets      []*appsv1.DaemonSet
	roles           []*rbacv1.Role
	roleBindings    []*rbacv1.RoleBinding
	custom          []*unstructured.Unstructured
}

func sortObjects(t *testing.T, objects []runtime.Object) chart {
	t.Helper()
	var c chart
	for _, o := range objects {
		switch o := o.(type) {
		case *corev1.Secret:
			c.secrets = append(c.secrets, o)
		case *corev1.ConfigMap:
			c.configMaps = append(c.configMaps, o)
		case *corev1.Service:
			c.services = append(c.services, o)
		case *corev1.ServiceAccount:
			c.serviceAccounts = append(c.serviceAccounts, o)
		case *appsv1.Deployment:
			c.deployments = append(c.deployments, o)
		case *appsv1.DaemonSet:
			c.daemonSets = append(c.daemonSets, o)
		case *rbacv1.Role:
			c.roles = append(c.roles, o)
		case *rbacv1.RoleBinding:
			c.roleBindings = append(c.roleBindings, o)
		case *unstructured.Unstructured:
			c.custom = append(c.custom, o)
		default:
			t.Errorf("unexpected object %T", o)
		}
	}
	return c
}

func (c chart) deployment(t *testing.T, name string) *appsv1.Deployment {
	t.Helper()
	for _, d := range c.deployments {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no Deployment %s", name)
	return nil
}

func (c chart) configMap(name string) *corev1.ConfigMap {
	for _, cm := range c.configMaps {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

func (c chart) customOfKind(kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, u := range c.custom {
		if u.GetKind() == kind {
			out = append(out, u)
		}
	}
	return out
}

// variant is one way to install the chart, and what it must render.
type variant struct {
	name         string
	args         []string
	workersKind  string
	replicas     int32 // Deployment only
	tokenSecret  string
	tokenKey     string
	scenarioCM   string
	allowed      string
	monitoring   bool
	nodeSelector map[string]string
}

var variants = []variant{
	{name: "defaults", workersKind: "Deployment", replicas: 2, tokenSecret: "stampede-api-token", tokenKey: "token", scenarioCM: "stampede-scenario"},
	{name: "daemonset", args: []string{"-f", "testdata/daemonset.yaml"}, workersKind: "DaemonSet", tokenSecret: "stampede-api-token", tokenKey: "token", scenarioCM: "stampede-scenario",
		allowed: "*.staging.example.com,10.0.0.0/8", nodeSelector: map[string]string{"kubernetes.io/arch": "arm64"}},
	{name: "deployment with 6 replicas", args: []string{"--set", "workers.replicas=6"}, workersKind: "Deployment", replicas: 6, tokenSecret: "stampede-api-token", tokenKey: "token", scenarioCM: "stampede-scenario"},
	{name: "podmonitor and prometheusrule", args: []string{"-f", "testdata/monitoring.yaml"}, workersKind: "Deployment", replicas: 2, tokenSecret: "stampede-api-token", tokenKey: "token", scenarioCM: "stampede-scenario", monitoring: true},
	{name: "existing secret and scenario", args: []string{"-f", "testdata/existing.yaml"}, workersKind: "Deployment", replicas: 2, tokenSecret: "load-test-token", tokenKey: "api-token", scenarioCM: "checkout-scenario"},
}

const (
	controllerName = "stampede-controller"
	workersName    = "stampede-worker"
	stateConfigMap = "stampede-state"
)

func TestChartVariants(t *testing.T) {
	controllerVars := commandVars(t, "controller")
	workerVars := commandVars(t, "worker")
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			objects, err := decodeAll(render(t, v.args...))
			if err != nil {
				t.Fatal(err)
			}
			c := sortObjects(t, objects)
			controller := c.deployment(t, controllerName)
			workerPod, workerKind, workerName := workersOf(t, c, v)

			checkRole(t, c, v.workersKind)
			checkEnvAgainstHelp(t, "controller", onlyContainer(t, &controller.Spec.Template.Spec), controllerVars)
			checkEnvAgainstHelp(t, "worker", onlyContainer(t, workerPod), workerVars)
			checkController(t, c, controller, controllerVars, v)
			checkWorkers(t, workerPod, workerVars, v)
			checkScalerTarget(t, controller, workerKind, workerName)
			checkToken(t, c, v, &controller.Spec.Template.Spec, workerPod)
			checkSecurity(t, &controller.Spec.Template.Spec)
			checkSecurity(t, workerPod)
			checkDashboards(t, c)
			checkMonitoring(t, c, v)
		})
	}
}

// workersOf returns the worker workload's pod spec, kind and name, checking
// what the variant asks of it.
func workersOf(t *testing.T, c chart, v variant) (*corev1.PodSpec, string, string) {
	t.Helper()
	switch v.workersKind {
	case "Deployment":
		if len(c.daemonSets) != 0 {
			t.Errorf("workers.kind Deployment rendered %d DaemonSets", len(c.daemonSets))
		}
		d := c.deployment(t, workersName)
		if d.Spec.Replicas == nil || *d.Spec.Replicas != v.replicas {
			t.Errorf("worker Deployment replicas = %v, want %d", d.Spec.Replicas, v.replicas)
		}
		checkPodLabels(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels, "worker")
		checkScrapeAnnotations(t, d.Spec.Template.Annotations, "9464")
		return &d.Spec.Template.Spec, "Deployment", d.Name
	case "DaemonSet":
		if len(c.daemonSets) != 1 {
			t.Fatalf("workers.kind DaemonSet rendered %d DaemonSets, want 1", len(c.daemonSets))
		}
		ds := c.daemonSets[0]
		for _, d := range c.deployments {
			if d.Name == workersName {
				t.Errorf("workers.kind DaemonSet also rendered a worker Deployment")
			}
		}
		spec := &ds.Spec.Template.Spec
		if !equality.Semantic.DeepEqual(spec.NodeSelector, v.nodeSelector) {
			t.Errorf("DaemonSet nodeSelector = %v, want %v", spec.NodeSelector, v.nodeSelector)
		}
		if len(spec.Tolerations) != 1 || spec.Tolerations[0].Key != "dedicated" {
			t.Errorf("DaemonSet tolerations = %v, want the one from testdata/daemonset.yaml", spec.Tolerations)
		}
		if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil {
			t.Errorf("DaemonSet affinity = %v, want the node affinity from testdata/daemonset.yaml", spec.Affinity)
		}
		checkPodLabels(t, ds.Spec.Selector.MatchLabels, ds.Spec.Template.Labels, "worker")
		checkScrapeAnnotations(t, ds.Spec.Template.Annotations, "9464")
		return spec, "DaemonSet", ds.Name
	}
	t.Fatalf("variant %s: workersKind %q", v.name, v.workersKind)
	return nil, "", ""
}

// checkRole holds the Role to the scaler's one list of calls.
func checkRole(t *testing.T, c chart, kind string) {
	t.Helper()
	if len(c.roles) != 1 || len(c.roleBindings) != 1 {
		t.Fatalf("%d Roles and %d RoleBindings, want 1 each", len(c.roles), len(c.roleBindings))
	}
	want := kubernetes.NamedPermissions(kind, workersName, stateConfigMap)
	if len(want) == 0 {
		t.Fatalf("NamedPermissions(%q) is empty", kind)
	}
	if got := c.roles[0].Rules; !equality.Semantic.DeepEqual(got, want) {
		t.Errorf("Role rules =\n%s\nwant kubernetes.NamedPermissions(%q, %q, %q) =\n%s",
			mustJSON(t, got), kind, workersName, stateConfigMap, mustJSON(t, want))
	}
	rb := c.roleBindings[0]
	if rb.RoleRef.Kind != "Role" || rb.RoleRef.Name != c.roles[0].Name {
		t.Errorf("RoleBinding roleRef = %+v, want the Role %s", rb.RoleRef, c.roles[0].Name)
	}
	if len(rb.Subjects) != 1 || rb.Subjects[0].Kind != "ServiceAccount" || rb.Subjects[0].Name != controllerName || rb.Subjects[0].Namespace != namespace {
		t.Errorf("RoleBinding subjects = %+v, want ServiceAccount %s/%s", rb.Subjects, namespace, controllerName)
	}
	if len(c.serviceAccounts) != 1 || c.serviceAccounts[0].Name != controllerName {
		t.Errorf("ServiceAccounts = %d, want one named %s", len(c.serviceAccounts), controllerName)
	}
}

// checkEnvAgainstHelp: every STAMPEDE_* env var the chart sets is a field of
// the command's config struct, as its --help lists them.
func checkEnvAgainstHelp(t *testing.T, command string, container *corev1.Container, vars map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range container.Env {
		if seen[e.Name] {
			t.Errorf("%s sets %s twice", command, e.Name)
		}
		seen[e.Name] = true
		switch {
		case strings.HasPrefix(e.Name, "STAMPEDE_"):
			if _, ok := vars[e.Name]; !ok {
				t.Errorf("%s: env %s is not a setting of `stampede %s` (not in its --help)", command, e.Name, command)
			}
		case e.Name == "POD_NAME" || e.Name == "POD_IP":
			if command != "worker" {
				t.Errorf("%s sets %s, which only the workers use", command, e.Name)
			}
		default:
			t.Errorf("%s sets env %s, which stampede does not read", command, e.Name)
		}
	}
}

func checkController(t *testing.T, c chart, d *appsv1.Deployment, vars map[string]string, v variant) {
	t.Helper()
	spec := &d.Spec.Template.Spec
	ctr := onlyContainer(t, spec)
	if !slices.Equal(ctr.Args, []string{"controller"}) {
		t.Errorf("controller args = %v, want [controller]", ctr.Args)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("controller replicas = %v, want 1", d.Spec.Replicas)
	}
	checkPodLabels(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels, "controller")
	port := portOf(t, vars["STAMPEDE_LISTEN"])
	if port != 8089 {
		t.Errorf("stampede controller's default port is %d, the chart's 8089", port)
	}
	checkScrapeAnnotations(t, d.Spec.Template.Annotations, strconv.Itoa(port))
	want := map[string]string{
		"STAMPEDE_LISTEN":          ":" + strconv.Itoa(port),
		"STAMPEDE_SCALER":          "kubernetes",
		"STAMPEDE_STATE_CONFIGMAP": stateConfigMap,
		"STAMPEDE_ALLOWED_TARGETS": v.allowed,
	}
	for name, value := range want {
		if got, ok := envValue(ctr, name); !ok || got != value {
			t.Errorf("controller %s = %q, want %q", name, got, value)
		}
	}
	if ns := envFrom(ctr, "STAMPEDE_NAMESPACE"); ns == nil || ns.FieldRef == nil || ns.FieldRef.FieldPath != "metadata.namespace" {
		t.Errorf("controller STAMPEDE_NAMESPACE is not the downward API's metadata.namespace")
	}
	checkPort(t, ctr, "http", int32(port))
	checkProbe(t, "controller liveness", ctr.LivenessProbe, "/healthz", "http")
	checkProbe(t, "controller readiness", ctr.ReadinessProbe, "/readyz", "http")
	if spec.ServiceAccountName != controllerName {
		t.Errorf("controller serviceAccountName = %q, want %q", spec.ServiceAccountName, controllerName)
	}

	// The Service the workers and port-forward reach.
	if len(c.services) != 1 {
		t.Fatalf("%d Services, want 1", len(c.services))
	}
	svc := c.services[0]
	if svc.Name != controllerName || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != int32(port) || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service %s ports %+v, want %s port %d to http", svc.Name, svc.Spec.Ports, controllerName, port)
	}
	if !equality.Semantic.DeepEqual(svc.Spec.Selector, d.Spec.Selector.MatchLabels) {
		t.Errorf("Service selector %v != controller pods' %v", svc.Spec.Selector, d.Spec.Selector.MatchLabels)
	}

	// The scenario, mounted where the docs say.
	mount := mountOf(ctr, "scenario")
	if mount == nil || mount.MountPath != "/etc/stampede" {
		t.Errorf("controller scenario mount = %+v, want /etc/stampede", mount)
	}
	vol := volumeOf(spec, "scenario")
	if vol == nil || vol.ConfigMap == nil || vol.ConfigMap.Name != v.scenarioCM {
		t.Fatalf("controller scenario volume = %+v, want ConfigMap %s", vol, v.scenarioCM)
	}
	if v.scenarioCM == "stampede-scenario" {
		cm := c.configMap(v.scenarioCM)
		if cm == nil {
			t.Fatalf("no ConfigMap %s", v.scenarioCM)
		}
		example, err := os.ReadFile("../examples/todo-crud.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if cm.Data["scenario.yaml"] != string(example) {
			t.Errorf("the default scenario differs from examples/todo-crud.yaml:\n%s", cm.Data["scenario.yaml"])
		}
	} else if c.configMap(v.scenarioCM) != nil {
		t.Errorf("scenario.existingConfigMap given, yet the chart renders ConfigMap %s", v.scenarioCM)
	}
}

func checkWorkers(t *testing.T, spec *corev1.PodSpec, vars map[string]string, v variant) {
	t.Helper()
	ctr := onlyContainer(t, spec)
	if !slices.Equal(ctr.Args, []string{"worker"}) {
		t.Errorf("worker args = %v, want [worker]", ctr.Args)
	}
	port := portOf(t, vars["STAMPEDE_METRICS_ADDR"])
	if port != 9464 {
		t.Errorf("stampede worker's default metrics port is %d, the chart's 9464", port)
	}
	want := map[string]string{
		"STAMPEDE_CONTROLLER":      "http://" + controllerName + ":8089",
		"STAMPEDE_METRICS_ADDR":    ":" + strconv.Itoa(port),
		"STAMPEDE_ADVERTISE_ADDR":  "$(POD_IP):" + strconv.Itoa(port),
		"STAMPEDE_WORKER_ID":       "$(POD_NAME)",
		"STAMPEDE_ALLOWED_TARGETS": v.allowed,
	}
	for name, value := range want {
		if got, ok := envValue(ctr, name); !ok || got != value {
			t.Errorf("worker %s = %q, want %q", name, got, value)
		}
	}
	// $(VAR) expands only variables defined earlier in the list.
	for name, path := range map[string]string{"POD_NAME": "metadata.name", "POD_IP": "status.podIP"} {
		e := envFrom(ctr, name)
		if e == nil || e.FieldRef == nil || e.FieldRef.FieldPath != path {
			t.Errorf("worker %s is not the downward API's %s", name, path)
		}
		if envIndex(ctr, name) > envIndex(ctr, "STAMPEDE_ADVERTISE_ADDR") || envIndex(ctr, name) > envIndex(ctr, "STAMPEDE_WORKER_ID") {
			t.Errorf("worker %s comes after the variables that expand it", name)
		}
	}
	checkPort(t, ctr, "metrics", int32(port))
	checkProbe(t, "worker liveness", ctr.LivenessProbe, "/healthz", "metrics")
	checkProbe(t, "worker readiness", ctr.ReadinessProbe, "/healthz", "metrics")
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("workers mount a service account token they never use")
	}
}

// checkScalerTarget: the workload the controller's scaler rescales is the
// one the chart made.
func checkScalerTarget(t *testing.T, controller *appsv1.Deployment, kind, name string) {
	t.Helper()
	ctr := onlyContainer(t, &controller.Spec.Template.Spec)
	if got, _ := envValue(ctr, "STAMPEDE_WORKERS_KIND"); got != kind {
		t.Errorf("STAMPEDE_WORKERS_KIND = %q, the chart's workers are a %s", got, kind)
	}
	if got, _ := envValue(ctr, "STAMPEDE_WORKERS_NAME"); got != name {
		t.Errorf("STAMPEDE_WORKERS_NAME = %q, the chart's workers are %s", got, name)
	}
}

func checkToken(t *testing.T, c chart, v variant, specs ...*corev1.PodSpec) {
	t.Helper()
	for _, spec := range specs {
		ctr := onlyContainer(t, spec)
		e := envFrom(ctr, "STAMPEDE_API_TOKEN")
		if e == nil || e.SecretKeyRef == nil || e.SecretKeyRef.Name != v.tokenSecret || e.SecretKeyRef.Key != v.tokenKey {
			t.Errorf("%s STAMPEDE_API_TOKEN = %+v, want Secret %s key %s", ctr.Name, e, v.tokenSecret, v.tokenKey)
		}
	}
	var rendered *corev1.Secret
	for _, s := range c.secrets {
		if s.Name == v.tokenSecret {
			rendered = s
		}
	}
	if v.tokenSecret != "stampede-api-token" {
		if rendered != nil {
			t.Errorf("apiToken.existingSecret given, yet the chart renders Secret %s", v.tokenSecret)
		}
		return
	}
	if rendered == nil {
		t.Fatalf("no Secret %s", v.tokenSecret)
	}
	if tok := rendered.Data[v.tokenKey]; len(tok) < 32 {
		t.Errorf("generated token is %d bytes, want at least 32", len(tok))
	}
}

func checkSecurity(t *testing.T, spec *corev1.PodSpec) {
	t.Helper()
	ctr := onlyContainer(t, spec)
	pod := spec.SecurityContext
	if pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot || pod.RunAsUser == nil || *pod.RunAsUser != 65532 ||
		pod.SeccompProfile == nil || pod.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s pod securityContext = %+v, want non-root 65532 with RuntimeDefault seccomp", ctr.Name, pod)
	}
	sc := ctr.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532 ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 ||
		sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s securityContext = %s, want non-root 65532, read-only root, no privilege escalation, drop ALL, RuntimeDefault", ctr.Name, mustJSON(t, sc))
	}
	if ctr.Resources.Requests.Cpu().IsZero() || ctr.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s resources = %+v, want CPU requests and a memory limit", ctr.Name, ctr.Resources)
	}
	if ctr.LivenessProbe == nil || ctr.ReadinessProbe == nil {
		t.Errorf("%s lacks a liveness or readiness probe", ctr.Name)
	}
}

func checkDashboards(t *testing.T, c chart) {
	t.Helper()
	cm := c.configMap("stampede-dashboards")
	if cm == nil {
		t.Fatal("no ConfigMap stampede-dashboards")
	}
	if cm.Labels["grafana_dashboard"] != "1" {
		t.Errorf("dashboards ConfigMap labels = %v, want grafana_dashboard: \"1\"", cm.Labels)
	}
	files, err := filepath.Glob(filepath.Join(chartDir, "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s/dashboards (%v): run scripts/sync-chart-assets", chartDir, err)
	}
	if len(cm.Data) != len(files) {
		t.Errorf("dashboards ConfigMap has %d keys, the chart %d dashboards", len(cm.Data), len(files))
	}
	for _, f := range files {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := cm.Data[filepath.Base(f)]
		if !ok || got != string(want) {
			t.Errorf("dashboards ConfigMap %s differs from %s", filepath.Base(f), f)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("dashboards ConfigMap %s is not JSON", filepath.Base(f))
		}
	}
}

func checkMonitoring(t *testing.T, c chart, v variant) {
	t.Helper()
	monitors, rules := c.customOfKind("PodMonitor"), c.customOfKind("PrometheusRule")
	if !v.monitoring {
		if len(c.custom) != 0 {
			t.Errorf("podMonitor and prometheusRule off, yet %d custom objects rendered", len(c.custom))
		}
		return
	}
	if len(monitors) != 1 || len(rules) != 1 {
		t.Fatalf("%d PodMonitors and %d PrometheusRules, want 1 each", len(monitors), len(rules))
	}
	for _, u := range []*unstructured.Unstructured{monitors[0], rules[0]} {
		if u.GetAPIVersion() != "monitoring.coreos.com/v1" || u.GetLabels()["release"] != "kube-prometheus-stack" {
			t.Errorf("%s apiVersion %s labels %v, want monitoring.coreos.com/v1 with the values' labels", u.GetKind(), u.GetAPIVersion(), u.GetLabels())
		}
	}
	selector, _, _ := unstructured.NestedStringMap(monitors[0].Object, "spec", "selector", "matchLabels")
	want := map[string]string{"app.kubernetes.io/name": "stampede", "app.kubernetes.io/instance": releaseName}
	if !equality.Semantic.DeepEqual(selector, want) {
		t.Errorf("PodMonitor selector = %v, want %v", selector, want)
	}
	endpoints, _, _ := unstructured.NestedSlice(monitors[0].Object, "spec", "podMetricsEndpoints")
	var ports []string
	for _, e := range endpoints {
		ports = append(ports, e.(map[string]any)["port"].(string))
	}
	if !slices.Equal(ports, []string{"metrics", "http"}) {
		t.Errorf("PodMonitor ports = %v, want the workers' metrics and the controller's http", ports)
	}

	// The rule groups are dashboards/rules.yaml's, unchanged.
	groups, _, _ := unstructured.NestedSlice(rules[0].Object, "spec", "groups")
	data, err := os.ReadFile("../dashboards/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []any `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Groups) == 0 {
		t.Fatal("dashboards/rules.yaml has no groups")
	}
	if mustJSON(t, groups) != mustJSON(t, file.Groups) {
		t.Errorf("PrometheusRule groups differ from dashboards/rules.yaml")
	}
}

func checkPodLabels(t *testing.T, selector, labels map[string]string, component string) {
	t.Helper()
	want := map[string]string{"app.kubernetes.io/name": "stampede", "app.kubernetes.io/component": component, "app.kubernetes.io/instance": releaseName}
	for k, v := range want {
		if labels[k] != v || selector[k] != v {
			t.Errorf("%s pod label %s = %q, selector %q, want %q", component, k, labels[k], selector[k], v)
		}
	}
	for k, v := range selector {
		if labels[k] != v {
			t.Errorf("%s selector %s=%s does not match its pods", component, k, v)
		}
	}
}

func checkScrapeAnnotations(t *testing.T, annotations map[string]string, port string) {
	t.Helper()
	want := map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": port, "prometheus.io/path": "/metrics"}
	for k, v := range want {
		if annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, annotations[k], v)
		}
	}
}

func checkPort(t *testing.T, ctr *corev1.Container, name string, port int32) {
	t.Helper()
	for _, p := range ctr.Ports {
		if p.Name == name {
			if p.ContainerPort != port {
				t.Errorf("%s port %s = %d, want %d", ctr.Name, name, p.ContainerPort, port)
			}
			return
		}
	}
	t.Errorf("%s has no port %s", ctr.Name, name)
}

func checkProbe(t *testing.T, what string, p *corev1.Probe, path, port string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != port {
		t.Errorf("%s probe = %+v, want GET %s on port %s", what, p, path, port)
	}
}

// portOf reads the port of a host:port default from --help.
func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("default address %q: %v", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("default address %q: %v", addr, err)
	}
	return n
}

func onlyContainer(t *testing.T, spec *corev1.PodSpec) *corev1.Container {
	t.Helper()
	if len(spec.Containers) != 1 {
		t.Fatalf("pod has %d containers, want 1", len(spec.Containers))
	}
	return &spec.Containers[0]
}

func envValue(ctr *corev1.Container, name string) (string, bool) {
	for _, e := range ctr.Env {
		if e.Name == name && e.ValueFrom == nil {
			return e.Value, true
		}
	}
	return "", false
}

func envFrom(ctr *corev1.Container, name string) *corev1.EnvVarSource {
	for _, e := range ctr.Env {
		if e.Name == name {
			return e.ValueFrom
		}
	}
	return nil
}

func envIndex(ctr *corev1.Container, name string) int {
	return slices.IndexFunc(ctr.Env, func(e corev1.EnvVar) bool { return e.Name == name })
}

func mountOf(ctr *corev1.Container, name string) *corev1.VolumeMount {
	for i := range ctr.VolumeMounts {
		if ctr.VolumeMounts[i].Name == name {
			return &ctr.VolumeMounts[i]
		}
	}
	return nil
}

func volumeOf(spec *corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestChartRefusesUnknownWorkersKind(t *testing.T) {
	_, err := helm(t, renderArgs("--set", "workers.kind=StatefulSet")...)
	if err == nil || !strings.Contains(err.Error(), `workers.kind is "StatefulSet"`) {
		t.Errorf("workers.kind=StatefulSet: err = %v, want one naming workers.kind", err)
	}
}

func TestChartSLOValuesReachTheAlerts(t *testing.T) {
	objects, err := decodeAll(render(t, "--set", "prometheusRule.enabled=true",
		"--set", "slo.availability=0.99", "--set", "slo.latencySeconds=0.3", "--set", "slo.saturationCPU=0.8"))
	if err != nil {
		t.Fatal(err)
	}
	c := sortObjects(t, objects)
	rules := c.customOfKind("PrometheusRule")
	if len(rules) != 1 {
		t.Fatalf("%d PrometheusRules", len(rules))
	}
	text := strings.ReplaceAll(mustJSON(t, rules[0].Object["spec"]), `\u003e`, ">") // json.Marshal escapes >
	for _, want := range []string{"vector(1 - 0.99)", `{quantile=\"0.95\"} > 0.3`, "stampede_worker_cpu_utilization > 0.8"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PrometheusRule lacks %s", want)
		}
	}
	for _, stale := range []string{"vector(1 - 0.999)", "stampede_worker_cpu_utilization > 0.9"} {
		if strings.Contains(text, stale) {
			t.Errorf("the PrometheusRule still holds the default %s", stale)
		}
	}
}
