package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// A create that COC committed is never lost, however its answer goes missing. When the provider
// can settle it in the same apply (a 2xx whose body is cut, read back), the apply simply
// succeeds. When it cannot (the answer and every read-back lost, or the create given up on at
// timeouts.create while COC held the answer), the apply records the binding as unconfirmed, and
// the next apply settles it without an import: one update that re-sends the secrets if COC made
// the binding, a create if it did not. Either way the plan after that is empty, COC holds
// exactly one binding with the configured secrets, and destroy removes it.
func TestAccAppResource_LostCreateAnswers(t *testing.T) {
	type scenario struct {
		name   string
		faults func(pc platformCase) []simulator.Fault
		// timeouts is the resource's timeouts block, if any.
		timeouts string
		// settled: the first apply ends with the binding confirmed. Otherwise the binding is
		// recorded unconfirmed and the next apply takes next.
		settled bool
		// committed: COC made the binding in the first apply.
		committed bool
		next      plancheck.ResourceActionType
	}
	readBacksLost := func(pc platformCase) simulator.Fault {
		return simulator.Fault{Method: http.MethodGet, PathPrefix: bindingPath(pc), Drop: simulator.DropBeforeCommit}
	}
	scenarios := []scenario{
		{name: "201 with a cut body", settled: true, committed: true, next: plancheck.ResourceActionNoop,
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Truncate: true, Times: 1}}
			}},
		{name: "201 with a cut body, read-backs lost", committed: true, next: plancheck.ResourceActionUpdate,
			faults: func(pc platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Truncate: true, Times: 1}, readBacksLost(pc)}
			}},
		{name: "dropped after commit, read-backs lost", committed: true, next: plancheck.ResourceActionUpdate,
			faults: func(pc platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Drop: simulator.DropAfterCommit, Times: 1}, readBacksLost(pc)}
			}},
		{name: "answer held past timeouts.create", committed: true, next: plancheck.ResourceActionUpdate, timeouts: `{
    create = "3s"
  }`,
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, LatencyAfterCommitMS: int((10 * time.Minute).Milliseconds()), Times: 1}}
			}},
		{name: "dropped before commit, read-backs lost", next: plancheck.ResourceActionCreate,
			faults: func(pc platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Drop: simulator.DropBeforeCommit, Times: 1}, readBacksLost(pc)}
			}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			for _, pc := range platformCases {
				t.Run(pc.typeName, func(t *testing.T) {
					env := newSimEnv(t, 1)
					addr := pc.address("this")
					config := env.providerBlock(0, "") + pc.resourceBlock("this", map[string]string{"timeouts": sc.timeouts})
					configured := pc.secretValues("1")
					expectCommitted := func(*terraform.State) error {
						if n := len(env.bindings(t, 0)); !sc.committed && n != 0 {
							return fmt.Errorf("COC holds %d bindings; the create was dropped before commit", n)
						}
						if !sc.committed {
							return nil
						}
						return resource.ComposeAggregateTestCheckFunc(env.expectOneBinding(pc), env.expectFingerprints(pc, configured))(nil)
					}
					first := resource.TestStep{
						PreConfig: func() {
							for _, f := range sc.faults(pc) {
								if err := env.sim.InjectFault(f); err != nil {
									t.Fatal(err)
								}
							}
						},
						Config: config,
						Check: resource.ComposeAggregateTestCheckFunc(
							resource.TestCheckResourceAttr(addr, attrID, pc.ids[0]),
							expectCommitted,
							// The read-backs were lost for the rest of the apply, not for good.
							func(*terraform.State) error { env.sim.ClearFaults(); return nil },
						),
					}
					if sc.settled {
						first.Check = resource.ComposeAggregateTestCheckFunc(first.Check, resource.TestCheckResourceAttr(addr, attrStatus, coc.StatusEnabled),
							env.expectCalls("POST "+bindingPath(pc)+" 201", "GET "+bindingPath(pc)+" 200"))
					} else {
						// Recorded without what only COC's answer would have told.
						first.Check = resource.ComposeAggregateTestCheckFunc(first.Check, resource.TestCheckNoResourceAttr(addr, attrStatus),
							resource.TestCheckNoResourceAttr(addr, attrCreatedAt))
						// The refresh after the apply is the next plan: it already settles the binding.
						first.ExpectNonEmptyPlan = true
						first.ConfigPlanChecks.PostApplyPostRefresh = []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, sc.next)}
					}
					next := resource.TestStep{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, sc.next)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							resource.TestCheckResourceAttr(addr, attrStatus, coc.StatusEnabled),
							env.expectOneBinding(pc),
							env.expectFingerprints(pc, configured),
						),
					}
					if sc.next == plancheck.ResourceActionUpdate {
						// The binding is kept: the update only sends the secrets again.
						next.ConfigPlanChecks.PreApply = append(next.ConfigPlanChecks.PreApply, onlySecretsChange(addr, pc))
					}
					resource.ParallelTest(t, resource.TestCase{
						ProtoV6ProviderFactories: protoV6ProviderFactories,
						CheckDestroy: func(*terraform.State) error {
							if n := len(env.bindings(t, 0)); n != 0 {
								return fmt.Errorf("%d bindings left after destroy", n)
							}
							return nil
						},
						Steps: []resource.TestStep{first, next},
					})
				})
			}
		})
	}
}

// A create that finds the configured app already bound on the console fails with Already Bound
// and the import commands, as before any unconfirmed create: only a binding this resource sent
// is ever adopted. With an unconfirmed create recorded, a binding COC holds with another app,
// or with other settings than were sent, is not adopted either: the plan warns, forgets the
// unconfirmed binding and tries to create it, which ends in Already Bound, and the binding COC
// holds is left as it is.
func TestAccAppResource_UnconfirmedCreateNeverAdoptsAnotherBinding(t *testing.T) {
	rebinds := []struct {
		name     string
		rebind   func(t *testing.T, env *simEnv, pc platformCase)
		boundApp func(pc platformCase) string
	}{
		{name: "another app", boundApp: func(pc platformCase) string { return pc.ids[1] },
			rebind: func(t *testing.T, env *simEnv, pc platformCase) { env.bindOnConsole(t, pc, pc.ids[1], nil, "console") }},
		{name: "the same app with other settings", boundApp: func(pc platformCase) string { return pc.ids[0] },
			rebind: func(t *testing.T, env *simEnv, pc platformCase) {
				other := map[string]string{}
				for f, v := range pc.fields {
					other[f] = v[1]
				}
				env.bindOnConsole(t, pc, pc.ids[0], other, "console")
			}},
	}
	for _, rb := range rebinds {
		t.Run(rb.name, func(t *testing.T) {
			for _, pc := range platformCases {
				t.Run(pc.typeName, func(t *testing.T) {
					env := newSimEnv(t, 1)
					config := env.providerBlock(0, "") + pc.resourceBlock("this", nil)
					bound := rb.boundApp(pc)
					resource.ParallelTest(t, resource.TestCase{
						ProtoV6ProviderFactories: protoV6ProviderFactories,
						Steps: []resource.TestStep{
							{
								PreConfig: func() {
									for _, f := range []simulator.Fault{
										{Method: http.MethodPost, Drop: simulator.DropAfterCommit, Times: 1},
										{Method: http.MethodGet, Drop: simulator.DropBeforeCommit},
									} {
										if err := env.sim.InjectFault(f); err != nil {
											t.Fatal(err)
										}
									}
								},
								Config: config,
								Check: func(*terraform.State) error {
									env.sim.ClearFaults()
									// Somebody replaces the binding on the console before the next plan.
									rb.rebind(t, env, pc)
									env.sim.ClearRequests()
									return nil
								},
								ExpectNonEmptyPlan: true,
							},
							{
								Config:      config,
								ExpectError: errorPattern("App Already Bound", "terraform import "+pc.typeName+".<name> "+bound),
							},
						},
					})
					if w := env.writes(); len(w) != 1 || w[0] != "POST "+bindingPath(pc)+" 409" {
						t.Fatalf("writes = %v, want only the refused POST", w)
					}
					if got := env.bindings(t, 0)[pc.appType]; got.Identifier() != bound || got.Fingerprints[pc.platform.SecretNames()[0]] != simulator.Fingerprint(pc.secret(pc.platform.SecretNames()[0], "console")) {
						t.Fatalf("the binding made on the console was changed: %+v", got)
					}
				})
			}
		})
	}
}

func bindingPath(pc platformCase) string { return coc.MobileAppsPath + "/" + string(pc.appType) }

// What the user is told, through the plugin protocol: the create records the binding with a
// warning and a mark that holds no secret, and the next read settles it one of four ways.
func TestAppResource_UnconfirmedCreateIsSettledByRead(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			s := newSimProtocolServer(t, env)
			name := displayNameOf(pc)
			for _, f := range []simulator.Fault{
				{Method: http.MethodPost, Drop: simulator.DropAfterCommit, Times: 1},
				{Method: http.MethodGet, Drop: simulator.DropBeforeCommit},
			} {
				if err := env.sim.InjectFault(f); err != nil {
					t.Fatal(err)
				}
			}
			_, created := s.planAndApply(pc.typeName, nil, nil, nil, s.appConfig(pc, pc.ids[0], 0, "1"))
			env.sim.ClearFaults()
			expectWarning(t, "create", created.Diagnostics, name+" App Binding Not Confirmed",
				strconv.Quote(pc.ids[0]), "COC may have made the binding", "GET "+bindingPath(pc), "the next apply neither binds it twice nor asks for an import")
			typ := s.resourceType(pc.typeName)
			if attrs := s.attributes(typ, created.NewState); !attrs[attrID].Equal(tftypes.NewValue(tftypes.String, pc.ids[0])) || !attrs[attrStatus].IsNull() {
				t.Fatalf("recorded %v; want the identifier as id and no status", attrs)
			}
			mark, keys, err := privateDocument(created.Private)
			if err != nil || mark.PendingCreate == nil {
				t.Fatalf("private state %s has no pending_create (%v)", created.Private, err)
			}
			(&leakCheck{secrets: pc.taggedSecrets("1")}).check(t, "the private state", string(created.Private)+string(keys[privateKey]))

			readWith := func(what string, rebind func()) *tfprotov6.ReadResourceResponse {
				t.Helper()
				rebind()
				read := s.read(pc.typeName, created.NewState, created.Private, nil)
				expectNoErrors(t, "ReadResource "+what, read.Diagnostics)
				return read
			}
			found := readWith("as sent", func() {})
			expectWarning(t, "read as sent", found.Diagnostics, "Unconfirmed "+name+" App Binding Found", "sends them once more")
			attrs := s.attributes(typ, found.NewState)
			if attrs[attrStatus].IsNull() || !attrs[pc.platform.SecretNames()[0]+versionSuffix].IsNull() {
				t.Fatalf("adopted %v; want COC's status, and no secret version so that the plan sends the secrets", attrs)
			}
			if doc, _, err := privateDocument(found.Private); err != nil || doc.PendingCreate != nil {
				t.Fatalf("the mark outlived the read that settled it: %s", found.Private)
			}

			// Each of these leaves the binding to be created again, which COC then refuses if
			// something is bound; the order walks COC from one to the next.
			for _, forgotten := range []struct {
				what, warning string
				rebind        func()
			}{
				{"the same app with other settings", name + " App Binding Not Adopted", func() {
					env.bindOnConsole(t, pc, pc.ids[0], map[string]string{pc.platform.FieldNames()[0]: pc.fields[pc.platform.FieldNames()[0]][1]}, "console")
				}},
				{"another app", name + " App Replaced Outside Terraform", func() { env.bindOnConsole(t, pc, pc.ids[1], nil, "console") }},
				{"nothing bound", "", func() {
					if err := env.sim.ConsoleUnbind(env.tenants[0].AccessKey, pc.appType); err != nil {
						t.Fatal(err)
					}
				}},
			} {
				read := readWith(forgotten.what, forgotten.rebind)
				if s.attributes(typ, read.NewState) != nil {
					t.Fatalf("%s: the binding stays in the state", forgotten.what)
				}
				if forgotten.warning != "" {
					expectWarning(t, "read of "+forgotten.what, read.Diagnostics, forgotten.warning)
				} else if len(read.Diagnostics) != 0 {
					t.Fatalf("%s: diagnostics %v, want none", forgotten.what, read.Diagnostics)
				}
			}
		})
	}
}

// expectWarning fails unless exactly one diagnostic, a warning with the given summary, carries
// every fragment in its detail.
func expectWarning(t *testing.T, call string, diags []*tfprotov6.Diagnostic, summary string, fragments ...string) {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityWarning || diags[0].Summary != summary {
		t.Fatalf("%s: diagnostics %v, want one warning %q", call, diags, summary)
	}
	for _, f := range fragments {
		if !strings.Contains(diags[0].Detail, f) {
			t.Errorf("%s: the warning lacks %q:\n%s", call, f, diags[0].Detail)
		}
	}
}

// The warning about an unconfirmed create says what the next apply does; the hint for a failed
// request ("nothing was left half-done") would contradict it.
func TestUnconfirmedCreateDetailCarriesNoRetryHint(t *testing.T) {
	d := &providerData{}
	for _, cause := range []error{
		&coc.ResponseError{Operation: "POST /v1/mobile-apps/lark", StatusCode: 503, Reason: "no answer"},
		&coc.TransportError{Operation: "POST /v1/mobile-apps/lark", Err: errors.New("connection reset by peer")},
	} {
		detail := d.errorDetail(fmt.Errorf("%w: %w", coc.ErrOutcomeUnknown, cause), rerunApply)
		if strings.Contains(detail, "half-done") {
			t.Errorf("the detail of an unconfirmed create (%v) carries a hint that contradicts it:\n%s", cause, detail)
		}
	}
}
