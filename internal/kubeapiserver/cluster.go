package kubeapiserver

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Bounds of the waits, so a broken binary fails the test instead of hanging it.
const (
	readyTimeout    = 60 * time.Second // /readyz after start; ~3 s on 2 cores
	etcdTimeout     = 30 * time.Second // etcd's /health
	apiserverGrace  = 10 * time.Second // SIGTERM to SIGKILL
	etcdGrace       = 5 * time.Second
	pollEvery       = 100 * time.Millisecond
	adminUser       = "admin"
	serviceIPRange  = "10.96.0.0/16"
	serviceIssuer   = "https://kubernetes.default.svc"
	advertisedIP    = "192.0.2.1" // TEST-NET-1: kube-apiserver refuses a loopback advertise address
	auditPolicyYAML = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  # What service accounts (the controller) ask, and what they get: a 409 on
  # a conflicting update, a 403 from RBAC.
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
`
)

// Options configure Start.
type Options struct {
	// Dir holds etcd's data, the keys, the token file and the logs
	// (etcd.log, kube-apiserver.log, audit.log): a test's t.TempDir().
	Dir string
	// Logf, when set, is told what starts and stops and how long it took
	// (t.Logf fits).
	Logf func(format string, args ...any)
}

// Cluster is a running etcd and kube-apiserver. Its methods are safe for
// concurrent use.
type Cluster struct {
	// URL is the API server's address: https://127.0.0.1:<port>.
	URL string

	opts          Options
	adminToken    string
	caCert        []byte // PEM; the serving certificate's CA
	apiserverPath string
	apiserverArgs []string
	auditLog      string
	transport     *http.Transport // of AdminConfig's clients, closed by Stop

	mu        sync.Mutex
	etcd      *process
	apiserver *process // nil while stopped
	stopped   bool
}

// Start starts etcd and kube-apiserver on free 127.0.0.1 ports and returns
// once /readyz answers 200, or an error with the end of their logs. The
// caller must Stop the cluster.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("kubeapiserver: Options.Dir is empty: give it a temporary directory")
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	apiserverPath, err := APIServerPath()
	if err != nil {
		return nil, err
	}
	etcdPath, err := EtcdPath()
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, apiserverPath: apiserverPath, auditLog: filepath.Join(opts.Dir, "audit.log")}
	if err := c.configure(); err != nil {
		return nil, err
	}
	began := time.Now()
	if err := c.startEtcd(ctx, etcdPath); err != nil {
		_ = c.Stop()
		return nil, err
	}
	if err := c.StartAPIServer(ctx); err != nil {
		_ = c.Stop()
		return nil, err
	}
	opts.Logf("kubeapiserver: etcd and %s ready at %s in %s (logs in %s)",
		filepath.Base(apiserverPath), c.URL, time.Since(began).Round(time.Millisecond), opts.Dir)
	return c, nil
}

// configure writes the keys, token file and audit policy, picks the API
// server's port and sets its arguments and the admin clients' transport.
func (c *Cluster) configure() error {
	dir := c.opts.Dir
	keys, err := writeKeys(dir)
	if err != nil {
		return fmt.Errorf("kubeapiserver: %w", err)
	}
	c.caCert = keys.caCert
	token := make([]byte, 24)
	if _, err := rand.Read(token); err != nil {
		return err
	}
	c.adminToken = hex.EncodeToString(token)
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(c.adminToken+","+adminUser+",admin-uid,system:masters\n"), 0o600); err != nil {
		return err
	}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicyYAML), 0o600); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	c.URL = "https://127.0.0.1:" + strconv.Itoa(port)
	c.apiserverArgs = []string{
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--advertise-address=" + advertisedIP,
		"--tls-cert-file=" + keys.servingCert,
		"--tls-private-key-file=" + keys.servingKey,
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--service-account-key-file=" + keys.serviceAccountP,
		"--service-account-signing-key-file=" + keys.serviceAccount,
		"--service-account-issuer=" + serviceIssuer,
		"--token-auth-file=" + tokens,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=" + serviceIPRange,
		"--audit-policy-file=" + policy,
		"--audit-log-path=" + c.auditLog,
		"--profiling=false",
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.caCert) {
		return errors.New("kubeapiserver: the generated CA does not parse")
	}
	c.transport = &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     30 * time.Second,
		MaxIdleConnsPerHost: 25,
	}
	return nil
}

// startEtcd starts etcd with its own data dir on two free ports and waits
// for its /health.
func (c *Cluster) startEtcd(ctx context.Context, path string) error {
	clientPort, err := freePort()
	if err != nil {
		return err
	}
	peerPort, err := freePort()
	if err != nil {
		return err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	args := []string{
		"--name=stampede-test",
		"--data-dir=" + filepath.Join(c.opts.Dir, "etcd-data"),
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=stampede-test=" + peerURL,
		"--initial-cluster-state=new",
	}
	p, err := startProcess("etcd", path, args, filepath.Join(c.opts.Dir, "etcd.log"))
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.etcd = p
	c.mu.Unlock()
	c.apiserverArgs = append(c.apiserverArgs, "--etcd-servers="+clientURL)
	client := &http.Client{Timeout: 2 * time.Second}
	return waitFor(ctx, etcdTimeout, p, func() bool {
		resp, err := client.Get(clientURL + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// StartAPIServer starts kube-apiserver (again, after StopAPIServer) on the
// same port and etcd, and waits until /readyz answers 200.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return errors.New("kubeapiserver: the cluster is stopped")
	}
	if c.apiserver != nil {
		if done, _ := c.apiserver.exited(); !done {
			return errors.New("kubeapiserver: kube-apiserver is already running")
		}
	}
	began := time.Now()
	p, err := startProcess("kube-apiserver", c.apiserverPath, c.apiserverArgs, filepath.Join(c.opts.Dir, "kube-apiserver.log"))
	if err != nil {
		return err
	}
	c.apiserver = p
	client := &http.Client{Transport: c.transport, Timeout: 2 * time.Second}
	err = waitFor(ctx, readyTimeout, p, func() bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+"/readyz", nil)
		if err != nil {
			return false
		}
		req.Header.Set("Authorization", "Bearer "+c.adminToken)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if err != nil {
		return fmt.Errorf("%w\n%s", err, c.etcd.tail())
	}
	c.opts.Logf("kubeapiserver: kube-apiserver ready at %s in %s", c.URL, time.Since(began).Round(time.Millisecond))
	return nil
}

// StopAPIServer ends kube-apiserver and leaves etcd running, so that
// StartAPIServer brings the same objects back on the same address: a
// control plane restart as a client sees it.
func (c *Cluster) StopAPIServer() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopAPIServerLocked()
}

func (c *Cluster) stopAPIServerLocked() error {
	if c.apiserver == nil {
		return nil
	}
	began := time.Now()
	err := c.apiserver.stop(apiserverGrace)
	c.apiserver = nil
	// Connections to the old process are dead; new clients dial afresh.
	c.transport.CloseIdleConnections()
	c.opts.Logf("kubeapiserver: kube-apiserver stopped in %s", time.Since(began).Round(time.Millisecond))
	return err
}

// Restart stops kube-apiserver and starts it again on the same port and
// etcd, returning once it is ready.
func (c *Cluster) Restart(ctx context.Context) error {
	if err := c.StopAPIServer(); err != nil {
		return err
	}
	return c.StartAPIServer(ctx)
}

// Stop ends kube-apiserver, then etcd, each with SIGTERM and SIGKILL after
// a bound, and closes the admin clients' idle connections. It may be
// called more than once.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	err := c.stopAPIServerLocked()
	if c.etcd != nil {
		err = errors.Join(err, c.etcd.stop(etcdGrace))
		c.etcd = nil
	}
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
	return err
}

// AuditLogPath is the API server's audit log: one JSON event per request
// of a service account (see ReadAudit).
func (c *Cluster) AuditLogPath() string { return c.auditLog }

// waitFor polls ok until it is true, the process exits, ctx ends or
// timeout passes; errors carry the end of the process's log.
func waitFor(ctx context.Context, timeout time.Duration, p *process, ok func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if ok() {
			return nil
		}
		if done, err := p.exited(); done {
			return fmt.Errorf("kubeapiserver: %s %w (%v)\n%s", p.name, errExited, err, p.tail())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kubeapiserver: %s not ready within %s: %w\n%s", p.name, timeout, ctx.Err(), p.tail())
		case <-tick.C:
		}
	}
}

// freePort asks the kernel for a free 127.0.0.1 port. Another process
// could take it before the server binds it; on a test machine that is rare
// and shows as a clear bind error in the log tail.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
