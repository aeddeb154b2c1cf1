package release

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/cocops/terraform-provider-coc/internal/compat"
)

// What every user does: a plain init of cocops/coc from the Registry, which downloads the zip,
// SHA256SUMS and its detached signature, checks the signature against the namespace's GPG key,
// the zip against SHA256SUMS, and locks the hashes. The test serves the signed snapshot by the
// provider registry protocol at registry.terraform.io and registry.opentofu.org (a CLI config
// host block), so that the CLI under test installs it exactly so, then plays the attacks the
// signature exists for: each must be refused, and leave nothing installed.
func TestRelease_SnapshotInstallsFromTheRegistryWithItsSignatureVerified(t *testing.T) {
	s := readSnapshot(t)
	cli := cliUnderTest(t)
	key := s.signingKey(t)
	sums := readDistFile(t, s.dist, s.sumsName)
	genuineZip := readDistFile(t, s.dist, s.hostZip)
	tamperedZip := tamper(t, genuineZip)
	tamperedSums := strings.ReplaceAll(string(sums), s.sums[s.hostZip], sha256Hex(tamperedZip))

	// A verified signature vouches for every platform's zip: the lock file holds each SHA256SUMS
	// digest, and the hash of the package as unpacked here.
	locked := []string{s.hostH1(t)}
	for _, digest := range s.sums {
		locked = append(locked, "zh:"+digest)
	}
	installed := regexp.MustCompile(`Installed \S*cocops/coc v` + regexp.QuoteMeta(s.version) + ` \((self-)?signed, key ID ` + key.id + `\)`)
	for _, discovered := range []bool{false, true} {
		name := "cocops/coc signed by the release key"
		if discovered {
			// The registry's own hostname: the CLI asks its /.well-known/terraform.json where
			// the provider registry API is, as it asks registry.terraform.io without a host block.
			name = "the same at the registry's own hostname, by service discovery"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w, host := s.registryWorkspace(t, release{keys: []gpgKey{key}})
			source, address := "cocops/coc", providerAddress(cli)
			if discovered {
				source = host + "/cocops/coc"
				address = source
			}
			if out := s.initAndPlan(t, w, source, address, locked); !installed.MatchString(out) {
				t.Fatalf("init does not report the package signed with the release key %s:\n%s", key.id, out)
			}
		})
	}

	for _, c := range []struct {
		name    string
		release release
		refusal string // what the CLI says, in Terraform's and OpenTofu's words alike
	}{{
		// Someone who cannot sign with the namespace's key signs the genuine SHA256SUMS.
		name:    "SHA256SUMS signed by another key",
		release: release{keys: []gpgKey{key}, replaced: map[string][]byte{s.sumsName + ".sig": signWithAnotherKey(t, sums)}},
		refusal: `authentication signature from unknown issuer`,
	}, {
		// A zip replaced and SHA256SUMS rewritten to list it: only the signature can tell.
		name: "tampered SHA256SUMS",
		release: release{keys: []gpgKey{key}, shasum: sha256Hex(tamperedZip), replaced: map[string][]byte{
			s.hostZip: tamperedZip, s.sumsName: []byte(tamperedSums),
		}},
		refusal: `error checking signature`,
	}, {
		// A zip replaced under the genuine, signed SHA256SUMS.
		name:    "a zip that is not the one signed",
		release: release{keys: []gpgKey{key}, replaced: map[string][]byte{s.hostZip: tamperedZip}},
		refusal: `archive has incorrect checksum`,
	}, {
		// The same, with the registry's answer giving the replaced zip's own digest.
		name:    "a zip whose registry shasum is not the signed one",
		release: release{keys: []gpgKey{key}, shasum: sha256Hex(tamperedZip), replaced: map[string][]byte{s.hostZip: tamperedZip}},
		refusal: `checksum list has unexpected SHA-256 hash`,
	}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w, _ := s.registryWorkspace(t, c.release)
			w.WriteConfig(t, s.requiredProvider("cocops/coc"))
			out, err := w.Run("init", "-input=false", "-no-color")
			if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), c.refusal) {
				t.Fatalf("init (%v) does not refuse the package saying %q:\n%s", err, c.refusal, out)
			}
			// No package: OpenTofu leaves only the lock file it installs under, <platform>.lock.
			if installed, _ := filepath.Glob(filepath.Join(w.Dir, ".terraform", "providers", "*", "cocops", "coc", "*", runtime.GOOS+"_"+runtime.GOARCH)); len(installed) != 0 {
				t.Fatalf("init left %v installed", installed)
			}
			if _, err := os.Stat(filepath.Join(w.Dir, ".terraform.lock.hcl")); !os.IsNotExist(err) {
				t.Fatalf("init wrote a lock file (%v):\n%s", err, w.ReadFile(t, ".terraform.lock.hcl"))
			}
		})
	}
}

// gpgKey is a public key as the Registry lists it: ASCII-armored, and the ID a CLI reports for
// it, its primary key's.
type gpgKey struct{ armored, id string }

// signingKey is dist/signing-key.asc, the public key make release-check writes, once it has
// checked that the snapshot's SHA256SUMS signature is that key's.
func (s *snapshot) signingKey(t *testing.T) gpgKey {
	t.Helper()
	armored := readDistFile(t, s.dist, "signing-key.asc")
	keyring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil || len(keyring) != 1 {
		t.Fatalf("dist/signing-key.asc holds %d keys (%v), want the signing key", len(keyring), err)
	}
	signature := readDistFile(t, s.dist, s.sumsName+".sig")
	if _, err := openpgp.CheckDetachedSignature(keyring, bytes.NewReader(readDistFile(t, s.dist, s.sumsName)), bytes.NewReader(signature), nil); err != nil {
		t.Fatalf("%s.sig is not a signature of %s by dist/signing-key.asc: %v", s.sumsName, s.sumsName, err)
	}
	return gpgKey{armored: string(armored), id: keyring[0].PrimaryKey.KeyIdString()}
}

// signWithAnotherKey is a well-formed detached signature of content, by a key made here.
func signWithAnotherKey(t *testing.T, content []byte) []byte {
	t.Helper()
	other, err := openpgp.NewEntity("someone else", "", "someone-else@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	var signature bytes.Buffer
	if err := openpgp.DetachSign(&signature, other, bytes.NewReader(content), nil); err != nil {
		t.Fatal(err)
	}
	return signature.Bytes()
}

// tamper returns a zip that would install as well as the genuine one, the same binary with a
// file added, so that only the checks refuse it.
func tamper(t *testing.T, genuine []byte) []byte {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(genuine), int64(len(genuine)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range r.File {
		if err := w.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	added, err := w.Create("added-by-someone-else")
	if err == nil {
		_, err = io.WriteString(added, "not in the release\n")
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// release is what the test registry serves of the snapshot: the keys its download answer lists,
// and, to play an attack, files served in place of dist's and a shasum for this machine's zip
// other than the one SHA256SUMS lists.
type release struct {
	keys     []gpgKey
	replaced map[string][]byte
	shasum   string
}

// registryWorkspace is a CLI workspace whose CLI config sends both registries' provider
// requests to a registry serving r, over HTTPS with a certificate only the CLI trusts; it also
// returns the registry's own hostname (host:port).
func (s *snapshot) registryWorkspace(t *testing.T, r release) (*workspace, string) {
	t.Helper()
	mux := http.NewServeMux()
	server, certFile := serveTLS(t, mux)
	s.serveRegistry(mux, server.URL, r)
	var rc strings.Builder
	for _, host := range []string{compat.CLI{Kind: compat.Terraform}.RegistryHost(), compat.CLI{Kind: compat.OpenTofu}.RegistryHost()} {
		fmt.Fprintf(&rc, "host %q {\n  services = {\n    \"providers.v1\" = %q\n  }\n}\n", host, server.URL+"/v1/providers/")
	}
	return newWorkspace(t, rc.String(), "SSL_CERT_FILE="+certFile), strings.TrimPrefix(server.URL, "https://")
}

// serveRegistry answers service discovery and the provider registry protocol's two calls for
// cocops/coc (the versions, and a platform's package with its checksums, signature and signing
// keys), and serves the files they name, from base.
func (s *snapshot) serveRegistry(mux *http.ServeMux, base string, r release) {
	mux.HandleFunc("GET /.well-known/terraform.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTo(w, map[string]string{"providers.v1": "/v1/providers/"})
	})
	api := "/v1/providers/cocops/coc/"
	var platforms []map[string]string
	for _, platform := range slices.Sorted(maps.Keys(s.archives)) {
		goos, arch, _ := strings.Cut(platform, "_")
		platforms = append(platforms, map[string]string{"os": goos, "arch": arch})
	}
	mux.HandleFunc("GET "+api+"versions", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTo(w, map[string]any{"versions": []any{map[string]any{"version": s.version, "protocols": s.protocols, "platforms": platforms}}})
	})
	var keys []map[string]any
	for _, key := range r.keys {
		keys = append(keys, map[string]any{"key_id": key.id, "ascii_armor": key.armored, "trust_signature": "", "source": "cocops", "source_url": nil})
	}
	mux.HandleFunc("GET "+api+"{version}/download/{os}/{arch}", func(w http.ResponseWriter, req *http.Request) {
		goos, arch := req.PathValue("os"), req.PathValue("arch")
		zipName, ok := s.archives[goos+"_"+arch]
		if req.PathValue("version") != s.version || !ok {
			http.NotFound(w, req)
			return
		}
		shasum := s.sums[zipName]
		if zipName == s.hostZip && r.shasum != "" {
			shasum = r.shasum
		}
		writeJSONTo(w, map[string]any{
			"protocols": s.protocols, "os": goos, "arch": arch, "filename": zipName,
			"download_url":          base + "/files/" + zipName,
			"shasums_url":           base + "/files/" + s.sumsName,
			"shasums_signature_url": base + "/files/" + s.sumsName + ".sig",
			"shasum":                shasum,
			"signing_keys":          map[string]any{"gpg_public_keys": keys},
		})
	})
	for _, name := range append(slices.Collect(maps.Values(s.archives)), s.sumsName, s.sumsName+".sig") {
		mux.HandleFunc("GET /files/"+name, func(w http.ResponseWriter, req *http.Request) {
			if content, ok := r.replaced[name]; ok {
				_, _ = w.Write(content)
				return
			}
			http.ServeFileFS(w, req, s.dist.FS(), name)
		})
	}
}
