package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// A create that COC committed is never lost, however its answer goes missing, and one that
// nothing confirmed never passes for done. Every POST of a create carries its idempotency key, so
// a lost or cut answer is mended by sending the POST again: COC answers it as the first, and the
// apply succeeds. When no attempt brings an answer (every answer lost, or the create given up on
// at timeouts.create), the apply fails, records nothing, and what depends on the binding does not
// run; the next apply sends the same create again and COC's answer settles it: the binding it
// made is recorded, or it is bound now. Neither apply unbinds anything, and no import is needed.
func TestAccAppResource_LostCreateAnswers(t *testing.T) {
	type scenario struct {
		name   string
		faults func(pc platformCase) []simulator.Fault
		// timeouts is the resource's timeouts block, if any.
		timeouts string
		// settled: the first apply succeeds. Otherwise it fails, and the next apply settles it.
		settled bool
		// committed: COC made the binding in the first apply.
		committed bool
		// firstWrites are the first apply's writes: exactly these when it settles, else each
		// repeated any number of times.
		firstWrites []string
	}
	scenarios := []scenario{
		{name: "201 with a cut body", settled: true, committed: true, firstWrites: []string{"POST 201", "POST 201"},
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Truncate: true, Times: 1}}
			}},
		{name: "dropped after commit", settled: true, committed: true, firstWrites: []string{"POST 0", "POST 201"},
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Drop: simulator.DropAfterCommit, Times: 1}}
			}},
		{name: "dropped before commit", settled: true, committed: true, firstWrites: []string{"POST 0", "POST 201"},
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Drop: simulator.DropBeforeCommit, Times: 1}}
			}},
		{name: "201 with a cut body every time", committed: true, firstWrites: []string{"POST 201"},
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Truncate: true}}
			}},
		{name: "dropped after commit every time", committed: true, firstWrites: []string{"POST 0"},
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Drop: simulator.DropAfterCommit}}
			}},
		{name: "answer held past timeouts.create", committed: true, firstWrites: []string{"POST 0"}, timeouts: `{
    create = "3s"
  }`,
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, LatencyAfterCommitMS: int((10 * time.Minute).Milliseconds()), Times: 1}}
			}},
		{name: "dropped before commit every time", firstWrites: []string{"POST 0"},
			faults: func(platformCase) []simulator.Fault {
				return []simulator.Fault{{Method: http.MethodPost, Drop: simulator.DropBeforeCommit}}
			}},
		{name: "server fault every time", firstWrites: []string{"POST 503"},
			faults: func(platformCase) []simulator.Fault { return []simulator.Fault{{Method: http.MethodPost, Status: 503}} }},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			for _, pc := range platformCases {
				t.Run(pc.typeName, func(t *testing.T) {
					env := newSimEnv(t, 1)
					addr := pc.address("this")
					// A resource that depends on the binding runs only once the binding is confirmed.
					config := env.providerBlock(0, "", "max_retries = 2") + pc.resourceBlock("this", map[string]string{"timeouts": sc.timeouts}) +
						fmt.Sprintf("resource \"terraform_data\" \"after\" {\n  input = %s.id\n}\n", addr)
					configured := pc.secretValues("1")
					confirmed := resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttr(addr, attrID, pc.ids[0]),
						resource.TestCheckResourceAttr(addr, attrStatus, coc.StatusEnabled),
						resource.TestCheckResourceAttr("terraform_data.after", "input", pc.ids[0]),
						env.expectOneBinding(pc),
						env.expectFingerprints(pc, configured),
					)
					first := resource.TestStep{
						PreConfig: func() {
							for _, f := range sc.faults(pc) {
								f.PathPrefix = bindingPath(pc)
								if err := env.sim.InjectFault(f); err != nil {
									t.Fatal(err)
								}
							}
						},
						Config: config,
					}
					if sc.settled {
						first.Check = resource.ComposeAggregateTestCheckFunc(confirmed, env.expectWritesTo(pc, false, sc.firstWrites...))
						first.ConfigPlanChecks.PostApplyPostRefresh = []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
						resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: []resource.TestStep{first}})
						return
					}
					first.ExpectError = errorPattern(displayNameOf(pc)+" App Binding Not Confirmed", "does not know whether COC made it",
						"Terraform records nothing", "nothing that depends on the binding ran", "Run terraform apply again")
					next := resource.TestStep{
						PreConfig: func() {
							env.sim.ClearFaults()
							if err := env.expectWritesTo(pc, true, sc.firstWrites...)(nil); err != nil {
								t.Fatal(err)
							}
							if n := len(env.bindings(t, 0)); n != map[bool]int{false: 0, true: 1}[sc.committed] {
								t.Fatalf("COC holds %d bindings after the first apply; committed: %v", n, sc.committed)
							}
							env.sim.ClearRequests()
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							// Neither the binding nor what depends on it was recorded.
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction("terraform_data.after", plancheck.ResourceActionCreate),
							},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						// One POST, answered as made: the binding the lost create made, or made now.
						Check: resource.ComposeAggregateTestCheckFunc(confirmed, env.expectWritesTo(pc, false, "POST 201")),
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

// expectWritesTo checks that the writes to pc's binding are want ("POST 201"; 0 for a dropped
// connection), in order; with repeats, each may be repeated any number of times.
func (e *simEnv) expectWritesTo(pc platformCase, repeats bool, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var got []string
		for _, r := range e.sim.Requests() {
			if !r.IsWrite() || r.Path != bindingPath(pc) {
				continue
			}
			w := fmt.Sprintf("%s %d", r.Method, r.Status)
			if !repeats || len(got) == 0 || got[len(got)-1] != w {
				got = append(got, w)
			}
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			return fmt.Errorf("writes %v, want %v (repeats: %v)", got, want, repeats)
		}
		return nil
	}
}
