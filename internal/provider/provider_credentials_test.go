package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// fakeIAM issues agency credentials valid for an hour, or answers with refusal when it is set,
// and records the agency requests it gets. It stands in for IAM where the plan only has to
// obtain credentials, not use them.
type fakeIAM struct {
	url     string
	refusal string
	// coc, when set, is the simulator whose COC API accepts the keys this IAM issues, in the
	// agency's account.
	coc *simulator.Simulator

	mu       sync.Mutex
	requests []credentials.AssumeRole
	signers  []string
}

func newFakeIAM(t *testing.T) *fakeIAM {
	t.Helper()
	f := &fakeIAM{}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body credentials.SecurityTokenRequest
		data, _ := io.ReadAll(r.Body)
		if r.URL.Path != credentials.SecurityTokensPath || json.Unmarshal(data, &body) != nil || body.Auth.Identity.AssumeRole == nil {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		f.requests = append(f.requests, *body.Auth.Identity.AssumeRole)
		_, rest, _ := strings.Cut(r.Header.Get(hwhttp.HeaderAuthorization), "Access=")
		signer, _, _ := strings.Cut(rest, ",")
		f.signers = append(f.signers, signer)
		n := len(f.requests)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(hwhttp.HeaderRequestID, fmt.Sprintf("iam-req-%d", n))
		if f.refusal != "" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, f.refusal)
			return
		}
		issued := credentials.Credential{Access: fmt.Sprintf("AKAGENCY%d", n), Secret: fmt.Sprintf("SK-agency-%d", n),
			SecurityToken: fmt.Sprintf("TOKEN-agency-%d", n), ExpiresAt: time.Now().Add(time.Hour).UTC()}
		if f.coc != nil {
			f.coc.AddTenant(simulator.Tenant{AccessKey: issued.Access, SecretKey: issued.Secret, SecurityToken: issued.SecurityToken,
				DomainID: body.Auth.Identity.AssumeRole.DomainID, ExpiresAt: issued.ExpiresAt})
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(credentials.CredentialResponse{Credential: issued})
	}))
	t.Cleanup(server.Close)
	f.url = server.URL
	return f
}

func (f *fakeIAM) received() ([]credentials.AssumeRole, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests), slices.Clone(f.signers)
}

// agencyProvider configures the provider for tenant 0 of env, assuming agency over IAM at iam.
func agencyProvider(env *simEnv, iam *fakeIAM, alias, agency string) string {
	t := env.tenants[0]
	return fmt.Sprintf(`provider "coc" {
  alias        = %q
  endpoint     = %q
  iam_endpoint = %q
  access_key   = %q
  secret_key   = %q
  assume_role {
    agency_name = %q
    domain_id   = "target-domain"
  }
}
`, alias, env.url, iam.url, t.AccessKey, t.SecretKey, agency)
}

// A plan that creates bindings obtains the credentials it will apply with, once per provider
// (here two aliases with an agency each), and asks COC with them, once per create, whether the
// platform is free; validate calls nobody.
func TestCLI_PlanObtainsCredentialsOncePerProvider(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	iam := newFakeIAM(t)
	iam.coc = env.sim
	w := newCLIWorkspace(t)
	w.WriteConfig(t, requiredProviders+agencyProvider(env, iam, "a", "agency-a")+agencyProvider(env, iam, "b", "agency-b")+
		platformCaseFor(platforms.WeCom).resourceBlock("a0", map[string]string{"provider": "coc.a"})+
		platformCaseFor(platforms.Lark).resourceBlock("a2", map[string]string{"provider": "coc.a"})+
		platformCaseFor(platforms.DingTalk).resourceBlock("b1", map[string]string{"provider": "coc.b"}))
	w.Terraform(t, "validate", "-no-color")
	if requests, _ := iam.received(); len(requests) != 0 {
		t.Fatalf("validate called IAM: %+v", requests)
	}

	w.Terraform(t, "plan", "-input=false", "-no-color")
	requests, signers := iam.received()
	var agencies []string
	for _, r := range requests {
		agencies = append(agencies, r.AgencyName+" in "+r.DomainID)
	}
	slices.Sort(agencies)
	if want := []string{"agency-a in target-domain", "agency-b in target-domain"}; !slices.Equal(agencies, want) {
		t.Fatalf("IAM was asked for %v, want %v: one resolution per provider", agencies, want)
	}
	for _, signer := range signers {
		if signer != env.tenants[0].AccessKey {
			t.Fatalf("IAM requests signed by %v, want the configured key", signers)
		}
	}
	var asked []string
	for _, r := range env.sim.Requests() {
		asked = append(asked, r.Method+" "+r.Path+" by "+r.AccessKey[:len("AKAGENCY")])
	}
	slices.Sort(asked)
	if want := []string{"GET /v1/mobile-apps/dingtalk by AKAGENCY", "GET /v1/mobile-apps/lark by AKAGENCY", "GET /v1/mobile-apps/wecom by AKAGENCY"}; !slices.Equal(asked, want) {
		t.Fatalf("planning creates called COC %v, want %v", asked, want)
	}
}

// Planning obtains credentials for a create or an update, not for a plan that leaves a binding
// as it is, nor for a destroy (whose refresh has needed them already).
func TestAppResource_PlanObtainsCredentialsOnlyForChanges(t *testing.T) {
	clearCredentialEnv(t)
	env := newSimEnv(t, 1)
	lark, wecom := platformCaseFor(platforms.Lark), platformCaseFor(platforms.WeCom)
	_, created := newSimProtocolServer(t, env).planAndApply(lark.typeName, nil, nil, nil, newSimProtocolServer(t, env).appConfig(lark, lark.ids[0], 0, "1"))

	// The environment gives the key pair and the agency: the agency variables apply only with a
	// source the environment gives too.
	iam := newFakeIAM(t)
	iam.coc = env.sim
	t.Setenv(envIAMEndpoint, iam.url)
	t.Setenv(envAccessKey, env.tenants[0].AccessKey)
	t.Setenv(envSecretKey, env.tenants[0].SecretKey)
	t.Setenv(envAssumeRoleAgency, "coc-operator")
	t.Setenv(envAssumeRoleDomainID, env.tenants[0].DomainID)
	s := newProtocolServer(t, map[string]string{"endpoint": env.url})
	typ := s.resourceType(lark.typeName)
	plan := func(typeName string, prior *tfprotov6.DynamicValue, config tftypes.Value) {
		t.Helper()
		proposed := config // a destroy proposes null
		if !config.IsNull() {
			proposed = s.proposedNewState(typeName, prior, config)
		}
		resp, err := s.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{TypeName: typeName,
			PriorState: prior, PriorPrivate: created.Private, ProposedNewState: s.dynamic(s.resourceType(typeName), proposed),
			Config: s.dynamic(s.resourceType(typeName), config)})
		if err != nil {
			t.Fatal(err)
		}
		expectNoErrors(t, "PlanResourceChange", resp.Diagnostics)
	}
	calls := func(want int, after string) {
		t.Helper()
		if requests, _ := iam.received(); len(requests) != want {
			t.Fatalf("after %s, IAM was called %d times, want %d", after, len(requests), want)
		}
	}
	plan(lark.typeName, created.NewState, s.appConfig(lark, lark.ids[0], 0, "1"))
	calls(0, "a plan without changes")
	plan(lark.typeName, created.NewState, tftypes.NewValue(typ, nil))
	calls(0, "a destroy plan")
	plan(lark.typeName, created.NewState, s.appConfig(lark, lark.ids[0], 1, "1"))
	calls(1, "a plan that updates")
	null := s.dynamic(s.resourceType(wecom.typeName), tftypes.NewValue(s.resourceType(wecom.typeName), nil))
	plan(wecom.typeName, null, s.appConfig(wecom, wecom.ids[0], 0, "1"))
	calls(1, "a plan that creates, with the credentials already obtained")
}

// The HW_ASSUME_ROLE_* variables configure the agency without a block, and the request IAM gets
// is the golden one.
func TestCLI_AssumeRoleFromTheEnvironment(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	iam := newFakeIAM(t)
	iam.coc = env.sim
	tenant := env.tenants[0]
	w := newCLIWorkspace(t, envEndpoint+"="+env.url, envIAMEndpoint+"="+iam.url, envAccessKey+"="+tenant.AccessKey, envSecretKey+"="+tenant.SecretKey,
		envAssumeRoleAgency+"=coc-operator", envAssumeRoleDomainName+"=golden-target", envAssumeRoleDuration+"=3600")
	w.WriteConfig(t, requiredProviders+"provider \"coc\" {}\n"+platformCaseFor(platforms.Lark).resourceBlock("this", nil))
	w.Terraform(t, "plan", "-input=false", "-no-color")
	requests, _ := iam.received()
	if want := (credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "golden-target", DurationSeconds: 3600}); len(requests) != 1 || requests[0] != want {
		t.Fatalf("IAM was asked for %+v, want %+v once", requests, want)
	}
}

// An agency IAM refuses fails the plan, naming the agency, IAM's answer and what to check.
func TestCLI_RefusedAgencyFailsThePlan(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	iam := newFakeIAM(t)
	iam.refusal = `{"error":{"code":"IAM.0002","message":"You are not authorized to assume the agency."}}`
	w := newCLIWorkspace(t)
	w.WriteConfig(t, requiredProviders+agencyProvider(env, iam, "a", "coc-operator")+platformCaseFor(platforms.Lark).resourceBlock("this", map[string]string{"provider": "coc.a"}))
	out, err := w.Run("plan", "-input=false", "-no-color")
	if err == nil || !errorPattern("Failed to Obtain COC Credentials", `agency "coc-operator" of account target-domain`,
		"HTTP 403 IAM.0002: You are not authorized", "request id iam-req-1", "Agent Operator").MatchString(out) {
		t.Fatalf("want the plan to fail with IAM's refusal, got %v:\n%s", err, out)
	}
	if strings.Contains(out, env.tenants[0].SecretKey) {
		t.Fatalf("the error shows the secret key:\n%s", out)
	}
}

// A KooCLI profile gives the key pair and the account; the binding lands in that tenant.
func TestAccProvider_ConfiguredFromAKooCLIProfile(t *testing.T) {
	clearCredentialEnv(t)
	env := newSimEnv(t, 1)
	tenant := env.tenants[0]
	file := filepath.Join(t.TempDir(), "config.json")
	profiles := fmt.Sprintf(`{"current":"other","profiles":[{"name":"other","mode":"AKSK","accessKeyId":"AKNOPE","secretAccessKey":"SK-nope"},`+
		`{"name":"coc","mode":"AKSK","accessKeyId":%q,"secretAccessKey":%q,"domainId":%q}]}`, tenant.AccessKey, tenant.SecretKey, tenant.DomainID)
	if err := os.WriteFile(file, []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"coc\" {\n  endpoint = %q\n  shared_config_file = %q\n  profile = \"coc\"\n}\n", env.url, file) +
				platformCaseFor(platforms.Lark).resourceBlock("this", nil),
			Check: func(*terraform.State) error {
				for _, r := range env.sim.Requests() {
					if r.Method == http.MethodPost && r.Status != http.StatusCreated {
						return fmt.Errorf("the create was answered %d", r.Status)
					}
				}
				if len(env.bindings(t, 0)) != 1 {
					return fmt.Errorf("no binding in the profile's tenant")
				}
				return nil
			},
		}},
	})
}

// Every log line the client and the chain write masks every secret the chain has handled, also
// those it obtained after the caller's context was built.
func TestLogsMaskSecretsObtainedDuringTheCall(t *testing.T) {
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	secrets := new(hwhttp.Secrets)
	logger := tflogLogger{secrets: secrets}
	secrets.Add("SK-obtained-late-0123", "TOKEN-obtained-late-4567")
	logger.Debug(ctx, "renewed SK-obtained-late-0123", map[string]any{"token": "TOKEN-obtained-late-4567", "nested": "x TOKEN-obtained-late-4567 y",
		"headers": "X-Echo: TOKEN-obtained-late-4567"})
	logger.Warn(ctx, "warned TOKEN-obtained-late-4567", nil)
	if logged := out.String(); strings.Contains(logged, "obtained-late") || strings.Count(logged, "***") < 5 {
		t.Fatalf("the secrets are not masked:\n%s", logged)
	}
}
