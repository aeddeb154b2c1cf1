package provider

import (
	"net/http"
	"slices"
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
			r := newLeakRun(t, w.sim, func(t *testing.T, extraEnv ...string) *cliWorkspace { return w.workspace(t, src, extraEnv) })
			for _, path := range src.echo {
				r.inject(simulator.Fault{Method: http.MethodPost, PathPrefix: path, Status: http.StatusBadRequest, Echo: true})
				r.fail(errorPattern("Failed to Obtain COC Credentials", "the request was POST "+path), "plan", "-input=false", "-no-color")
			}
			w.sim.ClearFaults()
			r.run("apply", "-auto-approve", "-input=false", "-no-color")
			r.run("destroy", "-auto-approve", "-input=false", "-no-color")

			trace := r.trace("the provider's side", "Obtained COC credentials")
			leaks := w.credentialSecrets()
			leaks.checkText(t, "the TRACE log", trace)
			leaks.checkText(t, "terraform's output", r.outputs.String())
			leaks.checkState(t, r.w, nil)
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
