package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// echoer stands in for a careless endpoint that repeats every request (its headers, the
// signature and the body with its secrets) in every answer: in the error message, the details,
// the request id and, to a POST, in the binding's fields. It says "not bound" first, so that the
// kit sends its secrets.
type echoer struct {
	mu   sync.Mutex
	sent []string // the secrets and signatures the kit sent
}

func (e *echoer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var headers []string
	for name, values := range r.Header {
		headers = append(headers, name+": "+strings.Join(values, ", "))
	}
	sort.Strings(headers)
	// The request's secrets come first, where the report cuts a long message: a secret cut in
	// two must not survive in part.
	sent := e.record(r, body)
	echo := strings.Repeat(".", 150) + strings.Join(sent, " ") + " " + r.Method + " " + r.URL.String() + " " + strings.Join(headers, "; ") + " " + string(body)

	w.Header().Set(hwhttp.HeaderRequestID, r.Header.Get(hwhttp.HeaderAuthorization))
	w.Header().Set("Content-Type", "application/json")
	p, err := platforms.For(platforms.AppType(path.Base(r.URL.Path)))
	switch {
	case err == nil && r.Method == http.MethodPost:
		var sent map[string]string
		_ = json.Unmarshal(body, &sent)
		data := map[string]string{"app_type": string(p.AppType), p.Identifier.Name: sent[p.Identifier.Name], "status": "enabled",
			"created_at": echo, "updated_at": echo, "key_updated_at": echo}
		for _, name := range p.FieldNames() {
			data[name] = echo
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(simulator.Success(data))
	case err == nil && r.Method == http.MethodGet:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(coc.ErrorBody{ErrorCode: coc.CodeNotBound, ErrorMsg: echo})
	default:
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(coc.ErrorBody{ErrorCode: echo, ErrorMsg: echo, Details: []coc.FieldError{{Field: echo, Reason: echo}}})
	}
}

// record keeps and returns every secret of a request: the signature, and the secret fields of
// its body.
func (e *echoer) record(r *http.Request, body []byte) []string {
	sent := []string{hwhttp.RequestSignature(r)}
	var fields map[string]string
	_ = json.Unmarshal(body, &fields)
	for _, p := range platforms.All() {
		for _, name := range p.SecretNames() {
			if v := fields[name]; v != "" {
				sent = append(sent, v)
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sent = append(e.sent, sent...)
	return sent
}

// Whatever the endpoint repeats, the report shows no made-up secret, no signature, no secret key
// and no security token, in any spelling.
func TestMain_TheReportNeverShowsASecret(t *testing.T) {
	e := &echoer{}
	_, url := newStub(t, e.ServeHTTP)
	env := remoteEnv(url)
	env[credentials.EnvSecurityToken] = "security-token-of-the-conformance-test"
	_, report := runMain(t.Context(), t, env)

	e.mu.Lock()
	random := e.sent // made up per run, or signatures: random hex, so no 8 characters of one occur by chance
	e.mu.Unlock()
	if len(random) < 2+len(platforms.All()) {
		t.Fatalf("the kit sent %d secrets and signatures: the test proves nothing", len(random))
	}
	for _, secret := range random {
		for i := 0; i+8 <= len(secret); i++ {
			if part := secret[i : i+8]; strings.Contains(report, part) {
				t.Fatalf("the report shows part of a secret or a signature: %q", part)
			}
		}
	}
	for _, secret := range []string{env[credentials.EnvSecretKey], env[credentials.EnvSecurityToken]} {
		for _, spelling := range hwhttp.Spellings(secret) {
			if strings.Contains(report, spelling) {
				t.Errorf("the report shows a credential: %q", spelling)
			}
		}
	}
	if !strings.Contains(report, "***") {
		t.Errorf("nothing was scrubbed: the echo never reached the report, so the test proves nothing")
	}
}

// The report's own line is scrubbed of everything the run knows as secret, and keeps to one line.
func TestReport_ScrubsEveryLine(t *testing.T) {
	secrets := new(hwhttp.Secrets)
	secrets.Add("made-up-secret-value")
	var out bytes.Buffer
	newReport(&out, secrets).check(diff, "POST /v1/mobile-apps/lark", "201", fmt.Sprintf("400 %q\nnext line", "made-up-secret-value"), "made-up-secret-value")
	if got, want := out.String(), "DIFF POST /v1/mobile-apps/lark | contract: 201 | endpoint: 400 \"***\" next line | request id: ***\n"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
