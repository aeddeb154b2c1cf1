package provider

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The leak suite, for the credentials themselves: a TRACE run of each source (an apply and a
// destroy, and for the sources that call IAM, a plan that IAM answers with an error echoing the
// request, headers and body) leaves no secret key, security token, identity token or subject
// token in the log, in terraform's output or in the state.
func TestCLI_NoCredentialSourceLeaksSecrets(t *testing.T) {
	t.Parallel()
	for _, src := range credentialSources {
		if !src.leakSuite {
			continue
		}
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			w := newSourceWorld(t)
			logFile := filepath.Join(t.TempDir(), "trace.log")
			ws := w.workspace(t, src, []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH=" + logFile})
			var outputs strings.Builder
			for _, path := range src.echo {
				w.sim.ClearFaults()
				if err := w.sim.InjectFault(simulator.Fault{Method: http.MethodPost, PathPrefix: path, Status: http.StatusBadRequest, Echo: true}); err != nil {
					t.Fatal(err)
				}
				out, err := ws.run("plan", "-input=false", "-no-color")
				outputs.WriteString(out)
				if err == nil || !errorPattern("Failed to Obtain COC Credentials", "the request was POST "+path).MatchString(out) {
					t.Fatalf("want the plan to fail with IAM's echo of POST %s, got %v:\n%s", path, err, out)
				}
			}
			w.sim.ClearFaults()
			outputs.WriteString(ws.terraform(t, "apply", "-auto-approve", "-input=false", "-no-color"))
			outputs.WriteString(ws.terraform(t, "destroy", "-auto-approve", "-input=false", "-no-color"))

			trace, err := os.ReadFile(logFile)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(trace), "Obtained COC credentials") {
				t.Fatalf("the TRACE log lacks the credential chain's lines, so it does not capture the provider's side (%d bytes)", len(trace))
			}
			leaks := w.credentialSecrets()
			leaks.checkText(t, "the TRACE log", string(trace))
			leaks.checkText(t, "terraform's output", outputs.String())
			leaks.checkState(t, ws, nil)
		})
	}
}

// credentialSecrets are every secret of the world's credentials: the declared keys' secret keys and
// security tokens, the identity token, and what IAM and the metadata service issued so far
// (secret keys, security tokens, subject tokens).
func (w *sourceWorld) credentialSecrets() *leakCheck {
	secrets := append([]string{ciIDToken}, w.sim.SubjectTokens()...)
	for _, tn := range w.sim.Tenants() {
		secrets = append(secrets, tn.SecretKey, tn.SecurityToken)
	}
	for _, c := range w.sim.IssuedCredentials() {
		secrets = append(secrets, c.SecretKey, c.SecurityToken)
	}
	leaks := newLeakCheck()
	leaks.add(slices.DeleteFunc(secrets, func(s string) bool { return s == "" })...) // a permanent key has no security token
	return leaks
}

// requestSignature is an SDK-HMAC-SHA256 signature, which anyone could replay while its date is
// fresh.
var requestSignature = regexp.MustCompile(`Signature=[0-9a-f]{64}`)

// checkText looks for the secrets in text, and for a request signature.
func (l *leakCheck) checkText(t *testing.T, where, text string) {
	t.Helper()
	l.check(t, where, text)
	if signature := requestSignature.FindString(text); signature != "" {
		t.Errorf("%s contains a request signature, which could be replayed: %s", where, signature)
	}
}
