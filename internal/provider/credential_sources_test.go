package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The accounts of sourceWorld, and what leads to them.
const (
	keyAccount        = "domain-00"        // tenant 0's, as newSimEnv names it
	temporaryAccount  = "domain-temporary" // a temporary key pair's
	agencyAccount     = "domain-agency"    // the agencies'
	agencyAccountName = "agency-account"
	federatedAccount  = "domain-federated" // the OIDC identity provider's
	ecsAccount        = "domain-ecs"       // the ECS instance's, whose agency the metadata service serves

	operatorAgency     = "coc-operator"  // trusted by tenant 0's account
	federatedAgency    = "coc-federated" // trusted by the identity provider's account
	ciIdentityProvider = "ci-idp"
	// ciIDToken looks like the JWT a CI system issues; the simulator's identity provider accepts it.
	ciIDToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvY29wcy9pbmZyYSJ9.c2lnbmF0dXJlLW9mLWNp"
)

// sourceWorld is a simulator with an account behind every source of credentials: tenant 0's key
// pair, a temporary key pair, two agencies in a third account (one trusted by tenant 0's account,
// one by the identity provider's), an OIDC identity provider and an ECS instance with an agency
// attached. Every account has a key to look at its bindings with.
type sourceWorld struct {
	*simEnv
	temporary simulator.Tenant
	// observers holds a key of every account, by domain ID.
	observers map[string]string
}

func newSourceWorld(t *testing.T) *sourceWorld {
	t.Helper()
	w := &sourceWorld{simEnv: newSimEnv(t, 1), temporary: simulator.Tenant{
		AccessKey: "AKTEMPORARY", SecretKey: "SK-temporary-0123456789", SecurityToken: "TOKEN-temporary-0123456789", DomainID: temporaryAccount,
	}}
	w.sim.AddTenant(w.temporary)
	w.observers = map[string]string{w.tenants[0].DomainID: w.tenants[0].AccessKey, temporaryAccount: w.temporary.AccessKey}
	for _, domain := range []string{agencyAccount, federatedAccount, ecsAccount} {
		key := "AKOBSERVER" + strings.ToUpper(strings.TrimPrefix(domain, "domain-"))
		w.sim.AddTenant(simulator.Tenant{AccessKey: key, SecretKey: "SK-observer-0123456789", DomainID: domain})
		w.observers[domain] = key
	}
	for _, err := range []error{
		w.sim.DeclareAgency(simulator.Agency{Name: operatorAgency, DomainID: agencyAccount, DomainName: agencyAccountName, TrustedDomainID: w.tenants[0].DomainID}),
		w.sim.DeclareAgency(simulator.Agency{Name: federatedAgency, DomainID: agencyAccount, DomainName: agencyAccountName, TrustedDomainID: federatedAccount}),
		w.sim.DeclareIdentityProvider(simulator.IdentityProvider{ID: ciIdentityProvider, DomainID: federatedAccount, IDTokens: []string{ciIDToken}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	w.sim.SetMetadataAccount(ecsAccount)
	return w
}

// sourceSetup is how a configuration takes its credentials from one source: lines of the provider
// block, the provider's environment, and sensitive variables (set as TF_VAR_*) the lines use.
type sourceSetup struct {
	lines []string
	env   []string
	vars  map[string]string
}

// credentialSource is one way of configuring the credentials, and where it must lead.
type credentialSource struct {
	name string
	// configure writes the files the source reads into dir.
	configure func(t *testing.T, w *sourceWorld, dir string) sourceSetup
	// account is the domain ID of the account the bindings must land in.
	account string
	// issuedBy is how the key that signs COC's requests was issued (an IssuedCredential's
	// Method), or "" for a key pair the provider was given.
	issuedBy string
	// leakSuite puts the source in TestCLI_NoCredentialSourceLeaksSecrets, which first has IAM
	// answer each call in echo with an error that echoes the request.
	leakSuite bool
	echo      []string
}

// credentialSources are the sources of issue 12, each configured from the provider block or the
// environment (both are read the same way; each source uses one or the other).
var credentialSources = []credentialSource{
	{name: "key pair in the provider block", account: keyAccount, configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
		tn := w.tenants[0]
		return sourceSetup{lines: []string{fmt.Sprintf("access_key = %q", tn.AccessKey), "secret_key = var.secret_key", fmt.Sprintf("domain_id = %q", tn.DomainID)},
			vars: map[string]string{"secret_key": tn.SecretKey}}
	}},
	{name: "temporary key pair in HW_ACCESS_KEY, HW_SECRET_KEY and HW_SECURITY_TOKEN", account: temporaryAccount, leakSuite: true,
		configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
			tn := w.temporary
			return sourceSetup{env: []string{envAccessKey + "=" + tn.AccessKey, envSecretKey + "=" + tn.SecretKey, envSecurityToken + "=" + tn.SecurityToken}}
		}},
	{name: "KooCLI profile in mode AKSK, named by HW_PROFILE", account: keyAccount, configure: func(t *testing.T, w *sourceWorld, dir string) sourceSetup {
		file := writeKooCLIConfig(t, dir, "other", kooCLIProfile{"name": "other", "mode": "AKSK", "accessKeyId": "AKNOTTHISONE", "secretAccessKey": "SK-not-this-one"},
			kooCLIProfile{"name": "coc", "mode": "AKSK", "accessKeyId": w.tenants[0].AccessKey, "secretAccessKey": w.tenants[0].SecretKey, "domainId": w.tenants[0].DomainID})
		return sourceSetup{env: []string{envSharedConfigFile + "=" + file, envProfile + "=coc"}}
	}},
	{name: "KooCLI profile in mode SSO, the file's current one", account: temporaryAccount, leakSuite: true, configure: func(t *testing.T, w *sourceWorld, dir string) sourceSetup {
		tn := w.temporary
		file := writeKooCLIConfig(t, dir, "sso", kooCLIProfile{"name": "sso", "mode": "SSO", "ssoAuth": map[string]any{
			"stsToken": map[string]string{"accessKeyId": tn.AccessKey, "secretAccessKey": tn.SecretKey, "securityToken": tn.SecurityToken}}})
		return sourceSetup{lines: []string{fmt.Sprintf("shared_config_file = %q", file)}}
	}},
	{name: "KooCLI profile with an agency", account: agencyAccount, issuedBy: credentials.MethodAssumeRole, configure: func(t *testing.T, w *sourceWorld, dir string) sourceSetup {
		tn := w.tenants[0]
		file := writeKooCLIConfig(t, dir, "ops", kooCLIProfile{"name": "ops", "mode": "AKSK", "accessKeyId": tn.AccessKey, "secretAccessKey": tn.SecretKey,
			"agencyName": operatorAgency, "agencyDomainName": agencyAccountName})
		return sourceSetup{lines: []string{fmt.Sprintf("shared_config_file = %q", file), "profile = \"ops\"", fmt.Sprintf("iam_endpoint = %q", w.url)}}
	}},
	{name: "ECS metadata service at HW_METADATA_ENDPOINT", account: ecsAccount, issuedBy: simulator.MethodMetadata, leakSuite: true,
		configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
			return sourceSetup{env: []string{envMetadataEndpoint + "=" + w.url}}
		}},
	// domain_id names the caller's account, as it would for the huaweicloud provider: with the
	// agency it must not be sent.
	{name: "assume_role by domain_name, domain_id the caller's", account: agencyAccount, issuedBy: credentials.MethodAssumeRole, leakSuite: true,
		echo: []string{credentials.SecurityTokensPath}, configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
			tn := w.tenants[0]
			return sourceSetup{lines: []string{fmt.Sprintf("iam_endpoint = %q", w.url), fmt.Sprintf("access_key = %q", tn.AccessKey), "secret_key = var.secret_key",
				fmt.Sprintf("domain_id = %q", tn.DomainID),
				fmt.Sprintf("assume_role {\n    agency_name = %q\n    domain_name = %q\n  }", operatorAgency, agencyAccountName)},
				vars: map[string]string{"secret_key": tn.SecretKey}}
		}},
	{name: "assume_role by domain_id, the base key pair from the environment", account: agencyAccount, issuedBy: credentials.MethodAssumeRole,
		configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
			tn := w.tenants[0]
			return sourceSetup{lines: []string{fmt.Sprintf("assume_role {\n    agency_name = %q\n    domain_id   = %q\n  }", operatorAgency, agencyAccount)},
				env: []string{envIAMEndpoint + "=" + w.url, envAccessKey + "=" + tn.AccessKey, envSecretKey + "=" + tn.SecretKey}}
		}},
	{name: "assume_role_with_oidc with id_token", account: federatedAccount, issuedBy: credentials.MethodToken, leakSuite: true,
		echo: []string{credentials.IDTokenPath, credentials.SecurityTokensPath}, configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
			return sourceSetup{lines: []string{fmt.Sprintf("iam_endpoint = %q", w.url),
				fmt.Sprintf("assume_role_with_oidc {\n    idp_id   = %q\n    id_token = var.id_token\n  }", ciIdentityProvider)},
				vars: map[string]string{"id_token": ciIDToken}}
		}},
	{name: "assume_role_with_oidc with id_token_file, from the environment", account: federatedAccount, issuedBy: credentials.MethodToken, leakSuite: true,
		echo: []string{credentials.SecurityTokensPath}, configure: func(t *testing.T, w *sourceWorld, dir string) sourceSetup {
			return sourceSetup{env: []string{envIAMEndpoint + "=" + w.url, envIdpID + "=" + ciIdentityProvider, envIDTokenFile + "=" + writeIDToken(t, dir)}}
		}},
	{name: "assume_role_with_oidc with HCP Terraform's TFC_WORKLOAD_IDENTITY_TOKEN", account: federatedAccount, issuedBy: credentials.MethodToken, leakSuite: true,
		configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
			return sourceSetup{env: []string{envIAMEndpoint + "=" + w.url, envIdpID + "=" + ciIdentityProvider, envHCPWorkloadIdentityToken + "=" + ciIDToken}}
		}},
	{name: "assume_role_with_oidc with id_token and an agency", account: agencyAccount, issuedBy: credentials.MethodAssumeRole,
		configure: func(_ *testing.T, w *sourceWorld, _ string) sourceSetup {
			return sourceSetup{lines: []string{fmt.Sprintf("iam_endpoint = %q", w.url), fmt.Sprintf(
				"assume_role_with_oidc {\n    idp_id      = %q\n    id_token    = var.id_token\n    agency_name = %q\n    domain_id   = %q\n  }",
				ciIdentityProvider, federatedAgency, agencyAccount)},
				vars: map[string]string{"id_token": ciIDToken}}
		}},
	{name: "assume_role_with_oidc with id_token_file and an agency, from the environment", account: agencyAccount, issuedBy: credentials.MethodAssumeRole,
		configure: func(t *testing.T, w *sourceWorld, dir string) sourceSetup {
			return sourceSetup{env: []string{envIAMEndpoint + "=" + w.url, envIdpID + "=" + ciIdentityProvider, envIDTokenFile + "=" + writeIDToken(t, dir),
				envAssumeRoleAgency + "=" + federatedAgency, envAssumeRoleDomainID + "=" + agencyAccount}}
		}},
}

// workspace is a CLI workspace whose provider takes its credentials from src, and binds the Lark
// app (and any other resource of extra).
func (w *sourceWorld) workspace(t *testing.T, src credentialSource, extraEnv []string, extra ...string) *cliWorkspace {
	t.Helper()
	ws := newCLIWorkspace(t, extraEnv...)
	setup := src.configure(t, w, ws.Dir)
	ws.Env = append(ws.Env, setup.env...)
	var config strings.Builder
	config.WriteString(requiredProviders)
	fmt.Fprintf(&config, "provider \"coc\" {\n  endpoint = %q\n", w.url)
	for _, line := range setup.lines {
		config.WriteString("  " + line + "\n")
	}
	config.WriteString("}\n")
	for _, name := range slices.Sorted(maps.Keys(setup.vars)) {
		fmt.Fprintf(&config, "variable %q {\n  type      = string\n  sensitive = true\n}\n", name)
		ws.Env = append(ws.Env, "TF_VAR_"+name+"="+setup.vars[name])
	}
	config.WriteString(platformCaseFor(platforms.Lark).resourceBlock("this", nil))
	for _, e := range extra {
		config.WriteString(e)
	}
	ws.WriteConfig(t, config.String())
	return ws
}

// expectBindingsIn checks that the account with domain ID account holds n bindings, and every
// other account none.
func (w *sourceWorld) expectBindingsIn(t *testing.T, account string, n int) {
	t.Helper()
	for _, domain := range slices.Sorted(maps.Keys(w.observers)) {
		want := 0
		if domain == account {
			want = n
		}
		states, err := w.sim.Bindings(w.observers[domain])
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != want {
			t.Errorf("account %s holds %d bindings, want %d", domain, len(states), want)
		}
	}
}

// cocSigners lists how the keys that signed COC's requests were issued ("" for a key the
// provider was given), and which keys they were, in the order of the requests.
func (w *sourceWorld) cocSigners() (methods, keys []string) {
	issuedBy := map[string]string{}
	for _, c := range w.sim.IssuedCredentials() {
		issuedBy[c.AccessKey] = c.Method
	}
	for _, r := range w.sim.Requests() {
		if strings.HasPrefix(r.Path, coc.MobileAppsPath) {
			methods, keys = append(methods, issuedBy[r.AccessKey]), append(keys, r.AccessKey)
		}
	}
	return methods, keys
}

// kooCLIProfile is one entry of KooCLI's profiles, by its JSON field names.
type kooCLIProfile map[string]any

// writeKooCLIConfig writes a KooCLI config.json into dir and returns its path.
func writeKooCLIConfig(t *testing.T, dir, current string, profiles ...kooCLIProfile) string {
	t.Helper()
	data, err := json.Marshal(map[string]any{"current": current, "profiles": profiles})
	if err != nil {
		t.Fatal(err)
	}
	return writeWorkspaceFile(t, dir, "hcloud-config.json", string(data))
}

// writeIDToken writes the identity token the way a CI runner does, with a final line break.
func writeIDToken(t *testing.T, dir string) string {
	t.Helper()
	return writeWorkspaceFile(t, dir, "id-token", ciIDToken+"\n")
}

func writeWorkspaceFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Every source of credentials, configured as a user would, applies the binding in the account it
// leads to and in no other, signed with the key it yields.
func TestCLI_EveryCredentialSourceBindsInItsAccount(t *testing.T) {
	t.Parallel()
	for _, src := range credentialSources {
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			w := newSourceWorld(t)
			w.workspace(t, src, nil).Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
			w.expectBindingsIn(t, src.account, 1)
			methods, _ := w.cocSigners()
			if len(methods) == 0 || slices.ContainsFunc(methods, func(m string) bool { return m != src.issuedBy }) {
				t.Errorf("COC's requests were signed with keys issued by %q, want all by %q (\"\" is a key the provider was given)", methods, src.issuedBy)
			}
		})
	}
}
