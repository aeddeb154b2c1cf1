package provider

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Drift made on the console shows up in the next plan, for every platform.
func TestAccAppResource_Drift(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			addr := pc.address("this")
			path := "/v1/mobile-apps/" + string(pc.appType)
			config := env.providerBlock(0, "") + pc.resourceBlock("this", nil)
			configured, consoleSecrets := pc.secretValues("1"), pc.secretValues("console")
			field := pc.platform.FieldNames()[0]

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: config, Check: env.expectWrites("POST " + path + " 201")},
					// A key changed on the console: the plan re-sends the configured one in place.
					{
						PreConfig: func() {
							if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, pc.appType, consoleSecrets); err != nil {
								t.Fatal(err)
							}
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
							plancheck.ExpectUnknownValue(addr, tfjsonpath.New("key_updated_at")),
						}},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("PUT "+path+" 200"),
							env.expectFingerprints(pc, configured),
						),
					},
					// A plain field changed on the console: the plan puts it back.
					{
						PreConfig: func() { env.bindOnConsole(t, pc, pc.ids[0], map[string]string{field: pc.fields[field][1]}, "") },
						Config:    config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(addr, tfjsonpath.New(field), knownvalue.StringExact(pc.fields[field][0])),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New(field), knownvalue.StringExact(pc.fields[field][0])),
						},
						Check: env.expectWrites("PUT " + path + " 200"),
					},
					// Unbound on the console: the binding leaves the state and the plan creates it again.
					{
						PreConfig: func() {
							if err := env.sim.ConsoleUnbind(env.tenants[0].AccessKey, pc.appType); err != nil {
								t.Fatal(err)
							}
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						}},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("POST "+path+" 201"),
							env.expectFingerprints(pc, configured),
						),
					},
				},
			})
		})
	}
}

// Planning to create where a binding already exists fails the plan with the exact import
// instructions, and changes nothing. That holds for the very app and settings configured, bound
// on the console before any apply: only a binding this resource's create made is ever adopted.
func TestAccAppResource_ConflictExplainsImport(t *testing.T) {
	for _, pc := range platformCases {
		for _, bound := range []string{pc.ids[1], pc.ids[0]} {
			t.Run(pc.typeName+"/"+bound, func(t *testing.T) {
				env := newSimEnv(t, 1)
				env.bindOnConsole(t, pc, bound, nil, "console")
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6ProviderFactories,
					Steps: []resource.TestStep{{
						Config: env.providerBlock(0, "") + pc.resourceBlock("this", nil),
						ExpectError: errorPattern("App Already Bound", "terraform import "+pc.typeName+".<name> "+bound,
							"import {", "to = "+pc.typeName+".<name>", `id = "`+bound+`"`, "}", "Found while planning", bound),
					}},
				})
				if w := env.writes(); len(w) != 0 {
					t.Fatalf("writes = %v, want none", w)
				}
				if got := env.bindings(t, 0)[pc.appType].Fingerprints[pc.platform.SecretNames()[0]]; got != simulator.Fingerprint(pc.secret(pc.platform.SecretNames()[0], "console")) {
					t.Fatal("the existing binding's secret was changed")
				}
			})
		}
	}
}

// After an import, the only change Terraform plans is setting the secrets COC cannot return;
// after that apply the plan is empty.
func TestAccAppResource_ImportBlockThenSetSecrets(t *testing.T) {
	for _, pc := range platformCases {
		t.Run(pc.typeName, func(t *testing.T) {
			env := newSimEnv(t, 1)
			env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
			addr := pc.address("adopted")
			configured := pc.secretValues("1")
			var secretChecks []plancheck.PlanCheck
			for _, s := range pc.platform.SecretNames() {
				secretChecks = append(secretChecks, plancheck.ExpectSensitiveValue(addr, tfjsonpath.New(s)))
			}
			config := env.providerBlock(0, "") + pc.resourceBlock("adopted", nil) +
				fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", addr, pc.ids[0])
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{
							plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
							onlySecretsChange(addr, pc),
						}, secretChecks...)},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.expectWrites("PUT /v1/mobile-apps/"+string(pc.appType)+" 200"),
							env.expectFingerprints(pc, configured),
						),
					},
					{Config: config, PlanOnly: true},
				},
			})
		})
	}
}

// An import ID that is not the bound app is refused rather than silently adopting another app.
func TestAccAppResource_ImportWrongID(t *testing.T) {
	pc := platformCaseFor(platforms.Lark)
	env := newSimEnv(t, 1)
	env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        env.providerBlock(0, "") + pc.resourceBlock("x", map[string]string{"app_id": strconv.Quote(pc.ids[1])}),
			ResourceName:  pc.address("x"),
			ImportState:   true,
			ImportStateId: pc.ids[1],
			ExpectError:   errorPattern("Import ID Does Not Match the Bound App", `import it with the ID "`+pc.ids[0]+`"`),
		}},
	})
}
