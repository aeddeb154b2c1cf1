package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// expectFingerprints checks what the simulator stored for each secret, proving which value
// the provider sent without the test ever reading it back from COC.
func (e *simEnv) expectFingerprints(pc platformCase, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		states, err := e.sim.Bindings(e.tenants[0].AccessKey)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(states, func(s simulator.BindingState) bool { return s.AppType == pc.appType })
		if i < 0 {
			return fmt.Errorf("the simulator holds no %s binding", pc.appType)
		}
		for name, value := range want {
			if got := states[i].Fingerprints[name]; got != simulator.Fingerprint(value) {
				return fmt.Errorf("%s: the simulator holds the fingerprint of another value than %q", name, value)
			}
		}
		return nil
	}
}

// expectWrites checks the state-changing calls since the last check, then resets the log.
func (e *simEnv) expectWrites(want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := e.writes()
		e.sim.ClearRequests()
		if !slices.Equal(got, want) {
			return fmt.Errorf("writes %q, want %q", got, want)
		}
		return nil
	}
}

func TestAccAppResource_Lifecycle(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			addr := pc.address("this")
			path := "/v1/mobile-apps/" + string(pc.appType)
			config := func(attrs map[string]string) string {
				return env.providerBlock(0, "") + pc.resourceBlock("this", attrs)
			}
			withFields := func(i int, extra map[string]string) map[string]string {
				attrs := map[string]string{}
				for f, v := range pc.fields {
					attrs[f] = strconv.Quote(v[i])
				}
				for k, v := range extra {
					attrs[k] = v
				}
				return attrs
			}
			rotated := map[string]string{}
			for s, v := range pc.secretValues("2") {
				rotated[s] = strconv.Quote(v)
			}
			sameKeyTime := statecheck.CompareValue(compare.ValuesSame())
			movedKeyTime := statecheck.CompareValue(compare.ValuesDiffer())
			sameID := statecheck.CompareValue(compare.ValuesSame())

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					if bound := env.bindings(t, 0); len(bound) != 0 {
						return fmt.Errorf("bindings left after destroy: %v", bound)
					}
					return nil
				},
				Steps: []resource.TestStep{
					// Create: one POST whose answer fills the state. id is the identifier, known at plan.
					{
						Config: config(nil),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
							plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(pc.ids[0])),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(pc.ids[0])),
							statecheck.ExpectKnownValue(addr, tfjsonpath.New(pc.platform.Identifier.Name), knownvalue.StringExact(pc.ids[0])),
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("enabled")),
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`))),
							sameKeyTime.AddStateValue(addr, tfjsonpath.New("key_updated_at")),
							sameID.AddStateValue(addr, tfjsonpath.New("id")),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("POST "+path+" 201"),
							env.expectFingerprints(pc, pc.secretValues("1")),
						),
					},
					// Import by identifier: everything but the secrets, which COC never returns.
					{
						ResourceName:            addr,
						ImportState:             true,
						ImportStateId:           pc.ids[0],
						ImportStateVerify:       true,
						ImportStateVerifyIgnore: pc.platform.SecretNames(),
					},
					// A plain field: one PUT, no secret sent, key_updated_at unchanged.
					{
						Config: config(withFields(1, nil)),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_updated_at"), knownvalue.NotNull()),
							plancheck.ExpectUnknownValue(addr, tfjsonpath.New("updated_at")),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							sameKeyTime.AddStateValue(addr, tfjsonpath.New("key_updated_at")),
							movedKeyTime.AddStateValue(addr, tfjsonpath.New("key_updated_at")),
							sameID.AddStateValue(addr, tfjsonpath.New("id")),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("PUT "+path+" 200"),
							env.expectFingerprints(pc, pc.secretValues("1")),
						),
					},
					// Rotating the secrets: one PUT that carries them, in place.
					{
						Config: config(withFields(1, rotated)),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
							plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key_updated_at")),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							movedKeyTime.AddStateValue(addr, tfjsonpath.New("key_updated_at")),
							sameID.AddStateValue(addr, tfjsonpath.New("id")),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("PUT "+path+" 200"),
							env.expectFingerprints(pc, pc.secretValues("2")),
						),
					},
					// A new identifier is a new binding: DELETE, then POST.
					{
						Config: config(withFields(1, mergeAttrs(rotated, map[string]string{pc.platform.Identifier.Name: strconv.Quote(pc.ids[1])}))),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
							plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(pc.ids[1])),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(pc.ids[1])),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("DELETE "+path+" 204", "POST "+path+" 201"),
							env.expectFingerprints(pc, pc.secretValues("2")),
						),
					},
				},
			})
		})
	}
}

func mergeAttrs(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
