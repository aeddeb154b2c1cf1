package conformance

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The tenant the tests' simulators serve.
var testTenant = simulator.Tenant{AccessKey: "AKCONFORMANCETEST", SecretKey: "sk-conformance-test-0123456789", DomainID: "domain-conformance"}

// preexisting is a lark binding made on the console before a run: the kit must leave it alone.
const preexisting = `{"app_id": "cli_preexisting", "app_secret": "pre-existing-secret-value", "service_id": "svc-pre"}`

// newSim starts a simulator with testTenant and returns it with its URL and what the tenant
// holds: a lark binding made on the console before the run, which the kit must leave alone.
func newSim(t *testing.T) (*simulator.Simulator, string, []simulator.BindingState) {
	t.Helper()
	sim := simulator.New([]simulator.Tenant{testTenant})
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	return sim, server.URL, preBind(t, sim)
}

// preBind binds lark on the console of sim's only tenant and returns what the tenant holds.
func preBind(t *testing.T, sim *simulator.Simulator) []simulator.BindingState {
	t.Helper()
	if err := sim.ConsoleBind("", platforms.Lark, []byte(preexisting)); err != nil {
		t.Fatal(err)
	}
	return bindings(t, sim)
}

// boundByTheRun lists the app types a writing run binds: those the tenant did not hold before.
func boundByTheRun(before []simulator.BindingState) []platforms.AppType {
	var out []platforms.AppType
	for _, p := range platforms.All() {
		if !slices.ContainsFunc(before, func(b simulator.BindingState) bool { return b.AppType == p.AppType }) {
			out = append(out, p.AppType)
		}
	}
	return out
}

// bindings returns what sim's only tenant holds now.
func bindings(t *testing.T, sim *simulator.Simulator) []simulator.BindingState {
	t.Helper()
	states, err := sim.Bindings("")
	if err != nil {
		t.Fatal(err)
	}
	return states
}

// expectUntouched fails unless the tenant holds exactly what it held before the run: the
// console's binding with the same fields, timestamps and secret fingerprints, and nothing the
// run bound.
func expectUntouched(t *testing.T, sim *simulator.Simulator, before []simulator.BindingState) {
	t.Helper()
	if after := bindings(t, sim); !reflect.DeepEqual(after, before) {
		t.Errorf("the tenant held\n%+v\nbefore the run, and\n%+v\nafter it", before, after)
	}
}

// env is a set of environment variables for Main.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// remoteEnv points the kit at url with testTenant's key pair, writes allowed.
func remoteEnv(url string) env {
	return env{credentials.EnvCOCEndpoint: url, credentials.EnvAccessKey: testTenant.AccessKey,
		credentials.EnvSecretKey: testTenant.SecretKey, credentials.EnvDomainID: testTenant.DomainID, EnvWrite: "1"}
}

// runMain runs the kit with e and returns its exit code and report.
func runMain(ctx context.Context, t *testing.T, e env) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := Main(ctx, e.get, &out)
	t.Logf("exit %d, report:\n%s", code, out.String())
	return code, out.String()
}

// lines returns the report's lines that start with prefix.
func lines(report, prefix string) []string {
	var out []string
	for line := range strings.Lines(report) {
		if strings.HasPrefix(line, prefix) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// expectEveryLine fails unless every line of the report is a PASS, a SKIP with the reason it was
// not sent, a NOTE or the summary.
func expectEveryLineConforms(t *testing.T, report string) {
	t.Helper()
	for line := range strings.Lines(report) {
		switch {
		case strings.HasPrefix(line, "PASS "), strings.HasPrefix(line, "SUMMARY "):
		case strings.HasPrefix(line, "SKIP ") && strings.Contains(line, "endpoint: not sent: "):
		default:
			t.Errorf("not a PASS, nor a SKIP with its reason: %s", line)
		}
	}
}

// stub answers every call with h and records the calls.
type stub struct {
	mu    sync.Mutex
	calls []string
}

func newStub(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) (*stub, string) {
	t.Helper()
	s := &stub{}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls = append(s.calls, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(server.Close)
	return s, server.URL
}

// methods returns the methods of the calls the stub got, each once.
func (s *stub) methods() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]bool{}
	for _, c := range s.calls {
		method, _, _ := strings.Cut(c, " ")
		m[method] = true
	}
	return m
}
