package release

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
// holding the binary named as Terraform expects; SHA256SUMS listing them and the manifest, and
// its detached signature; the manifest declaring protocol 6. `make release-check` builds a
// signed snapshot and runs the TestRelease_ tests on it with every CLI: each checks those files,
// then serves them as a CLI would find them (a network mirror here, the Registry in
// registry_test.go) and runs a plain init and a plan against them.
func TestRelease_SnapshotInstallsFromANetworkMirror(t *testing.T) {
	s := readSnapshot(t)
	cli := cliUnderTest(t)
	mirror, certFile := serveTLS(t, s.networkMirror(cli.RegistryHost()))
	w := newWorkspace(t, fmt.Sprintf("provider_installation {\n  network_mirror {\n    url = %q\n  }\n}\n", mirror.URL+"/"), "SSL_CERT_FILE="+certFile)
	// init checks the archive against the zh: hash the mirror lists, its SHA256SUMS digest.
	locked := []string{s.hostH1(t)}
	if cli.Kind == compat.OpenTofu {
		// OpenTofu also records the hash the mirror vouched for; Terraform only the one it computed.
		locked = append(locked, "zh:"+s.sums[s.hostZip])
	}
	s.initAndPlan(t, w, "cocops/coc", providerAddress(cli), locked)
}

// snapshot is the release `make release-check` leaves in dist/ (COC_RELEASE_DIST), checked as
// the Registry checks a release before it publishes one.
type snapshot struct {
	dir       string
	dist      *os.Root
	version   string
	sumsName  string            // terraform-provider-coc_{version}_SHA256SUMS
	sums      map[string]string // SHA-256 digest by file name, as SHA256SUMS lists them
	archives  map[string]string // zip by platform ("linux_amd64")
	hostZip   string            // this machine's zip
	protocols []string          // the plugin protocols the manifest declares
}

// readSnapshot reads and checks the snapshot; the test skips unless make release-check runs it.
func readSnapshot(t *testing.T) *snapshot {
	t.Helper()
	s := &snapshot{dir: os.Getenv("COC_RELEASE_DIST"), archives: map[string]string{}}
	if s.dir == "" {
		t.Skip("make release-check builds a goreleaser snapshot and runs this with COC_RELEASE_DIST set to it")
	}
	var err error
	if s.dist, err = os.OpenRoot(s.dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.dist.Close() })
	var metadata struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(readDistFile(t, s.dist, "metadata.json"), &metadata); err != nil {
		t.Fatal(err)
	}
	s.version = metadata.Version
	prefix := "terraform-provider-coc_" + s.version + "_"
	s.sumsName = prefix + "SHA256SUMS"
	s.sums = checkSums(t, s.dist, s.sumsName)

	manifest := prefix + "manifest.json"
	repoManifest, err := os.ReadFile(filepath.Join(repository, "terraform-registry-manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.sums[manifest] != sha256Hex(repoManifest) {
		t.Errorf("SHA256SUMS lists %s as %q, want the digest of terraform-registry-manifest.json", manifest, s.sums[manifest])
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
	s.protocols = declared.Metadata.ProtocolVersions

	archiveName := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `([a-z0-9]+_[a-z0-9]+)\.zip$`)
	for name := range s.sums {
		if name == manifest {
			continue
		}
		m := archiveName.FindStringSubmatch(name)
		if m == nil {
			t.Errorf("SHA256SUMS lists %s, neither the manifest nor a %s<os>_<arch>.zip", name, prefix)
			continue
		}
		s.archives[m[1]] = name
		checkArchive(t, s.dist, name, "terraform-provider-coc_v"+s.version, strings.HasPrefix(m[1], "windows_"))
	}
	if zips, _ := fs.Glob(s.dist.FS(), "*.zip"); len(zips) != len(s.archives) {
		t.Errorf("dist holds %d zips, SHA256SUMS lists %d", len(zips), len(s.archives))
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	var ok bool
	if s.hostZip, ok = s.archives[platform]; !ok {
		t.Fatalf("the release has no %s archive: %v", platform, slices.Sorted(maps.Keys(s.archives)))
	}
	if t.Failed() {
		t.FailNow()
	}
	return s
}

// hostH1 is the h1: hash a CLI computes for this machine's package once it has unpacked it.
func (s *snapshot) hostH1(t *testing.T) string {
	t.Helper()
	h1, err := dirhash.HashZip(filepath.Join(s.dir, s.hostZip), dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	return h1
}

// initAndPlan runs a plain init of the provider at source, at the snapshot's version, in w;
// checks that the lock file records it at address with the given hashes only; and plans with
// the provider it installed: COC must see the snapshot's version in every request. It returns
// init's output.
func (s *snapshot) initAndPlan(t *testing.T, w *workspace, source, address string, locked []string) string {
	t.Helper()
	coc := serveCOC(t)
	w.WriteConfig(t, s.requiredProvider(source)+coc.providerConfig())
	out := w.Terraform(t, "init", "-input=false", "-no-color")
	expectLocked(t, w, address, s.version, locked...)
	w.Terraform(t, "plan", "-input=false")
	coc.expectVersion(t, s.version)
	return out
}

// requiredProvider asks for the provider at source at the snapshot's version: it is a
// pre-release, which init selects only when asked for exactly.
func (s *snapshot) requiredProvider(source string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    coc = {\n      source  = %q\n      version = %q\n    }\n  }\n}\n", source, s.version)
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

// networkMirror serves the release for cocops/coc at host by the provider network mirror
// protocol.
func (s *snapshot) networkMirror(host string) http.Handler {
	type archive struct {
		URL    string   `json:"url"`
		Hashes []string `json:"hashes"`
	}
	listing := map[string]archive{}
	for platform, name := range s.archives {
		listing[platform] = archive{URL: name, Hashes: []string{"zh:" + s.sums[name]}}
	}
	base := "/" + host + "/cocops/coc/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+base+"index.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTo(w, map[string]any{"versions": map[string]any{s.version: map[string]any{}}})
	})
	mux.HandleFunc("GET "+base+s.version+".json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTo(w, map[string]any{"archives": listing})
	})
	for _, name := range s.archives {
		mux.HandleFunc("GET "+base+name, func(w http.ResponseWriter, r *http.Request) {
			http.ServeFileFS(w, r, s.dist.FS(), name)
		})
	}
	return mux
}

// serveTLS serves handler over HTTPS, as both the mirror and the registry protocol require, and
// returns the server and a PEM file of its certificate: handed to the CLI as SSL_CERT_FILE
// (which Go reads on Linux), it is the only authority the CLI trusts.
func serveTLS(t *testing.T, handler http.Handler) (*httptest.Server, string) {
	t.Helper()
	server := httptest.NewTLSServer(handler)
	t.Cleanup(server.Close)
	certFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return server, certFile
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
