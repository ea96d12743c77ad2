package kubeapiserver

import (
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// AdminConfig is a client config for the cluster's admin (group
// system:masters, so RBAC allows it everything), for setting up objects and
// checking what others did. Its clients share one transport that Stop
// closes, so they leave no idle connections behind a test.
func (c *Cluster) AdminConfig() *rest.Config {
	return &rest.Config{
		Host:        c.URL,
		BearerToken: c.adminToken,
		Transport:   c.transport,
		// Tests set up many objects at once; client-go's default (5/s) would
		// make them wait on the client, not the server.
		QPS:   200,
		Burst: 400,
	}
}

// AdminKubeconfig writes a kubeconfig for the admin to path.
func (c *Cluster) AdminKubeconfig(path string) error {
	return c.writeKubeconfig(path, adminUser, c.adminToken, "default")
}

// KubeconfigForToken writes a kubeconfig to path that authenticates with
// token (e.g. a service account's, from the TokenRequest API) and whose
// context's namespace is namespace, the way a user hands one to a program.
func (c *Cluster) KubeconfigForToken(path, token, namespace string) error {
	return c.writeKubeconfig(path, "token-user", token, namespace)
}

func (c *Cluster) writeKubeconfig(path, user, token, namespace string) error {
	const name = "stampede-test"
	config := clientcmdapi.NewConfig()
	config.Clusters[name] = &clientcmdapi.Cluster{Server: c.URL, CertificateAuthorityData: c.caCert}
	config.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: token}
	config.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: user, Namespace: namespace}
	config.CurrentContext = name
	return clientcmd.WriteToFile(*config, path)
}
