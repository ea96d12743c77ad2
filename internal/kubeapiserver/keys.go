package kubeapiserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// keyFiles are the PEM files kube-apiserver is started with.
type keyFiles struct {
	caCert          []byte // PEM of the CA that signed the serving cert; clients trust it
	servingCert     string // for https://127.0.0.1
	servingKey      string
	serviceAccount  string // RSA private key: signs service account tokens
	serviceAccountP string // its public key: verifies them
}

// writeKeys generates, in Go rather than with openssl, a CA and a serving
// certificate for 127.0.0.1 (so clients verify the server instead of
// skipping TLS checks) and the service account signing keypair, and writes
// them into dir.
func writeKeys(dir string) (keyFiles, error) {
	var k keyFiles
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return k, fmt.Errorf("CA key: %w", err)
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "stampede-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return k, fmt.Errorf("CA certificate: %w", err)
	}
	ca, err = x509.ParseCertificate(caDER)
	if err != nil {
		return k, err
	}
	servingKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return k, fmt.Errorf("serving key: %w", err)
	}
	serving := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	servingDER, err := x509.CreateCertificate(rand.Reader, serving, ca, &servingKey.PublicKey, caKey)
	if err != nil {
		return k, fmt.Errorf("serving certificate: %w", err)
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return k, fmt.Errorf("service account key: %w", err)
	}

	k.caCert = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	k.servingCert = filepath.Join(dir, "serving.crt")
	k.servingKey = filepath.Join(dir, "serving.key")
	k.serviceAccount = filepath.Join(dir, "sa.key")
	k.serviceAccountP = filepath.Join(dir, "sa.pub")
	servingKeyDER, err := x509.MarshalECPrivateKey(servingKey)
	if err != nil {
		return k, err
	}
	saPubDER, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return k, err
	}
	files := []struct {
		path  string
		block pem.Block
	}{
		{k.servingCert, pem.Block{Type: "CERTIFICATE", Bytes: servingDER}},
		{k.servingKey, pem.Block{Type: "EC PRIVATE KEY", Bytes: servingKeyDER}},
		{k.serviceAccount, pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)}},
		{k.serviceAccountP, pem.Block{Type: "PUBLIC KEY", Bytes: saPubDER}},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&f.block), 0o600); err != nil {
			return k, err
		}
	}
	return k, nil
}
