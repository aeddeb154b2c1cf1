package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// listCalls returns the contract calls made since the last check, as "METHOD path?query".
func (e *simEnv) listCalls() []string {
	var out []string
	for _, r := range e.sim.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	e.sim.ClearRequests()
	return out
}

// A list block finds the tenant's binding of its own app type, and nothing in an empty tenant;
// the result is named after the app and carries its identity, and with include_resource
// exactly the state an import of it reads: every attribute but the secrets.
func TestAppListResource_FindsTheBinding(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			s := newSimProtocolServer(t, env)

			if results := s.list(pc.typeName, true, 100); len(results) != 0 {
				t.Fatalf("an empty tenant lists %d results: %v", len(results), results)
			}
			// The other platforms' bindings are not this list's business.
			for _, other := range platformCases {
				env.bindOnConsole(t, other, other.ids[0], nil, "console")
			}
			env.sim.ClearRequests()

			found := s.list(pc.typeName, false, 100)
			if len(found) != 1 {
				t.Fatalf("%d results, want 1: %v", len(found), found)
			}
			expectNoErrors(t, "ListResource", found[0].Diagnostics)
			if id := s.identityOf(pc.typeName, found[0].Identity); !maps.Equal(id, map[string]string{pc.platform.Identifier.Name: pc.ids[0]}) {
				t.Fatalf("identity %v, want %s %q", id, pc.platform.Identifier.Name, pc.ids[0])
			}
			if want := fmt.Sprintf("%s app %s", displayNameOf(pc), pc.ids[0]); found[0].DisplayName != want {
				t.Errorf("display name %q, want %q", found[0].DisplayName, want)
			}
			if found[0].Resource != nil {
				t.Error("a result carries the resource although include_resource is false")
			}
			// One call, the list filtered by app type.
			if calls := env.listCalls(); !slices.Equal(calls, []string{"GET /v1/mobile-apps"}) {
				t.Errorf("calls %v, want one list call", calls)
			}

			withResource := s.list(pc.typeName, true, 100)
			if len(withResource) != 1 || withResource[0].Resource == nil {
				t.Fatalf("include_resource: %v, want one result with its resource", withResource)
			}
			typ := s.resourceType(pc.typeName)
			listed := s.attributes(typ, withResource[0].Resource)
			for _, secret := range pc.platform.SecretNames() {
				for _, name := range []string{secret, secret + writeOnlySuffix, secret + versionSuffix} {
					if !listed[name].IsNull() {
						t.Errorf("%s = %s in a list result, want null", name, listed[name])
					}
				}
			}
			imported := s.importResource(pc.typeName, pc.ids[0], nil)
			read := s.read(pc.typeName, imported.State, imported.Private, imported.Identity)
			expectNoErrors(t, "ReadResource", read.Diagnostics)
			if state := s.attributes(typ, read.NewState); !maps.EqualFunc(listed, state, tftypes.Value.Equal) {
				t.Fatalf("the list result differs from the imported state:\nlisted   %v\nimported %v", listed, state)
			}
		})
	}
}

func displayNameOf(pc platformCase) string { return pc.platform.Name }

// pagedBindings serves n Lark bindings one per page, whatever page size is asked for, and counts
// the calls: a list no COC could answer (a tenant binds one app per app type), as a proxy that
// repeats pages or a backend that ignores the filter might.
func pagedBindings(t *testing.T, n int) (string, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		page := coc.BindingList{Total: n, List: []coc.Binding{}}
		if r.URL.Path != coc.MobileAppsPath || r.URL.Query().Get("app_type") != string(platforms.Lark) {
			http.Error(w, "unexpected call "+r.URL.String(), http.StatusBadRequest)
			return
		}
		if offset < n {
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			page.List = append(page.List, coc.Binding{AppType: platforms.Lark, Status: coc.StatusEnabled, CreatedAt: now, UpdatedAt: now, KeyUpdatedAt: now,
				Fields: map[string]string{"app_id": fmt.Sprintf("cli_%016d", offset), "service_id": "svc"}})
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(simulator.Success(page)); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(server.Close)
	return server.URL, &calls
}

// A list resource reads its one page: the binding, or a diagnostic naming what no COC would
// answer, after one call whatever limit Terraform asks for.
func TestAppListResource_ReadsOnePage(t *testing.T) {
	for _, c := range []struct {
		bindings int
		limit    int64
		wantIDs  []string
		wantErr  string
	}{
		{bindings: 1, limit: 100, wantIDs: []string{"cli_0000000000000000"}},
		{bindings: 1, limit: 0, wantIDs: []string{"cli_0000000000000000"}},
		{bindings: 1, limit: 1, wantIDs: []string{"cli_0000000000000000"}},
		{bindings: 0, limit: 100},
		{bindings: 3, limit: 100, wantErr: "data.total is 3, but a tenant binds at most 1 app(s) here"},
	} {
		url, calls := pagedBindings(t, c.bindings)
		s := newProtocolServer(t, map[string]string{"endpoint": url, "access_key": "AK", "secret_key": "SK"})
		var ids []string
		var errs []string
		for _, r := range s.list("coc_lark_app", true, c.limit) {
			for _, d := range r.Diagnostics {
				errs = append(errs, d.Summary+": "+d.Detail)
			}
			if r.Identity != nil {
				ids = append(ids, s.identityOf("coc_lark_app", r.Identity)["app_id"])
			}
		}
		gotErr := strings.Join(errs, "\n")
		if !slices.Equal(ids, c.wantIDs) || calls.Load() != 1 || (c.wantErr == "") != (gotErr == "") || !strings.Contains(gotErr, c.wantErr) {
			t.Errorf("%d bindings, limit %d: listed %v with %d calls and errors %q, want %v with 1 call and an error saying %q",
				c.bindings, c.limit, ids, calls.Load(), gotErr, c.wantIDs, c.wantErr)
		}
	}
}

// A failed list is one error diagnostic with COC's code, message and request id, and advice;
// never the secret key.
func TestAppListResource_ErrorsAreDiagnostics(t *testing.T) {
	env := newSimEnv(t, 1)
	tenant := env.tenants[0]
	const wrongKey = "SK-not-the-tenants-key-0123456789"
	s := newProtocolServer(t, map[string]string{"endpoint": env.url, "access_key": tenant.AccessKey, "secret_key": wrongKey})
	for _, pc := range platformCases {
		results := s.list(pc.typeName, true, 100)
		if len(results) != 1 || results[0].Identity != nil || results[0].Resource != nil {
			t.Fatalf("%s: %v, want one result with only a diagnostic", pc.typeName, results)
		}
		expectError(t, "ListResource", results[0].Diagnostics, fmt.Sprintf("Failed to List %s App Bindings", displayNameOf(pc)),
			hwhttp.CodeBadSignature, "request id sim-", "COC refused the credentials from access_key and secret_key")
		if d := results[0].Diagnostics[0]; strings.Contains(d.Summary+d.Detail, wrongKey) {
			t.Fatalf("%s: the diagnostic holds the secret key", pc.typeName)
		}
	}
}

// generatedConfig renders a list result the way terraform query -generate-config-out does
// (Terraform's internal/genconfig): a resource block with every configurable attribute of the
// result, sensitive ones as null, computed-only ones and null blocks left out, then an import
// block with the identity. It returns the resource block and the attributes written.
func (s *protocolServer) generatedConfig(typeName, name string, result tfprotov6.ListResourceResult) (string, map[string]string) {
	s.t.Helper()
	values := s.attributes(s.resourceType(typeName), result.Resource)
	written := map[string]string{}
	for _, a := range s.schema.ResourceSchemas[typeName].Block.Attributes {
		v := values[a.Name]
		if a.Computed && (!a.Optional || v.IsNull()) {
			continue
		}
		switch {
		case a.Sensitive:
			written[a.Name] = "null # sensitive"
		case v.IsNull():
			written[a.Name] = "null"
		case v.Type().Is(tftypes.String):
			var str string
			if err := v.As(&str); err != nil {
				s.t.Fatal(err)
			}
			written[a.Name] = strconv.Quote(str)
		default:
			s.t.Fatalf("%s: no rendering for %s", a.Name, v.Type())
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "resource %q %q {\n  provider = coc\n", typeName, name)
	for _, attr := range slices.Sorted(maps.Keys(written)) {
		fmt.Fprintf(&b, "  %s = %s\n", attr, written[attr])
	}
	b.WriteString("}\n")
	return b.String(), written
}

// expectImport asserts that the plan imports the resource.
type expectImport string

func (addr expectImport) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == string(addr) && rc.Change != nil && rc.Change.Importing != nil {
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not imported by the plan", string(addr))
}

// The configuration terraform query generates for a binding found on the console holds exactly
// its non-secret attributes. Completed with the secret in write-only form (version 1) it plans
// an import that sets the secrets, then nothing. Terraform 1.11 reads no identity in import
// blocks, so the generated import block is checked by TestCLI_QueryGeneratedConfigImports and
// here the import names the ID.
func TestAccAppListResource_GeneratedConfigImportsThenPlansNothing(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
			s := newSimProtocolServer(t, env)
			results := s.list(pc.typeName, true, 100)
			if len(results) != 1 {
				t.Fatalf("%d results, want 1", len(results))
			}
			block, written := s.generatedConfig(pc.typeName, "all_0", results[0])

			want := map[string]string{pc.platform.Identifier.Name: strconv.Quote(pc.ids[0])}
			for f, v := range pc.fields {
				want[f] = strconv.Quote(v[0])
			}
			completed := block
			secrets := map[string]string{}
			for _, secret := range pc.platform.SecretNames() {
				want[secret] = "null # sensitive"
				want[secret+writeOnlySuffix] = "null # sensitive"
				want[secret+versionSuffix] = "null"
				secrets[secret] = pc.secret(secret, "1")
				completed = strings.Replace(completed, fmt.Sprintf("%s = null # sensitive", secret+writeOnlySuffix),
					fmt.Sprintf("%s = %q", secret+writeOnlySuffix, secrets[secret]), 1)
				completed = strings.Replace(completed, fmt.Sprintf("%s = null", secret+versionSuffix), fmt.Sprintf("%s = 1", secret+versionSuffix), 1)
			}
			if !maps.Equal(written, want) {
				t.Fatalf("generated attributes %v, want %v", written, want)
			}

			addr := pc.address("all_0")
			config := env.providerBlock(0, "") + completed + fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", addr, pc.ids[0])
			env.sim.ClearRequests()
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							expectImport(addr),
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						}},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("PUT /v1/mobile-apps/"+string(pc.appType)+" 200"),
							env.expectFingerprints(pc, secrets),
						),
					},
					{Config: config, PlanOnly: true},
				},
			})
		})
	}
}
