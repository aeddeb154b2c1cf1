package credentials_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// fastOptions keeps retries quick; the policy itself is coc's and tested there.
func fastOptions() credentials.Options {
	return credentials.Options{MaxRetries: 3, Backoff: hwhttp.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}}
}

// received is one request a fake server got.
type received struct {
	method, path string
	header       http.Header
	body         []byte
}

// fakeIAM is IAM and the metadata service on a loopback server. By default it issues numbered
// credentials valid for an hour and numbered subject tokens; tests replace the answer of a path.
type fakeIAM struct {
	url string
	// now is the clock the issued credentials' expiry counts from.
	now func() time.Time

	mu       sync.Mutex
	requests []received
	issued   int
	answers  map[string]http.HandlerFunc
}

func newFakeIAM(t *testing.T) *fakeIAM {
	t.Helper()
	f := &fakeIAM{answers: map[string]http.HandlerFunc{}, now: time.Now}
	server := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(server.Close)
	f.url = server.URL
	return f
}

func (f *fakeIAM) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.mu.Lock()
	f.requests = append(f.requests, received{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
	answer, n := f.answers[r.URL.Path], len(f.requests)
	f.mu.Unlock()
	w.Header().Set(hwhttp.HeaderRequestID, fmt.Sprintf("iam-req-%d", n))
	switch {
	case answer != nil:
		answer(w, r)
	case r.URL.Path == credentials.IDTokenPath:
		w.Header().Set(credentials.HeaderSubjectToken, fmt.Sprintf("subject-token-%d", n))
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"token":{"methods":["token"]}}`)
	case r.URL.Path == credentials.SecurityTokensPath:
		f.issue(w, http.StatusCreated)
	case r.URL.Path == credentials.MetadataSecurityKeyPath:
		f.issue(w, http.StatusOK)
	default:
		http.NotFound(w, r)
	}
}

// issue answers with the next numbered credentials, valid for an hour.
func (f *fakeIAM) issue(w http.ResponseWriter, status int) {
	f.mu.Lock()
	f.issued++
	n := f.issued
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(credentials.CredentialResponse{Credential: issued(n, f.now().Add(time.Hour))})
}

// issued is the n-th credential a fake hands out.
func issued(n int, expires time.Time) credentials.Credential {
	return credentials.Credential{Access: fmt.Sprintf("AKTEMP%d", n), Secret: fmt.Sprintf("SK-temporary-%d", n),
		SecurityToken: fmt.Sprintf("TOKEN-temporary-%d", n), ExpiresAt: expires.UTC().Truncate(time.Microsecond)}
}

func (f *fakeIAM) on(path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[path] = h
}

func (f *fakeIAM) received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.requests...)
}

// paths lists the paths requested, in order.
func (f *fakeIAM) paths() string {
	var out []string
	for _, r := range f.received() {
		out = append(out, r.path)
	}
	return strings.Join(out, " ")
}

func (f *fakeIAM) iam(t *testing.T, o credentials.Options) *credentials.IAM {
	t.Helper()
	iam, err := credentials.NewIAM(f.url, o)
	if err != nil {
		t.Fatal(err)
	}
	return iam
}

// answerJSON answers with status and body.
func answerJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// verifySignature checks a request's SDK-HMAC-SHA256 signature the way the gateway does, with
// coc's own canonicalisation, and returns the access key it names.
func verifySignature(t *testing.T, r received, host, secretKey string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(r.header.Get(hwhttp.HeaderAuthorization), hwhttp.SigningAlgorithm+" ")
	if !ok {
		t.Fatalf("%s is not signed: Authorization %q", r.path, r.header.Get(hwhttp.HeaderAuthorization))
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ", ") {
		k, v, _ := strings.Cut(part, "=")
		fields[k] = v
	}
	header := r.header.Clone()
	header.Set("Host", host)
	signed := strings.Split(fields["SignedHeaders"], ";")
	want := hwhttp.Signature(secretKey, r.header.Get(hwhttp.HeaderDate), hwhttp.CanonicalRequest(r.method, &url.URL{Path: r.path}, header, signed, r.body))
	if fields["Signature"] != want {
		t.Fatalf("%s: the signature does not verify with the secret key", r.path)
	}
	return fields["Access"]
}

// expectError checks that err is a T and that its message says each of want.
func expectError[T error](t *testing.T, err error, want ...string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("want a %T, got %v", target, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the error does not say %q:\n%s", w, err)
		}
	}
}

// writeFile writes content to name in a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// retrieve gets credentials from a Cache or Chain, failing the test on an error.
func retrieve(t *testing.T, p hwhttp.CredentialsProvider) hwhttp.Credentials {
	t.Helper()
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return creds
}
