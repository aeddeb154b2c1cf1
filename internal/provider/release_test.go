package provider

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/cocops/terraform-provider-coc/internal/compat"
)

// A release is what goreleaser puts in dist/: per platform a zip named as the Registry expects,
// holding the binary named as Terraform expects; SHA256SUMS listing them and the manifest; the
// manifest declaring protocol 6. `make release-check` builds a snapshot and runs this test on it
// with every CLI: it checks those files, then serves them as a provider network mirror (the
// protocol a mirror of the Registry speaks) and runs a plain init and a plan against them.
func TestRelease_SnapshotInstallsFromANetworkMirror(t *testing.T) {
	distDir := os.Getenv("COC_RELEASE_DIST")
	if distDir == "" {
		t.Skip("make release-check builds a goreleaser snapshot and runs this with COC_RELEASE_DIST set to it")
	}
	cli := cliUnderTest(t)
	dist, err := os.OpenRoot(distDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dist.Close() })
	var metadata struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(readDistFile(t, dist, "metadata.json"), &metadata); err != nil {
		t.Fatal(err)
	}
	version := metadata.Version
	prefix := "terraform-provider-coc_" + version + "_"
	sums := checkSums(t, dist, prefix+"SHA256SUMS")

	manifest := prefix + "manifest.json"
	repoManifest, err := os.ReadFile("../../terraform-registry-manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	if sums[manifest] != sha256Hex(repoManifest) {
		t.Errorf("SHA256SUMS lists %s as %q, want the digest of terraform-registry-manifest.json", manifest, sums[manifest])
	}
	var declared struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(repoManifest, &declared); err != nil || declared.Version != 1 || !slices.Equal(declared.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("terraform-registry-manifest.json declares %+v (%v), want version 1 and protocol 6.0 only", declared, err)
	}

	archives := map[string]string{} // zip by platform
	archiveName := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `([a-z0-9]+_[a-z0-9]+)\.zip$`)
	for name := range sums {
		if name == manifest {
			continue
		}
		m := archiveName.FindStringSubmatch(name)
		if m == nil {
			t.Errorf("SHA256SUMS lists %s, neither the manifest nor a %s<os>_<arch>.zip", name, prefix)
			continue
		}
		archives[m[1]] = name
		checkArchive(t, dist, name, "terraform-provider-coc_v"+version, strings.HasPrefix(m[1], "windows_"))
	}
	if zips, _ := fs.Glob(dist.FS(), "*.zip"); len(zips) != len(archives) {
		t.Errorf("dist holds %d zips, SHA256SUMS lists %d", len(zips), len(archives))
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	hostZip, ok := archives[platform]
	if !ok {
		t.Fatalf("the release has no %s archive: %v", platform, slices.Sorted(maps.Keys(archives)))
	}
	if t.Failed() {
		t.FailNow()
	}

	mirror := serveNetworkMirror(t, dist, cli.RegistryHost(), version, archives, sums)
	certFile := filepath.Join(t.TempDir(), "mirror.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: mirror.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	// SSL_CERT_FILE makes the CLI trust the mirror's certificate (Go reads it on Linux).
	w := newCLIWorkspaceWithConfig(t, fmt.Sprintf("provider_installation {\n  network_mirror {\n    url = %q\n  }\n}\n", mirror.URL+"/"), "SSL_CERT_FILE="+certFile)
	env := newSimEnv(t, 1)
	checkVersion := checkReportedVersion(t, env)
	// A snapshot's version is a pre-release, which init selects only when asked for exactly.
	w.writeConfig(t, fmt.Sprintf("terraform {\n  required_providers {\n    coc = {\n      source  = \"cocops/coc\"\n      version = %q\n    }\n  }\n}\n", version)+
		env.providerBlock(0, "")+"data \"coc_mobile_apps\" \"all\" {}\n")
	// init checks the archive against the zh: hash the mirror lists, its SHA256SUMS digest.
	w.terraform(t, "init", "-input=false")
	h1, err := dirhash.HashZip(filepath.Join(distDir, hostZip), dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	locked := []string{h1}
	if cli.Kind == compat.OpenTofu {
		// OpenTofu also records the hash the mirror vouched for; Terraform only the one it computed.
		locked = append(locked, "zh:"+sums[hostZip])
	}
	expectLocked(t, w, providerAddress(cli), version, locked...)
	w.terraform(t, "plan", "-input=false")
	checkVersion(version)
}

// checkSums reads a SHA256SUMS file and checks the digests of the files it lists that are in
// dist (the manifest is not: the release uploads it from the repository).
func checkSums(t *testing.T, dist *os.Root, name string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	lines := bufio.NewScanner(strings.NewReader(string(readDistFile(t, dist, name))))
	for lines.Scan() {
		digest, file, ok := strings.Cut(lines.Text(), "  ")
		if !ok || len(digest) != 64 {
			t.Fatalf("%s: malformed line %q", name, lines.Text())
		}
		sums[file] = digest
	}
	for file, digest := range sums {
		if content, err := dist.ReadFile(file); err == nil && sha256Hex(content) != digest {
			t.Errorf("%s lists %s as %s, its digest is %s", name, file, digest, sha256Hex(content))
		}
	}
	return sums
}

// checkArchive checks that a zip holds the executable binary, at its top level.
func checkArchive(t *testing.T, dist *os.Root, name, binary string, windows bool) {
	t.Helper()
	if windows {
		binary += ".exe"
	}
	content := readDistFile(t, dist, name)
	z, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		if f.Name == binary && !windows && f.Mode()&0o111 == 0 {
			t.Errorf("%s: %s is not executable (%v)", name, binary, f.Mode())
		}
	}
	if !slices.Contains(names, binary) || slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "/") }) {
		t.Errorf("%s holds %v, want %s at the top level", name, names, binary)
	}
}

// serveNetworkMirror serves a release for cocops/coc at host by the provider network mirror
// protocol, which only speaks HTTPS.
func serveNetworkMirror(t *testing.T, dist *os.Root, host, version string, archives, sums map[string]string) *httptest.Server {
	t.Helper()
	type archive struct {
		URL    string   `json:"url"`
		Hashes []string `json:"hashes"`
	}
	listing := map[string]archive{}
	for platform, name := range archives {
		listing[platform] = archive{URL: name, Hashes: []string{"zh:" + sums[name]}}
	}
	base := "/" + host + "/cocops/coc/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+base+"index.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTo(w, map[string]any{"versions": map[string]any{version: map[string]any{}}})
	})
	mux.HandleFunc("GET "+base+version+".json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTo(w, map[string]any{"archives": listing})
	})
	for _, name := range archives {
		mux.HandleFunc("GET "+base+name, func(w http.ResponseWriter, r *http.Request) {
			http.ServeFileFS(w, r, dist.FS(), name)
		})
	}
	server := httptest.NewTLSServer(mux)
	t.Cleanup(server.Close)
	return server
}

func writeJSONTo(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func readDistFile(t *testing.T, dist *os.Root, name string) []byte {
	t.Helper()
	content, err := dist.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return content
}

func sha256Hex(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}
